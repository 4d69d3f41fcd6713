//! The model catalog of one simulator: the schema files it validates submits
//! against and serves from its catalog endpoints (module `serve`), starting
//! as the files embedded from `schemas/` and changeable at run time by a
//! test ([`Catalog`]) or over HTTP (module `admin`), so `cargo xtask pull`
//! can be tested against a vendor that changed a schema.

pub(crate) mod admin;
pub(crate) mod serve;

use std::collections::BTreeSet;
use std::sync::{Arc, RwLock};

use serde_json::Value;

use crate::protocols::Vendor;
use crate::schema::{self, Entry, Finding, Store};

/// The base price `vendor`'s catalog lists, in USD, and its unit as
/// RunComfy spells it (from the simulator's price table, `ledger::PRICES`;
/// made up, as the schemas carry none). WaveSpeed's `base_price` is the
/// price of a default (5 s) video.
pub(crate) fn base_price(vendor: Vendor) -> (f64, &'static str) {
    let (micros, unit) = crate::ledger::base(vendor);
    let unit = match unit {
        crate::ledger::Unit::PerRequest => "per_request",
        crate::ledger::Unit::PerSeconds(_) => "per_video",
    };
    (crate::ledger::usd(micros), unit)
}

/// Why a catalog change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// A model id that cannot be a file path below the vendor folder.
    #[error("invalid model id {0:?}: expected non-empty `/`-separated segments, no `.` or `..`")]
    InvalidModelId(String),
    /// A file path that cannot hold a model schema.
    #[error(
        "invalid schema file {0:?}: expected a relative path ending in .json (not vendor.json or lock.json)"
    )]
    InvalidFile(String),
    /// An AI/ML API document whose `model` enum names another model.
    #[error("the document names model {document:?}, not {given:?}")]
    ModelMismatch {
        /// The model id given.
        given: String,
        /// The model id in the document.
        document: String,
    },
    /// Another model's document is already served under that file name.
    #[error("file name {file:?} is already used by model {model:?}")]
    FileTaken {
        /// The file name (AI/ML API documents are served by file name).
        file: String,
        /// The model that has it.
        model: String,
    },
}

/// The catalog of one simulator (`Sim::catalog`). Cloning gives another
/// handle on the same catalog. Changes apply to the catalog endpoints and to
/// the validation of submits from the next request on.
#[derive(Debug, Clone)]
pub struct Catalog {
    store: Arc<RwLock<Store>>,
}

