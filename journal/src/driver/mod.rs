//! [`Driver`]: follows one journal entry through the runtime, recording
//! every step before or as it happens:
//!
//! - `pending`: `submitting` is written, then exactly one POST; the job id is
//!   written as soon as the vendor answers. A lost answer is `uncertain`; a
//!   429 or a request that never left goes back to `pending` (no job exists).
//! - `submitting` found by a worker: a process died between the record and
//!   the answer, so the job may exist: `uncertain`, never re-sent.
//! - `queued`/`running`: the job is polled by id; changes are written.
//! - `succeeded`: `downloading` (with the path) is written, then the file is
//!   streamed to a staging file and linked into place by the lease holder
//!   (see `files`); `downloaded` after.
//! - `downloading` found by a worker: if the file was put in place after
//!   the `downloading` record, it is ours and is not fetched again.
//!
//! Only the vendor ends a paid job. Once a job id exists, `failed` and
//! `cancelled` are written only when the vendor says so; client-side trouble
//! (a bad poll answer, a full disk, a file in the way, a journal that failed
//! for a while) puts the entry back in its state with the cause and a
//! growing delay ([`Outcome::Later`]), for this run, the next one or another
//! worker to take up.

mod files;
mod follow;
mod save;
mod stop;
mod submit;

use std::time::Duration;

use seedance_runtime::{Clock, Connection};

pub use files::safe_file_name;
pub use stop::Stop;

use crate::entry::{Change, CostChange, Entry};
use crate::error::JournalError;
use crate::journal::Journal;
use crate::state::State;

/// What became of an entry after one drive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The output is saved at `path` (`bytes` is `None` when it was already
    /// there: saved by an earlier run or another worker).
    Downloaded {
        /// Where.
        path: std::path::PathBuf,
        /// Bytes written now.
        bytes: Option<u64>,
    },
    /// The job succeeded; no output path was asked for.
    Succeeded {
        /// Output URLs.
        urls: Vec<String>,
    },
    /// The vendor said the job failed.
    Failed {
        /// The vendor's message.
        message: String,
    },
    /// The vendor said the job was cancelled.
    Cancelled,
    /// A job may exist; not re-sent. Check the vendor's dashboard.
    Uncertain {
        /// Why it is uncertain.
        message: String,
    },
    /// Refused before a job existed.
    Rejected {
        /// The vendor's (or local) message.
        message: String,
    },
    /// Put back for later, not before `not_before` (ms since the epoch):
    /// a 429, or client-side trouble (the reason says which). The entry
    /// keeps its state and job id.
    Later {
        /// Earliest next attempt.
        not_before: i64,
        /// What happened.
        reason: String,
        /// True when the vendor asked to slow down (429).
        throttled: bool,
    },
    /// Another worker holds the entry now; this one stopped touching it.
    LeaseLost,
    /// The driver was asked to stop ([`Stop`]); the entry was given back
    /// in its state for the next run.
    Stopped,
    /// Not sent: the batch's budget cannot cover the entry's quote (or its
    /// price is unknown under a budget). It stays `pending`, its lease
    /// given up, and may go on once reservations are released or the
    /// budget is raised.
    HeldBack {
        /// The held-back message recorded on the entry.
        reason: String,
    },
    /// Submitted, job id recorded ([`Driver::submit_only`] stops here).
    Submitted {
        /// The vendor's job id.
        job_id: String,
    },
}

/// A step of an entry, for displays and `--json` events.
#[derive(Debug, Clone, Copy)]
pub struct DriverEvent<'a> {
    /// The entry.
    pub entry: &'a Entry,
    /// The state entered.
    pub state: State,
    /// The job id, once known.
    pub job_id: Option<&'a str>,
    /// Error text, path or URLs.
    pub detail: Option<&'a str>,
}

