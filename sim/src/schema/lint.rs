//! Checking the embedded schemas themselves: every keyword, `format` and
//! image rule must be one the interpreter understands.

use serde_json::Value;

use super::load::loaded;

/// Keywords the interpreter understands (annotations included).
const KNOWN_KEYWORDS: &[&str] = &[
    "type",
    "required",
    "properties",
    "enum",
    "default",
    "maxLength",
    "minLength",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "format",
    "items",
    "const",
    "title",
    "description",
    "$comment",
    "validations",
    "deprecated",
    "examples",
];

/// Image rules of the `validations` arrays.
const IMAGE_RULES: &[&str] = &[
    "width_pixels<",
    "width_pixels>",
    "height_pixels<",
    "height_pixels>",
    "width/height<",
    "width/height>",
    "file_size_mb<",
];

/// Problems in the embedded schemas themselves: unparsable files, unknown
/// keywords, unknown `format`s or image rules, each named by file and JSON
/// pointer. Empty when the interpreter understands everything.
pub fn lint() -> Vec<String> {
    let mut out = Vec::new();
    for (schema, value) in &loaded().models {
        let file = format!("{}/{}.json", schema.vendor, schema.model);
        match value {
            None => out.push(format!("{file}: not valid JSON")),
            Some(value) => lint_schema(&file, "", value, &mut out),
        }
    }
    out
}

fn lint_schema(file: &str, pointer: &str, schema: &Value, out: &mut Vec<String>) {
    let Some(object) = schema.as_object() else {
        out.push(format!("{file}#{pointer}: schema is not an object"));
        return;
    };
    for (keyword, value) in object {
        let here = format!("{pointer}/{keyword}");
        if !KNOWN_KEYWORDS.contains(&keyword.as_str()) {
            out.push(format!("{file}#{here}: unknown keyword"));
        }
        match keyword.as_str() {
            "properties" => {
                for (name, property) in value.as_object().into_iter().flatten() {
                    lint_schema(file, &format!("{here}/{name}"), property, out);
                }
            }
            "items" => lint_schema(file, &here, value, out),
            "format" if !matches!(value.as_str(), Some("uri" | "image_uri")) => {
                out.push(format!("{file}#{here}: unknown format {value}"));
            }
            "validations" => {
                for (index, entry) in value.as_array().into_iter().flatten().enumerate() {
                    let rule = entry.get("validation_rule").and_then(Value::as_str);
                    if !rule.is_some_and(|rule| IMAGE_RULES.contains(&rule))
                        || entry
                            .get("validation_value")
                            .and_then(Value::as_f64)
                            .is_none()
                    {
                        out.push(format!("{file}#{here}/{index}: unknown image rule"));
                    }
                }
            }
            _ => {}
        }
    }
}
