//! An untyped input of a catalog model: checked as the compiled model
//! checks its typed input (`crate::interpret`, the same rules and
//! violations), sent as given.

use std::sync::Arc;

use serde_json::Value;

use super::Schema;
use crate::image_rules::ImageInput;
use crate::interpret::{self, InputError};
use crate::model::{ErasedModel, VendorInfo};
use crate::validation::{FieldPath, ValidationErrors};

/// A catalog model's input that passed the typed checks (`parse`): every
/// field known, required ones set, each of its type.
#[derive(Debug, Clone)]
pub struct CatalogInput {
    schema: Arc<Schema>,
    value: Value,
}

impl CatalogInput {
    pub(super) fn new(schema: Arc<Schema>, value: Value) -> Result<Self, InputError> {
        interpret::parse(&schema.ir, &value)?;
        Ok(CatalogInput { schema, value })
    }

    /// The input as it will be sent.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The value at `wire` (a top-level field) or at item `index` of it.
    fn uri_at(&self, wire: &str, index: Option<usize>) -> Option<&str> {
        let value = self.value.get(wire)?;
        match index {
            Some(i) => value.get(i)?.as_str(),
            None => value.as_str(),
        }
    }
}

/// `images[2]` -> (`images`, Some(2)); `image_url` -> (`image_url`, None).
fn split_path(path: &str) -> (&str, Option<usize>) {
    match path.strip_suffix(']').and_then(|p| p.rsplit_once('[')) {
        Some((wire, index)) => (wire, index.parse().ok()),
        None => (path, None),
    }
}

impl ErasedModel for CatalogInput {
    fn model(&self) -> &'static str {
        self.schema.model
    }

    fn submit_path(&self) -> &'static str {
        self.schema.submit_path
    }

    fn vendor(&self) -> VendorInfo {
        self.schema.vendor
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        self.schema.checks.validate(&self.value)
    }

    fn image_inputs(&self) -> Vec<ImageInput<'_>> {
        interpret::image_inputs(&self.schema.ir, &self.value)
            .iter()
            .filter_map(|target| {
                let (wire, index) = split_path(&target.field);
                let (wire, rules) = self.schema.image_rules.iter().find(|(w, _)| *w == wire)?;
                let uri = self.uri_at(wire, index)?;
                let field = match index {
                    Some(i) => FieldPath::Item(wire, i),
                    None => FieldPath::Field(wire),
                };
                Some(ImageInput::new(field, uri, rules))
            })
            .collect()
    }

    fn to_body(&self) -> serde_json::Result<Vec<u8>> {
        serde_json::to_vec(&self.value)
    }
}
