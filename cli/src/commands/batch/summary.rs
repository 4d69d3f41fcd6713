//! The end of a batch: what succeeded, what failed and why, what is
//! uncertain and what to check, in text or as one JSON object.

use std::collections::HashSet;
use std::time::Duration;

use seedance_journal::{Entry, State};
use serde_json::{Value, json};

use super::lines::Parsed;
use crate::error::CliError;
use crate::output::Printer;

/// Prints the summary; `Err` (exit 5) unless every line was saved.
pub fn report(
    printer: &Printer,
    parsed: &Parsed,
    entries: &[Entry],
    elapsed: Duration,
) -> Result<(), CliError> {
    let of = |state: State| entries.iter().filter(move |e| e.state == state);
    let downloaded = of(State::Downloaded).count();
    let succeeded = of(State::Succeeded).count();
    let failed: Vec<&Entry> = of(State::Failed).collect();
    let cancelled = of(State::Cancelled).count();
    let uncertain: Vec<&Entry> = of(State::Uncertain).collect();
    let rejected: Vec<&Entry> = of(State::Rejected).collect();
    let open = entries.iter().filter(|e| !e.state.is_final()).count();
    // Lines finished under another batch's name are not listed here.
    let listed: HashSet<&str> = entries.iter().map(|e| e.key.as_str()).collect();
    let earlier = parsed
        .entries
        .iter()
        .filter(|e| !listed.contains(e.key.as_str()))
        .count();

    let item = |e: &Entry| {
        json!({
            "line": e.line,
            "key": e.key,
            "vendor": e.vendor,
            "model": e.model,
            "job_id": e.job_id,
            "error": e.error,
            "body_sha256": e.body_hash,
            "recorded_at_ms": e.created_at,
        })
    };
    printer.result(
        || {
            let mut text = format!(
                "batch {}: {} line(s) in {:.1}s: {downloaded} downloaded",
                parsed.batch,
                parsed.entries.len() + parsed.invalid.len() + parsed.duplicates.len(),
                elapsed.as_secs_f64()
            );
            if succeeded > 0 {
                text.push_str(&format!(", {succeeded} succeeded (not saved)"));
            }
            if earlier > 0 {
                text.push_str(&format!(", {earlier} finished in an earlier batch"));
            }
            if open > 0 {
                text.push_str(&format!(", {open} still open (held by other workers)"));
            }
            if cancelled > 0 {
                text.push_str(&format!(", {cancelled} cancelled"));
            }
            for e in &failed {
                text.push_str(&format!(
                    "\n  failed: line {} (job {}): {}",
                    e.line,
                    e.job_id.as_deref().unwrap_or("-"),
                    e.error.as_deref().unwrap_or("no message")
                ));
            }
            for e in &uncertain {
                text.push_str(&format!(
                    "\n  uncertain: line {} ({} {}): a job may exist and is billed if so; \
                     it is never re-sent. Check the {} dashboard for a job created near {} \
                     (body sha256 {}): {}",
                    e.line,
                    e.vendor,
                    e.model,
                    e.vendor,
                    ms_to_utc(e.updated_at),
                    &e.body_hash[..16.min(e.body_hash.len())],
                    e.error.as_deref().unwrap_or("")
                ));
            }
            for e in &rejected {
                text.push_str(&format!(
                    "\n  rejected (no job created): line {}: {}",
                    e.line,
                    e.error.as_deref().unwrap_or("")
                ));
            }
            for (line, why) in &parsed.invalid {
                text.push_str(&format!("\n  invalid (not recorded): line {line}: {why}"));
            }
            for (line, earlier) in &parsed.duplicates {
                text.push_str(&format!(
                    "\n  duplicate: line {line} is identical to line {earlier} (skipped; \
                     --allow-duplicates submits both)"
                ));
            }
            text
        },
        || {
            let invalid: Vec<Value> = parsed
                .invalid
                .iter()
                .map(|(line, why)| json!({"line": line, "error": why}))
                .collect();
            let duplicates: Vec<Value> = parsed
                .duplicates
                .iter()
                .map(|(line, earlier)| json!({"line": line, "duplicate_of": earlier}))
                .collect();
            json!({
                "event": "summary",
                "batch": parsed.batch,
                "downloaded": downloaded,
                "succeeded_not_saved": succeeded,
                "finished_earlier": earlier,
                "open": open,
                "cancelled": cancelled,
                "failed": failed.iter().map(|e| item(e)).collect::<Vec<_>>(),
                "uncertain": uncertain.iter().map(|e| item(e)).collect::<Vec<_>>(),
                "rejected": rejected.iter().map(|e| item(e)).collect::<Vec<_>>(),
                "invalid": invalid,
                "duplicates": duplicates,
                "elapsed_s": elapsed.as_secs_f64(),
            })
        },
    );
    let bad =
        failed.len() + cancelled + uncertain.len() + rejected.len() + parsed.invalid.len() + open;
    if bad == 0 {
        Ok(())
    } else {
        Err(CliError::BatchIncomplete(format!(
            "{bad} line(s) not downloaded (see the summary); `seedance jobs` lists the journal"
        )))
    }
}

/// `2026-11-30 15:04:05 UTC` from milliseconds since the epoch.
pub fn ms_to_utc(ms: i64) -> String {
    let time = seedance_dialect::UtcTime::from_unix_millis(ms);
    format!("{} {} UTC", time.date(), time.time_of_day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times_print() {
        assert_eq!(ms_to_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(ms_to_utc(1_796_137_445_000), "2026-12-01 15:04:05 UTC");
    }
}
