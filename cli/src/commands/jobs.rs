//! `seedance jobs [KEY]`: what a journal holds: every entry's state, job id,
//! vendor, model, output and error; with a key (or a unique prefix, or a
//! job id), that entry's recorded history.

use seedance_journal::{AnyJournal, Entry, Event, Journal};
use serde_json::{Value, json};

use crate::cli::JobsArgs;
use crate::error::CliError;
use crate::journal_text::{hide_password, ms_to_utc};
use crate::output::Printer;

fn as_json(e: &Entry) -> Value {
    json!({
        "key": e.key,
        "batch": e.batch,
        "line": e.line,
        "state": e.state.as_str(),
        "job_id": e.job_id,
        "vendor": e.vendor,
        "model": e.model,
        "output": e.saved_path,
        "output_urls": e.output_urls,
        "error": e.error,
        "lease_owner": e.lease_owner,
        "body_sha256": e.body_hash,
        "created_at_ms": e.created_at,
        "updated_at_ms": e.updated_at,
        "cost": cost_json(e),
    })
}

/// Lists or inspects the journal.
pub async fn run(printer: &Printer, args: &JobsArgs) -> Result<(), CliError> {
    let journal = open(&args.journal).await?;
    let mut entries = journal.list(args.batch.as_deref()).await?;
    // By time: the order they were recorded in, across batches.
    entries.sort_by(|a, b| {
        (a.created_at, &a.batch, a.line, &a.key).cmp(&(b.created_at, &b.batch, b.line, &b.key))
    });
    match &args.key {
        None => list(printer, &entries),
        Some(wanted) => {
            let entry = find(&entries, wanted)?;
            let events = journal.events(&entry.key).await?;
            printer.result(
                || history_text(entry, &events),
                || history_json(entry, &events),
            );
        }
    }
    Ok(())
}

/// The journal at `target`, which must exist (a file) or be a server's.
async fn open(target: &str) -> Result<AnyJournal, CliError> {
    if !seedance_journal::is_postgres_url(target) && !std::path::Path::new(target).exists() {
        return Err(CliError::BatchFile {
            path: hide_password(target),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no journal here (see --journal)",
            ),
        });
    }
    Ok(AnyJournal::open(target).await?)
}

/// The columns of the listing; the last one is not padded.
const HEADER: [&str; 8] = [
    "STATE",
    "LINE",
    "VENDOR",
    "JOB ID",
    "QUOTE",
    "REPORTED",
    "KEY",
    "OUTPUT OR MODEL",
];

/// One entry as a row of [`HEADER`].
fn row(e: &Entry) -> Vec<String> {
    let error = e.error.as_deref().map(|err| format!("  error: {err}"));
    vec![
        e.state.as_str().to_owned(),
        e.line.to_string(),
        e.vendor.clone(),
        e.job_id.clone().unwrap_or_else(|| "-".to_owned()),
        quote_cell(e),
        e.reported
            .map_or_else(|| "-".to_owned(), |usd| usd.to_string()),
        e.key.chars().take(12).collect(),
        format!(
            "{}{}",
            e.saved_path.as_deref().unwrap_or(&e.model),
            error.unwrap_or_default()
        ),
    ]
}

/// Every entry: a table with a header in text, one object per line in JSON.
fn list(printer: &Printer, entries: &[Entry]) {
    if entries.is_empty() {
        printer.note("the journal has no entries");
        return;
    }
    if printer.is_json() {
        for e in entries {
            printer.event(|| as_json(e));
        }
        return;
    }
    let header = HEADER.iter().map(|h| (*h).to_owned()).collect();
    let rows: Vec<Vec<String>> = std::iter::once(header)
        .chain(entries.iter().map(row))
        .collect();
    printer.result(|| table(&rows), || Value::Null);
    printer.note(&totals_text(entries));
}

/// An entry's quote as a cell: the amount (`~` marks an estimate), `?`
/// for a price that was asked and is unknown, `-` when never asked.
fn quote_cell(e: &Entry) -> String {
    let note = e.quote_note.as_deref().unwrap_or("");
    match e.quote {
        Some(usd) if note.contains("exact") => usd.to_string(),
        Some(usd) => format!("~{usd}"),
        None if e.quote_note.is_some() => "?".to_owned(),
        None => "-".to_owned(),
    }
}

