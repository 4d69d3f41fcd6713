//! The interpreted check: a model's IR (from `seedance-converter`, the same
//! converter codegen uses) and an untyped JSON input give what the compiled
//! model gives for the typed input: the same refusal where its `parse` would
//! refuse the JSON ([`parse`]), the same [`Violation`]s from the local rules
//! ([`validate`], through the same [`Validator`] the generated `validate()`
//! drives, so every limit, value and message is the same text) and the same
//! images to probe ([`image_inputs`], as the compiled `image_inputs()`).
//!
//! This is how a model that is only in a vendor's catalog (not compiled in)
//! is checked before anything is paid; the workspace's differential test
//! holds it to the compiled `validate()` of every compiled model.
//!
//! The walk mirrors codegen's `emit/validate.rs` and `emit/model.rs`: fields
//! in schema order; per string `minLength`, `maxLength`, `format`; per
//! number `minimum`, `maximum`; per list `minItems`, `maxItems`, then each
//! item; nested objects by path (`camera_control.config.pan`,
//! `dynamic_masks[0].mask`). Unset optional fields (absent or `null`) are
//! not checked.

use std::fmt;

use seedance_converter::ir::{self, Field, StringType, Type, WireValue};
use serde_json::{Map, Value};

use crate::image_rules::{ImageFacts, ImageRule, ImageRuleKind};
use crate::validation::{FieldPath, ValidationErrors, Validator, Violation};

/// Why the typed `parse` of the compiled model would refuse the input: the
/// field (by path) and what it should have been.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// Where (`prompt`, `camera_control.config`, `images[2]`; empty for the
    /// input itself).
    pub field: String,
    /// What is wrong.
    pub problem: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.problem)
        } else {
            write!(f, "{}: {}", self.field, self.problem)
        }
    }
}

impl std::error::Error for InputError {}

/// Checks what the compiled model's `parse` checks: a JSON object with the
/// model's fields only, the required ones set, each of its type (strings,
/// `i64` integers, numbers, booleans, enum wire values, lists, nested
/// objects). Local rules are [`validate`]'s.
pub fn parse(model: &ir::Model, input: &Value) -> Result<(), InputError> {
    parse_object(&model.fields, input, "")
}

/// The local rules of `model` on `input`, all violations together in the
/// order the compiled `validate()` reports them. Values of the wrong type
/// are skipped (that is [`parse`]'s refusal, not a violation).
pub fn validate(model: &ir::Model, input: &Value) -> Result<(), ValidationErrors> {
    let mut validator = Validator::new();
    if let Some(object) = input.as_object() {
        check_fields(&model.fields, object, "", &mut validator);
    }
    validator.finish()
}

/// One image reference of an input with the rules the prober checks on it
/// (the interpreted form of `ImageInput`, which holds compiled-in rules).
#[derive(Debug, Clone, PartialEq)]
pub struct ImageTarget {
    /// Where it is in the input (`first_frame_image_url`, `images[2]`).
    pub field: String,
    /// The URL or data URI.
    pub uri: String,
    /// The field's `validations`.
    pub rules: Vec<ImageCheck>,
}

/// One `validations` rule of an interpreted model.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageCheck {
    /// Which rule.
    pub kind: ImageRuleKind,
    /// `validation_value`.
    pub limit: f64,
    /// `validation_error`: the vendor's message.
    pub message: String,
}

impl ImageCheck {
    /// The rule against what the prober learnt: the same violation as the
    /// compiled rule's [`ImageRule::check`] (same text), or `None`.
    pub fn check(&self, field: FieldPath<'_>, facts: &ImageFacts) -> Option<Violation> {
        let rule = ImageRule {
            kind: self.kind,
            limit: self.limit,
            message: "",
        };
        rule.check(field, facts).map(|mut violation| {
            violation.message = Some(self.message.clone());
            violation
        })
    }
}

