//! Where a model's request schema sits in the file the vendor publishes, and
//! what the file says beside it (model id, submit path).
//!
//! - JSON Schema (RunComfy's `input_schema`, WaveSpeed's `request_schema`):
//!   the file is the schema; the model path is the file path under the vendor
//!   folder and the submit path comes from `vendor.json`.
//! - OpenAPI 3.0 (the AI/ML API's per-model documents): the schema is the
//!   `application/json` body of the POST operation, the submit path is that
//!   operation's path and the model ids are the values of the `model` enum
//!   (one model per value). A document may also describe the vendor's legacy,
//!   vendor-named path (`/v2/generate/video/kling/generation`) beside its
//!   universal one (`/v2/video/generations`): the universal path wins. Two
//!   POST operations that are not such a pair are an error.

use serde_json::{Map, Value};

use super::keys::{object, wrong};
use super::resolve::Refs;
use crate::error::{Error, Location, Problem};
use crate::load::JsonFile;

/// A model's request schema, found.
pub(super) struct RequestSchema<'a> {
    /// The model paths or ids (`bytedance/seedance-1-0-lite-i2v`): one, or
    /// one per value of an OpenAPI document's `model` enum.
    pub model_ids: Vec<String>,
    /// Submit path relative to the vendor's base URL.
    pub submit_path: String,
    /// The input object's schema.
    pub schema: Map<String, Value>,
    /// Where that schema is, for errors.
    pub at: Location,
    /// Resolves `$ref`s inside the document.
    pub refs: Refs<'a>,
    /// The file is an OpenAPI document.
    pub openapi: bool,
}

/// Finds the request schema of `file`, whose path under the vendor folder is
/// `file_model_path`.
pub(super) fn request_schema<'a>(
    file: &'a JsonFile,
    file_model_path: &str,
    submit_template: Option<&str>,
) -> Result<RequestSchema<'a>, Error> {
    let root = Location::root(&file.path);
    let document = object(&root, &file.json)?;
    let refs = Refs::new(&file.json, &file.path);
    if document.contains_key("openapi") {
        return openapi(&root, document, refs);
    }
    let template = submit_template.ok_or_else(|| {
        root.error(Problem::Invalid(
            "a JSON Schema model needs `submit_path` in its vendor.json (only OpenAPI documents carry their own path)".into(),
        ))
    })?;
    Ok(RequestSchema {
        model_ids: vec![file_model_path.to_owned()],
        submit_path: template.replace("{model}", file_model_path),
        schema: document.clone(),
        at: root,
        refs,
        openapi: false,
    })
}

fn openapi<'a>(
    root: &Location,
    document: &'a Map<String, Value>,
    refs: Refs<'a>,
) -> Result<RequestSchema<'a>, Error> {
    let version_at = root.child("openapi");
    let version = document.get("openapi").unwrap_or(&Value::Null);
    match version.as_str() {
        Some(v) if v.starts_with("3.") => {}
        _ => return Err(wrong(&version_at, "an OpenAPI 3.x version", version)),
    }
    let paths_at = root.child("paths");
    let paths = object(&paths_at, document.get("paths").unwrap_or(&Value::Null))?;
    let posts: Vec<(&String, &Value)> = paths
        .iter()
        .filter_map(|(path, item)| Some((path, item.as_object()?.get("post")?)))
        .collect();
    // The vendor's legacy paths name the vendor; a universal one wins over them.
    let universal: Vec<&(&String, &Value)> =
        posts.iter().filter(|(path, _)| !is_legacy(path)).collect();
    let (path, operation) = match (posts.as_slice(), universal.as_slice()) {
        ([], _) => {
            return Err(paths_at.error(Problem::Invalid(
                "no POST operation: the submit request is the document's POST".into(),
            )));
        }
        ([only], _) => *only,
        (_, [only]) => **only,
        ([first, second, ..], _) => {
            return Err(paths_at.error(Problem::Invalid(format!(
                "two POST operations ({:?} and {:?}) that are not a universal path and its legacy form ({LEGACY_PREFIX}...); one request per document",
                first.0, second.0
            ))));
        }
    };
    let operation_at = paths_at.child(path).child("post");
    if let Some(why) = submit_path_problem(path) {
        return Err(paths_at
            .child(path)
            .error(Problem::Invalid(format!("submit path {path:?} {why}"))));
    }
    let (body, body_at) = refs.resolve(
        operation
            .get("requestBody")
            .ok_or_else(|| operation_at.error(Problem::Missing("requestBody")))?,
        &operation_at.child("requestBody"),
    )?;
    let content_at = body_at.child("content");
    let content = object(&content_at, body.get("content").unwrap_or(&Value::Null))?;
    let json_at = content_at.child("application/json");
    let media = content
        .get("application/json")
        .ok_or_else(|| content_at.error(Problem::Missing("application/json")))?;
    let media = object(&json_at, media)?;
    let (schema, at) = refs.resolve(
        media
            .get("schema")
            .ok_or_else(|| json_at.error(Problem::Missing("schema")))?,
        &json_at.child("schema"),
    )?;
    let model_ids = model_ids(&at, &schema, &refs)?;
    Ok(RequestSchema {
        model_ids,
        submit_path: path.clone(),
        schema,
        at,
        refs,
        openapi: true,
    })
}

