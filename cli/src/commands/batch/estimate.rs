//! `seedance batch --estimate`: the price of every line, totalled per model
//! and overall, with nothing recorded and nothing submitted. Each distinct
//! (model, input) is asked of the vendor once (`Pricer`'s cache).

use std::collections::{BTreeMap, HashMap};

use seedance_runtime::{Connection, Quote, Usd};
use serde_json::{Value, json};

use super::lines::Parsed;
use super::quoter::Quoter;
use crate::error::CliError;
use crate::output::Printer;

/// One model's lines.
#[derive(Debug, Default)]
struct ModelTotal {
    lines: usize,
    known: Usd,
    /// Lines whose price is an estimate (not the vendor's exact quote).
    estimated: usize,
    /// Lines with no price, and the first reason.
    unknown: usize,
    reason: Option<String>,
}

/// Prices every line of `parsed` and prints the totals.
pub async fn run(
    printer: &Printer,
    parsed: &Parsed,
    conns: &HashMap<String, Connection>,
    assumed: &[(String, Usd)],
) -> Result<(), CliError> {
    let quoter = Quoter::new(conns, assumed)?;
    let mut totals: BTreeMap<String, ModelTotal> = BTreeMap::new();
    for entry in &parsed.entries {
        let Some(quote) = quoter.quote(entry).await else {
            continue;
        };
        add(totals.entry(entry.model.clone()).or_default(), &quote);
    }
    print(printer, &totals);
    Ok(())
}

fn add(total: &mut ModelTotal, quote: &Quote) {
    total.lines += 1;
    match quote {
        Quote::Known(price) => {
            total.known = total.known + price.usd;
            if !price.is_exact() {
                total.estimated += 1;
            }
        }
        Quote::Unknown(reason) => {
            total.unknown += 1;
            total.reason.get_or_insert_with(|| reason.to_string());
        }
    }
}

fn print(printer: &Printer, totals: &BTreeMap<String, ModelTotal>) {
    let overall: Usd = totals.values().map(|t| t.known).sum();
    let unknown: usize = totals.values().map(|t| t.unknown).sum();
    printer.result(
        || {
            let mut text = String::from("estimate: nothing was recorded or submitted\n");
            for (model, total) in totals {
                text.push_str(&format!(
                    "{model}: {} line(s), {}",
                    total.lines, total.known
                ));
                if total.estimated > 0 {
                    text.push_str(&format!(
                        " ({} line(s) estimated, not exact)",
                        total.estimated
                    ));
                }
                if let Some(reason) = &total.reason {
                    text.push_str(&format!("; {} line(s) unknown: {reason}", total.unknown));
                }
                text.push('\n');
            }
            text.push_str(&format!("total: {overall}"));
            if unknown > 0 {
                text.push_str(&format!(" plus {unknown} line(s) of unknown price"));
            }
            text
        },
        || {
            let models: Vec<Value> = totals
                .iter()
                .map(|(model, t)| {
                    json!({
                        "model": model,
                        "lines": t.lines,
                        "usd": t.known.dollars(),
                        "usd_micros": t.known.micros(),
                        "estimated_lines": t.estimated,
                        "unknown_lines": t.unknown,
                        "unknown_reason": t.reason,
                    })
                })
                .collect();
            json!({
                "event": "estimate",
                "models": models,
                "total_usd": overall.dollars(),
                "total_usd_micros": overall.micros(),
                "unknown_lines": unknown,
            })
        },
    );
}
