//! [`SqliteJournal`]: the embedded default, one file, no server.
//!
//! WAL mode: a write is durable against a killed process as soon as its
//! transaction commits (the log is in the operating system's cache); with
//! [`Durability::Power`] every commit is also flushed to the disk, which
//! costs an fsync per state change. Several processes may share one file
//! (writes take turns; `busy_timeout` waits for the lock). Calls run on
//! tokio's blocking pool, one connection per journal behind a mutex.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::clock::{SharedClock, now_ms};
use seedance_runtime::Usd;

use crate::entry::{
    Budget, Change, Claim, CostChange, Enqueued, Entry, Event, HELD_OVER_BUDGET, HELD_SQL,
    HELD_UNKNOWN_PRICE, HOLD_MS, NewEntry, micros_db, usd_db,
};
use crate::error::JournalError;
use crate::group_commit::{self, Backend, Write, Writer};
use crate::journal::Journal;
use crate::migrations::{self, SQLITE, VERSIONS_TABLE};
use crate::state::{State, open_sql_list, paid_open_sql_list};

/// How hard commits are flushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Survives a killed process (`synchronous=NORMAL` in WAL mode): the default.
    #[default]
    Process,
    /// Also survives power loss (`synchronous=FULL`): an fsync per commit.
    Power,
}

/// An SQLite journal file. Cheap to clone (one shared connection, one
/// writer thread).
#[derive(Debug, Clone)]
pub struct SqliteJournal {
    conn: Arc<Mutex<Connection>>,
    path: Arc<str>,
    writer: Writer,
    clock: SharedClock,
}

/// The columns of `jobs` in [`Entry`] order.
const COLS: &str = "key, batch, line, vendor, model, path, body, body_hash, out_path, out_dir, \
     state, job_id, output_urls, saved_path, error, not_before, lease_owner, lease_until, \
     created_at, updated_at, quote_micros, quote_note, budget, reserved_micros, reported_micros";

impl SqliteJournal {
    /// Opens (creating if missing) the journal at `path`, with the default
    /// [`Durability::Process`], and brings its schema up to date.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, JournalError> {
        Self::open_with(path, Durability::default()).await
    }

    /// [`open`](Self::open) with a durability level.
    pub async fn open_with(
        path: impl AsRef<Path>,
        durability: Durability,
    ) -> Result<Self, JournalError> {
        let path = path.as_ref().to_owned();
        let shown: Arc<str> = Arc::from(path.display().to_string());
        let name = shown.clone();
        let conn = tokio::task::spawn_blocking(move || -> Result<Connection, JournalError> {
            let err = |source| JournalError::Sqlite {
                path: name.to_string(),
                source,
            };
            let mut conn = Connection::open(&path).map_err(err)?;
            conn.busy_timeout(std::time::Duration::from_secs(30))
                .map_err(err)?;
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(err)?;
            let sync = match durability {
                Durability::Process => "NORMAL",
                Durability::Power => "FULL",
            };
            conn.pragma_update(None, "synchronous", sync).map_err(err)?;
            migrate(&mut conn).map_err(|e| match e {
                MigrateError::Sqlite(source) => err(source),
                MigrateError::TooNew(found) => JournalError::TooNew {
                    found,
                    known: migrations::latest(SQLITE),
                },
            })?;
            Ok(conn)
        })
        .await
        .map_err(|e| JournalError::Task(e.to_string()))??;
        let conn = Arc::new(Mutex::new(conn));
        let clock = SharedClock::default();
        let backend = GroupWriter {
            conn: conn.clone(),
            path: shown.clone(),
            clock: clock.clone(),
        };
        let writer = group_commit::spawn_thread("seedance-journal-writer", backend)?;
        Ok(SqliteJournal {
            conn,
            path: shown,
            writer,
            clock,
        })
    }

    /// Stamps rows and events, and times held-back entries, on `clock`
    /// (real time by default), in this journal and every clone of it.
    pub fn with_clock(self, clock: seedance_runtime::Clock) -> Self {
        self.clock.set(clock);
        self
    }

    /// The schema version of the open file.
    pub async fn schema_version(&self) -> Result<i64, JournalError> {
        self.run(|conn| {
            conn.query_row("SELECT max(version) FROM seedance_schema", [], |row| {
                row.get::<_, Option<i64>>(0)
            })
            .map(|v| v.unwrap_or(0))
        })
        .await
    }

    /// Runs `work` on the connection on the blocking pool.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, JournalError> {
        let conn = self.conn.clone();
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().unwrap_or_else(|p| p.into_inner());
            work(&mut conn)
        })
        .await
        .map_err(|e| JournalError::Task(e.to_string()))?
        .map_err(|source| match source {
            rusqlite::Error::FromSqlConversionFailure(_, _, inner) => JournalError::Corrupt {
                key: String::new(),
                message: inner.to_string(),
            },
            source => JournalError::Sqlite {
                path: path.to_string(),
                source,
            },
        })
    }
}

