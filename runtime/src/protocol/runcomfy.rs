//! RunComfy Model API: `POST /v1/models/{model}`, then
//! `/v1/requests/{id}/status|result|cancel`. Errors are
//! `{"error_code", "error_message", "detail"?}`, sometimes under HTTP 200.

use serde_json::Value;

use super::{
    CancelOutcome, MediaPolicy, OutputUrls, Snapshot, VendorError, Wire, code_text, encode,
    message_text, status_word, urls,
};
use crate::state::{JobState, JobStatus};

/// The RunComfy protocol.
pub(crate) struct RunComfy;

impl Wire for RunComfy {
    fn media_policy(&self) -> MediaPolicy {
        MediaPolicy::UrlOnly
    }
    #[cfg(test)]
    fn state(&self, word: &str) -> JobState {
        state(word)
    }
    fn status_path(&self, id: &str) -> String {
        format!("/v1/requests/{}/status", encode(id))
    }
    fn result_path(&self, id: &str) -> String {
        format!("/v1/requests/{}/result", encode(id))
    }
    fn cancel_path(&self, id: &str) -> Option<String> {
        Some(format!("/v1/requests/{}/cancel", encode(id)))
    }
    fn submit_id<'a>(&self, value: &'a Value) -> Option<&'a str> {
        value.get("request_id").and_then(Value::as_str)
    }
    fn in_body_error<'a>(&self, value: &'a Value) -> Option<&'a Value> {
        has_error(value).then(|| &value["error_code"])
    }
    fn vendor_error(&self, value: &Value) -> VendorError {
        vendor_error(value)
    }
    fn parse_status(&self, value: Value) -> Result<Snapshot, String> {
        parse_status(value)
    }
    fn parse_result(&self, value: Value) -> Result<Snapshot, String> {
        parse_result(value)
    }
    fn parse_cancel(&self, value: &Value) -> Result<CancelOutcome, String> {
        parse_cancel(value)
    }
}

/// Status words: `in_queue`, `in_progress`, `completed`, `cancelled` are
/// documented; the result answer spells success `succeeded`; the official
/// clients also treat `failed` as terminal.
fn state(word: &str) -> JobState {
    match word.trim().to_ascii_lowercase().as_str() {
        "in_queue" | "queued" => JobState::Queued,
        "in_progress" | "running" => JobState::Running,
        "completed" | "succeeded" => JobState::Succeeded,
        "failed" | "error" => JobState::Failed,
        "cancelled" | "canceled" => JobState::Cancelled,
        _ => JobState::Unknown(word.to_owned()),
    }
}

/// A top-level `error_code` is an error whatever the HTTP status.
fn has_error(value: &Value) -> bool {
    value.get("error_code").is_some_and(|code| !code.is_null())
}

fn vendor_error(value: &Value) -> VendorError {
    let mut message = message_text(value.get("error_message"))
        .or_else(|| message_text(value.get("message")))
        .or_else(|| message_text(value.get("error")));
    if let (Some(text), Some(detail)) = (&mut message, value.get("detail")) {
        let detail = message_text(Some(detail)).unwrap_or_else(|| detail.to_string());
        text.push_str(" (");
        text.push_str(&crate::error::excerpt(detail.as_bytes()));
        text.push(')');
    }
    VendorError {
        code: code_text(value.get("error_code")),
        message,
    }
}

fn job_status(value: &Value) -> Result<JobStatus, String> {
    let raw = status_word(value, "/status")?;
    Ok(JobStatus {
        state: state(raw),
        queue_position: value
            .get("queue_position")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok()),
        raw: raw.to_owned(),
    })
}

fn parse_status(value: Value) -> Result<Snapshot, String> {
    let status = job_status(&value)?;
    Ok(Snapshot {
        status,
        urls: OutputUrls::default(),
        failure: None,
        raw: value,
        has_result: false,
    })
}

/// `output` follows the model's output schema: any of `video`, `videos`,
/// `image`, `images`.
fn parse_result(value: Value) -> Result<Snapshot, String> {
    let status = job_status(&value)?;
    let output = value.get("output");
    let mut videos = urls(output.and_then(|o| o.get("video")));
    videos.extend(urls(output.and_then(|o| o.get("videos"))));
    let mut images = urls(output.and_then(|o| o.get("image")));
    images.extend(urls(output.and_then(|o| o.get("images"))));
    let failure = (status.state == JobState::Failed).then(|| {
        let error = value.get("error");
        (
            error.and_then(|e| code_text(e.get("code").or_else(|| e.get("error_code")))),
            message_text(error).unwrap_or_else(|| format!("status {}", status.raw)),
        )
    });
    Ok(Snapshot {
        status,
        urls: OutputUrls { videos, images },
        failure,
        raw: value,
        has_result: true,
    })
}

/// `{"outcome": "cancelled" | "not_cancellable"}`; a job that had already
/// finished is a no-op, reported as [`CancelOutcome::AlreadyFinished`].
fn parse_cancel(value: &Value) -> Result<CancelOutcome, String> {
    let outcome = value.get("outcome").and_then(Value::as_str);
    let status = value.get("status").and_then(Value::as_str).map(state);
    match (outcome, status) {
        (Some("cancelled"), _) => Ok(CancelOutcome::Cancelled),
        (_, Some(state)) if state.is_terminal() => Ok(CancelOutcome::AlreadyFinished),
        (Some("not_cancellable"), _) => Ok(CancelOutcome::NotCancellable),
        (Some(other), _) => Err(format!("unknown cancel outcome `{other}`")),
        (None, _) => Err("cancel answer has no `outcome`".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn result_accepts_all_four_output_shapes() {
        let snapshot = parse_result(json!({
            "request_id": "r", "status": "succeeded",
            "output": {"video": "https://v/1.mp4", "videos": ["https://v/2.mp4"],
                       "image": "https://i/1.png", "images": ["https://i/2.png"]}
        }))
        .unwrap();
        assert_eq!(snapshot.status.state, JobState::Succeeded);
        assert_eq!(snapshot.urls.videos, ["https://v/1.mp4", "https://v/2.mp4"]);
        assert_eq!(snapshot.urls.images, ["https://i/1.png", "https://i/2.png"]);
    }

    #[test]
    fn cancel_outcomes() {
        let cancelled = json!({"request_id": "r", "status": "cancelled", "outcome": "cancelled"});
        let running =
            json!({"request_id": "r", "status": "in_progress", "outcome": "not_cancellable"});
        let done = json!({"request_id": "r", "status": "completed", "outcome": "not_cancellable"});
        assert_eq!(parse_cancel(&cancelled), Ok(CancelOutcome::Cancelled));
        assert_eq!(parse_cancel(&running), Ok(CancelOutcome::NotCancellable));
        assert_eq!(parse_cancel(&done), Ok(CancelOutcome::AlreadyFinished));
    }

    #[test]
    fn error_body_is_parsed() {
        let error = vendor_error(
            &json!({"error_code": 422001, "error_message": "bad", "detail": [{"msg": "prompt too long"}]}),
        );
        assert_eq!(error.code.as_deref(), Some("422001"));
        assert_eq!(error.message.as_deref(), Some("bad (prompt too long)"));
    }
}
