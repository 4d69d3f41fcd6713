//! Turns a request schema in any vendor's published dialect into the plain
//! JSON Schema subset the interpreter walks, so the interpreter has one
//! meaning per keyword:
//!
//! - OpenAPI 3.0: `$ref` to `#/...` is replaced by its target (siblings are
//!   ignored, as OpenAPI 3.0 says), `allOf` with one member is merged into
//!   its parent, `nullable: true` adds `null` to `type` (and to `enum`), and
//!   `readOnly` properties are never required of a request;
//! - RunComfy: `"type": "float"` is `number`, `"default": null` is no
//!   default, `validations` on an array apply to every item (they move to
//!   `items`), and a `required` entry that names no property is dropped;
//! - WaveSpeed: `x-` keys and `step` are UI hints; they stay and are ignored,
//!   except `x-accept` (`image/*`), which says what a field references: on
//!   the field or its array it makes the field (each item) a URL of that
//!   media kind, as `image_uri` would;
//! - every vendor: image `validations` make a field (each item) an image
//!   reference (`image_uri`) when its `format` is absent or a plain `uri`
//!   (after this, `vendor.json`'s `media_fields` do the same by field name:
//!   see `published`).

use seedance_dialect::MediaKind;
use serde_json::{Map, Value};

/// How deep `$ref` chains and nesting may go (a cycle ends here).
const MAX_DEPTH: usize = 64;

/// Why a schema could not be normalized.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NormalizeError {
    /// A `$ref` that is not a local pointer, or points at nothing.
    #[error("$ref {target:?} does not resolve in this document")]
    UnresolvedRef {
        /// Where the `$ref` is.
        pointer: String,
        /// Its value.
        target: String,
    },
    /// `$ref` chains or nesting deeper than the interpreter follows (a cycle).
    #[error(
        "{pointer}: schema nested or referenced deeper than {MAX_DEPTH} levels (a $ref cycle?)"
    )]
    TooDeep {
        /// Where it gave up.
        pointer: String,
    },
}

impl NormalizeError {
    /// Where in the file it went wrong.
    pub fn pointer(&self) -> &str {
        match self {
            NormalizeError::UnresolvedRef { pointer, .. } | NormalizeError::TooDeep { pointer } => {
                pointer
            }
        }
    }
}

/// Normalizes `schema` (found at `pointer` in `root`, the whole document
/// that `$ref`s resolve in).
pub(crate) fn normalize(
    root: &Value,
    schema: &Value,
    pointer: &str,
) -> Result<Value, NormalizeError> {
    walk(root, schema, pointer, 0)
}

/// The value at a local reference `#/a/b` (JSON pointer, `~0`/`~1` escapes).
pub(crate) fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    if pointer.is_empty() {
        return Some(root);
    }
    root.pointer(pointer)
}

/// Escapes one JSON pointer segment.
pub(crate) fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn walk(
    root: &Value,
    schema: &Value,
    pointer: &str,
    depth: usize,
) -> Result<Value, NormalizeError> {
    if depth > MAX_DEPTH {
        return Err(NormalizeError::TooDeep {
            pointer: pointer.to_owned(),
        });
    }
    let Some(object) = schema.as_object() else {
        return Ok(schema.clone());
    };
    if let Some(reference) = object.get("$ref") {
        let target = reference.as_str().unwrap_or_default();
        let Some(resolved) = resolve(root, target) else {
            return Err(NormalizeError::UnresolvedRef {
                pointer: format!("{pointer}/$ref"),
                target: target.to_owned(),
            });
        };
        return walk(root, resolved, target.trim_start_matches('#'), depth + 1);
    }
    let mut out = Map::new();
    // One-member `allOf`: its keywords first, the parent's own ones over them.
    let mut all_of = Vec::new();
    if let Some(members) = object.get("allOf").and_then(Value::as_array) {
        for (index, member) in members.iter().enumerate() {
            all_of.push(walk(
                root,
                member,
                &format!("{pointer}/allOf/{index}"),
                depth + 1,
            )?);
        }
    }
    if all_of.len() == 1 {
        if let Some(Value::Object(member)) = all_of.pop() {
            out.extend(member);
        }
    }
    for (key, value) in object {
        let here = format!("{pointer}/{}", escape(key));
        let value = match key.as_str() {
            "allOf" if all_of.is_empty() => continue,
            "allOf" => Value::Array(std::mem::take(&mut all_of)),
            "properties" => {
                let mut properties = Map::new();
                for (name, property) in value.as_object().into_iter().flatten() {
                    let at = format!("{here}/{}", escape(name));
                    properties.insert(name.clone(), walk(root, property, &at, depth + 1)?);
                }
                Value::Object(properties)
            }
            "items" => walk(root, value, &here, depth + 1)?,
            "default" if value.is_null() => continue,
            "type" => float_is_number(value),
            _ => value.clone(),
        };
        out.insert(key.clone(), value);
    }
    nullable(&mut out);
    array_rules_to_items(&mut out);
    accept_to_items(&mut out);
    media_format(&mut out);
    if let Some(Value::Object(items)) = out.get_mut("items") {
        media_format(items);
    }
    required_names_properties(&mut out);
    Ok(Value::Object(out))
}

/// WaveSpeed's `x-accept` sits on the array; it describes each item.
fn accept_to_items(schema: &mut Map<String, Value>) {
    let Some(accept) = schema.get("x-accept").cloned() else {
        return;
    };
    if let Some(Value::Object(items)) = schema.get_mut("items") {
        items.entry("x-accept").or_insert(accept);
    }
}