enum MigrateError {
    Sqlite(rusqlite::Error),
    TooNew(i64),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sqlite(e)
    }
}

/// Applies missing migrations, each in an immediate transaction (so two
/// processes opening a new file do not both apply one).
fn migrate(conn: &mut Connection) -> Result<(), MigrateError> {
    conn.execute_batch(VERSIONS_TABLE)?;
    let known = migrations::latest(SQLITE);
    for migration in SQLITE {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current: i64 = tx.query_row(
            "SELECT coalesce(max(version), 0) FROM seedance_schema",
            [],
            |r| r.get(0),
        )?;
        if current > known {
            return Err(MigrateError::TooNew(current));
        }
        if current < migration.version {
            tx.execute_batch(migration.sql)?;
            tx.execute(
                "INSERT INTO seedance_schema (version, name, applied_at) VALUES (?1, ?2, ?3)",
                params![migration.version, migration.name, now_ms()],
            )?;
        }
        tx.commit()?;
    }
    Ok(())
}

fn state_of(text: &str) -> rusqlite::Result<State> {
    text.parse::<State>().map_err(|message| {
        rusqlite::Error::FromSqlConversionFailure(10, rusqlite::types::Type::Text, message.into())
    })
}

fn entry(row: &Row<'_>) -> rusqlite::Result<Entry> {
    let urls: Option<String> = row.get(12)?;
    let output_urls = match urls {
        Some(text) => serde_json::from_str(&text).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(12, rusqlite::types::Type::Text, e.into())
        })?,
        None => Vec::new(),
    };
    Ok(Entry {
        key: row.get(0)?,
        batch: row.get(1)?,
        line: row.get(2)?,
        vendor: row.get(3)?,
        model: row.get(4)?,
        path: row.get(5)?,
        body: row.get(6)?,
        body_hash: row.get(7)?,
        out_path: row.get(8)?,
        out_dir: row.get(9)?,
        state: state_of(&row.get::<_, String>(10)?)?,
        job_id: row.get(11)?,
        output_urls,
        saved_path: row.get(13)?,
        error: row.get(14)?,
        not_before: row.get(15)?,
        lease_owner: row.get(16)?,
        lease_until: row.get(17)?,
        created_at: row.get(18)?,
        updated_at: row.get(19)?,
        quote: row.get::<_, Option<i64>>(20)?.map(usd_db),
        quote_note: row.get(21)?,
        budget: row.get(22)?,
        reserved: usd_db(row.get(23)?),
        reported: row.get::<_, Option<i64>>(24)?.map(usd_db),
    })
}

