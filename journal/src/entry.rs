//! The records of the journal: what is inserted ([`NewEntry`]), what is read
//! back ([`Entry`], [`Event`]), and what one write changes ([`Change`]).

use seedance_runtime::Usd;

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
    /// The job's quote (`None`: not asked, or no price known).
    pub quote: Option<Usd>,
    /// The quote as text: its amount and source, or why it is unknown.
    pub quote_note: Option<String>,
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
    /// Its quote when recorded (`None`: not asked, or no price known).
    pub quote: Option<Usd>,
    /// The quote as text: amount and source, or why it is unknown.
    pub quote_note: Option<String>,
    /// The budget its reservation is held in, once reserved.
    pub budget: Option<String>,
    /// What it holds reserved in that budget (zero when released).
    pub reserved: Usd,
    /// The cost the vendor reported for the job, if it reports costs.
    pub reported: Option<Usd>,
}

impl Entry {
    /// True when the budget of its batch held it back (it stays `pending`,
    /// never sent; a larger budget lets it go on a later run).
    pub fn is_held_back(&self) -> bool {
        self.state == State::Pending
            && self
                .error
                .as_deref()
                .is_some_and(|e| e.starts_with(HELD_BACK_PREFIX))
    }
}

/// What every held-back entry's error starts with.
pub const HELD_BACK_PREFIX: &str = "held back by the budget";

/// The error of an entry held back because its quote does not fit.
pub const HELD_OVER_BUDGET: &str = "held back by the budget: reserving this job's quote would \
     exceed the batch's budget; nothing was sent";

/// The error of an entry held back because its price is unknown.
pub const HELD_UNKNOWN_PRICE: &str = "held back by the budget: this job's price is unknown, so \
     the budget cannot cover it; nothing was sent (pass --assume-price MODEL=USD to price it)";

/// How long a held-back entry is left alone unless woken: a reservation
/// released or settled in its budget (a 429, a rejection, a reported cost)
/// and a budget set again wake the held-back entries of that batch at
/// once, so they are tried while something may have changed, and a worker
/// whose open entries are all held back is done.
pub const HOLD_MS: i64 = 60 * 60 * 1_000;

/// The SQL condition of a held-back entry (see [`Entry::is_held_back`]).
pub(crate) const HELD_SQL: &str = "state = 'pending' AND error LIKE 'held back by the budget%'";

/// A budget: a cap on what the jobs of one batch may hold reserved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    /// Its name (the batch id).
    pub name: String,
    /// The cap.
    pub limit: Usd,
    /// What its jobs hold reserved now (quotes, or reported costs once
    /// settled).
    pub reserved: Usd,
}

/// What a [`Change`] does to the entry's reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CostChange {
    /// Nothing.
    #[default]
    Keep,
    /// Reserves the entry's quote in its batch's budget, if the batch has
    /// one. When the quote does not fit (or is unknown), the change is not
    /// applied: the entry stays `pending`, its lease is given up, its error
    /// says it was held back ([`Entry::is_held_back`]) and it is not taken
    /// again for [`HOLD_MS`]; `record` answers `false`.
    Reserve,
    /// Gives the reservation back (nothing was sent, or nothing created).
    Release,
    /// The vendor reported what the job cost: stored, and the reservation
    /// becomes that amount.
    Settle(Usd),
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
    /// What happens to the entry's reservation.
    pub cost: CostChange,
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
            cost: CostChange::Keep,
        }
    }

    /// Also changes the reservation.
    pub fn cost(mut self, cost: CostChange) -> Self {
        self.cost = cost;
        self
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

/// An amount as stored (micro-dollars in a signed 64-bit column).
pub(crate) fn micros_db(usd: Usd) -> i64 {
    i64::try_from(usd.micros()).unwrap_or(i64::MAX)
}

/// A stored amount (a negative one, which no write makes, reads as zero).
pub(crate) fn usd_db(micros: i64) -> Usd {
    Usd::from_micros(u64::try_from(micros).unwrap_or(0))
}
