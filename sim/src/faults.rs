//! Fault injection and request counting, per route and per simulator.
//!
//! Every request that reaches a [`Route`] is counted (rejected ones included),
//! then the next queued [`Fault`] of that route, if any, is applied.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::protocols::{self, Vendor};
use crate::sim::Shared;

/// A group of endpoints that faults and counts are kept for.
///
/// | route | RunComfy | AI/ML API | WaveSpeed | sim |
/// |---|---|---|---|---|
/// | `Submit` | `POST /v1/models/{model}` | `POST /v2/...` generation paths | `POST /api/v3/{model}` | |
/// | `Status` | `GET /v1/requests/{id}/status` | `GET /v2/...` generation paths (the poll) | | |
/// | `Result` | `GET /v1/requests/{id}/result` | | `GET /api/v3/predictions/{id}/result` | |
/// | `Cancel` | `POST /v1/requests/{id}/cancel` | | | |
/// | `Image` | | | | `GET /sim/images/...` |
/// | `Video` | | | | `GET /sim/video.mp4` |
/// | `Catalog` | `GET /v1/models[/{model}]` | `GET /aimlapi/...` (docs files) | `GET /api/v3/models` | |
/// | `Upload` | | | `POST /api/v3/media/upload/binary`, `POST /api/v3/media/uploads` | `GET`/`PUT /sim/uploads/...` |
/// | `Pricing` | | | `POST /api/v3/model/pricing` | |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    /// Job submission.
    Submit,
    /// Status polls (AI/ML API's only poll is here).
    Status,
    /// Result fetches (WaveSpeed's only poll is here).
    Result,
    /// RunComfy's cancel.
    Cancel,
    /// The test image route (the simulator's own image fetches count too).
    Image,
    /// The result video route.
    Video,
    /// The catalog endpoints (what `cargo xtask pull` reads).
    Catalog,
    /// WaveSpeed's media uploads (`POST /api/v3/media/upload/binary`, the
    /// ticket `POST /api/v3/media/uploads`), the ticket's PUT and the
    /// uploaded files (`PUT`/`GET /sim/uploads/...`).
    Upload,
    /// WaveSpeed's free price quote, `POST /api/v3/model/pricing`.
    Pricing,
}

/// Something that goes wrong with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this HTTP status and the vendor's error body (the request
    /// is not processed).
    Status(u16),
    /// 429 with `Retry-After` and the vendor's error body (not processed).
    TooManyRequests {
        /// The `Retry-After` value, in seconds.
        retry_after_secs: u64,
    },
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Process the request, then close the connection without answering (a
    /// submit's job exists, but its answer is lost).
    DropConnection,
    /// 200 with the body `{"status": ` (not processed).
    MalformedJson,
    /// Process the request, then send the headers with the full
    /// `Content-Length` but only the first half of the body, and close.
    TruncatedJson,
}

/// Queued faults and request counts of one simulator.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    queues: Mutex<HashMap<Route, VecDeque<Fault>>>,
    counts: Mutex<HashMap<Route, u64>>,
}

impl Faults {
    pub(crate) fn inject(&self, route: Route, fault: Fault, times: u32) {
        let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
        let queue = queues.entry(route).or_default();
        for _ in 0..times {
            queue.push_back(fault.clone());
        }
    }

    fn next(&self, route: Route) -> Option<Fault> {
        let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
        queues.get_mut(&route).and_then(VecDeque::pop_front)
    }

    pub(crate) fn pending(&self, route: Route) -> usize {
        let queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
        queues.get(&route).map_or(0, VecDeque::len)
    }

    fn hit(&self, route: Route) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        *counts.entry(route).or_default() += 1;
    }

    pub(crate) fn count(&self, route: Route) -> u64 {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts.get(&route).copied().unwrap_or(0)
    }
}

/// Marks a response whose connection must be closed without answering; the
/// connection service (see `server`) turns it into a dropped connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DropMarker;

/// The route a request belongs to, from its method and path.
pub(crate) fn classify(method: &Method, path: &str) -> Option<Route> {
    let get = method == Method::GET || method == Method::HEAD;
    let post = method == Method::POST;
    if let Some(rest) = path.strip_prefix("/v1/") {
        if post && rest.starts_with("models/") {
            return Some(Route::Submit);
        }
        if get && (rest == "models" || rest.starts_with("models/")) {
            return Some(Route::Catalog);
        }
        if rest.starts_with("requests/") {
            if get && rest.ends_with("/status") {
                return Some(Route::Status);
            }
            if get && rest.ends_with("/result") {
                return Some(Route::Result);
            }
            if post && rest.ends_with("/cancel") {
                return Some(Route::Cancel);
            }
        }
        return None;
    }
    if path.starts_with("/v2/") {
        return if post {
            Some(Route::Submit)
        } else if get {
            Some(Route::Status)
        } else {
            None
        };
    }
    if let Some(rest) = path.strip_prefix("/api/v3/") {
        if get && rest == "models" {
            return Some(Route::Catalog);
        }
        if post && (path == crate::uploads::PATH || path == crate::uploads::TICKET_PATH) {
            return Some(Route::Upload);
        }
        if get && rest.starts_with("predictions/") && rest.ends_with("/result") {
            return Some(Route::Result);
        }
        if post && path == crate::protocols::pricing::PATH {
            return Some(Route::Pricing);
        }
        if post && !rest.is_empty() {
            return Some(Route::Submit);
        }
        return None;
    }
    if get && path.starts_with("/aimlapi/") {
        return Some(Route::Catalog);
    }
    if get && path.starts_with("/sim/images/") {
        return Some(Route::Image);
    }
    if (get || method == Method::PUT) && path.starts_with("/sim/uploads/") {
        return Some(Route::Upload);
    }
    if get && path == crate::video::PATH {
        return Some(Route::Video);
    }
    None
}

