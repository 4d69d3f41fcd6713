//! The intermediate representation: what the schemas mean, already checked
//! and named, with nothing left for `emit` to decide but syntax.

use std::path::PathBuf;

use serde_json::Value;

pub use seedance_dialect::{Format, ImageRuleKind, MediaKind, Protocol};

use crate::error::Warning;
use crate::naming::Ident;

/// Every vendor under the schemas root, sorted by id.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The vendors.
    pub vendors: Vec<Vendor>,
    /// Vendor mistakes that do not change the wire, each skipped with a
    /// reason (printed by regen; never fatal).
    pub warnings: Vec<Warning>,
}

/// A vendor folder: `vendor.json` and its models.
#[derive(Debug, Clone)]
pub struct Vendor {
    /// Folder name, also the module name and cargo feature (`runcomfy`).
    pub id: Ident,
    /// Display name (`RunComfy`).
    pub name: String,
    /// Protocol id (`runcomfy`, `aimlapi`, `wavespeed`).
    pub protocol: Protocol,
    /// Production base URL.
    pub base_url: String,
    /// Environment variable holding the token.
    pub token_env: String,
    /// Where `cargo xtask pull` fetches the schemas (`{model}`/`{file}` filled in).
    pub catalog_url: Option<String>,
    /// The manifest file.
    pub source: PathBuf,
    /// Models, sorted by model path.
    pub models: Vec<Model>,
}

/// One model's input schema.
#[derive(Debug, Clone)]
pub struct Model {
    /// Model path (`bytedance/seedance-1-0/pro/image-to-video`).
    pub path: String,
    /// Module name (`seedance_1_0_pro_image_to_video`).
    pub module: Ident,
    /// The schema file.
    pub source: PathBuf,
    /// Schema `title`, when it is real text.
    pub title: Option<String>,
    /// Schema `description`, when it is real text.
    pub description: Option<String>,
    /// Submit path relative to the base URL.
    pub submit_path: String,
    /// Properties in schema order (also the constructor's argument order).
    pub fields: Vec<Field>,
    /// The `required` list in its own order.
    pub required: Vec<String>,
}

impl Model {
    /// The arguments of `Input::new`: required fields but constants, text
    /// first, then URLs, then the rest, each in schema order (the rule is in
    /// `naming`'s docs).
    pub fn constructor_arguments(&self) -> Vec<&Field> {
        constructor_arguments(&self.fields)
    }

    /// Every nested struct of the input (objects and list items at any
    /// depth), parents before their children, in schema order.
    pub fn nested_objects(&self) -> Vec<&ObjectType> {
        let mut out = Vec::new();
        collect_objects(&self.fields, &mut out);
        out
    }

    /// Every enum of the input and of its nested structs, each with the
    /// field that holds it, in the order [`Model::nested_objects`] visits them.
    pub fn enums(&self) -> Vec<(&Field, &EnumType)> {
        let mut out = Vec::new();
        collect_enums(&self.fields, &mut out);
        out
    }
}

/// `Input::new`'s (or a nested struct's `new`'s) arguments among `fields`.
pub fn constructor_arguments(fields: &[Field]) -> Vec<&Field> {
    let group = |field: &Field| match &field.ty {
        Type::String(s) if s.format.is_none() => 0,
        Type::String(_) | Type::Array { .. } => 1,
        _ => 2,
    };
    let mut arguments: Vec<&Field> = fields
        .iter()
        .filter(|f| f.required && !matches!(f.ty, Type::Const(_)))
        .collect();
    arguments.sort_by_key(|f| group(f));
    arguments
}

fn collect_objects<'a>(fields: &'a [Field], out: &mut Vec<&'a ObjectType>) {
    for field in fields {
        if let Some(object) = field.ty.object() {
            out.push(object);
            collect_objects(&object.fields, out);
        }
    }
}

fn collect_enums<'a>(fields: &'a [Field], out: &mut Vec<(&'a Field, &'a EnumType)>) {
    for field in fields {
        match &field.ty {
            Type::Enum(e) | Type::Const(e) => out.push((field, e)),
            Type::Object(object) | Type::ObjectArray { item: object, .. } => {
                collect_enums(&object.fields, out)
            }
            _ => {}
        }
    }
}

/// One property of a model input.
#[derive(Debug, Clone)]
pub struct Field {
    /// Wire name (`first_frame_image_url`).
    pub wire: String,
    /// Rust identifier (`first_frame_image_url`, `r#type`).
    pub ident: Ident,
    /// `title`, when real text.
    pub title: Option<String>,
    /// `description`, when real text.
    pub description: Option<String>,
    /// Listed in `required`.
    pub required: bool,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// `x-hidden: true` (WaveSpeed): on the wire type, not advertised in docs or the CLI.
    pub hidden: bool,
    /// The vendor default (documentation only: the client never sends it).
    pub default: Option<Value>,
    /// Type and local constraints.
    pub ty: Type,
    /// `validations`: image rules (for an array field, per item).
    pub image_rules: Vec<ImageRule>,
}

impl Field {
    /// The Rust name without a raw-identifier prefix (`type` for `r#type`).
    pub fn rust_name(&self) -> &str {
        self.ident.strip_prefix("r#").unwrap_or(&self.ident)
    }
}

