//! The three wire protocols. Each module owns its paths, its status words
//! and the shape of its bodies; this module dispatches on [`Protocol`] and
//! turns answers into [`Snapshot`]s and errors, so the rest of the runtime
//! never looks at a vendor's JSON.

pub(crate) mod aimlapi;
pub(crate) mod runcomfy;
mod submit;
pub(crate) mod wavespeed;

pub(crate) use submit::{SubmitVerdict, judge_submit};

use serde_json::Value;

use std::time::Duration;

use crate::{
    error::{ApiError, Error, excerpt},
    model::Protocol,
    state::{JobState, JobStatus},
};

/// A complete answer: status, `Retry-After`, body. The transport fills it;
/// this module reads it.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub status: u16,
    pub retry_after: Option<Duration>,
    pub body: Vec<u8>,
}

/// What a cancel request achieved. Only RunComfy has a cancel endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelOutcome {
    /// The job was cancelled (it was still queued).
    Cancelled,
    /// The job is already running and the vendor will not stop it; it will
    /// finish (and be billed) as usual.
    NotCancellable,
    /// The job had already finished; nothing changed.
    AlreadyFinished,
}

/// How a vendor takes a local image (public as `media::MediaPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaPolicy {
    /// Uploaded to the vendor's media endpoint; its URL goes in the field.
    Upload,
    /// A Base64 data URI goes in the field.
    DataUri,
    /// Only public URLs are documented (a data URI only on request).
    UrlOnly,
}

impl MediaPolicy {
    /// The policy of a protocol.
    pub fn of(protocol: Protocol) -> Self {
        wire(protocol).media_policy()
    }
}

/// What differs between the three wire protocols: paths, status words and
/// the shape of answers. One implementation per protocol module; [`wire`] is
/// the one place that picks it, so no other code matches on [`Protocol`].
pub(crate) trait Wire: Sync {
    /// Maps a status word onto a [`JobState`] (the tests' view of the
    /// table; answers are parsed by each protocol module).
    #[cfg(test)]
    fn state(&self, word: &str) -> JobState;
    /// Path of the status poll.
    fn status_path(&self, id: &str) -> String;
    /// Path of the result fetch (the status poll where one answer has both).
    fn result_path(&self, id: &str) -> String {
        self.status_path(id)
    }
    /// Path of the cancel request; `None` when the vendor has none.
    fn cancel_path(&self, _id: &str) -> Option<String> {
        None
    }
    /// The job id of a submit answer.
    fn submit_id<'a>(&self, value: &'a Value) -> Option<&'a str>;
    /// The error code a body carries under any HTTP status, when it says
    /// it is an error (RunComfy's `error_code`, WaveSpeed's `code`).
    fn in_body_error<'a>(&self, _value: &'a Value) -> Option<&'a Value> {
        None
    }
    /// The vendor's fields of an error answer.
    fn vendor_error(&self, value: &Value) -> VendorError;
    /// A status answer.
    fn parse_status(&self, value: Value) -> Result<Snapshot, String>;
    /// A result answer (the status answer where one answer has both).
    fn parse_result(&self, value: Value) -> Result<Snapshot, String> {
        self.parse_status(value)
    }
    /// A cancel answer.
    fn parse_cancel(&self, _value: &Value) -> Result<CancelOutcome, String> {
        Err("no cancel endpoint".to_owned())
    }
    /// How the vendor takes a local image.
    fn media_policy(&self) -> MediaPolicy;
}

/// The implementation of a protocol.
pub(crate) fn wire(protocol: Protocol) -> &'static dyn Wire {
    match protocol {
        Protocol::RunComfy => &runcomfy::RunComfy,
        Protocol::AimlApi => &aimlapi::AimlApi,
        Protocol::WaveSpeed => &wavespeed::WaveSpeed,
    }
}

/// Output URLs found in an answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OutputUrls {
    pub videos: Vec<String>,
    pub images: Vec<String>,
}

