//! `seedance models`: every generated model, one line each.

use serde_json::{Value, json};

use crate::output::Printer;
use crate::schema::full_name;

/// Prints the catalog.
pub fn run(printer: &Printer) {
    let models = seedance::catalog::MODELS;
    let width = models
        .iter()
        .map(|info| full_name(info).len())
        .max()
        .unwrap_or(0);
    printer.result(
        || {
            models
                .iter()
                .map(|info| {
                    format!(
                        "{:width$}  {:12}  {}",
                        full_name(info),
                        info.vendor.name,
                        info.summary
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        },
        || {
            Value::Array(
                models
                    .iter()
                    .map(|info| {
                        json!({
                            "name": full_name(info),
                            "vendor": info.vendor.id,
                            "vendor_name": info.vendor.name,
                            "model": info.model,
                            "module": info.module,
                            "token_env": info.vendor.token_env,
                            "summary": info.summary,
                        })
                    })
                    .collect(),
            )
        },
    );
}
