//! `seedance models`: every generated model, one line each (with `--json`,
//! one object per line).

use seedance::catalog::ModelInfo;
use seedance_runtime::catalog::Catalog;
use serde_json::{Map, Value, json};

use crate::cli::Global;
use crate::connect;
use crate::error::CliError;
use crate::output::Printer;
use crate::schema::full_name;
use crate::sim::Simulator;

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

/// `models --remote`: every model each vendor's catalog lists, one line
/// each, compiled ones marked; a vendor whose catalog cannot be read is
/// named with why, and the others are still listed.
pub async fn remote(printer: &Printer, global: &Global) -> Result<(), CliError> {
    if global.base_url.is_some() {
        return Err(CliError::RemoteWithBaseUrl);
    }
    let sim = match global.sim {
        true => Some(Simulator::find_or_start().await?),
        false => None,
    };
    let mut failed = Vec::new();
    for vendor in connect::vendors() {
        let conn = match sim.as_ref() {
            Some(sim) => sim.connection(vendor, global)?,
            None => connect::remote_or_anonymous(vendor, global)?,
        };
        let (ids, origin) = match Catalog::new().list(&conn, vendor).await {
            Ok(listed) => listed,
            Err(err) => {
                printer.note(&format!("warning: {err}"));
                failed.push(vendor.id);
                continue;
            }
        };
        printer.note(&format!(
            "{}: catalog from {}",
            vendor.name,
            origin.describe()
        ));
        for id in ids {
            let name = format!("{}/{id}", vendor.id);
            let compiled = seedance::catalog::find(&name).is_some();
            let how = if compiled { "compiled" } else { "from catalog" };
            printer.result(
                || format!("{name:60}  {how}"),
                || json!({"name": name, "vendor": vendor.id, "model": id, "compiled": compiled, "source": origin.url}),
            );
        }
    }
    match failed.is_empty() {
        true => Ok(()),
        false => Err(CliError::Catalog(format!(
            "the catalogs of {} could not be read",
            failed.join(", ")
        ))),
    }
}
