//! `seedance models`: every generated model, one line each (with `--json`,
//! one object per line).

use seedance::catalog::ModelInfo;
use serde_json::{Map, Value, json};

use crate::output::Printer;
use crate::schema::full_name;

/// A model as `--json` shows it, the same in `models` and `describe`
/// (which adds its fields): `vendor` is the vendor's id, as in every other
/// JSON line of the command line.
pub fn model_json(info: &ModelInfo) -> Map<String, Value> {
    let value = json!({
        "name": full_name(info),
        "vendor": info.vendor.id,
        "vendor_name": info.vendor.name,
        "protocol": info.vendor.protocol.as_str(),
        "base_url": info.vendor.base_url,
        "token_env": info.vendor.token_env,
        "model": info.model,
        "module": info.module,
        "summary": info.summary,
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Prints the catalog.
pub fn run(printer: &Printer) {
    if printer.is_json() {
        for info in seedance::catalog::MODELS {
            printer.event(|| Value::Object(model_json(info)));
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
