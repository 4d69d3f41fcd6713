//! A batch file's lines -> journal entries: each line parsed, its model
//! found, its input typed and checked locally (nothing is recorded for a
//! line that would be refused), duplicates and clashing outputs found.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use seedance::catalog::ModelInfo;
use seedance_journal::{NewEntry, body_hash, line_key, sha256_hex};
use serde_json::{Map, Value};

use crate::connect;
use crate::input;
use crate::schema::{self, Field, full_name};
use crate::sim::{Simulator, images};

/// What a batch file holds.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Lines to record, in file order.
    pub entries: Vec<NewEntry>,
    /// Lines refused before anything was recorded: (line, why).
    pub invalid: Vec<(i64, String)>,
    /// Lines identical to an earlier one: (line, the earlier line).
    pub duplicates: Vec<(i64, i64)>,
    /// Image fields rewritten for the simulator (`--sim`).
    pub sim_rewrites: usize,
    /// The batch id: the same file gives the same id on every machine.
    pub batch: String,
}

/// How lines become entries.
pub struct Context<'a> {
    /// Absolute output folder.
    pub out_dir: PathBuf,
    /// Identical lines are separate jobs.
    pub allow_duplicates: bool,
    /// The simulator whose test images replace foreign image URLs.
    pub sim: Option<&'a Simulator>,
}

/// Parses every line of `text` (blank lines are skipped).
pub fn parse(text: &str, ctx: &Context<'_>) -> Parsed {
    let mut parsed = Parsed::default();
    let mut seen: HashMap<String, (i64, u32)> = HashMap::new();
    let mut outs: HashMap<PathBuf, i64> = HashMap::new();
    let mut fields: HashMap<&'static str, Vec<Field>> = HashMap::new();
    for (index, raw) in text.lines().enumerate() {
        let line = i64::try_from(index + 1).unwrap_or(i64::MAX);
        if raw.trim().is_empty() {
            continue;
        }
        let spec = match read_line(raw) {
            Ok(spec) => spec,
            Err(message) => {
                parsed.invalid.push((line, message));
                continue;
            }
        };
        let info = match connect::model(&spec.model) {
            Ok(info) => info,
            Err(err) => {
                parsed.invalid.push((line, err.to_string()));
                continue;
            }
        };
        let name = full_name(info);
        let first = line_key(
            info.vendor.id,
            &name,
            &Value::Object(spec.input.clone()),
            spec.out.as_deref(),
            0,
        );
        let key = match seen.get_mut(&first) {
            None => {
                seen.insert(first.clone(), (line, 0));
                first
            }
            Some((earlier, _)) if !ctx.allow_duplicates => {
                parsed.duplicates.push((line, *earlier));
                continue;
            }
            Some((_, count)) => {
                *count += 1;
                line_key(
                    info.vendor.id,
                    &name,
                    &Value::Object(spec.input.clone()),
                    spec.out.as_deref(),
                    *count,
                )
            }
        };
        let out_path = spec.out.as_deref().map(|out| ctx.out_dir.join(out));
        if let Some(path) = &out_path {
            if let Some(other) = outs.insert(path.clone(), line) {
                parsed.invalid.push((
                    line,
                    format!("out {} is also line {other}'s output", path.display()),
                ));
                continue;
            }
        }
        let model_fields = fields
            .entry(info.module)
            .or_insert_with(|| schema::fields(info));
        match body(
            info,
            &name,
            model_fields,
            spec.input,
            ctx.sim,
            &mut parsed.sim_rewrites,
        ) {
            Ok((path, body)) => parsed.entries.push(NewEntry {
                key,
                batch: String::new(),
                line,
                vendor: info.vendor.id.to_owned(),
                model: name,
                path,
                body_hash: body_hash(body.as_bytes()),
                body,
                out_path: out_path.map(|p| p.display().to_string()),
                out_dir: Some(ctx.out_dir.display().to_string()),
            }),
            Err(message) => parsed.invalid.push((line, message)),
        }
    }
    let keys: Vec<&str> = parsed.entries.iter().map(|e| e.key.as_str()).collect();
    parsed.batch = sha256_hex(keys.join("\n").as_bytes())[..16].to_owned();
    for entry in &mut parsed.entries {
        entry.batch = parsed.batch.clone();
    }
    parsed
}

struct Spec {
    model: String,
    input: Map<String, Value>,
    out: Option<String>,
}

