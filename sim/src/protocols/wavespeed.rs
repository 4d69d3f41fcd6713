//! WaveSpeed AI: `POST /api/v3/{model}` and
//! `GET /api/v3/predictions/{id}/result`, both in the
//! `{"code", "message", "data"}` envelope. A failed task is HTTP 200 with
//! `data.status: "failed"`. No cancel endpoint.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use seedance_dialect::UtcTime;
use serde_json::{Value, json};

use super::Vendor;
use crate::jobs::{Phase, Snapshot};
use crate::sim::Shared;

const VENDOR: Vendor = Vendor::WaveSpeed;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v3/predictions/{id}/result", get(result))
        .route("/api/v3/{*model}", post(submit))
}

/// WaveSpeed's error body: `{"code": <status>, "message"}`.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({ "code": status.as_u16(), "message": message })),
    )
        .into_response()
}

fn data(shared: &Shared, job: &Snapshot) -> Value {
    let status = match job.phase {
        Phase::Queued { .. } => "created",
        Phase::Running => "processing",
        Phase::Succeeded => "completed",
        Phase::Failed(_) => "failed",
        Phase::Cancelled => "cancelled",
    };
    let outputs: Vec<String> = match job.phase {
        Phase::Succeeded => vec![format!("{}{}", shared.base_url, crate::video::PATH)],
        _ => Vec::new(),
    };
    let error = match &job.phase {
        Phase::Failed(message) => message.clone(),
        _ => String::new(),
    };
    let inference = match (job.phase.is_terminal(), job.finished_at) {
        (true, Some(finished)) => finished
            .duration_since(job.created_at)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        _ => 0,
    };
    json!({
        "id": job.id,
        "model": job.model,
        "outputs": outputs,
        "urls": { "get": format!("{}/api/v3/predictions/{}/result", shared.base_url, job.id) },
        "has_nsfw_contents": outputs.iter().map(|_| false).collect::<Vec<_>>(),
        "status": status,
        "created_at": UtcTime::from_system_time(job.created_at).rfc3339_millis(),
        "error": error,
        "timings": { "inference": inference },
    })
}

fn envelope(data: Value) -> Response {
    Json(json!({ "code": 200, "message": "success", "data": data })).into_response()
}

async fn submit(
    State(shared): State<Arc<Shared>>,
    Path(model): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !super::authorized(&headers, &shared.token) {
        return error(StatusCode::UNAUTHORIZED, "Unauthorized: invalid API key");
    }
    if let Err(unusable) = super::request_schema(&shared, VENDOR, &model) {
        return unusable.response(VENDOR, &model, "");
    }
    let input: Value = match serde_json::from_slice(&body) {
        Ok(input) => input,
        Err(e) => {
            return error(StatusCode::BAD_REQUEST, &format!("invalid JSON body: {e}"));
        }
    };
    match super::validate(&shared, VENDOR, &model, &input).await {
        Ok(problems) if problems.is_empty() => {}
        Ok(problems) => return error(StatusCode::BAD_REQUEST, &super::summary(&problems)),
        Err(unusable) => return unusable.response(VENDOR, &model, ""),
    }
    let id = super::hex(32);
    shared.jobs.create(&id, VENDOR, &model, shared.timing());
    let Some(job) = shared.jobs.peek(&id, VENDOR) else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "job vanished");
    };
    let mut data = data(&shared, &job);
    data["status"] = json!("created");
    envelope(data)
}

async fn result(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !super::authorized(&headers, &shared.token) {
        return error(StatusCode::UNAUTHORIZED, "Unauthorized: invalid API key");
    }
    match shared.jobs.poll(&id, VENDOR) {
        Some(job) => envelope(data(&shared, &job)),
        None => error(
            StatusCode::NOT_FOUND,
            &format!("prediction not found: {id}"),
        ),
    }
}
