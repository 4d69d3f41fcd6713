//! Judging a submit answer: a job, a refusal, or "may exist". The one
//! place that decides whether a paid request could have created a job.

use serde_json::Value;

use super::{Answer, Protocol, checked_json, wire};
use crate::error::{Error, excerpt};

/// What a submit answer means for the job.
#[derive(Debug)]
pub(crate) enum SubmitVerdict {
    /// A success answer with a job id.
    Created(String),
    /// The vendor refused the request (a 4xx, over HTTP or in the body):
    /// no job was created.
    Rejected(Error),
    /// The job may exist: a server error, an unreadable success, or an id
    /// next to an error. An id the answer carried is kept.
    Uncertain {
        /// The id found in the answer, whatever else was wrong with it.
        job_id: Option<String>,
        /// What was wrong.
        cause: Error,
    },
}

/// Judges a submit answer. An id is never dropped: a 2xx answer with an id
/// and no error field is a job whatever its exact status (201, 202); an id
/// next to an error makes the outcome uncertain, with the id. A server error
/// (HTTP 5xx, or a 5xx code in the body under HTTP 200) may have created the
/// job; only a 4xx (HTTP or in the body) is a refusal.
pub(crate) fn judge_submit(
    protocol: Protocol,
    vendor: &'static str,
    answer: &Answer,
) -> SubmitVerdict {
    let value = serde_json::from_slice::<Value>(&answer.body).ok();
    let id = value
        .as_ref()
        .and_then(|value| wire(protocol).submit_id(value))
        .filter(|id| !id.is_empty())
        .map(str::to_owned);
    let checked = checked_json(protocol, vendor, answer, None);
    let in_body = value
        .as_ref()
        .and_then(|value| in_body_status(protocol, value));
    let status = in_body.map_or(answer.status, |code| code.max(answer.status));
    match (checked, id) {
        (Ok(_), Some(id)) => SubmitVerdict::Created(id),
        (Err(cause), Some(id)) => SubmitVerdict::Uncertain {
            job_id: Some(id),
            cause,
        },
        (Err(cause @ Error::Api(_)), None) if (400..500).contains(&status) => {
            SubmitVerdict::Rejected(cause)
        }
        (Err(cause), None) => SubmitVerdict::Uncertain {
            job_id: None,
            cause,
        },
        (Ok(_), None) => SubmitVerdict::Uncertain {
            job_id: None,
            cause: Error::Decode {
                vendor,
                job_id: None,
                message: format!(
                    "HTTP {} submit answer names no job id: {}",
                    answer.status,
                    excerpt(&answer.body)
                ),
            },
        },
    }
}

/// The HTTP-like class of an error code carried in a body under any HTTP
/// status: WaveSpeed's `code` (`500`, task codes like `5003`), RunComfy's
/// `error_code` (`500001`). `None` when the body names no such code.
fn in_body_status(protocol: Protocol, value: &Value) -> Option<u16> {
    let code = wire(protocol).in_body_error(value)?;
    let number = match code {
        Value::Number(number) => number.as_u64()?,
        Value::String(text) => text.trim().parse().ok()?,
        _ => return None,
    };
    let class = match number {
        100..=599 => number,
        1_000..=5_999 => number / 10,
        100_000..=599_999 => number / 1000,
        _ => return None,
    };
    u16::try_from(class).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            retry_after: None,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn submit_answers_never_lose_an_id_and_never_call_a_maybe_a_no() {
        use Protocol::*;
        let judge = |protocol, status, body| judge_submit(protocol, "V", &answer(status, body));
        let created = |verdict| matches!(verdict, SubmitVerdict::Created(id) if id == "j1");
        let uncertain_with_id = |verdict| matches!(verdict, SubmitVerdict::Uncertain { job_id: Some(id), .. } if id == "j1");
        let uncertain = |verdict| matches!(verdict, SubmitVerdict::Uncertain { job_id: None, .. });
        let rejected = |verdict| matches!(verdict, SubmitVerdict::Rejected(_));

        let ws_ok = r#"{"code":200,"message":"success","data":{"id":"j1"}}"#;
        assert!(created(judge(WaveSpeed, 201, ws_ok)));
        assert!(created(judge(RunComfy, 201, r#"{"request_id":"j1"}"#)));
        let rc_error = r#"{"request_id":"j1","error_code":500001,"error_message":"oops"}"#;
        assert!(uncertain_with_id(judge(RunComfy, 200, rc_error)));
        let ws_error = r#"{"code":500,"message":"internal","data":{"id":"j1"}}"#;
        assert!(uncertain_with_id(judge(WaveSpeed, 200, ws_error)));
        assert!(uncertain(judge(
            WaveSpeed,
            200,
            r#"{"code":500,"message":"internal"}"#
        )));
        assert!(uncertain(judge(
            WaveSpeed,
            200,
            r#"{"code":5003,"message":"busy"}"#
        )));
        assert!(uncertain(judge(RunComfy, 200, r#"{"error_code":500001}"#)));
        assert!(uncertain(judge(RunComfy, 502, "bad gateway")));
        assert!(uncertain(judge(RunComfy, 200, r#"{"status":"#)));
        assert!(uncertain(judge(RunComfy, 200, r#"{"status":"in_queue"}"#)));
        assert!(rejected(judge(
            WaveSpeed,
            200,
            r#"{"code":400,"message":"bad input"}"#
        )));
        assert!(rejected(judge(RunComfy, 200, r#"{"error_code":400004}"#)));
        assert!(rejected(judge(RunComfy, 401, r#"{"error_code":401001}"#)));
        assert!(rejected(judge(AimlApi, 429, r#"{"message":"slow down"}"#)));
    }
}
