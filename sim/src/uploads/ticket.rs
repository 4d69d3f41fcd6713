//! The official SDK's two-step upload (`wavespeed` 2.0.5, `Client.upload`):
//! `POST /api/v3/media/uploads` (bearer) with `{"filename", "size",
//! "content_type"?}` answers a ticket, `{"code": 200, "message": "success",
//! "data": {"upload": {"method": "PUT", "url", "headers"}, "download_url"}}`;
//! the client PUTs the bytes to `upload.url` with `upload.headers` and no
//! bearer (a presigned storage URL), then uses `download_url`.
//!
//! Here the PUT URL is the file's own URL on the simulator plus a
//! `signature` query, checked as storage checks a presigned URL: a wrong
//! signature or a content type other than the signed one is refused (403),
//! and so is a body of another size than the ticket declared (400). Until
//! the PUT, the download URL answers 404. A ticket may be PUT again (the
//! file is replaced), as a presigned URL may until it expires.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use serde_json::{Value, json};

use super::{Upload, file_path, multipart};
use crate::protocols::{self, wavespeed};
use crate::sim::Shared;

/// Where tickets are asked for.
pub(super) const PATH: &str = "/api/v3/media/uploads";

/// A ticket: what its PUT must match.
#[derive(Debug, Clone)]
pub(super) struct Ticket {
    /// The file name, as it appears in the URL.
    name: String,
    content_type: Option<String>,
    size: Option<u64>,
    signature: String,
}

/// `POST /api/v3/media/uploads`.
pub(super) async fn create(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !protocols::authorized(&headers, &shared.token) {
        return wavespeed::error(StatusCode::UNAUTHORIZED, "Unauthorized: invalid API key");
    }
    let ticket = match parse(&body) {
        Ok(ticket) => ticket,
        Err(message) => return wavespeed::error(StatusCode::BAD_REQUEST, &message),
    };
    let id = protocols::hex(24);
    let path = file_path(&id, &ticket.name);
    let put_headers = match &ticket.content_type {
        Some(content_type) => json!({ "Content-Type": content_type }),
        None => json!({}),
    };
    let answer = json!({
        "code": 200,
        "message": "success",
        "data": {
            "upload": {
                "method": "PUT",
                "url": format!("{}{path}?signature={}", shared.base_url, ticket.signature),
                "headers": put_headers,
            },
            "download_url": format!("{}{path}", shared.base_url),
        },
    });
    shared
        .uploads
        .tickets
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id, ticket);
    Json(answer).into_response()
}

/// The ticket a request body asks for, or why it is refused.
fn parse(body: &[u8]) -> Result<Ticket, String> {
    let request: Value =
        serde_json::from_slice(body).map_err(|e| format!("invalid JSON body: {e}"))?;
    let name = request
        .get("filename")
        .and_then(Value::as_str)
        .filter(|name| !name.is_empty())
        .ok_or("filename is required")?;
    let size = match request.get("size") {
        None | Some(Value::Null) => None,
        Some(size) => Some(
            size.as_u64()
                .ok_or("size must be a whole number of bytes")?,
        ),
    };
    let content_type = match request.get("content_type") {
        None | Some(Value::Null) => None,
        Some(kind) => Some(
            kind.as_str()
                .ok_or("content_type must be a string")?
                .to_owned(),
        ),
    };
    Ok(Ticket {
        name: multipart::safe_name(name),
        content_type,
        size,
        signature: protocols::hex(32),
    })
}

/// `PUT /sim/uploads/{id}/{name}?signature=...`: the bytes of a ticket.
pub(super) async fn put(
    State(shared): State<Arc<Shared>>,
    Path((id, name)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ticket = shared
        .uploads
        .tickets
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&id)
        .cloned();
    let sent_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    let checked = ticket
        .ok_or((
            StatusCode::FORBIDDEN,
            "no upload ticket for this URL".to_owned(),
        ))
        .and_then(|ticket| check(ticket, &name, &query, sent_type, body.len() as u64));
    let ticket = match checked {
        Ok(ticket) => ticket,
        Err(refusal) => return refusal.into_response(),
    };
    let mime = ticket
        .content_type
        .or_else(|| sent_type.map(str::to_owned))
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    shared.uploads.store(id, Upload { mime, bytes: body });
    StatusCode::OK.into_response()
}

/// What storage checks of a presigned PUT.
fn check(
    ticket: Ticket,
    name: &str,
    query: &HashMap<String, String>,
    sent_type: Option<&str>,
    len: u64,
) -> Result<Ticket, (StatusCode, String)> {
    let forbidden = |message: &str| Err((StatusCode::FORBIDDEN, message.to_owned()));
    if name != ticket.name || query.get("signature") != Some(&ticket.signature) {
        return forbidden("the signature does not match this URL");
    }
    if ticket.content_type.is_some() && ticket.content_type.as_deref() != sent_type {
        return forbidden("the Content-Type is not the one the URL was signed for");
    }
    if let Some(size) = ticket.size.filter(|size| *size != len) {
        return Err((
            StatusCode::BAD_REQUEST,
            format!("the body is {len} bytes; the ticket declared {size}"),
        ));
    }
    Ok(ticket)
}