/// The images of `input` to probe, in the compiled `image_inputs()` order:
/// required single images first, then optional ones and lists, each group
/// in field order.
pub fn image_inputs(model: &ir::Model, input: &Value) -> Vec<ImageTarget> {
    let Some(object) = input.as_object() else {
        return Vec::new();
    };
    let with_rules = || model.fields.iter().filter(|f| !f.image_rules.is_empty());
    let single_required = |f: &Field| f.required && !matches!(f.ty, Type::Array { .. });
    let mut images = Vec::new();
    let target = |field: &Field, path: String, uri: &str| ImageTarget {
        field: path,
        uri: uri.to_owned(),
        rules: field
            .image_rules
            .iter()
            .map(|rule| ImageCheck {
                kind: rule.kind,
                limit: rule.value,
                message: rule.message.clone(),
            })
            .collect(),
    };
    for field in with_rules().filter(|f| single_required(f)) {
        if let Some(uri) = object.get(&field.wire).and_then(Value::as_str) {
            images.push(target(field, field.wire.clone(), uri));
        }
    }
    for field in with_rules().filter(|f| !single_required(f)) {
        match (&field.ty, object.get(&field.wire)) {
            (Type::Array { .. }, Some(Value::Array(items))) => {
                for (index, uri) in items.iter().enumerate() {
                    if let Some(uri) = uri.as_str() {
                        let path = FieldPath::Item(&field.wire, index).to_string();
                        images.push(target(field, path, uri));
                    }
                }
            }
            (_, Some(Value::String(uri))) => images.push(target(field, field.wire.clone(), uri)),
            _ => {}
        }
    }
    images
}

/// The value of `wire` in `object`: a scan of its entries while it is
/// small (comparing a few short keys is cheaper than hashing one), a
/// look-up otherwise.
fn entry<'a>(object: &'a Map<String, Value>, wire: &str) -> Option<&'a Value> {
    if object.len() > SCAN_KEYS {
        return object.get(wire);
    }
    object
        .iter()
        .find(|(key, _)| key.as_str() == wire)
        .map(|(_, value)| value)
}

/// Most keys an object is scanned for rather than looked up in.
const SCAN_KEYS: usize = 32;

/// Checks `fields` of `object`, whose path is `path` (empty at the top,
/// where a field's path is its wire name and nothing is allocated).
fn check_fields(fields: &[Field], object: &Map<String, Value>, path: &str, v: &mut Validator) {
    for field in fields {
        let Some(value) = entry(object, &field.wire).filter(|value| !value.is_null()) else {
            continue;
        };
        if path.is_empty() {
            check_value(&field.ty, value, &field.wire, v);
        } else {
            check_value(&field.ty, value, &format!("{path}.{}", field.wire), v);
        }
    }
}

fn check_value(ty: &Type, value: &Value, path: &str, v: &mut Validator) {
    let at = FieldPath::Field(path);
    match ty {
        Type::String(s) => {
            if let Some(text) = value.as_str() {
                check_string(s, text, at, v);
            }
        }
        Type::Integer { minimum, maximum } => {
            if let Some(number) = value.as_i64() {
                if let Some(min) = *minimum {
                    v.minimum(at, number, min);
                }
                if let Some(max) = *maximum {
                    v.maximum(at, number, max);
                }
            }
        }
        Type::Number { minimum, maximum } => {
            if let Some(number) = value.as_f64() {
                if let Some(min) = *minimum {
                    v.minimum(at, number, min);
                }
                if let Some(max) = *maximum {
                    v.maximum(at, number, max);
                }
            }
        }
        Type::Array {
            items,
            min_items,
            max_items,
        } => {
            if let Some(list) = value.as_array() {
                check_count(list.len(), *min_items, *max_items, at, v);
                for (index, item) in list.iter().enumerate() {
                    if let Some(text) = item.as_str() {
                        check_string(items, text, FieldPath::Item(path, index), v);
                    }
                }
            }
        }
        Type::Object(object) => {
            if let Some(map) = value.as_object() {
                check_fields(&object.fields, map, path, v);
            }
        }
        Type::ObjectArray {
            item,
            min_items,
            max_items,
        } => {
            if let Some(list) = value.as_array() {
                check_count(list.len(), *min_items, *max_items, at, v);
                for (index, element) in list.iter().enumerate() {
                    if let Some(map) = element.as_object() {
                        check_fields(&item.fields, map, &format!("{path}[{index}]"), v);
                    }
                }
            }
        }
        Type::Boolean | Type::Enum(_) | Type::Const(_) | Type::Json | Type::JsonObject => {}
    }
}

