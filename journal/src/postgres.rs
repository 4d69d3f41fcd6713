//! [`PostgresJournal`]: one journal for many workers on one or many
//! machines. Open entries are leased with `FOR UPDATE SKIP LOCKED`, so two
//! workers never take the same one.
//!
//! Two connections: state changes go through a writer task that commits
//! every change queued meanwhile in one transaction (`group_commit`: one
//! WAL flush for many changes, each caller answered after its commit); leases,
//! enqueues and reads use the other, with `synchronous_commit = off`,
//! because losing one of those to a server crash is harmless: a lease not
//! recorded only lets another worker take the entry, whose guarded writes
//! then refuse this one's, and a lost enqueue is redone by the next run.
//!
//! Both connections outlive a server restart: a lost one is opened again
//! with a bounded backoff (`link`), calls made meanwhile wait for it, and
//! what was in flight is run again where that is safe (`link::Reads` for
//! reads and leases, `writer` for the group commit and a lost COMMIT
//! answer). Only after the patience does a call fail.

mod link;
mod writer;

use std::sync::Arc;
use std::time::Duration;

use tokio_postgres::{Client, Row};

use crate::clock::{SharedClock, now_ms};
use seedance_runtime::Usd;

use crate::entry::{
    Budget, Change, Claim, Enqueued, Entry, Event, HELD_SQL, NewEntry, micros_db, usd_db,
};
use crate::error::JournalError;
use crate::group_commit::Writer;
use crate::journal::Journal;
use crate::migrations::{self, POSTGRES, VERSIONS_TABLE};
use crate::state::{State, open_sql_list, paid_open_sql_list};
use link::Reads;

/// A PostgreSQL journal. Cheap to clone (shared, pipelined connections).
///
/// Survives a server restart: a lost connection is opened again (see
/// [`PostgresJournal::RECONNECT_PATIENCE`]), and calls made meanwhile wait
/// for it instead of failing.
#[derive(Clone)]
pub struct PostgresJournal {
    reads: Arc<Reads>,
    writer: Writer,
    clock: SharedClock,
}

impl std::fmt::Debug for PostgresJournal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: never shown.
        f.debug_struct("PostgresJournal").finish_non_exhaustive()
    }
}

/// Session settings of the reads-and-leases connection (see the module docs).
const READS_SETUP: &str = "SET synchronous_commit TO off";

/// Key of the advisory lock that serialises migrations across workers.
const MIGRATION_LOCK: i64 = 0x5eed_a9ce;

const COLS: &str = "key, batch, line, vendor, model, path, body, body_hash, out_path, out_dir, \
     state, job_id, output_urls, saved_path, error, not_before, lease_owner, lease_until, \
     created_at, updated_at, quote_micros, quote_note, budget, reserved_micros, reported_micros";

impl PostgresJournal {
    /// How long a call waits, by default, for a lost connection to come
    /// back (a server restart) before it fails with
    /// [`JournalError::Unreachable`].
    pub const RECONNECT_PATIENCE: Duration = link::PATIENCE;

    /// Connects to `url` (`postgres://user@host:port/db`, no TLS) and brings
    /// the schema up to date. A server that cannot be reached now is an
    /// error at once; one lost later is waited for (up to
    /// [`RECONNECT_PATIENCE`](Self::RECONNECT_PATIENCE)).
    pub async fn connect(url: &str) -> Result<Self, JournalError> {
        Self::connect_with_patience(url, Self::RECONNECT_PATIENCE).await
    }

    /// [`connect`](Self::connect), waiting up to `patience` for a lost
    /// connection to come back before a call fails.
    pub async fn connect_with_patience(
        url: &str,
        patience: Duration,
    ) -> Result<Self, JournalError> {
        let mut client = link::open(url, "").await?;
        migrate(&mut client).await?;
        client.batch_execute(READS_SETUP).await?;
        let writer_client = link::open(url, "").await?;
        let clock = SharedClock::default();
        Ok(PostgresJournal {
            reads: Arc::new(Reads::new(url, READS_SETUP, client, patience)),
            writer: writer::spawn(url, writer_client, patience, clock.clone()),
            clock,
        })
    }

    /// Stamps rows and events, and times held-back entries, on `clock`
    /// (real time by default), in this journal and every clone of it.
    pub fn with_clock(self, clock: seedance_runtime::Clock) -> Self {
        self.clock.set(clock);
        self
    }

    /// The schema version of the database.
    pub async fn schema_version(&self) -> Result<i64, JournalError> {
        let row = self
            .reads
            .query_one("SELECT coalesce(max(version), 0) FROM seedance_schema", &[])
            .await?;
        Ok(row.try_get(0)?)
    }
}

