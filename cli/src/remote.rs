//! Models that are not compiled in, from the vendor's catalog at run time
//! (`seedance_runtime::catalog`): `run wavespeed/<any catalog id>`.
//!
//! A loaded catalog model gets a `ModelInfo` like a compiled one (vendor,
//! id, fields), made once and kept for the process, so the commands take
//! it as they take any model. Its `parse` is a plain `fn` that cannot
//! hold a schema, so the interpreted input is made here ([`parse`]): every
//! place that turns a body into a model goes through it.

use std::sync::{Mutex, PoisonError};

use seedance::catalog::ModelInfo;
use seedance_runtime::catalog::{Catalog, CatalogModel};
use seedance_runtime::{Connection, ErasedModel};
use serde_json::Value;

use crate::cli::Global;
use crate::connect;
use crate::error::CliError;
use crate::output::Printer;
use crate::sim::Simulator;

/// The catalog models loaded by this process, with their `ModelInfo`.
static LOADED: Mutex<Vec<(&'static ModelInfo, CatalogModel)>> = Mutex::new(Vec::new());

/// A compiled model by name; else, for a `vendor/model` name of one of
/// this build's vendors, the model from that vendor's catalog (the
/// simulator's with `sim`), with one line on where its schema came from.
pub async fn resolve(
    printer: &Printer,
    global: &Global,
    name: &str,
    sim: Option<&Simulator>,
) -> Result<&'static ModelInfo, CliError> {
    let unknown = match connect::model(name) {
        Ok(info) => return Ok(info),
        Err(unknown) => unknown,
    };
    let Some((vendor, id)) = split(name) else {
        return Err(unknown);
    };
    let conn = match sim {
        Some(sim) => sim.connection(vendor, global)?,
        None => connect::remote_or_anonymous(vendor, global)?,
    };
    let (info, model) = load(&conn, vendor, id).await?;
    printer.note(&format!(
        "{name} is not compiled in: schema from {}",
        model.origin().describe()
    ));
    Ok(info)
}

/// Whether `info` is a catalog model loaded by this process.
pub fn is_catalog(info: &ModelInfo) -> bool {
    let all = LOADED.lock().unwrap_or_else(PoisonError::into_inner);
    all.iter().any(|(loaded, _)| std::ptr::eq(*loaded, info))
}

/// The JSON Schema `describe --json` shows: the generated one, or the
/// schema a catalog model was loaded from, as its vendor published it.
pub fn json_schema(info: &ModelInfo) -> Value {
    let all = LOADED.lock().unwrap_or_else(PoisonError::into_inner);
    match all.iter().find(|(loaded, _)| std::ptr::eq(*loaded, info)) {
        Some((_, model)) => model.published().clone(),
        None => serde_json::to_value((info.json_schema)()).unwrap_or_default(),
    }
}

/// `vendor/model` split at the vendor id, when the first segment names a
/// vendor of this build.
fn split(name: &str) -> Option<(&'static seedance_runtime::VendorInfo, &str)> {
    let (vendor, model) = name.split_once('/')?;
    let vendor = connect::vendors().into_iter().find(|v| v.id == vendor)?;
    Some((vendor, model))
}

/// `model` of `vendor` from its catalog over `conn`, as a `ModelInfo`.
async fn load(
    conn: &Connection,
    vendor: &'static seedance_runtime::VendorInfo,
    model: &str,
) -> Result<(&'static ModelInfo, CatalogModel), CliError> {
    let loaded = Catalog::new()
        .load(conn, vendor, model)
        .await
        .map_err(|err| CliError::Catalog(err.to_string()))?;
    let mut all = LOADED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((info, _)) = all
        .iter()
        .find(|(info, _)| info.vendor.id == vendor.id && info.model == loaded.model())
    {
        return Ok((info, loaded));
    }
    let info: &'static ModelInfo = Box::leak(Box::new(ModelInfo {
        vendor,
        model: loaded.model(),
        module: "(from the catalog)",
        summary: Box::leak(summary(&loaded).into_boxed_str()),
        json_schema: Default::default,
        parse: untyped,
        fields: loaded.fields(),
    }));
    all.push((info, loaded.clone()));
    Ok((info, loaded))
}

/// "takes prompt; optional duration, seed", as codegen writes summaries.
fn summary(model: &CatalogModel) -> String {
    let (required, optional): (Vec<_>, Vec<_>) = model
        .fields()
        .iter()
        .filter(|f| !f.hidden)
        .partition(|f| f.required);
    let names = |fs: &[&seedance_runtime::field_info::FieldInfo]| {
        fs.iter().map(|f| f.wire).collect::<Vec<_>>().join(", ")
    };
    match optional.is_empty() {
        true => format!("takes {}", names(&required)),
        false => format!("takes {}; optional {}", names(&required), names(&optional)),
    }
}

/// The `parse` of a catalog `ModelInfo`: never the way in (see [`parse`]).
fn untyped(_: Value) -> Result<Box<dyn ErasedModel>, serde_json::Error> {
    Err(serde::de::Error::custom(
        "a catalog model's input is checked against its schema (remote::parse)",
    ))
}

/// `body` as `info`'s input: the typed parse of a compiled model, the
/// interpreted one of a catalog model (the same refusals).
pub fn parse(info: &ModelInfo, body: Value) -> Result<Box<dyn ErasedModel>, serde_json::Error> {
    let all = LOADED.lock().unwrap_or_else(PoisonError::into_inner);
    match all.iter().find(|(loaded, _)| std::ptr::eq(*loaded, info)) {
        Some((_, model)) => model
            .input(body)
            .map(|input| Box::new(input) as Box<dyn ErasedModel>)
            .map_err(serde::de::Error::custom),
        None => (info.parse)(body),
    }
}
