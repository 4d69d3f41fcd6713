//! The result video every succeeded job points at: a real, playable MP4
//! (5 s of ffmpeg's `testsrc2` pattern, 320x180, H.264 Main, 24 fps, no
//! audio, `moov` before `mdat`), embedded so downloads, players and
//! probers see what a vendor's output looks like. How it was made:
//! `sim/assets/README.md`.

use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

/// Where the video is served.
pub(crate) const PATH: &str = "/sim/video.mp4";

/// Where the video is served (for clients that fill a video field with it).
pub const VIDEO_PATH: &str = PATH;

/// The file's bytes.
static VIDEO: &[u8] = include_bytes!("../assets/video.mp4");

/// Size of the served video in bytes.
pub const VIDEO_LEN: usize = VIDEO.len();

/// The video's bytes.
pub fn video_bytes() -> Vec<u8> {
    VIDEO.to_vec()
}

/// `GET /sim/video.mp4` (`Content-Length` comes from the body).
pub(crate) async fn serve() -> Response {
    (StatusCode::OK, [(CONTENT_TYPE, "video/mp4")], VIDEO).into_response()
}
