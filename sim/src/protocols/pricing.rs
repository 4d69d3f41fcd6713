//! WaveSpeed's free price quote: `POST /api/v3/model/pricing` with
//! `{"model_id", "inputs"}` answers `{"code": 200, "message": "success",
//! "data": {"model_id", "unit_price", "currency", "inputs"}}`, the price of
//! a job with exactly those inputs, from the simulator's price table. No
//! job is created and nothing is billed.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use serde_json::{Value, json};

use super::{Vendor, wavespeed};
use crate::sim::Shared;

/// The route.
pub(crate) const PATH: &str = "/api/v3/model/pricing";

/// Answers a quote for `{"model_id", "inputs"}`.
pub(crate) async fn quote(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !super::authorized(&headers, &shared.token) {
        return wavespeed::error(StatusCode::UNAUTHORIZED, "Unauthorized: invalid API key");
    }
    let request: Value = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => {
            return wavespeed::error(StatusCode::BAD_REQUEST, &format!("invalid JSON body: {e}"));
        }
    };
    let Some(model) = request.get("model_id").and_then(Value::as_str) else {
        return wavespeed::error(StatusCode::BAD_REQUEST, "model_id is required");
    };
    let inputs = request.get("inputs").cloned().unwrap_or_else(|| json!({}));
    if !inputs.is_object() {
        return wavespeed::error(StatusCode::BAD_REQUEST, "inputs must be an object");
    }
    if let Err(unusable) = super::request_schema(&shared, Vendor::WaveSpeed, model) {
        return unusable.response(Vendor::WaveSpeed, model, PATH);
    }
    let micros = crate::ledger::price_micros(Vendor::WaveSpeed, &inputs);
    Json(json!({
        "code": 200,
        "message": "success",
        "data": {
            "model_id": model,
            "unit_price": crate::ledger::usd(micros),
            "currency": "USD",
            "inputs": inputs,
        },
    }))
    .into_response()
}
