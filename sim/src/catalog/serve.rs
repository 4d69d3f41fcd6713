//! The vendors' catalog endpoints, answered from the simulator's catalog so
//! `cargo xtask pull` is tested offline. Paths are the paths of each
//! vendor's `catalog_url` (in `vendor.json`), so a client that swaps only
//! the origin of that URL for the simulator's reaches them:
//!
//! - RunComfy: `GET /v1/models/{model id}` (Bearer) answers the model with
//!   its `input_schema`; `GET /v1/models?search=&category=&include_schema=
//!   &limit=&offset=` answers `{models, total}`;
//! - WaveSpeed: `GET /api/v3/models` (Bearer) answers `{code, message,
//!   data}` with each model's `request_schema` in its `model_run` entry;
//! - AI/ML API: `GET <docs folder>/{file}` answers a document's bytes as
//!   stored with an `ETag` (and 304 to a matching `If-None-Match`), no token,
//!   as the vendor's public docs repository does; `GET <catalog_list_url's
//!   path>` lists the folder as GitHub's contents API does (`[{name, path,
//!   type: "file"}]`), no token.
//!
//! Names, categories and prices are made up from the model id: a catalog
//! needs them, the schemas do not carry them.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::Catalog;
use crate::protocols::{self, Vendor, runcomfy, wavespeed};
use crate::schema::Entry;
use crate::sim::Shared;

/// Catalog paths used when a manifest has no `catalog_url`.
const RUNCOMFY_MODEL: &str = "/v1/models/{model}";
const WAVESPEED_MODELS: &str = "/api/v3/models";
const AIMLAPI_FILE: &str =
    "/aimlapi/api-docs/main/docs/api-references/video-models/ByteDance/{file}";
const AIMLAPI_LIST: &str =
    "/repos/aimlapi/api-docs/contents/docs/api-references/video-models/ByteDance";

/// The catalog routes, at the paths of the catalog URLs of `catalog`'s
/// manifests.
pub(crate) fn routes(catalog: &Catalog) -> Router<Arc<Shared>> {
    let path = |vendor: Vendor, default: &str| {
        catalog
            .manifest(vendor)
            .and_then(|m| m.get("catalog_url")?.as_str().and_then(url_path))
            .unwrap_or_else(|| default.to_owned())
    };
    let runcomfy_model = path(Vendor::RunComfy, RUNCOMFY_MODEL);
    let runcomfy_list = runcomfy_model
        .strip_suffix("/{model}")
        .unwrap_or("/v1/models")
        .to_owned();
    Router::new()
        .route(
            &runcomfy_model.replace("{model}", "{*model}"),
            get(runcomfy_one),
        )
        .route(&runcomfy_list, get(runcomfy_all))
        .route(
            &path(Vendor::WaveSpeed, WAVESPEED_MODELS),
            get(wavespeed_all),
        )
        .route(&path(Vendor::AimlApi, AIMLAPI_FILE), get(aimlapi_file))
        .route(
            &catalog
                .manifest(Vendor::AimlApi)
                .and_then(|m| m.get("catalog_list_url")?.as_str().and_then(url_path))
                .unwrap_or_else(|| AIMLAPI_LIST.to_owned()),
            get(aimlapi_listing),
        )
}

/// The AI/ML API docs folder as GitHub's contents API lists it: one entry
/// per stored document, by file name.
async fn aimlapi_listing(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let mut files: Vec<String> = shared
        .catalog
        .entries(Vendor::AimlApi)
        .iter()
        .map(|entry| entry.info.file.clone())
        .collect();
    files.sort();
    files.dedup();
    let listing: Vec<Value> = files
        .iter()
        .map(|file| {
            let name = file.rsplit('/').next().unwrap_or(file);
            json!({
                "name": name,
                "path": format!("docs/api-references/video-models/{file}"),
                "type": "file",
            })
        })
        .collect();
    tagged_json(&headers, &Value::Array(listing))
}

/// The path of an absolute URL (`https://host/a/b` -> `/a/b`).
fn url_path(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let start = rest.find('/')?;
    Some(rest[start..].to_owned())
}

