//! A model's fields as data, generated from the same IR as its types, for
//! tools that work with a model chosen at run time (the command line's
//! `describe`, `--set` typing and `--sim` input filling). Nothing here is
//! parsed from schema text at run time.

use crate::image_rules::ImageRule;
use seedance_dialect::{Format, MediaKind};

/// One input field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldInfo {
    /// Wire name, byte for byte (`negative-prompt`).
    pub wire: &'static str,
    /// Rust name (`negative_prompt`).
    pub rust: &'static str,
    /// Type and accepted values.
    pub kind: FieldKind,
    /// An `Input::new` argument.
    pub required: bool,
    /// On the wire type but not advertised (WaveSpeed `x-hidden`).
    pub hidden: bool,
    /// Deprecated by the vendor.
    pub deprecated: bool,
    /// The vendor's title, when it is real text.
    pub title: Option<&'static str>,
    /// The vendor's description, when it is real text.
    pub description: Option<&'static str>,
    /// The vendor's default as JSON text (applied by the vendor when the field
    /// is left out), when the schema states a valid one.
    pub default: Option<&'static str>,
    /// The checked URL format of the value (or of each item).
    pub format: Option<Format>,
    /// Bounds: `minimum`, `maximum`, `minLength`, `maxLength`, `minItems`,
    /// `maxItems`, in that order where present.
    pub bounds: &'static [(&'static str, f64)],
    /// Image rules checked before submit (for a list, on every item).
    pub image_rules: &'static [ImageRule],
}

impl FieldInfo {
    /// The media kind the value (or each item) refers to.
    pub fn media(&self) -> Option<MediaKind> {
        self.format.and_then(Format::media)
    }

    /// True when the value (or each item) is an image reference.
    pub fn is_image(&self) -> bool {
        self.media() == Some(MediaKind::Image)
    }
}

/// A field's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Text.
    String,
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// One of fixed values.
    Enum(&'static [EnumValue]),
    /// A value the constructor fills in.
    Const(EnumValue),
    /// A list of strings.
    List,
}

/// An enum value as it travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumValue {
    /// A string value.
    Str(&'static str),
    /// An integer value.
    Int(i64),
}

impl EnumValue {
    /// The value as JSON.
    pub fn to_json(self) -> serde_json::Value {
        match self {
            EnumValue::Str(s) => serde_json::Value::from(s),
            EnumValue::Int(i) => serde_json::Value::from(i),
        }
    }
}

impl std::fmt::Display for EnumValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EnumValue::Str(s) => f.write_str(s),
            EnumValue::Int(i) => write!(f, "{i}"),
        }
    }
}
