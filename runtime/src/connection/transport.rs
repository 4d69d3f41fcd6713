//! Sending API requests: bearer auth, per-request timeout, bounded answer
//! bodies, and the retry rules.
//!
//! - GETs (status, result) are idempotent: retried on any transport failure
//!   (connect, timeout, dropped connection) and on 429/502/503/504.
//! - POSTs are retried only when the connection failed before the request
//!   was written (`is_connect`): a submit must never create two paid jobs,
//!   and a lost submit answer is reported as "may or may not exist".

use std::time::Duration;

use reqwest::{Method, Response, header::CONTENT_TYPE};

use super::Connection;
use crate::{
    error::Error,
    retry::{Verdict, is_retryable_status, retry_after_header, retrying},
};

/// A complete answer: status, `Retry-After`, body.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub status: u16,
    pub retry_after: Option<Duration>,
    pub body: Vec<u8>,
}

/// Why one attempt failed.
enum Failure {
    /// Transport-level, with reqwest's classification.
    Http(reqwest::Error),
    /// The body went over `max_answer_bytes`.
    TooLarge(u64),
}

impl Connection {
    /// GET an API path with the token, retrying per the retry policy. A
    /// retryable status that persists is returned as an answer (the protocol
    /// turns it into an error with the vendor's message).
    pub(crate) async fn get(&self, path: &str, job_id: Option<&str>) -> Result<Answer, Error> {
        let verdict = |outcome: &Result<Answer, Failure>| match outcome {
            Ok(answer) if is_retryable_status(answer.status) => Verdict::Retry(answer.retry_after),
            Err(Failure::Http(err)) if !err.is_builder() => Verdict::Retry(None),
            _ => Verdict::Final,
        };
        retrying(&self.config().retry, verdict, || {
            self.attempt(Method::GET, path, None)
        })
        .await
        .map_err(|failure| self.failure(failure, path, job_id))
    }

    /// POST a JSON body, re-sent only after a connect failure. `Err` from a
    /// failure after the request may have been written is returned as is;
    /// the caller decides what it means (uncertain submit, failed cancel).
    pub(crate) async fn post(
        &self,
        path: &str,
        body: Vec<u8>,
        job_id: Option<&str>,
    ) -> Result<Answer, (Error, bool)> {
        let verdict = |outcome: &Result<Answer, Failure>| match outcome {
            Err(Failure::Http(err)) if err.is_connect() => Verdict::Retry(None),
            _ => Verdict::Final,
        };
        retrying(&self.config().retry, verdict, || {
            self.attempt(Method::POST, path, Some(body.clone()))
        })
        .await
        .map_err(|failure| {
            let sent = match &failure {
                Failure::Http(err) => !err.is_connect() && !err.is_builder(),
                Failure::TooLarge(_) => true,
            };
            (self.failure(failure, path, job_id), sent)
        })
    }

    /// One request and its whole (bounded) body.
    async fn attempt(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Answer, Failure> {
        let mut request = self
            .http_client()
            .request(method, self.url(path))
            .bearer_auth(self.token().expose_secret())
            .timeout(self.config().timeout);
        if let Some(body) = body {
            request = request.header(CONTENT_TYPE, "application/json").body(body);
        }
        let response = request.send().await.map_err(Failure::Http)?;
        let status = response.status().as_u16();
        let retry_after = retry_after_header(response.headers());
        let body = read_limited(response, self.config().max_answer_bytes).await?;
        Ok(Answer {
            status,
            retry_after,
            body,
        })
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
        }
    }
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