/// Why `path` cannot be a path below the vendor's base URL: it is joined
/// to the base URL as text, and the request carries the vendor's token, so
/// `@host`, `.evil.example` or `//host` must never make it another host's.
/// Only `/` then path characters (letters, digits, `-._~/`) are taken.
fn submit_path_problem(path: &str) -> Option<&'static str> {
    if !path.starts_with('/') || path.starts_with("//") {
        return Some("does not start with a single `/`");
    }
    let plain = |c: char| c.is_ascii_alphanumeric() || "-._~/".contains(c);
    (!path.chars().all(plain)).then_some(
        "has a character other than letters, digits and `-._~/` (it would change the host or the query)",
    )
}

/// Where the AI/ML API's legacy, vendor-named submit paths start
/// (`/v2/generate/video/bytedance/generation`).
pub const LEGACY_PREFIX: &str = "/v2/generate/";

/// A legacy, vendor-named path: still served, but no longer the documented one.
fn is_legacy(path: &str) -> bool {
    path.starts_with(LEGACY_PREFIX)
}

/// The model ids: the values of the `model` property's `enum` (or its `const`).
fn model_ids(
    at: &Location,
    schema: &Map<String, Value>,
    refs: &Refs<'_>,
) -> Result<Vec<String>, Error> {
    let model_at = at.child("properties").child("model");
    let node = schema
        .get("properties")
        .and_then(|p| p.get("model"))
        .ok_or_else(|| {
            model_at.error(Problem::Invalid(
                "an AI/ML API document names its models in the `model` enum; there is no `model` property".into(),
            ))
        })?;
    let (node, model_at) = refs.resolve(node, &model_at)?;
    if let Some(Value::String(id)) = node.get("const") {
        return Ok(vec![id.clone()]);
    }
    let values = node.get("enum").and_then(Value::as_array);
    let ids: Option<Vec<String>> = values.map(|values| {
        values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    });
    match (values, ids) {
        (Some(values), Some(ids)) if !ids.is_empty() && ids.len() == values.len() => {
            let mut unique = ids.clone();
            unique.sort();
            unique.dedup();
            if unique.len() != ids.len() {
                return Err(model_at.child("enum").error(Problem::Invalid(
                    "the `model` enum names one model id twice".into(),
                )));
            }
            Ok(ids)
        }
        _ => Err(model_at.error(Problem::Invalid(
            "the `model` property must be an enum of strings (the model ids)".into(),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::submit_path_problem;

    #[test]
    fn submit_paths_stay_on_the_vendor_host() {
        for path in [
            "/v2/video/generations",
            "/v2/generate/video/bytedance/generation",
        ] {
            assert_eq!(submit_path_problem(path), None, "{path}");
        }
        for path in [
            "@evil.example/v2",
            ".evil.example/x",
            "//evil.example/x",
            "/v2/x?token=1",
            "/v2/x#y",
            "/v2/a b",
            "/v2/@evil",
            "",
        ] {
            assert!(submit_path_problem(path).is_some(), "{path}");
        }
    }
}
