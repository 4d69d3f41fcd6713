//! WaveSpeed's media uploads, both flows:
//! - binary (its documents): `POST /api/v3/media/upload/binary` (bearer),
//!   multipart field `file`, answering `{"code": 200, "message": "success",
//!   "data": {"download_url"}}`;
//! - ticket (the official SDK's newer flow, [`ticket`]): `POST
//!   /api/v3/media/uploads`, then a PUT of the bytes to the ticket's URL.
//!
//! Uploaded files are kept in memory for the simulator's life and served at
//! `/sim/uploads/{id}/{name}` with Range support, so the runtime's prober
//! and the simulator's own image checks read them like any image URL.

mod multipart;
mod ticket;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::header::{ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, RANGE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::images::serve::{ByteRange, parse_range};
use crate::protocols::{self, wavespeed};
use crate::sim::Shared;

/// The binary upload path (the vendor's documents).
pub(crate) const PATH: &str = "/api/v3/media/upload/binary";

/// The ticket path (the official SDK's `upload`).
pub(crate) const TICKET_PATH: &str = ticket::PATH;

/// Where uploaded files are served (and a ticket's PUT goes).
const FILES: &str = "/sim/uploads";

/// One uploaded file.
#[derive(Debug, Clone)]
struct Upload {
    mime: String,
    bytes: Bytes,
}

/// Every file uploaded to one simulator, by id, and the tickets whose PUT
/// is awaited or may be repeated.
#[derive(Debug, Default)]
pub(crate) struct Uploads {
    files: Mutex<HashMap<String, Upload>>,
    tickets: Mutex<HashMap<String, ticket::Ticket>>,
}

impl Uploads {
    fn store(&self, id: String, upload: Upload) {
        self.files
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, upload);
    }

    fn file(&self, id: &str) -> Option<Upload> {
        self.files
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
    }
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(PATH, post(upload))
        .route(TICKET_PATH, post(ticket::create))
        .route(
            &format!("{FILES}/{{id}}/{{name}}"),
            get(serve).put(ticket::put),
        )
}

/// The path of file `id` named `name` (a name safe in a URL).
fn file_path(id: &str, name: &str) -> String {
    format!("{FILES}/{id}/{}", multipart::safe_name(name))
}

async fn upload(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    if !protocols::authorized(&headers, &shared.token) {
        return wavespeed::error(StatusCode::UNAUTHORIZED, "Unauthorized: invalid API key");
    }
    let boundary = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(multipart::boundary);
    let Some(boundary) = boundary else {
        return wavespeed::error(
            StatusCode::BAD_REQUEST,
            "expected a multipart/form-data body with a boundary",
        );
    };
    let Some(part) = multipart::file_part(&body, &boundary) else {
        return wavespeed::error(StatusCode::BAD_REQUEST, "no multipart field named file");
    };
    let id = protocols::hex(24);
    let url = format!(
        "{}{}",
        shared.base_url,
        file_path(&id, part.filename.as_deref().unwrap_or("file"))
    );
    let upload = Upload {
        mime: part
            .content_type
            .unwrap_or_else(|| "application/octet-stream".to_owned()),
        bytes: part.bytes,
    };
    shared.uploads.store(id, upload);
    Json(json!({ "code": 200, "message": "success", "data": { "type": "binary", "download_url": url } }))
        .into_response()
}

async fn serve(
    State(shared): State<Arc<Shared>>,
    Path((id, _name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Some(file) = shared.uploads.file(&id) else {
        return (StatusCode::NOT_FOUND, "no such upload").into_response();
    };
    let total = file.bytes.len() as u64;
    let range = parse_range(
        headers.get(RANGE).and_then(|value| value.to_str().ok()),
        total,
    );
    let builder = axum::http::Response::builder()
        .header(CONTENT_TYPE, file.mime)
        .header(ACCEPT_RANGES, "bytes");
    let response = match range {
        ByteRange::Full => builder
            .status(StatusCode::OK)
            .header(CONTENT_LENGTH, total)
            .body(Body::from(file.bytes)),
        ByteRange::Part(start, end) => builder
            .status(StatusCode::PARTIAL_CONTENT)
            .header(CONTENT_LENGTH, end + 1 - start)
            .header(CONTENT_RANGE, format!("bytes {start}-{end}/{total}"))
            .body(Body::from(
                file.bytes.slice(start as usize..end as usize + 1),
            )),
        ByteRange::Unsatisfiable => builder
            .status(StatusCode::RANGE_NOT_SATISFIABLE)
            .header(CONTENT_RANGE, format!("bytes */{total}"))
            .body(Body::empty()),
    };
    response.unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
