//! `succeeded` -> `downloading` -> staged file -> in place -> `downloaded`.
//!
//! A failure to save is this side's trouble (a full disk, a file in the
//! way, the network): the entry goes back to `succeeded` with the cause and
//! is saved by a later try; the job's output is never given up for it.

use std::path::{Path, PathBuf};

use seedance_runtime::Connection;

use super::files::{self, Placed, output_path};
use super::{Driver, Notify, Outcome, event};
use crate::entry::{Change, Entry, LeaseUpdate};
use crate::error::JournalError;
use crate::journal::Journal;
use crate::state::State;

impl<J: Journal + Clone> Driver<J> {
    /// Saves a succeeded job's output to its path.
    pub(super) async fn save(
        &self,
        conn: &Connection,
        entry: &mut Entry,
        notify: Notify<'_>,
    ) -> Result<Outcome, JournalError> {
        let Some(path) = output_path(entry) else {
            // Nothing to save: the entry ends at `succeeded`.
            let change =
                Change::new(&[State::Succeeded], State::Succeeded, self.worker()).release();
            self.write(&change, entry).await?;
            return Ok(Outcome::Succeeded {
                urls: entry.output_urls.clone(),
            });
        };
        if entry.state == State::Downloading && files::saved_after(&path, entry.updated_at) {
            // Put in place by a run that died before recording it.
            files::remove_partial_downloads(&path);
            return self.saved(entry, path, None, notify).await;
        }
        files::remove_partial_downloads(&path);
        let shown = path.display().to_string();
        let change = Change {
            saved_path: Some(shown.clone()),
            ..Change::new(
                &[State::Succeeded, State::Downloading],
                State::Downloading,
                self.worker(),
            )
        };
        if !self.write(&change, entry).await? {
            return Ok(Outcome::LeaseLost);
        }
        notify(event(entry, Some(&shown)));
        let Some(job_id) = entry.job_id.clone() else {
            return Err(JournalError::Corrupt {
                key: entry.key.clone(),
                message: "entry succeeded but has no job id".to_owned(),
            });
        };
        let staged = files::staging_path(&path);
        let fetched = tokio::select! {
            fetched = fetch(conn, job_id, &path, &staged) => Some(fetched),
            () = self.stop().stopped() => None,
        };
        match fetched {
            None => {
                let _ = std::fs::remove_file(&staged);
                self.give_back(entry).await
            }
            Some(Ok(bytes)) => self.place(entry, &staged, path, bytes, notify).await,
            Some(Err(reason)) => self.unsaved(entry, reason, notify).await,
        }
    }

    /// Links the staged file into place, if this worker still holds the
    /// entry: a worker that lost its lease (stopped past it, say) must not
    /// put a file where the new holder writes.
    async fn place(
        &self,
        entry: &mut Entry,
        staged: &Path,
        path: PathBuf,
        bytes: u64,
        notify: Notify<'_>,
    ) -> Result<Outcome, JournalError> {
        let hold = Change {
            lease: LeaseUpdate::Take {
                owner: self.worker().to_owned(),
                until: self.lease_until(),
            },
            ..Change::new(&[State::Downloading], State::Downloading, self.worker())
        };
        if !self.write(&hold, entry).await? {
            let _ = std::fs::remove_file(staged);
            return Ok(Outcome::LeaseLost);
        }
        match files::place(staged, &path) {
            Ok(Placed::New) => self.saved(entry, path, Some(bytes), notify).await,
            Ok(Placed::AlreadyThere) => self.saved(entry, path, None, notify).await,
            Err(err) => {
                let reason = format!("cannot put the video at {}: {err}", path.display());
                self.unsaved(entry, reason, notify).await
            }
        }
    }

    /// `downloaded`, with the path.
    async fn saved(
        &self,
        entry: &mut Entry,
        path: PathBuf,
        bytes: Option<u64>,
        notify: Notify<'_>,
    ) -> Result<Outcome, JournalError> {
        let shown = path.display().to_string();
        let change = Change {
            saved_path: Some(shown.clone()),
            ..Change::new(&[State::Downloading], State::Downloaded, self.worker()).release()
        };
        if !self.write(&change, entry).await? {
            return Ok(Outcome::LeaseLost);
        }
        notify(event(entry, Some(&shown)));
        Ok(Outcome::Downloaded { path, bytes })
    }

    /// Back to `succeeded` with the cause, to be saved by a later try.
    async fn unsaved(
        &self,
        entry: &mut Entry,
        reason: String,
        notify: Notify<'_>,
    ) -> Result<Outcome, JournalError> {
        let reason = format!("the job succeeded; saving its video paused: {reason}");
        self.put_back(
            entry,
            &[State::Downloading],
            State::Succeeded,
            reason,
            notify,
        )
        .await
    }
}

/// Downloads the job's output to `staged` (creating `path`'s folder).
async fn fetch(
    conn: &Connection,
    job_id: String,
    path: &Path,
    staged: &Path,
) -> Result<u64, String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    }
    conn.job(job_id)
        .download(staged)
        .await
        .map_err(|err| err.to_string())
}
