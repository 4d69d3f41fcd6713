//! One property of a model schema -> an IR [`Field`]: its type, bounds,
//! enum values, default and image rules.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::keys::{
    FIELD_KEYS, FIELD_KEYS_COMMON, ITEM_KEYS, RULE_KEYS, check_keys, claim, doc_text, object,
    optional, required_str, wrong,
};
use crate::error::{Error, Location, Problem};
use crate::ir::{
    EnumType, Field, Format, ImageRule, ImageRuleKind, StringType, Type, Variant, WireValue,
};
use crate::naming;

pub(super) fn convert_field(
    at: &Location,
    wire: &str,
    node: &Value,
    required: bool,
) -> Result<Field, Error> {
    let node = object(at, node)?;
    check_keys(at, node, FIELD_KEYS)?;
    let ident = naming::field_ident(wire).map_err(|why| {
        at.error(Problem::BadName {
            name: wire.to_owned(),
            why,
        })
    })?;
    let image_rules = image_rules(at, node)?;
    let ty = field_type(at, wire, node, !image_rules.is_empty())?;
    let deprecated = match node.get("deprecated") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => return Err(wrong(&at.child("deprecated"), "a boolean", other)),
    };
    let default = node.get("default").cloned();
    if let Some(default) = &default {
        check_default(&at.child("default"), &ty, default)?;
    }
    Ok(Field {
        wire: wire.to_owned(),
        ident,
        title: doc_text(at, node, "title")?,
        description: doc_text(at, node, "description")?,
        required,
        deprecated,
        default,
        ty,
        image_rules,
    })
}

pub(super) fn field_type(
    at: &Location,
    wire: &str,
    node: &Map<String, Value>,
    has_image_rules: bool,
) -> Result<Type, Error> {
    let type_name = || {
        naming::type_name(wire).map_err(|why| {
            at.error(Problem::BadName {
                name: wire.to_owned(),
                why,
            })
        })
    };
    if let Some(value) = node.get("const") {
        let name = type_name()?;
        let wire_value = match value {
            Value::String(s) => WireValue::Str(s.clone()),
            other => return Err(wrong(&at.child("const"), "a string", other)),
        };
        let variant = variant(&at.child("const"), wire, &wire_value)?;
        return Ok(Type::Const(EnumType {
            name,
            variants: vec![variant],
        }));
    }
    let ty_at = at.child("type");
    let ty = node
        .get("type")
        .ok_or_else(|| at.error(Problem::Missing("type")))?;
    let ty = ty
        .as_str()
        .ok_or_else(|| ty_at.error(Problem::UnsupportedType(ty.to_string())))?;
    let only = |allowed: &[&str]| check_keys(at, node, &[FIELD_KEYS_COMMON, allowed].concat());
    let result =
        match ty {
            "string" if node.contains_key("enum") => {
                only(&["enum"])?;
                Type::Enum(enum_type(at, wire, node, type_name()?)?)
            }
            "integer" if node.contains_key("enum") => {
                only(&["enum"])?;
                Type::Enum(enum_type(at, wire, node, type_name()?)?)
            }
            "string" => {
                only(&["maxLength", "format", "validations"])?;
                Type::String(string_type(at, node, has_image_rules)?)
            }
            "integer" => {
                only(&["minimum", "maximum"])?;
                Type::Integer {
                    minimum: optional(at, node, "minimum", Value::as_i64, "an integer")?,
                    maximum: optional(at, node, "maximum", Value::as_i64, "an integer")?,
                }
            }
            "number" => {
                only(&["minimum", "maximum"])?;
                Type::Number {
                    minimum: optional(at, node, "minimum", Value::as_f64, "a number")?,
                    maximum: optional(at, node, "maximum", Value::as_f64, "a number")?,
                }
            }
            "boolean" => {
                only(&[])?;
                Type::Boolean
            }
            "array" => {
                only(&["items", "minItems", "maxItems", "validations"])?;
                let items_at = at.child("items");
                let items = node
                    .get("items")
                    .ok_or_else(|| at.error(Problem::Missing("items")))?;
                let items = object(&items_at, items)?;
                check_keys(&items_at, items, ITEM_KEYS)?;
                match items.get("type").and_then(Value::as_str) {
                    Some("string") => {}
                    Some(other) => {
                        return Err(items_at.child("type").error(Problem::UnsupportedType(
                            format!("array of {other} (only arrays of strings are supported)"),
                        )));
                    }
                    None => return Err(items_at.error(Problem::Missing("type"))),
                }
                Type::Array {
                    items: string_type(&items_at, items, has_image_rules)?,
                    min_items: optional(
                        at,
                        node,
                        "minItems",
                        Value::as_u64,
                        "a non-negative integer",
                    )?,
                    max_items: optional(
                        at,
                        node,
                        "maxItems",
                        Value::as_u64,
                        "a non-negative integer",
                    )?,
                }
            }
            other => return Err(ty_at.error(Problem::UnsupportedType(other.to_owned()))),
        };
    Ok(result)
}

