//! The JSON Schema a generated type reports through `schemars::JsonSchema`,
//! rebuilt from the IR (not copied from the file), so a test comparing it with
//! the vendor file proves codegen kept every enum, bound and required field.

use serde_json::{Map, Value, json};

use std::path::PathBuf;

use crate::ir::{EnumType, Field, Model, ObjectType, StringType, Type, Vendor};

/// Where the model's input schema is written in the generated crate
/// (`schemas/runcomfy/seedance_1_0_pro_image_to_video.json`): a file of its
/// own, so tools and benchmarks can read it and the Rust module stays code.
pub fn schema_file(vendor: &Vendor, model: &Model) -> PathBuf {
    PathBuf::from(format!("schemas/{}/{}.json", vendor.id, model.module))
}

/// The input object's schema as the text of [`schema_file`].
pub fn model_schema_text(model: &Model) -> String {
    let text = serde_json::to_string_pretty(&model_schema(model)).unwrap_or_default();
    let mut text = crate::emit::json_text(text);
    text.push('\n');
    text
}

/// The input object's schema.
pub fn model_schema(model: &Model) -> Value {
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    if let Some(title) = &model.title {
        schema.insert("title".into(), json!(title));
    }
    if let Some(description) = &model.description {
        schema.insert("description".into(), json!(description));
    }
    struct_keys(&model.fields, &model.required, &mut schema);
    Value::Object(schema)
}

/// A nested struct's schema (also used inline in its parent's).
pub fn object_schema(object: &ObjectType) -> Value {
    let mut schema = Map::new();
    object_keys(object, &mut schema);
    Value::Object(schema)
}

fn object_keys(object: &ObjectType, schema: &mut Map<String, Value>) {
    schema.insert("type".into(), json!("object"));
    struct_keys(&object.fields, &object.required, schema);
}

/// `required`, `properties` and `additionalProperties: false` of a struct
/// (the input or a nested one).
fn struct_keys(fields: &[Field], required: &[String], schema: &mut Map<String, Value>) {
    schema.insert("required".into(), json!(required));
    let properties: Map<String, Value> = fields
        .iter()
        .map(|f| (f.wire.clone(), field_schema(f)))
        .collect();
    schema.insert("properties".into(), Value::Object(properties));
    schema.insert("additionalProperties".into(), json!(false));
}

/// An enum type's schema (also used inline in the input's).
pub fn enum_schema(field: &Field, e: &EnumType) -> Value {
    let mut schema = Map::new();
    doc_keys(field, &mut schema);
    type_keys(&Type::Enum(e.clone()), &mut schema);
    if let Some(default) = &field.default {
        schema.insert("default".into(), default.clone());
    }
    Value::Object(schema)
}

fn field_schema(field: &Field) -> Value {
    let mut schema = Map::new();
    doc_keys(field, &mut schema);
    type_keys(&field.ty, &mut schema);
    if let Some(default) = &field.default {
        schema.insert("default".into(), default.clone());
    }
    if field.deprecated {
        schema.insert("deprecated".into(), json!(true));
    }
    if !field.image_rules.is_empty() {
        let rules: Vec<Value> = field
            .image_rules
            .iter()
            .map(|r| {
                json!({
                    "validation_rule": r.kind.as_str(),
                    "validation_value": number(r.value),
                    "validation_error": r.message,
                })
            })
            .collect();
        schema.insert("validations".into(), Value::Array(rules));
    }
    Value::Object(schema)
}

fn doc_keys(field: &Field, schema: &mut Map<String, Value>) {
    if let Some(title) = &field.title {
        schema.insert("title".into(), json!(title));
    }
    if let Some(description) = &field.description {
        schema.insert("description".into(), json!(description));
    }
}

fn type_keys(ty: &Type, schema: &mut Map<String, Value>) {
    match ty {
        Type::String(s) => {
            schema.insert("type".into(), json!("string"));
            string_keys(s, schema);
        }
        Type::Integer { minimum, maximum } => {
            schema.insert("type".into(), json!("integer"));
            bounds(minimum.map(Value::from), maximum.map(Value::from), schema);
        }
        Type::Number { minimum, maximum } => {
            schema.insert("type".into(), json!("number"));
            bounds(minimum.map(Value::from), maximum.map(Value::from), schema);
        }
        Type::Boolean => {
            schema.insert("type".into(), json!("boolean"));
        }
        Type::Enum(e) => {
            let kind = if e.is_integer() { "integer" } else { "string" };
            schema.insert("type".into(), json!(kind));
            let values: Vec<Value> = e.variants.iter().map(|v| v.wire.to_json()).collect();
            schema.insert("enum".into(), Value::Array(values));
        }
        Type::Const(e) => {
            schema.insert("type".into(), json!("string"));
            schema.insert("const".into(), e.variants[0].wire.to_json());
        }
        Type::Array {
            items,
            min_items,
            max_items,
        } => {
            schema.insert("type".into(), json!("array"));
            let mut item = Map::new();
            item.insert("type".into(), json!("string"));
            string_keys(items, &mut item);
            schema.insert("items".into(), Value::Object(item));
            if let Some(min) = min_items {
                schema.insert("minItems".into(), json!(min));
            }
            if let Some(max) = max_items {
                schema.insert("maxItems".into(), json!(max));
            }
        }
        Type::Object(object) => object_keys(object, schema),
        Type::ObjectArray {
            item,
            min_items,
            max_items,
        } => {
            schema.insert("type".into(), json!("array"));
            schema.insert("items".into(), object_schema(item));
            if let Some(min) = min_items {
                schema.insert("minItems".into(), json!(min));
            }
            if let Some(max) = max_items {
                schema.insert("maxItems".into(), json!(max));
            }
        }
        // Any value: no `type`, nothing to constrain.
        Type::Json => {}
        Type::JsonObject => {
            schema.insert("type".into(), json!("object"));
        }
    }
}

fn string_keys(s: &StringType, schema: &mut Map<String, Value>) {
    if let Some(max) = s.max_length {
        schema.insert("maxLength".into(), json!(max));
    }
    if let Some(format) = s.format {
        schema.insert("format".into(), json!(format.as_str()));
    }
}

fn bounds(minimum: Option<Value>, maximum: Option<Value>, schema: &mut Map<String, Value>) {
    if let Some(min) = minimum {
        schema.insert("minimum".into(), min);
    }
    if let Some(max) = maximum {
        schema.insert("maximum".into(), max);
    }
}

/// A rule value as the vendor writes it: `6000`, not `6000.0`.
fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        json!(value as i64)
    } else {
        json!(value)
    }
}
