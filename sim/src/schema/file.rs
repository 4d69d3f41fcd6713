//! One model file read on its own, as the simulator reads the files under
//! `schemas/`: what a test uses to check the interpreter on a fixture, and
//! what a tool uses to check a file before dropping it into `schemas/`.

use std::sync::Arc;

use serde_json::Value;

use super::load::{Entry, Store};
use super::published::FormError;
use super::{Finding, ImageCheck, Problem, image_checks_in, lint_store};

/// A model file of one vendor, read and normalized.
#[derive(Debug, Clone)]
pub struct ModelFile {
    model: String,
    submit_path: Option<String>,
    schema: Value,
}

impl ModelFile {
    /// Reads `text` as the file `file` (path below the vendor folder) of
    /// `vendor` (`runcomfy`, `aimlapi`, `wavespeed`).
    pub fn read(vendor: &str, file: &str, text: &str) -> Result<ModelFile, FormError> {
        let entry = Entry::read(vendor, file, Arc::from(text));
        let reading = entry.reading?;
        Ok(ModelFile {
            model: entry.info.model,
            submit_path: reading.submit_path,
            schema: reading.schema,
        })
    }

    /// The model id (the file path without `.json`, or the AI/ML API
    /// document's `model` enum).
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The submit path the file names (AI/ML API documents).
    pub fn submit_path(&self) -> Option<&str> {
        self.submit_path.as_deref()
    }

    /// The request schema as the interpreter sees it.
    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// Like [`super::validate_local`].
    pub fn validate(&self, input: &Value) -> Vec<Problem> {
        super::check(&self.schema, input)
    }

    /// Like [`super::image_checks`].
    pub fn image_checks(&self, input: &Value) -> Vec<ImageCheck> {
        image_checks_in(&self.schema, input)
    }
}

/// Lint findings for one file (see [`super::lint`]).
pub fn lint_file(vendor: &str, file: &str, text: &str) -> Vec<Finding> {
    let mut store = Store::default();
    store.add_file(vendor, file, Arc::from(text));
    lint_store(&store)
}