/// The callback a driver reports each step to.
pub(crate) type Notify<'n> = &'n (dyn Fn(DriverEvent<'_>) + Send + Sync);

/// Written when a worker finds an entry in `submitting`.
pub const DIED_WHILE_SUBMITTING: &str = "a process stopped after recording this request and \
     before recording the vendor's answer: the POST may have created a job; it is not re-sent \
     (check the vendor's dashboard, then re-add the line under another key if no job exists)";

/// The first wait after client-side trouble; doubled after each one in a row.
const FIRST_RETRY_MS: i64 = 1_000;
/// The longest wait between two tries of an entry in trouble.
const LAST_RETRY_MS: i64 = 5 * 60 * 1_000;
/// How long a job id the vendor just gave is retried into a failing journal
/// before it is handed back as [`JournalError::Unrecorded`].
const RECORD_PATIENCE: Duration = Duration::from_secs(60);

/// Drives entries for one worker of one journal.
#[derive(Debug, Clone)]
pub struct Driver<J> {
    journal: J,
    worker: String,
    lease: Duration,
    stop: Stop,
    clock: Clock,
}

impl<J: Journal + Clone> Driver<J> {
    /// A driver writing as `worker`, holding leases for `lease` at a time.
    pub fn new(journal: J, worker: impl Into<String>, lease: Duration) -> Self {
        Driver {
            journal,
            worker: worker.into(),
            lease,
            stop: Stop::new(),
            clock: Clock::real(),
        }
    }

    /// Reads the time (leases, retry times) and sleeps (lease renewal,
    /// record retries) on `clock` instead of real time: share the
    /// connection's [`Clock::manual`] to drive both on one virtual time
    /// (not a [`Clock::virtual_time`]: its one waiter moves it with every
    /// sleep, and the renewal sleeps often).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The clock this driver reads and sleeps on.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Winds down when `stop` is raised (see [`Stop`]).
    pub fn with_stop(mut self, stop: Stop) -> Self {
        self.stop = stop;
        self
    }

    /// The journal.
    pub fn journal(&self) -> &J {
        &self.journal
    }

    /// This worker's id.
    pub fn worker(&self) -> &str {
        &self.worker
    }

    /// How long a lease lasts.
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// The stop flag this driver obeys.
    pub fn stop(&self) -> &Stop {
        &self.stop
    }

    /// When a lease taken now expires (ms).
    pub fn lease_until(&self) -> i64 {
        self.clock
            .unix_ms()
            .saturating_add(i64::try_from(self.lease.as_millis()).unwrap_or(i64::MAX))
    }

    /// Runs `work` while renewing this worker's leases every third of the
    /// lease (for callers without a renewal task of their own).
    pub async fn renewing<T>(&self, work: impl std::future::Future<Output = T>) -> T {
        tokio::pin!(work);
        loop {
            tokio::select! {
                out = &mut work => return out,
                () = self.clock.sleep(self.lease / 3) => {
                    // A failed renewal is retried at the next tick; a lease
                    // that lapses meanwhile is seen by the guarded writes.
                    let _ = self.journal.renew(&self.worker, self.lease_until()).await;
                }
            }
        }
    }

    async fn write(&self, change: &Change, entry: &mut Entry) -> Result<bool, JournalError> {
        let applied = self
            .journal
            .record(&entry.key, &self.worker, change)
            .await?;
        if applied {
            entry.state = change.to;
            if let Some(id) = &change.job_id {
                entry.job_id = Some(id.clone());
            }
            if let Some(path) = &change.saved_path {
                entry.saved_path = Some(path.clone());
            }
            if let Some(not_before) = change.not_before {
                entry.not_before = not_before;
            }
            entry.updated_at = self.clock.unix_ms();
        }
        Ok(applied)
    }

    /// Takes a leased entry as far as it can go now; see the module docs.
    /// `conn` must speak the entry's vendor protocol.
    pub async fn drive(
        &self,
        conn: &Connection,
        mut entry: Entry,
        notify: Notify<'_>,
    ) -> Result<Outcome, JournalError> {
        loop {
            if self.stop.is_stopped() && entry.state != State::Submitting {
                return self.give_back(&mut entry).await;
            }
            match entry.state {
                State::Submitting => return self.found_submitting(&mut entry, notify).await,
                State::Pending => {
                    if let Some(outcome) = self.submit(conn, &mut entry, notify).await? {
                        return Ok(outcome);
                    }
                }
                State::Queued | State::Running => {
                    if let Some(outcome) = self.follow(conn, &mut entry, notify).await? {
                        return Ok(outcome);
                    }
                }
                State::Succeeded | State::Downloading => {
                    return self.save(conn, &mut entry, notify).await;
                }
                State::Downloaded
                | State::Failed
                | State::Cancelled
                | State::Uncertain
                | State::Rejected => return Ok(Outcome::LeaseLost),
            }
        }
    }

    /// Only the first step of [`drive`](Self::drive): a `pending` entry is
    /// submitted (a `submitting` one becomes uncertain); stops once the job
    /// id is recorded.
    pub async fn submit_only(
        &self,
        conn: &Connection,
        mut entry: Entry,
    ) -> Result<Outcome, JournalError> {
        match entry.state {
            State::Pending => match self.submit(conn, &mut entry, &|_| {}).await? {
                Some(outcome) => Ok(outcome),
                None => Ok(Outcome::Submitted {
                    job_id: entry.job_id.clone().unwrap_or_default(),
                }),
            },
            State::Submitting => self.drive(conn, entry, &|_| {}).await,
            _ => Ok(Outcome::Submitted {
                job_id: entry.job_id.clone().unwrap_or_default(),
            }),
        }
    }

    /// A `submitting` entry left by a process that died: `uncertain`.
    async fn found_submitting(
        &self,
        entry: &mut Entry,
        notify: Notify<'_>,
    ) -> Result<Outcome, JournalError> {
        let change = Change::new(&[State::Submitting], State::Uncertain, &self.worker)
            .release()
            .error(DIED_WHILE_SUBMITTING);
        if !self.write(&change, entry).await? {
            return Ok(Outcome::LeaseLost);
        }
        notify(event(entry, Some(DIED_WHILE_SUBMITTING)));
        Ok(Outcome::Uncertain {
            message: DIED_WHILE_SUBMITTING.to_owned(),
        })
    }

    /// Gives a held entry back in its state (the driver was stopped).
    async fn give_back(&self, entry: &mut Entry) -> Result<Outcome, JournalError> {
        let change = Change::new(&[entry.state], entry.state, &self.worker).release();
        if !self.write(&change, entry).await? {
            return Ok(Outcome::LeaseLost);
        }
        Ok(Outcome::Stopped)
    }

    /// Puts the entry back at `to` after client-side trouble: lease given
    /// up, `reason` kept, next try after a delay that doubles with each
    /// put-back in a row (1 s up to 5 min).
    async fn put_back(
        &self,
        entry: &mut Entry,
        from: &[State],
        to: State,
        reason: String,
        notify: Notify<'_>,
    ) -> Result<Outcome, JournalError> {
        let not_before = next_try(entry, self.clock.unix_ms());
        self.put_back_until(entry, (from, to), reason, not_before, false, notify)
            .await
    }

    /// Puts the entry back at `to`, lease given up, not to be taken up
    /// before `not_before`.
    async fn put_back_until(
        &self,
        entry: &mut Entry,
        (from, to): (&[State], State),
        reason: String,
        not_before: i64,
        throttled: bool,
        notify: Notify<'_>,
    ) -> Result<Outcome, JournalError> {
        // Back to `pending`: nothing was sent, so no reservation is held.
        let cost = match to {
            State::Pending => CostChange::Release,
            _ => CostChange::Keep,
        };
        let change = Change {
            not_before: Some(not_before),
            ..Change::new(from, to, &self.worker)
                .release()
                .error(reason.clone())
                .cost(cost)
        };
        if !self.write(&change, entry).await? {
            return Ok(Outcome::LeaseLost);
        }
        notify(event(entry, Some(&reason)));
        Ok(Outcome::Later {
            not_before,
            reason,
            throttled,
        })
    }
}

/// When an entry in trouble is tried next: the last put-back's delay (the
/// gap between its `not_before` and its last write, which was that
/// put-back) doubled, or the first delay after any other change.
fn next_try(entry: &Entry, now: i64) -> i64 {
    let last = entry.not_before.saturating_sub(entry.updated_at);
    let delay = if last > 0 {
        last.saturating_mul(2).clamp(FIRST_RETRY_MS, LAST_RETRY_MS)
    } else {
        FIRST_RETRY_MS
    };
    now.saturating_add(delay)
}

fn event<'a>(entry: &'a Entry, detail: Option<&'a str>) -> DriverEvent<'a> {
    DriverEvent {
        entry,
        state: entry.state,
        job_id: entry.job_id.as_deref(),
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(not_before: i64, updated_at: i64) -> Entry {
        Entry {
            key: "k".into(),
            batch: String::new(),
            line: 1,
            vendor: "runcomfy".into(),
            model: "m".into(),
            path: "/p".into(),
            body: "{}".into(),
            body_hash: String::new(),
            out_path: None,
            out_dir: None,
            state: State::Running,
            job_id: Some("j".into()),
            output_urls: Vec::new(),
            saved_path: None,
            error: None,
            not_before,
            lease_owner: None,
            lease_until: 0,
            created_at: 0,
            updated_at,
            quote: None,
            quote_note: None,
            budget: None,
            reserved: seedance_runtime::Usd::ZERO,
            reported: None,
        }
    }

    #[test]
    fn trouble_in_a_row_doubles_the_delay_up_to_a_cap() {
        assert_eq!(next_try(&entry(0, 500), 10_000), 11_000);
        assert_eq!(next_try(&entry(2_000, 1_000), 10_000), 12_000);
        assert_eq!(next_try(&entry(9_000, 1_000), 10_000), 26_000);
        assert_eq!(
            next_try(&entry(LAST_RETRY_MS, 0), 10_000),
            10_000 + LAST_RETRY_MS
        );
        // Progress since the last put-back starts over.
        assert_eq!(next_try(&entry(5_000, 8_000), 10_000), 11_000);
    }

    #[tokio::test]
    async fn leases_and_renewals_follow_the_drivers_clock() {
        let clock = Clock::manual(1);
        let journal = crate::MemoryJournal::new();
        let lease = Duration::from_secs(30);
        let driver = Driver::new(journal.clone(), "w", lease).with_clock(clock.clone());
        assert_eq!(driver.lease_until(), clock.unix_ms() + 30_000);
        let new = crate::NewEntry {
            out_path: None,
            out_dir: None,
            quote: None,
            quote_note: None,
            key: "k".into(),
            batch: String::new(),
            vendor: "runcomfy".into(),
            model: "m".into(),
            path: "/p".into(),
            body: "{}".into(),
            body_hash: String::new(),
            line: 1,
        };
        journal.enqueue(&[new]).await.unwrap();
        let now = clock.unix_ms();
        let leased = journal.claim_key("k", "w", now, driver.lease_until());
        assert!(leased.await.unwrap().is_some());
        let (done, work) = tokio::sync::oneshot::channel::<()>();
        let renewer = driver.clone();
        let renewing = tokio::spawn(async move { renewer.renewing(work).await });
        tokio::task::yield_now().await;
        // Real time does not move the lease on; the driver's clock does,
        // waking the renewal at 10 s and 20 s.
        clock.advance(Duration::from_secs(25)).await;
        let entry = journal.get("k").await.unwrap().unwrap();
        assert_eq!(entry.lease_until, now + 20_000 + 30_000);
        let _ = done.send(());
        let _ = renewing.await.unwrap();
    }
}