fn states_json(states: &[State]) -> String {
    serde_json::to_string(&states.iter().map(|s| s.as_str()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".to_owned())
}

impl Journal for SqliteJournal {
    async fn enqueue(&self, entries: &[NewEntry]) -> Result<Vec<Enqueued>, JournalError> {
        let entries = entries.to_vec();
        let clock = self.clock.get();
        self.run(move |conn| {
            let now = clock.unix_ms();
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let mut found = Vec::with_capacity(entries.len());
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO jobs (key, batch, line, vendor, model, path, body, body_hash, \
                     out_path, out_dir, state, created_at, updated_at, quote_micros, quote_note) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'pending', ?11, ?11, ?12, ?13) \
                     ON CONFLICT (key) DO NOTHING",
                )?;
                let mut event = tx.prepare_cached(
                    "INSERT INTO events (key, at, worker, state, detail) VALUES (?1, ?2, NULL, 'pending', ?3)",
                )?;
                let mut current =
                    tx.prepare_cached("SELECT state, batch FROM jobs WHERE key = ?1")?;
                let mut adopt =
                    tx.prepare_cached("UPDATE jobs SET batch = ?2, line = ?3 WHERE key = ?1")?;
                // A pending entry recorded without a price takes this run's.
                let mut priced = tx.prepare_cached(
                    "UPDATE jobs SET quote_micros = ?2, quote_note = ?3 WHERE key = ?1 \
                     AND state = 'pending' AND quote_micros IS NULL AND ?2 IS NOT NULL",
                )?;
                for e in &entries {
                    let inserted = insert.execute(params![
                        e.key, e.batch, e.line, e.vendor, e.model, e.path, e.body, e.body_hash,
                        e.out_path, e.out_dir, now, e.quote.map(micros_db), e.quote_note
                    ])?;
                    if inserted == 1 {
                        event.execute(params![e.key, now, format!("line {}", e.line)])?;
                        found.push(Enqueued::New);
                        continue;
                    }
                    let (state, batch): (String, String) =
                        current.query_row([&e.key], |r| Ok((r.get(0)?, r.get(1)?)))?;
                    let state = state_of(&state)?;
                    if state.is_final() {
                        found.push(Enqueued::Finished(state));
                    } else {
                        if batch != e.batch {
                            adopt.execute(params![e.key, e.batch, e.line])?;
                        }
                        priced.execute(params![e.key, e.quote.map(micros_db), e.quote_note])?;
                        found.push(Enqueued::Open(state));
                    }
                }
            }
            tx.commit()?;
            Ok(found)
        })
        .await
    }

    async fn claim(&self, claim: &Claim) -> Result<Vec<Entry>, JournalError> {
        let claim = claim.clone();
        self.run(move |conn| {
            let vendors = serde_json::to_string(&claim.vendors).unwrap_or_else(|_| "[]".into());
            let sql = format!(
                "UPDATE jobs SET lease_owner = ?1, lease_until = ?2 WHERE key IN (\
                   SELECT key FROM jobs WHERE batch = ?3 AND state IN ({open}) \
                   AND lease_until < ?4 AND not_before <= ?4 \
                   AND vendor IN (SELECT value FROM json_each(?5)) \
                   ORDER BY line LIMIT ?6) RETURNING {COLS}",
                open = open_sql_list()
            );
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let mut claimed = {
                let mut stmt = tx.prepare_cached(&sql)?;
                let limit = i64::try_from(claim.limit).unwrap_or(i64::MAX);
                stmt.query_map(
                    params![
                        claim.worker,
                        claim.until,
                        claim.batch,
                        claim.now,
                        vendors,
                        limit
                    ],
                    entry,
                )?
                .collect::<rusqlite::Result<Vec<Entry>>>()?
            };
            tx.commit()?;
            claimed.sort_by_key(|e| e.line);
            Ok(claimed)
        })
        .await
    }

    async fn claim_key(
        &self,
        key: &str,
        worker: &str,
        now: i64,
        until: i64,
    ) -> Result<Option<Entry>, JournalError> {
        let (key, worker) = (key.to_owned(), worker.to_owned());
        self.run(move |conn| {
            let sql = format!(
                "UPDATE jobs SET lease_owner = ?2, lease_until = ?3 WHERE key = ?1 \
                 AND state IN ({open}) AND (lease_until < ?4 OR lease_owner = ?2) \
                 RETURNING {COLS}",
                open = open_sql_list()
            );
            conn.prepare_cached(&sql)?
                .query_row(params![key, worker, until, now], entry)
                .optional()
        })
        .await
    }

    async fn renew(&self, worker: &str, until: i64) -> Result<u64, JournalError> {
        let worker = worker.to_owned();
        self.run(move |conn| {
            conn.prepare_cached("UPDATE jobs SET lease_until = ?2 WHERE lease_owner = ?1")?
                .execute(params![worker, until])
                .map(|n| n as u64)
        })
        .await
    }

    async fn record(&self, key: &str, worker: &str, change: &Change) -> Result<bool, JournalError> {
        self.writer.record(key, worker, change).await
    }

    async fn get(&self, key: &str) -> Result<Option<Entry>, JournalError> {
        let key = key.to_owned();
        self.run(move |conn| {
            conn.prepare_cached(&format!("SELECT {COLS} FROM jobs WHERE key = ?1"))?
                .query_row([key], entry)
                .optional()
        })
        .await
    }

    async fn list(&self, batch: Option<&str>) -> Result<Vec<Entry>, JournalError> {
        let batch = batch.map(str::to_owned);
        self.run(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLS} FROM jobs WHERE ?1 IS NULL OR batch = ?1 ORDER BY batch, line, key"
            ))?;
            stmt.query_map([batch], entry)?.collect()
        })
        .await
    }

    async fn events(&self, key: &str) -> Result<Vec<Event>, JournalError> {
        let key = key.to_owned();
        self.run(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT key, at, worker, state, detail FROM events WHERE key = ?1 ORDER BY id",
            )?;
            stmt.query_map([key], |row| {
                Ok(Event {
                    key: row.get(0)?,
                    at: row.get(1)?,
                    worker: row.get(2)?,
                    state: state_of(&row.get::<_, String>(3)?)?,
                    detail: row.get(4)?,
                })
            })?
            .collect()
        })
        .await
    }

    async fn adopt_replaced(
        &self,
        batch: &str,
        source: &str,
        keys: &[String],
    ) -> Result<Vec<Entry>, JournalError> {
        let (batch, source) = (batch.to_owned(), source.to_owned());
        let keys = serde_json::to_string(keys)?;
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            tx.prepare_cached(
                "UPDATE jobs SET source = ?1 WHERE key IN (SELECT value FROM json_each(?2))",
            )?
            .execute(params![source, keys])?;
            let adopted = tx
                .prepare_cached(&format!(
                    "UPDATE jobs SET batch = ?1, \
                     out_path = CASE state WHEN 'downloading' THEN out_path END, \
                     saved_path = CASE state WHEN 'downloading' THEN saved_path END \
                     WHERE source = ?2 AND source <> '' AND batch <> ?1 \
                       AND state IN ({}) \
                       AND key NOT IN (SELECT value FROM json_each(?3)) \
                     RETURNING {COLS}",
                    paid_open_sql_list()
                ))?
                .query_map(params![batch, source, keys], entry)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            tx.commit()?;
            Ok(adopted)
        })
        .await
    }

    async fn keys_from(&self, source: &str) -> Result<HashSet<String>, JournalError> {
        let source = source.to_owned();
        self.run(move |conn| {
            conn.prepare_cached("SELECT key FROM jobs WHERE source = ?1 AND source <> ''")?
                .query_map([source], |r| r.get::<_, String>(0))?
                .collect()
        })
        .await
    }

    async fn open_count(&self, batch: &str) -> Result<u64, JournalError> {
        let batch = batch.to_owned();
        let clock = self.clock.get();
        self.run(move |conn| {
            conn.prepare_cached(&format!(
                "SELECT count(*) FROM jobs WHERE batch = ?1 AND state IN ({}) \
                 AND NOT ({HELD_SQL} AND not_before > ?2)",
                open_sql_list()
            ))?
            .query_row(params![batch, clock.unix_ms()], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
        })
        .await
    }

    async fn set_budget(&self, name: &str, limit: Usd) -> Result<Option<Usd>, JournalError> {
        let name = name.to_owned();
        let clock = self.clock.get();
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let before: Option<i64> = tx
                .query_row(
                    "SELECT limit_micros FROM budgets WHERE name = ?1",
                    [&name],
                    |r| r.get(0),
                )
                .optional()?;
            tx.execute(
                "INSERT INTO budgets (name, limit_micros, reserved_micros, updated_at) \
                 VALUES (?1, ?2, 0, ?3) \
                 ON CONFLICT (name) DO UPDATE SET limit_micros = ?2, updated_at = ?3",
                params![name, micros_db(limit), clock.unix_ms()],
            )?;
            wake_held(&tx, &name)?;
            tx.commit()?;
            Ok(before.map(usd_db))
        })
        .await
    }

    async fn budget(&self, name: &str) -> Result<Option<Budget>, JournalError> {
        let name = name.to_owned();
        self.run(move |conn| {
            conn.query_row(
                "SELECT name, limit_micros, reserved_micros FROM budgets WHERE name = ?1",
                [&name],
                |r| {
                    Ok(Budget {
                        name: r.get(0)?,
                        limit: usd_db(r.get(1)?),
                        reserved: usd_db(r.get(2)?),
                    })
                },
            )
            .optional()
        })
        .await
    }
}

