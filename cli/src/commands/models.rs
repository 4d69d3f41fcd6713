//! `seedance models`: every generated model, one line each (with `--json`,
//! one object per line).

use serde_json::json;

use crate::output::Printer;
use crate::schema::full_name;

/// Prints the catalog.
pub fn run(printer: &Printer) {
    if printer.is_json() {
        for info in seedance::catalog::MODELS {
            printer.event(|| {
                json!({
                    "name": full_name(info),
                    "vendor": info.vendor.id,
                    "vendor_name": info.vendor.name,
                    "model": info.model,
                    "module": info.module,
                    "token_env": info.vendor.token_env,
                    "summary": info.summary,
                })
            });
        }
        return;
    }
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
        || json!(null),
    );
}
