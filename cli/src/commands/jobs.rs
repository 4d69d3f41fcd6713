//! `seedance jobs [KEY]`: what a journal holds: every entry's state, job id,
//! vendor, model, output and error; with a key (or a unique prefix, or a
//! job id), that entry's recorded history.

use clap::Args;
use seedance_journal::{AnyJournal, Entry, Journal};
use serde_json::{Value, json};

use crate::commands::batch::hide_password;
use crate::error::CliError;
use crate::output::Printer;

/// `seedance jobs`.
#[derive(Debug, Args)]
pub struct JobsArgs {
    /// Show one entry and its history: its key, a unique key prefix, or its job id.
    pub key: Option<String>,
    /// The journal (an SQLite file or a postgres:// URL).
    #[arg(long, value_name = "PATH|URL", default_value = "seedance-jobs.db")]
    pub journal: String,
    /// Only entries of this batch (the id `seedance batch` prints).
    #[arg(long)]
    pub batch: Option<String>,
}

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
    })
}

/// Lists or inspects the journal.
pub async fn run(printer: &Printer, args: &JobsArgs) -> Result<(), CliError> {
    if !seedance_journal::is_postgres_url(&args.journal)
        && !std::path::Path::new(&args.journal).exists()
    {
        return Err(CliError::BatchFile {
            path: hide_password(&args.journal),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no journal here (see --journal)",
            ),
        });
    }
    let journal = AnyJournal::open(&args.journal).await?;
    let entries = journal.list(args.batch.as_deref()).await?;
    let Some(wanted) = &args.key else {
        for e in &entries {
            printer.result(
                || {
                    format!(
                        "{:<11} line {:<5} {:<10} {:<28} {}  {}{}",
                        e.state.as_str(),
                        e.line,
                        e.vendor,
                        e.job_id.as_deref().unwrap_or("-"),
                        &e.key[..12.min(e.key.len())],
                        e.saved_path.as_deref().unwrap_or(&e.model),
                        e.error
                            .as_deref()
                            .map(|err| format!("  error: {err}"))
                            .unwrap_or_default()
                    )
                },
                || as_json(e),
            );
        }
        if entries.is_empty() {
            printer.note("the journal has no entries");
        }
        return Ok(());
    };
    let matches: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.key.starts_with(wanted.as_str()) || e.job_id.as_deref() == Some(wanted))
        .collect();
    let entry = match matches.as_slice() {
        [one] => *one,
        [] => {
            return Err(CliError::BatchIncomplete(format!(
                "no entry has key or job id {wanted:?}"
            )));
        }
        many => {
            return Err(CliError::BatchIncomplete(format!(
                "{wanted:?} matches {} entries; give more of the key",
                many.len()
            )));
        }
    };
    let events = journal.events(&entry.key).await?;
    printer.result(
        || {
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
            for ev in &events {
                text.push_str(&format!(
                    "\n    {}  {:<11} {}{}",
                    crate::commands::batch::ms_to_utc(ev.at),
                    ev.state.as_str(),
                    ev.worker.as_deref().unwrap_or("-"),
                    ev.detail.as_deref().map(|d| format!("  {d}")).unwrap_or_default()
                ));
            }
            text
        },
        || {
            let mut value = as_json(entry);
            value["events"] = events
                .iter()
                .map(|ev| {
                    json!({"at_ms": ev.at, "state": ev.state.as_str(), "worker": ev.worker, "detail": ev.detail})
                })
                .collect();
            value
        },
    );
    Ok(())
}
