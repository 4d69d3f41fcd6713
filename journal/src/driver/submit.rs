//! `pending` -> `submitting` -> one POST -> `queued` (or the outcome).
//!
//! Between the `submitting` record and the record of the vendor's answer
//! nothing stops the driver: a [`Stop`](super::Stop) waits for it, and a
//! job id that the journal refuses to take is retried, then handed back
//! in [`JournalError::Unrecorded`] so the caller can print it.

use std::time::Duration;

use seedance_runtime::{Connection, Error};

use super::{Driver, Notify, Outcome, RECORD_PATIENCE, event};
use crate::entry::{Change, CostChange, Entry, LeaseUpdate};
use crate::error::JournalError;
use crate::journal::Journal;
use crate::state::State;

impl<J: Journal + Clone> Driver<J> {
    /// Submits a `pending` entry; `None` once its job id is recorded.
    pub(super) async fn submit(
        &self,
        conn: &Connection,
        entry: &mut Entry,
        notify: Notify<'_>,
    ) -> Result<Option<Outcome>, JournalError> {
        // The quote is reserved in the batch's budget in the same write.
        let start = Change::new(&[State::Pending], State::Submitting, self.worker())
            .cost(CostChange::Reserve);
        if !self.write(&start, entry).await? {
            return self.not_started(entry).await.map(Some);
        }
        notify(event(entry, None));
        let answer = conn
            .submit_raw(&entry.path, entry.body.clone().into_bytes())
            .await;
        let outcome = match answer {
            Ok(job) => return self.job_created(entry, job.id(), None, notify).await,
            // An answer that carried an id despite what was wrong with it:
            // the job exists, so it is followed like any other.
            Err(err) if err.job_id().is_some() => {
                let id = err.job_id().unwrap_or_default().to_owned();
                return self
                    .job_created(entry, &id, Some(err.to_string()), notify)
                    .await;
            }
            Err(err @ Error::SubmitUncertain { .. }) => {
                let message = err.to_string();
                self.end_submit(entry, State::Uncertain, &message, notify)
                    .await?
                    .then_some(Outcome::Uncertain { message })
            }
            Err(err) if err.http_status() == Some(429) || err.is_transient() => {
                return self.not_sent(entry, &err, notify).await.map(Some);
            }
            Err(err) => {
                let message = err.to_string();
                self.end_submit(entry, State::Rejected, &message, notify)
                    .await?
                    .then_some(Outcome::Rejected { message })
            }
        };
        Ok(Some(outcome.unwrap_or(Outcome::LeaseLost)))
    }

    /// Why `pending` -> `submitting` was not applied: the budget held the
    /// entry back (its error says so), or another worker has it.
    async fn not_started(&self, entry: &mut Entry) -> Result<Outcome, JournalError> {
        match self.journal().get(&entry.key).await? {
            Some(found) if found.is_held_back() && found.lease_owner.is_none() => {
                let reason = found.error.clone().unwrap_or_default();
                *entry = found;
                Ok(Outcome::HeldBack { reason })
            }
            _ => Ok(Outcome::LeaseLost),
        }
    }

    /// Records the job id the vendor gave (retried while the journal
    /// fails), taking the lease again: the id is what matters, even if our
    /// lease lapsed meanwhile and another worker marked the entry uncertain.
    async fn job_created(
        &self,
        entry: &mut Entry,
        job_id: &str,
        note: Option<String>,
        notify: Notify<'_>,
    ) -> Result<Option<Outcome>, JournalError> {
        let change = Change {
            owner: None,
            job_id: Some(job_id.to_owned()),
            error: note,
            lease: LeaseUpdate::Take {
                owner: self.worker().to_owned(),
                until: self.lease_until(),
            },
            ..Change::new(
                &[State::Submitting, State::Uncertain],
                State::Queued,
                self.worker(),
            )
        };
        if !self.write_patiently(&change, entry, job_id).await? {
            return Ok(Some(Outcome::LeaseLost));
        }
        notify(event(entry, None));
        Ok(None)
    }

    /// [`write`](Self::write), retried with backoff for the record
    /// patience; then the id goes back to the caller in the error.
    async fn write_patiently(
        &self,
        change: &Change,
        entry: &mut Entry,
        job_id: &str,
    ) -> Result<bool, JournalError> {
        let started = self.clock().now();
        let mut delay = Duration::from_millis(100);
        loop {
            match self.write(change, entry).await {
                Err(_) if self.clock().now() - started + delay < RECORD_PATIENCE => {
                    self.clock().sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
                Err(err) => {
                    return Err(JournalError::Unrecorded {
                        key: entry.key.clone(),
                        line: entry.line,
                        job_id: job_id.to_owned(),
                        source: Box::new(err),
                    });
                }
                applied => return applied,
            }
        }
    }

    /// A 429 or a request that never left: no job was created, so the
    /// entry goes back to `pending`, after the vendor's `Retry-After`.
    async fn not_sent(
        &self,
        entry: &mut Entry,
        err: &Error,
        notify: Notify<'_>,
    ) -> Result<Outcome, JournalError> {
        let throttled = err.http_status() == Some(429);
        let wait = err.retry_after().unwrap_or(Duration::from_secs(1));
        let not_before = self.clock().unix_ms() + i64::try_from(wait.as_millis()).unwrap_or(1000);
        let from: &[State] = &[State::Submitting];
        self.put_back_until(
            entry,
            (from, State::Pending),
            err.to_string(),
            not_before,
            throttled,
            notify,
        )
        .await
    }

    /// Records a submit that ended at `to` (lease released, `message` kept)
    /// and reports it; false when another worker holds the entry now.
    async fn end_submit(
        &self,
        entry: &mut Entry,
        to: State,
        message: &str,
        notify: Notify<'_>,
    ) -> Result<bool, JournalError> {
        // A rejected request created nothing: its reservation goes back.
        // An uncertain one may have created a job: it keeps it.
        let cost = match to {
            State::Rejected => CostChange::Release,
            _ => CostChange::Keep,
        };
        let change = Change::new(&[State::Submitting], to, self.worker())
            .release()
            .error(message.to_owned())
            .cost(cost);
        if !self.write(&change, entry).await? {
            return Ok(false);
        }
        notify(event(entry, Some(message)));
        Ok(true)
    }
}
