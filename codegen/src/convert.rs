//! Conversion: parsed JSON -> IR. Every keyword is either understood or an
//! error naming its file and JSON pointer; nothing is dropped silently.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::{Error, Location, Problem};
use crate::ir::{
    Corpus, EnumType, Field, Format, ImageRule, ImageRuleKind, Model, Protocol, StringType, Type,
    Variant, Vendor, WireValue,
};
use crate::load::{JsonFile, VendorFiles};
use crate::naming;

const MANIFEST_KEYS: &[&str] = &[
    "$comment",
    "name",
    "protocol",
    "base_url",
    "token_env",
    "submit_path",
    "output_schema",
];
const MODEL_KEYS: &[&str] = &[
    "$comment",
    "type",
    "title",
    "description",
    "required",
    "properties",
];
const FIELD_KEYS: &[&str] = &[
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
const ITEM_KEYS: &[&str] = &["$comment", "type", "format", "maxLength"];
const RULE_KEYS: &[&str] = &["validation_rule", "validation_value", "validation_error"];

/// Text that is an untranslated page placeholder, not documentation.
const PLACEHOLDER_MARK: &str = "modelApiDoc_";

/// Converts loaded vendor folders into the IR.
pub fn convert(vendors: &[VendorFiles]) -> Result<Corpus, Error> {
    let vendors = vendors
        .iter()
        .map(convert_vendor)
        .collect::<Result<_, _>>()?;
    Ok(Corpus { vendors })
}

fn convert_vendor(files: &VendorFiles) -> Result<Vendor, Error> {
    let root = Location::root(&files.manifest.path);
    let manifest = object(&root, &files.manifest.json)?;
    check_keys(&root, manifest, MANIFEST_KEYS)?;
    let id = naming::vendor_module(&files.id).map_err(|why| {
        root.error(Problem::BadName {
            name: files.id.clone(),
            why,
        })
    })?;
    let protocol_name = required_str(&root, manifest, "protocol")?;
    let protocol = Protocol::NAMES
        .iter()
        .find(|(name, _)| *name == protocol_name)
        .map(|(_, protocol)| *protocol)
        .ok_or_else(|| {
            root.child("protocol").error(Problem::Invalid(format!(
                "unknown protocol {protocol_name:?} (known: runcomfy, aimlapi, wavespeed)"
            )))
        })?;
    let submit_template = required_str(&root, manifest, "submit_path")?;

    let mut modules = BTreeMap::new();
    let mut models = Vec::new();
    for (path, file) in &files.models {
        let model = convert_model(path, file, submit_template)?;
        if let Some(first) = modules.insert(model.module.clone(), path.clone()) {
            return Err(Location::root(&file.path).error(Problem::NameCollision {
                first,
                second: path.clone(),
                rust: model.module,
            }));
        }
        models.push(model);
    }
    Ok(Vendor {
        id,
        name: required_str(&root, manifest, "name")?.to_owned(),
        protocol,
        base_url: required_str(&root, manifest, "base_url")?.to_owned(),
        token_env: required_str(&root, manifest, "token_env")?.to_owned(),
        source: files.manifest.path.clone(),
        models,
    })
}

/// Converts one model schema.
pub fn convert_model(path: &str, file: &JsonFile, submit_template: &str) -> Result<Model, Error> {
    let root = Location::root(&file.path);
    let schema = object(&root, &file.json)?;
    check_keys(&root, schema, MODEL_KEYS)?;
    if let Some(ty) = schema.get("type") {
        if ty != "object" {
            return Err(root
                .child("type")
                .error(Problem::UnsupportedType(ty.to_string())));
        }
    }
    let module = naming::model_module(path).map_err(|why| {
        root.error(Problem::BadName {
            name: path.to_owned(),
            why,
        })
    })?;

    let properties_at = root.child("properties");
    let properties = object(
        &properties_at,
        schema.get("properties").unwrap_or(&Value::Null),
    )?;
    let required = required_list(&root, schema, properties)?;

    let mut idents = BTreeMap::new();
    let mut type_names = BTreeMap::from([("Input".to_owned(), "the input struct".to_owned())]);
    let mut fields = Vec::new();
    for (wire, node) in properties {
        let at = properties_at.child(wire);
        let field = convert_field(&at, wire, node, required.contains(&wire.as_str()))?;
        claim(&at, &mut idents, &field.ident, wire)?;
        if let Type::Enum(e) | Type::Const(e) = &field.ty {
            claim(&at, &mut type_names, &e.name, wire)?;
        }
        fields.push(field);
    }
    Ok(Model {
        path: path.to_owned(),
        module,
        source: file.path.clone(),
        title: doc_text(&root, schema, "title")?,
        description: doc_text(&root, schema, "description")?,
        submit_path: submit_template.replace("{model}", path),
        fields,
        required: required.iter().map(|name| (*name).to_owned()).collect(),
    })
}

fn required_list<'a>(
    root: &Location,
    schema: &'a Map<String, Value>,
    properties: &Map<String, Value>,
) -> Result<Vec<&'a str>, Error> {
    let at = root.child("required");
    let Some(list) = schema.get("required") else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or_else(|| wrong(&at, "an array of property names", list))?;
    list.iter()
        .enumerate()
        .map(|(i, name)| {
            let at = at.child(i);
            let name = name
                .as_str()
                .ok_or_else(|| wrong(&at, "a property name", name))?;
            if properties.contains_key(name) {
                Ok(name)
            } else {
                Err(at.error(Problem::Invalid(format!(
                    "required property {name:?} is not defined"
                ))))
            }
        })
        .collect()
}

fn convert_field(at: &Location, wire: &str, node: &Value, required: bool) -> Result<Field, Error> {
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

fn field_type(
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

/// Keywords any typed field may carry.
const FIELD_KEYS_COMMON: &[&str] = &[
    "$comment",
    "title",
    "description",
    "type",
    "default",
    "deprecated",
];

fn string_type(
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

fn enum_type(
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

fn variant(at: &Location, field: &str, wire: &WireValue) -> Result<Variant, Error> {
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

fn image_rules(at: &Location, node: &Map<String, Value>) -> Result<Vec<ImageRule>, Error> {
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

fn check_default(at: &Location, ty: &Type, default: &Value) -> Result<(), Error> {
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

/// Records `rust` as taken in one scope; a second claim is a collision.
fn claim(
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
fn doc_text(at: &Location, node: &Map<String, Value>, key: &str) -> Result<Option<String>, Error> {
    match node.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => {
            let s = s.trim();
            Ok((!s.is_empty() && !s.contains(PLACEHOLDER_MARK)).then(|| s.to_owned()))
        }
        Some(other) => Err(wrong(&at.child(key), "a string", other)),
    }
}

fn check_keys(at: &Location, node: &Map<String, Value>, known: &[&str]) -> Result<(), Error> {
    match node.keys().find(|key| !known.contains(&key.as_str())) {
        None => Ok(()),
        Some(key) => Err(at.child(key).error(Problem::UnknownKeyword {
            keyword: key.clone(),
            known: known.join(", "),
        })),
    }
}

fn object<'a>(at: &Location, value: &'a Value) -> Result<&'a Map<String, Value>, Error> {
    value
        .as_object()
        .ok_or_else(|| wrong(at, "an object", value))
}

fn required_str<'a>(
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

fn optional<T>(
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

fn wrong(at: &Location, expected: &'static str, found: &Value) -> Error {
    let text = found.to_string();
    let mut found: String = text.chars().take(80).collect();
    if found.len() < text.len() {
        found.push_str("...");
    }
    at.error(Problem::WrongShape { expected, found })
}
