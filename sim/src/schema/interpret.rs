//! The interpreter proper: walks an input against a schema value and collects
//! a [`Problem`] per broken keyword.

use serde_json::{Map, Value};

use super::{Problem, is_media_uri, media_kinds};

fn push(out: &mut Vec<Problem>, field: &str, rule: &str, message: String) {
    out.push(Problem {
        field: field.to_owned(),
        rule: rule.to_owned(),
        message,
    });
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if is_integer(n) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn is_integer(n: &serde_json::Number) -> bool {
    n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
}

fn has_type(value: &Value, ty: &str) -> bool {
    match ty {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.as_number().is_some_and(is_integer),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

/// JSON equality where numbers compare by value (`5` equals `5.0`).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        _ => a == b,
    }
}

fn compact(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        None => text,
        Some((cut, _)) => format!("{}... ({} characters)", &text[..cut], text.chars().count()),
    }
}

pub(super) fn check_value(field: &str, schema: &Value, value: &Value, out: &mut Vec<Problem>) {
    let Some(schema) = schema.as_object() else {
        return;
    };
    if let Some(ty) = schema.get("type") {
        let types: Vec<&str> = match ty {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !types.is_empty() && !types.iter().any(|t| has_type(value, t)) {
            push(
                out,
                field,
                "type",
                format!(
                    "must be of type {}, got {}",
                    types.join(" or "),
                    type_name(value)
                ),
            );
            return;
        }
    }
    if let Some(expected) = schema.get("const") {
        if !json_eq(expected, value) {
            push(
                out,
                field,
                "const",
                format!("must be {expected}, got {}", compact(value)),
            );
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        if !options.iter().any(|option| json_eq(option, value)) {
            let listed: Vec<String> = options.iter().map(Value::to_string).collect();
            push(
                out,
                field,
                "enum",
                format!(
                    "must be one of {}, got {}",
                    listed.join(", "),
                    compact(value)
                ),
            );
        }
    }
    // `allOf` with several members (one member is merged by `normalize`).
    for member in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        check_value(field, member, value, out);
    }
    match value {
        Value::String(text) => check_string(field, schema, text, out),
        Value::Number(number) => check_number(field, schema, number, out),
        Value::Array(items) => check_array(field, schema, items, out),
        Value::Object(map) => check_object(field, schema, map, out),
        Value::Null | Value::Bool(_) => {}
    }
}

fn limit_usize(schema: &Map<String, Value>, keyword: &str) -> Option<usize> {
    schema
        .get(keyword)
        .and_then(Value::as_u64)
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

fn check_string(field: &str, schema: &Map<String, Value>, text: &str, out: &mut Vec<Problem>) {
    let chars = || text.chars().count();
    if let Some(limit) = limit_usize(schema, "maxLength") {
        if text.len() > limit && chars() > limit {
            push(
                out,
                field,
                "maxLength",
                format!("must be at most {limit} characters, got {}", chars()),
            );
        }
    }
    if let Some(limit) = limit_usize(schema, "minLength") {
        if chars() < limit {
            push(
                out,
                field,
                "minLength",
                format!("must be at least {limit} characters, got {}", chars()),
            );
        }
    }
    // `normalize` gave media references (image rules, `x-accept`) their format.
    let Some(format) = schema.get("format").and_then(Value::as_str) else {
        return;
    };
    let Some(kinds) = media_kinds(format) else {
        return;
    };
    if !is_media_uri(text, kinds) {
        let data = match kinds {
            [] => "data:".to_owned(),
            kinds => kinds
                .iter()
                .map(|kind| format!("data:{kind}/"))
                .collect::<Vec<_>>()
                .join(" or "),
        };
        push(
            out,
            field,
            "format",
            format!(
                "must be an http(s) URL or a {data} URI ({format}), got {}",
                compact(&Value::String(text.to_owned()))
            ),
        );
    }
}

/// `Less`, `Equal` or `Greater` of `value` against `limit`, exact for integers.
fn compare(value: &serde_json::Number, limit: &Value) -> Option<std::cmp::Ordering> {
    let limit = limit.as_number()?;
    match (value.as_i64(), limit.as_i64()) {
        (Some(v), Some(l)) => Some(v.cmp(&l)),
        _ => value.as_f64()?.partial_cmp(&limit.as_f64()?),
    }
}

fn check_number(
    field: &str,
    schema: &Map<String, Value>,
    number: &serde_json::Number,
    out: &mut Vec<Problem>,
) {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let checks: [(&str, &[std::cmp::Ordering], &str); 4] = [
        ("minimum", &[Less], "at least"),
        ("maximum", &[Greater], "at most"),
        ("exclusiveMinimum", &[Less, Equal], "greater than"),
        ("exclusiveMaximum", &[Greater, Equal], "less than"),
    ];
    for (keyword, failing, words) in checks {
        let Some(limit) = schema.get(keyword) else {
            continue;
        };
        if compare(number, limit).is_some_and(|ordering| failing.contains(&ordering)) {
            push(
                out,
                field,
                keyword,
                format!("must be {words} {limit}, got {number}"),
            );
        }
    }
}

fn check_array(field: &str, schema: &Map<String, Value>, items: &[Value], out: &mut Vec<Problem>) {
    if let Some(limit) = limit_usize(schema, "minItems") {
        if items.len() < limit {
            push(
                out,
                field,
                "minItems",
                format!("must have at least {limit} items, got {}", items.len()),
            );
        }
    }
    if let Some(limit) = limit_usize(schema, "maxItems") {
        if items.len() > limit {
            push(
                out,
                field,
                "maxItems",
                format!("must have at most {limit} items, got {}", items.len()),
            );
        }
    }
    if let Some(item_schema) = schema.get("items") {
        for (index, item) in items.iter().enumerate() {
            check_value(&format!("{field}[{index}]"), item_schema, item, out);
        }
    }
}

fn check_object(
    field: &str,
    schema: &Map<String, Value>,
    map: &Map<String, Value>,
    out: &mut Vec<Problem>,
) {
    for name in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !map.contains_key(name) {
            push(
                out,
                &join(field, name),
                "required",
                "is required".to_owned(),
            );
        }
    }
    for (name, property) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(value) = map.get(name) {
            check_value(&join(field, name), property, value, out);
        }
    }
}
