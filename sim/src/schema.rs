//! The run-time schema interpreter: reads the embedded `schemas/` files and
//! checks inputs against them, independently of the generated validators (it
//! is the oracle they are tested against).
//!
//! [`validate_local`] checks every rule that needs no I/O; [`image_checks`]
//! lists the image references whose `validations` rules need the image itself,
//! and [`check_image`] applies those rules to what was learnt about an image.
//!
//! Semantics, shared with the runtime: `maxLength` counts characters (Unicode
//! scalar values), `minimum`/`maximum` are inclusive, image rule operators are
//! strict (`width_pixels<` 6000 means below 6000), 1 MB = 1,048,576 bytes, and
//! `format` (`uri`, `image_uri`) accepts an http(s) URL with a host or a
//! `data:image/...` URI with a payload.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde_json::{Map, Value};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/schemas.rs"));
}

/// Bytes in the schema dialect's megabyte (`file_size_mb<`).
pub const BYTES_PER_MB: f64 = 1_048_576.0;

/// Keywords the interpreter understands (annotations included).
const KNOWN_KEYWORDS: &[&str] = &[
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
    "validations",
    "deprecated",
    "examples",
];

/// Image rules of the `validations` arrays.
const IMAGE_RULES: &[&str] = &[
    "width_pixels<",
    "width_pixels>",
    "height_pixels<",
    "height_pixels>",
    "width/height<",
    "width/height>",
    "file_size_mb<",
];

/// One broken rule of one input.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Field path: `prompt`, `images[2]`, or `` for the whole input.
    pub field: String,
    /// The schema keyword (`required`, `type`, `enum`, `const`, `maxLength`,
    /// `minItems`, `maxItems`, `minimum`, `maximum`, `format`), the image rule
    /// (`width_pixels<`, ...), or `readable` when an image could not be read.
    pub rule: String,
    /// Human-readable explanation (the vendor's `validation_error` for image
    /// rules).
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
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

struct Loaded {
    models: Vec<(ModelSchema, Option<Value>)>,
    vendors: BTreeMap<&'static str, Option<Value>>,
}

fn loaded() -> &'static Loaded {
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

fn schema_or_unknown(vendor: &str, model: &str) -> Result<&'static Value, UnknownModel> {
    schema(vendor, model).ok_or_else(|| UnknownModel {
        vendor: vendor.to_owned(),
        model: model.to_owned(),
    })
}

/// Checks `input` against every rule of the model's schema that needs no I/O:
/// `required`, `type`, `enum`, `const`, `maxLength`/`minLength`,
/// `minItems`/`maxItems`, `minimum`/`maximum` (and their exclusive forms),
/// `format`. Fields the schema does not name are ignored. Problems come in
/// schema property order (`required` first).
pub fn validate_local(
    vendor_id: &str,
    model: &str,
    input: &Value,
) -> Result<Vec<Problem>, UnknownModel> {
    let schema = schema_or_unknown(vendor_id, model)?;
    let mut problems = Vec::new();
    check_value("", schema, input, &mut problems);
    Ok(problems)
}

/// One `validations` entry: an image rule.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageRule {
    /// `validation_rule`, e.g. `width_pixels<`.
    pub rule: String,
    /// `validation_value`.
    pub limit: f64,
    /// `validation_error`: the vendor's message.
    pub message: String,
}

/// One image reference of an input with the rules that apply to it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageCheck {
    /// Where it is: `first_frame_image_url`, `images[2]`.
    pub field: String,
    /// The URL or data URI.
    pub uri: String,
    /// The field's `validations`.
    pub rules: Vec<ImageRule>,
}

/// What is known about one image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageFacts {
    /// Pixels.
    pub width: u64,
    /// Pixels.
    pub height: u64,
    /// Whole file size in bytes.
    pub file_size: u64,
}