/// What one status or result answer says about a job.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub status: JobStatus,
    /// Outputs, when the answer carries them (empty otherwise).
    pub urls: OutputUrls,
    /// The vendor's failure (code, message), for a failed job.
    pub failure: Option<(Option<String>, String)>,
    /// The whole answer, kept for fields this runtime does not model.
    pub raw: Value,
    /// True when the answer is the protocol's result answer (outputs are
    /// authoritative); RunComfy's status answer never carries outputs.
    pub has_result: bool,
}

impl Snapshot {
    /// The answer of a protocol whose single poll carries state and outputs
    /// together (AI/ML API, WaveSpeed): no queue position, no images.
    pub(crate) fn single_poll(
        state: JobState,
        raw_state: String,
        videos: Vec<String>,
        failure: Option<(Option<String>, String)>,
        raw: Value,
    ) -> Self {
        Snapshot {
            status: JobStatus {
                state,
                queue_position: None,
                raw: raw_state,
            },
            urls: OutputUrls {
                videos,
                images: Vec::new(),
            },
            failure,
            raw,
            has_result: true,
        }
    }
}

/// An error body as the vendor shaped it.
#[derive(Debug, Default)]
pub(crate) struct VendorError {
    pub code: Option<String>,
    pub message: Option<String>,
}

/// A status answer as a [`Snapshot`].
pub(crate) fn parse_status(
    protocol: Protocol,
    vendor: &'static str,
    answer: &Answer,
    job_id: &str,
) -> Result<Snapshot, Error> {
    parse_poll(protocol, vendor, answer, job_id, |wire, value| {
        wire.parse_status(value)
    })
}

/// A result answer as a [`Snapshot`].
pub(crate) fn parse_result(
    protocol: Protocol,
    vendor: &'static str,
    answer: &Answer,
    job_id: &str,
) -> Result<Snapshot, Error> {
    parse_poll(protocol, vendor, answer, job_id, |wire, value| {
        wire.parse_result(value)
    })
}

/// A poll answer, checked for errors, then read by `parse`.
fn parse_poll(
    protocol: Protocol,
    vendor: &'static str,
    answer: &Answer,
    job_id: &str,
    parse: fn(&dyn Wire, Value) -> Result<Snapshot, String>,
) -> Result<Snapshot, Error> {
    let value = checked_json(protocol, vendor, answer, Some(job_id))?;
    parse(wire(protocol), value).map_err(|message| decode_error(vendor, job_id, message, answer))
}

/// A cancel answer.
pub(crate) fn parse_cancel(
    protocol: Protocol,
    vendor: &'static str,
    answer: &Answer,
    job_id: &str,
) -> Result<CancelOutcome, Error> {
    let value = checked_json(protocol, vendor, answer, Some(job_id))?;
    wire(protocol)
        .parse_cancel(&value)
        .map_err(|message| decode_error(vendor, job_id, message, answer))
}

/// Parses the body as JSON and turns error answers (HTTP or in-body) into
/// [`Error::Api`]; a 2xx body that is not JSON is a decode error.
pub(crate) fn checked_json(
    protocol: Protocol,
    vendor: &'static str,
    answer: &Answer,
    job_id: Option<&str>,
) -> Result<Value, Error> {
    let parsed = serde_json::from_slice::<Value>(&answer.body);
    let success = (200..300).contains(&answer.status);
    match parsed {
        Ok(value) => {
            let in_body = wire(protocol).in_body_error(&value).is_some();
            if success && !in_body {
                Ok(value)
            } else {
                Err(api_error(protocol, vendor, answer, Some(&value), job_id))
            }
        }
        Err(_) if !success => Err(api_error(protocol, vendor, answer, None, job_id)),
        Err(err) => Err(Error::Decode {
            vendor,
            job_id: job_id.map(str::to_owned),
            message: format!("{err}; body: {}", excerpt(&answer.body)),
        }),
    }
}

