//! The result video every succeeded job points at: a small fixed MP4-shaped
//! blob (an `ftyp` box and a `free` box), served with `Content-Length`.

use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

/// Where the video is served.
pub(crate) const PATH: &str = "/sim/video.mp4";

/// Size of the served video in bytes.
pub const VIDEO_LEN: usize = 4096;

/// The video's bytes.
pub fn video_bytes() -> Vec<u8> {
    let mut out = Vec::with_capacity(VIDEO_LEN);
    out.extend_from_slice(&24u32.to_be_bytes());
    out.extend_from_slice(b"ftypisom\0\0\x02\0isomiso2");
    let free = u32::try_from(VIDEO_LEN - out.len()).unwrap_or(0);
    out.extend_from_slice(&free.to_be_bytes());
    out.extend_from_slice(b"free");
    out.resize(VIDEO_LEN, 0);
    out
}

/// `GET /sim/video.mp4` (`Content-Length` comes from the body).
pub(crate) async fn serve() -> Response {
    (StatusCode::OK, [(CONTENT_TYPE, "video/mp4")], video_bytes()).into_response()
}
