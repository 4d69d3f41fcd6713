//! The records of the journal: what is inserted ([`NewEntry`]), what is read
//! back ([`Entry`], [`Event`]), and what one write changes ([`Change`]).

use crate::state::State;

/// A request to record before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    /// Identity of the request ([`line_key`](crate::line_key)).
    pub key: String,
    /// The batch (input file) it belongs to; empty for library use.
    pub batch: String,
    /// Its line in that file (1-based), for messages.
    pub line: i64,
    /// Vendor id (`runcomfy`, `aimlapi`, `wavespeed`).
    pub vendor: String,
    /// Model name as `seedance models` prints it.
    pub model: String,
    /// The API path the POST goes to.
    pub path: String,
    /// The exact body to POST.
    pub body: String,
    /// [`body_hash`](crate::body_hash) of the body.
    pub body_hash: String,
    /// Where to save the output; `None`: `out_dir/<job id>.mp4`.
    pub out_path: Option<String>,
    /// Folder for outputs without `out_path`; `None` with no `out_path`:
    /// the output is not downloaded.
    pub out_dir: Option<String>,
}

/// One entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Identity of the request.
    pub key: String,
    /// Batch that last adopted it.
    pub batch: String,
    /// Line in that batch's file.
    pub line: i64,
    /// Vendor id.
    pub vendor: String,
    /// Model name.
    pub model: String,
    /// API path of the POST.
    pub path: String,
    /// The body POSTed (or to be).
    pub body: String,
    /// Hash of the canonical body.
    pub body_hash: String,
    /// Requested output file.
    pub out_path: Option<String>,
    /// Output folder.
    pub out_dir: Option<String>,
    /// Where it is.
    pub state: State,
    /// The vendor's job id, once known.
    pub job_id: Option<String>,
    /// Output URLs of a succeeded job.
    pub output_urls: Vec<String>,
    /// Where the output is (or is being) saved.
    pub saved_path: Option<String>,
    /// The last error (the vendor's message for a failed job).
    pub error: Option<String>,
    /// Not to be taken up before this time (ms since the epoch): after a 429.
    pub not_before: i64,
    /// The worker holding the lease, if any.
    pub lease_owner: Option<String>,
    /// When the lease expires (ms since the epoch; 0: none).
    pub lease_until: i64,
    /// When it was first recorded (ms).
    pub created_at: i64,
    /// When its state last changed (ms).
    pub updated_at: i64,
}

/// One recorded state change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The entry.
    pub key: String,
    /// When (ms since the epoch).
    pub at: i64,
    /// The worker that wrote it.
    pub worker: Option<String>,
    /// The state entered.
    pub state: State,
    /// Job id, path, URLs or error, as text.
    pub detail: Option<String>,
}

/// What `enqueue` found for one new entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enqueued {
    /// Recorded now.
    New,
    /// Already recorded and still open: now part of this batch (a resume).
    Open(State),
    /// Already recorded and finished (in this batch or an earlier one).
    Finished(State),
}

/// What happens to the lease with a [`Change`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaseUpdate {
    /// Left as it is.
    Keep,
    /// Given up: any worker may take the entry (once `not_before` passes).
    Release,
    /// Taken by this worker until this time (ms).
    Take {
        /// The worker.
        owner: String,
        /// Expiry (ms since the epoch).
        until: i64,
    },
}

/// One guarded write: applied only when the entry is in one of `from`
/// and, with `owner`, leased by that worker. Each applied change also
/// appends an [`Event`], in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// States the entry must be in.
    pub from: Vec<State>,
    /// The state it enters.
    pub to: State,
    /// The worker that must hold the lease (`None`: any).
    pub owner: Option<String>,
    /// Sets the job id.
    pub job_id: Option<String>,
    /// Sets the output URLs.
    pub output_urls: Option<Vec<String>>,
    /// Sets the saved path.
    pub saved_path: Option<String>,
    /// Sets the error.
    pub error: Option<String>,
    /// Sets the earliest time of the next attempt.
    pub not_before: Option<i64>,
    /// The lease afterwards.
    pub lease: LeaseUpdate,
}

impl Change {
    /// `from` -> `to`, guarded by `owner`'s lease, lease kept.
    pub fn new(from: &[State], to: State, owner: &str) -> Self {
        Change {
            from: from.to_vec(),
            to,
            owner: Some(owner.to_owned()),
            job_id: None,
            output_urls: None,
            saved_path: None,
            error: None,
            not_before: None,
            lease: LeaseUpdate::Keep,
        }
    }

    /// Also gives the lease up.
    pub fn release(mut self) -> Self {
        self.lease = LeaseUpdate::Release;
        self
    }

    /// Also records an error.
    pub fn error(mut self, error: impl Into<String>) -> Self {
        self.error = Some(error.into());
        self
    }

    /// What the event's detail column says.
    pub(crate) fn detail(&self) -> Option<String> {
        if let Some(error) = &self.error {
            return Some(error.clone());
        }
        if let Some(path) = &self.saved_path {
            return Some(path.clone());
        }
        if let Some(urls) = &self.output_urls {
            return Some(urls.join(" "));
        }
        self.job_id.clone()
    }

    /// The lease columns as (mode, owner, until) for the SQL `CASE`.
    pub(crate) fn lease_params(&self) -> (i32, Option<&str>, i64) {
        match &self.lease {
            LeaseUpdate::Keep => (0, None, 0),
            LeaseUpdate::Release => (1, None, 0),
            LeaseUpdate::Take { owner, until } => (2, Some(owner.as_str()), *until),
        }
    }
}

/// A request to take up to `limit` open entries of `batch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The batch.
    pub batch: String,
    /// Who takes them.
    pub worker: String,
    /// The time now (ms).
    pub now: i64,
    /// Lease expiry (ms).
    pub until: i64,
    /// Only entries of these vendors (those with free capacity).
    pub vendors: Vec<String>,
    /// At most this many.
    pub limit: usize,
}
