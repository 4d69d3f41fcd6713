//! The image rules of new lines, checked before anything is recorded or
//! paid, as `seedance run` checks them: each remote image is read only as
//! far as its header (one Range request), several lines at a time. A line
//! whose images break a rule, or cannot be read, is refused with its
//! number; lines the journal already has were checked when first sent.

use std::collections::{HashMap, HashSet};

use seedance_journal::NewEntry;
use seedance_runtime::{Connection, SubmitOptions};
use serde_json::Value;
use tokio::task::JoinSet;

use super::lines::Parsed;
use crate::connect;

/// Lines probed at once.
const IN_FLIGHT: usize = 8;

/// Moves the new lines whose images fail their rules from `parsed.entries`
/// to `parsed.invalid` (the batch id is recomputed from what is left).
pub async fn check(
    parsed: &mut Parsed,
    conns: &HashMap<String, Connection>,
    known: &HashSet<String>,
) {
    let mut probes: JoinSet<Result<(), String>> = JoinSet::new();
    let mut lines_of = HashMap::new();
    let mut refused = Vec::new();
    for entry in parsed.entries.iter().filter(|e| !known.contains(&e.key)) {
        let Some(conn) = conns.get(&entry.vendor).cloned() else {
            continue;
        };
        if probes.len() >= IN_FLIGHT {
            refused.extend(next_refusal(&mut probes, &lines_of).await);
        }
        let entry = entry.clone();
        let line = entry.line;
        let task = probes.spawn(async move { probe(&conn, &entry).await });
        lines_of.insert(task.id(), line);
    }
    while !probes.is_empty() {
        refused.extend(next_refusal(&mut probes, &lines_of).await);
    }
    if refused.is_empty() {
        return;
    }
    let lines: HashSet<i64> = refused.iter().map(|(line, _)| *line).collect();
    parsed.entries.retain(|e| !lines.contains(&e.line));
    parsed.invalid.extend(refused);
    parsed.invalid.sort_by_key(|(line, _)| *line);
    parsed.rename();
}

/// The next probe to finish: its line and why it is refused, if it is
/// (a probe that panicked refuses its line too: unchecked is not passed).
async fn next_refusal(
    probes: &mut JoinSet<Result<(), String>>,
    lines_of: &HashMap<tokio::task::Id, i64>,
) -> Option<(i64, String)> {
    let (id, outcome) = match probes.join_next_with_id().await? {
        Ok((id, outcome)) => (id, outcome),
        Err(err) => (err.id(), Err(format!("image check stopped: {err}"))),
    };
    let line = lines_of.get(&id).copied().unwrap_or_default();
    outcome.err().map(|why| (line, why))
}

/// The entry's body read back as its model, then its local and image rules.
async fn probe(conn: &Connection, entry: &NewEntry) -> Result<(), String> {
    let info = connect::model(&entry.model).map_err(|e| e.to_string())?;
    let body: Value = serde_json::from_str(&entry.body).map_err(|e| e.to_string())?;
    let model = crate::catalog_models::parse(info, body).map_err(|e| e.to_string())?;
    conn.check_erased(model.as_ref(), SubmitOptions::new())
        .await
        .map(drop)
        .map_err(|err| {
            // The command line's wording (its flags, not the Rust API).
            let err = crate::error::CliError::from(err);
            let causes = seedance_runtime::causes(&err);
            match causes.is_empty() {
                true => err.to_string(),
                false => format!("{err}: {}", causes.join("; ")),
            }
        })
}
