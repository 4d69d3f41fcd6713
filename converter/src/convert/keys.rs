//! The keywords codegen understands, where, and the small JSON readers every
//! conversion step uses; each failure becomes an error at the node's pointer.
//!
//! Three published shapes share one keyword set: RunComfy's JSON Schema with
//! `validations`, WaveSpeed's catalog `request_schema` (JSON Schema plus the
//! [`UI_HINTS`]), and the AI/ML API's OpenAPI 3.0 documents (JSON Schema plus
//! [`OPENAPI_KEYS`]). A keyword outside these lists is an error: nothing is
//! dropped silently.

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
    "catalog_url",
    "catalog_list_url",
    "catalog_prefix",
    "media_fields",
    "output_schema",
];

/// Keywords of a request schema (the input object).
pub(super) const MODEL_KEYS: &[&str] = &[
    "$comment",
    "type",
    "title",
    "description",
    "required",
    "properties",
    "x-order-properties",
];

/// Keywords any field may carry, whatever its type.
pub(super) const FIELD_KEYS_COMMON: &[&str] = &[
    "$comment",
    "title",
    "description",
    "type",
    "default",
    "deprecated",
    "nullable",
    "example",
    "readOnly",
];

/// Keywords of an array's `items`.
pub(super) const ITEM_KEYS: &[&str] = &[
    "$comment",
    "type",
    "format",
    "minLength",
    "maxLength",
    "validations",
    "description",
];

/// The keys of one `validations` entry.
pub(super) const RULE_KEYS: &[&str] = &["validation_rule", "validation_value", "validation_error"];

/// OpenAPI 3.0 additions to JSON Schema that codegen understands:
/// `nullable` (null is accepted: the field is optional anyway), `example`
/// (documentation), `readOnly` (never sent: left out of the input),
/// `deprecated`, `$ref` to `#/components/schemas/...` and `allOf` with one member.
pub const OPENAPI_KEYS: &[&str] = &[
    "nullable",
    "example",
    "readOnly",
    "deprecated",
    "$ref",
    "allOf",
];

/// Vendor UI hints that do not change the wire (the list is dialect's):
/// ignored, except `x-accept` (`image/*` makes the field an image
/// reference), `x-hidden` (kept on the wire type, not advertised) and
/// `x-order-properties` (on the object: the property order to use).
pub use seedance_dialect::UI_HINTS;

/// Text that is an untranslated page placeholder, not documentation.
pub(super) const PLACEHOLDER_MARK: &str = "modelApiDoc_";

/// Records `rust` as taken in one scope by the node at `at`; a second claim is
/// a collision that names both nodes.
pub(super) fn claim(
    at: &Location,
    taken: &mut BTreeMap<String, (String, String)>,
    rust: &str,
    schema_name: &str,
) -> Result<(), Error> {
    let entry = (schema_name.to_owned(), at.pointer.clone());
    match taken.insert(rust.to_owned(), entry) {
        None => Ok(()),
        Some((first, first_pointer)) => Err(at.error(Problem::NameCollision {
            first,
            first_pointer: if first_pointer.is_empty() {
                "/".to_owned()
            } else {
                first_pointer
            },
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
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let s = s.trim();
            Ok((!s.is_empty() && !s.contains(PLACEHOLDER_MARK)).then(|| s.to_owned()))
        }
        Some(other) => Err(wrong(&at.child(key), "a string", other)),
    }
}

/// Every key of `node` is in `known` or a documented UI hint.
pub(super) fn check_keys(
    at: &Location,
    node: &Map<String, Value>,
    known: &[&str],
) -> Result<(), Error> {
    let understood = |key: &str| known.contains(&key) || seedance_dialect::is_ui_hint(key);
    match node.keys().find(|key| !understood(key)) {
        None => Ok(()),
        Some(key) => {
            let mut listed: Vec<&str> = Vec::new();
            for name in known {
                if !listed.contains(name) {
                    listed.push(name);
                }
            }
            Err(at.child(key).error(Problem::UnknownKeyword {
                keyword: key.clone(),
                known: listed.join(", "),
            }))
        }
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

pub(super) fn optional_str<'a>(
    at: &Location,
    node: &'a Map<String, Value>,
    key: &str,
) -> Result<Option<&'a str>, Error> {
    optional(at, node, key, Value::as_str, "a string")
}

pub(super) fn flag(at: &Location, node: &Map<String, Value>, key: &str) -> Result<bool, Error> {
    Ok(optional(at, node, key, Value::as_bool, "a boolean")?.unwrap_or(false))
}

pub(super) fn optional<'a, T>(
    at: &Location,
    node: &'a Map<String, Value>,
    key: &str,
    read: fn(&'a Value) -> Option<T>,
    expected: &'static str,
) -> Result<Option<T>, Error> {
    node.get(key)
        .map(|value| read(value).ok_or_else(|| wrong(&at.child(key), expected, value)))
        .transpose()
}

pub(super) fn wrong(at: &Location, expected: &'static str, found: &Value) -> Error {
    at.error(Problem::WrongShape {
        expected,
        found: shown(found),
    })
}

/// A JSON value as quoted in a message, cut after 80 characters.
pub(super) fn shown(value: &Value) -> String {
    let text = value.to_string();
    let mut found: String = text.chars().take(80).collect();
    if found.len() < text.len() {
        found.push_str("...");
    }
    found
}
