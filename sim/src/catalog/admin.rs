//! Changing the catalog of a simulator that runs as its own process (the
//! `seedance-sim` binary, `seedance sim`), the HTTP twin of [`super::Catalog`]:
//!
//! - `GET /sim/catalog`: `{"<vendor id>": ["<model id>", ...], ...}`;
//! - `PUT /sim/catalog/{vendor}/{model id}` with the schema file's JSON as
//!   body: adds or replaces it (200 `{"vendor", "model", "file"}`);
//! - `DELETE /sim/catalog/{vendor}/{model id}`: 204, or 404 when unknown;
//! - `POST /sim/catalog/reset`: back to the embedded schemas (204).
//!
//! Errors are `{"error": "..."}` with 400 or 404. No token: like the test
//! images, these are the simulator's own routes.
//!
//! A model added here is a model like the embedded ones: the vendor's submit
//! route takes it, validated by the interpreter against the added schema,
//! and its job is polled and fetched to the video as any other. Its id must
//! be plain (`super::is_plain_model_id`: ASCII letters, digits, `.`, `-`,
//! `_`, no segment starting with `.`), checked after percent-decoding, and a
//! PUT with a query string is refused: `acme/x?y` is not silently `acme/x`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post, put};
use serde_json::{Map, Value, json};

use crate::protocols::Vendor;
use crate::sim::Shared;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/sim/catalog", get(list))
        .route("/sim/catalog/reset", post(reset))
        .route("/sim/catalog/{vendor}/{*model}", put(set).delete(remove))
}

fn fail(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

fn vendor(id: &str) -> Option<Vendor> {
    Vendor::ALL.into_iter().find(|vendor| vendor.id() == id)
}

fn unknown_vendor(id: &str) -> Response {
    fail(StatusCode::NOT_FOUND, &format!("unknown vendor {id:?}"))
}

async fn list(State(shared): State<Arc<Shared>>) -> Response {
    let mut out = Map::new();
    for vendor in Vendor::ALL {
        out.insert(vendor.id().to_owned(), json!(shared.catalog.models(vendor)));
    }
    Json(Value::Object(out)).into_response()
}

async fn reset(State(shared): State<Arc<Shared>>) -> Response {
    shared.catalog.reset();
    StatusCode::NO_CONTENT.into_response()
}

async fn set(
    State(shared): State<Arc<Shared>>,
    Path((vendor_id, model)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let Some(vendor) = vendor(&vendor_id) else {
        return unknown_vendor(&vendor_id);
    };
    if let Some(query) = query {
        return fail(
            StatusCode::BAD_REQUEST,
            &format!(
                "invalid model id {:?}: a model id has no query",
                format!("{model}?{query}")
            ),
        );
    }
    if !super::is_plain_model_id(&model) {
        return fail(
            StatusCode::BAD_REQUEST,
            &format!(
                "invalid model id {model:?}: expected `/`-separated segments of ASCII letters, \
                 digits, `.`, `-` and `_`, none empty or starting with `.`"
            ),
        );
    }
    let schema: Value = match serde_json::from_slice(&body) {
        Ok(schema) => schema,
        Err(e) => return fail(StatusCode::BAD_REQUEST, &format!("body is not JSON: {e}")),
    };
    match shared.catalog.set_schema(vendor, &model, schema) {
        Ok(file) => {
            Json(json!({ "vendor": vendor_id, "model": model, "file": file })).into_response()
        }
        Err(e) => fail(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

async fn remove(
    State(shared): State<Arc<Shared>>,
    Path((vendor_id, model)): Path<(String, String)>,
) -> Response {
    let Some(vendor) = vendor(&vendor_id) else {
        return unknown_vendor(&vendor_id);
    };
    if shared.catalog.remove(vendor, &model) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        fail(StatusCode::NOT_FOUND, &format!("unknown model {model:?}"))
    }
}
