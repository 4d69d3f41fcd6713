//! One property of a request schema -> an IR [`Field`]: its type, bounds,
//! enum values, default, media kind and image rules.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::keys::{
    FIELD_KEYS_COMMON, ITEM_KEYS, OPENAPI_KEYS, RULE_KEYS, check_keys, claim, doc_text, flag,
    object, optional, optional_str, required_str, shown, wrong,
};
use super::resolve::Refs;
use crate::error::{Error, Location, Problem, Warning};
use crate::ir::{
    EnumType, Field, Format, ImageRule, ImageRuleKind, MediaKind, ObjectType, StringType, Type,
    Variant, WireValue,
};
use crate::naming;

/// What converting a field needs beyond the node itself.
pub(super) struct Context<'a, 'w> {
    /// Resolves `$ref`s in the document.
    pub refs: &'a Refs<'a>,
    /// The file is an OpenAPI document (its `model` enum is the model id).
    pub openapi: bool,
    /// The vendor's `media_fields`: what a plain `uri` field of that wire
    /// name refers to, where the schema does not say.
    pub media_fields: &'a BTreeMap<String, MediaKind>,
    /// Where vendor mistakes are reported.
    pub warnings: &'w mut Vec<Warning>,
    /// Type names taken in the model's module, with the field and pointer
    /// that took each (every type of a model shares one scope).
    pub types: BTreeMap<String, (String, String)>,
}

/// The struct a field belongs to.
#[derive(Clone, Copy)]
pub(super) struct Owner<'a> {
    /// Its Rust name; `None` for the model's `Input`.
    pub name: Option<&'a str>,
    /// Its path in an input as violations name it (`` for `Input`,
    /// `camera_control`, `dynamic_masks[]`).
    pub path: &'a str,
}

impl Owner<'_> {
    /// The path of its field `wire`.
    fn child(&self, wire: &str) -> String {
        if self.path.is_empty() {
            wire.to_owned()
        } else {
            format!("{}.{wire}", self.path)
        }
    }
}

/// Converts one property of `owner`; `None` for a `readOnly` one (never sent
/// in a request).
pub(super) fn convert_field(
    at: &Location,
    wire: &str,
    node: &Value,
    required: bool,
    owner: Owner<'_>,
    context: &mut Context<'_, '_>,
) -> Result<Option<Field>, Error> {
    let (node, at) = context.refs.resolve(node, at)?;
    let node = &node;
    let at = &at;
    if flag(at, node, "readOnly")? {
        return Ok(None);
    }
    let ident = naming::field_ident(wire).map_err(|why| bad_name(at, wire, why))?;
    let rules = image_rules(at, node)?;
    if !rules.is_empty() && owner.name.is_some() {
        return Err(nested_image_rules(&at.child("validations")));
    }
    let known_media = known_media(wire, !rules.is_empty(), owner, context);
    let ty = field_type(at, wire, &ident, node, known_media, owner, context)?;
    let image_rules = type_image_rules(at, node, &ty, rules, owner)?;
    let default = field_default(at, node, &ty, context);
    Ok(Some(Field {
        wire: wire.to_owned(),
        title: doc_text(at, node, "title")?,
        description: doc_text(at, node, "description")?,
        required,
        deprecated: flag(at, node, "deprecated")?,
        hidden: flag(at, node, "x-hidden")?,
        default,
        ty,
        image_rules,
        ident,
    }))
}

/// A schema name that cannot be a Rust identifier.
fn bad_name(at: &Location, name: &str, why: naming::NameError) -> Error {
    at.error(Problem::BadName {
        name: name.to_owned(),
        why,
    })
}

/// Image rules (at `at`) inside a nested object: the generated checks run on
/// the input's own fields only, so they would be silently dropped.
fn nested_image_rules(at: &Location) -> Error {
    at.error(Problem::Invalid(
        "image rules (`validations`) inside a nested object are not supported: they are checked on the input's own fields".into(),
    ))
}