pub(super) fn string_type(
    at: &Location,
    node: &Map<String, Value>,
    has_image_rules: bool,
) -> Result<StringType, Error> {
    let format = match node.get("format") {
        None => None,
        Some(Value::String(s)) if s == "image_uri" => Some(Format::ImageUri),
        Some(Value::String(s)) if s == "uri" => Some(Format::Uri),
        Some(other) => {
            return Err(at.child("format").error(Problem::Invalid(format!(
                "unsupported format {other} (known: \"image_uri\", \"uri\")"
            ))));
        }
    };
    Ok(StringType {
        max_length: optional(
            at,
            node,
            "maxLength",
            Value::as_u64,
            "a non-negative integer",
        )?,
        image: format.is_some() || has_image_rules,
        format,
    })
}

pub(super) fn enum_type(
    at: &Location,
    wire: &str,
    node: &Map<String, Value>,
    name: String,
) -> Result<EnumType, Error> {
    let enum_at = at.child("enum");
    let values = node.get("enum").unwrap_or(&Value::Null);
    let values = values
        .as_array()
        .ok_or_else(|| wrong(&enum_at, "an array of values", values))?;
    if values.is_empty() {
        return Err(enum_at.error(Problem::Invalid("an enum needs at least one value".into())));
    }
    let integer = node.get("type").and_then(Value::as_str) == Some("integer");
    let mut seen = BTreeMap::new();
    let mut variants = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let value_at = enum_at.child(i);
        let wire_value = match value {
            Value::String(s) if !integer => WireValue::Str(s.clone()),
            Value::Number(n) if integer && n.is_i64() => {
                WireValue::Int(n.as_i64().unwrap_or_default())
            }
            other => {
                let expected = if integer { "an integer" } else { "a string" };
                return Err(wrong(&value_at, expected, other));
            }
        };
        let variant = variant(&value_at, wire, &wire_value)?;
        let text = match &variant.wire {
            WireValue::Str(s) => s.clone(),
            WireValue::Int(i) => i.to_string(),
        };
        claim(&value_at, &mut seen, &variant.name, &text)?;
        variants.push(variant);
    }
    Ok(EnumType { name, variants })
}

pub(super) fn variant(at: &Location, field: &str, wire: &WireValue) -> Result<Variant, Error> {
    let name = match wire {
        WireValue::Str(s) => naming::string_variant(s).map_err(|why| {
            at.error(Problem::BadName {
                name: s.clone(),
                why,
            })
        })?,
        WireValue::Int(i) => naming::integer_variant(field, *i),
    };
    Ok(Variant {
        name,
        wire: wire.clone(),
    })
}

pub(super) fn image_rules(
    at: &Location,
    node: &Map<String, Value>,
) -> Result<Vec<ImageRule>, Error> {
    let Some(rules) = node.get("validations") else {
        return Ok(Vec::new());
    };
    let list_at = at.child("validations");
    let rules = rules
        .as_array()
        .ok_or_else(|| wrong(&list_at, "an array of rules", rules))?;
    rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let at = list_at.child(i);
            let rule = object(&at, rule)?;
            check_keys(&at, rule, RULE_KEYS)?;
            let name = required_str(&at, rule, "validation_rule")?;
            let kind = ImageRuleKind::ALL
                .iter()
                .find(|(spelling, _)| *spelling == name)
                .map(|(_, kind)| *kind)
                .ok_or_else(|| {
                    at.child("validation_rule").error(Problem::UnknownRule {
                        rule: name.to_owned(),
                        known: ImageRuleKind::ALL.map(|(s, _)| s).join(", "),
                    })
                })?;
            let value_at = at.child("validation_value");
            let value = rule
                .get("validation_value")
                .ok_or_else(|| at.error(Problem::Missing("validation_value")))?;
            let value = value
                .as_f64()
                .ok_or_else(|| wrong(&value_at, "a number", value))?;
            Ok(ImageRule {
                kind,
                value,
                message: required_str(&at, rule, "validation_error")?.to_owned(),
            })
        })
        .collect()
}

pub(super) fn check_default(at: &Location, ty: &Type, default: &Value) -> Result<(), Error> {
    let fits = match ty {
        Type::String(_) => default.is_string(),
        Type::Integer { .. } => default.is_i64(),
        Type::Number { .. } => default.is_number(),
        Type::Boolean => default.is_boolean(),
        Type::Enum(e) | Type::Const(e) => e.variants.iter().any(|v| v.wire.to_json() == *default),
        Type::Array { .. } => default
            .as_array()
            .is_some_and(|items| items.iter().all(Value::is_string)),
    };
    if fits {
        Ok(())
    } else {
        Err(at.error(Problem::Invalid(format!(
            "default {default} does not fit the field's type"
        ))))
    }
}
