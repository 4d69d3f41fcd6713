//! One vocabulary of job states for three vendors: [`JobState`] and the
//! [`JobStatus`] snapshot a status poll returns.

use std::fmt;

/// Where a job is, mapped from the vendor's own word.
///
/// A word this runtime does not know is kept in [`JobState::Unknown`] (never a
/// panic) and treated as "not finished", so a vendor adding a state slows a
/// wait down instead of breaking it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum JobState {
    /// Accepted, waiting for a worker.
    Queued,
    /// Being generated.
    Running,
    /// Finished with an output.
    Succeeded,
    /// Finished without an output (including vendor-side timeouts and deletions).
    Failed,
    /// Cancelled before it finished.
    Cancelled,
    /// A word none of the vendors' documents mention, kept verbatim.
    Unknown(String),
}

impl JobState {
    /// True once the job can no longer change (succeeded, failed, cancelled).
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            JobState::Succeeded | JobState::Failed | JobState::Cancelled
        )
    }

    /// A stable lower-case name (`queued`, `running`, ...); an unknown state
    /// shows the vendor's word.
    pub fn as_str(&self) -> &str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
            JobState::Unknown(word) => word,
        }
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobState::Unknown(word) => write!(f, "unknown ({word})"),
            known => f.write_str(known.as_str()),
        }
    }
}

/// One answer to a status poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobStatus {
    /// The mapped state.
    pub state: JobState,
    /// Place in the vendor's queue, where the vendor tells it (RunComfy).
    pub queue_position: Option<u32>,
    /// The vendor's word, verbatim (`in_queue`, `generating`, ...).
    pub raw: String,
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.state)?;
        if let Some(position) = self.queue_position {
            write!(f, " (queue position {position})")?;
        }
        Ok(())
    }
}