/// An [`Error::Api`] from an error answer, with the vendor's fields where
/// its error shape is known and the raw text otherwise.
fn api_error(
    protocol: Protocol,
    vendor: &'static str,
    answer: &Answer,
    value: Option<&Value>,
    job_id: Option<&str>,
) -> Error {
    let parsed = value
        .map(|value| wire(protocol).vendor_error(value))
        .unwrap_or_default();
    let message = parsed.message.unwrap_or_else(|| {
        let text = excerpt(&answer.body);
        if text.is_empty() {
            "(empty body)".to_owned()
        } else {
            text
        }
    });
    Error::Api(Box::new(ApiError {
        vendor,
        job_id: job_id.map(str::to_owned),
        status: answer.status,
        code: parsed.code,
        message,
        retry_after: answer.retry_after,
    }))
}

fn decode_error(vendor: &'static str, job_id: &str, message: String, answer: &Answer) -> Error {
    Error::Decode {
        vendor,
        job_id: Some(job_id.to_owned()),
        message: format!("{message}; body: {}", excerpt(&answer.body)),
    }
}

/// A JSON value as an error code: numbers and strings as text.
pub(crate) fn code_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// A message that may be a string, an object with `message`, or a list.
pub(crate) fn message_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) if !text.trim().is_empty() => Some(text.clone()),
        Value::Object(map) => message_text(map.get("message"))
            .or_else(|| message_text(map.get("msg")))
            .or_else(|| message_text(map.get("name"))),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(|v| message_text(Some(v))).collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        _ => None,
    }
}

/// Strings from a value that may be one string or a list of strings.
pub(crate) fn urls(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(url)) if !url.is_empty() => vec![url.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| match item {
                Value::String(url) if !url.is_empty() => Some(url.clone()),
                Value::Object(map) => match map.get("url") {
                    Some(Value::String(url)) if !url.is_empty() => Some(url.clone()),
                    _ => None,
                },
                _ => None,
            })
            .collect(),
        Some(Value::Object(map)) => urls(map.get("url")),
        _ => Vec::new(),
    }
}

/// The status word of an answer, required.
pub(crate) fn status_word<'a>(value: &'a Value, pointer: &str) -> Result<&'a str, String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("answer has no string `{pointer}`"))
}

/// Percent-encodes a job id for use as one path segment or query value, so
/// an id from the outside cannot change the request path.
pub(crate) fn encode(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_cannot_escape_their_segment() {
        assert_eq!(encode("abc-123_x.y~z"), "abc-123_x.y~z");
        assert_eq!(encode("../x?y=1#"), "..%2Fx%3Fy%3D1%23");
    }

    #[test]
    fn every_vendor_word_maps() {
        use JobState::*;
        let cases = [
            (Protocol::RunComfy, "in_queue", Queued),
            (Protocol::RunComfy, "in_progress", Running),
            (Protocol::RunComfy, "completed", Succeeded),
            (Protocol::RunComfy, "succeeded", Succeeded),
            (Protocol::RunComfy, "failed", Failed),
            (Protocol::RunComfy, "cancelled", Cancelled),
            (Protocol::AimlApi, "queued", Queued),
            (Protocol::AimlApi, "waiting", Running),
            (Protocol::AimlApi, "active", Running),
            (Protocol::AimlApi, "generating", Running),
            (Protocol::AimlApi, "completed", Succeeded),
            (Protocol::AimlApi, "error", Failed),
            (Protocol::WaveSpeed, "created", Queued),
            (Protocol::WaveSpeed, "processing", Running),
            (Protocol::WaveSpeed, "completed", Succeeded),
            (Protocol::WaveSpeed, "failed", Failed),
            (Protocol::WaveSpeed, "cancelled", Cancelled),
            (Protocol::WaveSpeed, "timeout", Failed),
            (Protocol::WaveSpeed, "deleted", Failed),
        ];
        for (protocol, word, state) in cases {
            assert_eq!(wire(protocol).state(word), state, "{protocol} {word}");
        }
        for protocol in Protocol::ALL {
            let state = wire(protocol).state("teleporting");
            assert_eq!(state, Unknown("teleporting".into()));
            assert!(!state.is_terminal());
        }
    }
}
