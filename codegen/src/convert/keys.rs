//! The dialect's keyword lists and the small JSON readers every conversion
//! step uses; each failure becomes an error at the node's JSON pointer.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::{Error, Location, Problem};

pub(super) const MANIFEST_KEYS: &[&str] = &[
    "$comment",
    "name",
    "protocol",
    "base_url",
    "token_env",
    "submit_path",
    "output_schema",
];
pub(super) const MODEL_KEYS: &[&str] = &[
    "$comment",
    "type",
    "title",
    "description",
    "required",
    "properties",
];
pub(super) const FIELD_KEYS: &[&str] = &[
    "$comment",
    "title",
    "description",
    "type",
    "default",
    "deprecated",
    "enum",
    "const",
    "maxLength",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "format",
    "items",
    "validations",
];
pub(super) const ITEM_KEYS: &[&str] = &["$comment", "type", "format", "maxLength"];
pub(super) const RULE_KEYS: &[&str] = &["validation_rule", "validation_value", "validation_error"];

/// Keywords any typed field may carry.
pub(super) const FIELD_KEYS_COMMON: &[&str] = &[
    "$comment",
    "title",
    "description",
    "type",
    "default",
    "deprecated",
];

/// Text that is an untranslated page placeholder, not documentation.
pub(super) const PLACEHOLDER_MARK: &str = "modelApiDoc_";

/// Records `rust` as taken in one scope; a second claim is a collision.
pub(super) fn claim(
    at: &Location,
    taken: &mut BTreeMap<String, String>,
    rust: &str,
    schema_name: &str,
) -> Result<(), Error> {
    match taken.insert(rust.to_owned(), schema_name.to_owned()) {
        None => Ok(()),
        Some(first) => Err(at.error(Problem::NameCollision {
            first,
            second: schema_name.to_owned(),
            rust: rust.to_owned(),
        })),
    }
}

/// `title`/`description` as documentation: `None` when empty or an untranslated placeholder.
pub(super) fn doc_text(
    at: &Location,
    node: &Map<String, Value>,
    key: &str,
) -> Result<Option<String>, Error> {
    match node.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => {
            let s = s.trim();
            Ok((!s.is_empty() && !s.contains(PLACEHOLDER_MARK)).then(|| s.to_owned()))
        }
        Some(other) => Err(wrong(&at.child(key), "a string", other)),
    }
}

pub(super) fn check_keys(
    at: &Location,
    node: &Map<String, Value>,
    known: &[&str],
) -> Result<(), Error> {
    match node.keys().find(|key| !known.contains(&key.as_str())) {
        None => Ok(()),
        Some(key) => Err(at.child(key).error(Problem::UnknownKeyword {
            keyword: key.clone(),
            known: known.join(", "),
        })),
    }
}

pub(super) fn object<'a>(at: &Location, value: &'a Value) -> Result<&'a Map<String, Value>, Error> {
    value
        .as_object()
        .ok_or_else(|| wrong(at, "an object", value))
}

pub(super) fn required_str<'a>(
    at: &Location,
    node: &'a Map<String, Value>,
    key: &'static str,
) -> Result<&'a str, Error> {
    let value = node
        .get(key)
        .ok_or_else(|| at.error(Problem::Missing(key)))?;
    value
        .as_str()
        .ok_or_else(|| wrong(&at.child(key), "a string", value))
}

pub(super) fn optional<T>(
    at: &Location,
    node: &Map<String, Value>,
    key: &str,
    read: fn(&Value) -> Option<T>,
    expected: &'static str,
) -> Result<Option<T>, Error> {
    node.get(key)
        .map(|value| read(value).ok_or_else(|| wrong(&at.child(key), expected, value)))
        .transpose()
}

pub(super) fn wrong(at: &Location, expected: &'static str, found: &Value) -> Error {
    let text = found.to_string();
    let mut found: String = text.chars().take(80).collect();
    if found.len() < text.len() {
        found.push_str("...");
    }
    at.error(Problem::WrongShape { expected, found })
}