/// The image references of `input` whose fields carry `validations` rules
/// (each item of an array field separately). Values that are not strings are
/// skipped: [`validate_local`] reports them.
pub fn image_checks(
    vendor_id: &str,
    model: &str,
    input: &Value,
) -> Result<Vec<ImageCheck>, UnknownModel> {
    let schema = schema_or_unknown(vendor_id, model)?;
    let mut checks = Vec::new();
    let (Some(properties), Some(input)) = (
        schema.get("properties").and_then(Value::as_object),
        input.as_object(),
    ) else {
        return Ok(checks);
    };
    for (name, property) in properties {
        let Some(value) = input.get(name) else {
            continue;
        };
        let own = rules_of(property);
        match value {
            Value::String(uri) if !own.is_empty() => checks.push(ImageCheck {
                field: name.clone(),
                uri: uri.clone(),
                rules: own,
            }),
            Value::Array(items) => {
                let mut rules = own;
                if let Some(item_schema) = property.get("items") {
                    rules.extend(rules_of(item_schema));
                }
                if rules.is_empty() {
                    continue;
                }
                for (index, item) in items.iter().enumerate() {
                    if let Value::String(uri) = item {
                        checks.push(ImageCheck {
                            field: format!("{name}[{index}]"),
                            uri: uri.clone(),
                            rules: rules.clone(),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    Ok(checks)
}

fn rules_of(schema: &Value) -> Vec<ImageRule> {
    schema
        .get("validations")
        .and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .filter_map(|entry| {
                    Some(ImageRule {
                        rule: entry.get("validation_rule")?.as_str()?.to_owned(),
                        limit: entry.get("validation_value")?.as_f64()?,
                        message: entry
                            .get("validation_error")
                            .and_then(Value::as_str)
                            .unwrap_or("image rule broken")
                            .to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Applies image `rules` to `facts` (strict operators). Rules the interpreter
/// does not know are reported as broken, never silently passed.
pub fn check_image(field: &str, facts: &ImageFacts, rules: &[ImageRule]) -> Vec<Problem> {
    let width = facts.width as f64;
    let height = facts.height as f64;
    let mut problems = Vec::new();
    for rule in rules {
        let holds = match rule.rule.as_str() {
            "width_pixels<" => width < rule.limit,
            "width_pixels>" => width > rule.limit,
            "height_pixels<" => height < rule.limit,
            "height_pixels>" => height > rule.limit,
            "width/height<" => width / height.max(1.0) < rule.limit,
            "width/height>" => width / height.max(1.0) > rule.limit,
            "file_size_mb<" => (facts.file_size as f64 / BYTES_PER_MB) < rule.limit,
            _ => false,
        };
        if !holds {
            problems.push(Problem {
                field: field.to_owned(),
                rule: rule.rule.clone(),
                message: rule.message.clone(),
            });
        }
    }
    problems
}

/// True for an `http://` or `https://` URL with a host, or a `data:image/...`
/// URI with a comma-separated, non-empty payload; no whitespace or control
/// characters anywhere.
pub fn is_image_uri(value: &str) -> bool {
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    if let Some(rest) = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
    {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        return !host.is_empty() && !host.starts_with(':') && !host.starts_with('@');
    }
    match value.strip_prefix("data:") {
        Some(rest) => rest
            .split_once(',')
            .is_some_and(|(header, payload)| header.starts_with("image/") && !payload.is_empty()),
        None => false,
    }
}

/// Problems in the embedded schemas themselves: unparsable files, unknown
/// keywords, unknown `format`s or image rules, each named by file and JSON
/// pointer. Empty when the interpreter understands everything.
pub fn lint() -> Vec<String> {
    let mut out = Vec::new();
    for (schema, value) in &loaded().models {
        let file = format!("{}/{}.json", schema.vendor, schema.model);
        match value {
            None => out.push(format!("{file}: not valid JSON")),
            Some(value) => lint_schema(&file, "", value, &mut out),
        }
    }
    out
}

fn lint_schema(file: &str, pointer: &str, schema: &Value, out: &mut Vec<String>) {
    let Some(object) = schema.as_object() else {
        out.push(format!("{file}#{pointer}: schema is not an object"));
        return;
    };
    for (keyword, value) in object {
        let here = format!("{pointer}/{keyword}");
        if !KNOWN_KEYWORDS.contains(&keyword.as_str()) {
            out.push(format!("{file}#{here}: unknown keyword"));
        }
        match keyword.as_str() {
            "properties" => {
                for (name, property) in value.as_object().into_iter().flatten() {
                    lint_schema(file, &format!("{here}/{name}"), property, out);
                }
            }
            "items" => lint_schema(file, &here, value, out),
            "format" if !matches!(value.as_str(), Some("uri" | "image_uri")) => {
                out.push(format!("{file}#{here}: unknown format {value}"));
            }
            "validations" => {
                for (index, entry) in value.as_array().into_iter().flatten().enumerate() {
                    let rule = entry.get("validation_rule").and_then(Value::as_str);
                    if !rule.is_some_and(|rule| IMAGE_RULES.contains(&rule))
                        || entry
                            .get("validation_value")
                            .and_then(Value::as_f64)
                            .is_none()
                    {
                        out.push(format!("{file}#{here}/{index}: unknown image rule"));
                    }
                }
            }
            _ => {}
        }
    }
}

// ---- the interpreter -------------------------------------------------------

fn push(out: &mut Vec<Problem>, field: &str, rule: &str, message: String) {
    out.push(Problem {
        field: field.to_owned(),
        rule: rule.to_owned(),
        message,
    });
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if is_integer(n) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn is_integer(n: &serde_json::Number) -> bool {
    n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
}

fn has_type(value: &Value, ty: &str) -> bool {
    match ty {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.as_number().is_some_and(is_integer),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

/// JSON equality where numbers compare by value (`5` equals `5.0`).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        _ => a == b,
    }
}

fn compact(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        None => text,
        Some((cut, _)) => format!("{}... ({} characters)", &text[..cut], text.chars().count()),
    }
}

fn check_value(field: &str, schema: &Value, value: &Value, out: &mut Vec<Problem>) {
    let Some(schema) = schema.as_object() else {
        return;
    };
    if let Some(ty) = schema.get("type") {
        let types: Vec<&str> = match ty {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !types.is_empty() && !types.iter().any(|t| has_type(value, t)) {
            push(
                out,
                field,
                "type",
                format!(
                    "must be of type {}, got {}",
                    types.join(" or "),
                    type_name(value)
                ),
            );
            return;
        }
    }
    if let Some(expected) = schema.get("const") {
        if !json_eq(expected, value) {
            push(
                out,
                field,
                "const",
                format!("must be {expected}, got {}", compact(value)),
            );
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        if !options.iter().any(|option| json_eq(option, value)) {
            let listed: Vec<String> = options.iter().map(Value::to_string).collect();
            push(
                out,
                field,
                "enum",
                format!(
                    "must be one of {}, got {}",
                    listed.join(", "),
                    compact(value)
                ),
            );
        }
    }
    match value {
        Value::String(text) => check_string(field, schema, text, out),
        Value::Number(number) => check_number(field, schema, number, out),
        Value::Array(items) => check_array(field, schema, items, out),
        Value::Object(map) => check_object(field, schema, map, out),
        Value::Null | Value::Bool(_) => {}
    }
}

fn limit_usize(schema: &Map<String, Value>, keyword: &str) -> Option<usize> {
    schema
        .get(keyword)
        .and_then(Value::as_u64)
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

fn check_string(field: &str, schema: &Map<String, Value>, text: &str, out: &mut Vec<Problem>) {
    let chars = || text.chars().count();
    if let Some(limit) = limit_usize(schema, "maxLength") {
        if text.len() > limit && chars() > limit {
            push(
                out,
                field,
                "maxLength",
                format!("must be at most {limit} characters, got {}", chars()),
            );
        }
    }
    if let Some(limit) = limit_usize(schema, "minLength") {
        if chars() < limit {
            push(
                out,
                field,
                "minLength",
                format!("must be at least {limit} characters, got {}", chars()),
            );
        }
    }
    // A field with image `validations` is an image reference even without a
    // `format` (RunComfy's `first_frame_image_url`): the vendor must fetch it.
    let format = match schema.get("format").and_then(Value::as_str) {
        Some(format) => Some(format),
        None if schema.contains_key("validations") => Some("image"),
        None => None,
    };
    if let Some(format) = format {
        if matches!(format, "uri" | "image_uri" | "image") && !is_image_uri(text) {
            push(
                out,
                field,
                "format",
                format!(
                    "must be an http(s) URL or a data:image URI ({format}), got {}",
                    compact(&Value::String(text.to_owned()))
                ),
            );
        }
    }
}

/// `Less`, `Equal` or `Greater` of `value` against `limit`, exact for integers.
fn compare(value: &serde_json::Number, limit: &Value) -> Option<std::cmp::Ordering> {
    let limit = limit.as_number()?;
    match (value.as_i64(), limit.as_i64()) {
        (Some(v), Some(l)) => Some(v.cmp(&l)),
        _ => value.as_f64()?.partial_cmp(&limit.as_f64()?),
    }
}

fn check_number(
    field: &str,
    schema: &Map<String, Value>,
    number: &serde_json::Number,
    out: &mut Vec<Problem>,
) {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let checks: [(&str, &[std::cmp::Ordering], &str); 4] = [
        ("minimum", &[Less], "at least"),
        ("maximum", &[Greater], "at most"),
        ("exclusiveMinimum", &[Less, Equal], "greater than"),
        ("exclusiveMaximum", &[Greater, Equal], "less than"),
    ];
    for (keyword, failing, words) in checks {
        let Some(limit) = schema.get(keyword) else {
            continue;
        };
        if compare(number, limit).is_some_and(|ordering| failing.contains(&ordering)) {
            push(
                out,
                field,
                keyword,
                format!("must be {words} {limit}, got {number}"),
            );
        }
    }
}

fn check_array(field: &str, schema: &Map<String, Value>, items: &[Value], out: &mut Vec<Problem>) {
    if let Some(limit) = limit_usize(schema, "minItems") {
        if items.len() < limit {
            push(
                out,
                field,
                "minItems",
                format!("must have at least {limit} items, got {}", items.len()),
            );
        }
    }
    if let Some(limit) = limit_usize(schema, "maxItems") {
        if items.len() > limit {
            push(
                out,
                field,
                "maxItems",
                format!("must have at most {limit} items, got {}", items.len()),
            );
        }
    }
    if let Some(item_schema) = schema.get("items") {
        for (index, item) in items.iter().enumerate() {
            check_value(&format!("{field}[{index}]"), item_schema, item, out);
        }
    }
}

fn check_object(
    field: &str,
    schema: &Map<String, Value>,
    map: &Map<String, Value>,
    out: &mut Vec<Problem>,
) {
    for name in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !map.contains_key(name) {
            push(
                out,
                &join(field, name),
                "required",
                "is required".to_owned(),
            );
        }
    }
    for (name, property) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(value) = map.get(name) {
            check_value(&join(field, name), property, value, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_schemas_are_understood() {
        assert!(models().len() >= 5, "{:?}", models());
        assert_eq!(lint(), Vec::<String>::new());
        assert_eq!(vendors(), ["aimlapi", "runcomfy", "wavespeed"]);
    }

    #[test]
    fn image_rules_are_strict() {
        let rules = vec![ImageRule {
            rule: "width_pixels<".into(),
            limit: 6000.0,
            message: "too wide".into(),
        }];
        let at = ImageFacts {
            width: 6000,
            height: 3000,
            file_size: 1,
        };
        let below = ImageFacts { width: 5999, ..at };
        assert_eq!(check_image("x", &at, &rules).len(), 1);
        assert!(check_image("x", &below, &rules).is_empty());
    }
}
