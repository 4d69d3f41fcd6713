//! `seedance describe MODEL`: the model's fields as the generated code
//! knows them (its JSON Schema and image rules).

use std::fmt::Write as _;

use seedance::catalog::ModelInfo;
use seedance_runtime::media::MediaPolicy;
use seedance_runtime::{ImageRule, ImageRuleKind};
use serde_json::{Value, json};

use crate::advisories;
use crate::cli::{Global, NotConnecting};
use crate::connect;
use crate::error::CliError;
use crate::input::plain;
use crate::output::Printer;
use crate::schema::{self, Field, full_name};
use crate::sim::Simulator;

/// Longest default shown in text (RunComfy's sample prompts run to pages).
const SHOWN: usize = 70;

/// Prints one compiled model, or (a `vendor/model` name not compiled in)
/// one from its vendor's catalog, where the connection options apply.
pub async fn run(
    printer: &Printer,
    global: &Global,
    name: &str,
    not_here: &NotConnecting,
) -> Result<(), CliError> {
    let info = match connect::model(name) {
        Ok(info) => {
            not_here.refuse("describe")?;
            info
        }
        Err(_) => {
            let sim = Simulator::for_global(global).await?;
            crate::remote::resolve(printer, global, name, sim.as_ref()).await?
        }
    };
    print(printer, info);
    Ok(())
}

fn print(printer: &Printer, info: &ModelInfo) {
    // Hidden fields (WaveSpeed `x-hidden`) are accepted by `--set`, not advertised.
    let fields: Vec<Field> = schema::fields(info)
        .into_iter()
        .filter(|f| !f.hidden)
        .collect();
    printer.result(|| text(info, &fields), || json_of(info, &fields));
}