/// What media a field refers to when something other than its own schema
/// says so. Image rules make a field an image whatever its name; else the
/// vendor's `media_fields` may say what the name refers to (on the input's
/// own fields: the names are the vendor's top-level ones).
fn known_media(
    wire: &str,
    has_image_rules: bool,
    owner: Owner<'_>,
    context: &Context<'_, '_>,
) -> Option<MediaKind> {
    if has_image_rules {
        Some(MediaKind::Image)
    } else if owner.name.is_none() {
        context.media_fields.get(wire).copied()
    } else {
        None
    }
}

/// The image rules a field of type `ty` keeps: its own `rules`, or for a
/// list without them its items' rules; refused where no image is referred to
/// (objects, untyped values) or where they would not be checked.
fn type_image_rules(
    at: &Location,
    node: &Map<String, Value>,
    ty: &Type,
    rules: Vec<ImageRule>,
    owner: Owner<'_>,
) -> Result<Vec<ImageRule>, Error> {
    match ty {
        Type::Array { .. } if rules.is_empty() => {
            let rules = items_rules(at, node)?;
            if !rules.is_empty() && owner.name.is_some() {
                return Err(nested_image_rules(&at.child("items").child("validations")));
            }
            Ok(rules)
        }
        Type::Object(_) | Type::ObjectArray { .. } | Type::Json | Type::JsonObject
            if !rules.is_empty() =>
        {
            Err(at.child("validations").error(Problem::Invalid(
                "image rules (`validations`) apply to image references, not to objects or untyped values".into(),
            )))
        }
        _ => Ok(rules),
    }
}

/// The field's `default`, when it fits `ty`; a vendor default that does not
/// fit is warned about and dropped rather than shown to users as valid.
fn field_default(
    at: &Location,
    node: &Map<String, Value>,
    ty: &Type,
    context: &mut Context<'_, '_>,
) -> Option<Value> {
    let default = match node.get("default") {
        None | Some(Value::Null) => return None,
        Some(default) => default,
    };
    match default_mismatch(ty, default) {
        None => Some(default.clone()),
        Some(why) => {
            context.warnings.push(at.child("default").warning(format!(
                "default {} {why}; ignored (no default is shown)",
                shown(default)
            )));
            None
        }
    }
}

/// A field's type from its `const`, `type` and `enum` keywords; each type
/// takes only the keywords it can honour, so none is silently ignored.
#[allow(clippy::too_many_arguments)]
fn field_type(
    at: &Location,
    wire: &str,
    ident: &str,
    node: &Map<String, Value>,
    known_media: Option<MediaKind>,
    owner: Owner<'_>,
    context: &mut Context<'_, '_>,
) -> Result<Type, Error> {
    let type_name = || member_type_name(at, wire, ident, owner);
    let only = |allowed: &[&str]| {
        check_keys(
            at,
            node,
            &[FIELD_KEYS_COMMON, OPENAPI_KEYS, allowed, &["enum", "const"]].concat(),
        )
    };
    if let Some(value) = node.get("const") {
        only(&[])?;
        return const_type(at, wire, value, type_name);
    }
    let Some(ty) = type_keyword(at, node)? else {
        only(&[])?;
        return Ok(untyped(at, context));
    };
    match ty.as_str() {
        "string" | "integer" if node.contains_key("enum") => {
            only(&[])?;
            let e = enum_type(at, wire, node, ty == "integer", type_name()?)?;
            if is_constant_model_field(wire, node, owner, context) {
                Ok(Type::Const(e))
            } else {
                Ok(Type::Enum(e))
            }
        }
        "string" => {
            only(&["minLength", "maxLength", "format", "validations"])?;
            Ok(Type::String(string_type(at, node, known_media)?))
        }
        "integer" => {
            only(&["minimum", "maximum"])?;
            let (minimum, maximum) = bounds(at, node, NUMBER_BOUNDS, Value::as_i64, "an integer")?;
            Ok(Type::Integer { minimum, maximum })
        }
        // RunComfy publishes `float` for what JSON Schema calls `number`.
        "number" | "float" => {
            only(&["minimum", "maximum"])?;
            let (minimum, maximum) = bounds(at, node, NUMBER_BOUNDS, Value::as_f64, "a number")?;
            Ok(Type::Number { minimum, maximum })
        }
        "boolean" => {
            only(&[])?;
            Ok(Type::Boolean)
        }
        "array" => {
            only(&["items", "minItems", "maxItems", "validations"])?;
            array_type(at, wire, node, known_media, type_name, owner, context)
        }
        "object" => {
            only(OBJECT_KEYS)?;
            object_field_type(at, wire, node, type_name, owner, context)
        }
        other => Err(at
            .child("type")
            .error(Problem::UnsupportedType(other.to_owned()))),
    }
}

