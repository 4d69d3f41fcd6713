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
//!   streamed to a temporary name and renamed; `downloaded` after.
//! - `downloading` found by a worker: if the file was renamed into place
//!   after the `downloading` record, it is ours and is not fetched again.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use seedance_runtime::{Connection, Error, JobState, Progress, WaitOptions};

use crate::clock::now_ms;
use crate::entry::{Change, Entry, LeaseUpdate};
use crate::error::JournalError;
use crate::journal::Journal;
use crate::state::State;

/// What became of an entry after one drive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The output is saved at `path` (`bytes` is `None` when an earlier
    /// run had already saved it).
    Downloaded {
        /// Where.
        path: PathBuf,
        /// Bytes written now.
        bytes: Option<u64>,
    },
    /// The job succeeded; no output path was asked for.
    Succeeded {
        /// Output URLs.
        urls: Vec<String>,
    },
    /// The job failed (or its output could not be saved).
    Failed {
        /// The vendor's message or the save error.
        message: String,
    },
    /// The job was cancelled.
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
    /// Put back for later (a 429, a transient failure, a wait deadline);
    /// not before `not_before` (ms since the epoch).
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

/// Written when a worker finds an entry in `submitting`.
pub const DIED_WHILE_SUBMITTING: &str = "a process stopped after recording this request and \
     before recording the vendor's answer: the POST may have created a job; it is not re-sent \
     (check the vendor's dashboard, then re-add the line under another key if no job exists)";

/// Drives entries for one worker of one journal.
#[derive(Debug, Clone)]
pub struct Driver<J> {
    journal: J,
    worker: String,
    lease: Duration,
}