fn check_string(s: &StringType, text: &str, at: FieldPath<'_>, v: &mut Validator) {
    // `u64` limits as the generated code's `usize` literals.
    let limit = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    if let Some(min) = s.min_length {
        v.min_length(at, text, limit(min));
    }
    if let Some(max) = s.max_length {
        v.max_length(at, text, limit(max));
    }
    if let Some(format) = s.format {
        v.uri(at, text, format);
    }
}

fn check_count(
    len: usize,
    min: Option<u64>,
    max: Option<u64>,
    at: FieldPath<'_>,
    v: &mut Validator,
) {
    let limit = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    if let Some(min) = min {
        v.min_items(at, len, limit(min));
    }
    if let Some(max) = max {
        v.max_items(at, len, limit(max));
    }
}

fn parse_object(fields: &[Field], value: &Value, path: &str) -> Result<(), InputError> {
    let Some(object) = value.as_object() else {
        return Err(wrong(path, "a JSON object", value));
    };
    if let Some(key) = object
        .keys()
        .find(|key| !fields.iter().any(|f| &f.wire == *key))
    {
        return Err(InputError {
            field: joined(path, key),
            problem: "unknown field".to_owned(),
        });
    }
    for field in fields {
        match entry(object, &field.wire) {
            // `Option` takes `null` as unset; a required `serde_json::Value` takes it as null.
            None | Some(Value::Null) if !field.required => {}
            Some(Value::Null) if matches!(field.ty, Type::Json) => {}
            None => {
                return Err(InputError {
                    field: joined(path, &field.wire),
                    problem: "missing required field".to_owned(),
                });
            }
            Some(value) if path.is_empty() => parse_value(&field.ty, value, &field.wire)?,
            Some(value) => parse_value(&field.ty, value, &joined(path, &field.wire))?,
        }
    }
    Ok(())
}

fn parse_value(ty: &Type, value: &Value, path: &str) -> Result<(), InputError> {
    let ok = match ty {
        Type::String(_) => value.is_string(),
        Type::Integer { .. } => value.as_i64().is_some(),
        Type::Number { .. } => value.is_number(),
        Type::Boolean => value.is_boolean(),
        Type::Enum(e) | Type::Const(e) => e.variants.iter().any(|variant| match &variant.wire {
            WireValue::Str(wire) => value.as_str() == Some(wire.as_str()),
            WireValue::Int(wire) => value.as_i64() == Some(*wire),
        }),
        Type::Array { .. } => value
            .as_array()
            .is_some_and(|items| items.iter().all(Value::is_string)),
        Type::Object(object) => return parse_object(&object.fields, value, path),
        Type::ObjectArray { item, .. } => {
            let Some(list) = value.as_array() else {
                return Err(wrong(path, "a list of objects", value));
            };
            for (index, element) in list.iter().enumerate() {
                parse_object(&item.fields, element, &format!("{path}[{index}]"))?;
            }
            return Ok(());
        }
        Type::Json => true,
        Type::JsonObject => value.is_object(),
    };
    if ok {
        Ok(())
    } else {
        Err(wrong(path, expected(ty), value))
    }
}

fn expected(ty: &Type) -> &'static str {
    match ty {
        Type::String(_) => "a string",
        Type::Integer { .. } => "an integer (i64)",
        Type::Number { .. } => "a number",
        Type::Boolean => "a boolean",
        Type::Enum(_) => "one of the enum's values",
        Type::Const(_) => "the constant value",
        Type::Array { .. } => "a list of strings",
        Type::Object(_) | Type::JsonObject => "a JSON object",
        Type::ObjectArray { .. } => "a list of objects",
        Type::Json => "a JSON value",
    }
}

/// `name` below `path` (`camera_control.config`), or `name` at the top.
fn joined(path: &str, name: &str) -> String {
    match path.is_empty() {
        true => name.to_owned(),
        false => format!("{path}.{name}"),
    }
}

fn wrong(path: &str, expected: &str, found: &Value) -> InputError {
    let found = match found {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    };
    InputError {
        field: path.to_owned(),
        problem: format!("expected {expected}, found {found}"),
    }
}
