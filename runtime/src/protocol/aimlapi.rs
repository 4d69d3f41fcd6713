//! AI/ML API: one path for submit and poll, the universal
//! `/v2/video/generations` (`?generation_id=` to poll); the poll answer
//! carries the status, the `video` and any `error`.
//! Errors are `{"message", "statusCode" (a string), ...}`.

use serde_json::Value;

use super::{
    MediaPolicy, Snapshot, VendorError, Wire, code_text, encode, message_text, status_word, urls,
};
use crate::state::JobState;

/// Path of the poll: the universal path, which the vendor's per-model OpenAPI
/// documents name for submit and its docs call the standard; it reaches jobs
/// submitted on any path (the older `/v2/generate/video/bytedance/generation`
/// included), so the poll does not depend on the model's submit path.
pub(crate) const GENERATION_PATH: &str = "/v2/video/generations";

/// The AI/ML API protocol: one poll answer carries status and result.
pub(crate) struct AimlApi;

impl Wire for AimlApi {
    fn media_policy(&self) -> MediaPolicy {
        MediaPolicy::DataUri
    }
    #[cfg(test)]
    fn state(&self, word: &str) -> JobState {
        state(word)
    }
    fn status_path(&self, id: &str) -> String {
        format!("{GENERATION_PATH}?generation_id={}", encode(id))
    }
    /// The submit answer may name the id `id` or `generation_id`.
    fn submit_id<'a>(&self, value: &'a Value) -> Option<&'a str> {
        value
            .get("id")
            .or_else(|| value.get("generation_id"))
            .and_then(Value::as_str)
    }
    fn vendor_error(&self, value: &Value) -> VendorError {
        VendorError {
            code: code_text(value.get("statusCode")).or_else(|| code_text(value.get("code"))),
            message: message_text(value.get("message"))
                .or_else(|| message_text(value.get("error"))),
        }
    }
    fn parse_status(&self, value: Value) -> Result<Snapshot, String> {
        parse_poll(value)
    }
}

/// `queued`, `generating`, `completed`, `error` are documented; their own
/// sample code also waits on `waiting` and `active`.
fn state(word: &str) -> JobState {
    match word.trim().to_ascii_lowercase().as_str() {
        "queued" => JobState::Queued,
        "waiting" | "active" | "generating" | "processing" => JobState::Running,
        "completed" | "succeeded" => JobState::Succeeded,
        "error" | "failed" => JobState::Failed,
        "cancelled" | "canceled" => JobState::Cancelled,
        _ => JobState::Unknown(word.to_owned()),
    }
}

fn parse_poll(value: Value) -> Result<Snapshot, String> {
    let raw = status_word(&value, "/status")?.to_owned();
    let state = state(&raw);
    let videos = urls(value.get("video"));
    let failure = (state == JobState::Failed).then(|| {
        let error = value.get("error");
        (
            error.and_then(|e| code_text(e.get("name"))),
            message_text(error.and_then(|e| e.get("message")).or(error))
                .unwrap_or_else(|| format!("status {raw}")),
        )
    });
    Ok(Snapshot::single_poll(state, raw, videos, failure, value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn submit_id_has_two_spellings() {
        assert_eq!(AimlApi.submit_id(&json!({"id": "cgt-1"})), Some("cgt-1"));
        assert_eq!(
            AimlApi.submit_id(&json!({"generation_id": "cgt-2"})),
            Some("cgt-2")
        );
    }

    #[test]
    fn failed_poll_keeps_the_message_in_any_shape() {
        let object = parse_poll(
            json!({"id": "x", "status": "error", "error": {"name": "E", "message": "nsfw"}}),
        )
        .unwrap();
        assert_eq!(object.failure, Some((Some("E".into()), "nsfw".into())));
        let text = parse_poll(json!({"id": "x", "status": "error", "error": "boom"})).unwrap();
        assert_eq!(text.failure, Some((None, "boom".into())));
        let none = parse_poll(json!({"id": "x", "status": "error", "error": null})).unwrap();
        assert_eq!(none.failure, Some((None, "status error".into())));
    }

    #[test]
    fn polls_the_universal_path() {
        assert_eq!(
            AimlApi.status_path("cgt-1 2"),
            "/v2/video/generations?generation_id=cgt-1%202"
        );
    }

    #[test]
    fn status_code_is_a_string() {
        let error = AimlApi.vendor_error(&json!({"message": "Unauthorized", "statusCode": "401"}));
        assert_eq!(error.code.as_deref(), Some("401"));
        assert_eq!(error.message.as_deref(), Some("Unauthorized"));
    }
}
