//! Where a model's request schema sits in the file the vendor publishes, and
//! what the file says beside it (model id, submit path).
//!
//! - JSON Schema (RunComfy's `input_schema`, WaveSpeed's `request_schema`):
//!   the file is the schema; the model path is the file path under the vendor
//!   folder and the submit path comes from `vendor.json`.
//! - OpenAPI 3.0 (the AI/ML API's per-model documents): the schema is the
//!   `application/json` body of the one POST operation, the submit path is that
//!   operation's path and the model id is the one-value `model` enum.

use serde_json::{Map, Value};

use super::keys::{object, wrong};
use super::resolve::Refs;
use crate::error::{Error, Location, Problem};
use crate::load::JsonFile;

/// A model's request schema, found.
pub(super) struct RequestSchema<'a> {
    /// The model path or id (`bytedance/seedance-1-0-lite-i2v`).
    pub model_path: String,
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
        model_path: file_model_path.to_owned(),
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
    let mut posts = paths
        .iter()
        .filter_map(|(path, item)| Some((path, item.as_object()?.get("post")?)));
    let (path, operation) = posts.next().ok_or_else(|| {
        paths_at.error(Problem::Invalid(
            "no POST operation: the submit request is the document's POST".into(),
        ))
    })?;
    if let Some((other, _)) = posts.next() {
        return Err(paths_at.error(Problem::Invalid(format!(
            "two POST operations ({path:?} and {other:?}); one model per document"
        ))));
    }
    let operation_at = paths_at.child(path).child("post");
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
    let model_path = model_id(&at, &schema, &refs)?;
    Ok(RequestSchema {
        model_path,
        submit_path: path.clone(),
        schema,
        at,
        refs,
        openapi: true,
    })
}

/// The model id: the one value of the `model` property's `enum` (or `const`).
fn model_id(at: &Location, schema: &Map<String, Value>, refs: &Refs<'_>) -> Result<String, Error> {
    let model_at = at.child("properties").child("model");
    let node = schema
        .get("properties")
        .and_then(|p| p.get("model"))
        .ok_or_else(|| {
            model_at.error(Problem::Invalid(
                "an AI/ML API document names its model in a one-value `model` enum; there is no `model` property".into(),
            ))
        })?;
    let (node, model_at) = refs.resolve(node, &model_at)?;
    if let Some(Value::String(id)) = node.get("const") {
        return Ok(id.clone());
    }
    match node
        .get("enum")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([Value::String(id)]) => Ok(id.clone()),
        _ => Err(model_at.error(Problem::Invalid(
            "the `model` property must be an enum of exactly one string (the model id)".into(),
        ))),
    }
}
