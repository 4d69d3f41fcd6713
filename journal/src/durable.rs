//! [`Durable`]: durable submit and wait for typed library users. The same
//! request submitted twice, from this process or a later one, reaches the
//! vendor once: the second call finds it in the journal and resumes its job.
//!
//! ```no_run
//! # async fn demo<V: seedance_runtime::Vendor, M: seedance_runtime::Model<Vendor = V>>(
//! #     client: seedance_runtime::Client<V>, input: M) -> Result<(), seedance_journal::DurableError> {
//! use seedance_journal::{Durable, SqliteJournal};
//! let durable = Durable::new(SqliteJournal::open("seedance-jobs.db").await?);
//! let job = durable.submit(&client, &input).await?;   // recorded, then one POST
//! let urls = durable.wait(&job).await?;               // every state change recorded
//! # Ok(()) }
//! ```

use std::time::Duration;

use seedance_runtime::{Client, Connection, Job, Model, Vendor};

use crate::driver::{Driver, Outcome};
use crate::entry::{Enqueued, Entry, NewEntry};
use crate::error::JournalError;
use crate::journal::Journal;
use crate::key::line_key;
use crate::state::State;
use seedance_runtime::body_hash;

/// Lease of a library user's entries: renewed while it waits.
const LEASE: Duration = Duration::from_secs(60);

/// Durable submit/wait over a journal.
#[derive(Debug, Clone)]
pub struct Durable<J> {
    driver: Driver<J>,
}

/// A job whose request is in the journal under `key`.
#[derive(Debug, Clone)]
pub struct DurableJob {
    key: String,
    job: Job,
}

impl DurableJob {
    /// The journal key of the request.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The vendor job (to poll, cancel or download directly).
    pub fn job(&self) -> &Job {
        &self.job
    }
}

/// Why a durable call did not give a job or an output.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DurableError {
    /// The journal failed; nothing was sent after the failure.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// Local or image checks failed before anything was recorded or sent.
    #[error(transparent)]
    Runtime(#[from] seedance_runtime::Error),
    /// A job may exist; the request is not sent again.
    #[error("request {key} is uncertain: {message}")]
    Uncertain {
        /// The journal key.
        key: String,
        /// Why.
        message: String,
    },
    /// The vendor refused the request: no job exists.
    #[error("request {key} was rejected: {message}")]
    Rejected {
        /// The journal key.
        key: String,
        /// The vendor's message.
        message: String,
    },
    /// The job failed (or was cancelled).
    #[error("request {key} (job {job_id}) ended without output: {message}")]
    Failed {
        /// The journal key.
        key: String,
        /// The vendor's job id.
        job_id: String,
        /// The vendor's message.
        message: String,
    },
    /// Another worker holds the entry, or it must wait (a 429): try later.
    #[error("request {key} cannot go on now: {reason}")]
    Later {
        /// The journal key.
        key: String,
        /// Why.
        reason: String,
    },
}

impl<J: Journal + Clone> Durable<J> {
    /// Durable calls over `journal`, as a worker with a fresh id.
    pub fn new(journal: J) -> Self {
        Durable {
            driver: Driver::new(journal, worker_id(), LEASE),
        }
    }

    /// Reads the time and sleeps on `clock` (see [`Driver::with_clock`]).
    pub fn with_clock(mut self, clock: seedance_runtime::Clock) -> Self {
        self.driver = self.driver.with_clock(clock);
        self
    }

    /// Checks `input` (local and image rules), records it, then submits it
    /// with one POST, unless the journal already has this request: then its
    /// job is resumed (or its earlier outcome returned) with no POST.
    pub async fn submit<M: Model>(
        &self,
        client: &Client<M::Vendor>,
        input: &M,
    ) -> Result<DurableJob, DurableError> {
        client.check(input).await?;
        let body = serde_json::to_vec(input).map_err(JournalError::from)?;
        let value: serde_json::Value = serde_json::from_slice(&body).map_err(JournalError::from)?;
        let vendor = <M::Vendor as Vendor>::ID;
        let key = line_key(vendor, M::MODEL, &value, None, 0);
        let entry = NewEntry {
            key: key.clone(),
            batch: String::new(),
            line: 0,
            vendor: vendor.to_owned(),
            model: M::MODEL.to_owned(),
            path: M::SUBMIT_PATH.to_owned(),
            body_hash: body_hash(&body),
            body: String::from_utf8_lossy(&body).into_owned(),
            out_path: None,
            out_dir: None,
            quote: None,
            quote_note: None,
        };
        self.driver.journal().enqueue(&[entry]).await?;
        self.advance(client.connection(), &key, true).await
    }