impl PostgresJournal {
    /// A pending entry recorded without a price takes this run's quote.
    async fn price_pending(
        &self,
        keys: &[&str],
        quotes: &[Option<i64>],
        notes: &[Option<&str>],
    ) -> Result<u64, JournalError> {
        self.reads
            .execute(
                "UPDATE jobs j SET quote_micros = u.q, quote_note = u.n \
                 FROM UNNEST($1::text[], $2::int8[], $3::text[]) AS u(k, q, n) \
                 WHERE j.key = u.k AND j.state = 'pending' AND j.quote_micros IS NULL \
                   AND u.q IS NOT NULL",
                &[&keys, &quotes, &notes],
            )
            .await
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
        quote: row.try_get::<_, Option<i64>>(20)?.map(usd_db),
        quote_note: row.try_get(21)?,
        budget: row.try_get(22)?,
        reserved: usd_db(row.try_get(23)?),
        reported: row.try_get::<_, Option<i64>>(24)?.map(usd_db),
        key,
    })
}

fn entries(rows: &[Row]) -> Result<Vec<Entry>, JournalError> {
    rows.iter().map(entry).collect()
}

/// The claim statement. `again`: an earlier run of this claim may have
/// leased rows and lost its answer; rows leased to this worker with exactly
/// this claim's expiry are taken back too, so they are not left leased to a
/// worker that never heard of them. (Should this worker's lease renewal run
/// between the two, those rows carry the renewed expiry instead and stay
/// leased to it until it stops renewing: late, never lost nor sent twice.)
fn claim_sql(again: bool) -> String {
    let free = if again {
        "(lease_until < $4 OR (lease_owner = $1 AND lease_until = $2))"
    } else {
        "lease_until < $4"
    };
    format!(
        "UPDATE jobs SET lease_owner = $1, lease_until = $2 WHERE key IN (\
           SELECT key FROM jobs WHERE batch = $3 AND state IN ({open}) \
           AND {free} AND not_before <= $4 AND vendor = ANY($5) \
           ORDER BY line LIMIT $6 FOR UPDATE SKIP LOCKED) \
         RETURNING {COLS}",
        open = open_sql_list()
    )
}

impl Journal for PostgresJournal {
    async fn enqueue(&self, new: &[NewEntry]) -> Result<Vec<Enqueued>, JournalError> {
        let now = self.clock.now_ms();
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
        let quotes: Vec<Option<i64>> = new.iter().map(|e| e.quote.map(micros_db)).collect();
        let notes: Vec<Option<&str>> = new.iter().map(|e| e.quote_note.as_deref()).collect();
        let inserted = self
            .reads
            .query(
                "WITH ins AS (\
                   INSERT INTO jobs (key, batch, line, vendor, model, path, body, body_hash, \
                     out_path, out_dir, state, created_at, updated_at, quote_micros, quote_note) \
                   SELECT k, b, l, v, m, p, y, h, o, d, 'pending', $1, $1, q, n \
                   FROM UNNEST($2::text[], $3::text[], $4::int8[], $5::text[], $6::text[], \
                     $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], \
                     $12::int8[], $13::text[]) \
                     AS u(k, b, l, v, m, p, y, h, o, d, q, n) \
                   ON CONFLICT (key) DO NOTHING RETURNING key, line), \
                 ev AS (INSERT INTO events (key, at, worker, state, detail) \
                   SELECT key, $1, NULL, 'pending', 'line ' || line FROM ins) \
                 SELECT key FROM ins",
                &[
                    &now, &keys, &batches, &lines, &vendors, &models, &paths, &bodies, &hashes,
                    &outs, &dirs, &quotes, &notes,
                ],
            )
            .await?;
        let inserted: std::collections::HashSet<String> = inserted
            .iter()
            .map(|row| row.try_get::<_, String>(0))
            .collect::<Result<_, _>>()?;
        // Open entries recorded by an earlier run join this batch.
        self.reads
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
        self.price_pending(&keys, &quotes, &notes).await?;
        let rows = self
            .reads
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
            .reads
            .run(|client, again| async move {
                let params: [&(dyn tokio_postgres::types::ToSql + Sync); 6] = [
                    &claim.worker,
                    &claim.until,
                    &claim.batch,
                    &claim.now,
                    &claim.vendors,
                    &limit,
                ];
                Ok(client.query(&claim_sql(again), &params).await?)
            })
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
            .reads
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
        self.reads
            .execute(
                // Rows a group commit holds right now are skipped (renewed
                // next time) rather than waited for: no lock cycle.
                "UPDATE jobs SET lease_until = $2 WHERE key IN (\
                   SELECT key FROM jobs WHERE lease_owner = $1 ORDER BY key FOR UPDATE SKIP LOCKED)",
                &[&worker, &until],
            )
            .await
    }

