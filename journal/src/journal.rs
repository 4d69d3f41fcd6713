//! The [`Journal`] trait both backends implement, and [`AnyJournal`], the
//! one chosen at run time from a path or a `postgres://` URL.

use std::collections::HashSet;
use std::future::Future;

use crate::entry::{Change, Claim, Enqueued, Entry, Event, NewEntry};
use crate::error::JournalError;
use crate::memory::MemoryJournal;
use crate::postgres::PostgresJournal;
use crate::sqlite::SqliteJournal;

/// A durable record of requests and their jobs. Every method is one
/// transaction: a process killed at any point leaves each entry either
/// before or after a change, never half-way.
pub trait Journal: Send + Sync {
    /// Records `entries` that are not yet recorded (same key: same request)
    /// and makes open ones part of their `batch`; says what it found for each.
    fn enqueue(
        &self,
        entries: &[NewEntry],
    ) -> impl Future<Output = Result<Vec<Enqueued>, JournalError>> + Send;

    /// Leases up to `claim.limit` open entries of the batch that nobody holds
    /// (or whose lease expired), in line order.
    fn claim(&self, claim: &Claim)
    -> impl Future<Output = Result<Vec<Entry>, JournalError>> + Send;

    /// Leases one entry by key, if it is open and nobody else holds it.
    fn claim_key(
        &self,
        key: &str,
        worker: &str,
        now: i64,
        until: i64,
    ) -> impl Future<Output = Result<Option<Entry>, JournalError>> + Send;

    /// Extends every lease `worker` holds to `until`; returns how many.
    fn renew(
        &self,
        worker: &str,
        until: i64,
    ) -> impl Future<Output = Result<u64, JournalError>> + Send;

    /// Applies `change` to `key` if its guard holds (and appends an event);
    /// `false` when it did not (another worker has the entry).
    fn record(
        &self,
        key: &str,
        worker: &str,
        change: &Change,
    ) -> impl Future<Output = Result<bool, JournalError>> + Send;

    /// One entry.
    fn get(&self, key: &str) -> impl Future<Output = Result<Option<Entry>, JournalError>> + Send;

    /// Every entry, of one batch or all, in (batch, line) order.
    fn list(
        &self,
        batch: Option<&str>,
    ) -> impl Future<Output = Result<Vec<Entry>, JournalError>> + Send;

    /// An entry's events, oldest first.
    fn events(&self, key: &str) -> impl Future<Output = Result<Vec<Event>, JournalError>> + Send;

    /// Records that `keys`, the lines of `batch`, come from the batch file
    /// `source`, and moves into `batch` the entries of earlier versions of
    /// that file which are not among `keys` (lines edited or removed since)
    /// and may have a vendor job: their paid jobs are followed to the end
    /// with this batch, saved as `JOB_ID.mp4` in their folder (the edited
    /// line may name the same file). Returns those entries.
    fn adopt_replaced(
        &self,
        batch: &str,
        source: &str,
        keys: &[String],
    ) -> impl Future<Output = Result<Vec<Entry>, JournalError>> + Send;

    /// The keys recorded from the batch file `source` (see
    /// [`adopt_replaced`](Self::adopt_replaced)): what a rerun of that file
    /// resumes rather than sends.
    fn keys_from(
        &self,
        source: &str,
    ) -> impl Future<Output = Result<HashSet<String>, JournalError>> + Send;

    /// How many entries of `batch` are still open.
    fn open_count(&self, batch: &str) -> impl Future<Output = Result<u64, JournalError>> + Send;
}

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
}