/// The Rust name of the type a field of `owner` declares (an enum, a nested
/// struct): the owner's name and the field's.
fn member_type_name(
    at: &Location,
    wire: &str,
    ident: &str,
    owner: Owner<'_>,
) -> Result<String, Error> {
    naming::member_type(owner.name, ident.strip_prefix("r#").unwrap_or(ident))
        .map_err(|why| bad_name(at, wire, why))
}

/// A `const` field: a one-value enum the constructor fills in.
fn const_type(
    at: &Location,
    wire: &str,
    value: &Value,
    type_name: impl Fn() -> Result<String, Error>,
) -> Result<Type, Error> {
    let wire_value = match value {
        Value::String(s) => WireValue::Str(s.clone()),
        other => return Err(wrong(&at.child("const"), "a string", other)),
    };
    Ok(Type::Const(EnumType {
        name: type_name()?,
        variants: vec![variant(&at.child("const"), wire, &wire_value)?],
    }))
}

/// No `type`: JSON Schema allows any value. Nothing local can be checked, so
/// no keyword that would constrain it is taken either (the caller checks).
fn untyped(at: &Location, context: &mut Context<'_, '_>) -> Type {
    context.warnings.push(at.warning(
        "no `type`: taken as any JSON value (`serde_json::Value`), sent as given and not checked locally",
    ));
    Type::Json
}

/// An OpenAPI input's `model` enum of one value is the model id: a constant
/// the constructor fills in, not a choice for users.
fn is_constant_model_field(
    wire: &str,
    node: &Map<String, Value>,
    owner: Owner<'_>,
    context: &Context<'_, '_>,
) -> bool {
    context.openapi
        && owner.name.is_none()
        && wire == "model"
        && node.get("enum").and_then(Value::as_array).map(Vec::len) == Some(1)
}

/// `type: object`: with `properties`, a nested struct; without, a map of
/// free keys taken as given.
fn object_field_type(
    at: &Location,
    wire: &str,
    node: &Map<String, Value>,
    type_name: impl Fn() -> Result<String, Error>,
    owner: Owner<'_>,
    context: &mut Context<'_, '_>,
) -> Result<Type, Error> {
    if node.contains_key("properties") {
        additional_properties(at, node)?;
        let name = type_name()?;
        let path = owner.child(wire);
        Ok(Type::Object(object_type(at, node, name, path, context)?))
    } else {
        // A free-form object (a map): nothing to type or check inside.
        context.warnings.push(at.warning(
            "`type: object` without `properties`: taken as a JSON object of any keys (`serde_json::Map`), sent as given and its content not checked locally",
        ));
        Ok(Type::JsonObject)
    }
}

/// Keywords of an object node (a property or a list's items) beyond the
/// common ones.
const OBJECT_KEYS: &[&str] = &[
    "properties",
    "required",
    "additionalProperties",
    "x-order-properties",
];

