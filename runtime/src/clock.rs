//! [`Clock`]: a connection's time source (now, sleep, and the poll jitter's
//! random numbers) as one input, the way the smithy-rs waiter takes its
//! `TimeSource` and `AsyncSleep`. `Job::wait`, its poll schedule and the
//! request budget read it, and retries sleep their backoff and `Retry-After`
//! on it, so tests follow an hour-long job on virtual time in milliseconds.
//! The requests themselves (connect and read timeouts) stay on real time.

use std::{
    fmt,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use crate::deadline::Deadline;

/// Real time (the default) or virtual time that jumps ahead when slept on.
#[derive(Clone, Default)]
pub struct Clock {
    /// `None` for real time.
    manual: Option<Arc<Mutex<Manual>>>,
}

/// The state of a virtual clock.
struct Manual {
    now: Instant,
    /// Seeded, so a test's jitter is the same on every run.
    rng: fastrand::Rng,
}

impl Clock {
    /// Tokio timers, `Instant::now()` and `fastrand`.
    pub fn real() -> Self {
        Self::default()
    }

    /// Virtual time starting now: a sleep returns at once, having moved the
    /// clock on by its length (meant for one waiter; concurrent sleepers
    /// each move it). Jitter comes from `seed`.
    pub fn virtual_time(seed: u64) -> Self {
        Clock {
            manual: Some(Arc::new(Mutex::new(Manual {
                now: Instant::now(),
                rng: fastrand::Rng::with_seed(seed),
            }))),
        }
    }

    fn manual(&self) -> Option<std::sync::MutexGuard<'_, Manual>> {
        // A few plain values: a panic mid-update leaves them usable.
        let manual = self.manual.as_ref()?;
        Some(manual.lock().unwrap_or_else(|poison| poison.into_inner()))
    }

    /// The current instant on this clock.
    pub fn now(&self) -> Instant {
        match self.manual() {
            Some(manual) => manual.now,
            None => Instant::now(),
        }
    }

    /// Sleeps `duration`; on virtual time, moves the clock on instead. A
    /// virtual clock stays put where `Instant` cannot go (`Duration::MAX`).
    pub(crate) async fn sleep(&self, duration: Duration) {
        if let Some(mut manual) = self.manual() {
            manual.now = manual.now.checked_add(duration).unwrap_or(manual.now);
            return;
        }
        tokio::time::sleep(duration).await;
    }

    /// A random number in `0.0..1.0` for jitter.
    pub(crate) fn unit(&self) -> f64 {
        match self.manual() {
            Some(mut manual) => manual.rng.f64(),
            None => fastrand::f64(),
        }
    }

    /// A deadline `timeout` from now on this clock; read it with
    /// [`remaining`](Self::remaining), not with `Deadline`'s own methods.
    pub(crate) fn deadline(&self, timeout: Duration) -> Deadline {
        match self.manual {
            Some(_) => Deadline::after_from(tokio::time::Instant::from_std(self.now()), timeout),
            None => Deadline::after(timeout),
        }
    }

    /// Time left before a [`deadline`](Self::deadline) of this clock.
    pub(crate) fn remaining(&self, deadline: &Deadline) -> Option<Duration> {
        match self.manual {
            Some(_) => deadline.remaining_at(tokio::time::Instant::from_std(self.now())),
            None => deadline.remaining(),
        }
    }

    /// The same bound in real time, for requests: the deadline itself on
    /// real time, the virtual time left from now on a virtual clock.
    pub(crate) fn for_requests(&self, deadline: Deadline) -> Deadline {
        match self.manual {
            Some(_) => self
                .remaining(&deadline)
                .map_or(Deadline::never(), Deadline::after),
            None => deadline,
        }
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.manual {
            Some(_) => f.write_str("Clock(virtual)"),
            None => f.write_str("Clock(real)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn virtual_sleep_moves_the_clock_without_waiting() {
        let clock = Clock::virtual_time(1);
        let start = clock.now();
        let real = Instant::now();
        clock.sleep(Duration::from_secs(3600)).await;
        assert_eq!(clock.now() - start, Duration::from_secs(3600));
        clock.sleep(Duration::MAX).await;
        assert_eq!(clock.now() - start, Duration::from_secs(3600));
        assert!(real.elapsed() < Duration::from_secs(1));
    }

    #[tokio::test]
    async fn virtual_deadlines_count_virtual_time() {
        let clock = Clock::virtual_time(1);
        let deadline = clock.deadline(Duration::from_secs(60));
        clock.sleep(Duration::from_secs(45)).await;
        assert_eq!(clock.remaining(&deadline), Some(Duration::from_secs(15)));
        let real = clock.for_requests(deadline).remaining().unwrap();
        assert!(real <= Duration::from_secs(15) && real > Duration::from_secs(14));
        clock.sleep(Duration::from_secs(20)).await;
        assert_eq!(clock.remaining(&deadline), Some(Duration::ZERO));
        let never = clock.deadline(Duration::MAX);
        assert_eq!(clock.remaining(&never), None);
    }

    #[test]
    fn virtual_jitter_is_seeded() {
        let draws = |clock: Clock| (0..4).map(|_| clock.unit()).collect::<Vec<_>>();
        assert_eq!(draws(Clock::virtual_time(7)), draws(Clock::virtual_time(7)));
        assert!(
            draws(Clock::real())
                .iter()
                .all(|unit| (0.0..1.0).contains(unit))
        );
    }
}