/// SQLite's side of the group commit (`group_commit`), on the writer
/// thread: a group in one transaction on the shared connection; a group
/// that fails is not tried again, each of its callers is told.
struct GroupWriter {
    conn: Arc<Mutex<Connection>>,
    path: Arc<str>,
    clock: SharedClock,
}

impl Backend for GroupWriter {
    type Tries = ();
    type Error = rusqlite::Error;

    async fn apply(&mut self, group: &[Write], _: &mut ()) -> rusqlite::Result<Vec<bool>> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        apply_group(&mut conn, group, self.clock.now_ms())
    }

    async fn recover(&mut self, err: rusqlite::Error, _: &mut ()) -> Result<(), JournalError> {
        Err(JournalError::Write {
            target: self.path.to_string(),
            message: err.to_string(),
        })
    }
}

/// Applies every change of a group in one transaction, at `now`; says
/// which applied.
/// The transaction takes the write lock at once (`IMMEDIATE`): a budget
/// read and its update are never split by another process's commit.
fn apply_group(conn: &mut Connection, group: &[Write], now: i64) -> rusqlite::Result<Vec<bool>> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut applied = Vec::with_capacity(group.len());
    for write in group {
        applied.push(apply_one(&tx, write, now)?);
    }
    tx.commit()?;
    Ok(applied)
}

