//! RunComfy Model API: `POST /v1/models/{model}`, then
//! `/v1/requests/{id}/status|result|cancel`.

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
use crate::jobs::{CancelOutcome, Phase, Snapshot};
use crate::schema::Problem;
use crate::sim::Shared;

const VENDOR: Vendor = Vendor::RunComfy;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1/models/{*model}", post(submit))
        .route("/v1/requests/{id}/status", get(status))
        .route("/v1/requests/{id}/result", get(result))
        .route("/v1/requests/{id}/cancel", post(cancel))
}

/// RunComfy's error body: `error_code` is the HTTP status followed by `001`,
/// except a bad token (`400004`, as the vendor answers).
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    let code = if status == StatusCode::UNAUTHORIZED {
        400_004
    } else {
        u32::from(status.as_u16()) * 1000 + 1
    };
    (
        status,
        Json(json!({ "error_code": code, "error_message": message })),
    )
        .into_response()
}

pub(crate) fn unauthorized() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "Invalid or missing API token (user account error)",
    )
}

fn validation_error(problems: &[Problem]) -> Response {
    let detail: Vec<Value> = problems
        .iter()
        .map(|problem| {
            json!({
                "loc": location(&problem.field),
                "msg": problem.message,
                "type": problem.rule,
            })
        })
        .collect();
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({
            "error_code": 422_001,
            "error_message": format!("Validation error: {}", super::summary(problems)),
            "detail": detail,
        })),
    )
        .into_response()
}

/// `images[2]` -> `["body", "images", 2]`; `a.b` -> `["body", "a", "b"]`.
fn location(field: &str) -> Vec<Value> {
    let mut loc = vec![Value::from("body")];
    for part in field.split('.').filter(|part| !part.is_empty()) {
        let mut pieces = part.split('[');
        if let Some(name) = pieces.next() {
            loc.push(Value::from(name));
        }
        for index in pieces {
            let index = index.trim_end_matches(']');
            loc.push(
                index
                    .parse::<u64>()
                    .map_or_else(|_| Value::from(index), Value::from),
            );
        }
    }
    loc
}

fn urls(shared: &Shared, id: &str) -> (String, String, String) {
    let base = format!("{}/v1/requests/{id}", shared.base_url);
    (
        format!("{base}/status"),
        format!("{base}/result"),
        format!("{base}/cancel"),
    )
}

async fn submit(
    State(shared): State<Arc<Shared>>,
    Path(model): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !super::authorized(&headers, &shared.token) {
        return unauthorized();
    }
    if let Err(unusable) = super::request_schema(&shared, VENDOR, &model) {
        return unusable.response(VENDOR, &model, "");
    }
    let input: Value = match serde_json::from_slice(&body) {
        Ok(input) => input,
        Err(e) => {
            return validation_error(&[Problem {
                field: String::new(),
                rule: "json".to_owned(),
                message: format!("body is not valid JSON: {e}"),
            }]);
        }
    };
    match super::validate(&shared, VENDOR, &model, &input).await {
        Ok(problems) if problems.is_empty() => {}
        Ok(problems) => return validation_error(&problems),
        Err(unusable) => return unusable.response(VENDOR, &model, ""),
    }
    let id = format!(
        "{}-{}-{}-{}-{}",
        super::hex(8),
        super::hex(4),
        super::hex(4),
        super::hex(4),
        super::hex(12)
    );
    shared.jobs.create(&id, VENDOR, &model, shared.timing());
    shared.bill(VENDOR, &id, &input);
    let (status_url, result_url, cancel_url) = urls(&shared, &id);
    Json(json!({
        "request_id": id,
        "status_url": status_url,
        "result_url": result_url,
        "cancel_url": cancel_url,
    }))
    .into_response()
}

fn not_found(id: &str) -> Response {
    error(StatusCode::NOT_FOUND, &format!("Request not found: {id}"))
}

/// The status word of `/status` (`completed` on success).
fn status_word(phase: &Phase) -> &'static str {
    match phase {
        Phase::Queued { .. } => "in_queue",
        Phase::Running => "in_progress",
        Phase::Succeeded => "completed",
        Phase::Failed(_) => "failed",
        Phase::Cancelled => "cancelled",
    }
}

async fn status(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !super::authorized(&headers, &shared.token) {
        return unauthorized();
    }
    let Some(job) = shared.jobs.poll(&id, VENDOR) else {
        return not_found(&id);
    };
    let (status_url, result_url, _) = urls(&shared, &id);
    let mut body = json!({
        "request_id": job.id,
        "status": status_word(&job.phase),
        "status_url": status_url,
        "result_url": result_url,
    });
    if let Phase::Queued { position } = job.phase {
        body["queue_position"] = json!(position);
    }
    Json(body).into_response()
}

fn result_body(shared: &Shared, job: &Snapshot) -> Value {
    let status = match job.phase {
        Phase::Succeeded => "succeeded",
        ref phase => status_word(phase),
    };
    let mut body = json!({
        "request_id": job.id,
        "status": status,
        "created_at": UtcTime::from_system_time(job.created_at).rfc3339_millis(),
    });
    if let Some(finished) = job.finished_at {
        body["finished_at"] = json!(UtcTime::from_system_time(finished).rfc3339_millis());
    }
    match &job.phase {
        Phase::Succeeded => {
            body["output"] =
                json!({ "video": format!("{}{}", shared.base_url, crate::video::PATH) });
        }
        Phase::Failed(message) => body["error"] = json!(message),
        _ => {}
    }
    body
}

async fn result(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !super::authorized(&headers, &shared.token) {
        return unauthorized();
    }
    let Some(job) = shared.jobs.poll(&id, VENDOR) else {
        return not_found(&id);
    };
    Json(result_body(&shared, &job)).into_response()
}

async fn cancel(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !super::authorized(&headers, &shared.token) {
        return unauthorized();
    }
    let Some((outcome, job)) = shared.jobs.cancel(&id, VENDOR) else {
        return not_found(&id);
    };
    let outcome = match outcome {
        CancelOutcome::Cancelled => "cancelled",
        CancelOutcome::NotCancellable => "not_cancellable",
    };
    (
        StatusCode::ACCEPTED,
        Json(json!({
            "request_id": job.id,
            "status": status_word(&job.phase),
            "outcome": outcome,
        })),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations() {
        assert_eq!(
            location("images[2]"),
            vec![json!("body"), json!("images"), json!(2)]
        );
        assert_eq!(location(""), vec![json!("body")]);
    }
}
