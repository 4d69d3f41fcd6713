//! `seedance batch --budget USD`: every line is quoted before it is
//! recorded (each distinct model and input asked of the vendor once, the
//! `Pricer`'s cache), the quote is stored on its journal entry, and the
//! batch's budget is set in the journal. The journal reserves a line's
//! quote in the same transaction that moves it to `submitting`, so no
//! worker, process or machine sharing the journal can send a job the
//! budget cannot cover (see `seedance_journal::CostChange::Reserve`).
//!
//! The budget is named after the batch (the same file gives the same batch
//! id everywhere): every worker of a fleet caps the same total. It stays
//! with the batch: a later run without `--budget` keeps it, a run with
//! another amount changes it (and says so).

use std::collections::{HashMap, HashSet};

use seedance_journal::{AnyJournal, Journal};
use seedance_runtime::{Connection, Quote, Usd};

use super::lines::Parsed;
use super::quoter::Quoter;
use crate::error::CliError;
use crate::output::Printer;

/// Quotes every line the journal does not have yet (`known`: recorded
/// by an earlier run of this file), stored with its entry when it is
/// recorded. Lines whose price is unknown keep no amount and say why in
/// their note.
pub async fn quote_lines(
    parsed: &mut Parsed,
    conns: &HashMap<String, Connection>,
    assumed: &[(String, Usd)],
    known: &HashSet<String>,
) -> Result<(), CliError> {
    let quoter = Quoter::new(conns, assumed)?;
    // A vendor whose price source did not answer is not asked again for
    // every line: its remaining lines carry the first answer's reason.
    let mut down: HashMap<String, String> = HashMap::new();
    for entry in parsed.entries.iter_mut() {
        if known.contains(&entry.key) {
            continue;
        }
        if let Some(reason) = down.get(&entry.vendor) {
            entry.quote_note = Some(reason.clone());
            continue;
        }
        let Some(quote) = quoter.quote(entry).await else {
            continue;
        };
        if matches!(&quote, Quote::Unknown(reason) if reason.is_transient()) {
            down.insert(entry.vendor.clone(), quote.to_string());
        }
        entry.quote = quote.usd();
        entry.quote_note = Some(quote.to_string());
    }
    Ok(())
}

/// Sets the batch's budget (when `--budget` is given) and says what the
/// lines are quoted at; an unknown price under a budget is named here, and
/// the journal holds those lines back.
pub async fn set(
    printer: &Printer,
    journal: &AnyJournal,
    parsed: &Parsed,
    limit: Option<Usd>,
) -> Result<(), CliError> {
    let Some(limit) = limit else {
        return Ok(());
    };
    let before = journal.set_budget(&parsed.batch, limit).await?;
    let quoted: Usd = parsed.entries.iter().filter_map(|e| e.quote).sum();
    let unknown = parsed
        .entries
        .iter()
        .filter(|e| e.quote.is_none() && e.quote_note.is_some())
        .count();
    let mut text = format!(
        "budget {limit} for batch {}: its new lines are quoted at {quoted} in all",
        parsed.batch
    );
    if let Some(before) = before.filter(|b| *b != limit) {
        text.push_str(&format!(" (the budget was {before})"));
    }
    if unknown > 0 {
        text.push_str(&format!(
            "; {unknown} line(s) have no known price and are held back (--assume-price \
             MODEL=USD prices them)"
        ));
    }
    printer.note(&text);
    Ok(())
}
