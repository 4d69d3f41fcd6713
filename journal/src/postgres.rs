//! [`PostgresJournal`]: one journal for many workers on one or many
//! machines. Open entries are leased with `FOR UPDATE SKIP LOCKED`, so two
//! workers never take the same one.
//!
//! Two connections: state changes go through a writer task that commits
//! every change queued meanwhile in one transaction (group commit: one WAL
//! flush for many changes, each caller answered after its commit); leases,
//! enqueues and reads use the other, with `synchronous_commit = off`,
//! because losing one of those to a server crash is harmless: a lease not
//! recorded only lets another worker take the entry, whose guarded writes
//! then refuse this one's, and a lost enqueue is redone by the next run.

use std::sync::Arc;

use tokio_postgres::{Client, NoTls, Row};

use crate::clock::now_ms;
use crate::entry::{Change, Claim, Enqueued, Entry, Event, NewEntry};
use crate::error::JournalError;
use crate::journal::Journal;
use crate::migrations::{self, POSTGRES, VERSIONS_TABLE};
use crate::state::{State, open_sql_list};

/// A PostgreSQL journal. Cheap to clone (shared, pipelined connections).
#[derive(Clone)]
pub struct PostgresJournal {
    client: Arc<Client>,
    writer: tokio::sync::mpsc::UnboundedSender<Write>,
}

/// One state change waiting for the writer task, and who to tell.
struct Write {
    key: String,
    worker: String,
    change: Change,
    done: tokio::sync::oneshot::Sender<Result<bool, JournalError>>,
}

/// Most changes committed in one transaction.
const GROUP: usize = 512;

const RECORD: &str = "WITH up AS (UPDATE jobs SET state = $3, job_id = coalesce($4, job_id), \
       output_urls = coalesce($5, output_urls), saved_path = coalesce($6, saved_path), \
       error = coalesce($7, error), not_before = coalesce($8, not_before), \
       lease_owner = CASE $9::int4 WHEN 0 THEN lease_owner WHEN 1 THEN NULL ELSE $10 END, \
       lease_until = CASE $9::int4 WHEN 0 THEN lease_until WHEN 1 THEN 0 ELSE $11 END, \
       updated_at = $12 \
       WHERE key = $1 AND state = ANY($2) AND ($13::text IS NULL OR lease_owner = $13) \
       RETURNING key) \
     INSERT INTO events (key, at, worker, state, detail) \
     SELECT key, $12, $14, $3, $15 FROM up RETURNING 1";

impl std::fmt::Debug for PostgresJournal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: never shown.
        f.debug_struct("PostgresJournal").finish_non_exhaustive()
    }
}

/// Key of the advisory lock that serialises migrations across workers.
const MIGRATION_LOCK: i64 = 0x5eed_a9ce;

const COLS: &str = "key, batch, line, vendor, model, path, body, body_hash, out_path, out_dir, \
     state, job_id, output_urls, saved_path, error, not_before, lease_owner, lease_until, \
     created_at, updated_at";

impl PostgresJournal {
    /// Connects to `url` (`postgres://user@host:port/db`, no TLS) and brings
    /// the schema up to date.
    pub async fn connect(url: &str) -> Result<Self, JournalError> {
        let mut client = open(url).await?;
        migrate(&mut client).await?;
        client
            .batch_execute("SET synchronous_commit TO off")
            .await?;
        let writer_client = open(url).await?;
        let (writer, queue) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(write_loop(writer_client, queue));
        Ok(PostgresJournal {
            client: Arc::new(client),
            writer,
        })
    }

    /// The schema version of the database.
    pub async fn schema_version(&self) -> Result<i64, JournalError> {
        let row = self
            .client
            .query_one("SELECT coalesce(max(version), 0) FROM seedance_schema", &[])
            .await?;
        Ok(row.try_get(0)?)
    }
}

