//! The schema store: model files by vendor and model id, with what the
//! interpreter reads out of each ([`super::published`]), and each vendor's
//! `vendor.json`. [`embedded`] is the store built from the files embedded at
//! build time (`build.rs` writes one `include_str!` per file under
//! `schemas/`); a simulator starts from a copy of it and may change its copy
//! (see `crate::catalog`).

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use super::published::{self, FormError, Reading};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/schemas.rs"));
}

/// The file of a vendor folder that is its manifest, not a model.
pub(crate) const MANIFEST: &str = "vendor.json";
/// The file of a vendor folder that is provenance, not a model.
pub(crate) const LOCK: &str = "lock.json";

/// The embedded `vendor.json` text of `vendor` (read without the store, so
/// reading a model file can consult it while the store is being built).
pub(crate) fn embedded_manifest(vendor: &str) -> Option<&'static str> {
    embedded::EMBEDDED
        .iter()
        .find(|&&(v, file, _)| v == vendor && file == MANIFEST)
        .map(|&(_, _, text)| text)
}

/// The vendor has no schema for that model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown model {model:?} for vendor {vendor:?}")]
pub struct UnknownModel {
    /// Vendor id as asked.
    pub vendor: String,
    /// Model id as asked.
    pub model: String,
}

/// One model schema file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelSchema {
    /// Vendor id: the folder under `schemas/` (`runcomfy`, `aimlapi`, `wavespeed`).
    pub vendor: String,
    /// Model id: the file path without `.json` (RunComfy, WaveSpeed) or the
    /// document's `model` enum (AI/ML API).
    pub model: String,
    /// The file's path below the vendor folder (`ByteDance/seedance-2-0.json`).
    pub file: String,
    /// The file's text, as stored.
    pub text: Arc<str>,
}

/// One model file with its parsed JSON and what the interpreter reads from it.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) info: ModelSchema,
    /// The parsed file (`None` when it is not JSON).
    pub(crate) document: Option<Value>,
    pub(crate) reading: Result<Reading, FormError>,
}

impl Entry {
    /// Reads `text`, the file `file` of `vendor`.
    pub(crate) fn read(vendor: &str, file: &str, text: Arc<str>) -> Entry {
        let document = serde_json::from_str::<Value>(&text);
        let reading = match &document {
            Ok(document) => published::read(vendor, document),
            Err(e) => Err(FormError::NotJson(e.to_string())),
        };
        let model = match &reading {
            Ok(Reading {
                model: Some(model), ..
            }) => model.clone(),
            _ => file.strip_suffix(".json").unwrap_or(file).to_owned(),
        };
        Entry {
            info: ModelSchema {
                vendor: vendor.to_owned(),
                model,
                file: file.to_owned(),
                text,
            },
            document: document.ok(),
            reading,
        }
    }

    /// The normalized request schema, when the file could be read.
    pub(crate) fn schema(&self) -> Option<&Value> {
        self.reading.as_ref().ok().map(|reading| &reading.schema)
    }
}

/// Model files and manifests of every vendor.
#[derive(Debug, Clone, Default)]
pub(crate) struct Store {
    /// By `(vendor id, model id)`.
    pub(crate) models: BTreeMap<(String, String), Arc<Entry>>,
    /// Parsed `vendor.json` by vendor id (`None` when not JSON).
    pub(crate) vendors: BTreeMap<String, Option<Value>>,
    /// Files that name a model another file already names:
    /// `(vendor, file, model, the other file)`.
    pub(crate) duplicates: Vec<(String, String, String, String)>,
}

impl Store {
    /// Adds one file of a vendor folder: manifest, lock file (skipped) or model.
    pub(crate) fn add_file(&mut self, vendor: &str, file: &str, text: Arc<str>) {
        if file == MANIFEST {
            self.vendors
                .insert(vendor.to_owned(), serde_json::from_str(&text).ok());
            return;
        }
        if file == LOCK {
            return;
        }
        let entry = Entry::read(vendor, file, text);
        let key = (vendor.to_owned(), entry.info.model.clone());
        if let Some(existing) = self.models.get(&key) {
            self.duplicates.push((
                vendor.to_owned(),
                file.to_owned(),
                key.1,
                existing.info.file.clone(),
            ));
            return;
        }
        self.models.insert(key, Arc::new(entry));
    }

    pub(crate) fn entry(&self, vendor: &str, model: &str) -> Option<&Arc<Entry>> {
        self.models.get(&(vendor.to_owned(), model.to_owned()))
    }

    /// The models of one vendor, by model id.
    pub(crate) fn of_vendor<'a>(&'a self, vendor: &'a str) -> impl Iterator<Item = &'a Arc<Entry>> {
        self.models
            .iter()
            .filter(move |((v, _), _)| v == vendor)
            .map(|(_, entry)| entry)
    }
}

/// The store of the files embedded at build time.
pub(crate) fn embedded() -> &'static Store {
    static EMBEDDED: OnceLock<Store> = OnceLock::new();
    EMBEDDED.get_or_init(|| {
        let mut store = Store::default();
        for &(vendor, file, text) in embedded::EMBEDDED {
            store.add_file(vendor, file, Arc::from(text));
        }
        store
    })
}

/// Every embedded model schema, sorted by vendor then model id.
pub fn models() -> Vec<ModelSchema> {
    embedded()
        .models
        .values()
        .map(|entry| entry.info.clone())
        .collect()
}

/// The vendor ids that have a `vendor.json`.
pub fn vendors() -> Vec<&'static str> {
    embedded().vendors.keys().map(String::as_str).collect()
}

/// A vendor's parsed `vendor.json`.
pub fn vendor_manifest(vendor: &str) -> Option<&'static Value> {
    embedded().vendors.get(vendor).and_then(Option::as_ref)
}

/// A model's request schema as the interpreter sees it: extracted from the
/// vendor's published form and normalized (`$ref` resolved, `float` a
/// `number`, ...; see `normalize`). `None` for an unknown model or a file
/// the interpreter cannot read (see [`super::lint`]).
pub fn schema(vendor: &str, model: &str) -> Option<&'static Value> {
    embedded()
        .entry(vendor, model)
        .and_then(|entry| entry.schema())
}

pub(super) fn schema_or_unknown(vendor: &str, model: &str) -> Result<&'static Value, UnknownModel> {
    schema(vendor, model).ok_or_else(|| UnknownModel {
        vendor: vendor.to_owned(),
        model: model.to_owned(),
    })
}
