//! The interpreted check: a model's IR (from `seedance-converter`, the same
//! converter codegen uses) and an untyped JSON input give what the compiled
//! model gives for the typed input: the same refusal where its `parse` would
//! refuse the JSON ([`parse`]), the same [`Violation`]s from the local rules
//! ([`Checks`], made once per model, or [`validate`]; through the same
//! [`Validator`](crate::validation::Validator) the generated `validate()`
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

mod checks;

use std::fmt;

pub use checks::Checks;
use seedance_converter::ir::{self, Field, Type, WireValue};
use serde_json::{Map, Value};

use crate::image_rules::{ImageFacts, ImageRule, ImageRuleKind};
use crate::validation::{FieldPath, ValidationErrors, Violation};

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
///
/// This makes the model's [`Checks`] each time: an input checked more than
/// once (a catalog model's) keeps them instead.
pub fn validate(model: &ir::Model, input: &Value) -> Result<(), ValidationErrors> {
    Checks::new(model).validate(input)
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
#[inline(always)]
fn entry<'a>(object: &'a Map<String, Value>, wire: &str) -> Option<&'a Value> {
    if object.len() > SCAN_KEYS {
        return object.get(wire);
    }
    object
        .iter()
        .find(|(key, _)| same_key(key.as_bytes(), wire.as_bytes()))
        .map(|(_, value)| value)
}

/// `a == b` inline: the library's `==` calls `memcmp`, which is most of a
/// scan's time for keys this short. Eight bytes a compare, the last eight
/// overlapping the ones before (a byte compared twice changes nothing);
/// four bytes a compare from 4 to 7 bytes; keys under 4 bytes are left to
/// `==`.
#[inline(always)]
fn same_key(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    // Each slice is exactly 8 or 4 bytes, so the conversion cannot fail.
    let word = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap_or([0; 8]));
    let half = |s: &[u8], at: usize| u32::from_le_bytes(s[at..at + 4].try_into().unwrap_or([0; 4]));
    match n {
        0..4 => a == b,
        4..8 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        _ => {
            let mut at = 0;
            while at + 8 < n {
                if word(a, at) != word(b, at) {
                    return false;
                }
                at += 8;
            }
            word(a, n - 8) == word(b, n - 8)
        }
    }
}

/// Most keys an object is scanned for rather than looked up in.
const SCAN_KEYS: usize = 32;

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

#[cfg(test)]
mod tests {
    use super::same_key;

    /// The word-wise compare against the library's, for every length up to
    /// 40 bytes and a difference at every position.
    #[test]
    fn same_key_is_equality() {
        for len in 0..40u8 {
            let key: Vec<u8> = (0..len).map(|i: u8| b'a' + i % 26).collect();
            assert!(same_key(&key, &key.clone()), "len {len}");
            let len = usize::from(len);
            if len > 0 {
                assert!(!same_key(&key, &key[..len - 1]), "len {len}, one shorter");
            }
            for at in 0..len {
                let mut other = key.clone();
                other[at] ^= 0x20;
                assert!(!same_key(&key, &other), "len {len}, differing at {at}");
            }
        }
    }
}
