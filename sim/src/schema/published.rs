//! Where the request schema, the model id and the submit path are in each
//! vendor's published file:
//!
//! - AI/ML API: a per-model OpenAPI 3.0 document; the request schema is the
//!   JSON body of its single POST operation, the submit path is that
//!   operation's path, the model id the one value of property `model`
//!   (`enum` or `const`), wherever the file lives;
//! - RunComfy (`input_schema`) and WaveSpeed (`request_schema`): the file is
//!   the request schema and its path below the vendor folder, without
//!   `.json`, is the model id.

use serde_json::Value;

use super::load;
use super::normalize::{self, NormalizeError, escape};

/// What the simulator reads out of one model file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reading {
    /// The request schema, normalized for the interpreter.
    pub(crate) schema: Value,
    /// JSON pointer of the request schema in the file (`` for the whole file).
    pub(crate) pointer: String,
    /// The model id the file itself names (AI/ML API), if any.
    pub(crate) model: Option<String>,
    /// The submit path the file names (AI/ML API), if any.
    pub(crate) submit_path: Option<String>,
}

/// Why a model file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// The file is not JSON.
    #[error("not valid JSON: {0}")]
    NotJson(String),
    /// An OpenAPI document without a POST operation.
    #[error("no POST operation under /paths")]
    NoPost,
    /// An OpenAPI document with several POST operations (one model each).
    #[error("{0} POST operations under /paths (one is expected)")]
    SeveralPosts(usize),
    /// The POST operation has no `application/json` request body schema.
    #[error("no requestBody.content[\"application/json\"].schema")]
    NoJsonBody(String),
    /// The request schema has no one-value `model` property.
    #[error("property `model` has no one-value enum naming the model")]
    NoModelId(String),
    /// A `$ref` or nesting problem.
    #[error(transparent)]
    Normalize(#[from] NormalizeError),
}

impl FormError {
    /// Where in the file it went wrong (`` for the whole file).
    pub fn pointer(&self) -> &str {
        match self {
            FormError::NoJsonBody(pointer) | FormError::NoModelId(pointer) => pointer,
            FormError::Normalize(error) => error.pointer(),
            FormError::NotJson(_) | FormError::NoPost | FormError::SeveralPosts(_) => "",
        }
    }
}

/// True when `vendor`'s files are OpenAPI documents.
pub(crate) fn is_openapi_vendor(vendor: &str) -> bool {
    vendor == "aimlapi"
}

/// Reads one model file of `vendor`.
pub(crate) fn read(vendor: &str, document: &Value) -> Result<Reading, FormError> {
    let mut reading = if is_openapi_vendor(vendor) || document.get("openapi").is_some() {
        openapi(document)?
    } else {
        Reading {
            schema: normalize::normalize(document, document, "")?,
            pointer: String::new(),
            model: None,
            submit_path: None,
        }
    };
    apply_media_fields(vendor, &mut reading.schema);
    Ok(reading)
}

/// `vendor.json`'s `media_fields`: a property of that name whose `format` is
/// absent or a plain `uri` (each item, for an array) references that media,
/// as `image_uri` would. The AI/ML API's documents type `image_url` as `uri`.
fn apply_media_fields(vendor: &str, schema: &mut Value) {
    let Some(manifest) =
        load::embedded_manifest(vendor).and_then(|text| serde_json::from_str::<Value>(text).ok())
    else {
        return;
    };
    let Some(fields) = manifest.get("media_fields").and_then(Value::as_object) else {
        return;
    };
    let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, kind) in fields {
        let (Some(property), Some(kind)) = (properties.get_mut(name), kind.as_str()) else {
            continue;
        };
        let target = match property.get_mut("items") {
            Some(items) => items,
            None => property,
        };
        let open = matches!(
            target.get("format").and_then(Value::as_str),
            None | Some("uri")
        );
        let string = match target.get("type") {
            Some(Value::String(ty)) => ty == "string",
            // OpenAPI's `nullable` became `["string", "null"]`.
            Some(Value::Array(types)) => types.iter().any(|ty| ty == "string"),
            _ => false,
        };
        if open && string {
            target["format"] = Value::from(format!("{kind}_uri"));
        }
    }
}

fn openapi(document: &Value) -> Result<Reading, FormError> {
    let posts: Vec<(&String, &Value)> = document
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(path, item)| Some((path, item.get("post")?)))
        .collect();
    let (path, operation) = match posts.as_slice() {
        [] => return Err(FormError::NoPost),
        [one] => *one,
        many => return Err(FormError::SeveralPosts(many.len())),
    };
    let operation_pointer = format!("/paths/{}/post", escape(path));
    // The request body itself may be a `$ref` (to `#/components/requestBodies`).
    let (body, body_pointer) = match operation.get("requestBody") {
        Some(body) => match body.get("$ref").and_then(Value::as_str) {
            Some(target) => (
                normalize::resolve(document, target),
                target.trim_start_matches('#').to_owned(),
            ),
            None => (Some(body), format!("{operation_pointer}/requestBody")),
        },
        None => (None, operation_pointer.clone()),
    };
    let pointer = format!("{body_pointer}/content/application~1json/schema");
    let raw = body
        .and_then(|body| body.pointer("/content/application~1json/schema"))
        .ok_or(FormError::NoJsonBody(operation_pointer))?;
    let schema = normalize::normalize(document, raw, &pointer)?;
    let model = model_id(&schema).ok_or_else(|| FormError::NoModelId(pointer.clone()))?;
    Ok(Reading {
        schema,
        pointer,
        model: Some(model),
        submit_path: Some(path.clone()),
    })
}

/// The one value of property `model`: `enum: ["id"]` or `const: "id"`.
fn model_id(schema: &Value) -> Option<String> {
    let model = schema.pointer("/properties/model")?;
    if let Some(constant) = model.get("const").and_then(Value::as_str) {
        return Some(constant.to_owned());
    }
    match model.get("enum")?.as_array()?.as_slice() {
        [Value::String(id)] => Some(id.clone()),
        // `nullable` adds `null` as a second value.
        [Value::String(id), Value::Null] => Some(id.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn openapi_model_id_path_and_body() {
        let document = json!({
            "openapi": "3.0.0",
            "paths": { "/v2/video/generations": { "post": { "requestBody": { "content": {
                "application/json": { "schema": { "$ref": "#/components/schemas/In" } }
            }}}}},
            "components": { "schemas": { "In": { "type": "object", "properties": {
                "model": { "type": "string", "enum": ["vendor/model-x"] }
            }}}}
        });
        let reading = read("aimlapi", &document).unwrap();
        assert_eq!(reading.model.as_deref(), Some("vendor/model-x"));
        assert_eq!(
            reading.submit_path.as_deref(),
            Some("/v2/video/generations")
        );
        assert_eq!(
            reading.pointer,
            "/paths/~1v2~1video~1generations/post/requestBody/content/application~1json/schema"
        );
        assert_eq!(reading.schema["type"], "object");
    }

    #[test]
    fn openapi_without_post_or_model_is_refused() {
        assert_eq!(
            read("aimlapi", &json!({"paths": {}})),
            Err(FormError::NoPost)
        );
        let no_model = json!({ "paths": { "/x": { "post": { "requestBody": { "content": {
            "application/json": { "schema": { "type": "object" } } } } } } } });
        assert!(matches!(
            read("aimlapi", &no_model),
            Err(FormError::NoModelId(_))
        ));
    }
}