/// `additionalProperties` beside `properties`: absent or `false` (the
/// generated struct takes its named fields only); a map of free keys
/// beside named ones has no struct to become.
fn additional_properties(at: &Location, node: &Map<String, Value>) -> Result<(), Error> {
    match node.get("additionalProperties") {
        None | Some(Value::Bool(false)) => Ok(()),
        Some(_) => Err(at.child("additionalProperties").error(Problem::Invalid(
            "`additionalProperties` beside `properties` (named fields plus free keys) is not supported; `false` or none is".into(),
        ))),
    }
}

/// A nested object: its own struct, whose fields are converted like the
/// input's.
fn object_type(
    at: &Location,
    node: &Map<String, Value>,
    name: String,
    path: String,
    context: &mut Context<'_, '_>,
) -> Result<ObjectType, Error> {
    let owner = Owner {
        name: Some(&name),
        path: &path,
    };
    let (fields, required) = super::convert_properties(at, node, owner, context)?;
    Ok(ObjectType {
        name,
        path,
        fields,
        required,
    })
}

/// The `type` keyword: a name, or `[name, "null"]`; absent with an `enum`,
/// taken from the values; `None` when absent otherwise (any value).
fn type_keyword(at: &Location, node: &Map<String, Value>) -> Result<Option<String>, Error> {
    let ty_at = at.child("type");
    match node.get("type") {
        Some(Value::String(name)) => Ok(Some(name.clone())),
        Some(Value::Array(names)) => {
            let named: Vec<&str> = names
                .iter()
                .filter_map(Value::as_str)
                .filter(|n| *n != "null")
                .collect();
            match named.as_slice() {
                [one] if names.len() <= 2 => Ok(Some((*one).to_owned())),
                _ => Err(ty_at.error(Problem::UnsupportedType(shown(&Value::Array(
                    names.clone(),
                ))))),
            }
        }
        Some(other) => Err(ty_at.error(Problem::UnsupportedType(shown(other)))),
        None => match node.get("enum").and_then(Value::as_array) {
            Some(values) if !values.is_empty() && values.iter().all(Value::is_string) => {
                Ok(Some("string".into()))
            }
            Some(values) if !values.is_empty() && values.iter().all(Value::is_i64) => {
                Ok(Some("integer".into()))
            }
            Some(_) => Err(at.error(Problem::Missing("type"))),
            None => Ok(None),
        },
    }
}

/// `minimum` and `maximum`, the keys of a number's bounds.
const NUMBER_BOUNDS: (&str, &str) = ("minimum", "maximum");

/// The lower and upper bound under `keys` (`minimum`/`maximum`,
/// `minLength`/`maxLength`, `minItems`/`maxItems`), read by `read`, and
/// in order.
fn bounds<'a, T: PartialOrd + std::fmt::Display + Copy>(
    at: &Location,
    node: &'a Map<String, Value>,
    (low_key, high_key): (&str, &str),
    read: fn(&'a Value) -> Option<T>,
    expected: &'static str,
) -> Result<(Option<T>, Option<T>), Error> {
    let low = optional(at, node, low_key, read, expected)?;
    let high = optional(at, node, high_key, read, expected)?;
    ordered(at, low_key, low, high_key, high)?;
    Ok((low, high))
}

/// A count or length bound pair (`minItems`/`maxItems`,
/// `minLength`/`maxLength`): non-negative integers.
fn count_bounds(
    at: &Location,
    node: &Map<String, Value>,
    keys: (&str, &str),
) -> Result<(Option<u64>, Option<u64>), Error> {
    bounds(at, node, keys, Value::as_u64, "a non-negative integer")
}

/// A lower bound above its upper bound admits no value: an error, not a guess.
fn ordered<T: PartialOrd + std::fmt::Display>(
    at: &Location,
    low_key: &str,
    low: Option<T>,
    high_key: &str,
    high: Option<T>,
) -> Result<(), Error> {
    match (low, high) {
        (Some(low), Some(high)) if low > high => Err(at.child(low_key).error(Problem::Invalid(
            format!("{low_key} {low} is above {high_key} {high}: no value can satisfy both"),
        ))),
        _ => Ok(()),
    }
}

