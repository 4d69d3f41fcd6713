//! `/sim/admin/...`: what a test in another process needs from a simulator
//! it cannot hold a handle to (`cargo run -p seedance-sim`): how many times
//! each exact submit body was POSTed, request counts per route, and knobs
//! for job timing and per-route delays.
//!
//! - `GET /sim/admin/submits`: `{"total", "requests": [{"path", "body", "count"}]}`
//! - `GET /sim/admin/counts`: `{"submit": n, "status": n, ..., "video": n, "pricing": n}`
//! - `GET /sim/admin/ledger`: what was billed, `{"tokens": {token: {"jobs",
//!   "usd_micros", "usd"}}, "total": {...}}`
//! - `POST /sim/admin/timing`: `{"queued_polls", "running_polls", "fail"?}`
//! - `POST /sim/admin/delay`: `{"route": "video", "ms": 20}` (every request)
//! - `POST /sim/admin/fault`: `{"route": "submit", "status": 429,
//!   "retry_after_secs"?: 1, "times": n}`: the next `times` requests of the
//!   route answer that status (a 429 with `Retry-After`), not processed
//! - `GET /sim/admin/demo`: the demo settings, `{"log", "job_duration_ms"
//!   (null without one), "failure_rate", "rate_limit_rate"}`, so a client
//!   can pace its polls to the simulated job duration; `POST` the same
//!   object (any of its fields) to change them

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::DemoSettings;
use crate::faults::{Route, classify};
use crate::jobs::{JobTiming, Outcome};
use crate::sim::Shared;

/// Largest submit body kept for counting.
const BODY_LIMIT: usize = 128 << 20;

/// Submit bodies seen and per-route delays of one simulator.
#[derive(Debug, Default)]
pub(crate) struct Admin {
    /// (path, exact body) -> POSTs that reached the vendor handler.
    submits: Mutex<HashMap<(String, String), u64>>,
    delays: Mutex<HashMap<Route, Duration>>,
}

impl Admin {
    /// Every submit body with its count, sorted by path then body.
    pub(crate) fn submits(&self) -> Vec<(String, String, u64)> {
        let submits = self.submits.lock().unwrap_or_else(|p| p.into_inner());
        let mut list: Vec<(String, String, u64)> = submits
            .iter()
            .map(|((path, body), count)| (path.clone(), body.clone(), *count))
            .collect();
        list.sort();
        list
    }

    fn delay(&self, route: Route) -> Option<Duration> {
        let delays = self.delays.lock().unwrap_or_else(|p| p.into_inner());
        delays.get(&route).copied()
    }
}

/// The admin routes.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/sim/admin/submits", get(submits))
        .route("/sim/admin/counts", get(counts))
        .route("/sim/admin/ledger", get(ledger))
        .route("/sim/admin/timing", post(timing))
        .route("/sim/admin/delay", post(delay))
        .route("/sim/admin/fault", post(fault))
        .route("/sim/admin/demo", get(demo).post(set_demo))
}