impl Catalog {
    /// A catalog of its own holding the embedded schemas (one per simulator).
    pub(crate) fn from_embedded() -> Catalog {
        Catalog {
            store: Arc::new(RwLock::new(schema::embedded().clone())),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds or replaces the schema of `model`: `schema` is the file as the
    /// vendor publishes it (RunComfy's `input_schema`, WaveSpeed's
    /// `request_schema`, the AI/ML API's whole OpenAPI document, whose
    /// `model` enum must name `model`). It is stored pretty-printed, in its
    /// key order. Returns the file path below the vendor folder: for the
    /// AI/ML API an existing model keeps its file, a new one gets the last
    /// segment of its id in the folder of the others.
    ///
    /// A schema the interpreter cannot read is stored and served all the
    /// same (to test how a client takes it); submits to it get a 500.
    pub fn set_schema(
        &self,
        vendor: Vendor,
        model: &str,
        schema: Value,
    ) -> Result<String, CatalogError> {
        check_model_id(model)?;
        let text = serde_json::to_string_pretty(&schema).unwrap_or_else(|_| schema.to_string());
        let mut store = self.write();
        let file = match store.entry(vendor.id(), model) {
            Some(existing) => existing.info.file.clone(),
            None => new_file(&store, vendor, model),
        };
        let mut entry = Entry::read(vendor.id(), &file, Arc::from(text));
        match entry.reading.as_ref().ok().and_then(|r| r.model.as_deref()) {
            Some(named) if named != model => {
                return Err(CatalogError::ModelMismatch {
                    given: model.to_owned(),
                    document: named.to_owned(),
                });
            }
            _ => entry.info.model = model.to_owned(),
        }
        insert(&mut store, vendor, entry)?;
        Ok(file)
    }

    /// Adds or replaces a model file by its path below the vendor folder and
    /// its exact text (which need not be valid JSON: a broken file is served
    /// as it is). Returns the model id the file names (from the path, or the
    /// AI/ML API document's `model` enum, or its file stem if it has none).
    /// The model the file held before, if another, is gone with it.
    pub fn set_file(&self, vendor: Vendor, file: &str, text: &str) -> Result<String, CatalogError> {
        let valid = file.ends_with(".json")
            && !matches!(file, schema::MANIFEST | schema::LOCK)
            && check_model_id(file).is_ok();
        if !valid {
            return Err(CatalogError::InvalidFile(file.to_owned()));
        }
        let entry = Entry::read(vendor.id(), file, Arc::from(text));
        let model = entry.info.model.clone();
        let mut store = self.write();
        let before = store.clone();
        store
            .models
            .retain(|(v, _), other| v != vendor.id() || other.info.file != file);
        if let Err(error) = insert(&mut store, vendor, entry) {
            *store = before;
            return Err(error);
        }
        Ok(model)
    }

    /// Removes `model`; false when there was no such model.
    pub fn remove(&self, vendor: Vendor, model: &str) -> bool {
        self.write()
            .models
            .remove(&(vendor.id().to_owned(), model.to_owned()))
            .is_some()
    }

    /// Back to the embedded schemas.
    pub fn reset(&self) {
        *self.write() = schema::embedded().clone();
    }

    /// The model ids of `vendor`, sorted.
    pub fn models(&self, vendor: Vendor) -> Vec<String> {
        self.read()
            .of_vendor(vendor.id())
            .map(|entry| entry.info.model.clone())
            .collect()
    }

    /// The stored file of `model`, parsed (`None` when unknown or not JSON).
    pub fn schema(&self, vendor: Vendor, model: &str) -> Option<Value> {
        self.entry(vendor, model)?.document.clone()
    }

    /// The stored file text of `model`, byte for byte.
    pub fn text(&self, vendor: Vendor, model: &str) -> Option<Arc<str>> {
        Some(self.entry(vendor, model)?.info.text.clone())
    }

    /// The path of `model`'s file below the vendor folder.
    pub fn file(&self, vendor: Vendor, model: &str) -> Option<String> {
        Some(self.entry(vendor, model)?.info.file.clone())
    }

    /// Lint findings for the current files (see [`schema::lint`]).
    pub fn lint(&self) -> Vec<Finding> {
        schema::lint_store(&self.read())
    }

    pub(crate) fn entry(&self, vendor: Vendor, model: &str) -> Option<Arc<Entry>> {
        self.read().entry(vendor.id(), model).cloned()
    }

    /// Every entry of `vendor`, by model id.
    pub(crate) fn entries(&self, vendor: Vendor) -> Vec<Arc<Entry>> {
        self.read().of_vendor(vendor.id()).cloned().collect()
    }

    /// The parsed `vendor.json` of `vendor`.
    pub(crate) fn manifest(&self, vendor: Vendor) -> Option<Value> {
        self.read().vendors.get(vendor.id()).cloned().flatten()
    }

    /// The entry of `vendor` whose file name (last path segment) is `name`.
    pub(crate) fn by_file_name(&self, vendor: Vendor, name: &str) -> Option<Arc<Entry>> {
        self.read()
            .of_vendor(vendor.id())
            .find(|entry| file_name(&entry.info.file) == name)
            .cloned()
    }

    /// The submit paths the files of `vendor` name (AI/ML API documents).
    pub(crate) fn submit_paths(&self, vendor: Vendor) -> BTreeSet<String> {
        self.read()
            .of_vendor(vendor.id())
            .filter_map(|entry| entry.reading.as_ref().ok()?.submit_path.clone())
            .collect()
    }
}

fn file_name(file: &str) -> &str {
    file.rsplit('/').next().unwrap_or(file)
}

fn check_model_id(model: &str) -> Result<(), CatalogError> {
    let valid = !model.is_empty()
        && model
            .split('/')
            .all(|segment| !segment.is_empty() && segment != "." && segment != "..")
        && !model.contains('\\');
    if valid {
        Ok(())
    } else {
        Err(CatalogError::InvalidModelId(model.to_owned()))
    }
}

/// True when `model` passes the id rule of the admin route (`PUT
/// /sim/catalog/{vendor}/{model}`): the shared rule
/// (`seedance_dialect::model_id_problem`), and each segment is also ASCII letters, digits, `.`, `-` and `_` and does not
/// start with `.`. An id added over HTTP becomes a submit path and a file name as it is, so
/// nothing in it may need escaping (`%`, `?`, `#`, spaces, controls) or
/// climb out (`..`, `%2e%2e` once decoded, `\\`). The library API
/// ([`Catalog::set_schema`]) keeps the looser rule, so a test can still
/// play a vendor whose catalog lists such an id.
pub(crate) fn is_plain_model_id(model: &str) -> bool {
    seedance_dialect::model_id_problem(model).is_none()
        && model.split('/').all(|segment| {
            !segment.starts_with('.')
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        })
}

/// The file a new model gets: its id as a path (RunComfy, WaveSpeed), or
/// for the AI/ML API the last segment of its id in the folder of the other
/// documents.
fn new_file(store: &Store, vendor: Vendor, model: &str) -> String {
    if vendor != Vendor::AimlApi {
        return format!("{model}.json");
    }
    let folder = store.of_vendor(vendor.id()).find_map(|entry| {
        entry
            .info
            .file
            .rsplit_once('/')
            .map(|(dir, _)| dir.to_owned())
    });
    let stem = file_name(model);
    match folder {
        Some(folder) => format!("{folder}/{stem}.json"),
        None => format!("{stem}.json"),
    }
}

/// Puts `entry` in place of the model it names; an AI/ML API document may
/// not take the file name of another model's document.
fn insert(store: &mut Store, vendor: Vendor, entry: Entry) -> Result<(), CatalogError> {
    let model = entry.info.model.clone();
    let name = file_name(&entry.info.file).to_owned();
    let clash = store.of_vendor(vendor.id()).find(|other| {
        other.info.model != model
            && (other.info.file == entry.info.file
                || (vendor == Vendor::AimlApi && file_name(&other.info.file) == name))
    });
    if let Some(other) = clash {
        return Err(CatalogError::FileTaken {
            file: entry.info.file.clone(),
            model: other.info.model.clone(),
        });
    }
    store
        .models
        .insert((vendor.id().to_owned(), model), Arc::new(entry));
    Ok(())
}
