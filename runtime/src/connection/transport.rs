//! Sending API requests: bearer auth, per-request timeout, bounded answer
//! bodies, and the retry rules.
//!
//! - GETs (status, result) are idempotent: retried on any transport failure
//!   (connect, timeout, dropped connection) and on 429/500/502/503/504.
//! - Every attempt first takes a slot of the connection's request budget
//!   (`budget.rs`); a 429 lowers it for every job on the connection. An
//!   attempt whose slot would come after its deadline is not sent at all
//!   ([`Error::BudgetTimeout`]): never late, and for a POST never "maybe". Until
//!   the first answer, requests go one at a time (`warm.rs`), so an HTTP/2
//!   vendor gets one connection, not one per job submitted at once.
//! - Request bodies in flight on a connection stay within 64 KiB, the
//!   HTTP/2 connection window every server grants (`window.rs`): each goes
//!   in one DATA frame instead of 1-byte pieces that servers answer with
//!   GOAWAY `ENHANCE_YOUR_CALM`.
//! - POSTs are retried only when the connection failed before the request
//!   was written (`is_connect`): a submit must never create two paid jobs,
//!   and a lost submit answer is reported as "may or may not exist".

use std::time::Duration;

use bytes::Bytes;
use reqwest::{
    Method, Response,
    header::{AUTHORIZATION, CONTENT_TYPE},
};

use super::Connection;
use crate::{
    deadline::Deadline,
    error::Error,
    protocol::Answer,
    retry::{Verdict, is_retryable_status, retry_after_header, retrying},
};

/// Why one attempt failed.
enum Failure {
    /// Transport-level, with reqwest's classification.
    Http(reqwest::Error),
    /// The body went over `max_answer_bytes`.
    TooLarge(u64),
    /// Not sent: the budget's next slot was this far off, past the deadline.
    NoSlot(Duration),
}

impl Connection {
    /// GET an API path with the token, retrying per the retry policy. A
    /// retryable status that persists is returned as an answer (the protocol
    /// turns it into an error with the vendor's message).
    /// Neither a request nor a retry runs past `deadline`.
    pub(crate) async fn get(
        &self,
        path: &str,
        job_id: Option<&str>,
        deadline: Deadline,
    ) -> Result<Answer, Error> {
        let verdict = |outcome: &Result<Answer, Failure>| match outcome {
            Ok(answer) if is_retryable_status(answer.status) => Verdict::Retry(answer.retry_after),
            Err(Failure::Http(err)) if !err.is_builder() => Verdict::Retry(None),
            _ => Verdict::Final,
        };
        retrying(
            self.clock(),
            &self.config().retry,
            deadline,
            verdict,
            || self.attempt(Method::GET, path, None, deadline),
        )
        .await
        .map_err(|failure| self.failure(failure, path, job_id))
    }

    /// POST a JSON body, re-sent only after a connect failure, or after a
    /// 429 when `retry_429` is set (a 429 means the request was refused
    /// before anything was created). `Err` from a failure after the request
    /// may have been written is returned with `true`; the caller decides
    /// what it means (uncertain submit, failed cancel).
    pub(crate) async fn post(
        &self,
        path: &str,
        body: Vec<u8>,
        job_id: Option<&str>,
        deadline: Deadline,
        retry_429: bool,
    ) -> Result<Answer, (Error, bool)> {
        let verdict = |outcome: &Result<Answer, Failure>| match outcome {
            Err(Failure::Http(err)) if err.is_connect() => Verdict::Retry(None),
            Ok(answer) if retry_429 && answer.status == 429 => Verdict::Retry(answer.retry_after),
            _ => Verdict::Final,
        };
        // Shared, not copied: a retry re-sends the same buffer.
        let body = Bytes::from(body);
        retrying(
            self.clock(),
            &self.config().retry,
            deadline,
            verdict,
            || self.attempt(Method::POST, path, Some(body.clone()), deadline),
        )
        .await
        .map_err(|failure| {
            let sent = match &failure {
                Failure::Http(err) => !err.is_connect() && !err.is_builder(),
                Failure::TooLarge(_) => true,
                Failure::NoSlot(_) => false,
            };
            (self.failure(failure, path, job_id), sent)
        })
    }

