//! The run-time schema interpreter: reads the embedded `schemas/` files
//! (module `load`) and checks inputs against them (module `interpret`),
//! independently of the generated validators (it is the oracle they are
//! tested against); module `lint` checks the schemas themselves.
//!
//! [`validate_local`] checks every rule that needs no I/O; [`image_checks`]
//! lists the image references whose `validations` rules need the image itself,
//! and [`check_image`] applies those rules to what was learnt about an image.
//!
//! Each vendor's published form is read by module `published` (AI/ML API:
//! the POST body of an OpenAPI document; RunComfy, WaveSpeed: the file) and
//! normalized by module `normalize` (`$ref`, `allOf`, `nullable`, `float`,
//! `"default": null`, array `validations`), so the interpreter sees one
//! dialect whatever the vendor wrote.
//!
//! Semantics, shared with the runtime: `maxLength` counts characters (Unicode
//! scalar values), `minimum`/`maximum` are inclusive, image rule operators are
//! strict (`width_pixels<` 6000 means below 6000), 1 MB = 1,048,576 bytes.
//! `format` accepts an http(s) URL with a host or a `data:` URI with a
//! payload, whose media type, for `image_uri`, `video_uri` and `audio_uri`,
//! is of that kind (`uri` takes any `data:` URI). Image rules or WaveSpeed's
//! `x-accept` make a plain string or `uri` field a reference of their media
//! kind (see `normalize`).

mod file;
mod interpret;
mod lint;
mod load;
mod normalize;
mod published;

use std::fmt;

use serde_json::Value;

pub use file::{ModelFile, lint_file};
pub use lint::{Finding, Severity, lint};
pub use load::{ModelSchema, UnknownModel, models, schema, vendor_manifest, vendors};
pub use normalize::NormalizeError;
pub use published::FormError;

pub(crate) use lint::lint_store;
use load::schema_or_unknown;
pub(crate) use load::{Entry, LOCK, MANIFEST, Store, embedded};

/// Bytes in the schema dialect's megabyte (`file_size_mb<`).
pub const BYTES_PER_MB: f64 = 1_048_576.0;

/// One broken rule of one input.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Field path: `prompt`, `images[2]`, or `` for the whole input.
    pub field: String,
    /// The schema keyword (`required`, `type`, `enum`, `const`, `maxLength`,
    /// `minItems`, `maxItems`, `minimum`, `maximum`, `format`), the image rule
    /// (`width_pixels<`, ...), or `readable` when an image could not be read.
    pub rule: String,
    /// Human-readable explanation (the vendor's `validation_error` for image
    /// rules).
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

/// Checks `input` against every rule of the model's schema that needs no I/O:
/// `required`, `type`, `enum`, `const`, `maxLength`/`minLength`,
/// `minItems`/`maxItems`, `minimum`/`maximum` (and their exclusive forms),
/// `format`. Fields the schema does not name are ignored. Problems come in
/// schema property order (`required` first).
pub fn validate_local(
    vendor_id: &str,
    model: &str,
    input: &Value,
) -> Result<Vec<Problem>, UnknownModel> {
    Ok(check(schema_or_unknown(vendor_id, model)?, input))
}

/// [`validate_local`] against a normalized request schema.
pub(crate) fn check(schema: &Value, input: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    interpret::check_value("", schema, input, &mut problems);
    problems
}

/// One `validations` entry: an image rule.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageRule {
    /// `validation_rule`, e.g. `width_pixels<`.
    pub rule: String,
    /// `validation_value`.
    pub limit: f64,
    /// `validation_error`: the vendor's message.
    pub message: String,
}

/// One image reference of an input with the rules that apply to it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageCheck {
    /// Where it is: `first_frame_image_url`, `images[2]`.
    pub field: String,
    /// The URL or data URI.
    pub uri: String,
    /// The field's `validations`.
    pub rules: Vec<ImageRule>,
}

/// What is known about one image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageFacts {
    /// Pixels.
    pub width: u64,
    /// Pixels.
    pub height: u64,
    /// Whole file size in bytes.
    pub file_size: u64,
}

/// The image references of `input` whose fields carry `validations` rules
/// (each item of an array field separately). Values that are not strings are
/// skipped: [`validate_local`] reports them.
pub fn image_checks(
    vendor_id: &str,
    model: &str,
    input: &Value,
) -> Result<Vec<ImageCheck>, UnknownModel> {
    Ok(image_checks_in(schema_or_unknown(vendor_id, model)?, input))
}

