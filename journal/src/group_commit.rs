//! The group commit both SQL backends share: every state change queued
//! while the last commit ran goes into the next transaction (one WAL flush
//! for many changes), and each caller is answered only after the
//! transaction holding its change has committed (or failed for good).
//!
//! A group holds at most [`GROUP`] changes, in key order (a stable sort:
//! one key's changes keep their order), so two groups lock rows in the
//! same order and seldom wait on each other. The changes of one group come
//! from callers that were all waiting at once: any order among them is one
//! they could have arrived in.
//!
//! A backend ([`Backend`]) supplies only its transaction and what to do
//! when it fails: try the group again (PostgreSQL after a deadlock or a
//! lost connection, see `postgres::writer`) or give every write of the
//! group one error (SQLite). The writer itself never stops while a
//! [`Writer`] handle lives.

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::sync::oneshot;

use crate::entry::Change;
use crate::error::JournalError;

/// Most changes committed in one transaction.
pub(crate) const GROUP: usize = 512;

/// One state change waiting for the writer, and who to tell.
#[derive(Debug)]
pub(crate) struct Write {
    pub(crate) key: String,
    pub(crate) worker: String,
    pub(crate) change: Change,
    done: oneshot::Sender<Result<bool, JournalError>>,
}

/// What a journal backend supplies to the group commit.
pub(crate) trait Backend {
    /// What the tries of one group share; fresh for every group.
    type Tries: Default;
    /// Why one try failed.
    type Error;

    /// Applies every change of `group` (in key order) in one transaction;
    /// says, in group order, which applied.
    async fn apply(
        &mut self,
        group: &[Write],
        tries: &mut Self::Tries,
    ) -> Result<Vec<bool>, Self::Error>;

    /// After a failed try: `Ok` to try the group again, or the error every
    /// write of the group is answered with.
    async fn recover(
        &mut self,
        err: Self::Error,
        tries: &mut Self::Tries,
    ) -> Result<(), JournalError>;
}

/// The callers' side of a writer: cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    queue: UnboundedSender<Write>,
}

impl Writer {
    /// A writer handle and the queue its writer loop ([`run`]) reads.
    pub(crate) fn channel() -> (Writer, UnboundedReceiver<Write>) {
        let (queue, receiver) = tokio::sync::mpsc::unbounded_channel();
        (Writer { queue }, receiver)
    }

