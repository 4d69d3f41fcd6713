//! Versioned schema migrations, one list per backend. A journal records the
//! versions it has in `seedance_schema`; opening it applies the missing
//! ones in order, in one transaction each, and refuses a journal written
//! by a newer build. Never edit a released migration: add the next one.

/// One schema step.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    /// Strictly increasing from 1.
    pub version: i64,
    /// What it does.
    pub name: &'static str,
    /// The statements.
    pub sql: &'static str,
}

/// SQLite's steps.
pub(crate) const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "jobs and events",
        sql: include_str!("../migrations/sqlite/0001_jobs_and_events.sql"),
    },
    Migration {
        version: 2,
        name: "line sources",
        sql: include_str!("../migrations/sqlite/0002_line_sources.sql"),
    },
    Migration {
        version: 3,
        name: "budgets and costs",
        sql: include_str!("../migrations/sqlite/0003_budgets.sql"),
    },
];

/// PostgreSQL's steps (same versions and meaning as SQLite's).
pub(crate) const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "jobs and events",
        sql: include_str!("../migrations/postgres/0001_jobs_and_events.sql"),
    },
    Migration {
        version: 2,
        name: "line sources",
        sql: include_str!("../migrations/postgres/0002_line_sources.sql"),
    },
    Migration {
        version: 3,
        name: "budgets and costs",
        sql: include_str!("../migrations/postgres/0003_budgets.sql"),
    },
];

/// The table of applied versions (same text on both backends).
pub(crate) const VERSIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS seedance_schema (
    version    BIGINT PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at BIGINT NOT NULL
)";

/// The newest version of a list.
pub(crate) fn latest(list: &[Migration]) -> i64 {
    list.last().map_or(0, |m| m.version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase_and_backends_agree() {
        for list in [SQLITE, POSTGRES] {
            for (i, m) in list.iter().enumerate() {
                assert_eq!(m.version, i as i64 + 1, "{}", m.name);
            }
        }
        assert_eq!(latest(SQLITE), latest(POSTGRES));
    }
}
