//! WaveSpeed AI: `POST /api/v3/{model}`, then
//! `GET /api/v3/predictions/{id}/result`. Every answer is an envelope
//! `{"code", "message", "data"}`; success needs HTTP 200 and `code` 200, and a
//! failed task is a success envelope with `data.status: "failed"` and
//! `data.error`.

use serde_json::Value;

use super::{
    MediaPolicy, Snapshot, VendorError, Wire, code_text, encode, message_text, status_word, urls,
};
use crate::state::JobState;

/// The WaveSpeed protocol: the result answer is also the status poll.
pub(crate) struct WaveSpeed;

impl Wire for WaveSpeed {
    fn media_policy(&self) -> MediaPolicy {
        MediaPolicy::Upload
    }
    #[cfg(test)]
    fn state(&self, word: &str) -> JobState {
        state(word)
    }
    fn status_path(&self, id: &str) -> String {
        format!("/api/v3/predictions/{}/result", encode(id))
    }
    fn submit_id<'a>(&self, value: &'a Value) -> Option<&'a str> {
        value.pointer("/data/id").and_then(Value::as_str)
    }
    fn in_body_error<'a>(&self, value: &'a Value) -> Option<&'a Value> {
        has_error(value).then(|| &value["code"])
    }
    fn vendor_error(&self, value: &Value) -> VendorError {
        VendorError {
            code: code_text(value.get("code")),
            message: message_text(value.get("message"))
                .or_else(|| message_text(value.pointer("/data/error")))
                .or_else(|| message_text(value.get("error"))),
        }
    }
    fn parse_status(&self, value: Value) -> Result<Snapshot, String> {
        parse_result(value)
    }
}

/// `created`, `processing`, `completed`, `failed` are documented; the
/// official SDK also treats `cancelled`, `timeout` and `deleted` as terminal.
fn state(word: &str) -> JobState {
    match word.trim().to_ascii_lowercase().as_str() {
        "created" | "pending" | "queued" => JobState::Queued,
        "processing" | "running" => JobState::Running,
        "completed" | "succeeded" => JobState::Succeeded,
        "failed" | "timeout" | "deleted" => JobState::Failed,
        "cancelled" | "canceled" => JobState::Cancelled,
        _ => JobState::Unknown(word.to_owned()),
    }
}

/// An envelope whose `code` is present and not 200.
fn has_error(value: &Value) -> bool {
    match value.get("code") {
        Some(Value::Number(code)) => code.as_u64() != Some(200),
        Some(Value::String(code)) => code != "200",
        _ => false,
    }
}

fn parse_result(value: Value) -> Result<Snapshot, String> {
    let raw = status_word(&value, "/data/status")?.to_owned();
    let state = state(&raw);
    let videos = urls(value.pointer("/data/outputs"));
    let failure = (state == JobState::Failed).then(|| {
        (
            None,
            message_text(value.pointer("/data/error")).unwrap_or_else(|| format!("status {raw}")),
        )
    });
    Ok(Snapshot::single_poll(state, raw, videos, failure, value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn failed_task_is_a_success_envelope() {
        let value = json!({"code": 200, "message": "success",
            "data": {"id": "t", "status": "failed", "outputs": [], "error": "moderation"}});
        assert!(!has_error(&value));
        let snapshot = parse_result(value).unwrap();
        assert_eq!(snapshot.status.state, JobState::Failed);
        assert_eq!(snapshot.failure, Some((None, "moderation".into())));
    }

    #[test]
    fn envelope_code_other_than_200_is_an_error() {
        let value = json!({"code": 400, "message": "bad input", "data": null});
        assert!(has_error(&value));
        assert_eq!(
            WaveSpeed.vendor_error(&value).message.as_deref(),
            Some("bad input")
        );
    }
}
