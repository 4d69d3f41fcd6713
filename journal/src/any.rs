//! [`AnyJournal`]: the backend chosen at run time from a path or a
//! `postgres://` URL. It sits above the backends (which know only the
//! [`Journal`] trait), so imports point one way.

use std::collections::HashSet;

use seedance_runtime::Usd;

use crate::entry::{Budget, Change, Claim, Enqueued, Entry, Event, NewEntry};
use crate::error::JournalError;
use crate::journal::Journal;
use crate::memory::MemoryJournal;
use crate::postgres::PostgresJournal;
use crate::sqlite::SqliteJournal;

/// A journal chosen at run time.
#[derive(Debug, Clone)]
pub enum AnyJournal {
    /// An SQLite file.
    Sqlite(SqliteJournal),
    /// A PostgreSQL database.
    Postgres(PostgresJournal),
    /// Memory only: survives nothing (the benchmark's baseline).
    Memory(MemoryJournal),
}

impl AnyJournal {
    /// `postgres://...` or `postgresql://...` opens PostgreSQL, `:memory:`
    /// keeps nothing (a baseline); anything else is an SQLite file path
    /// (created if missing).
    pub async fn open(target: &str) -> Result<AnyJournal, JournalError> {
        if target == MEMORY {
            Ok(AnyJournal::Memory(MemoryJournal::new()))
        } else if is_postgres_url(target) {
            Ok(AnyJournal::Postgres(
                PostgresJournal::connect(target).await?,
            ))
        } else {
            Ok(AnyJournal::Sqlite(SqliteJournal::open(target).await?))
        }
    }

    /// Stamps rows and events, and times held-back entries, on `clock`
    /// (real time by default), in this journal and every clone of it.
    pub fn with_clock(self, clock: seedance_runtime::Clock) -> Self {
        match self {
            AnyJournal::Sqlite(j) => AnyJournal::Sqlite(j.with_clock(clock)),
            AnyJournal::Postgres(j) => AnyJournal::Postgres(j.with_clock(clock)),
            AnyJournal::Memory(j) => AnyJournal::Memory(j.with_clock(clock)),
        }
    }

    /// "sqlite" or "postgres".
    pub fn backend(&self) -> &'static str {
        match self {
            AnyJournal::Sqlite(_) => "sqlite",
            AnyJournal::Postgres(_) => "postgres",
            AnyJournal::Memory(_) => "memory",
        }
    }
}

/// The `--journal` value of the in-memory baseline.
pub const MEMORY: &str = ":memory:";

/// True for a PostgreSQL connection URL.
pub fn is_postgres_url(target: &str) -> bool {
    target.starts_with("postgres://") || target.starts_with("postgresql://")
}

macro_rules! delegate {
    ($self:ident, $j:ident => $call:expr) => {
        match $self {
            AnyJournal::Sqlite($j) => $call.await,
            AnyJournal::Postgres($j) => $call.await,
            AnyJournal::Memory($j) => $call.await,
        }
    };
}

impl Journal for AnyJournal {
    async fn enqueue(&self, entries: &[NewEntry]) -> Result<Vec<Enqueued>, JournalError> {
        delegate!(self, j => j.enqueue(entries))
    }
    async fn claim(&self, claim: &Claim) -> Result<Vec<Entry>, JournalError> {
        delegate!(self, j => j.claim(claim))
    }
    async fn claim_key(
        &self,
        key: &str,
        worker: &str,
        now: i64,
        until: i64,
    ) -> Result<Option<Entry>, JournalError> {
        delegate!(self, j => j.claim_key(key, worker, now, until))
    }
    async fn renew(&self, worker: &str, until: i64) -> Result<u64, JournalError> {
        delegate!(self, j => j.renew(worker, until))
    }
    async fn record(&self, key: &str, worker: &str, change: &Change) -> Result<bool, JournalError> {
        delegate!(self, j => j.record(key, worker, change))
    }
    async fn get(&self, key: &str) -> Result<Option<Entry>, JournalError> {
        delegate!(self, j => j.get(key))
    }
    async fn list(&self, batch: Option<&str>) -> Result<Vec<Entry>, JournalError> {
        delegate!(self, j => j.list(batch))
    }
    async fn events(&self, key: &str) -> Result<Vec<Event>, JournalError> {
        delegate!(self, j => j.events(key))
    }
    async fn adopt_replaced(
        &self,
        batch: &str,
        source: &str,
        keys: &[String],
    ) -> Result<Vec<Entry>, JournalError> {
        delegate!(self, j => j.adopt_replaced(batch, source, keys))
    }
    async fn keys_from(&self, source: &str) -> Result<HashSet<String>, JournalError> {
        delegate!(self, j => j.keys_from(source))
    }
    async fn open_count(&self, batch: &str) -> Result<u64, JournalError> {
        delegate!(self, j => j.open_count(batch))
    }
    async fn set_budget(&self, name: &str, limit: Usd) -> Result<Option<Usd>, JournalError> {
        delegate!(self, j => j.set_budget(name, limit))
    }
    async fn budget(&self, name: &str) -> Result<Option<Budget>, JournalError> {
        delegate!(self, j => j.budget(name))
    }
}
