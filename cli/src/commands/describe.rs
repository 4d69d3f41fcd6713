//! `seedance describe MODEL`: the model's fields as the generated code
//! knows them (its JSON Schema and image rules).

use std::fmt::Write as _;

use seedance::catalog::ModelInfo;
use serde_json::{Value, json};

use crate::connect;
use crate::error::CliError;
use crate::input::plain;
use crate::output::Printer;
use crate::schema::{self, Field, full_name};

/// Longest default shown in text (RunComfy's sample prompts run to pages).
const SHOWN: usize = 70;

/// Prints one model.
pub fn run(printer: &Printer, name: &str) -> Result<(), CliError> {
    let info = connect::model(name)?;
    // Hidden fields (WaveSpeed `x-hidden`) are accepted by `--set`, not advertised.
    let fields: Vec<Field> = schema::fields(info)
        .into_iter()
        .filter(|f| !f.hidden)
        .collect();
    printer.result(|| text(info, &fields), || json_of(info, &fields));
    Ok(())
}

fn text(info: &ModelInfo, fields: &[Field]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}  ({})", full_name(info), info.vendor.name);
    let _ = writeln!(out, "  {}", info.summary);
    let _ = writeln!(out, "  Rust type: seedance::{}::Input", info.module);
    let _ = writeln!(
        out,
        "  token: ${}   base URL: {}",
        info.vendor.token_env, info.vendor.base_url
    );
    let _ = writeln!(out, "\nFields (* required):");
    let width = fields.iter().map(|f| f.name.len()).max().unwrap_or(0);
    for field in fields {
        let marker = if field.required { "*" } else { " " };
        let _ = writeln!(out, "  {:width$}{marker}  {}", field.name, kind_text(field));
        if let Some(title) = field.title.as_deref().filter(|t| *t != field.name) {
            let _ = writeln!(out, "      {title}");
        }
        if let Some(description) = &field.description {
            let _ = writeln!(out, "      {}", shorten(description, 200));
        }
        if let Some(choices) = &field.choices {
            let shown: Vec<String> = choices.iter().map(plain).collect();
            let _ = writeln!(out, "      one of: {}", shown.join(", "));
        }
        if let Some(constant) = &field.constant {
            let _ = writeln!(out, "      always {} (filled in for you)", plain(constant));
        }
        if let Some(default) = &field.default {
            let _ = writeln!(
                out,
                "      vendor default: {}",
                shorten(&plain(default), SHOWN)
            );
        }
        for (keyword, value) in &field.bounds {
            let _ = writeln!(out, "      {keyword}: {value}");
        }
        if field.image {
            let _ = writeln!(out, "      an http(s) image URL or a data:image URI");
        }
        for rule in field.image_rules {
            let _ = writeln!(
                out,
                "      image rule {} {}: {}",
                rule.kind.as_str(),
                rule.limit,
                rule.message
            );
        }
        if field.deprecated {
            let _ = writeln!(out, "      deprecated by the vendor");
        }
    }
    let _ = write!(
        out,
        "\nExample: seedance run {} {}",
        full_name(info),
        fields
            .iter()
            .filter(|f| f.required && f.constant.is_none())
            .map(|f| format!("--set {}=...", f.name))
            .collect::<Vec<_>>()
            .join(" ")
    );
    out
}

fn kind_text(field: &Field) -> String {
    let mut kind = field.kind.name();
    if field.choices.is_some() {
        kind = format!("enum ({kind})");
    }
    if field.image {
        kind.push_str(", image");
    }
    kind
}

/// The first `limit` characters, with the full length when cut.
fn shorten(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}... ({} characters)", &text[..cut], text.chars().count()),
    }
}

fn json_of(info: &ModelInfo, fields: &[Field]) -> Value {
    json!({
        "name": full_name(info),
        "vendor": {
            "id": info.vendor.id,
            "name": info.vendor.name,
            "protocol": info.vendor.protocol.as_str(),
            "base_url": info.vendor.base_url,
            "token_env": info.vendor.token_env,
        },
        "model": info.model,
        "module": info.module,
        "summary": info.summary,
        "fields": fields.iter().map(field_json).collect::<Vec<_>>(),
        "json_schema": (info.json_schema)(),
    })
}

fn field_json(field: &Field) -> Value {
    json!({
        "name": field.name,
        "type": field.kind.name(),
        "required": field.required,
        "title": field.title,
        "description": field.description,
        "enum": field.choices,
        "const": field.constant,
        "default": field.default,
        "bounds": field.bounds.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect::<serde_json::Map<_, _>>(),
        "image": field.image,
        "image_rules": field.image_rules.iter().map(|rule| json!({
            "rule": rule.kind.as_str(),
            "limit": rule.limit,
            "message": rule.message,
        })).collect::<Vec<_>>(),
        "deprecated": field.deprecated,
    })
}