    /// One request and its whole (bounded) body, within the per-request
    /// timeout and the time left before `deadline`.
    async fn attempt(
        &self,
        method: Method,
        path: &str,
        body: Option<Bytes>,
        deadline: Deadline,
    ) -> Result<Answer, Failure> {
        // Its turn among the connection's requests before anything is
        // built (`streams.rs`); not sent if the deadline comes first.
        let _turn = deadline
            .run(self.turns().request())
            .await
            .ok_or(Failure::NoSlot(Duration::ZERO))?;
        self.wait_for_slot(deadline).await?;
        // A body waits until it fits beside the bodies in flight, so HTTP/2
        // flow control never cuts it into tiny frames (`window.rs`). Not
        // sent if the deadline comes first.
        let room = match &body {
            Some(body) => Some(
                deadline
                    .run(self.body_window().room(body.len()))
                    .await
                    .ok_or(Failure::NoSlot(Duration::ZERO))?,
            ),
            None => None,
        };
        let request = self.http_client().request(method, self.url(path));
        let mut request = match self.authorization() {
            Some(value) => request.header(AUTHORIZATION, value.clone()),
            // Not a valid header value: reqwest reports it (a builder error).
            None => request.bearer_auth(self.token().expose_secret()),
        }
        .timeout(deadline.clamp(self.config().timeout));
        if let Some(body) = body {
            request = request.header(CONTENT_TYPE, "application/json").body(body);
        }
        let turn = self.warm_up().turn().await;
        let response = request.send().await.map_err(Failure::Http)?;
        self.warm_up().answered();
        drop(turn);
        // Answered: the server has the body (or will not read it).
        drop(room);
        let status = response.status().as_u16();
        let retry_after = retry_after_header(response.headers());
        if status == 429 {
            self.budget().throttled(self.clock().now(), retry_after);
        }
        let body = if (200..300).contains(&status) {
            read_limited(response, self.config().max_answer_bytes).await?
        } else {
            read_prefix(response, ERROR_BODY_BYTES).await
        };
        Ok(Answer {
            status,
            retry_after,
            body,
        })
    }

    /// Waits for this attempt's slot in the request budget. The wait counts
    /// against the deadline: a slot after it is refused, so the request is
    /// never sent later than its caller allowed.
    async fn wait_for_slot(&self, deadline: Deadline) -> Result<(), Failure> {
        let now = self.clock().now();
        let latest = deadline.remaining().and_then(|left| now.checked_add(left));
        match self.budget().reserve(now, latest) {
            Ok(slot) if slot > now => self.clock().sleep(slot - now).await,
            Ok(_) => {}
            Err(slot) => return Err(Failure::NoSlot(slot.saturating_duration_since(now))),
        }
        Ok(())
    }

    fn failure(&self, failure: Failure, path: &str, job_id: Option<&str>) -> Error {
        match failure {
            Failure::Http(source) => Error::Transport {
                vendor: self.vendor(),
                job_id: job_id.map(str::to_owned),
                source,
            },
            Failure::TooLarge(size) => Error::Decode {
                vendor: self.vendor(),
                job_id: job_id.map(str::to_owned),
                message: format!(
                    "answer to {path} is over {size} bytes, more than any API answer should be"
                ),
            },
            Failure::NoSlot(wait) => Error::BudgetTimeout {
                vendor: self.vendor(),
                job_id: job_id.map(str::to_owned),
                path: path.to_owned(),
                wait,
            },
        }
    }
}

/// Bytes of an error answer's body read at most: enough for any vendor's
/// error JSON, and a 400 MB error page costs no more than this.
pub(crate) const ERROR_BODY_BYTES: usize = 64 * 1024;

/// The first `limit` bytes of a body (the rest is never read: dropping the
/// response closes its connection). A body that fails midway keeps what
/// arrived, since it is only shown in an error.
pub(crate) async fn read_prefix(mut response: Response, limit: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let keep = chunk.len().min(limit - body.len());
                body.extend_from_slice(&chunk[..keep]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    body
}

/// Reads a body, refusing more than `limit` bytes.
async fn read_limited(mut response: Response, limit: u64) -> Result<Vec<u8>, Failure> {
    if response.content_length().is_some_and(|len| len > limit) {
        return Err(Failure::TooLarge(limit));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Failure::Http)? {
        if body.len() as u64 + chunk.len() as u64 > limit {
            return Err(Failure::TooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
