//! A model's fields as the command line needs them, read from the generated
//! JSON Schema (`ModelInfo::json_schema()`) and image rules, never from a
//! hand-kept list: `describe` prints them and `input` types `--set` values
//! with them.

use seedance::catalog::ModelInfo;
use seedance_runtime::ImageRule;
use serde_json::{Map, Value};

/// The JSON type of a field (or of an array's items).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// `"type": "string"`.
    String,
    /// `"type": "integer"`.
    Integer,
    /// `"type": "number"`.
    Number,
    /// `"type": "boolean"`.
    Boolean,
    /// `"type": "array"` of the given item kind.
    Array(Box<Kind>),
    /// Anything this tool does not type (objects, unions): taken as JSON.
    Json,
}

impl Kind {
    fn of(schema: &Map<String, Value>) -> Kind {
        match schema.get("type").and_then(Value::as_str) {
            Some("string") => Kind::String,
            Some("integer") => Kind::Integer,
            Some("number") => Kind::Number,
            Some("boolean") => Kind::Boolean,
            Some("array") => {
                let items = schema
                    .get("items")
                    .and_then(Value::as_object)
                    .map_or(Kind::Json, Kind::of);
                Kind::Array(Box::new(items))
            }
            _ => Kind::Json,
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
            Kind::Json => "JSON".to_owned(),
        }
    }
}

/// One top-level field of a model's input.
#[derive(Debug, Clone)]
pub struct Field {
    /// Wire name (`first_frame_image_url`).
    pub name: String,
    /// JSON type.
    pub kind: Kind,
    /// In the schema's `required` list.
    pub required: bool,
    /// `title`, where the vendor wrote one.
    pub title: Option<String>,
    /// `description`, where the vendor wrote one.
    pub description: Option<String>,
    /// Accepted values (`enum`, of the field or of its items).
    pub choices: Option<Vec<Value>>,
    /// `const`: the only value, filled in by the tool.
    pub constant: Option<Value>,
    /// The vendor's default (applied by the vendor when the field is left out).
    pub default: Option<Value>,
    /// `minimum`, `maximum`, `maxLength`, `minItems`, `maxItems`.
    pub bounds: Vec<(&'static str, Value)>,
    /// True when the field holds image references (an image `format`, or
    /// image `validations`), the same test the simulator applies.
    pub image: bool,
    /// The image rules checked before submit.
    pub image_rules: &'static [ImageRule],
    /// `deprecated: true`.
    pub deprecated: bool,
}

impl Field {
    /// True when a value is one of the accepted `enum` values (or no enum).
    pub fn accepts(&self, value: &Value) -> bool {
        self.choices
            .as_ref()
            .is_none_or(|choices| choices.iter().any(|choice| choice == value))
    }
}

/// The bound keywords shown by `describe`, in display order.
const BOUND_KEYWORDS: [&str; 5] = ["minimum", "maximum", "maxLength", "minItems", "maxItems"];

/// Image `format`s of the schema dialect (as in the simulator's interpreter).
const IMAGE_FORMATS: [&str; 3] = ["uri", "image_uri", "image"];

/// Every field of a model: required ones first, then by name.
pub fn fields(info: &ModelInfo) -> Vec<Field> {
    let schema = (info.json_schema)();
    let Some(root) = schema.as_object() else {
        return Vec::new();
    };
    let required: Vec<&str> = root
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = root.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut fields: Vec<Field> = properties
        .iter()
        .filter_map(|(name, prop)| Some((name, prop.as_object()?)))
        .map(|(name, prop)| field(info, name, prop, required.contains(&name.as_str())))
        .collect();
    // Schema order (serde_json keeps it: `preserve_order`), required fields first.
    fields.sort_by_key(|field| !field.required);
    fields
}

fn field(info: &ModelInfo, name: &str, prop: &Map<String, Value>, required: bool) -> Field {
    let items = prop.get("items").and_then(Value::as_object);
    let text = |key: &str| prop.get(key).and_then(Value::as_str).map(str::to_owned);
    let format = prop
        .get("format")
        .or_else(|| items.and_then(|items| items.get("format")))
        .and_then(Value::as_str);
    let image_rules = info
        .image_rules
        .iter()
        .find(|(field, _)| *field == name)
        .map_or(&[][..], |(_, rules)| *rules);
    let choices = prop
        .get("enum")
        .or_else(|| items.and_then(|items| items.get("enum")))
        .and_then(Value::as_array)
        .cloned();
    Field {
        name: name.to_owned(),
        kind: Kind::of(prop),
        required,
        title: text("title"),
        description: text("description"),
        choices,
        constant: prop.get("const").cloned(),
        default: prop.get("default").cloned(),
        bounds: BOUND_KEYWORDS
            .iter()
            .filter_map(|key| Some((*key, prop.get(*key)?.clone())))
            .collect(),
        image: format.is_some_and(|format| IMAGE_FORMATS.contains(&format))
            || prop.contains_key("validations")
            || !image_rules.is_empty(),
        image_rules,
        deprecated: prop.get("deprecated").and_then(Value::as_bool) == Some(true),
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