/// One connection, driven by its own task.
async fn open(url: &str) -> Result<Client, JournalError> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(async move {
        // Ends when the client is dropped or the server goes away; the next
        // query then reports the error.
        let _ = connection.await;
    });
    Ok(client)
}

/// The writer task: every change queued while the last commit ran goes
/// into the next transaction, its statements pipelined.
async fn write_loop(mut client: Client, mut queue: tokio::sync::mpsc::UnboundedReceiver<Write>) {
    while let Some(first) = queue.recv().await {
        let mut group = vec![first];
        while group.len() < GROUP {
            match queue.try_recv() {
                Ok(write) => group.push(write),
                Err(_) => break,
            }
        }
        // Guarded writes can be replayed whole: a deadlock victim (another
        // process's transaction locked our rows in another order) retries.
        let mut attempt = 0;
        let outcome = loop {
            attempt += 1;
            match apply_group(&mut client, &group).await {
                Err(err) if attempt < 5 && is_retryable(&err) => continue,
                outcome => break outcome,
            }
        };
        match outcome {
            Ok(applied) => {
                for (write, applied) in group.into_iter().zip(applied) {
                    let _ = write.done.send(Ok(applied));
                }
            }
            Err(err) => {
                let message = match err.as_db_error() {
                    Some(db) => format!("{} ({})", db.message(), db.code().code()),
                    None => err.to_string(),
                };
                for write in group {
                    let _ = write.done.send(Err(JournalError::Write {
                        target: "PostgreSQL".to_owned(),
                        message: message.clone(),
                    }));
                }
            }
        }
    }
}

/// Deadlock or serialization failure: the transaction was rolled back and
/// may simply be run again.
fn is_retryable(err: &tokio_postgres::Error) -> bool {
    use tokio_postgres::error::SqlState;
    err.code().is_some_and(|code| {
        *code == SqlState::T_R_DEADLOCK_DETECTED || *code == SqlState::T_R_SERIALIZATION_FAILURE
    })
}

async fn apply_group(
    client: &mut Client,
    group: &[Write],
) -> Result<Vec<bool>, tokio_postgres::Error> {
    let now = now_ms();
    let tx = client.transaction().await?;
    if !group.iter().any(|w| must_be_flushed(&w.change)) {
        // Losing these to a server crash is harmless (see `must_be_flushed`);
        // WAL order still puts them before any later flushed commit.
        tx.batch_execute("SET LOCAL synchronous_commit TO off")
            .await?;
    }
    let statement = tx.prepare(RECORD).await?;
    // Rows locked in key order, so two writers never wait on each other in a cycle.
    let mut order: Vec<usize> = (0..group.len()).collect();
    order.sort_by(|a, b| group[*a].key.cmp(&group[*b].key));
    let owned: Vec<Params> = order
        .iter()
        .map(|i| Params::new(&group[*i].key, &group[*i].worker, &group[*i].change, now))
        .collect();
    let queries = owned.iter().map(|p| {
        let statement = &statement;
        let tx = &tx;
        async move { tx.query(statement, &p.refs()).await }
    });
    let results = futures_util::future::join_all(queries).await;
    let mut applied = vec![false; group.len()];
    for (i, rows) in order.into_iter().zip(results) {
        applied[i] = rows?.len() == 1;
    }
    tx.commit().await?;
    Ok(applied)
}

/// True for the changes that must be on disk before the caller goes on:
/// `submitting` (written before the POST), the job id, `uncertain`. Losing
/// any other to a server crash only repeats work: a job is polled or
/// checked again, a saved file is found by its time stamp, a put-back
/// request reverts to `submitting` and so to `uncertain`, never re-sent.
fn must_be_flushed(change: &Change) -> bool {
    matches!(change.to, State::Submitting | State::Uncertain) || change.job_id.is_some()
}

