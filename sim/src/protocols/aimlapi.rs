//! AI/ML API: submit and poll share one path (the model id travels in the
//! body): the path each model's OpenAPI document names (the universal
//! `/v2/video/generations`, the vendor's standard), or the older
//! model-family path [`LEGACY_PATH`], which reaches the same jobs. Paths are
//! taken from the catalog at each request, so a document naming a new path
//! gets a route with no code change. No cancel endpoint (404).
//!
//! Every answer about a job reports its cost as the vendor documents it:
//! `meta.usage.credits_used` and `usd_spent` in the body (the OpenAPI
//! documents' response schema) and the headers `x-aimlapi-credits-used` and
//! `x-aimlapi-usd-spent`. The cost is what the simulator's ledger billed the
//! job (its price table, per 5 s of video), in credits at the rate of the
//! documents' own example (120,000 credits for $0.06).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::Vendor;
use crate::jobs::Phase;
use crate::schema::Problem;
use crate::sim::Shared;

const VENDOR: Vendor = Vendor::AimlApi;

/// Credits per US dollar, from the documents' example usage (120,000
/// credits, $0.06).
const CREDITS_PER_USD: f64 = 2_000_000.0;

/// The model-family path the Seedance pages documented first (its submit
/// answers 201; the documents' paths answer 200).
pub(crate) const LEGACY_PATH: &str = "/v2/generate/video/bytedance/generation";

/// Every `/v2/` path; [`served`] says which exist.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/v2/{*path}", get(poll).post(submit))
}

/// True for a submit-and-poll path: the legacy one or one a document names.
fn served(shared: &Shared, path: &str) -> bool {
    path == LEGACY_PATH || shared.catalog.submit_paths(VENDOR).contains(path)
}

fn no_route(method: &str, path: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        &format!("Cannot {method} {path}"),
        path,
    )
}

/// AI/ML API's error body; `statusCode` is a string.
pub(crate) fn error(status: StatusCode, message: &str, path: &str) -> Response {
    (
        status,
        Json(json!({
            "message": message,
            "path": path,
            "requestId": format!(
                "{}-{}-{}-{}-{}",
                super::hex(8),
                super::hex(4),
                super::hex(4),
                super::hex(4),
                super::hex(12)
            ),
            "statusCode": status.as_u16().to_string(),
            "timestamp": seedance_dialect::UtcTime::now().rfc3339_millis(),
        })),
    )
        .into_response()
}

fn validation_error(problems: &[Problem], path: &str) -> Response {
    error(StatusCode::BAD_REQUEST, &super::summary(problems), path)
}

async fn submit(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
    if !served(&shared, path) {
        return no_route("POST", path);
    }
    if !super::authorized(&headers, &shared.token) {
        return error(StatusCode::UNAUTHORIZED, "Invalid API key", path);
    }
    let input: Value = match serde_json::from_slice(&body) {
        Ok(input) => input,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("Body is not valid JSON: {e}"),
                path,
            );
        }
    };
    let Some(model) = input.get("model").and_then(Value::as_str) else {
        return validation_error(
            &[Problem {
                field: "model".to_owned(),
                rule: "required".to_owned(),
                message: "is required".to_owned(),
            }],
            path,
        );
    };
    let model = model.to_owned();
    match super::validate(&shared, VENDOR, &model, &input).await {
        Ok(problems) if problems.is_empty() => {}
        Ok(problems) => return validation_error(&problems, path),
        Err(unusable) => return unusable.response(VENDOR, &model, path),
    }
    let id = format!(
        "cgt-{}-{}",
        fastrand::u64(1_000_000_000..10_000_000_000),
        super::hex(8)
    );
    shared.jobs.create(&id, VENDOR, &model, shared.timing());
    shared.bill(VENDOR, &id, &input);
    let status = if path == LEGACY_PATH {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let billed = shared.ledger.of_job(&id);
    let answer = json!({ "id": id, "status": "queued", "meta": meta(billed) });
    with_cost((status, Json(answer)).into_response(), billed)
}

/// The `meta` of an answer about a job: its usage (what the ledger billed
/// it; none for a job the ledger does not know).
fn meta(billed: Option<u64>) -> Value {
    match billed {
        Some(micros) => json!({ "usage": {
            "credits_used": credits_used(micros),
            "usd_spent": crate::ledger::usd(micros),
        } }),
        None => Value::Null,
    }
}

fn credits_used(micros: u64) -> u64 {
    (crate::ledger::usd(micros) * CREDITS_PER_USD).round() as u64
}

/// Adds the cost headers to an answer about a job.
fn with_cost(mut response: Response, billed: Option<u64>) -> Response {
    let Some(micros) = billed else {
        return response;
    };
    let headers = response.headers_mut();
    headers.insert(
        "x-aimlapi-credits-used",
        HeaderValue::from(credits_used(micros)),
    );
    if let Ok(usd) = HeaderValue::from_str(&crate::ledger::usd(micros).to_string()) {
        headers.insert("x-aimlapi-usd-spent", usd);
    }
    response
}

async fn poll(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let path = uri.path();
    if !served(&shared, path) {
        return no_route("GET", path);
    }
    if !super::authorized(&headers, &shared.token) {
        return error(StatusCode::UNAUTHORIZED, "Invalid API key", path);
    }
    let Some(id) = query.get("generation_id").filter(|id| !id.is_empty()) else {
        return error(StatusCode::BAD_REQUEST, "generation_id: is required", path);
    };
    let Some(job) = shared.jobs.poll(id, VENDOR) else {
        return error(
            StatusCode::NOT_FOUND,
            &format!("Generation not found: {id}"),
            path,
        );
    };
    let status = match &job.phase {
        Phase::Queued { .. } => "queued",
        Phase::Running => "generating",
        Phase::Succeeded => "completed",
        Phase::Failed(_) | Phase::Cancelled => "error",
    };
    let video = match job.phase {
        Phase::Succeeded => json!({
            "url": format!("{}{}", shared.base_url, crate::video::PATH),
            "duration": 5,
        }),
        _ => Value::Null,
    };
    let error_value = match &job.phase {
        Phase::Failed(message) => json!({ "name": "GenerationError", "message": message }),
        Phase::Cancelled => json!({ "name": "GenerationError", "message": "cancelled" }),
        _ => Value::Null,
    };
    let billed = shared.ledger.of_job(&job.id);
    with_cost(
        Json(json!({
            "id": job.id,
            "status": status,
            "video": video,
            "error": error_value,
            "meta": meta(billed),
        }))
        .into_response(),
        billed,
    )
}
