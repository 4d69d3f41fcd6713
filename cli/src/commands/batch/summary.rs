//! The end of a batch: what succeeded, what failed and why, what is
//! uncertain and what to check, what waits for the next run, in text or as
//! one JSON object.

use std::collections::HashSet;
use std::time::Duration;

use seedance_journal::{Budget, Entry, State};
use serde_json::{Value, json};

use super::lines::Parsed;
use super::worker::Ended;
use crate::error::CliError;
use crate::journal_text::ms_to_utc;
use crate::output::Printer;

/// The journal's entries of a batch, sorted by what became of them.
struct Tally<'a> {
    downloaded: usize,
    succeeded: usize,
    cancelled: usize,
    failed: Vec<&'a Entry>,
    uncertain: Vec<&'a Entry>,
    rejected: Vec<&'a Entry>,
    /// Open and never sent: the budget could not cover them.
    held: Vec<&'a Entry>,
    /// Open, put back after client-side trouble: for the next run.
    paused: Vec<&'a Entry>,
    /// Open and held by other workers.
    elsewhere: usize,
    /// Lines of the file finished under another batch's name.
    earlier: usize,
}

impl<'a> Tally<'a> {
    fn new(parsed: &Parsed, entries: &'a [Entry], ended: &Ended) -> Self {
        let of = |state: State| entries.iter().filter(move |e| e.state == state);
        let (held, open): (Vec<&Entry>, Vec<&Entry>) = entries
            .iter()
            .filter(|e| !e.state.is_final())
            .partition(|e| e.is_held_back());
        let (paused, elsewhere): (Vec<&Entry>, Vec<&Entry>) = open
            .into_iter()
            .partition(|e| ended.parked.contains(&e.key) || ended.stopped.is_some());
        let listed: HashSet<&str> = entries.iter().map(|e| e.key.as_str()).collect();
        Tally {
            downloaded: of(State::Downloaded).count(),
            succeeded: of(State::Succeeded).count(),
            cancelled: of(State::Cancelled).count(),
            failed: of(State::Failed).collect(),
            uncertain: of(State::Uncertain).collect(),
            rejected: of(State::Rejected).collect(),
            held,
            paused,
            elsewhere: elsewhere.len(),
            earlier: parsed
                .entries
                .iter()
                .filter(|e| !listed.contains(e.key.as_str()))
                .count(),
        }
    }

    /// Lines not downloaded (nor finished earlier).
    fn missing(&self, parsed: &Parsed) -> usize {
        self.failed.len()
            + self.cancelled
            + self.uncertain.len()
            + self.rejected.len()
            + self.paused.len()
            + self.elsewhere
            + parsed.invalid.len()
    }

    fn counts_line(&self, parsed: &Parsed, elapsed: Duration) -> String {
        let mut text = format!(
            "batch {}: {} line(s) in {:.1}s: {} downloaded",
            parsed.batch,
            parsed.entries.len() + parsed.invalid.len() + parsed.duplicates.len(),
            elapsed.as_secs_f64(),
            self.downloaded
        );
        let extra = [
            (self.succeeded, "succeeded (not saved)"),
            (self.earlier, "finished in an earlier batch"),
            (self.held.len(), "held back by the budget (never sent)"),
            (self.paused.len(), "waiting for the next run"),
            (self.elsewhere, "still open (held by other workers)"),
            (self.cancelled, "cancelled"),
        ];
        for (count, what) in extra {
            if count > 0 {
                text.push_str(&format!(", {count} {what}"));
            }
        }
        text
    }

