//! The intermediate representation: what the schemas mean, already checked
//! and named, with nothing left for `emit` to decide but syntax.

use std::path::PathBuf;

use serde_json::Value;

use crate::naming::Ident;

/// Every vendor under the schemas root, sorted by id.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The vendors.
    pub vendors: Vec<Vendor>,
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
    /// The manifest file.
    pub source: PathBuf,
    /// Models, sorted by model path.
    pub models: Vec<Model>,
}

/// The wire protocols the runtime speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// RunComfy Model API.
    RunComfy,
    /// AI/ML API.
    AimlApi,
    /// WaveSpeed AI.
    WaveSpeed,
}

impl Protocol {
    /// Manifest spellings, in order.
    pub const NAMES: [(&'static str, Protocol); 3] = [
        ("runcomfy", Protocol::RunComfy),
        ("aimlapi", Protocol::AimlApi),
        ("wavespeed", Protocol::WaveSpeed),
    ];
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
    /// The vendor default (documentation only: the client never sends it).
    pub default: Option<Value>,
    /// Type and local constraints.
    pub ty: Type,
    /// `validations`: image rules (for an array field, per item).
    pub image_rules: Vec<ImageRule>,
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
}

/// A string with its constraints.
#[derive(Debug, Clone, Default)]
pub struct StringType {
    /// `maxLength` in characters.
    pub max_length: Option<u64>,
    /// `format`.
    pub format: Option<Format>,
    /// True when the value is an image reference (a format says so, or image
    /// rules apply), so it must be an http(s) URL or a data URI.
    pub image: bool,
}

/// The `format` values the dialect knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `image_uri` (RunComfy).
    ImageUri,
    /// `uri`.
    Uri,
}

impl Format {
    /// Schema spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::ImageUri => "image_uri",
            Format::Uri => "uri",
        }
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

/// The `validation_rule` values the dialect knows, named like the runtime's
/// `ImageRuleKind` variants they are emitted as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageRuleKind {
    /// `width_pixels<`
    WidthBelow,
    /// `width_pixels>`
    WidthAbove,
    /// `height_pixels<`
    HeightBelow,
    /// `height_pixels>`
    HeightAbove,
    /// `width/height<`
    RatioBelow,
    /// `width/height>`
    RatioAbove,
    /// `file_size_mb<`
    FileSizeMbBelow,
}

impl ImageRuleKind {
    /// Schema spelling and kind, for every rule.
    pub const ALL: [(&'static str, ImageRuleKind); 7] = [
        ("width_pixels<", ImageRuleKind::WidthBelow),
        ("width_pixels>", ImageRuleKind::WidthAbove),
        ("height_pixels<", ImageRuleKind::HeightBelow),
        ("height_pixels>", ImageRuleKind::HeightAbove),
        ("width/height<", ImageRuleKind::RatioBelow),
        ("width/height>", ImageRuleKind::RatioAbove),
        ("file_size_mb<", ImageRuleKind::FileSizeMbBelow),
    ];

    /// Schema spelling.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, kind)| *kind == self)
            .map(|(name, _)| *name)
            .unwrap_or_default()
    }

    /// Variant name in the runtime's `ImageRuleKind`.
    pub fn runtime_variant(self) -> &'static str {
        match self {
            ImageRuleKind::WidthBelow => "WidthBelow",
            ImageRuleKind::WidthAbove => "WidthAbove",
            ImageRuleKind::HeightBelow => "HeightBelow",
            ImageRuleKind::HeightAbove => "HeightAbove",
            ImageRuleKind::RatioBelow => "RatioBelow",
            ImageRuleKind::RatioAbove => "RatioAbove",
            ImageRuleKind::FileSizeMbBelow => "FileSizeMbBelow",
        }
    }
}
