//! The [`Journal`] trait every backend implements.

use std::collections::HashSet;
use std::future::Future;

use seedance_runtime::Usd;

use crate::entry::{Budget, Change, Claim, Enqueued, Entry, Event, NewEntry};
use crate::error::JournalError;

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

    /// How many entries of `batch` are still open, not counting those the
    /// budget holds back (until they are woken: see
    /// [`HOLD_MS`](crate::HOLD_MS)): a worker is done when this is zero.
    fn open_count(&self, batch: &str) -> impl Future<Output = Result<u64, JournalError>> + Send;

    /// Sets the cap of the budget `name` (created if missing, its
    /// reservations kept if not); returns the limit it had before. Entries
    /// of the batch `name` reserve their quote in it before they are sent
    /// ([`CostChange::Reserve`](crate::CostChange::Reserve)).
    fn set_budget(
        &self,
        name: &str,
        limit: Usd,
    ) -> impl Future<Output = Result<Option<Usd>, JournalError>> + Send;

    /// The budget `name`, if set.
    fn budget(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<Budget>, JournalError>> + Send;
}
