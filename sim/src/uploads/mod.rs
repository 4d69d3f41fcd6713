//! WaveSpeed's media upload, as its documents describe it:
//! `POST /api/v3/media/upload/binary` (bearer), multipart field `file`,
//! answering `{"code": 200, "message": "success", "data": {"download_url"}}`.
//! Uploaded files are kept in memory for the simulator's life and served at
//! `/sim/uploads/{id}/{name}` with Range support, so the runtime's prober
//! and the simulator's own image checks read them like any image URL.

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

/// The upload path (the official SDK's binary flow).
pub(crate) const PATH: &str = "/api/v3/media/upload/binary";

/// One uploaded file.
#[derive(Debug, Clone)]
struct Upload {
    mime: String,
    bytes: Bytes,
}

/// Every file uploaded to one simulator, by id.
#[derive(Debug, Default)]
pub(crate) struct Uploads {
    files: Mutex<HashMap<String, Upload>>,
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(PATH, post(upload))
        .route("/sim/uploads/{id}/{name}", get(serve))
}

async fn upload(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    if !protocols::authorized(&headers, &shared.token) {
        return wavespeed::error(StatusCode::UNAUTHORIZED, "Unauthorized: invalid API key");
    }
    let boundary = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(boundary);
    let Some(boundary) = boundary else {
        return wavespeed::error(
            StatusCode::BAD_REQUEST,
            "expected a multipart/form-data body with a boundary",
        );
    };
    let Some(part) = file_part(&body, &boundary) else {
        return wavespeed::error(StatusCode::BAD_REQUEST, "no multipart field named file");
    };
    let id = protocols::hex(24);
    let name = safe_name(part.filename.as_deref().unwrap_or("file"));
    let url = format!("{}/sim/uploads/{id}/{name}", shared.base_url);
    let upload = Upload {
        mime: part
            .content_type
            .unwrap_or_else(|| "application/octet-stream".to_owned()),
        bytes: part.bytes,
    };
    shared
        .uploads
        .files
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id, upload);
    Json(json!({ "code": 200, "message": "success", "data": { "type": "binary", "download_url": url } }))
        .into_response()
}

async fn serve(
    State(shared): State<Arc<Shared>>,
    Path((id, _name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let found = shared
        .uploads
        .files
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&id)
        .cloned();
    let Some(file) = found else {
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

/// The `boundary` parameter of a `multipart/form-data` content type.
fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// The part named `file`.
#[derive(Debug)]
struct Part {
    filename: Option<String>,
    content_type: Option<String>,
    bytes: Bytes,
}

fn file_part(body: &Bytes, boundary: &str) -> Option<Part> {
    let delimiter = format!("--{boundary}");
    let mut rest = &body[..];
    loop {
        let start = find(rest, delimiter.as_bytes())?;
        rest = &rest[start + delimiter.len()..];
        if rest.starts_with(b"--") {
            return None;
        }
        let rest_start = body.len() - rest.len();
        let head_end = find(rest, b"\r\n\r\n")?;
        let head = std::str::from_utf8(&rest[..head_end]).ok()?;
        let content = &rest[head_end + 4..];
        let end = find(content, format!("\r\n{delimiter}").as_bytes())?;
        let mut name = None;
        let mut filename = None;
        let mut content_type = None;
        for line in head.lines() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            if key.trim().eq_ignore_ascii_case("content-disposition") {
                name = param(value, "name");
                filename = param(value, "filename");
            } else if key.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(value.trim().to_owned());
            }
        }
        if name.as_deref() == Some("file") {
            let offset = rest_start + head_end + 4;
            return Some(Part {
                filename,
                content_type,
                bytes: body.slice(offset..offset + end),
            });
        }
        rest = &content[end..];
    }
}

/// `key="value"` in a header's parameters.
fn param(header: &str, key: &str) -> Option<String> {
    header.split(';').find_map(|item| {
        let (k, v) = item.split_once('=')?;
        (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// A file name safe in a URL path segment.
fn safe_name(name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        "file".to_owned()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_part_is_found_among_others() {
        let body = Bytes::from_static(
            b"--XY\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nhello\r\n\
              --XY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a b.png\"\r\n\
              Content-Type: image/png\r\n\r\n\x89PNG\r\n--XY--\r\n",
        );
        let part = file_part(&body, "XY").expect("file part");
        assert_eq!(&part.bytes[..], b"\x89PNG");
        assert_eq!(part.filename.as_deref(), Some("a b.png"));
        assert_eq!(part.content_type.as_deref(), Some("image/png"));
        assert_eq!(safe_name("a b.png"), "a_b.png");
        assert_eq!(
            boundary("multipart/form-data; boundary=\"XY\"").as_deref(),
            Some("XY")
        );
        assert!(file_part(&Bytes::from_static(b"--XY--\r\n"), "XY").is_none());
    }
}