/// The parameters of [`RECORD`], owned.
struct Params {
    key: String,
    from: Vec<&'static str>,
    to: &'static str,
    job_id: Option<String>,
    urls: Option<String>,
    saved_path: Option<String>,
    error: Option<String>,
    not_before: Option<i64>,
    mode: i32,
    new_owner: Option<String>,
    new_until: i64,
    now: i64,
    owner: Option<String>,
    worker: String,
    detail: Option<String>,
}

impl Params {
    fn new(key: &str, worker: &str, change: &Change, now: i64) -> Self {
        let (mode, new_owner, new_until) = change.lease_params();
        Params {
            key: key.to_owned(),
            from: words(&change.from),
            to: change.to.as_str(),
            job_id: change.job_id.clone(),
            urls: change
                .output_urls
                .as_ref()
                .map(|urls| serde_json::to_string(urls).unwrap_or_else(|_| "[]".into())),
            saved_path: change.saved_path.clone(),
            error: change.error.clone(),
            not_before: change.not_before,
            mode,
            new_owner: new_owner.map(str::to_owned),
            new_until,
            now,
            owner: change.owner.clone(),
            worker: worker.to_owned(),
            detail: change.detail(),
        }
    }

    fn refs(&self) -> [&(dyn tokio_postgres::types::ToSql + Sync); 15] {
        [
            &self.key,
            &self.from,
            &self.to,
            &self.job_id,
            &self.urls,
            &self.saved_path,
            &self.error,
            &self.not_before,
            &self.mode,
            &self.new_owner,
            &self.new_until,
            &self.now,
            &self.owner,
            &self.worker,
            &self.detail,
        ]
    }
}