/// One guarded change with its reservation, inside the group's transaction.
fn apply_one(tx: &rusqlite::Transaction<'_>, write: &Write, now: i64) -> rusqlite::Result<bool> {
    let Write { key, change, .. } = write;
    let guard = (
        key.as_str(),
        states_json(&change.from),
        change.owner.as_deref(),
    );
    let reserved = match change.cost {
        CostChange::Reserve => match reserve(tx, guard.clone(), now)? {
            Reserve::Guarded => return Ok(false),
            Reserve::Held(message) => {
                hold(tx, write, message, now)?;
                return Ok(false);
            }
            Reserve::Go(reserved) => Some(reserved),
        },
        _ => None,
    };
    // What the entry holds now, read under the guard before it changes.
    let held: Option<(Option<String>, i64)> = match change.cost {
        CostChange::Release | CostChange::Settle(_) => tx
            .prepare_cached(
                "SELECT budget, reserved_micros FROM jobs WHERE key = ?1 \
                 AND state IN (SELECT value FROM json_each(?2)) \
                 AND (?3 IS NULL OR lease_owner = ?3)",
            )?
            .query_row(params![guard.0, guard.1, guard.2], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?,
        _ => None,
    };
    if !update(tx, write, now)? {
        return Ok(false);
    }
    if let Some((budget, micros)) = reserved {
        // A held-back entry that now goes on loses its held-back error.
        tx.prepare_cached(
            "UPDATE jobs SET budget = ?2, reserved_micros = ?3, \
             error = CASE WHEN error LIKE 'held back by the budget%' THEN NULL ELSE error END \
             WHERE key = ?1",
        )?
        .execute(params![key, budget, micros])?;
    }
    if let Some((budget, old)) = held {
        settle(tx, key, change.cost, budget.as_deref(), old)?;
    }
    Ok(true)
}

/// What a reservation found.
enum Reserve {
    /// The guard does not hold: nothing to do.
    Guarded,
    /// Held back, with this error.
    Held(&'static str),
    /// Reserved (budget, amount), or no budget applies (`None`, 0).
    Go((Option<String>, i64)),
}

/// Reserves the guarded entry's quote in its batch's budget, if it has one.
fn reserve(
    tx: &rusqlite::Transaction<'_>,
    (key, from, owner): (&str, String, Option<&str>),
    now: i64,
) -> rusqlite::Result<Reserve> {
    let found: Option<(String, Option<i64>)> = tx
        .prepare_cached(
            "SELECT batch, quote_micros FROM jobs WHERE key = ?1 \
             AND state IN (SELECT value FROM json_each(?2)) AND (?3 IS NULL OR lease_owner = ?3)",
        )?
        .query_row(params![key, from, owner], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((batch, quote)) = found else {
        return Ok(Reserve::Guarded);
    };
    let budget: Option<(i64, i64)> = tx
        .prepare_cached("SELECT limit_micros, reserved_micros FROM budgets WHERE name = ?1")?
        .query_row([&batch], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((limit, reserved)) = budget else {
        return Ok(Reserve::Go((None, 0)));
    };
    let Some(quote) = quote else {
        return Ok(Reserve::Held(HELD_UNKNOWN_PRICE));
    };
    if reserved.saturating_add(quote) > limit {
        return Ok(Reserve::Held(HELD_OVER_BUDGET));
    }
    tx.prepare_cached(
        "UPDATE budgets SET reserved_micros = reserved_micros + ?2, updated_at = ?3 \
         WHERE name = ?1",
    )?
    .execute(params![batch, quote, now])?;
    Ok(Reserve::Go((Some(batch), quote)))
}

/// Leaves a held-back entry `pending`, lease given up, with the reason,
/// not taken again for [`HOLD_MS`].
fn hold(
    tx: &rusqlite::Transaction<'_>,
    write: &Write,
    message: &str,
    now: i64,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE jobs SET error = ?2, not_before = ?3, lease_owner = NULL, lease_until = 0, \
         updated_at = ?4 WHERE key = ?1",
    )?
    .execute(params![write.key, message, now + HOLD_MS, now])?;
    tx.prepare_cached(
        "INSERT INTO events (key, at, worker, state, detail) VALUES (?1, ?2, ?3, 'pending', ?4)",
    )?
    .execute(params![write.key, now, write.worker, message])?;
    Ok(())
}

/// Releases or settles the reservation `old` the entry held in `budget`.
fn settle(
    tx: &rusqlite::Transaction<'_>,
    key: &str,
    cost: CostChange,
    budget: Option<&str>,
    old: i64,
) -> rusqlite::Result<()> {
    let reported = match cost {
        CostChange::Settle(usd) => Some(micros_db(usd)),
        _ => None,
    };
    let new = match (budget, reported) {
        (Some(_), Some(reported)) => reported,
        _ => 0,
    };
    tx.prepare_cached(
        "UPDATE budgets SET reserved_micros = reserved_micros - ?2 + ?3 WHERE name = ?1",
    )?
    .execute(params![budget, old, new])?;
    tx.prepare_cached(
        "UPDATE jobs SET reserved_micros = ?2, reported_micros = coalesce(?3, reported_micros) \
         WHERE key = ?1",
    )?
    .execute(params![key, new, reported])?;
    if let Some(budget) = budget {
        wake_held(tx, budget)?;
    }
    Ok(())
}

/// Lets the held-back entries of the batch `budget` be tried again now.
fn wake_held(tx: &rusqlite::Transaction<'_>, budget: &str) -> rusqlite::Result<usize> {
    tx.prepare_cached(&format!(
        "UPDATE jobs SET not_before = 0 WHERE batch = ?1 AND {HELD_SQL} AND not_before > 0"
    ))?
    .execute([budget])
}

/// The guarded state change and its event; true when it applied.
fn update(tx: &rusqlite::Transaction<'_>, write: &Write, now: i64) -> rusqlite::Result<bool> {
    let Write {
        key,
        worker,
        change,
        ..
    } = write;
    let (mode, new_owner, new_until) = change.lease_params();
    let urls = change
        .output_urls
        .as_ref()
        .map(|urls| serde_json::to_string(urls).unwrap_or_else(|_| "[]".into()));
    let changed = tx
        .prepare_cached(
            "UPDATE jobs SET state = ?3, job_id = coalesce(?4, job_id), \
             output_urls = coalesce(?5, output_urls), saved_path = coalesce(?6, saved_path), \
             error = coalesce(?7, error), not_before = coalesce(?8, not_before), \
             lease_owner = CASE ?9 WHEN 0 THEN lease_owner WHEN 1 THEN NULL ELSE ?10 END, \
             lease_until = CASE ?9 WHEN 0 THEN lease_until WHEN 1 THEN 0 ELSE ?11 END, \
             updated_at = ?12 \
             WHERE key = ?1 AND state IN (SELECT value FROM json_each(?2)) \
             AND (?13 IS NULL OR lease_owner = ?13)",
        )?
        .execute(params![
            key,
            states_json(&change.from),
            change.to.as_str(),
            change.job_id,
            urls,
            change.saved_path,
            change.error,
            change.not_before,
            mode,
            new_owner,
            new_until,
            now,
            change.owner,
        ])?;
    if changed == 1 {
        tx.prepare_cached(
            "INSERT INTO events (key, at, worker, state, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            key,
            now,
            worker,
            change.to.as_str(),
            change.detail()
        ])?;
    }
    Ok(changed == 1)
}
