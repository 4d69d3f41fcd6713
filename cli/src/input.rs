//! Building a request body from `--input request.json` (or `-`, standard
//! input) and `--set field=value`, typed by the model's JSON Schema:
//! integers, numbers and booleans are parsed, arrays take repeated `--set`
//! (one item each, never split on commas: URLs hold commas) or a JSON array,
//! enum values are checked, and typos get a "did you mean". An image field
//! may hold `@path`, a local file ([`local_files`] lists them; `local`
//! resolves them). Range, length and image rules are left to the generated
//! `validate()` and the runtime, so their messages are the library's.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::schema::{Field, Kind, suggest};

/// Why an input could not be built; every variant names the field at fault.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// `--set` without `=` (a usage error: exit code 2).
    #[error("--set {0:?} is not FIELD=VALUE (e.g. --set prompt=\"a cat\")")]
    NotAssignment(String),
    /// A field the model does not have.
    #[error("{model} has no field `{field}`{} (fields: {known})", did_you_mean(suggestion.as_deref()))]
    UnknownField {
        /// The model's `vendor/model` name.
        model: String,
        /// What was typed.
        field: String,
        /// The closest field name.
        suggestion: Option<String>,
        /// Every field, comma separated.
        known: String,
    },
    /// A value of the wrong JSON type.
    #[error("{field}: {value} is not a valid {expected}")]
    WrongType {
        /// Field path (`images[1]`).
        field: String,
        /// The value as given.
        value: String,
        /// The schema's type.
        expected: String,
    },
    /// A value outside the field's `enum`.
    #[error("{field}: {value} is not one of {choices}{}", did_you_mean(suggestion.as_deref()))]
    NotAChoice {
        /// Field path.
        field: String,
        /// The value as given.
        value: String,
        /// The accepted values, comma separated.
        choices: String,
        /// The closest accepted value.
        suggestion: Option<String>,
    },
    /// A `const` field set to another value. The values are kept as JSON
    /// text: a `Value` (an ordered map with `preserve_order`) would make
    /// every `Result` of this crate large.
    #[error("{field} is always {expected}, got {value}")]
    NotTheConstant {
        /// Field.
        field: String,
        /// The only accepted value, as JSON.
        expected: String,
        /// What was given, as JSON.
        value: String,
    },
    /// Required fields left out.
    #[error("missing required field{} {}: set {} with --set FIELD=VALUE (`seedance describe {model}` shows them)", plural(missing.len()), missing.join(", "), if missing.len() == 1 { "it" } else { "them" })]
    Missing {
        /// The model's `vendor/model` name.
        model: String,
        /// The missing fields.
        missing: Vec<String>,
    },
    /// `@path` on a field that does not hold images.
    #[error(
        "{field}: `@{path}` names a local file, but {field} is not an image field (only image fields take @path)"
    )]
    NotAnImageField {
        /// Field path.
        field: String,
        /// The path after `@`.
        path: String,
    },
    /// The `--input` file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The `--input` file is not a JSON object.
    #[error("{} is not a JSON object: {message}", path.display())]
    NotAnObject {
        /// The file.
        path: PathBuf,
        /// Parse error or what was found instead.
        message: String,
    },
    /// A batch line's `@path` that leaves the batch file's folder.
    #[error("{field}: `@{path}` {source}")]
    Confined {
        /// Field path.
        field: String,
        /// The path after `@`.
        path: String,
        /// How it leaves the folder.
        #[source]
        source: crate::confine::Escape,
    },
    /// The generated type refused the body (serde's message names the field).
    #[error("{model}: {source}")]
    Rejected {
        /// The model's `vendor/model` name.
        model: String,
        /// serde's error.
        #[source]
        source: serde_json::Error,
    },
}

impl InputError {
    /// The broken rules, shaped as the runtime's violations are in
    /// `--json` (field, rule as the schema spells it, limit, actual,
    /// explanation); none for errors that are not about a field.
    pub fn violations(&self) -> Vec<Value> {
        let one = |field: &str, rule: &str, limit: &str, actual: &str| {
            serde_json::json!({
                "field": field,
                "rule": rule,
                "limit": limit,
                "actual": unquoted(actual),
                "explanation": self.to_string(),
                "vendor_message": null,
            })
        };
        match self {
            InputError::UnknownField { field, known, .. } => {
                vec![one(field, "additionalProperties", known, field)]
            }
            InputError::WrongType {
                field,
                value,
                expected,
            } => vec![one(field, "type", expected, value)],
            InputError::NotAChoice {
                field,
                value,
                choices,
                ..
            } => vec![one(field, "enum", choices, value)],
            InputError::NotTheConstant {
                field,
                expected,
                value,
            } => vec![one(field, "const", expected, value)],
            InputError::Missing { missing, .. } => missing
                .iter()
                .map(|field| one(field, "required", "present", "missing"))
                .collect(),
            InputError::NotAnImageField { field, path } => {
                vec![one(
                    field,
                    "format",
                    "not an image field",
                    &format!("@{path}"),
                )]
            }
            InputError::Confined { field, path, .. } => {
                vec![one(
                    field,
                    "confined",
                    "inside the batch file's folder",
                    path,
                )]
            }
            InputError::NotAssignment(_)
            | InputError::Read { .. }
            | InputError::NotAnObject { .. }
            | InputError::Rejected { .. } => Vec::new(),
        }
    }
}