    /// Queues the guarded change and waits for its group's commit: whether
    /// it applied.
    pub(crate) async fn record(
        &self,
        key: &str,
        worker: &str,
        change: &Change,
    ) -> Result<bool, JournalError> {
        let stopped = || JournalError::Task("the journal writer stopped".to_owned());
        let (done, answer) = oneshot::channel();
        let write = Write {
            key: key.to_owned(),
            worker: worker.to_owned(),
            change: change.clone(),
            done,
        };
        self.queue.send(write).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// The writer loop: takes every change queued while the last commit ran
/// (up to [`GROUP`]), commits them together on `backend`, answers each
/// caller. Ends when every [`Writer`] handle is gone.
pub(crate) async fn run<B: Backend>(mut backend: B, mut queue: UnboundedReceiver<Write>) {
    while let Some(first) = queue.recv().await {
        let mut group = vec![first];
        while group.len() < GROUP {
            match queue.try_recv() {
                Ok(write) => group.push(write),
                Err(_) => break,
            }
        }
        group.sort_by(|a, b| a.key.cmp(&b.key));
        let outcome = commit(&mut backend, &group).await;
        answer(group, &outcome);
    }
}

/// Runs the writer loop on a thread of its own (for a backend whose
/// transactions block), independent of the callers' runtime.
pub(crate) fn spawn_thread<B>(name: &str, backend: B) -> Result<Writer, JournalError>
where
    B: Backend + Send + 'static,
{
    let failed = |e: std::io::Error| JournalError::Task(e.to_string());
    // The loop only waits on its queue: no timers, no I/O driver.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(failed)?;
    let (writer, queue) = Writer::channel();
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || runtime.block_on(run(backend, queue)))
        .map_err(failed)?;
    Ok(writer)
}

/// Commits `group`, trying again as long as the backend says so.
async fn commit<B: Backend>(backend: &mut B, group: &[Write]) -> Result<Vec<bool>, JournalError> {
    let mut tries = B::Tries::default();
    loop {
        match backend.apply(group, &mut tries).await {
            Ok(applied) => return Ok(applied),
            Err(err) => backend.recover(err, &mut tries).await?,
        }
    }
}

/// Tells each caller its answer; on failure each gets its own copy.
fn answer(group: Vec<Write>, outcome: &Result<Vec<bool>, JournalError>) {
    match outcome {
        Ok(applied) => {
            for (write, applied) in group.into_iter().zip(applied) {
                let _ = write.done.send(Ok(*applied));
            }
        }
        Err(err) => {
            for write in group {
                let _ = write.done.send(Err(copy(err)));
            }
        }
    }
}

/// The group's error for one of its writes (errors are not `Clone`). The
/// backends fail a group only with `Unreachable` or `Write`.
fn copy(err: &JournalError) -> JournalError {
    match err {
        JournalError::Unreachable { tried_for, cause } => JournalError::Unreachable {
            tried_for: *tried_for,
            cause: cause.clone(),
        },
        JournalError::Write { target, message } => JournalError::Write {
            target: target.clone(),
            message: message.clone(),
        },
        other => JournalError::Write {
            target: "the journal".to_owned(),
            message: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::state::State;

    /// Fails the first try of every group, then gives up or applies the
    /// keys that do not end in `!`.
    struct Flaky {
        groups: Arc<Mutex<Vec<Vec<String>>>>,
        give_up: bool,
    }

    impl Backend for Flaky {
        type Tries = u32;
        type Error = String;

        async fn apply(&mut self, group: &[Write], tries: &mut u32) -> Result<Vec<bool>, String> {
            if *tries == 0 {
                return Err("busy".to_owned());
            }
            let keys = group.iter().map(|w| w.key.clone()).collect();
            self.groups.lock().unwrap().push(keys);
            Ok(group.iter().map(|w| !w.key.ends_with('!')).collect())
        }

        async fn recover(&mut self, err: String, tries: &mut u32) -> Result<(), JournalError> {
            *tries += 1;
            if self.give_up {
                return Err(JournalError::Write {
                    target: "test".to_owned(),
                    message: err,
                });
            }
            Ok(())
        }
    }

    /// Three changes queued at once, then the writer loop until it ends:
    /// their answers, and the groups the backend applied.
    async fn three_at_once(give_up: bool) -> (Vec<Result<bool, String>>, Vec<Vec<String>>) {
        let (writer, queue) = Writer::channel();
        let groups = Arc::new(Mutex::new(Vec::new()));
        let backend = Flaky {
            groups: groups.clone(),
            give_up,
        };
        let call = |key: &'static str| {
            let writer = writer.clone();
            async move {
                let change = Change::new(&[State::Pending], State::Submitting, "w");
                let answer = writer.record(key, "w", &change).await;
                answer.map_err(|e| e.to_string())
            }
        };
        let (c, b, a) = (call("c"), call("b!"), call("a"));
        drop(writer);
        let (c, b, a, ()) = tokio::join!(c, b, a, run(backend, queue));
        let groups = groups.lock().unwrap().clone();
        (vec![a, b, c], groups)
    }

    #[tokio::test]
    async fn a_group_is_sorted_tried_again_and_answered_per_write() {
        let (answers, groups) = three_at_once(false).await;
        assert_eq!(answers, [Ok(true), Ok(false), Ok(true)]);
        assert_eq!(groups, [["a", "b!", "c"]]);
    }

    #[tokio::test]
    async fn a_group_given_up_fails_every_write_alike() {
        let (answers, groups) = three_at_once(true).await;
        let failed = "journal write to test failed (rolled back): busy".to_owned();
        assert_eq!(
            answers,
            [Err(failed.clone()), Err(failed.clone()), Err(failed)]
        );
        assert!(groups.is_empty());
    }
}