/// The media `format` a string field gets from its image rules or its
/// `x-accept`, when its own `format` is absent or a plain `uri`.
fn media_format(schema: &mut Map<String, Value>) {
    let is_string = schema.get("type").and_then(Value::as_str) == Some("string")
        || !schema.contains_key("type") && schema.contains_key("validations");
    let open = matches!(
        schema.get("format").and_then(Value::as_str),
        None | Some("uri")
    );
    if !is_string || !open {
        return;
    }
    let accepted = schema
        .get("x-accept")
        .and_then(Value::as_str)
        .and_then(|mimes| mimes.split(',').find_map(MediaKind::from_mime));
    let kind = if schema.contains_key("validations") {
        Some(MediaKind::Image)
    } else {
        accepted
    };
    if let Some(kind) = kind {
        schema.insert("format".to_owned(), Value::from(kind.format().as_str()));
    }
}

fn float_is_number(ty: &Value) -> Value {
    let map = |t: &Value| match t.as_str() {
        Some("float") => Value::from("number"),
        _ => t.clone(),
    };
    match ty {
        Value::Array(types) => Value::Array(types.iter().map(map).collect()),
        other => map(other),
    }
}

/// OpenAPI 3.0 `nullable: true`: `null` is one more accepted value.
fn nullable(schema: &mut Map<String, Value>) {
    if schema.remove("nullable").and_then(|n| n.as_bool()) != Some(true) {
        return;
    }
    match schema.get_mut("type") {
        Some(Value::Array(types)) if !types.contains(&Value::from("null")) => {
            types.push(Value::from("null"));
        }
        Some(ty @ Value::String(_)) => *ty = Value::Array(vec![ty.clone(), Value::from("null")]),
        _ => {}
    }
    if let Some(Value::Array(options)) = schema.get_mut("enum") {
        if !options.contains(&Value::Null) {
            options.push(Value::Null);
        }
    }
}

/// RunComfy puts image `validations` on an array as well as on its `items`:
/// both apply to every item, so they all live on `items`.
fn array_rules_to_items(schema: &mut Map<String, Value>) {
    let is_array =
        schema.get("type").and_then(Value::as_str) == Some("array") || schema.contains_key("items");
    if !is_array {
        return;
    }
    let Some(Value::Array(mut rules)) = schema.remove("validations") else {
        return;
    };
    let items = schema
        .entry("items")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(items) = items {
        if let Some(Value::Array(own)) = items.get("validations") {
            rules.extend(own.iter().cloned());
        }
        items.insert("validations".to_owned(), Value::Array(rules));
    }
}

/// Keeps the `required` names that are properties and may be sent
/// (`readOnly` ones are answers only).
fn required_names_properties(schema: &mut Map<String, Value>) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    let keep: Vec<Value> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|name| {
            name.as_str()
                .and_then(|name| properties.get(name))
                .is_some_and(|p| p.get("readOnly").and_then(Value::as_bool) != Some(true))
        })
        .cloned()
        .collect();
    if schema.contains_key("required") {
        schema.insert("required".to_owned(), Value::Array(keep));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn openapi_ref_all_of_and_nullable() {
        let root = json!({
            "components": { "schemas": {
                "Res": { "type": "string", "enum": ["480p", "720p"] },
                "In": { "type": "object", "required": ["id", "res"], "properties": {
                    "id": { "type": "string", "readOnly": true },
                    "res": { "allOf": [{ "$ref": "#/components/schemas/Res" }], "nullable": true }
                }}
            }},
            "schema": { "$ref": "#/components/schemas/In" }
        });
        let out = normalize(&root, &root["schema"], "/schema").unwrap();
        assert_eq!(out["required"], json!(["res"]));
        assert_eq!(
            out["properties"]["res"],
            json!({ "type": ["string", "null"], "enum": ["480p", "720p", null] })
        );
    }

    #[test]
    fn runcomfy_float_null_default_and_array_rules() {
        let rule = json!({ "validation_rule": "width_pixels<", "validation_value": 6000 });
        let schema = json!({ "type": "object", "required": ["ghost", "cfg"], "properties": {
            "cfg": { "type": "float", "default": null },
            "images": { "type": "array", "validations": [rule], "items": { "type": "string" } }
        }});
        let out = normalize(&schema, &schema, "").unwrap();
        assert_eq!(out["required"], json!(["cfg"]));
        assert_eq!(out["properties"]["cfg"], json!({ "type": "number" }));
        assert_eq!(
            out["properties"]["images"],
            json!({ "type": "array", "items":
                { "type": "string", "validations": [rule], "format": "image_uri" } })
        );
    }

    #[test]
    fn wavespeed_accept_names_the_media_kind() {
        let schema = json!({ "type": "object", "properties": {
            "refs": { "type": "array", "items": { "type": "string" }, "x-accept": "image/*" },
            "clip": { "type": "string", "format": "uri", "x-accept": "video/mp4,video/quicktime" },
            "text": { "type": "string", "x-accept": "text/plain" }
        }});
        let out = normalize(&schema, &schema, "").unwrap();
        assert_eq!(out["properties"]["refs"]["items"]["format"], "image_uri");
        assert_eq!(out["properties"]["clip"]["format"], "video_uri");
        assert!(out["properties"]["text"].get("format").is_none());
    }

    #[test]
    fn ref_cycles_and_dangling_refs_are_errors() {
        let root = json!({ "a": { "$ref": "#/a" }, "b": { "$ref": "#/nowhere" } });
        assert!(matches!(
            normalize(&root, &root["a"], "/a"),
            Err(NormalizeError::TooDeep { .. })
        ));
        assert!(matches!(
            normalize(&root, &root["b"], "/b"),
            Err(NormalizeError::UnresolvedRef { .. })
        ));
    }
}
