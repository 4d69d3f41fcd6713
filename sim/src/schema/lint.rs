//! Checking the schema files themselves, as published (before
//! normalization), so every finding names the file and the JSON pointer in
//! it. Errors are what the interpreter cannot honour (an unknown keyword,
//! type, `format` or image rule, a file it cannot read, a dangling `$ref`,
//! two files naming one model); warnings are vendor mistakes that do not
//! change the wire (a default of the wrong type or outside its enum, a
//! `required` entry that names no property).
//!
//! The vocabulary (`format` values, image rules, UI hints) is
//! `seedance_dialect`'s, the one list codegen and the runtime read too; the
//! simulator is an independent oracle for behaviour, not for vocabulary.

use std::collections::BTreeSet;
use std::fmt;

use seedance_dialect::{Format, ImageRuleKind, is_ui_hint};
use serde_json::Value;

use super::load::{Store, embedded};
use super::normalize::{escape, resolve};

/// Keywords the interpreter understands or knowingly ignores (besides the
/// UI hints, [`seedance_dialect::UI_HINTS`]).
const KNOWN_KEYWORDS: &[&str] = &[
    // JSON Schema
    "type",
    "required",
    "properties",
    "enum",
    "default",
    "maxLength",
    "minLength",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "format",
    "items",
    "const",
    "title",
    "description",
    "$comment",
    "deprecated",
    "examples",
    // OpenAPI 3.0 (AI/ML API)
    "$ref",
    "allOf",
    "nullable",
    "example",
    "readOnly",
    // RunComfy
    "validations",
];

/// `type` values (`float` is RunComfy's `number`).
const TYPES: &[&str] = &[
    "string", "integer", "number", "float", "boolean", "array", "object", "null",
];

/// How bad a [`Finding`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// A vendor mistake that does not change the wire.
    Warning,
    /// Something the interpreter cannot honour.
    Error,
}

/// One problem in one schema file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// `vendor/path below the vendor folder`.
    pub file: String,
    /// JSON pointer in the file (`` for the whole file).
    pub pointer: String,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(
            f,
            "{level}: {}#{}: {}",
            self.file, self.pointer, self.message
        )
    }
}

/// Findings in the embedded schemas, errors and warnings, by file. No error
/// means the interpreter understands everything.
pub fn lint() -> Vec<Finding> {
    lint_store(embedded())
}

/// Findings in the schemas of `store`.
pub(crate) fn lint_store(store: &Store) -> Vec<Finding> {
    let mut out = Vec::new();
    for entry in store.models.values() {
        let mut linter = Linter {
            file: format!("{}/{}", entry.info.vendor, entry.info.file),
            out: &mut out,
            seen: BTreeSet::new(),
        };
        match (&entry.document, &entry.reading) {
            (Some(document), Ok(reading)) => match document.pointer(&reading.pointer) {
                Some(schema) => linter.schema(document, &reading.pointer, schema),
                None => linter.error("", "request schema not found".to_owned()),
            },
            (_, Err(error)) => linter.error(error.pointer(), error.to_string()),
            (None, Ok(_)) => linter.error("", "not valid JSON".to_owned()),
        }
    }
    for (vendor, file, model, other) in &store.duplicates {
        out.push(Finding {
            file: format!("{vendor}/{file}"),
            pointer: String::new(),
            severity: Severity::Error,
            message: format!("model {model:?} is already defined by {vendor}/{other}"),
        });
    }
    out
}

struct Linter<'a> {
    file: String,
    out: &'a mut Vec<Finding>,
    /// `$ref` targets already linted.
    seen: BTreeSet<String>,
}

