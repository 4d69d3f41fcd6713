//! `queued`/`running`: the job is polled by id until the vendor ends it;
//! each change is written as it is seen.

use seedance_runtime::{Connection, Error, JobState, Output, Progress, WaitOptions};

use super::{Driver, Notify, Outcome, event, files::output_path};
use crate::entry::{Change, CostChange, Entry};
use crate::error::JournalError;
use crate::journal::Journal;
use crate::state::State;

const OPEN: [State; 2] = [State::Queued, State::Running];

impl<J: Journal + Clone> Driver<J> {
    /// Polls the job until it ends; `None` when it succeeded with an output
    /// to save (the caller goes on to `save`).
    pub(super) async fn follow(
        &self,
        conn: &Connection,
        entry: &mut Entry,
        notify: Notify<'_>,
    ) -> Result<Option<Outcome>, JournalError> {
        let Some(job_id) = entry.job_id.clone() else {
            return Err(JournalError::Corrupt {
                key: entry.key.clone(),
                message: "entry is queued but has no job id".to_owned(),
            });
        };
        let waited = tokio::select! {
            waited = self.wait_recording(conn, job_id, entry, notify) => Some(waited?),
            () = self.stop().stopped() => None,
        };
        let result = match waited {
            None => return self.give_back(entry).await.map(Some),
            Some(None) => return Ok(Some(Outcome::LeaseLost)),
            Some(Some(result)) => result,
        };
        match result {
            Ok(output) => self.succeeded(entry, &output, notify).await,
            Err(Error::JobCancelled { .. }) => {
                let change = Change::new(&OPEN, State::Cancelled, self.worker()).release();
                self.end(entry, &change, Outcome::Cancelled, notify).await
            }
            // The vendor's verdict: failed, or finished without an output.
            Err(err) if err.is_job_outcome() => {
                let message = match err {
                    Error::JobFailed { message, .. } => message,
                    other => other.to_string(),
                };
                let change = Change::new(&OPEN, State::Failed, self.worker())
                    .release()
                    .error(message.clone());
                self.end(entry, &change, Outcome::Failed { message }, notify)
                    .await
            }
            // Anything else is this side's trouble: the job goes on at the
            // vendor and is followed again later.
            Err(err) => {
                let reason = format!("following the job paused: {err}");
                let state = entry.state;
                self.put_back(entry, &OPEN, state, reason, notify)
                    .await
                    .map(Some)
            }
        }
    }

    /// Waits for the job, writing each state change it reports; `None`
    /// when another worker took the entry meanwhile.
    async fn wait_recording(
        &self,
        conn: &Connection,
        job_id: String,
        entry: &mut Entry,
        notify: Notify<'_>,
    ) -> Result<Option<Result<Output, Error>>, JournalError> {
        let job = conn.job(job_id);
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<State>();
        let waiting = job.wait_with(WaitOptions::new(), move |progress| {
            if let Progress::State { status, .. } = progress {
                let state = match status.state {
                    JobState::Queued => State::Queued,
                    _ => State::Running,
                };
                let _ = tx.send(state);
            }
        });
        let mut failure = None;
        let mut lost = false;
        let recording = async {
            while let Some(state) = rx.recv().await {
                if state == entry.state || lost || failure.is_some() {
                    continue;
                }
                let change = Change::new(&OPEN, state, self.worker());
                match self.write(&change, entry).await {
                    Ok(true) => notify(event(entry, None)),
                    Ok(false) => lost = true,
                    Err(err) => failure = Some(err),
                }
            }
        };
        let (result, ()) = tokio::join!(waiting, recording);
        match (failure, lost) {
            (Some(err), _) => Err(err),
            (None, true) => Ok(None),
            (None, false) => Ok(Some(result)),
        }
    }

    /// Records the output URLs; the entry ends here when there is nothing
    /// to save.
    async fn succeeded(
        &self,
        entry: &mut Entry,
        output: &Output,
        notify: Notify<'_>,
    ) -> Result<Option<Outcome>, JournalError> {
        let mut urls = output.video_urls().to_vec();
        urls.extend(output.image_urls().iter().cloned());
        // A cost the vendor reported settles the reservation; otherwise
        // the quote stands as the estimate.
        let cost = output
            .reported_cost()
            .map_or(CostChange::Keep, CostChange::Settle);
        let change = Change {
            output_urls: Some(urls.clone()),
            ..Change::new(&OPEN, State::Succeeded, self.worker()).cost(cost)
        };
        if output_path(entry).is_none() {
            return self
                .end(
                    entry,
                    &change.release(),
                    Outcome::Succeeded { urls },
                    notify,
                )
                .await;
        }
        if !self.write(&change, entry).await? {
            return Ok(Some(Outcome::LeaseLost));
        }
        notify(event(entry, change.detail().as_deref()));
        entry.output_urls = urls;
        Ok(None)
    }

    /// Writes the change that ends the entry and reports `outcome`.
    async fn end(
        &self,
        entry: &mut Entry,
        change: &Change,
        outcome: Outcome,
        notify: Notify<'_>,
    ) -> Result<Option<Outcome>, JournalError> {
        if !self.write(change, entry).await? {
            return Ok(Some(Outcome::LeaseLost));
        }
        notify(event(entry, change.detail().as_deref()));
        Ok(Some(outcome))
    }
}
