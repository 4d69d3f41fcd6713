//! `seedance-journal`: a write-ahead job journal, so that no paid Seedance
//! job is lost or submitted twice when a process dies.
//!
//! Every request is recorded before its POST ([`State::Submitting`]), the
//! vendor's job id as soon as it answers, and every later state change
//! (queued, running, succeeded with its URLs, failed with the vendor's
//! message, downloaded to a path). A request whose outcome is unknown, a lost
//! answer or a crash between the POST and the record, becomes
//! [`State::Uncertain`] and is never sent again automatically.
//!
//! Two backends sit behind one [`Journal`] trait: [`SqliteJournal`] (one
//! file, the default) and [`PostgresJournal`] (many workers on one or many
//! machines, rows leased with `FOR UPDATE SKIP LOCKED`). [`Driver`] follows one
//! journal entry through the runtime; [`Durable`] is the same for typed
//! library users.
//!
//! Money: an entry may carry its quote ([`NewEntry::quote`]); a batch may
//! have a [`Budget`] ([`Journal::set_budget`]). The quote is reserved in the
//! same transaction that moves the entry to `submitting`, only if it fits
//! ([`CostChange::Reserve`]); otherwise the entry is held back, never sent.
//! A 429 or a rejection releases the reservation, an uncertain submit
//! keeps it, and a cost the vendor reports settles it.

mod any;
mod clock;
mod driver;
mod durable;
mod entry;
mod error;
mod group_commit;
mod journal;
mod key;
mod memory;
mod migrations;
mod postgres;
mod sqlite;
mod state;

pub use any::{AnyJournal, MEMORY, is_postgres_url};
pub use clock::now_ms;
pub use driver::{Driver, DriverEvent, Outcome, safe_file_name};
pub use durable::{Durable, DurableError, DurableJob, worker_id};
pub use entry::{
    Budget, Change, Claim, CostChange, Enqueued, Entry, Event, HELD_BACK_PREFIX, HELD_OVER_BUDGET,
    HELD_UNKNOWN_PRICE, HOLD_MS, LeaseUpdate, NewEntry,
};
pub use error::JournalError;
pub use journal::Journal;
pub use key::{canonical_json, line_key};
pub use memory::MemoryJournal;
pub use postgres::PostgresJournal;
/// The clock journals and drivers read and sleep on (`with_clock`), shared
/// with the runtime's connections.
pub use seedance_runtime::Clock;
/// The request-body fingerprint, shared with the runtime's submit errors.
pub use seedance_runtime::{body_hash, sha256_hex};
pub use sqlite::{Durability, SqliteJournal};
pub use state::State;
