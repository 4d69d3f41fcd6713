//! Connections that come back. A PostgreSQL restart (or a cut network)
//! closes the journal's connections; without this every later call would
//! fail, the worker would exit and the job ids the vendor was still to
//! hand out would never be recorded. Here a lost connection is opened
//! again, with a bounded backoff, for up to the journal's patience.
//!
//! No prepared statement outlives its connection: every query is prepared
//! on the connection at hand (the group commit prepares its statement per
//! transaction), so a new connection needs nothing carried over but its
//! session settings, which [`open`] applies.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls, Row};

use crate::error::JournalError;

/// How long a call waits, by default, for a lost server to come back
/// before it fails: a restart takes seconds; a server gone longer is an
/// outage the operator has to see.
pub(crate) const PATIENCE: Duration = Duration::from_secs(30);
/// The first pause between two connection attempts; doubled after each.
const FIRST_PAUSE: Duration = Duration::from_millis(100);
/// The longest pause: a server that is back is found within this.
const LAST_PAUSE: Duration = Duration::from_secs(2);

/// One connection, driven by its own task, with its session settings.
pub(crate) async fn open(url: &str, setup: &str) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(async move {
        // Ends when the client is dropped or the server goes away; the
        // client then reports itself closed.
        let _ = connection.await;
    });
    if !setup.is_empty() {
        client.batch_execute(setup).await?;
    }
    Ok(client)
}

/// True when `err` means the connection is gone, or the server is not
/// taking connections yet (restarting): worth connecting again. Anything
/// else (a constraint, a bad password) would fail the same way again.
pub(crate) fn is_lost(err: &tokio_postgres::Error) -> bool {
    if err.is_closed() {
        return true;
    }
    if let Some(code) = err.code() {
        return [
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
            SqlState::IDLE_SESSION_TIMEOUT,
            SqlState::TOO_MANY_CONNECTIONS,
            SqlState::CONNECTION_EXCEPTION,
            SqlState::CONNECTION_DOES_NOT_EXIST,
            SqlState::CONNECTION_FAILURE,
            SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
        ]
        .contains(code);
    }
    // Refused, reset, broken pipe, end of stream; not the I/O errors
    // tokio-postgres uses for messages it cannot parse.
    std::error::Error::source(err)
        .and_then(|cause| cause.downcast_ref::<std::io::Error>())
        .is_some_and(|io| {
            !matches!(
                io.kind(),
                std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput
            )
        })
}

/// Deadlock or serialization failure: the server rolled the transaction
/// back, and running it again is the cure (two workers locked the same
/// rows in different orders; one of them was picked to give way).
pub(crate) fn is_conflict(err: &tokio_postgres::Error) -> bool {
    err.code().is_some_and(|code| {
        *code == SqlState::T_R_DEADLOCK_DETECTED || *code == SqlState::T_R_SERIALIZATION_FAILURE
    })
}

/// Times a statement that lost a lock conflict is run again before its
/// error is the caller's.
pub(crate) const CONFLICT_RETRIES: u32 = 8;

/// The pause before running again after the `tries`-th lost conflict:
/// growing, and jittered, so workers that collided do not collide again
/// in step (10 to 20 ms, then 20 to 30 ms, ...).
pub(crate) async fn after_conflict(tries: u32) {
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() % 10_000_000);
    let pause = Duration::from_millis(10 * u64::from(tries)) + Duration::from_nanos(jitter.into());
    tokio::time::sleep(pause).await;
}

/// The error in one line: tokio-postgres's own text leaves out the cause
/// ("db error", "error connecting to server").
pub(crate) fn describe(err: &tokio_postgres::Error) -> String {
    if let Some(db) = err.as_db_error() {
        return format!("{} ({})", db.message(), db.code().code());
    }
    match std::error::Error::source(err) {
        Some(cause) => format!("{err}: {cause}"),
        None => err.to_string(),
    }
}

/// One call's trouble: when its connection was lost, and so until when it
/// keeps trying (the patience counts from the first loss, not per attempt).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outage {
    since: Instant,
    until: Instant,
}

impl Outage {
    /// An outage starting now.
    pub(crate) fn begin(patience: Duration) -> Self {
        let since = Instant::now();
        Outage {
            since,
            until: since + patience,
        }
    }

    /// The error a call gets when it stops waiting.
    fn gave_up(&self, cause: String) -> JournalError {
        JournalError::Unreachable {
            tried_for: self.since.elapsed(),
            cause,
        }
    }
}