/// A list: of strings (each item a [`StringType`]) or of objects (each item
/// its own struct, named after the list).
fn array_type(
    at: &Location,
    wire: &str,
    node: &Map<String, Value>,
    known_media: Option<MediaKind>,
    type_name: impl Fn() -> Result<String, Error>,
    owner: Owner<'_>,
    context: &mut Context<'_, '_>,
) -> Result<Type, Error> {
    let items_at = at.child("items");
    let items = node
        .get("items")
        .ok_or_else(|| at.error(Problem::Missing("items")))?;
    let (items, items_at) = context.refs.resolve(items, &items_at)?;
    let (min_items, max_items) = count_bounds(at, node, ("minItems", "maxItems"))?;
    if items.get("type").and_then(Value::as_str) == Some("object") {
        let item = list_item_type(at, wire, (&items_at, &items), type_name, owner, context)?;
        return Ok(Type::ObjectArray {
            item,
            min_items,
            max_items,
        });
    }
    Ok(Type::Array {
        items: string_items(&items_at, &items, node, known_media)?,
        min_items,
        max_items,
    })
}

/// The struct of each item of a list of objects; items without
/// `properties` would have no fields to type.
fn list_item_type(
    at: &Location,
    wire: &str,
    (items_at, items): (&Location, &Map<String, Value>),
    type_name: impl Fn() -> Result<String, Error>,
    owner: Owner<'_>,
    context: &mut Context<'_, '_>,
) -> Result<ObjectType, Error> {
    check_keys(
        items_at,
        items,
        &[FIELD_KEYS_COMMON, OPENAPI_KEYS, OBJECT_KEYS].concat(),
    )?;
    if !items.contains_key("properties") {
        return Err(items_at.error(Problem::Invalid(
            "a list of objects without `properties` is not supported (its items would have no fields to type)".into(),
        )));
    }
    additional_properties(items_at, items)?;
    let name = naming::item_type(&type_name()?).map_err(|why| bad_name(at, wire, why))?;
    let path = format!("{}[]", owner.child(wire));
    object_type(items_at, items, name, path, context)
}

/// The string type of each item of a list of strings (the only other lists
/// supported). Item image rules make each item an image; `x-accept` sits on
/// the list in WaveSpeed's schemas and describes each item.
fn string_items(
    items_at: &Location,
    items: &Map<String, Value>,
    node: &Map<String, Value>,
    known_media: Option<MediaKind>,
) -> Result<StringType, Error> {
    check_keys(items_at, items, ITEM_KEYS)?;
    match items.get("type").and_then(Value::as_str) {
        Some("string") => {}
        Some(other) => {
            return Err(items_at
                .child("type")
                .error(Problem::UnsupportedType(format!(
                    "array of {other} (only arrays of strings or of objects are supported)"
                ))));
        }
        None => return Err(items_at.error(Problem::Missing("type"))),
    }
    let item_rules = items.contains_key("validations");
    let mut item_node = items.clone();
    if let (Some(accept), false) = (node.get("x-accept"), item_node.contains_key("x-accept")) {
        item_node.insert("x-accept".into(), accept.clone());
    }
    let media = if item_rules {
        Some(MediaKind::Image)
    } else {
        known_media
    };
    string_type(items_at, &item_node, media)
}