/// `bytedance/seedance-1-0/lite/reference-to-video` ->
/// `Seedance 1 0 Lite Reference To Video`: the id without its publisher.
fn display_name(model: &str) -> String {
    let without_publisher = model.split_once('/').map_or(model, |(_, rest)| rest);
    without_publisher
        .split(['/', '-', '_'])
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The task a model id ends with (`reference-to-video`).
fn task(model: &str) -> &str {
    model.rsplit('/').next().unwrap_or(model)
}

fn runcomfy_model(entry: &Entry, with_schema: bool) -> Value {
    let model = &entry.info.model;
    let mut body = json!({
        "model_id": model,
        "display_name": display_name(model),
        "categories": [task(model)],
        "base_price_usd": super::base_price(Vendor::RunComfy).0,
        "price_unit": super::base_price(Vendor::RunComfy).1,
        "kind": "model",
    });
    if with_schema {
        body["input_schema"] = entry.document.clone().unwrap_or(Value::Null);
    }
    body
}

async fn runcomfy_one(
    State(shared): State<Arc<Shared>>,
    Path(model): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !protocols::authorized(&headers, &shared.token) {
        return runcomfy::unauthorized();
    }
    match shared.catalog.entry(Vendor::RunComfy, &model) {
        Some(entry) => tagged_json(&headers, &runcomfy_model(&entry, true)),
        None => runcomfy::error(StatusCode::NOT_FOUND, &format!("Model not found: {model}")),
    }
}

async fn runcomfy_all(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if !protocols::authorized(&headers, &shared.token) {
        return runcomfy::unauthorized();
    }
    let search = query.get("search").map(|s| s.to_lowercase());
    let category = query.get("category").filter(|c| !c.is_empty());
    let with_schema = query.get("include_schema").is_some_and(|v| v == "true");
    let number = |key: &str| query.get(key).and_then(|v| v.parse::<usize>().ok());
    let matching: Vec<Value> = shared
        .catalog
        .entries(Vendor::RunComfy)
        .iter()
        .map(|entry| runcomfy_model(entry, with_schema))
        .filter(|model| {
            search.as_ref().is_none_or(|search| {
                ["model_id", "display_name"].iter().any(|key| {
                    model[key]
                        .as_str()
                        .is_some_and(|text| text.to_lowercase().contains(search))
                })
            })
        })
        .filter(|model| {
            category.is_none_or(|category| {
                model["categories"]
                    .as_array()
                    .is_some_and(|cs| cs.iter().any(|c| c == category.as_str()))
            })
        })
        .collect();
    let total = matching.len();
    let page: Vec<Value> = matching
        .into_iter()
        .skip(number("offset").unwrap_or(0))
        .take(number("limit").unwrap_or(usize::MAX))
        .collect();
    Json(json!({ "models": page, "total": total })).into_response()
}

async fn wavespeed_all(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !protocols::authorized(&headers, &shared.token) {
        return wavespeed::error(StatusCode::UNAUTHORIZED, "Unauthorized: invalid API key");
    }
    let data: Vec<Value> = shared
        .catalog
        .entries(Vendor::WaveSpeed)
        .iter()
        .map(|entry| {
            let model = &entry.info.model;
            json!({
                "model_id": model,
                "name": display_name(model),
                "type": task(model),
                "base_price": super::base_price(Vendor::WaveSpeed).0,
                "api_schema": { "api_schemas": [{
                    "type": "model_run",
                    "method": "POST",
                    "api_path": format!("/api/v3/{model}"),
                    "request_schema": entry.document.clone().unwrap_or(Value::Null),
                }]},
            })
        })
        .collect();
    tagged_json(
        &headers,
        &json!({ "code": 200, "message": "success", "data": data }),
    )
}

async fn aimlapi_file(
    State(shared): State<Arc<Shared>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(entry) = shared.catalog.by_file_name(Vendor::AimlApi, &file) else {
        return (StatusCode::NOT_FOUND, "404: Not Found").into_response();
    };
    let plain = HeaderValue::from_static("text/plain; charset=utf-8");
    tagged(&headers, plain, entry.info.text.to_string())
}

/// `body` with its `ETag`, or 304 with no body when the request's
/// `If-None-Match` names that tag (as the vendors' CDNs answer).
fn tagged(headers: &HeaderMap, content_type: HeaderValue, body: String) -> Response {
    let etag = etag(body.as_bytes());
    let etag_value = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\""));
    let matches = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|given| given.split(',').any(|tag| tag.trim() == etag));
    if matches {
        return (StatusCode::NOT_MODIFIED, [(ETAG, etag_value)]).into_response();
    }
    (
        StatusCode::OK,
        [(CONTENT_TYPE, content_type), (ETAG, etag_value)],
        body,
    )
        .into_response()
}

/// JSON text with its `ETag` (see [`tagged`]).
fn tagged_json(headers: &HeaderMap, value: &Value) -> Response {
    let json = HeaderValue::from_static("application/json");
    tagged(headers, json, value.to_string())
}

/// A strong ETag: the quoted FNV-1a 64-bit hash of the bytes.
pub(crate) fn etag(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{hash:016x}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths() {
        assert_eq!(
            display_name("bytedance/seedance-1-0/lite/reference-to-video"),
            "Seedance 1 0 Lite Reference To Video"
        );
        assert_eq!(
            url_path("https://model-api.runcomfy.net/v1/models/{model}").as_deref(),
            Some("/v1/models/{model}")
        );
        assert_eq!(etag(b"a"), etag(b"a"));
        assert_ne!(etag(b"a"), etag(b"b"));
    }
}
