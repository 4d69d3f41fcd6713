//! Lines edited or removed since an earlier run of the same batch file.
//! Their earlier requests may have paid jobs: those are moved into this
//! batch and followed to their end like any other line (saved as
//! `JOB_ID.mp4`, since the edited line may name the same file), and each is
//! reported once, with the line, the job and its state.

use std::path::Path;

use seedance_journal::{AnyJournal, Entry, Journal};

use super::lines::Parsed;
use crate::error::CliError;
use crate::output::Printer;

/// The identity of a batch file across edits: its canonical path (`None`
/// for standard input, whose earlier versions cannot be told apart).
pub fn source(file: &str) -> Option<String> {
    if file == "-" {
        return None;
    }
    let path = Path::new(file);
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| super::lines::absolute(path));
    Some(path.display().to_string())
}

/// Adopts the paid jobs of earlier versions of `source`'s lines that this
/// version no longer has, and says so.
pub async fn adopt(
    printer: &Printer,
    journal: &AnyJournal,
    parsed: &Parsed,
    source: Option<&str>,
) -> Result<Vec<Entry>, CliError> {
    let Some(source) = source else {
        return Ok(Vec::new());
    };
    let keys: Vec<String> = parsed.entries.iter().map(|e| e.key.clone()).collect();
    let adopted = journal.adopt_replaced(&parsed.batch, source, &keys).await?;
    for entry in &adopted {
        printer.note(&describe(entry, parsed));
    }
    Ok(adopted)
}

/// `line 3 was edited since an earlier run: ...`.
fn describe(entry: &Entry, parsed: &Parsed) -> String {
    let still_there = parsed.entries.iter().any(|e| e.line == entry.line);
    let what = if still_there {
        "was edited since an earlier run"
    } else {
        "is no longer in the file"
    };
    let job = entry.job_id.as_deref().unwrap_or("(id not yet known)");
    let mut text = format!(
        "line {} {what}: the earlier request's job {job} ({}, {}) is still followed to its end",
        entry.line, entry.state, entry.model
    );
    if entry.out_dir.is_some() {
        text.push_str(" and saved as JOB_ID.mp4");
    }
    if still_there {
        text.push_str("; the line as it is now is a new request");
    }
    text
}
