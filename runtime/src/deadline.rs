//! [`Deadline`]: the one time bound threaded through waiting, polling,
//! retrying, probing and downloading, so that no sleep, retry or request
//! runs past what the caller allowed, and no `Duration` (not even
//! `Duration::MAX`) can overflow an `Instant` and panic.

use std::{future::Future, time::Duration};

use tokio::time::Instant;

/// A point in time after which work stops; `never()` for no bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Deadline {
    /// `None` when `now + timeout` does not fit in an `Instant`: no bound.
    at: Option<Instant>,
}

impl Deadline {
    /// `timeout` from now; a timeout too large to represent means no bound.
    pub(crate) fn after(timeout: Duration) -> Self {
        Self::after_from(Instant::now(), timeout)
    }

    /// `timeout` from `now` (a [`Clock`](crate::clock::Clock)'s instant).
    pub(crate) fn after_from(now: Instant, timeout: Duration) -> Self {
        Deadline {
            at: now.checked_add(timeout),
        }
    }

    /// No bound at all.
    pub(crate) fn never() -> Self {
        Deadline { at: None }
    }

    /// Time left (zero once past); `None` when unbounded.
    pub(crate) fn remaining(&self) -> Option<Duration> {
        self.remaining_at(Instant::now())
    }

    /// Time left at `now` (zero once past); `None` when unbounded.
    pub(crate) fn remaining_at(&self, now: Instant) -> Option<Duration> {
        self.at.map(|at| at.saturating_duration_since(now))
    }

    /// `wanted`, cut to the time left.
    pub(crate) fn clamp(&self, wanted: Duration) -> Duration {
        match self.remaining() {
            Some(left) => wanted.min(left),
            None => wanted,
        }
    }

    /// True when `wanted` fits in the time left.
    pub(crate) fn allows(&self, wanted: Duration) -> bool {
        self.remaining().is_none_or(|left| wanted <= left)
    }

    /// Runs `work` until it finishes (`Some`) or the deadline passes (`None`).
    pub(crate) async fn run<F: Future>(&self, work: F) -> Option<F::Output> {
        match self.at {
            Some(at) => tokio::time::timeout_at(at, work).await.ok(),
            None => Some(work.await),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_timeouts_mean_no_bound_instead_of_a_panic() {
        let deadline = Deadline::after(Duration::MAX);
        assert_eq!(deadline.remaining(), None);
        assert_eq!(deadline.clamp(Duration::MAX), Duration::MAX);
        assert!(deadline.allows(Duration::MAX));
    }

    #[test]
    fn a_bound_clamps_sleeps_and_passes() {
        let bound = Deadline::after(Duration::from_millis(50));
        assert!(bound.remaining().unwrap() <= Duration::from_millis(50));
        assert!(!bound.allows(Duration::from_secs(1)));
        assert!(bound.clamp(Duration::from_secs(5)) <= Duration::from_millis(50));
        assert_eq!(
            Deadline::after(Duration::ZERO).remaining(),
            Some(Duration::ZERO)
        );
        assert_eq!(Deadline::never().remaining(), None);
    }
}