/// An entry's money in JSON: its quote, what it holds reserved in a
/// budget, and what the vendor reported it cost.
fn cost_json(e: &Entry) -> Value {
    json!({
        "quote_usd_micros": e.quote.map(|usd| usd.micros()),
        "quote": e.quote_note,
        "budget": e.budget,
        "reserved_usd_micros": e.reserved.micros(),
        "reported_usd_micros": e.reported.map(|usd| usd.micros()),
    })
}

/// The listing's totals: quoted (and how many lines have no price),
/// reported, and what the spent estimate is (reported where the vendor
/// reports, else the quote of every job that may exist).
fn totals_text(entries: &[Entry]) -> String {
    use seedance_runtime::Usd;
    let quoted: Usd = entries.iter().filter_map(|e| e.quote).sum();
    let unpriced = entries.iter().filter(|e| e.quote.is_none()).count();
    let reported: Usd = entries.iter().filter_map(|e| e.reported).sum();
    let reporting = entries.iter().filter(|e| e.reported.is_some()).count();
    let spent: Usd = entries
        .iter()
        .filter(|e| e.state.may_have_job())
        .filter_map(|e| e.reported.or(e.quote))
        .sum();
    let mut text = format!(
        "totals: quoted {quoted} for {} job(s)",
        entries.len() - unpriced
    );
    if unpriced > 0 {
        text.push_str(&format!(" ({unpriced} without a known price)"));
    }
    text.push_str(&format!(
        "; reported {reported} by the vendor for {reporting} job(s); spent, as far as known: \
         {spent} (reported costs, else the quotes of jobs that may exist: an estimate)"
    ));
    text
}

/// `rows` with every column but the last padded to its widest cell.
fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                match c + 1 == columns {
                    true => line.push_str(cell),
                    false => line.push_str(&format!("{cell:<w$}  ", w = widths[c])),
                }
            }
            line.trim_end().to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The one entry whose key starts with `wanted`, or whose job id it is.
fn find<'e>(entries: &'e [Entry], wanted: &str) -> Result<&'e Entry, CliError> {
    let matches: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.key.starts_with(wanted) || e.job_id.as_deref() == Some(wanted))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(CliError::NoSuchEntry {
            wanted: wanted.to_owned(),
        }),
        many => Err(CliError::AmbiguousEntry {
            wanted: wanted.to_owned(),
            count: many.len(),
        }),
    }
}

/// One entry and its recorded history, for people.
fn history_text(entry: &Entry, events: &[Event]) -> String {
    let mut text = format!(
        "{} (line {} of batch {})\n  state   {}\n  job id  {}\n  vendor  {}\n  model   {}\n  output  {}\n  body sha256 {}",
        entry.key,
        entry.line,
        entry.batch,
        entry.state,
        entry.job_id.as_deref().unwrap_or("-"),
        entry.vendor,
        entry.model,
        entry.saved_path.as_deref().unwrap_or("-"),
        entry.body_hash,
    );
    if let Some(err) = &entry.error {
        text.push_str(&format!("\n  error   {err}"));
    }
    text.push_str("\n  history:");
    for ev in events {
        text.push_str(&format!(
            "\n    {}  {:<11} {}{}",
            ms_to_utc(ev.at),
            ev.state.as_str(),
            ev.worker.as_deref().unwrap_or("-"),
            ev.detail
                .as_deref()
                .map(|d| format!("  {d}"))
                .unwrap_or_default()
        ));
    }
    text
}

/// One entry and its recorded history, as one JSON object.
fn history_json(entry: &Entry, events: &[Event]) -> Value {
    let mut value = as_json(entry);
    value["events"] = events
        .iter()
        .map(|ev| {
            json!({"at_ms": ev.at, "state": ev.state.as_str(), "worker": ev.worker, "detail": ev.detail})
        })
        .collect();
    value
}