    /// Follows the job to its end, recording each change; returns the
    /// output URLs.
    pub async fn wait(&self, job: &DurableJob) -> Result<Vec<String>, DurableError> {
        let conn = job.job.connection().clone();
        self.advance(&conn, &job.key, false).await?;
        let entry = self.get(&job.key).await?;
        match entry.state {
            State::Succeeded => Ok(entry.output_urls),
            _ => Err(ended(&entry.key, &entry)),
        }
    }

    /// Drives the entry: up to a job id (`stop_at_job`) or to its end.
    async fn advance(
        &self,
        conn: &Connection,
        key: &str,
        stop_at_job: bool,
    ) -> Result<DurableJob, DurableError> {
        let journal = self.driver.journal();
        let claimed = journal
            .claim_key(
                key,
                self.driver.worker(),
                self.driver.clock().unix_ms(),
                self.driver.lease_until(),
            )
            .await?;
        let Some(entry) = claimed else {
            // Finished, or another worker holds it.
            return self.found(conn, &self.get(key).await?);
        };
        let job = |id: &String| DurableJob {
            key: key.to_owned(),
            job: conn.job(id.clone()),
        };
        let has_job = !matches!(entry.state, State::Pending | State::Submitting);
        if let (true, true, Some(id)) = (stop_at_job, has_job, &entry.job_id) {
            return Ok(job(id));
        }
        let driving = async {
            if stop_at_job {
                self.driver.submit_only(conn, entry).await
            } else {
                self.driver.drive(conn, entry, &|_| {}).await
            }
        };
        let outcome = self.driver.renewing(driving).await?;
        let entry = self.get(key).await?;
        let later = |reason: String| DurableError::Later {
            key: key.to_owned(),
            reason,
        };
        match (outcome, &entry.job_id) {
            (Outcome::Later { reason, .. }, _) => Err(later(reason)),
            (Outcome::HeldBack { reason }, _) => Err(later(reason)),
            (Outcome::LeaseLost, _) => Err(later("another worker took the entry".to_owned())),
            (Outcome::Stopped, _) => Err(later("stopped; resume with the same call".to_owned())),
            (_, Some(id)) if !ended_without_output(entry.state) => Ok(job(id)),
            _ => Err(ended(key, &entry)),
        }
    }

    /// What an entry this worker could not claim gives: its job, its end,
    /// or "later" while another worker holds it.
    fn found(&self, conn: &Connection, entry: &Entry) -> Result<DurableJob, DurableError> {
        match (&entry.job_id, entry.state) {
            (Some(id), State::Succeeded | State::Downloaded) => Ok(DurableJob {
                key: entry.key.clone(),
                job: conn.job(id.clone()),
            }),
            (_, state) if state.is_final() => Err(ended(&entry.key, entry)),
            _ => Err(DurableError::Later {
                key: entry.key.clone(),
                reason: format!(
                    "another worker ({}) holds it",
                    entry.lease_owner.as_deref().unwrap_or("?")
                ),
            }),
        }
    }

    /// The entry under `key`, which must exist.
    async fn get(&self, key: &str) -> Result<Entry, JournalError> {
        self.driver
            .journal()
            .get(key)
            .await?
            .ok_or_else(|| JournalError::Corrupt {
                key: key.to_owned(),
                message: "entry vanished".to_owned(),
            })
    }
}

fn ended_without_output(state: State) -> bool {
    matches!(state, State::Failed | State::Cancelled | State::Uncertain)
}

/// The error of an entry that ended without output.
fn ended(key: &str, entry: &Entry) -> DurableError {
    let message = entry
        .error
        .clone()
        .unwrap_or_else(|| entry.state.to_string());
    match entry.state {
        State::Uncertain => DurableError::Uncertain {
            key: key.to_owned(),
            message,
        },
        State::Rejected => DurableError::Rejected {
            key: key.to_owned(),
            message,
        },
        _ => DurableError::Failed {
            key: key.to_owned(),
            job_id: entry.job_id.clone().unwrap_or_default(),
            message,
        },
    }
}

/// `host-pid-nanos`: unique per process, readable in `seedance jobs`.
pub fn worker_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
        })
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".to_owned());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{host}-{}-{nanos:08x}", std::process::id())
}

impl Enqueued {
    /// The state found, `pending` for a new entry.
    pub fn state(&self) -> State {
        match self {
            Enqueued::New => State::Pending,
            Enqueued::Open(state) | Enqueued::Finished(state) => *state,
        }
    }
}