/// Inside the fault layer: counts submit bodies that reach the vendor
/// handler (a 429 or 5xx injected before it is not a POST that created
/// anything) and applies the route's delay.
pub(crate) async fn layer(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let Some(route) = classify(request.method(), &path) else {
        return next.run(request).await;
    };
    if let Some(delay) = shared.admin.delay(route) {
        tokio::time::sleep(delay).await;
    }
    if route != Route::Submit || request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "body too large").into_response();
    };
    {
        let mut submits = shared
            .admin
            .submits
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let key = (path, String::from_utf8_lossy(&bytes).into_owned());
        *submits.entry(key).or_default() += 1;
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

async fn submits(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let list = shared.admin.submits();
    let total: u64 = list.iter().map(|(_, _, n)| n).sum();
    let requests: Vec<Value> = list
        .into_iter()
        .map(|(path, body, count)| json!({"path": path, "body": body, "count": count}))
        .collect();
    Json(json!({"total": total, "requests": requests}))
}

const ROUTES: [(&str, Route); 9] = [
    ("submit", Route::Submit),
    ("status", Route::Status),
    ("result", Route::Result),
    ("cancel", Route::Cancel),
    ("image", Route::Image),
    ("video", Route::Video),
    ("pricing", Route::Pricing),
    ("catalog", Route::Catalog),
    ("upload", Route::Upload),
];

async fn ledger(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let entry = |billed: crate::Billed| {
        json!({
            "jobs": billed.jobs,
            "usd_micros": billed.usd_micros,
            "usd": crate::ledger::usd(billed.usd_micros),
        })
    };
    let tokens: serde_json::Map<String, Value> = shared
        .ledger
        .tokens()
        .into_iter()
        .map(|(token, billed)| (token, entry(billed)))
        .collect();
    Json(json!({"tokens": tokens, "total": entry(shared.ledger.total())}))
}

async fn counts(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let mut out = serde_json::Map::new();
    for (name, route) in ROUTES {
        out.insert(name.to_owned(), json!(shared.faults.count(route)));
    }
    Json(Value::Object(out))
}

/// Changes the demo settings the body names, keeping the others.
async fn set_demo(State(shared): State<Arc<Shared>>, Json(body): Json<Value>) -> Response {
    match demo_settings(shared.demo.get(), &body) {
        Ok(settings) => {
            shared.set_demo(settings);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(message) => bad(&message),
    }
}

fn demo_settings(mut settings: DemoSettings, body: &Value) -> Result<DemoSettings, String> {
    let probability = |name: &str| match body.get(name) {
        None => Ok(None),
        Some(value) => value
            .as_f64()
            .filter(|p| (0.0..=1.0).contains(p))
            .map(Some)
            .ok_or(format!("{name} must be a number from 0 to 1")),
    };
    if let Some(rate) = probability("failure_rate")? {
        settings.failure_rate = rate;
    }
    if let Some(rate) = probability("rate_limit_rate")? {
        settings.rate_limit_rate = rate;
    }
    if let Some(log) = body.get("log") {
        settings.log = log.as_bool().ok_or("log must be true or false")?;
    }
    match body.get("job_duration_ms") {
        None => {}
        Some(Value::Null) => settings.job_duration = None,
        Some(ms) => {
            let ms = ms
                .as_u64()
                .ok_or("job_duration_ms must be a whole number or null")?;
            settings.job_duration = Some(Duration::from_millis(ms));
        }
    }
    Ok(settings)
}

async fn demo(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let settings = shared.demo.get();
    Json(json!({
        "log": settings.log,
        "job_duration_ms": settings
            .job_duration
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        "failure_rate": settings.failure_rate,
        "rate_limit_rate": settings.rate_limit_rate,
    }))
}

fn bad(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, message.to_owned()).into_response()
}

async fn timing(State(shared): State<Arc<Shared>>, Json(body): Json<Value>) -> Response {
    let polls = |name: &str| {
        body.get(name)
            .and_then(Value::as_u64)
            .map(|n| u32::try_from(n).unwrap_or(JobTiming::FOREVER))
    };
    let (Some(queued_polls), Some(running_polls)) = (polls("queued_polls"), polls("running_polls"))
    else {
        return bad("expected {\"queued_polls\": n, \"running_polls\": n, \"fail\"?: \"message\"}");
    };
    let outcome = match body.get("fail").and_then(Value::as_str) {
        Some(message) => Outcome::Fail {
            message: message.to_owned(),
        },
        None => Outcome::Succeed,
    };
    *shared.timing.lock().unwrap_or_else(|p| p.into_inner()) = JobTiming {
        queued_polls,
        running_polls,
        outcome,
    };
    StatusCode::NO_CONTENT.into_response()
}

async fn delay(State(shared): State<Arc<Shared>>, Json(body): Json<Value>) -> Response {
    let route = body
        .get("route")
        .and_then(Value::as_str)
        .and_then(|name| ROUTES.iter().find(|(n, _)| *n == name).map(|(_, r)| *r));
    let (Some(route), Some(ms)) = (route, body.get("ms").and_then(Value::as_u64)) else {
        return bad("expected {\"route\": \"submit|status|result|cancel|image|video\", \"ms\": n}");
    };
    let mut delays = shared
        .admin
        .delays
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if ms == 0 {
        delays.remove(&route);
    } else {
        delays.insert(route, Duration::from_millis(ms));
    }
    StatusCode::NO_CONTENT.into_response()
}

/// Queues an error answer for the next requests of a route (see the
/// module docs).
async fn fault(State(shared): State<Arc<Shared>>, Json(body): Json<Value>) -> Response {
    let route = body
        .get("route")
        .and_then(Value::as_str)
        .and_then(|name| ROUTES.iter().find(|(n, _)| *n == name).map(|(_, r)| *r));
    let status = body
        .get("status")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok());
    let times = body
        .get("times")
        .and_then(Value::as_u64)
        .and_then(|t| u32::try_from(t).ok());
    let (Some(route), Some(status), Some(times)) = (route, status, times) else {
        return bad("expected {\"route\": \"submit|...\", \"status\": 429, \"times\": n}");
    };
    let fault = match status {
        429 => crate::Fault::TooManyRequests {
            retry_after_secs: body
                .get("retry_after_secs")
                .and_then(Value::as_u64)
                .unwrap_or(1),
        },
        other => crate::Fault::Status(other),
    };
    shared.faults.inject(route, fault, times);
    StatusCode::NO_CONTENT.into_response()
}
