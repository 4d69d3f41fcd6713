//! One catalog answer, from the cache while it is fresh, else from the
//! network (revalidated with `If-None-Match` when a cached copy has an
//! `ETag`), else, when the catalog cannot be reached, answers something
//! that is not JSON or no longer lists the model, the stale copy with the
//! reason (a bad answer never replaces a good copy). Answers are read up
//! to a cap: a catalog that answers gigabytes costs no more than
//! [`MAX_ANSWER_BYTES`].

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, ETAG, IF_NONE_MATCH};
use serde::de::IgnoredAny;

use super::cache::{Cache, Cached, unix_now};
use super::error::CatalogError;
use crate::connection::Connection;

/// The largest catalog answer read (WaveSpeed's whole catalog, with every
/// schema, is a few megabytes).
pub const MAX_ANSWER_BYTES: usize = 32 << 20;
/// How long one catalog request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Where an answer came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// The cache, younger than the time to live: no request was sent.
    Cached,
    /// The network: a new answer, or a cached one the catalog confirmed
    /// unchanged (304).
    Fetched,
    /// The cache, older than the time to live, because the catalog could
    /// not be reached (the reason).
    Stale(String),
}

/// An answer and where it came from.
pub(crate) struct Answer {
    pub cached: Cached,
    pub freshness: Freshness,
}

/// The answer of `url` (read for `model`, or `None` for a listing), per
/// the module's rules.
pub(crate) async fn answer(
    conn: &Connection,
    model: Option<&str>,
    cache: &Cache,
    ttl: Duration,
    url: &str,
    with_token: bool,
) -> Result<Answer, CatalogError> {
    let cached = cache.get(url);
    if let Some(cached) = cached.clone().filter(|c| c.age() < ttl) {
        return Ok(Answer {
            cached,
            freshness: Freshness::Cached,
        });
    }
    let etag = cached.as_ref().and_then(|c| c.etag.as_deref());
    match request(conn, model, url, with_token, etag).await {
        Ok(Reply::Unchanged) => {
            let mut cached = cached.ok_or_else(|| CatalogError::Unreachable {
                vendor: conn.vendor(),
                url: url.to_owned(),
                cause: "304 Not Modified to a request that named no ETag".to_owned(),
            })?;
            cached.fetched_at = unix_now();
            let _ = cache.put(&cached);
            Ok(Answer {
                cached,
                freshness: Freshness::Fetched,
            })
        }
        // An answer that is not JSON (an error page served with 200) never
        // replaces a good copy.
        Ok(Reply::Body { body, .. }) if serde_json::from_str::<IgnoredAny>(&body).is_err() => {
            let err = CatalogError::Malformed {
                vendor: conn.vendor(),
                url: url.to_owned(),
                problem: "the answer is not JSON".to_owned(),
            };
            stale_or(cached, err)
        }
        Ok(Reply::Body { etag, body }) => {
            let cached = Cached {
                url: url.to_owned(),
                etag,
                fetched_at: unix_now(),
                body,
            };
            let _ = cache.put(&cached);
            Ok(Answer {
                cached,
                freshness: Freshness::Fetched,
            })
        }
        // A model the catalog no longer lists keeps its cached schema (jobs
        // of it may still be followed), with the reason shown.
        Err(err) => stale_or(cached, err),
    }
}

/// The cached copy with why it is used, else `err`.
fn stale_or(cached: Option<Cached>, err: CatalogError) -> Result<Answer, CatalogError> {
    let Some(cached) = cached else {
        return Err(err);
    };
    let cause = match err {
        CatalogError::Unreachable { cause, .. } => cause,
        other => other.to_string(),
    };
    Ok(Answer {
        cached,
        freshness: Freshness::Stale(cause),
    })
}

/// What the catalog said.
enum Reply {
    Unchanged,
    Body { etag: Option<String>, body: String },
}

async fn request(
    conn: &Connection,
    model: Option<&str>,
    url: &str,
    with_token: bool,
    etag: Option<&str>,
) -> Result<Reply, CatalogError> {
    let unreachable = |cause: String| CatalogError::Unreachable {
        vendor: conn.vendor(),
        url: url.to_owned(),
        cause,
    };
    let mut request = conn.http_client().get(url).timeout(TIMEOUT);
    if let (true, Some(auth)) = (with_token, conn.authorization()) {
        request = request.header(AUTHORIZATION, auth.clone());
    }
    if let Some(etag) = etag {
        request = request.header(IF_NONE_MATCH, etag);
    }
    let mut response = request
        .send()
        .await
        .map_err(|e| unreachable(describe(&e)))?;
    let status = response.status();
    if status == StatusCode::NOT_MODIFIED && etag.is_some() {
        return Ok(Reply::Unchanged);
    }
    if status == StatusCode::NOT_FOUND {
        // For a model: not listed. For a listing: the catalog itself is
        // missing a piece it publishes.
        return Err(match model {
            Some(model) => CatalogError::NotListed {
                vendor: conn.vendor(),
                model: model.to_owned(),
                url: url.to_owned(),
            },
            None => CatalogError::Malformed {
                vendor: conn.vendor(),
                url: url.to_owned(),
                problem: "no such listing (404)".to_owned(),
            },
        });
    }
    if !status.is_success() {
        return Err(unreachable(format!("HTTP {status}")));
    }
    let etag = response
        .headers()
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if response
        .content_length()
        .is_some_and(|len| len > MAX_ANSWER_BYTES as u64)
    {
        return Err(too_large(conn, url));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| unreachable(describe(&e)))?
    {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(too_large(conn, url));
        }
        body.extend_from_slice(&chunk);
    }
    let body = String::from_utf8(body).map_err(|_| CatalogError::Malformed {
        vendor: conn.vendor(),
        url: url.to_owned(),
        problem: "the answer is not UTF-8 text".to_owned(),
    })?;
    Ok(Reply::Body { etag, body })
}

fn too_large(conn: &Connection, url: &str) -> CatalogError {
    CatalogError::Malformed {
        vendor: conn.vendor(),
        url: url.to_owned(),
        problem: format!("the answer is larger than {MAX_ANSWER_BYTES} bytes"),
    }
}

/// reqwest's error with its cause (its own text leaves the cause out).
fn describe(err: &reqwest::Error) -> String {
    match std::error::Error::source(err) {
        Some(cause) => format!("{err}: {cause}"),
        None => err.to_string(),
    }
}