/// A field's type with its local constraints.
#[derive(Debug, Clone)]
pub enum Type {
    /// `type: string`.
    String(StringType),
    /// `type: integer` without `enum`.
    Integer {
        /// `minimum`.
        minimum: Option<i64>,
        /// `maximum`.
        maximum: Option<i64>,
    },
    /// `type: number`.
    Number {
        /// `minimum`.
        minimum: Option<f64>,
        /// `maximum`.
        maximum: Option<f64>,
    },
    /// `type: boolean`.
    Boolean,
    /// `enum` of strings or integers.
    Enum(EnumType),
    /// `const`: a value the constructor fills in.
    Const(EnumType),
    /// `type: array` of strings.
    Array {
        /// Item type.
        items: StringType,
        /// `minItems`.
        min_items: Option<u64>,
        /// `maxItems`.
        max_items: Option<u64>,
    },
    /// `type: object` with `properties`: a nested struct.
    Object(ObjectType),
    /// `type: array` whose items are objects with `properties`: a list of
    /// nested structs.
    ObjectArray {
        /// The item struct.
        item: ObjectType,
        /// `minItems`.
        min_items: Option<u64>,
        /// `maxItems`.
        max_items: Option<u64>,
    },
    /// No `type`: any JSON value, sent as given and not checked locally.
    Json,
    /// `type: object` without `properties`: a JSON object of any keys, sent
    /// as given and its content not checked locally.
    JsonObject,
}

impl Type {
    /// Its numeric limits as `(keyword, value)`, in the order the command
    /// line and the generated `FieldInfo` list them: `minimum`, `maximum`,
    /// `minLength`, `maxLength` (of a list: of each item), `minItems`,
    /// `maxItems`, where present.
    pub fn bounds(&self) -> Vec<(&'static str, f64)> {
        let mut bounds = Vec::new();
        let mut push = |name, value: Option<f64>| bounds.extend(value.map(|v| (name, v)));
        let as_f64 = |v: Option<u64>| v.map(|v| v as f64);
        match self {
            Type::String(s) => {
                push("minLength", as_f64(s.min_length));
                push("maxLength", as_f64(s.max_length));
            }
            Type::Integer { minimum, maximum } => {
                push("minimum", minimum.map(|v| v as f64));
                push("maximum", maximum.map(|v| v as f64));
            }
            Type::Number { minimum, maximum } => {
                push("minimum", *minimum);
                push("maximum", *maximum);
            }
            Type::Array {
                items,
                min_items,
                max_items,
            } => {
                push("minLength", as_f64(items.min_length));
                push("maxLength", as_f64(items.max_length));
                push("minItems", as_f64(*min_items));
                push("maxItems", as_f64(*max_items));
            }
            _ => {}
        }
        bounds
    }

    /// The URL format a string, or each string of a list, is checked against.
    pub fn format(&self) -> Option<Format> {
        match self {
            Type::String(s) => s.format,
            Type::Array { items, .. } => items.format,
            _ => None,
        }
    }

    /// The nested struct of an object or of a list's items.
    pub fn object(&self) -> Option<&ObjectType> {
        match self {
            Type::Object(object) | Type::ObjectArray { item: object, .. } => Some(object),
            _ => None,
        }
    }
}

/// A nested object: a struct of its own, named from its path (see `naming`).
#[derive(Debug, Clone)]
pub struct ObjectType {
    /// Rust type name (`CameraControl`, `CameraControlConfig`, `DynamicMasksItem`).
    pub name: Ident,
    /// Where it sits in an input, as violations name it (`camera_control`,
    /// `camera_control.config`, `dynamic_masks[]`).
    pub path: String,
    /// Its properties in schema order (constructor order as for `Input`).
    pub fields: Vec<Field>,
    /// Its `required` list in its own order (names that exist).
    pub required: Vec<String>,
}

impl ObjectType {
    /// The arguments of its `new`.
    pub fn constructor_arguments(&self) -> Vec<&Field> {
        constructor_arguments(&self.fields)
    }
}

/// A string with its constraints.
#[derive(Debug, Clone, Default)]
pub struct StringType {
    /// `minLength` in characters.
    pub min_length: Option<u64>,
    /// `maxLength` in characters.
    pub max_length: Option<u64>,
    /// The checked URL format: the schema's `format`, or the media kind that
    /// `x-accept` or image rules imply (`image_uri`).
    pub format: Option<Format>,
}

impl StringType {
    /// The media kind the value refers to, if any.
    pub fn media(&self) -> Option<MediaKind> {
        self.format.and_then(Format::media)
    }
}

/// An enum (or a single-valued `const`) of wire values.
#[derive(Debug, Clone)]
pub struct EnumType {
    /// Rust type name.
    pub name: Ident,
    /// Variants in schema order.
    pub variants: Vec<Variant>,
}

impl EnumType {
    /// True when the wire values are integers.
    pub fn is_integer(&self) -> bool {
        matches!(
            self.variants.first(),
            Some(Variant {
                wire: WireValue::Int(_),
                ..
            })
        )
    }
}

/// One enum value.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Rust variant name.
    pub name: Ident,
    /// The exact wire value.
    pub wire: WireValue,
}

/// An enum value as it travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireValue {
    /// A string value.
    Str(String),
    /// An integer value.
    Int(i64),
}

impl WireValue {
    /// The value as JSON.
    pub fn to_json(&self) -> Value {
        match self {
            WireValue::Str(s) => Value::from(s.as_str()),
            WireValue::Int(i) => Value::from(*i),
        }
    }
}

/// An image rule from `validations`.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageRule {
    /// Which rule.
    pub kind: ImageRuleKind,
    /// `validation_value`.
    pub value: f64,
    /// `validation_error`.
    pub message: String,
}
