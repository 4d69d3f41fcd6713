//! Serving a spec'd image over HTTP: lazily streamed padding, `Range`
//! requests (206/416), and the fault-like options (ignored ranges, hidden size).

use std::collections::HashMap;
use std::io;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query};
use axum::http::header::{ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, RANGE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use super::ImageSpec;
use super::file::ImageFile;

/// Chunk size of the streamed padding.
const CHUNK: usize = 64 * 1024;
static ZEROS: [u8; CHUNK] = [0; CHUNK];

/// A parsed `Range` header against a file of `total` bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ByteRange {
    /// No usable range: the whole file.
    Full,
    /// Inclusive byte range.
    Part(u64, u64),
    /// Outside the file: 416.
    Unsatisfiable,
}

pub(crate) fn parse_range(value: Option<&str>, total: u64) -> ByteRange {
    let Some(spec) = value.and_then(|v| v.trim().strip_prefix("bytes=")) else {
        return ByteRange::Full;
    };
    if spec.contains(',') {
        return ByteRange::Full;
    }
    let Some((start, end)) = spec.split_once('-') else {
        return ByteRange::Full;
    };
    let (start, end) = (start.trim(), end.trim());
    if start.is_empty() {
        let Ok(suffix) = end.parse::<u64>() else {
            return ByteRange::Full;
        };
        if suffix == 0 || total == 0 {
            return ByteRange::Unsatisfiable;
        }
        return ByteRange::Part(total.saturating_sub(suffix), total - 1);
    }
    let Ok(start) = start.parse::<u64>() else {
        return ByteRange::Full;
    };
    let end = if end.is_empty() {
        total.saturating_sub(1)
    } else {
        match end.parse::<u64>() {
            Ok(end) if end >= start => end.min(total.saturating_sub(1)),
            _ => return ByteRange::Full,
        }
    };
    if start >= total {
        return ByteRange::Unsatisfiable;
    }
    ByteRange::Part(start, end)
}

/// Bytes `start..end` (exclusive) of `file`, streamed in chunks: its head
/// and tail as they are, its zeros from a static buffer.
fn stream_body(file: ImageFile, start: u64, end: u64) -> Body {
    let head = Bytes::from(file.head);
    let tail = Bytes::from(file.tail);
    let tail_start = head.len() as u64 + file.zeros;
    let stream = futures_util::stream::unfold(start, move |offset| {
        let (head, tail) = (head.clone(), tail.clone());
        async move {
            if offset >= end {
                return None;
            }
            let head_len = head.len() as u64;
            let chunk = if offset < head_len {
                head.slice(offset as usize..end.min(head_len) as usize)
            } else if offset < tail_start {
                let len = (end.min(tail_start) - offset).min(CHUNK as u64) as usize;
                Bytes::from_static(&ZEROS[..len])
            } else {
                tail.slice((offset - tail_start) as usize..(end - tail_start) as usize)
            };
            let next = offset + chunk.len() as u64;
            Some((Ok::<Bytes, io::Error>(chunk), next))
        }
    });
    Body::from_stream(stream)
}

/// `GET /sim/images/{name}` (and `HEAD`): the image described by the URL.
pub(crate) async fn serve(
    method: Method,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some(spec) = ImageSpec::from_request(&name, &query) else {
        return (
            StatusCode::NOT_FOUND,
            "unknown image: use /sim/images/img.{png,jpg,webp}[?w=..&h=..][&size=..][&meta=..][&norange=1][&hide=get|head|all] (1280x720 without w and h)",
        )
            .into_response();
    };
    let file = spec.file();
    let total = file.len();
    let range_header = headers.get(RANGE).and_then(|value| value.to_str().ok());
    let range = if spec.ignore_range {
        ByteRange::Full
    } else {
        parse_range(range_header, total)
    };
    let suffix_range =
        !spec.ignore_range && range_header.is_some_and(|value| value.trim().starts_with("bytes=-"));
    let hidden = spec.hide_size.hides(&method, suffix_range);
    let total_text = if hidden {
        "*".to_owned()
    } else {
        total.to_string()
    };
    let mut builder = Response::builder().header(CONTENT_TYPE, spec.format.mime());
    if !spec.ignore_range {
        builder = builder.header(ACCEPT_RANGES, "bytes");
    }
    let response = match range {
        // Without a Content-Length the body goes out chunked.
        ByteRange::Full if hidden => builder
            .status(StatusCode::OK)
            .body(stream_body(file, 0, total)),
        ByteRange::Full => builder
            .status(StatusCode::OK)
            .header(CONTENT_LENGTH, total)
            .body(stream_body(file, 0, total)),
        ByteRange::Part(start, end) => builder
            .status(StatusCode::PARTIAL_CONTENT)
            .header(CONTENT_LENGTH, end + 1 - start)
            .header(CONTENT_RANGE, format!("bytes {start}-{end}/{total_text}"))
            .body(stream_body(file, start, end + 1)),
        ByteRange::Unsatisfiable if hidden => builder
            .status(StatusCode::RANGE_NOT_SATISFIABLE)
            .body(Body::empty()),
        ByteRange::Unsatisfiable => builder
            .status(StatusCode::RANGE_NOT_SATISFIABLE)
            .header(CONTENT_RANGE, format!("bytes */{total}"))
            .body(Body::empty()),
    };
    response.unwrap_or_else(|_| {
        let mut fallback = StatusCode::INTERNAL_SERVER_ERROR.into_response();
        fallback
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        fallback
    })
}