/// A value kept as JSON text, as people read it: a string without quotes.
fn unquoted(text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::String(inner)) => inner,
        _ => text.to_owned(),
    }
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!("; did you mean `{s}`?"))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Reads `--input` (if any) and applies every `--set` over it (each value
/// typed and checked as it comes). The whole is checked and completed by
/// [`complete`], which `crate::body` runs for every source of fields.
pub fn build(
    model: &str,
    fields: &[Field],
    file: Option<&Path>,
    sets: &[String],
) -> Result<Map<String, Value>, InputError> {
    let mut body = match file {
        Some(path) => read_file(path)?,
        None => Map::new(),
    };
    // Arrays given on the command line replace the file's, then grow with
    // each repeated --set.
    let mut replaced: HashSet<String> = HashSet::new();
    for set in sets {
        let (name, text) = set
            .split_once('=')
            .ok_or_else(|| InputError::NotAssignment(set.clone()))?;
        let field = find(model, fields, name)?;
        let value = typed(field, text)?;
        check(field, name, &value)?;
        match (value, body.get_mut(name)) {
            (Value::Array(items), Some(Value::Array(existing))) if replaced.contains(name) => {
                existing.extend(items);
            }
            (value, _) => {
                replaced.insert(name.to_owned());
                body.insert(name.to_owned(), value);
            }
        }
    }
    Ok(body)
}

/// Checks every field of `body` (known to the model, of its type, in its
/// enum, equal to its constant) and fills the `const` fields left out (the
/// AI/ML API's `model`), whatever the fields came from: `--input`, `--set`
/// or a batch line. Required fields are checked later by
/// [`check_required`], after `--sim` may have supplied images.
pub fn complete(
    model: &str,
    fields: &[Field],
    body: &mut Map<String, Value>,
) -> Result<(), InputError> {
    for (name, value) in body.iter() {
        check(find(model, fields, name)?, name, value)?;
    }
    for field in fields {
        if let Some(constant) = &field.constant {
            body.entry(field.name.clone())
                .or_insert_with(|| constant.clone());
        }
    }
    Ok(())
}

/// Fails with every required field still missing.
pub fn check_required(
    model: &str,
    fields: &[Field],
    body: &Map<String, Value>,
) -> Result<(), InputError> {
    let missing: Vec<String> = fields
        .iter()
        .filter(|field| field.required && !body.contains_key(&field.name))
        .map(|field| field.name.clone())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(InputError::Missing {
            model: model.to_owned(),
            missing,
        })
    }
}

fn read_file(path: &Path) -> Result<Map<String, Value>, InputError> {
    let read = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin().lock())
    } else {
        std::fs::read_to_string(path)
    };
    let text = read.map_err(|source| InputError::Read {
        path: path.to_owned(),
        source,
    })?;
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(InputError::NotAnObject {
            path: path.to_owned(),
            message: format!("found {}", json_kind(&other)),
        }),
        Err(err) => Err(InputError::NotAnObject {
            path: path.to_owned(),
            message: err.to_string(),
        }),
    }
}