    fn text(&self, parsed: &Parsed, elapsed: Duration) -> String {
        let mut text = self.counts_line(parsed, elapsed);
        let job = |e: &Entry| e.job_id.clone().unwrap_or_else(|| "-".to_owned());
        let error = |e: &Entry| e.error.clone().unwrap_or_default();
        for e in &self.failed {
            text.push_str(&format!(
                "\n  failed: line {} (job {}): {}",
                e.line,
                job(e),
                error(e)
            ));
        }
        for e in &self.paused {
            text.push_str(&format!(
                "\n  waiting: line {} (job {}, {}): {}; the job is safe in the journal: run the \
                 same command again to take it up",
                e.line,
                job(e),
                e.state,
                error(e)
            ));
        }
        for e in &self.uncertain {
            text.push_str(&uncertain_text(e));
        }
        for e in &self.held {
            text.push_str(&format!(
                "\n  held back (never sent): line {} ({}): {}",
                e.line,
                e.quote_note.as_deref().unwrap_or("not quoted"),
                error(e)
            ));
        }
        for e in &self.rejected {
            text.push_str(&format!(
                "\n  rejected (no job created): line {}: {}",
                e.line,
                error(e)
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
    }

    fn json(&self, parsed: &Parsed, ended: &Ended, elapsed: Duration) -> Value {
        let items = |list: &[&Entry]| list.iter().map(|e| item(e)).collect::<Vec<_>>();
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
            "downloaded": self.downloaded,
            "succeeded_not_saved": self.succeeded,
            "finished_earlier": self.earlier,
            "open": self.elsewhere,
            "cancelled": self.cancelled,
            "failed": items(&self.failed),
            "waiting": items(&self.paused),
            "held_back": items(&self.held),
            "uncertain": items(&self.uncertain),
            "rejected": items(&self.rejected),
            "invalid": invalid,
            "duplicates": duplicates,
            "unrecorded_job_ids": ended.unrecorded,
            "elapsed_s": elapsed.as_secs_f64(),
        })
    }
}

/// Prints the summary; `Err` unless every line was saved: exit 9 when
/// the only lines not saved were held back by the budget, else exit 5.
pub fn report(
    printer: &Printer,
    parsed: &Parsed,
    entries: &[Entry],
    ended: &Ended,
    elapsed: Duration,
    budget: Option<&Budget>,
) -> Result<(), CliError> {
    let tally = Tally::new(parsed, entries, ended);
    printer.result(
        || tally.text(parsed, elapsed) + &budget_text(budget),
        || {
            let mut json = tally.json(parsed, ended, elapsed);
            json["budget"] = budget.map_or(Value::Null, |b| {
                json!({
                    "limit_usd_micros": b.limit.micros(),
                    "reserved_usd_micros": b.reserved.micros(),
                })
            });
            json
        },
    );
    match (tally.missing(parsed), tally.held.len()) {
        (0, 0) => Ok(()),
        (0, held) => Err(CliError::BudgetHeldBack {
            count: held,
            budget: budget.map_or_else(String::new, |b| b.limit.to_string()),
        }),
        (bad, held) => Err(CliError::BatchIncomplete(format!(
            "{} line(s) not downloaded (see the summary); `seedance jobs` lists the journal",
            bad + held
        ))),
    }
}

/// `budget $25.00: $24.90 reserved`, when the batch has one.
fn budget_text(budget: Option<&Budget>) -> String {
    budget.map_or_else(String::new, |b| {
        format!(
            "\n  budget {}: {} reserved (quotes of the jobs sent, or the cost the vendor \
             reported); lines that did not fit were held back",
            b.limit, b.reserved
        )
    })
}

fn item(e: &Entry) -> Value {
    json!({
        "line": e.line,
        "key": e.key,
        "vendor": e.vendor,
        "model": e.model,
        "state": e.state.as_str(),
        "job_id": e.job_id,
        "error": e.error,
        "body_sha256": e.body_hash,
        "recorded_at_ms": e.created_at,
        "quote_usd_micros": e.quote.map(|q| q.micros()),
        "quote": e.quote_note,
        "reserved_usd_micros": e.reserved.micros(),
        "reported_usd_micros": e.reported.map(|r| r.micros()),
    })
}

fn uncertain_text(e: &Entry) -> String {
    format!(
        "\n  uncertain: line {} ({} {}): a job may exist and is billed if so; it is never \
         re-sent. Check the {} dashboard for a job created near {} (body sha256 {}): {}",
        e.line,
        e.vendor,
        e.model,
        e.vendor,
        ms_to_utc(e.updated_at),
        &e.body_hash[..16.min(e.body_hash.len())],
        e.error.as_deref().unwrap_or("")
    )
}