impl<J: Journal + Clone> Driver<J> {
    /// A driver writing as `worker`, holding leases for `lease` at a time.
    pub fn new(journal: J, worker: impl Into<String>, lease: Duration) -> Self {
        Driver {
            journal,
            worker: worker.into(),
            lease,
        }
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

    /// When a lease taken now expires (ms).
    pub fn lease_until(&self) -> i64 {
        now_ms().saturating_add(i64::try_from(self.lease.as_millis()).unwrap_or(i64::MAX))
    }

    /// Runs `work` while renewing this worker's leases every third of the
    /// lease (for callers without a renewal task of their own).
    pub async fn renewing<T>(&self, work: impl std::future::Future<Output = T>) -> T {
        tokio::pin!(work);
        loop {
            tokio::select! {
                out = &mut work => return out,
                () = tokio::time::sleep(self.lease / 3) => {
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
            entry.updated_at = now_ms();
        }
        Ok(applied)
    }

    /// Takes a leased entry as far as it can go now; see the module docs.
    /// `conn` must speak the entry's vendor protocol.
    pub async fn drive(
        &self,
        conn: &Connection,
        mut entry: Entry,
        notify: &(dyn Fn(DriverEvent<'_>) + Send + Sync),
    ) -> Result<Outcome, JournalError> {
        let me = self.worker.as_str();
        loop {
            match entry.state {
                State::Submitting => {
                    let change = Change::new(&[State::Submitting], State::Uncertain, me)
                        .release()
                        .error(DIED_WHILE_SUBMITTING);
                    if !self.write(&change, &mut entry).await? {
                        return Ok(Outcome::LeaseLost);
                    }
                    notify(event(&entry, Some(DIED_WHILE_SUBMITTING)));
                    return Ok(Outcome::Uncertain {
                        message: DIED_WHILE_SUBMITTING.to_owned(),
                    });
                }
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

    /// `pending` -> `submitting` -> one POST -> `queued` (or the outcome).
    async fn submit(
        &self,
        conn: &Connection,
        entry: &mut Entry,
        notify: &(dyn Fn(DriverEvent<'_>) + Send + Sync),
    ) -> Result<Option<Outcome>, JournalError> {
        let me = self.worker.as_str();
        if !self
            .write(
                &Change::new(&[State::Pending], State::Submitting, me),
                entry,
            )
            .await?
        {
            return Ok(Some(Outcome::LeaseLost));
        }
        notify(event(entry, None));
        let answer = conn
            .submit_raw(&entry.path, entry.body.clone().into_bytes())
            .await;
        match answer {
            Ok(job) => {
                // Recorded even if our lease lapsed meanwhile (and another
                // worker marked the entry uncertain): the id is what matters.
                let change = Change {
                    owner: None,
                    job_id: Some(job.id().to_owned()),
                    lease: LeaseUpdate::Take {
                        owner: me.to_owned(),
                        until: self.lease_until(),
                    },
                    ..Change::new(&[State::Submitting, State::Uncertain], State::Queued, me)
                };
                if !self.write(&change, entry).await? {
                    return Ok(Some(Outcome::LeaseLost));
                }
                notify(event(entry, None));
                Ok(None)
            }
            Err(err @ Error::SubmitUncertain { .. }) => {
                let message = err.to_string();
                if !self
                    .end_submit(entry, State::Uncertain, &message, notify)
                    .await?
                {
                    return Ok(Some(Outcome::LeaseLost));
                }
                Ok(Some(Outcome::Uncertain { message }))
            }
            Err(err) if err.http_status() == Some(429) || err.is_transient() => {
                // A 429 or a request that never left: no job was created.
                let throttled = err.http_status() == Some(429);
                let wait = err.retry_after().unwrap_or(Duration::from_secs(1));
                let not_before = now_ms() + i64::try_from(wait.as_millis()).unwrap_or(1000);
                let reason = err.to_string();
                let change = Change {
                    not_before: Some(not_before),
                    ..Change::new(&[State::Submitting], State::Pending, me)
                        .release()
                        .error(reason.clone())
                };
                if !self.write(&change, entry).await? {
                    return Ok(Some(Outcome::LeaseLost));
                }
                notify(event(entry, Some(&reason)));
                Ok(Some(Outcome::Later {
                    not_before,
                    reason,
                    throttled,
                }))
            }
            Err(err) => {
                let message = err.to_string();
                if !self
                    .end_submit(entry, State::Rejected, &message, notify)
                    .await?
                {
                    return Ok(Some(Outcome::LeaseLost));
                }
                Ok(Some(Outcome::Rejected { message }))
            }
        }
    }

    /// Records a submit that ended at `to` (lease released, `message` kept)
    /// and reports it; false when another worker holds the entry now.
    async fn end_submit(
        &self,
        entry: &mut Entry,
        to: State,
        message: &str,
        notify: &(dyn Fn(DriverEvent<'_>) + Send + Sync),
    ) -> Result<bool, JournalError> {
        let change = Change::new(&[State::Submitting], to, &self.worker)
            .release()
            .error(message.to_owned());
        if !self.write(&change, entry).await? {
            return Ok(false);
        }
        notify(event(entry, Some(message)));
        Ok(true)
    }

    /// Polls the job by id until it ends, writing each change.
    async fn follow(
        &self,
        conn: &Connection,
        entry: &mut Entry,
        notify: &(dyn Fn(DriverEvent<'_>) + Send + Sync),
    ) -> Result<Option<Outcome>, JournalError> {
        let me = self.worker.as_str();
        let Some(job_id) = entry.job_id.clone() else {
            let message = "entry is queued but has no job id".to_owned();
            return Err(JournalError::Corrupt {
                key: entry.key.clone(),
                message,
            });
        };
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
        let mut progress_error = None;
        let mut lost = false;
        let recording = async {
            while let Some(state) = rx.recv().await {
                if state == entry.state || lost || progress_error.is_some() {
                    continue;
                }
                let change = Change::new(&[State::Queued, State::Running], state, me);
                match self.write(&change, entry).await {
                    Ok(true) => notify(event(entry, None)),
                    Ok(false) => lost = true,
                    Err(err) => progress_error = Some(err),
                }
            }
        };
        let (result, ()) = tokio::join!(waiting, recording);
        if let Some(err) = progress_error {
            return Err(err);
        }
        if lost {
            return Ok(Some(Outcome::LeaseLost));
        }
        let open = [State::Queued, State::Running];
        let (change, outcome) = match result {
            Ok(output) => {
                let mut urls = output.video_urls().to_vec();
                urls.extend(output.image_urls().iter().cloned());
                let change = Change {
                    output_urls: Some(urls.clone()),
                    ..Change::new(&open, State::Succeeded, me)
                };
                if output_path(entry).is_none() {
                    // Nothing to save: the entry ends here.
                    (change.release(), Some(Outcome::Succeeded { urls }))
                } else {
                    (change, None)
                }
            }
            Err(Error::JobFailed { message, .. }) => (
                Change::new(&open, State::Failed, me)
                    .release()
                    .error(message.clone()),
                Some(Outcome::Failed { message }),
            ),
            Err(Error::JobCancelled { .. }) => (
                Change::new(&open, State::Cancelled, me).release(),
                Some(Outcome::Cancelled),
            ),
            Err(err) if err.is_transient() || matches!(err, Error::Timeout { .. }) => {
                let reason = err.to_string();
                let not_before = now_ms() + 1000;
                let change = Change {
                    not_before: Some(not_before),
                    ..Change::new(&open, entry.state, me)
                        .release()
                        .error(reason.clone())
                };
                (
                    change,
                    Some(Outcome::Later {
                        not_before,
                        reason,
                        throttled: false,
                    }),
                )
            }
            Err(err) => {
                let message = err.to_string();
                (
                    Change::new(&open, State::Failed, me)
                        .release()
                        .error(message.clone()),
                    Some(Outcome::Failed { message }),
                )
            }
        };
        if !self.write(&change, entry).await? {
            return Ok(Some(Outcome::LeaseLost));
        }
        let detail = change.detail();
        notify(event(entry, detail.as_deref()));
        if let (None, Some(urls)) = (&outcome, &change.output_urls) {
            entry.output_urls = urls.clone();
        }
        Ok(outcome)
    }

    /// `succeeded` -> `downloading` -> file -> `downloaded`.
    async fn save(
        &self,
        conn: &Connection,
        entry: &mut Entry,
        notify: &(dyn Fn(DriverEvent<'_>) + Send + Sync),
    ) -> Result<Outcome, JournalError> {
        let me = self.worker.as_str();
        let Some(path) = output_path(entry) else {
            // Nothing to save: the entry ends at `succeeded`.
            let change = Change::new(&[State::Succeeded], State::Succeeded, me).release();
            self.write(&change, entry).await?;
            return Ok(Outcome::Succeeded {
                urls: entry.output_urls.clone(),
            });
        };
        let shown = path.display().to_string();
        if entry.state == State::Downloading && saved_after(&path, entry.updated_at) {
            // Renamed into place by a run that died before recording it,
            // maybe between linking the temporary file and removing it.
            remove_partial_downloads(&path);
            let change = Change {
                saved_path: Some(shown.clone()),
                ..Change::new(&[State::Downloading], State::Downloaded, me).release()
            };
            if !self.write(&change, entry).await? {
                return Ok(Outcome::LeaseLost);
            }
            notify(event(entry, Some(&shown)));
            return Ok(Outcome::Downloaded { path, bytes: None });
        }
        remove_partial_downloads(&path);
        let change = Change {
            saved_path: Some(shown.clone()),
            ..Change::new(
                &[State::Succeeded, State::Downloading],
                State::Downloading,
                me,
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
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Err(err) = tokio::fs::create_dir_all(dir).await {
                return self
                    .save_failed(
                        entry,
                        format!("cannot create {}: {err}", dir.display()),
                        notify,
                    )
                    .await;
            }
        }
        match conn.job(job_id).download(&path).await {
            Ok(bytes) => {
                let change = Change {
                    saved_path: Some(shown.clone()),
                    ..Change::new(&[State::Downloading], State::Downloaded, me).release()
                };
                if !self.write(&change, entry).await? {
                    return Ok(Outcome::LeaseLost);
                }
                notify(event(entry, Some(&shown)));
                Ok(Outcome::Downloaded {
                    path,
                    bytes: Some(bytes),
                })
            }
            Err(err) if err.is_transient() => {
                let reason = err.to_string();
                let not_before = now_ms() + 1000;
                let change = Change {
                    not_before: Some(not_before),
                    ..Change::new(&[State::Downloading], State::Succeeded, me)
                        .release()
                        .error(reason.clone())
                };
                if !self.write(&change, entry).await? {
                    return Ok(Outcome::LeaseLost);
                }
                notify(event(entry, Some(&reason)));
                Ok(Outcome::Later {
                    not_before,
                    reason,
                    throttled: false,
                })
            }
            Err(err) => {
                self.save_failed(
                    entry,
                    format!("the job succeeded but its output could not be saved: {err}"),
                    notify,
                )
                .await
            }
        }
    }

    async fn save_failed(
        &self,
        entry: &mut Entry,
        message: String,
        notify: &(dyn Fn(DriverEvent<'_>) + Send + Sync),
    ) -> Result<Outcome, JournalError> {
        let change = Change::new(&[State::Downloading], State::Failed, &self.worker)
            .release()
            .error(message.clone());
        if !self.write(&change, entry).await? {
            return Ok(Outcome::LeaseLost);
        }
        notify(event(entry, Some(&message)));
        Ok(Outcome::Failed { message })
    }
}

fn event<'a>(entry: &'a Entry, detail: Option<&'a str>) -> DriverEvent<'a> {
    DriverEvent {
        entry,
        state: entry.state,
        job_id: entry.job_id.as_deref(),
        detail,
    }
}

/// Where an entry's output goes: its `out_path`, else `out_dir/<job id>.mp4`.
pub(crate) fn output_path(entry: &Entry) -> Option<PathBuf> {
    if let Some(path) = &entry.saved_path {
        return Some(PathBuf::from(path));
    }
    if let Some(path) = &entry.out_path {
        return Some(PathBuf::from(path));
    }
    let dir = entry.out_dir.as_ref()?;
    let id = entry.job_id.as_deref().unwrap_or(&entry.key);
    Some(Path::new(dir).join(format!("{}.mp4", safe_file_name(id))))
}

/// A vendor's job id made safe as a file name: anything but letters,
/// digits, `-`, `_` and `.` becomes `_`, and a leading `.` too.
pub fn safe_file_name(id: &str) -> String {
    let mut name: String = id
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' => c,
            _ => '_',
        })
        .collect();
    if name.starts_with('.') {
        name.replace_range(..1, "_");
    }
    if name.is_empty() {
        name.push_str("video");
    }
    name
}

/// True when `path` exists and was last written at or after `since_ms`
/// (less a second of clock granularity).
fn saved_after(path: &Path, since_ms: i64) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    let Ok(modified) = meta.modified() else {
        return false;
    };
    let modified_ms = modified
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    meta.is_file() && modified_ms >= since_ms - 1000 && SystemTime::now() >= modified
}

/// Removes `.<name>.*.part` beside `path`: temporary files of downloads
/// that a killed process left behind (the runtime's naming).
pub(crate) fn remove_partial_downloads(path: &Path) {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    let prefix = format!(".{name}.");
    let Ok(read) = std::fs::read_dir(&dir) else {
        return;
    };
    for item in read.flatten() {
        let file = item.file_name().to_string_lossy().into_owned();
        if file.starts_with(&prefix) && file.ends_with(".part") {
            let _ = std::fs::remove_file(item.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_ids_become_safe_file_names() {
        assert_eq!(safe_file_name("abc-123_x"), "abc-123_x");
        assert_eq!(safe_file_name("a/b\\c d"), "a_b_c_d");
        assert_eq!(safe_file_name("../etc"), "_._etc");
        assert_eq!(safe_file_name(""), "video");
    }

    #[test]
    fn partial_downloads_of_that_file_only_are_removed() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let target = dir.path().join("a.mp4");
        let ours = dir.path().join(".a.mp4.0123456789abcdef.part");
        let other = dir.path().join(".b.mp4.0123456789abcdef.part");
        for file in [&ours, &other] {
            std::fs::write(file, b"half").unwrap_or_else(|e| panic!("{e}"));
        }
        remove_partial_downloads(&target);
        assert!(!ours.exists());
        assert!(other.exists());
    }
}