/// [`image_checks`] against a normalized request schema.
pub(crate) fn image_checks_in(schema: &Value, input: &Value) -> Vec<ImageCheck> {
    let mut checks = Vec::new();
    let (Some(properties), Some(input)) = (
        schema.get("properties").and_then(Value::as_object),
        input.as_object(),
    ) else {
        return checks;
    };
    for (name, property) in properties {
        let Some(value) = input.get(name) else {
            continue;
        };
        let own = rules_of(property);
        match value {
            Value::String(uri) if !own.is_empty() => checks.push(ImageCheck {
                field: name.clone(),
                uri: uri.clone(),
                rules: own,
            }),
            Value::Array(items) => {
                let mut rules = own;
                if let Some(item_schema) = property.get("items") {
                    rules.extend(rules_of(item_schema));
                }
                if rules.is_empty() {
                    continue;
                }
                for (index, item) in items.iter().enumerate() {
                    if let Value::String(uri) = item {
                        checks.push(ImageCheck {
                            field: format!("{name}[{index}]"),
                            uri: uri.clone(),
                            rules: rules.clone(),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    checks
}

fn rules_of(schema: &Value) -> Vec<ImageRule> {
    schema
        .get("validations")
        .and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .filter_map(|entry| {
                    Some(ImageRule {
                        rule: entry.get("validation_rule")?.as_str()?.to_owned(),
                        limit: entry.get("validation_value")?.as_f64()?,
                        message: entry
                            .get("validation_error")
                            .and_then(Value::as_str)
                            .unwrap_or("image rule broken")
                            .to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Applies image `rules` to `facts` (strict operators). Rules the interpreter
/// does not know are reported as broken, never silently passed.
pub fn check_image(field: &str, facts: &ImageFacts, rules: &[ImageRule]) -> Vec<Problem> {
    let width = facts.width as f64;
    let height = facts.height as f64;
    let mut problems = Vec::new();
    for rule in rules {
        let holds = match rule.rule.as_str() {
            "width_pixels<" => width < rule.limit,
            "width_pixels>" => width > rule.limit,
            "height_pixels<" => height < rule.limit,
            "height_pixels>" => height > rule.limit,
            "width/height<" => width / height.max(1.0) < rule.limit,
            "width/height>" => width / height.max(1.0) > rule.limit,
            "file_size_mb<" => (facts.file_size as f64 / BYTES_PER_MB) < rule.limit,
            _ => false,
        };
        if !holds {
            problems.push(Problem {
                field: field.to_owned(),
                rule: rule.rule.clone(),
                message: rule.message.clone(),
            });
        }
    }
    problems
}

/// True for an `http://` or `https://` URL with a host, or a `data:image/...`
/// URI with a comma-separated, non-empty payload; no whitespace or control
/// characters anywhere.
pub fn is_image_uri(value: &str) -> bool {
    is_media_uri(value, &["image"])
}

/// The media kinds a `format` accepts in `data:` URIs (empty: any); `None`
/// for a format that is not a reference (never reached: `lint` refuses it).
pub fn media_kinds(format: &str) -> Option<&'static [&'static str]> {
    match format {
        "image_uri" | "image" => Some(&["image"]),
        "video_uri" => Some(&["video"]),
        "audio_uri" => Some(&["audio"]),
        "uri" => Some(&[]),
        _ => None,
    }
}

/// True for an `http://` or `https://` URL with a host, or a `data:` URI of
/// one of `kinds` (`image` for `data:image/...`; any type when `kinds` is
/// empty) with a comma-separated, non-empty payload; no whitespace or
/// control characters anywhere.
pub fn is_media_uri(value: &str, kinds: &[&str]) -> bool {
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    if let Some(rest) = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
    {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        return !host.is_empty() && !host.starts_with(':') && !host.starts_with('@');
    }
    let Some((header, payload)) = value
        .strip_prefix("data:")
        .and_then(|rest| rest.split_once(','))
    else {
        return false;
    };
    !payload.is_empty()
        && (kinds.is_empty()
            || header
                .split_once('/')
                .is_some_and(|(kind, _)| kinds.contains(&kind)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_uris_by_kind() {
        let png = "data:image/png;base64,AAAA";
        let mp4 = "data:video/mp4;base64,AAAA";
        let mp3 = "data:audio/mpeg;base64,AAAA";
        assert!(is_media_uri("https://e.com/v.mp4", &["video"]));
        assert!(is_media_uri(mp4, &["video"]) && !is_media_uri(png, &["video"]));
        assert!(is_media_uri(mp3, &["audio"]) && !is_media_uri(mp4, &["audio"]));
        let any = media_kinds("uri").unwrap();
        assert!(
            [png, mp4, mp3, "data:text/plain;base64,aGk="]
                .iter()
                .all(|uri| is_media_uri(uri, any))
        );
        assert!(!is_media_uri("data:video/mp4;base64,", any));
        assert!(!is_media_uri("ftp://e.com/v.mp4", any));
    }

    #[test]
    fn embedded_schemas_are_understood() {
        assert!(models().len() >= 10, "{:?}", models());
        let errors: Vec<String> = lint()
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(ToString::to_string)
            .collect();
        assert_eq!(errors, Vec::<String>::new());
        assert_eq!(vendors(), ["aimlapi", "runcomfy", "wavespeed"]);
    }

    #[test]
    fn image_rules_are_strict() {
        let rules = vec![ImageRule {
            rule: "width_pixels<".into(),
            limit: 6000.0,
            message: "too wide".into(),
        }];
        let at = ImageFacts {
            width: 6000,
            height: 3000,
            file_size: 1,
        };
        let below = ImageFacts { width: 5999, ..at };
        assert_eq!(check_image("x", &at, &rules).len(), 1);
        assert!(check_image("x", &below, &rules).is_empty());
    }
}