    async fn record(&self, key: &str, worker: &str, change: &Change) -> Result<bool, JournalError> {
        self.writer.record(key, worker, change).await
    }

    async fn get(&self, key: &str) -> Result<Option<Entry>, JournalError> {
        let row = self
            .reads
            .query_opt(&format!("SELECT {COLS} FROM jobs WHERE key = $1"), &[&key])
            .await?;
        row.as_ref().map(entry).transpose()
    }

    async fn list(&self, batch: Option<&str>) -> Result<Vec<Entry>, JournalError> {
        let rows = self
            .reads
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
            .reads
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

    async fn adopt_replaced(
        &self,
        batch: &str,
        source: &str,
        keys: &[String],
    ) -> Result<Vec<Entry>, JournalError> {
        // One statement, so one transaction. Every row it changes is locked
        // first, in key order, as group commits lock theirs: two workers
        // never hold each other's rows. The UPDATEs see the rows as they
        // were, which is all they need (the main one skips `keys`).
        let rows = self
            .reads
            .query(
                &format!(
                    "WITH locked AS (SELECT key FROM jobs \
                       WHERE (key = ANY($3) AND source IS DISTINCT FROM $2) \
                          OR (source = $2 AND source <> '' AND batch <> $1 \
                              AND state IN ({open}) AND NOT (key = ANY($3))) \
                       ORDER BY key FOR UPDATE), \
                     marked AS (UPDATE jobs SET source = $2 \
                       WHERE key IN (SELECT key FROM locked) AND key = ANY($3)) \
                     UPDATE jobs SET batch = $1, \
                     out_path = CASE state WHEN 'downloading' THEN out_path END, \
                     saved_path = CASE state WHEN 'downloading' THEN saved_path END \
                     WHERE key IN (SELECT key FROM locked) AND source = $2 AND source <> '' \
                       AND batch <> $1 AND state IN ({open}) AND NOT (key = ANY($3)) \
                     RETURNING {COLS}",
                    open = paid_open_sql_list()
                ),
                &[&batch, &source, &keys],
            )
            .await?;
        let mut adopted = entries(&rows)?;
        adopted.sort_by_key(|e| e.line);
        Ok(adopted)
    }

    async fn keys_from(
        &self,
        source: &str,
    ) -> Result<std::collections::HashSet<String>, JournalError> {
        let rows = self
            .reads
            .query(
                "SELECT key FROM jobs WHERE source = $1 AND source <> ''",
                &[&source],
            )
            .await?;
        rows.iter()
            .map(|row| row.try_get::<_, String>(0).map_err(JournalError::from))
            .collect()
    }

    async fn open_count(&self, batch: &str) -> Result<u64, JournalError> {
        let row = self
            .reads
            .query_one(
                &format!(
                    "SELECT count(*) FROM jobs WHERE batch = $1 AND state IN ({}) \
                     AND NOT ({HELD_SQL} AND not_before > $2)",
                    open_sql_list()
                ),
                &[&batch, &self.clock.now_ms()],
            )
            .await?;
        let n: i64 = row.try_get(0)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn set_budget(&self, name: &str, limit: Usd) -> Result<Option<Usd>, JournalError> {
        // One statement: the old limit is read from the row it replaces.
        let row = self
            .reads
            .query_one(
                "WITH old AS (SELECT limit_micros FROM budgets WHERE name = $1), \
                 up AS (INSERT INTO budgets (name, limit_micros, reserved_micros, updated_at) \
                   VALUES ($1, $2, 0, $3) \
                   ON CONFLICT (name) DO UPDATE SET limit_micros = $2, updated_at = $3), \
                 wake AS (UPDATE jobs SET not_before = 0 WHERE batch = $1 \
                   AND state = 'pending' AND error LIKE 'held back by the budget%' \
                   AND not_before > 0) \
                 SELECT (SELECT limit_micros FROM old)",
                &[&name, &micros_db(limit), &self.clock.now_ms()],
            )
            .await?;
        Ok(row.try_get::<_, Option<i64>>(0)?.map(usd_db))
    }

    async fn budget(&self, name: &str) -> Result<Option<Budget>, JournalError> {
        let row = self
            .reads
            .query_opt(
                "SELECT name, limit_micros, reserved_micros FROM budgets WHERE name = $1",
                &[&name],
            )
            .await?;
        row.map(|row| {
            Ok(Budget {
                name: row.try_get(0)?,
                limit: usd_db(row.try_get(1)?),
                reserved: usd_db(row.try_get(2)?),
            })
        })
        .transpose()
    }
}
