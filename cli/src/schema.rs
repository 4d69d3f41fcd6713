//! A model's fields as the command line needs them, projected from the
//! generated catalog's typed description (`ModelInfo::fields`, written by
//! codegen from the same IR as the types), never parsed from schema text:
//! `describe` prints them, `input` types `--set` values with them and `--sim`
//! fills image fields with them.

use seedance::catalog::ModelInfo;
use seedance_runtime::ImageRule;
use seedance_runtime::field_info::{FieldInfo, FieldKind};
use seedance_runtime::validation::{Format, MediaKind};
use serde_json::Value;

/// The JSON type of a field (or of a list's items).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Text.
    String,
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A list of the given item kind.
    Array(Box<Kind>),
}

impl Kind {
    fn of(kind: &FieldKind) -> Kind {
        match kind {
            FieldKind::String | FieldKind::Const(_) => Kind::String,
            FieldKind::Enum(values) => match values.first() {
                Some(seedance_runtime::field_info::EnumValue::Int(_)) => Kind::Integer,
                _ => Kind::String,
            },
            FieldKind::Integer => Kind::Integer,
            FieldKind::Number => Kind::Number,
            FieldKind::Boolean => Kind::Boolean,
            FieldKind::List => Kind::Array(Box::new(Kind::String)),
        }
    }

    /// The name shown by `describe` and in type errors.
    pub fn name(&self) -> String {
        match self {
            Kind::String => "string".to_owned(),
            Kind::Integer => "integer".to_owned(),
            Kind::Number => "number".to_owned(),
            Kind::Boolean => "boolean".to_owned(),
            Kind::Array(items) => format!("array of {}", items.name()),
        }
    }
}

/// One top-level field of a model's input.
#[derive(Debug, Clone)]
pub struct Field {
    /// Wire name (`first_frame_image_url`).
    pub name: String,
    /// The Rust setter's name, where it differs from the wire name.
    pub rust: Option<String>,
    /// JSON type.
    pub kind: Kind,
    /// An `Input::new` argument.
    pub required: bool,
    /// Not advertised (WaveSpeed `x-hidden`): accepted by `--set`, not listed.
    pub hidden: bool,
    /// `title`, where the vendor wrote one.
    pub title: Option<String>,
    /// `description`, where the vendor wrote one.
    pub description: Option<String>,
    /// Accepted values (`enum`).
    pub choices: Option<Vec<Value>>,
    /// `const`: the only value, filled in by the tool.
    pub constant: Option<Value>,
    /// The vendor's default (applied by the vendor when the field is left out).
    pub default: Option<Value>,
    /// `minimum`, `maximum`, `minLength`, `maxLength`, `minItems`, `maxItems`.
    pub bounds: Vec<(&'static str, Value)>,
    /// True when the field holds image references.
    pub image: bool,
    /// The URL format of the value (or each item), when it is a URL field.
    pub format: Option<Format>,
    /// The image rules checked before submit.
    pub image_rules: &'static [ImageRule],
    /// Deprecated by the vendor.
    pub deprecated: bool,
}

impl Field {
    /// The media a URL field refers to, as codegen decided it (its format:
    /// the schema's, or the vendor's `media_fields`).
    pub fn url_media(&self) -> Option<MediaKind> {
        self.format.and_then(Format::media)
    }

    /// True when a value is one of the accepted `enum` values (or no enum).
    pub fn accepts(&self, value: &Value) -> bool {
        self.choices
            .as_ref()
            .is_none_or(|choices| choices.iter().any(|choice| choice == value))
    }
}

/// Every field of a model: required ones first, then in schema order.
pub fn fields(info: &ModelInfo) -> Vec<Field> {
    let mut fields: Vec<Field> = info.fields.iter().map(field).collect();
    fields.sort_by_key(|field| !field.required);
    fields
}

fn field(info: &FieldInfo) -> Field {
    let json = |text: &str| serde_json::from_str(text).unwrap_or(Value::String(text.to_owned()));
    Field {
        name: info.wire.to_owned(),
        rust: (info.rust != info.wire).then(|| info.rust.to_owned()),
        kind: Kind::of(&info.kind),
        required: info.required,
        hidden: info.hidden,
        title: info.title.map(str::to_owned),
        description: info.description.map(str::to_owned),
        choices: match info.kind {
            FieldKind::Enum(values) => Some(values.iter().map(|v| v.to_json()).collect()),
            _ => None,
        },
        constant: match info.kind {
            FieldKind::Const(value) => Some(value.to_json()),
            _ => None,
        },
        default: info.default.map(json),
        bounds: info
            .bounds
            .iter()
            .map(|(name, value)| (*name, number(*value)))
            .collect(),
        image: info.is_image(),
        format: info.format,
        image_rules: info.image_rules,
        deprecated: info.deprecated,
    }
}

/// A bound as the vendor writes it: `6000`, not `6000.0`.
fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        Value::from(value as i64)
    } else {
        Value::from(value)
    }
}

/// The candidate closest to `word`, when close enough to be a typo.
pub use seedance_runtime::suggest::closest as suggest;

/// `vendor/model`, the name every command accepts and prints.
pub fn full_name(info: &ModelInfo) -> String {
    format!("{}/{}", info.vendor.id, info.model)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(name: &str) -> &'static ModelInfo {
        seedance::catalog::find(name).expect("model in catalog")
    }

    #[test]
    fn reads_types_enums_and_image_fields_from_the_schema() {
        let fields = fields(model("runcomfy/bytedance/seedance-1-0/pro/image-to-video"));
        let by_name = |name: &str| fields.iter().find(|f| f.name == name).expect("field");
        assert_eq!(by_name("duration").kind, Kind::Integer);
        assert!(by_name("duration").accepts(&Value::from(5)));
        assert!(!by_name("duration").accepts(&Value::from(13)));
        assert!(by_name("first_frame_image_url").image);
        assert!(by_name("first_frame_image_url").required);
        assert!(!by_name("prompt").image);
    }

    #[test]
    fn array_of_image_uris_is_an_image_field() {
        let fields = fields(model(
            "runcomfy/bytedance/seedance-1-0/lite/reference-to-video",
        ));
        let images = fields.iter().find(|f| f.name == "images").expect("images");
        assert_eq!(images.kind, Kind::Array(Box::new(Kind::String)));
        assert!(images.image);
    }

    #[test]
    fn suggests_close_words_only() {
        assert_eq!(suggest("promt", ["prompt", "ratio"]), Some("prompt"));
        assert_eq!(suggest("zzzzzz", ["prompt", "ratio"]), None);
    }
}