fn text(info: &ModelInfo, fields: &[Field]) -> String {
    let mut out = String::new();
    let name = full_name(info);
    let _ = writeln!(out, "{name}  ({})", info.vendor.name);
    let _ = writeln!(out, "  {}", info.summary);
    match crate::catalog_models::is_catalog(info) {
        true => {
            out.push_str("  Rust type  none: not compiled in, checked against its catalog schema\n")
        }
        false => {
            let _ = writeln!(out, "  Rust type  seedance::{}::Input", info.module);
        }
    }
    let _ = writeln!(out, "  token      ${}", info.vendor.token_env);
    let _ = writeln!(out, "  base URL   {}", info.vendor.base_url);
    let advisories: Vec<_> = advisories::of(&name).collect();
    if !advisories.is_empty() {
        let _ = writeln!(
            out,
            "\nAdvisories (from the vendor's pages; `run` warns when one applies):"
        );
        for advisory in advisories {
            wrap(&mut out, "  ", advisory.text);
        }
    }
    let _ = writeln!(
        out,
        "\nFields (* required; the wire name is what travels, in JSON and --set):"
    );
    let rows: Vec<[String; 3]> = fields
        .iter()
        .map(|field| {
            let marker = if field.required { " *" } else { "" };
            [
                format!("{}{marker}", field.name),
                kind_text(field),
                field
                    .default
                    .as_ref()
                    .map(|d| shorten(&plain(d), SHOWN))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let header = ["FIELD".to_owned(), "TYPE".to_owned(), "DEFAULT".to_owned()];
    let width = |col: usize| {
        rows.iter()
            .chain(std::iter::once(&header))
            .map(|row| row[col].chars().count())
            .max()
            .unwrap_or(0)
    };
    let (w0, w1) = (width(0), width(1));
    let _ = writeln!(out, "  {:w0$}  {:w1$}  {}", header[0], header[1], header[2]);
    for (field, row) in fields.iter().zip(&rows) {
        let line = format!("  {:w0$}  {:w1$}  {}", row[0], row[1], row[2]);
        let _ = writeln!(out, "{}", line.trim_end());
        field_details(&mut out, info, field);
    }
    let _ = write!(out, "\nExample: {}", example(info, fields));
    out
}

/// The lines under a field's row: title, Rust name, description, choices,
/// constant, bounds, what an image takes, its rules, deprecation.
fn field_details(out: &mut String, info: &ModelInfo, field: &Field) {
    if let Some(title) = field.title.as_deref().filter(|t| *t != field.name) {
        wrap(out, "      ", title);
    }
    if let Some(rust) = &field.rust {
        let _ = writeln!(out, "      Rust name: {rust} (wire name {})", field.name);
    }
    if let Some(description) = &field.description {
        wrap(out, "      ", description);
    }
    if let Some(choices) = &field.choices {
        let shown: Vec<String> = choices.iter().map(plain).collect();
        wrap(out, "      ", &format!("one of: {}", shown.join(", ")));
    }
    if let Some(constant) = &field.constant {
        let _ = writeln!(out, "      always {} (filled in for you)", plain(constant));
    }
    let bounds = bounds_text(field);
    if !bounds.is_empty() {
        let _ = writeln!(out, "      {bounds}");
    }
    if field.image {
        let _ = writeln!(
            out,
            "      an http(s) image URL, a data:image URI, or @path (a local file{})",
            match url_only(info) {
                true => ", sent only with --allow-data-uri",
                false => "",
            }
        );
    }
    if !field.image_rules.is_empty() {
        let _ = writeln!(
            out,
            "      image: {}",
            image_rules_summary(field.image_rules)
        );
    }
    if field.deprecated {
        let _ = writeln!(out, "      deprecated by the vendor");
    }
}

/// True when the vendor documents public URLs only for images, so a local
/// file (`@path`) goes only as a data URI with `--allow-data-uri` (RunComfy).
fn url_only(info: &ModelInfo) -> bool {
    MediaPolicy::of(info.vendor.protocol) == MediaPolicy::UrlOnly
}

/// `seedance run MODEL --set ...` with every required field, a local file
/// for images, and `--allow-data-uri` where that file needs it.
fn example(info: &ModelInfo, fields: &[Field]) -> String {
    let mut words = vec![format!("seedance run {}", full_name(info))];
    let required = fields.iter().filter(|f| f.required && f.constant.is_none());
    words.extend(required.clone().map(|f| match f.image {
        true => format!("--set {}=@photo.png", f.name),
        false => format!("--set {}=...", f.name),
    }));
    if url_only(info) && required.clone().any(|f| f.image) {
        words.push("--allow-data-uri".to_owned());
    }
    words.join(" ")
}

/// `text` wrapped at about 88 columns, each line after `indent`; the vendor's
/// own line breaks are kept.
fn wrap(out: &mut String, indent: &str, text: &str) {
    const WIDTH: usize = 88;
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && indent.len() + line.len() + 1 + word.len() > WIDTH {
                let _ = writeln!(out, "{indent}{line}");
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            let _ = writeln!(out, "{indent}{line}");
        }
    }
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

/// `minimum 2, maximum 12` as `2 to 12`, lengths and counts in words.
fn bounds_text(field: &Field) -> String {
    let get = |key: &str| {
        field
            .bounds
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string())
    };
    let mut parts = Vec::new();
    for (low, high, unit) in [
        ("minimum", "maximum", ""),
        ("minLength", "maxLength", " characters"),
        ("minItems", "maxItems", " items"),
    ] {
        match (get(low), get(high)) {
            (Some(a), Some(b)) => parts.push(format!("{a} to {b}{unit}")),
            (Some(a), None) => parts.push(format!("at least {a}{unit}")),
            (None, Some(b)) => parts.push(format!("at most {b}{unit}")),
            (None, None) => {}
        }
    }
    parts.join(", ")
}

/// The image rules in one phrase: `300-6000 px per side, ratio 0.4-2.5,
/// under 30 MB` (every bound exclusive, as the vendors state them).
pub fn image_rules_summary(rules: &[ImageRule]) -> String {
    let limit = |kind: ImageRuleKind| rules.iter().find(|r| r.kind == kind).map(|r| r.limit);
    let range = |low: Option<f64>, high: Option<f64>, unit: &str| match (low, high) {
        (Some(a), Some(b)) => Some(format!("{a}-{b}{unit}")),
        (Some(a), None) => Some(format!("over {a}{unit}")),
        (None, Some(b)) => Some(format!("under {b}{unit}")),
        (None, None) => None,
    };
    let width = range(
        limit(ImageRuleKind::WidthAbove),
        limit(ImageRuleKind::WidthBelow),
        " px",
    );
    let height = range(
        limit(ImageRuleKind::HeightAbove),
        limit(ImageRuleKind::HeightBelow),
        " px",
    );
    let mut parts = Vec::new();
    match (width, height) {
        (Some(w), Some(h)) if w == h => parts.push(format!("{w} per side")),
        (w, h) => {
            parts.extend(w.map(|w| format!("width {w}")));
            parts.extend(h.map(|h| format!("height {h}")));
        }
    }
    parts.extend(
        range(
            limit(ImageRuleKind::RatioAbove),
            limit(ImageRuleKind::RatioBelow),
            "",
        )
        .map(|r| format!("ratio (width/height) {r}")),
    );
    parts.extend(limit(ImageRuleKind::FileSizeMbBelow).map(|mb| format!("under {mb} MB")));
    parts.join(", ")
}

/// The first `limit` characters, with the full length when cut.
fn shorten(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}... ({} characters)", &text[..cut], text.chars().count()),
    }
}

/// `models --json`'s object of the model, with its advisories and fields.
fn json_of(info: &ModelInfo, fields: &[Field]) -> Value {
    let mut model = super::models::model_json(info);
    model.insert(
        "advisories".to_owned(),
        json!(
            advisories::of(&full_name(info))
                .map(|a| a.text)
                .collect::<Vec<_>>()
        ),
    );
    model.insert(
        "fields".to_owned(),
        json!(fields.iter().map(field_json).collect::<Vec<_>>()),
    );
    model.insert(
        "json_schema".to_owned(),
        crate::catalog_models::json_schema(info),
    );
    Value::Object(model)
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
        "image_rules_summary": (!field.image_rules.is_empty()).then(|| image_rules_summary(field.image_rules)),
        "image_rules": field.image_rules.iter().map(|rule| json!({
            "rule": rule.kind.as_str(),
            "limit": rule.limit,
            "message": rule.message,
        })).collect::<Vec<_>>(),
        "deprecated": field.deprecated,
    })
}
