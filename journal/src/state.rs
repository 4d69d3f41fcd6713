//! [`State`]: where a journal entry is, from "recorded, never sent" to
//! "downloaded". The words are stored as text in both backends.

use std::fmt;
use std::str::FromStr;

/// The life of one request in the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Recorded, never sent: safe to submit.
    Pending,
    /// About to be POSTed (written before the request leaves). Found in this
    /// state by a later process, it becomes [`State::Uncertain`].
    Submitting,
    /// The vendor answered with a job id; the job waits for a worker.
    Queued,
    /// The job is being generated.
    Running,
    /// The job finished with outputs (URLs recorded); not yet saved.
    Succeeded,
    /// Saving the output to the recorded path.
    Downloading,
    /// The output is on disk at the recorded path.
    Downloaded,
    /// The job failed (the vendor's message is recorded), or its output
    /// could not be saved.
    Failed,
    /// The job was cancelled.
    Cancelled,
    /// The POST may or may not have created a job: never re-sent
    /// automatically. Check the vendor's dashboard.
    Uncertain,
    /// Refused before any job existed (validation, 4xx): nothing was created.
    Rejected,
}

impl State {
    /// Every state.
    pub const ALL: [State; 11] = [
        State::Pending,
        State::Submitting,
        State::Queued,
        State::Running,
        State::Succeeded,
        State::Downloading,
        State::Downloaded,
        State::Failed,
        State::Cancelled,
        State::Uncertain,
        State::Rejected,
    ];

    /// States a worker may take up (the SQL of both backends spells the
    /// same list out, so that their partial index is used).
    pub const OPEN: [State; 6] = [
        State::Pending,
        State::Submitting,
        State::Queued,
        State::Running,
        State::Succeeded,
        State::Downloading,
    ];

    /// The stored word.
    pub const fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Submitting => "submitting",
            State::Queued => "queued",
            State::Running => "running",
            State::Succeeded => "succeeded",
            State::Downloading => "downloading",
            State::Downloaded => "downloaded",
            State::Failed => "failed",
            State::Cancelled => "cancelled",
            State::Uncertain => "uncertain",
            State::Rejected => "rejected",
        }
    }

    /// True when no worker will touch the entry again.
    pub fn is_final(self) -> bool {
        !State::OPEN.contains(&self)
    }

    /// True once a vendor job may exist for the entry.
    pub fn may_have_job(self) -> bool {
        !matches!(self, State::Pending | State::Rejected)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for State {
    type Err = String;

    fn from_str(word: &str) -> Result<Self, Self::Err> {
        State::ALL
            .into_iter()
            .find(|state| state.as_str() == word)
            .ok_or_else(|| format!("unknown journal state {word:?}"))
    }
}

/// Open states in which a vendor job may exist: what an edit of a batch
/// line must not orphan.
pub(crate) const PAID_OPEN: [State; 5] = [
    State::Submitting,
    State::Queued,
    State::Running,
    State::Succeeded,
    State::Downloading,
];

/// `'submitting','queued',...`: [`PAID_OPEN`] as an SQL list.
pub(crate) fn paid_open_sql_list() -> String {
    sql_list(&PAID_OPEN)
}

/// `'pending','submitting',...`: the open states as an SQL list.
pub(crate) fn open_sql_list() -> String {
    sql_list(&State::OPEN)
}

fn sql_list(states: &[State]) -> String {
    states
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_reads_back() {
        for state in State::ALL {
            assert_eq!(state.as_str().parse::<State>(), Ok(state));
        }
        assert!("done".parse::<State>().is_err());
    }

    #[test]
    fn only_open_states_are_taken_up() {
        assert!(!State::Pending.is_final());
        assert!(!State::Submitting.is_final());
        assert!(State::Uncertain.is_final());
        assert!(State::Downloaded.is_final());
        assert!(State::Rejected.is_final());
    }
}
