//! The public surface of the generated crate as data, projected from the IR:
//! what a user of each model can name and send. It is written next to the
//! crate (`surface.json`) so that the next regen or pull can say what a schema
//! change does to users (module `changes`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ir::{Corpus, Field, ObjectType, StringType, Type};

/// Every model's surface, keyed by `vendor/model path`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Surface {
    /// The models.
    pub models: BTreeMap<String, ModelSurface>,
}

/// One model: its module and fields in constructor order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSurface {
    /// Module path (`runcomfy::seedance_1_0_pro_image_to_video`).
    pub module: String,
    /// `Input::new`'s arguments (wire names), in order.
    #[serde(default)]
    pub arguments: Vec<String>,
    /// Fields in schema order.
    pub fields: Vec<FieldSurface>,
}

/// One field as a user sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldSurface {
    /// Wire name.
    pub wire: String,
    /// Rust name.
    pub rust: String,
    /// A constructor argument.
    pub required: bool,
    /// Not advertised (`x-hidden`).
    pub hidden: bool,
    /// Type and local bounds.
    pub ty: TypeSurface,
    /// Image rules as `rule value`, in schema order.
    pub image_rules: Vec<String>,
    /// Title, description, default and deprecation as one text.
    pub docs: String,
}

/// A field's type with the bounds that decide which values are accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TypeSurface {
    /// A string.
    String {
        /// `minLength`.
        min_length: Option<u64>,
        /// `maxLength`.
        max_length: Option<u64>,
        /// Checked URL format.
        format: Option<String>,
    },
    /// An integer.
    Integer {
        /// `minimum`.
        minimum: Option<f64>,
        /// `maximum`.
        maximum: Option<f64>,
    },
    /// A number.
    Number {
        /// `minimum`.
        minimum: Option<f64>,
        /// `maximum`.
        maximum: Option<f64>,
    },
    /// A boolean.
    Boolean,
    /// An enum.
    Enum {
        /// Rust type name.
        name: String,
        /// Wire values in schema order.
        values: Vec<Value>,
    },
    /// A constant filled in by the constructor.
    Const {
        /// The value.
        value: Value,
    },
    /// A list of strings.
    Array {
        /// `minItems`.
        min_items: Option<u64>,
        /// `maxItems`.
        max_items: Option<u64>,
        /// Item `minLength`.
        min_length: Option<u64>,
        /// Item `maxLength`.
        max_length: Option<u64>,
        /// Item format.
        format: Option<String>,
    },
    /// A nested struct.
    Object {
        /// Rust type name.
        name: String,
        /// `new`'s arguments (wire names), in order.
        #[serde(default)]
        arguments: Vec<String>,
        /// Its fields in schema order.
        fields: Vec<FieldSurface>,
    },
    /// A list of nested structs.
    ObjectList {
        /// `minItems`.
        min_items: Option<u64>,
        /// `maxItems`.
        max_items: Option<u64>,
        /// Item type name.
        name: String,
        /// The item's `new` arguments (wire names), in order.
        #[serde(default)]
        arguments: Vec<String>,
        /// The item's fields in schema order.
        fields: Vec<FieldSurface>,
    },
    /// Any JSON value.
    Json,
    /// A JSON object of any keys.
    JsonObject,
}

impl TypeSurface {
    /// The kind as a word, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            TypeSurface::String { .. } => "string",
            TypeSurface::Integer { .. } => "integer",
            TypeSurface::Number { .. } => "number",
            TypeSurface::Boolean => "boolean",
            TypeSurface::Enum { .. } => "enum",
            TypeSurface::Const { .. } => "constant",
            TypeSurface::Array { .. } => "list",
            TypeSurface::Object { .. } => "struct",
            TypeSurface::ObjectList { .. } => "list of structs",
            TypeSurface::Json => "JSON value",
            TypeSurface::JsonObject => "JSON object",
        }
    }
}

/// The surface of every model in `corpus`.
pub fn project(corpus: &Corpus) -> Surface {
    let mut models = BTreeMap::new();
    for vendor in &corpus.vendors {
        for model in &vendor.models {
            models.insert(
                format!("{}/{}", vendor.id, model.path),
                ModelSurface {
                    module: format!("{}::{}", vendor.id, model.module),
                    arguments: model
                        .constructor_arguments()
                        .iter()
                        .map(|f| f.wire.clone())
                        .collect(),
                    fields: model.fields.iter().map(field).collect(),
                },
            );
        }
    }
    Surface { models }
}

/// The text of `surface.json`.
pub fn render(surface: &Surface) -> String {
    let mut text = serde_json::to_string_pretty(surface).unwrap_or_default();
    text.push('\n');
    crate::emit::json_text(text)
}

fn field(field: &Field) -> FieldSurface {
    let mut docs = Vec::new();
    docs.extend(field.title.clone());
    docs.extend(field.description.clone());
    if let Some(default) = &field.default {
        docs.push(format!("default {default}"));
    }
    if field.deprecated {
        docs.push("deprecated".into());
    }
    FieldSurface {
        wire: field.wire.clone(),
        rust: field.rust_name().to_owned(),
        required: field.required,
        hidden: field.hidden,
        ty: ty(&field.ty),
        image_rules: field
            .image_rules
            .iter()
            .map(|r| format!("{} {}", r.kind.as_str(), r.value))
            .collect(),
        docs: docs.join("\n"),
    }
}

fn ty(ty: &Type) -> TypeSurface {
    let format = |s: &StringType| s.format.map(|f| f.as_str().to_owned());
    match ty {
        Type::String(s) => TypeSurface::String {
            min_length: s.min_length,
            max_length: s.max_length,
            format: format(s),
        },
        Type::Integer { minimum, maximum } => TypeSurface::Integer {
            minimum: minimum.map(|m| m as f64),
            maximum: maximum.map(|m| m as f64),
        },
        Type::Number { minimum, maximum } => TypeSurface::Number {
            minimum: *minimum,
            maximum: *maximum,
        },
        Type::Boolean => TypeSurface::Boolean,
        Type::Enum(e) => TypeSurface::Enum {
            name: e.name.clone(),
            values: e.variants.iter().map(|v| v.wire.to_json()).collect(),
        },
        Type::Const(e) => TypeSurface::Const {
            value: e.variants[0].wire.to_json(),
        },
        Type::Array {
            items,
            min_items,
            max_items,
        } => TypeSurface::Array {
            min_items: *min_items,
            max_items: *max_items,
            min_length: items.min_length,
            max_length: items.max_length,
            format: format(items),
        },
        Type::Object(object) => TypeSurface::Object {
            name: object.name.clone(),
            arguments: arguments(object),
            fields: object.fields.iter().map(field).collect(),
        },
        Type::ObjectArray {
            item,
            min_items,
            max_items,
        } => TypeSurface::ObjectList {
            min_items: *min_items,
            max_items: *max_items,
            name: item.name.clone(),
            arguments: arguments(item),
            fields: item.fields.iter().map(field).collect(),
        },
        Type::Json => TypeSurface::Json,
        Type::JsonObject => TypeSurface::JsonObject,
    }
}

fn arguments(object: &ObjectType) -> Vec<String> {
    object
        .constructor_arguments()
        .iter()
        .map(|f| f.wire.clone())
        .collect()
}
