//! When and how long to wait before repeating an idempotent request.
//!
//! Defaults follow openai-python: 2 retries, 0.5 s doubling to 8 s, up to
//! 25% jitter taken off, and a server's `Retry-After` honoured up to a bound.
//! A POST (submit, cancel) is re-sent only when the connection failed before
//! the request was written (see `Connection::post`, used by
//! `Connection::submit_raw`). [`retrying`] is the one loop every retried
//! request goes through; the wait loop keeps its own poll schedule.

use std::{
    future::Future,
    time::{Duration, SystemTime},
};

use crate::{clock::Clock, deadline::Deadline};

/// How requests are retried: idempotent GETs (status, result, download) on
/// transient failures; POSTs (submit, cancel) only on connect errors (and a
/// submit on 429, which created nothing).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// Delay before the first retry; doubled for each further one.
    pub initial_delay: Duration,
    /// Cap on the computed delay.
    pub max_delay: Duration,
    /// Cap on a server-sent `Retry-After`: longer values are cut to this, so
    /// a confused server cannot park a caller for an hour.
    pub max_retry_after: Duration,
    /// Fraction of the delay that jitter may take off (0.0..=1.0), so many
    /// clients that failed together do not retry together.
    pub jitter: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
            jitter: 0.25,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The delay before retry number `retry` (0-based), before jitter.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(31));
        self.initial_delay
            .saturating_mul(factor)
            .min(self.max_delay)
    }

    /// The delay before retry number `retry`: the server's `Retry-After`
    /// (capped) when given, else the backoff with jitter. `unit` is a random
    /// number in `0.0..1.0`; passing it in keeps this function pure.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>, unit: f64) -> Duration {
        match retry_after {
            Some(after) => after.min(self.max_retry_after),
            None => apply_jitter(self.backoff(retry), self.jitter, unit),
        }
    }
}

/// What a finished attempt calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Return this outcome as it is.
    Final,
    /// Try again (if retries are left), after the server's `Retry-After`
    /// when it sent one, else after the backoff.
    Retry(Option<Duration>),
}

/// Runs `attempt` until `verdict` calls its outcome final, `policy` has no
/// retries left, or the next delay would end past `deadline`, sleeping
/// [`RetryPolicy::delay`] between attempts; returns the last outcome. A
/// retry that cannot happen in time is not slept for: the caller hears the
/// last answer at once rather than at its deadline. Sleeps and jitter come
/// from `clock`, so tests of retries run on virtual time.
pub(crate) async fn retrying<T, E, Fut>(
    clock: &Clock,
    policy: &RetryPolicy,
    deadline: Deadline,
    mut verdict: impl FnMut(&Result<T, E>) -> Verdict,
    mut attempt: impl FnMut() -> Fut,
) -> Result<T, E>
where
    Fut: Future<Output = Result<T, E>>,
{
    let mut retry = 0;
    loop {
        let outcome = attempt().await;
        match verdict(&outcome) {
            Verdict::Retry(retry_after) if retry < policy.max_retries => {
                let delay = policy.delay(retry, retry_after, clock.unit());
                if !deadline.allows(delay) {
                    return outcome;
                }
                clock.sleep(delay).await;
                retry += 1;
            }
            _ => return outcome,
        }
    }
}

/// Takes up to `jitter` (a fraction) off `delay`, scaled by `unit` in `0..1`.
pub(crate) fn apply_jitter(delay: Duration, jitter: f64, unit: f64) -> Duration {
    let take = (jitter.clamp(0.0, 1.0) * unit.clamp(0.0, 1.0)).min(1.0);
    scale(delay, 1.0 - take)
}

/// `delay * factor`, saturating at `Duration::MAX` instead of panicking
/// like `Duration::mul_f64` does on overflow (and NaN counts as 1).
pub(crate) fn scale(delay: Duration, factor: f64) -> Duration {
    let factor = if factor.is_nan() {
        1.0
    } else {
        factor.max(0.0)
    };
    Duration::try_from_secs_f64(delay.as_secs_f64() * factor).unwrap_or(Duration::MAX)
}

/// Statuses worth repeating an idempotent request for: 429, the gateway
/// errors that usually pass (502, 503, 504), and 500, which a vendor's
/// overloaded backend answers now and then. Only GETs (status, result,
/// download) act on it: a POST is never re-sent on any of these but 429
/// (`Connection::post`), since a 500 may come after the job was created.
/// 501 and 505 say the request can never work, so they are not retried.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// Parses a `Retry-After` value: delay-seconds (`"120"`, also a decimal
/// `"1.5"`) or an HTTP-date, relative to `now`. A date in the past is zero.
/// Anything else is `None`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0)
            .then(|| Duration::try_from_secs_f64(seconds).ok())
            .flatten();
    }
    let when = seedance_dialect::UtcTime::parse_http_date(value)?.to_system_time();
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// `Retry-After` from response headers, if present and readable.
pub(crate) fn retry_after_header(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = seedance_dialect::UtcTime::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT")
            .unwrap()
            .to_system_time();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("1.5", now),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("-3", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }

    #[test]
    fn backoff_doubles_to_the_cap() {
        let policy = RetryPolicy::default();
        let delays: Vec<_> = (0..7).map(|n| policy.backoff(n).as_millis()).collect();
        assert_eq!(delays, [500, 1000, 2000, 4000, 8000, 8000, 8000]);
        assert_eq!(policy.backoff(u32::MAX), Duration::from_secs(8));
    }

    #[test]
    fn jitter_only_shortens_and_retry_after_is_capped() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(0, None, 0.0), Duration::from_millis(500));
        assert_eq!(policy.delay(0, None, 0.999_999).as_millis(), 375);
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(3)), 0.5),
            Duration::from_secs(3)
        );
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(3600)), 0.5),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn huge_delays_saturate_instead_of_panicking() {
        let policy = RetryPolicy {
            initial_delay: Duration::MAX,
            max_delay: Duration::MAX,
            ..RetryPolicy::default()
        };
        assert_eq!(policy.delay(3, None, 0.0), Duration::MAX);
        assert!(policy.delay(3, None, 0.9) > Duration::from_secs(1 << 60));
        assert_eq!(scale(Duration::MAX, 1.1), Duration::MAX);
    }

    #[test]
    fn retryable_statuses() {
        for status in [429, 500, 502, 503, 504] {
            assert!(is_retryable_status(status));
        }
        for status in [200, 400, 401, 403, 404, 501, 505] {
            assert!(!is_retryable_status(status));
        }
    }
}
