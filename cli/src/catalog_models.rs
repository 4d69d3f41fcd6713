//! The catalog models this process has loaded (`crate::remote`), found by
//! name as compiled ones are. Each gets a `ModelInfo` like a compiled one
//! (vendor, id, fields), made once and kept for the process, so every
//! command takes it as it takes any model. `ModelInfo::parse` is a plain
//! `fn` that cannot hold a schema, so a catalog model's input is made here
//! ([`parse`]): every place that turns a body into a model goes through it.

use std::sync::{Mutex, PoisonError};

use seedance::catalog::ModelInfo;
use seedance_runtime::catalog::CatalogModel;
use seedance_runtime::{ErasedModel, VendorInfo};
use serde_json::Value;

/// The catalog models loaded by this process, with their `ModelInfo`.
static LOADED: Mutex<Vec<(&'static ModelInfo, CatalogModel)>> = Mutex::new(Vec::new());

/// `model`'s `ModelInfo`, made on its first load.
pub fn register(vendor: &'static VendorInfo, model: &CatalogModel) -> &'static ModelInfo {
    let mut all = LOADED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((info, _)) = all
        .iter()
        .find(|(info, _)| info.vendor.id == vendor.id && info.model == model.model())
    {
        return info;
    }
    let info: &'static ModelInfo = Box::leak(Box::new(ModelInfo {
        vendor,
        model: model.model(),
        module: "(from the catalog)",
        summary: Box::leak(summary(model).into_boxed_str()),
        json_schema: Default::default,
        parse: untyped,
        fields: model.fields(),
    }));
    all.push((info, model.clone()));
    info
}

/// A loaded catalog model by its `vendor/model` name.
pub fn find(name: &str) -> Option<&'static ModelInfo> {
    let all = LOADED.lock().unwrap_or_else(PoisonError::into_inner);
    all.iter().map(|(info, _)| *info).find(|info| {
        name.strip_prefix(info.vendor.id)
            .and_then(|r| r.strip_prefix('/'))
            == Some(info.model)
    })
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
        "a catalog model's input is checked against its schema (catalog_models::parse)",
    ))
}

/// `body` as `info`'s input: the typed parse of a compiled model, the
/// interpreted one of a catalog model (the same refusals).
pub fn parse(info: &ModelInfo, body: Value) -> Result<Box<dyn ErasedModel>, serde_json::Error> {
    match loaded(info) {
        Some(model) => model
            .input(body)
            .map(|input| Box::new(input) as Box<dyn ErasedModel>)
            .map_err(serde::de::Error::custom),
        None => (info.parse)(body),
    }
}

/// Whether `info` is a catalog model loaded by this process.
pub fn is_catalog(info: &ModelInfo) -> bool {
    loaded(info).is_some()
}

/// The JSON Schema `describe --json` shows: the generated one, or the
/// schema a catalog model was loaded from, as its vendor published it.
pub fn json_schema(info: &ModelInfo) -> Value {
    match loaded(info) {
        Some(model) => model.published().clone(),
        None => serde_json::to_value((info.json_schema)()).unwrap_or_default(),
    }
}

/// The catalog model `info` was registered for, if it is one.
fn loaded(info: &ModelInfo) -> Option<CatalogModel> {
    let all = LOADED.lock().unwrap_or_else(PoisonError::into_inner);
    all.iter()
        .find(|(loaded, _)| std::ptr::eq(*loaded, info))
        .map(|(_, model)| model.clone())
}