/// Opens a new connection after a loss: tries at once, then after pauses
/// doubling from 100 ms to 2 s, until the outage's patience runs out.
/// `cause` says how the old one was lost (the error if no attempt
/// completes). A server that answers but refuses (a bad password, a
/// dropped database) ends the tries at once.
pub(crate) async fn reopen(
    url: &str,
    setup: &str,
    outage: Outage,
    cause: String,
) -> Result<Client, JournalError> {
    let mut last = cause;
    let tries = async {
        let mut pause = FIRST_PAUSE;
        loop {
            match open(url, setup).await {
                Err(err) if is_lost(&err) => last = describe(&err),
                outcome => return outcome,
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(LAST_PAUSE);
        }
    };
    let outcome = tokio::time::timeout_at(outage.until, tries).await;
    match outcome {
        Ok(Ok(client)) => Ok(client),
        Ok(Err(refused)) => Err(outage.gave_up(describe(&refused))),
        Err(_elapsed) => Err(outage.gave_up(last)),
    }
}

/// The connection for reads, leases and enqueues: shared by every clone of
/// the journal (their calls pipelined on it) and replaced when it is lost.
///
/// A call that loses the connection runs again on the new one. That is
/// safe for each of them, even when the first run did reach the server
/// and only its answer was lost: reads and lease renewals are idempotent;
/// `claim_key` takes back a row this worker already leased; `enqueue`
/// finds the rows its first run inserted and reports them `Open(Pending)`
/// rather than `New` (a count in a summary, nothing more); `claim` is told
/// it runs again ([`Reads::run`]) and also takes back the rows leased to
/// this worker with exactly this claim's expiry.
pub(crate) struct Reads {
    url: String,
    setup: &'static str,
    patience: Duration,
    client: Mutex<Arc<Client>>,
    /// Held by the one caller opening a replacement; the others wait for
    /// it and then use its connection (one reconnect at a time, not one
    /// per waiting call).
    reopening: tokio::sync::Mutex<()>,
}

impl Reads {
    /// Wraps `client`, opened on `url` with `setup` (run again on each new
    /// connection).
    pub(crate) fn new(url: &str, setup: &'static str, client: Client, patience: Duration) -> Self {
        Reads {
            url: url.to_owned(),
            setup,
            patience,
            client: Mutex::new(Arc::new(client)),
            reopening: tokio::sync::Mutex::new(()),
        }
    }

    fn current(&self) -> Arc<Client> {
        Arc::clone(&self.client.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Runs `op` on the connection; when the connection is (or turns out)
    /// lost, on a new one, until the patience runs out; when it lost a lock
    /// conflict (rolled back whole: each `op` is one statement), again.
    /// `op`'s second argument is true when an earlier run failed after it
    /// may have reached the server.
    pub(crate) async fn run<T, F, Fut>(&self, op: F) -> Result<T, JournalError>
    where
        F: Fn(Arc<Client>, bool) -> Fut,
        Fut: Future<Output = Result<T, JournalError>>,
    {
        let mut outage: Option<Outage> = None;
        let mut again = false;
        let mut conflicts = 0;
        loop {
            let client = self.current();
            let cause = if client.is_closed() {
                "connection closed".to_owned()
            } else {
                match op(Arc::clone(&client), again).await {
                    Err(JournalError::Postgres(err)) if is_lost(&err) => {
                        again = true;
                        describe(&err)
                    }
                    Err(JournalError::Postgres(err))
                        if is_conflict(&err) && conflicts < CONFLICT_RETRIES =>
                    {
                        conflicts += 1;
                        after_conflict(conflicts).await;
                        continue;
                    }
                    outcome => return outcome,
                }
            };
            let outage = *outage.get_or_insert_with(|| Outage::begin(self.patience));
            self.replace(&client, outage, cause).await?;
        }
    }

    /// Puts a new connection in place of `lost`, unless another call did
    /// so meanwhile.
    async fn replace(
        &self,
        lost: &Arc<Client>,
        outage: Outage,
        cause: String,
    ) -> Result<(), JournalError> {
        let Ok(_turn) = tokio::time::timeout_at(outage.until, self.reopening.lock()).await else {
            return Err(outage.gave_up(cause));
        };
        if !Arc::ptr_eq(&self.current(), lost) {
            return Ok(());
        }
        let client = reopen(&self.url, self.setup, outage, cause).await?;
        *self.client.lock().unwrap_or_else(PoisonError::into_inner) = Arc::new(client);
        Ok(())
    }

    /// `Client::query`, across reconnects.
    pub(crate) async fn query(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, JournalError> {
        self.run(|client, _| async move { Ok(client.query(sql, params).await?) })
            .await
    }

    /// `Client::query_opt`, across reconnects.
    pub(crate) async fn query_opt(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, JournalError> {
        self.run(|client, _| async move { Ok(client.query_opt(sql, params).await?) })
            .await
    }

    /// `Client::query_one`, across reconnects.
    pub(crate) async fn query_one(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, JournalError> {
        self.run(|client, _| async move { Ok(client.query_one(sql, params).await?) })
            .await
    }

    /// `Client::execute`, across reconnects.
    pub(crate) async fn execute(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, JournalError> {
        self.run(|client, _| async move { Ok(client.execute(sql, params).await?) })
            .await
    }
}