/// `{"model": "...", "input": {...}, "out": "optional/path.mp4"}`.
fn read_line(raw: &str) -> Result<Spec, String> {
    let value: Value = serde_json::from_str(raw).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(mut map) = value else {
        return Err("expected an object {\"model\", \"input\", \"out\"?}".to_owned());
    };
    let model = match map.remove("model") {
        Some(Value::String(model)) => model,
        _ => return Err("\"model\" (a name from `seedance models`) is missing".to_owned()),
    };
    let input = match map.remove("input") {
        Some(Value::Object(input)) => input,
        _ => return Err("\"input\" (an object of fields) is missing".to_owned()),
    };
    let out = match map.remove("out") {
        None | Some(Value::Null) => None,
        Some(Value::String(out)) if !out.is_empty() => Some(out),
        Some(_) => return Err("\"out\" must be a file path".to_owned()),
    };
    if let Some(extra) = map.keys().next() {
        return Err(format!(
            "unknown key {extra:?} (expected model, input, out)"
        ));
    }
    Ok(Spec { model, input, out })
}

/// The exact body to POST and its path, after the same local checks as
/// `seedance run` (required fields, types, enums, rules).
fn body(
    info: &'static ModelInfo,
    name: &str,
    fields: &[Field],
    mut input: Map<String, Value>,
    sim: Option<&Simulator>,
    rewrites: &mut usize,
) -> Result<(String, String), String> {
    if let Some(sim) = sim {
        *rewrites += images::prepare(sim, fields, &mut input).len();
    }
    input::check_required(name, fields, &input).map_err(|e| e.to_string())?;
    let model = (info.parse)(Value::Object(input)).map_err(|e| format!("{name}: {e}"))?;
    model.validate().map_err(|e| e.to_string())?;
    let body = model.to_body().map_err(|e| e.to_string())?;
    let path = model.submit_path().replace("{model}", model.model());
    Ok((path, String::from_utf8_lossy(&body).into_owned()))
}

/// `dir` made absolute (against the current folder).
pub fn absolute(dir: &Path) -> PathBuf {
    if dir.is_absolute() {
        dir.to_owned()
    } else {
        std::env::current_dir().map_or_else(|_| dir.to_owned(), |cwd| cwd.join(dir))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &str = "runcomfy/bytedance/seedance-1-0/pro/image-to-video";

    fn ctx(allow_duplicates: bool) -> Context<'static> {
        Context {
            out_dir: PathBuf::from("/tmp/out"),
            allow_duplicates,
            sim: None,
        }
    }

    fn line(prompt: &str, out: Option<&str>) -> String {
        let mut v = serde_json::json!({"model": MODEL, "input": {
            "prompt": prompt, "first_frame_image_url": "https://example.com/a.jpg"}});
        if let Some(out) = out {
            v["out"] = Value::from(out);
        }
        v.to_string()
    }

    #[test]
    fn identical_lines_are_duplicates_unless_allowed() {
        let text = [
            line("fox", None),
            String::new(),
            line("fox", None),
            line("cat", None),
        ]
        .join("\n");
        let parsed = parse(&text, &ctx(false));
        assert_eq!(parsed.entries.len(), 2);
        assert_eq!(parsed.duplicates, [(3, 1)]);
        let allowed = parse(&text, &ctx(true));
        assert_eq!(allowed.entries.len(), 3);
        assert_eq!(
            allowed.entries[1].key,
            format!("{}#1", allowed.entries[0].key)
        );
        assert_ne!(parsed.batch, allowed.batch);
        assert_eq!(
            parsed.batch,
            parse(&text, &ctx(false)).batch,
            "same file, same batch"
        );
    }

    #[test]
    fn bad_lines_are_refused_with_a_reason_and_others_kept() {
        let text = [
            "not json".to_owned(),
            r#"{"model": "nope", "input": {}}"#.to_owned(),
            format!(r#"{{"model": "{MODEL}", "input": {{"prompt": "x"}}}}"#),
            line("ok", Some("a.mp4")),
            line("ok2", Some("a.mp4")),
        ]
        .join("\n");
        let parsed = parse(&text, &ctx(false));
        let lines: Vec<i64> = parsed.invalid.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [1, 2, 3, 5], "{:?}", parsed.invalid);
        assert!(
            parsed.invalid[2].1.contains("first_frame_image_url"),
            "{:?}",
            parsed.invalid[2]
        );
        assert_eq!(parsed.entries.len(), 1);
        assert_eq!(
            parsed.entries[0].out_path.as_deref(),
            Some("/tmp/out/a.mp4")
        );
        assert!(parsed.entries[0].path.starts_with("/v1/models/bytedance/"));
    }
}