impl Linter<'_> {
    fn push(&mut self, severity: Severity, pointer: &str, message: String) {
        self.out.push(Finding {
            file: self.file.clone(),
            pointer: pointer.to_owned(),
            severity,
            message,
        });
    }

    fn error(&mut self, pointer: &str, message: String) {
        self.push(Severity::Error, pointer, message);
    }

    fn warning(&mut self, pointer: &str, message: String) {
        self.push(Severity::Warning, pointer, message);
    }

    fn schema(&mut self, root: &Value, pointer: &str, schema: &Value) {
        let Some(object) = schema.as_object() else {
            self.error(pointer, "schema is not an object".to_owned());
            return;
        };
        for (keyword, value) in object {
            let here = format!("{pointer}/{}", escape(keyword));
            if !KNOWN_KEYWORDS.contains(&keyword.as_str()) && !is_ui_hint(keyword) {
                self.error(&here, format!("unknown keyword {keyword:?}"));
            }
            match keyword.as_str() {
                "properties" => {
                    for (name, property) in value.as_object().into_iter().flatten() {
                        self.schema(root, &format!("{here}/{}", escape(name)), property);
                    }
                }
                "items" => self.schema(root, &here, value),
                "allOf" => {
                    for (index, member) in value.as_array().into_iter().flatten().enumerate() {
                        self.schema(root, &format!("{here}/{index}"), member);
                    }
                }
                "$ref" => self.reference(root, &here, value),
                "type" => self.types(&here, value),
                "format" if value.as_str().and_then(Format::from_schema).is_none() => {
                    self.error(&here, format!("unknown format {value}"));
                }
                "validations" => self.validations(&here, value),
                _ => {}
            }
        }
        self.mistakes(pointer, object);
    }

    fn reference(&mut self, root: &Value, here: &str, value: &Value) {
        let target = value.as_str().unwrap_or_default();
        match resolve(root, target) {
            None => self.error(
                here,
                format!("$ref {value} does not resolve in this document"),
            ),
            Some(resolved) => {
                if self.seen.insert(target.to_owned()) {
                    self.schema(root, target.trim_start_matches('#'), resolved);
                }
            }
        }
    }

    fn types(&mut self, here: &str, value: &Value) {
        let listed: Vec<&Value> = match value {
            Value::Array(types) => types.iter().collect(),
            other => vec![other],
        };
        for ty in listed {
            if !ty.as_str().is_some_and(|t| TYPES.contains(&t)) {
                self.error(here, format!("unknown type {ty}"));
            }
        }
    }

    fn validations(&mut self, here: &str, value: &Value) {
        let Some(entries) = value.as_array() else {
            self.error(here, "validations is not an array".to_owned());
            return;
        };
        for (index, entry) in entries.iter().enumerate() {
            let rule = entry.get("validation_rule").and_then(Value::as_str);
            let known = rule.and_then(ImageRuleKind::from_schema).is_some();
            let limit = entry.get("validation_value").and_then(Value::as_f64);
            if !known || limit.is_none() {
                self.error(
                    &format!("{here}/{index}"),
                    format!(
                        "unknown image rule {}",
                        entry.get("validation_rule").unwrap_or(&Value::Null)
                    ),
                );
            }
        }
    }

    /// Vendor mistakes that do not change the wire.
    fn mistakes(&mut self, pointer: &str, object: &serde_json::Map<String, Value>) {
        if let Some(default) = object.get("default").filter(|d| !d.is_null()) {
            let here = format!("{pointer}/default");
            let types: Vec<&str> = match object.get("type") {
                Some(Value::String(t)) => vec![t.as_str()],
                Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if !types.is_empty() && !types.iter().any(|t| fits(default, t)) {
                self.warning(
                    &here,
                    format!("default {default} is not of type {}", types.join(" or ")),
                );
            } else if let Some(options) = object.get("enum").and_then(Value::as_array) {
                if !options.contains(default) {
                    self.warning(&here, format!("default {default} is not one of the enum"));
                }
            }
        }
        let properties = object.get("properties").and_then(Value::as_object);
        if let (Some(required), Some(properties)) =
            (object.get("required").and_then(Value::as_array), properties)
        {
            for (index, name) in required.iter().enumerate() {
                if !name
                    .as_str()
                    .is_some_and(|name| properties.contains_key(name))
                {
                    self.warning(
                        &format!("{pointer}/required/{index}"),
                        format!("required {name} names no property"),
                    );
                }
            }
        }
    }
}

fn fits(value: &Value, ty: &str) -> bool {
    match ty {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" | "float" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use seedance_dialect::{Format, ImageRuleKind, UI_HINTS};
    use serde_json::json;

    use super::super::{ImageFacts, ImageRule, check_image, lint_file, media_kinds};
    use super::Severity;

    /// The simulator keeps its own interpreter (it is the oracle the generated
    /// validators are tested against) but must honour every format and image
    /// rule codegen and the runtime know.
    #[test]
    fn the_interpreter_covers_the_shared_vocabulary() {
        for format in Format::ALL {
            assert!(media_kinds(format.as_str()).is_some(), "{format:?}");
        }
        let facts = ImageFacts {
            width: 10,
            height: 10,
            file_size: 10,
        };
        for kind in ImageRuleKind::ALL {
            // A limit the image keeps: an unknown rule is reported broken.
            let limit = if kind.is_upper_bound() { 1e12 } else { 0.0 };
            let rule = ImageRule {
                rule: kind.as_str().to_owned(),
                limit,
                message: String::new(),
            };
            assert_eq!(check_image("image", &facts, &[rule]), vec![], "{kind:?}");
        }
    }

    /// A file using every format, image rule and UI hint of the dialect
    /// lints clean; one word outside it is an error.
    #[test]
    fn the_lint_takes_the_dialect_vocabulary() {
        let mut properties = serde_json::Map::new();
        for format in Format::ALL {
            let field = json!({ "type": "string", "format": format.as_str() });
            properties.insert(format.as_str().to_owned(), field);
        }
        let rules: Vec<_> = ImageRuleKind::ALL
            .into_iter()
            .map(|kind| json!({ "validation_rule": kind.as_str(), "validation_value": 1 }))
            .collect();
        properties.insert(
            "image".to_owned(),
            json!({ "type": "string", "validations": rules }),
        );
        let mut hinted = json!({ "type": "string" });
        for hint in UI_HINTS {
            hinted[hint] = json!(null);
        }
        properties.insert("hinted".to_owned(), hinted);
        let schema = json!({ "type": "object", "properties": properties });
        let errors: Vec<String> = lint_file("runcomfy", "a/b.json", &schema.to_string())
            .into_iter()
            .filter(|finding| finding.severity == Severity::Error)
            .map(|finding| finding.to_string())
            .collect();
        assert_eq!(errors, Vec::<String>::new());

        for (field, bad) in [
            ("format", json!({ "type": "string", "format": "date-time" })),
            (
                "validations",
                json!({ "type": "string", "validations": [
                    { "validation_rule": "duration_seconds<", "validation_value": 1 }
                ] }),
            ),
            ("x-unknown", json!({ "type": "string", "x-unknown": 1 })),
        ] {
            let schema = json!({ "type": "object", "properties": { "f": bad } });
            let findings = lint_file("runcomfy", "a/b.json", &schema.to_string());
            assert!(
                findings
                    .iter()
                    .any(|finding| finding.severity == Severity::Error),
                "{field}: {findings:?}"
            );
        }
    }
}
