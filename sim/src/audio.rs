//! A test sound for the fields that take one (an AI/ML API OmniHuman
//! model's `audio_url`): a real, playable MP3 (2 s of a 440 Hz sine, mono,
//! 22.05 kHz, 32 kb/s), embedded so `--sim` can fill a required audio field
//! with a URL a vendor (and a player) could read. How it was made:
//! `sim/assets/README.md`.

use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

/// Where the sound is served.
pub const AUDIO_PATH: &str = "/sim/audio.mp3";

/// The file's bytes.
static AUDIO: &[u8] = include_bytes!("../assets/audio.mp3");

/// The sound's bytes.
pub fn audio_bytes() -> Vec<u8> {
    AUDIO.to_vec()
}

/// `GET /sim/audio.mp3`.
pub(crate) async fn serve() -> Response {
    (StatusCode::OK, [(CONTENT_TYPE, "audio/mpeg")], AUDIO).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sound_is_an_mp3_frame_stream() {
        let bytes = audio_bytes();
        // MPEG-2 Layer III frame sync, no ID3 tag in front.
        assert_eq!(&bytes[..2], &[0xff, 0xf3]);
        assert!(
            bytes.len() > 4_000 && bytes.len() < 16_000,
            "{}",
            bytes.len()
        );
    }
}
