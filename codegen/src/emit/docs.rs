//! Doc comments of generated fields: title, description and the facts a
//! user needs (bounds, image rules, vendor default).

use serde_json::Value;

use super::tokens::wire_text;
use crate::ir::{Field, StringType, Type};

pub(super) fn field_doc(field: &Field) -> String {
    let mut parts = Vec::new();
    if let Some(title) = &field.title {
        parts.push(title.clone());
    }
    if let Some(description) = &field.description {
        parts.push(description.clone());
    }
    let mut facts = Vec::new();
    match &field.ty {
        Type::String(s) => facts.extend(string_facts(s).into_iter().map(capitalise)),
        Type::Integer { minimum, maximum } => facts.extend(range_fact(minimum, maximum, "")),
        Type::Number { minimum, maximum } => facts.extend(range_fact(minimum, maximum, "")),
        Type::Array {
            items,
            min_items,
            max_items,
        } => {
            facts.extend(range_fact(min_items, max_items, " items"));
            facts.extend(
                string_facts(items)
                    .into_iter()
                    .map(|f| format!("Each item: {f}")),
            );
        }
        Type::Const(e) => facts.push(format!("Always `{}`.", wire_text(&e.variants[0].wire))),
        Type::Object(object) => facts.push(format!(
            "A [`{0}`]: `{0}::new` takes its required fields.",
            object.name
        )),
        Type::ObjectArray {
            item,
            min_items,
            max_items,
        } => {
            facts.extend(range_fact(min_items, max_items, " items"));
            facts.push(format!(
                "Each item: a [`{0}`] (`{0}::new` takes its required fields).",
                item.name
            ));
        }
        Type::Json => facts.push(
            "Any JSON value, sent as given: the schema gives it no type, so nothing is checked locally."
                .to_owned(),
        ),
        Type::JsonObject => facts.push(
            "A JSON object of any keys, sent as given: the schema names none, so its content is not checked locally."
                .to_owned(),
        ),
        Type::Boolean | Type::Enum(_) => {}
    }
    if !field.image_rules.is_empty() {
        let rules: Vec<String> = field
            .image_rules
            .iter()
            .map(|r| format!("`{} {}`", r.kind.as_str(), r.value))
            .collect();
        facts.push(format!("Image rules: {}.", rules.join(", ")));
    }
    if let Some(default) = &field.default {
        facts.push(format!("Vendor default: `{}`.", default_text(default)));
    }
    if field.deprecated {
        facts.push("Deprecated by the vendor.".to_owned());
    }
    if field.rust_name() != field.wire {
        facts.push(format!("Wire name: `{}`.", field.wire.replace('`', "'")));
    }
    if !facts.is_empty() {
        parts.push(facts.join(" "));
    }
    if parts.is_empty() {
        parts.push(format!("`{}`", field.wire));
    }
    parts.join("\n\n")
}

pub(super) fn string_facts(s: &StringType) -> Vec<String> {
    let mut facts = Vec::new();
    match (s.min_length, s.max_length) {
        (Some(min), Some(max)) => facts.push(format!("from {min} to {max} characters.")),
        (Some(min), None) => facts.push(format!("at least {min} characters.")),
        (None, Some(max)) => facts.push(format!("at most {max} characters.")),
        (None, None) => {}
    }
    match s.format.map(|f| (f, f.media())) {
        Some((_, Some(kind))) => facts.push(format!(
            "an http(s) URL or a `data:{}/...` URI.",
            kind.as_str()
        )),
        Some((_, None)) => facts.push("an http(s) URL or a data URI.".to_owned()),
        None => {}
    }
    facts
}

pub(super) fn capitalise(text: String) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

pub(super) fn range_fact<T: std::fmt::Display>(
    min: &Option<T>,
    max: &Option<T>,
    unit: &str,
) -> Option<String> {
    match (min, max) {
        (Some(min), Some(max)) => Some(format!("From {min} to {max}{unit}.")),
        (Some(min), None) => Some(format!("At least {min}{unit}.")),
        (None, Some(max)) => Some(format!("At most {max}{unit}.")),
        (None, None) => None,
    }
}

/// A default as shown in docs: strings unquoted, long ones cut.
pub(super) fn default_text(default: &Value) -> String {
    let text = match default {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    const SHOWN: usize = 120;
    if text.chars().count() > SHOWN {
        format!("{}...", text.chars().take(SHOWN).collect::<String>())
    } else {
        text
    }
    .replace('`', "'")
}