/// The middleware: counts the request, then applies the route's next fault.
pub(crate) async fn layer(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let Some(route) = classify(request.method(), &path) else {
        return next.run(request).await;
    };
    shared.faults.hit(route);
    let vendor = Vendor::of_path(&path);
    let fault = shared
        .faults
        .next(route)
        .or_else(|| shared.demo.random_fault(route));
    match fault {
        None => next.run(request).await,
        Some(Fault::Delay(delay)) => {
            tokio::time::sleep(delay).await;
            next.run(request).await
        }
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let message = format!("simulated HTTP {code}");
            protocols::error_response(vendor, status, &message, &path)
        }
        Some(Fault::TooManyRequests { retry_after_secs }) => {
            let mut response = protocols::error_response(
                vendor,
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests, please slow down",
                &path,
            );
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
            response
        }
        Some(Fault::MalformedJson) => (
            StatusCode::OK,
            [(CONTENT_TYPE, "application/json")],
            "{\"status\": ",
        )
            .into_response(),
        Some(Fault::DropConnection) => {
            drop(next.run(request).await);
            dropped()
        }
        Some(Fault::TruncatedJson) => truncate(next.run(request).await).await,
    }
}

fn dropped() -> Response {
    let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
    response.extensions_mut().insert(DropMarker);
    response
}

/// Keeps the headers (with the full `Content-Length`) and the first half of
/// the body, then fails the body so the connection is cut.
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 << 20).await else {
        return dropped();
    };
    let full = bytes.len();
    let prefix = bytes.slice(..full / 2);
    parts
        .headers
        .insert(CONTENT_LENGTH, HeaderValue::from(full));
    let stream = futures_util::stream::unfold(0u8, move |step| {
        let prefix = prefix.clone();
        async move {
            match step {
                0 => Some((Ok::<Bytes, io::Error>(prefix), 1)),
                1 => {
                    // Let the connection flush the prefix before failing.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    Some((Err(io::Error::other("simulated truncated body")), 2))
                }
                _ => None,
            }
        }
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_vendor_paths() {
        let cases = [
            (Method::POST, "/v1/models/bytedance/x", Some(Route::Submit)),
            (Method::GET, "/v1/requests/1/status", Some(Route::Status)),
            (Method::GET, "/v1/requests/1/result", Some(Route::Result)),
            (Method::POST, "/v1/requests/1/cancel", Some(Route::Cancel)),
            (
                Method::GET,
                "/v2/generate/video/bytedance/generation",
                Some(Route::Status),
            ),
            (Method::POST, "/v2/video/generations", Some(Route::Submit)),
            (Method::POST, "/api/v3/bytedance/x", Some(Route::Submit)),
            (Method::POST, "/api/v3/model/pricing", Some(Route::Pricing)),
            (
                Method::GET,
                "/api/v3/predictions/abc/result",
                Some(Route::Result),
            ),
            (Method::GET, "/sim/images/img.png", Some(Route::Image)),
            (Method::GET, "/sim/video.mp4", Some(Route::Video)),
            (Method::GET, "/v1/models/bytedance/x", Some(Route::Catalog)),
            (Method::GET, "/v1/models", Some(Route::Catalog)),
            (Method::GET, "/api/v3/models", Some(Route::Catalog)),
            (
                Method::GET,
                "/aimlapi/api-docs/x.json",
                Some(Route::Catalog),
            ),
            (
                Method::POST,
                "/api/v3/media/upload/binary",
                Some(Route::Upload),
            ),
            (Method::POST, "/api/v3/media/uploads", Some(Route::Upload)),
            (Method::GET, "/sim/uploads/ab/a.png", Some(Route::Upload)),
            (Method::PUT, "/sim/uploads/ab/a.png", Some(Route::Upload)),
            (Method::GET, "/elsewhere", None),
        ];
        for (method, path, route) in cases {
            assert_eq!(classify(&method, path), route, "{method} {path}");
        }
    }
}