/// Applies missing migrations under an advisory lock, so workers starting
/// together apply each one once.
async fn migrate(client: &mut Client) -> Result<(), JournalError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(VERSIONS_TABLE).await?;
    let current: i64 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM seedance_schema", &[])
        .await?
        .try_get(0)?;
    let known = migrations::latest(POSTGRES);
    if current > known {
        return Err(JournalError::TooNew {
            found: current,
            known,
        });
    }
    for migration in POSTGRES.iter().filter(|m| m.version > current) {
        tx.batch_execute(migration.sql).await?;
        tx.execute(
            "INSERT INTO seedance_schema (version, name, applied_at) VALUES ($1, $2, $3)",
            &[&migration.version, &migration.name, &now_ms()],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn corrupt(key: &str, message: impl Into<String>) -> JournalError {
    JournalError::Corrupt {
        key: key.to_owned(),
        message: message.into(),
    }
}

fn entry(row: &Row) -> Result<Entry, JournalError> {
    let key: String = row.try_get(0)?;
    let state: String = row.try_get(10)?;
    let state = state.parse::<State>().map_err(|m| corrupt(&key, m))?;
    let urls: Option<String> = row.try_get(12)?;
    let output_urls = match urls {
        Some(text) => serde_json::from_str(&text).map_err(|e| corrupt(&key, e.to_string()))?,
        None => Vec::new(),
    };
    Ok(Entry {
        batch: row.try_get(1)?,
        line: row.try_get(2)?,
        vendor: row.try_get(3)?,
        model: row.try_get(4)?,
        path: row.try_get(5)?,
        body: row.try_get(6)?,
        body_hash: row.try_get(7)?,
        out_path: row.try_get(8)?,
        out_dir: row.try_get(9)?,
        state,
        job_id: row.try_get(11)?,
        output_urls,
        saved_path: row.try_get(13)?,
        error: row.try_get(14)?,
        not_before: row.try_get(15)?,
        lease_owner: row.try_get(16)?,
        lease_until: row.try_get(17)?,
        created_at: row.try_get(18)?,
        updated_at: row.try_get(19)?,
        key,
    })
}

fn entries(rows: &[Row]) -> Result<Vec<Entry>, JournalError> {
    rows.iter().map(entry).collect()
}

fn words(states: &[State]) -> Vec<&'static str> {
    states.iter().map(|s| s.as_str()).collect()
}

impl Journal for PostgresJournal {
    async fn enqueue(&self, new: &[NewEntry]) -> Result<Vec<Enqueued>, JournalError> {
        let now = now_ms();
        let col = |f: fn(&NewEntry) -> &str| new.iter().map(f).collect::<Vec<&str>>();
        let keys = col(|e| &e.key);
        let batches = col(|e| &e.batch);
        let lines: Vec<i64> = new.iter().map(|e| e.line).collect();
        let vendors = col(|e| &e.vendor);
        let models = col(|e| &e.model);
        let paths = col(|e| &e.path);
        let bodies = col(|e| &e.body);
        let hashes = col(|e| &e.body_hash);
        let outs: Vec<Option<&str>> = new.iter().map(|e| e.out_path.as_deref()).collect();
        let dirs: Vec<Option<&str>> = new.iter().map(|e| e.out_dir.as_deref()).collect();
        let inserted = self
            .client
            .query(
                "WITH ins AS (\
                   INSERT INTO jobs (key, batch, line, vendor, model, path, body, body_hash, \
                     out_path, out_dir, state, created_at, updated_at) \
                   SELECT k, b, l, v, m, p, y, h, o, d, 'pending', $1, $1 \
                   FROM UNNEST($2::text[], $3::text[], $4::int8[], $5::text[], $6::text[], \
                     $7::text[], $8::text[], $9::text[], $10::text[], $11::text[]) \
                     AS u(k, b, l, v, m, p, y, h, o, d) \
                   ON CONFLICT (key) DO NOTHING RETURNING key, line), \
                 ev AS (INSERT INTO events (key, at, worker, state, detail) \
                   SELECT key, $1, NULL, 'pending', 'line ' || line FROM ins) \
                 SELECT key FROM ins",
                &[
                    &now, &keys, &batches, &lines, &vendors, &models, &paths, &bodies, &hashes,
                    &outs, &dirs,
                ],
            )
            .await?;
        let inserted: std::collections::HashSet<String> = inserted
            .iter()
            .map(|row| row.try_get::<_, String>(0))
            .collect::<Result<_, _>>()?;
        // Open entries recorded by an earlier run join this batch.
        self.client
            .execute(
                &format!(
                    "UPDATE jobs j SET batch = u.b, line = u.l \
                     FROM UNNEST($1::text[], $2::text[], $3::int8[]) AS u(k, b, l) \
                     WHERE j.key = u.k AND j.batch <> u.b AND j.state IN ({})",
                    open_sql_list()
                ),
                &[&keys, &batches, &lines],
            )
            .await?;
        let rows = self
            .client
            .query("SELECT key, state FROM jobs WHERE key = ANY($1)", &[&keys])
            .await?;
        let mut states = std::collections::HashMap::with_capacity(rows.len());
        for row in &rows {
            let key: String = row.try_get(0)?;
            let state: String = row.try_get(1)?;
            let state = state.parse::<State>().map_err(|m| corrupt(&key, m))?;
            states.insert(key, state);
        }
        new.iter()
            .map(|e| {
                if inserted.contains(&e.key) {
                    return Ok(Enqueued::New);
                }
                match states.get(&e.key) {
                    Some(state) if state.is_final() => Ok(Enqueued::Finished(*state)),
                    Some(state) => Ok(Enqueued::Open(*state)),
                    None => Err(corrupt(&e.key, "entry vanished while enqueuing")),
                }
            })
            .collect()
    }

    async fn claim(&self, claim: &Claim) -> Result<Vec<Entry>, JournalError> {
        let limit = i64::try_from(claim.limit).unwrap_or(i64::MAX);
        let rows = self
            .client
            .query(
                &format!(
                    "UPDATE jobs SET lease_owner = $1, lease_until = $2 WHERE key IN (\
                       SELECT key FROM jobs WHERE batch = $3 AND state IN ({open}) \
                       AND lease_until < $4 AND not_before <= $4 AND vendor = ANY($5) \
                       ORDER BY line LIMIT $6 FOR UPDATE SKIP LOCKED) \
                     RETURNING {COLS}",
                    open = open_sql_list()
                ),
                &[
                    &claim.worker,
                    &claim.until,
                    &claim.batch,
                    &claim.now,
                    &claim.vendors,
                    &limit,
                ],
            )
            .await?;
        let mut claimed = entries(&rows)?;
        claimed.sort_by_key(|e| e.line);
        Ok(claimed)
    }

    async fn claim_key(
        &self,
        key: &str,
        worker: &str,
        now: i64,
        until: i64,
    ) -> Result<Option<Entry>, JournalError> {
        let row = self
            .client
            .query_opt(
                &format!(
                    "UPDATE jobs SET lease_owner = $2, lease_until = $3 WHERE key = $1 \
                     AND state IN ({open}) AND (lease_until < $4 OR lease_owner = $2) \
                     RETURNING {COLS}",
                    open = open_sql_list()
                ),
                &[&key, &worker, &until, &now],
            )
            .await?;
        row.as_ref().map(entry).transpose()
    }

    async fn renew(&self, worker: &str, until: i64) -> Result<u64, JournalError> {
        Ok(self
            .client
            .execute(
                // Rows a group commit holds right now are skipped (renewed
                // next time) rather than waited for: no lock cycle.
                "UPDATE jobs SET lease_until = $2 WHERE key IN (\
                   SELECT key FROM jobs WHERE lease_owner = $1 ORDER BY key FOR UPDATE SKIP LOCKED)",
                &[&worker, &until],
            )
            .await?)
    }

    async fn record(&self, key: &str, worker: &str, change: &Change) -> Result<bool, JournalError> {
        let (done, answer) = tokio::sync::oneshot::channel();
        let write = Write {
            key: key.to_owned(),
            worker: worker.to_owned(),
            change: change.clone(),
            done,
        };
        self.writer
            .send(write)
            .map_err(|_| JournalError::Task("the journal writer stopped".to_owned()))?;
        answer
            .await
            .map_err(|_| JournalError::Task("the journal writer stopped".to_owned()))?
    }

    async fn get(&self, key: &str) -> Result<Option<Entry>, JournalError> {
        let row = self
            .client
            .query_opt(&format!("SELECT {COLS} FROM jobs WHERE key = $1"), &[&key])
            .await?;
        row.as_ref().map(entry).transpose()
    }

    async fn list(&self, batch: Option<&str>) -> Result<Vec<Entry>, JournalError> {
        let rows = self
            .client
            .query(
                &format!(
                    "SELECT {COLS} FROM jobs WHERE $1::text IS NULL OR batch = $1 \
                     ORDER BY batch, line, key"
                ),
                &[&batch],
            )
            .await?;
        entries(&rows)
    }

    async fn events(&self, key: &str) -> Result<Vec<Event>, JournalError> {
        let rows = self
            .client
            .query(
                "SELECT key, at, worker, state, detail FROM events WHERE key = $1 ORDER BY id",
                &[&key],
            )
            .await?;
        rows.iter()
            .map(|row| {
                let state: String = row.try_get(3)?;
                Ok(Event {
                    key: row.try_get(0)?,
                    at: row.try_get(1)?,
                    worker: row.try_get(2)?,
                    state: state.parse::<State>().map_err(|m| corrupt(key, m))?,
                    detail: row.try_get(4)?,
                })
            })
            .collect()
    }

    async fn open_count(&self, batch: &str) -> Result<u64, JournalError> {
        let row = self
            .client
            .query_one(
                &format!(
                    "SELECT count(*) FROM jobs WHERE batch = $1 AND state IN ({})",
                    open_sql_list()
                ),
                &[&batch],
            )
            .await?;
        let n: i64 = row.try_get(0)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