/// A string; `known_media` is what it refers to when the caller knows (image
/// rules, the vendor's `media_fields`), which `x-accept` may otherwise tell.
fn string_type(
    at: &Location,
    node: &Map<String, Value>,
    known_media: Option<MediaKind>,
) -> Result<StringType, Error> {
    let format = match optional_str(at, node, "format")? {
        None => None,
        Some(name) => Some(Format::from_schema(name).ok_or_else(|| {
            let known: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
            at.child("format").error(Problem::Invalid(format!(
                "unsupported format {name:?} (known: {})",
                known.join(", ")
            )))
        })?),
    };
    let accepted = optional_str(at, node, "x-accept")?
        .and_then(|mime| mime.split(',').find_map(MediaKind::from_mime));
    let implied = known_media.or(accepted).map(|media| match media {
        MediaKind::Image => Format::ImageUri,
        MediaKind::Video => Format::VideoUri,
        MediaKind::Audio => Format::AudioUri,
    });
    let format = match (format, implied) {
        // A plain `uri` with a media kind known otherwise is that kind.
        (None | Some(Format::Uri), Some(implied)) => Some(implied),
        (format, _) => format,
    };
    let (min_length, max_length) = count_bounds(at, node, ("minLength", "maxLength"))?;
    Ok(StringType {
        min_length,
        max_length,
        format,
    })
}

fn enum_type(
    at: &Location,
    wire: &str,
    node: &Map<String, Value>,
    integer: bool,
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
        WireValue::Str(s) => naming::string_variant(s).map_err(|why| bad_name(at, s, why))?,
        WireValue::Int(i) => naming::integer_variant(field, *i),
    };
    Ok(Variant {
        name,
        wire: wire.clone(),
    })
}

/// `validations` of a field (for an array: of every item).
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
        .map(|(i, rule)| image_rule(&list_at.child(i), rule))
        .collect()
}

/// `validations` on an array's `items`, which apply to every item as well.
fn items_rules(at: &Location, node: &Map<String, Value>) -> Result<Vec<ImageRule>, Error> {
    match node.get("items").and_then(Value::as_object) {
        Some(items) => image_rules(&at.child("items"), items),
        None => Ok(Vec::new()),
    }
}

fn image_rule(at: &Location, rule: &Value) -> Result<ImageRule, Error> {
    let rule = object(at, rule)?;
    check_keys(at, rule, RULE_KEYS)?;
    let name = required_str(at, rule, "validation_rule")?;
    let kind = ImageRuleKind::from_schema(name).ok_or_else(|| {
        let known: Vec<&str> = ImageRuleKind::ALL.iter().map(|k| k.as_str()).collect();
        at.child("validation_rule").error(Problem::UnknownRule {
            rule: name.to_owned(),
            known: known.join(", "),
        })
    })?;
    let value = rule
        .get("validation_value")
        .ok_or_else(|| at.error(Problem::Missing("validation_value")))?;
    let value = value
        .as_f64()
        .ok_or_else(|| wrong(&at.child("validation_value"), "a number", value))?;
    Ok(ImageRule {
        kind,
        value,
        message: required_str(at, rule, "validation_error")?.to_owned(),
    })
}

/// Why `default` cannot be the field's value, or `None` when it can.
fn default_mismatch(ty: &Type, default: &Value) -> Option<&'static str> {
    let fits = match ty {
        Type::String(_) => default.is_string(),
        Type::Integer { .. } => default.is_i64(),
        Type::Number { .. } => default.is_number(),
        Type::Boolean => default.is_boolean(),
        Type::Enum(e) | Type::Const(e) => {
            return (!e.variants.iter().any(|v| v.wire.to_json() == *default)).then_some(
                if e.is_integer() && default.is_string() {
                    "is a string but the enum holds integers"
                } else {
                    "is not one of the enum's values"
                },
            );
        }
        Type::Array { .. } => default
            .as_array()
            .is_some_and(|items| items.iter().all(Value::is_string)),
        Type::Object(_) | Type::JsonObject => default.is_object(),
        Type::ObjectArray { .. } => default
            .as_array()
            .is_some_and(|items| items.iter().all(Value::is_object)),
        Type::Json => true,
    };
    (!fits).then_some("does not fit the field's type")
}
