//! Loading the schemas embedded at build time (`build.rs` writes one
//! `include_str!` per file under `schemas/`): the list of models, each
//! model's parsed input schema and each vendor's `vendor.json`. What the
//! schemas mean is the business of the interpreter ([`super`]).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::Value;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/schemas.rs"));
}

/// The vendor has no embedded schema for that model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown model {model:?} for vendor {vendor:?}")]
pub struct UnknownModel {
    /// Vendor id as asked.
    pub vendor: String,
    /// Model path as asked.
    pub model: String,
}

/// One embedded model schema.
#[derive(Debug, Clone, Copy)]
pub struct ModelSchema {
    /// Vendor id: the folder under `schemas/` (`runcomfy`, `aimlapi`, `wavespeed`).
    pub vendor: &'static str,
    /// Model path: the file path below the vendor folder, without `.json`.
    pub model: &'static str,
    /// The schema file's text.
    pub text: &'static str,
}

pub(super) struct Loaded {
    pub(super) models: Vec<(ModelSchema, Option<Value>)>,
    vendors: BTreeMap<&'static str, Option<Value>>,
}

pub(super) fn loaded() -> &'static Loaded {
    static LOADED: OnceLock<Loaded> = OnceLock::new();
    LOADED.get_or_init(|| {
        let mut models = Vec::new();
        let mut vendors = BTreeMap::new();
        for &(vendor, model, text) in embedded::EMBEDDED {
            let value = serde_json::from_str::<Value>(text).ok();
            if model.is_empty() {
                vendors.insert(vendor, value);
            } else {
                models.push((
                    ModelSchema {
                        vendor,
                        model,
                        text,
                    },
                    value,
                ));
            }
        }
        Loaded { models, vendors }
    })
}

/// Every embedded model schema, sorted by vendor then model path.
pub fn models() -> Vec<ModelSchema> {
    loaded().models.iter().map(|(schema, _)| *schema).collect()
}

/// The vendor ids that have a `vendor.json`.
pub fn vendors() -> Vec<&'static str> {
    loaded().vendors.keys().copied().collect()
}

/// A vendor's parsed `vendor.json`.
pub fn vendor_manifest(vendor: &str) -> Option<&'static Value> {
    loaded().vendors.get(vendor).and_then(Option::as_ref)
}

/// A model's parsed input schema.
pub fn schema(vendor: &str, model: &str) -> Option<&'static Value> {
    loaded()
        .models
        .iter()
        .find(|(s, _)| s.vendor == vendor && s.model == model)
        .and_then(|(_, value)| value.as_ref())
}

pub(super) fn schema_or_unknown(vendor: &str, model: &str) -> Result<&'static Value, UnknownModel> {
    schema(vendor, model).ok_or_else(|| UnknownModel {
        vendor: vendor.to_owned(),
        model: model.to_owned(),
    })
}
