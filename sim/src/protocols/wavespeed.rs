//! WaveSpeed AI: `POST /api/v3/{model}` and
//! `GET /api/v3/predictions/{id}/result`, both in the
//! `{"code", "message", "data"}` envelope. A failed task is HTTP 200 with
//! `data.status: "failed"`. No cancel endpoint.
//!
//! Sync mode (`"enable_sync_mode": true` in the body) holds the submit
//! answer until the task ends and answers the finished task, as the result
//! endpoint would; past the simulator's sync timeout
//! ([`crate::Sim::set_sync_timeout`]) it answers the task as it stands with
//! `data.code: 5004` and a `data.error` starting "Sync mode timed out", HTTP
//! 200, and the task goes on. That is the answer the official Python SDK
//! (`wavespeed` 2.0.5, `Client._format_sync_mode_error`) recognises; it
//! refuses any submit answer but HTTP 200.

use std::sync::Arc;
use std::time::Duration;

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

/// How often a sync-mode submit looks at its task: the simulator's jobs
/// advance one step per look (as per poll) or with the demo clock.
const SYNC_STEP: Duration = Duration::from_millis(10);

/// WaveSpeed's task error code for a sync-mode timeout.
const SYNC_TIMEOUT_CODE: u16 = 5004;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v3/predictions/{id}/result", get(result))
        .route(super::pricing::PATH, post(super::pricing::quote))
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
    shared.bill(VENDOR, &id, &input);
    if input.get("enable_sync_mode") == Some(&Value::Bool(true)) {
        return sync_answer(&shared, &id).await;
    }
    let Some(job) = shared.jobs.peek(&id, VENDOR) else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "job vanished");
    };
    let mut data = data(&shared, &job);
    data["status"] = json!("created");
    envelope(data)
}

/// Sync mode: waits for the task to end (advancing it as polls would), up
/// to the simulator's sync timeout.
async fn sync_answer(shared: &Shared, id: &str) -> Response {
    let timeout = shared.sync_timeout();
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let Some(job) = shared.jobs.poll(id, VENDOR) else {
            return error(StatusCode::INTERNAL_SERVER_ERROR, "job vanished");
        };
        if job.phase.is_terminal() {
            return envelope(data(shared, &job));
        }
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            return envelope(timed_out(shared, &job, timeout));
        }
        tokio::time::sleep(SYNC_STEP.min(left)).await;
    }
}

/// The task, still running, marked as a sync-mode timeout.
fn timed_out(shared: &Shared, job: &Snapshot, timeout: Duration) -> Value {
    let mut data = data(shared, job);
    data["code"] = json!(SYNC_TIMEOUT_CODE);
    data["error"] = json!(format!(
        "Sync mode timed out after {} ms; the task continues: GET {} for its result",
        timeout.as_millis(),
        data["urls"]["get"].as_str().unwrap_or_default()
    ));
    data
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