fn find<'a>(model: &str, fields: &'a [Field], name: &str) -> Result<&'a Field, InputError> {
    fields
        .iter()
        .find(|field| field.name == name)
        .ok_or_else(|| InputError::UnknownField {
            model: model.to_owned(),
            field: name.to_owned(),
            suggestion: suggest(name, fields.iter().map(|f| f.name.as_str())).map(str::to_owned),
            known: fields
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Turns `--set` text into JSON of the field's type. A list takes one item
/// per `--set`, or a JSON array when the text starts with `[`; commas never
/// split (URLs and data URIs hold them).
fn typed(field: &Field, text: &str) -> Result<Value, InputError> {
    match &field.kind {
        Kind::Array(_) if text.trim_start().starts_with('[') => {
            match serde_json::from_str::<Value>(text) {
                Ok(value @ Value::Array(_)) => Ok(value),
                _ => Err(InputError::WrongType {
                    field: field.name.clone(),
                    value: format!("{text:?}"),
                    expected: format!("{} (as a JSON array)", field.kind.name()),
                }),
            }
        }
        Kind::Array(items) => Ok(Value::Array(vec![scalar(&field.name, items, text)?])),
        kind => scalar(&field.name, kind, text),
    }
}

/// Every `@path` value of the body (`(field path, file)`), in field order.
/// `@path` in a URL field that does not hold images is an error; in a text
/// field (a prompt) it is just text.
pub fn local_files(
    fields: &[Field],
    body: &Map<String, Value>,
) -> Result<Vec<(String, PathBuf)>, InputError> {
    let mut found = Vec::new();
    for field in fields {
        let mut visit = |path: String, value: &Value| -> Result<(), InputError> {
            let Some(file) = value.as_str().and_then(|text| text.strip_prefix('@')) else {
                return Ok(());
            };
            if field.format.is_none() {
                // Text that happens to start with `@` (a prompt): literal.
                return Ok(());
            }
            if !field.image {
                return Err(InputError::NotAnImageField {
                    field: path,
                    path: file.to_owned(),
                });
            }
            found.push((path, PathBuf::from(file)));
            Ok(())
        };
        match body.get(&field.name) {
            Some(Value::Array(items)) => {
                for (index, item) in items.iter().enumerate() {
                    visit(format!("{}[{index}]", field.name), item)?;
                }
            }
            Some(value) => visit(field.name.clone(), value)?,
            None => {}
        }
    }
    Ok(found)
}

/// Sets the value at a field path (`image_url`, `images[1]`).
pub fn set_at(body: &mut Map<String, Value>, path: &str, value: Value) {
    match path.strip_suffix(']').and_then(|p| p.split_once('[')) {
        Some((name, index)) => {
            let slot = index
                .parse::<usize>()
                .ok()
                .and_then(|i| body.get_mut(name)?.as_array_mut()?.get_mut(i));
            if let Some(slot) = slot {
                *slot = value;
            }
        }
        None => {
            body.insert(path.to_owned(), value);
        }
    }
}

/// What a JSON value is, as an error message names it ("a string").
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn scalar(name: &str, kind: &Kind, text: &str) -> Result<Value, InputError> {
    let wrong = || InputError::WrongType {
        field: name.to_owned(),
        value: format!("{text:?}"),
        expected: kind.name(),
    };
    Ok(match kind {
        Kind::String => Value::String(text.to_owned()),
        Kind::Integer => text.trim().parse::<i64>().map_err(|_| wrong())?.into(),
        Kind::Number => {
            let number = text.trim().parse::<f64>().map_err(|_| wrong())?;
            serde_json::Number::from_f64(number)
                .map(Value::Number)
                .ok_or_else(wrong)?
        }
        Kind::Boolean => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Value::Bool(true),
            "false" | "no" | "0" => Value::Bool(false),
            _ => return Err(wrong()),
        },
        Kind::Array(_) => serde_json::from_str(text).map_err(|_| wrong())?,
    })
}

/// Type and enum check of a value from either source.
fn check(field: &Field, name: &str, value: &Value) -> Result<(), InputError> {
    if let Some(constant) = &field.constant {
        if value != constant {
            return Err(InputError::NotTheConstant {
                field: name.to_owned(),
                expected: constant.to_string(),
                value: value.to_string(),
            });
        }
        return Ok(());
    }
    match (&field.kind, value) {
        (Kind::Array(items), Value::Array(values)) => {
            for (index, item) in values.iter().enumerate() {
                check_scalar(field, items, &format!("{name}[{index}]"), item)?;
            }
            Ok(())
        }
        (kind, value) => check_scalar(field, kind, name, value),
    }
}

fn check_scalar(field: &Field, kind: &Kind, path: &str, value: &Value) -> Result<(), InputError> {
    let type_ok = match kind {
        Kind::String => value.is_string(),
        Kind::Integer => value.is_i64() || value.is_u64(),
        Kind::Number => value.is_number(),
        Kind::Boolean => value.is_boolean(),
        Kind::Array(_) => value.is_array(),
    };
    if !type_ok {
        return Err(InputError::WrongType {
            field: path.to_owned(),
            value: value.to_string(),
            expected: kind.name(),
        });
    }
    if field.accepts(value) {
        return Ok(());
    }
    let choices = field.choices.as_deref().unwrap_or_default();
    let shown: Vec<String> = choices.iter().map(plain).collect();
    Err(InputError::NotAChoice {
        field: path.to_owned(),
        value: plain(value),
        suggestion: value
            .as_str()
            .and_then(|text| suggest(text, shown.iter().map(String::as_str)))
            .map(str::to_owned),
        choices: shown.join(", "),
    })
}

/// A value without JSON quotes when it is a string (`720p`, not `"720p"`).
pub fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema;

    const PRO: &str = "runcomfy/bytedance/seedance-1-0/pro/image-to-video";
    const REF: &str = "runcomfy/bytedance/seedance-1-0/lite/reference-to-video";

    fn fields(name: &str) -> Vec<Field> {
        schema::fields(seedance::catalog::find(name).expect("model"))
    }

    fn sets(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn types_values_by_schema() {
        let body = build(
            PRO,
            &fields(PRO),
            None,
            &sets(&["prompt=a cat", "duration=7", "resolution=720p"]),
        )
        .expect("valid");
        assert_eq!(body["duration"], Value::from(7));
        assert_eq!(body["resolution"], Value::from("720p"));
        assert_eq!(body["prompt"], Value::from("a cat"));
    }

    #[test]
    fn field_typo_suggests_the_field() {
        let err = build(PRO, &fields(PRO), None, &sets(&["promt=x"])).unwrap_err();
        assert!(err.to_string().contains("did you mean `prompt`"), "{err}");
    }

    #[test]
    fn enum_typo_suggests_the_value() {
        let err = build(PRO, &fields(PRO), None, &sets(&["resolution=720"])).unwrap_err();
        assert!(err.to_string().contains("did you mean `720p`"), "{err}");
    }

    #[test]
    fn integer_field_refuses_text() {
        let err = build(PRO, &fields(PRO), None, &sets(&["duration=five"])).unwrap_err();
        assert!(matches!(err, InputError::WrongType { .. }), "{err}");
    }

    #[test]
    fn arrays_take_repeats_and_json_arrays_never_comma_splits() {
        let body = build(
            REF,
            &fields(REF),
            None,
            &sets(&[
                "images=http://a/1.png?crop=0,0,800,600",
                "images=data:image/png;base64,AA",
                r#"images=["http://a/2.png","http://a/3,4.png"]"#,
            ]),
        )
        .expect("valid");
        assert_eq!(
            body["images"],
            serde_json::json!([
                "http://a/1.png?crop=0,0,800,600",
                "data:image/png;base64,AA",
                "http://a/2.png",
                "http://a/3,4.png"
            ])
        );
    }

    #[test]
    fn at_paths_are_local_files_of_image_fields_only() {
        let body = build(
            REF,
            &fields(REF),
            None,
            &sets(&["images=@a.png", "images=http://x/b.png", "images=@c.png"]),
        )
        .expect("valid");
        let files = local_files(&fields(REF), &body).expect("image field");
        assert_eq!(
            files,
            [
                ("images[0]".to_owned(), PathBuf::from("a.png")),
                ("images[2]".to_owned(), PathBuf::from("c.png"))
            ]
        );
        let body = build(REF, &fields(REF), None, &sets(&["text=@fox says hi"])).expect("valid");
        assert_eq!(local_files(&fields(REF), &body).expect("text"), []);
        let model = "aimlapi/bytedance/seedance-2-0";
        let body =
            build(model, &fields(model), None, &sets(&["video_url=@clip.mp4"])).expect("valid");
        assert!(matches!(
            local_files(&fields(model), &body),
            Err(InputError::NotAnImageField { .. })
        ));
    }

    #[test]
    fn constants_are_filled_in() {
        let model = "aimlapi/bytedance/seedance-1-0-lite-i2v";
        let mut body = build(model, &fields(model), None, &[]).expect("valid");
        complete(model, &fields(model), &mut body).expect("valid");
        assert_eq!(
            body["model"],
            Value::from("bytedance/seedance-1-0-lite-i2v")
        );
        let mut wrong = Map::new();
        wrong.insert("model".to_owned(), Value::from("other"));
        let err = complete(model, &fields(model), &mut wrong).unwrap_err();
        assert!(matches!(err, InputError::NotTheConstant { .. }), "{err}");
    }

    #[test]
    fn fields_from_any_source_are_checked() {
        let mut body = Map::new();
        body.insert("promt".to_owned(), Value::from("a cat"));
        let err = complete(PRO, &fields(PRO), &mut body).unwrap_err();
        assert!(err.to_string().contains("did you mean `prompt`"), "{err}");
    }

    #[test]
    fn missing_required_fields_are_named() {
        let body = build(PRO, &fields(PRO), None, &[]).expect("valid");
        let err = check_required(PRO, &fields(PRO), &body).unwrap_err();
        assert!(
            err.to_string().contains("prompt, first_frame_image_url"),
            "{err}"
        );
    }
}
