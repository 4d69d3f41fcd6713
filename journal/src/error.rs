//! [`JournalError`]: what can go wrong reading or writing the journal.

/// A journal failure. The runtime's errors are not wrapped here: the
/// [`Driver`](crate::Driver) records them in the journal instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// The SQLite file could not be opened, read or written.
    #[error("SQLite journal {path}: {source}")]
    Sqlite {
        /// The journal file.
        path: String,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The PostgreSQL journal could not be reached, read or written.
    #[error("PostgreSQL journal: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// The connection to PostgreSQL was lost and no new one could be
    /// opened within the journal's patience (the server is down, or
    /// refuses this client). A write that was in flight may or may not
    /// have been applied: the same guarded change, tried again, tells.
    #[error(
        "PostgreSQL journal unreachable (connection lost, retried for {tried_for:.1?}): {cause}"
    )]
    Unreachable {
        /// How long the call kept trying.
        tried_for: std::time::Duration,
        /// The last connection error.
        cause: String,
    },
    /// The journal was written by a newer version of this program.
    #[error(
        "the journal has schema version {found}; this program knows up to {known}: upgrade seedance"
    )]
    TooNew {
        /// Version found in the journal.
        found: i64,
        /// Newest version this build knows.
        known: i64,
    },
    /// A stored value this build cannot read (a state word, a URL list).
    #[error("corrupt journal entry {key}: {message}")]
    Corrupt {
        /// The entry.
        key: String,
        /// What was wrong.
        message: String,
    },
    /// A group commit failed; every write in it was rolled back.
    #[error("journal write to {target} failed (rolled back): {message}")]
    Write {
        /// The journal (file path, or "PostgreSQL").
        target: String,
        /// What the database said.
        message: String,
    },
    /// A blocking SQLite call could not be run (the runtime is shutting down).
    #[error("journal task failed: {0}")]
    Task(String),
    /// The vendor created a job, but its id could not be written to the
    /// journal even after retrying: the caller must show the id, or the
    /// job is lost to it.
    #[error(
        "job {job_id} (line {line}, key {key}) was created but could not be recorded: {source}"
    )]
    Unrecorded {
        /// The entry.
        key: String,
        /// Its line in the batch file (0 outside a batch).
        line: i64,
        /// The vendor's job id.
        job_id: String,
        /// Why the journal refused it.
        #[source]
        source: Box<JournalError>,
    },
    /// The request body could not be serialised.
    #[error("cannot serialise the request body: {0}")]
    Body(#[from] serde_json::Error),
}
