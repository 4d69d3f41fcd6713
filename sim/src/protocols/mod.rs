//! The three vendor protocols, plus what they share: vendor identity, bearer
//! checks, vendor-shaped errors and input validation at submit.

pub(crate) mod aimlapi;
pub(crate) mod pricing;
pub(crate) mod runcomfy;
pub(crate) mod wavespeed;

use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode, header::AUTHORIZATION};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::schema::{self, Problem};
use crate::sim::Shared;

/// One of the simulated vendors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vendor {
    /// RunComfy Model API (`/v1/...`).
    RunComfy,
    /// AI/ML API (`/v2/...`).
    AimlApi,
    /// WaveSpeed AI (`/api/v3/...`).
    WaveSpeed,
}

impl Vendor {
    /// Every vendor.
    pub const ALL: [Vendor; 3] = [Vendor::RunComfy, Vendor::AimlApi, Vendor::WaveSpeed];

    /// The vendor id: its folder under `schemas/`.
    pub const fn id(self) -> &'static str {
        match self {
            Vendor::RunComfy => "runcomfy",
            Vendor::AimlApi => "aimlapi",
            Vendor::WaveSpeed => "wavespeed",
        }
    }

    /// The vendor whose paths `path` belongs to.
    pub fn of_path(path: &str) -> Option<Vendor> {
        if path.starts_with("/v1/") {
            Some(Vendor::RunComfy)
        } else if path.starts_with("/v2/") {
            Some(Vendor::AimlApi)
        } else if path.starts_with("/api/v3/") {
            Some(Vendor::WaveSpeed)
        } else {
            None
        }
    }
}

/// The vendor's error body for `status`; plain text outside vendor paths.
pub(crate) fn error_response(
    vendor: Option<Vendor>,
    status: StatusCode,
    message: &str,
    path: &str,
) -> Response {
    match vendor {
        Some(Vendor::RunComfy) => runcomfy::error(status, message),
        Some(Vendor::AimlApi) => aimlapi::error(status, message, path),
        Some(Vendor::WaveSpeed) => wavespeed::error(status, message),
        None => (status, message.to_owned()).into_response(),
    }
}

/// True when the request carries `Authorization: Bearer <token>`.
pub(crate) fn authorized(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        })
        .is_some_and(|given| given.trim() == token)
}

/// A random lowercase hex string of `len` digits.
pub(crate) fn hex(len: usize) -> String {
    (0..len)
        .map(|_| char::from_digit(fastrand::u32(0..16), 16).unwrap_or('0'))
        .collect()
}

/// Why a submitted model cannot be validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unusable {
    /// The catalog has no such model.
    Unknown,
    /// The catalog has its file, but the interpreter cannot read it.
    Unreadable(String),
}

impl Unusable {
    /// The vendor-shaped answer: 404 for an unknown model, 500 for a
    /// schema the simulator cannot read (the vendor's own fault).
    pub(crate) fn response(&self, vendor: Vendor, model: &str, path: &str) -> Response {
        match self {
            Unusable::Unknown => {
                // Each vendor's own wording.
                let message = match vendor {
                    Vendor::WaveSpeed => format!("model not found: {model}"),
                    Vendor::RunComfy | Vendor::AimlApi => format!("Model not found: {model}"),
                };
                error_response(Some(vendor), StatusCode::NOT_FOUND, &message, path)
            }
            Unusable::Unreadable(reason) => error_response(
                Some(vendor),
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("the schema of model {model} cannot be read: {reason}"),
                path,
            ),
        }
    }
}

/// The normalized request schema of `model` in the simulator's catalog.
pub(crate) fn request_schema(
    shared: &Shared,
    vendor: Vendor,
    model: &str,
) -> Result<Arc<crate::schema::Entry>, Unusable> {
    let entry = shared
        .catalog
        .entry(vendor, model)
        .ok_or(Unusable::Unknown)?;
    match &entry.reading {
        Ok(_) => Ok(entry),
        Err(reason) => Err(Unusable::Unreadable(format!(
            "{}#{}: {reason}",
            entry.info.file,
            reason.pointer()
        ))),
    }
}

/// Validates a submitted input against the simulator's catalog: local rules
/// first; when they all hold, the image rules, reading each image (http(s)
/// fetch or data URI).
pub(crate) async fn validate(
    shared: &Arc<Shared>,
    vendor: Vendor,
    model: &str,
    input: &Value,
) -> Result<Vec<Problem>, Unusable> {
    let entry = request_schema(shared, vendor, model)?;
    let Some(schema) = entry.schema() else {
        return Err(Unusable::Unknown);
    };
    let problems = schema::check(schema, input);
    if !problems.is_empty() {
        return Ok(problems);
    }
    let checks = schema::image_checks_in(schema, input);
    let mut problems = Vec::new();
    for check in checks {
        match crate::probe::facts(&shared.http, &check.uri).await {
            Ok(facts) => problems.extend(schema::check_image(&check.field, &facts, &check.rules)),
            Err(reason) => problems.push(Problem {
                field: check.field.clone(),
                rule: "readable".to_owned(),
                message: format!("the image could not be read: {reason}"),
            }),
        }
    }
    Ok(problems)
}

/// Problems joined into one message.
pub(crate) fn summary(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
