//! The polling schedule of `Job::wait`, as a pure function of the poll
//! number and the time since the job was submitted, so it can be tested and
//! benchmarked without a clock. The loop that uses it lives in `wait.rs`.
//!
//! Why these defaults: Seedance jobs take 5 s to 10 min, and a queue can
//! stretch that to an hour. A fixed 1 s poll costs about one request per
//! second of job and overshoots (time between the job finishing and the
//! caller hearing of it) by 0.5 s on median. This schedule starts at 1.5 s
//! and grows by 1.3x to a 2.5 s cap (+-10% jitter): for every job of 30 s to
//! 60 min it sends under half the requests of the fixed poll (0.4x), with a
//! median overshoot near 1.25 s (half the cap). Only past an hour, when a
//! job is stuck rather than rendering, does polling slow to 5 s. Many jobs
//! in one process share the connection's request budget
//! ([`ClientBuilder::requests_per_second`](crate::ClientBuilder::requests_per_second)),
//! which bounds the total rate whatever the schedule.

use std::time::Duration;

/// Poll intervals for `Job::wait`; tests use millisecond values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PollPolicy {
    /// Delay before the first poll after submit.
    pub initial: Duration,
    /// Growth factor from one poll to the next (>= 1.0).
    pub factor: f64,
    /// Cap on the interval while the job is young.
    pub max: Duration,
    /// Age after which a job is polled at `long_interval` instead.
    pub long_after: Duration,
    /// Interval for jobs older than `long_after`.
    pub long_interval: Duration,
    /// Spread of the jitter, as a fraction: 0.1 gives +-10%.
    pub jitter: f64,
}

impl Default for PollPolicy {
    fn default() -> Self {
        PollPolicy {
            initial: Duration::from_millis(1500),
            factor: 1.3,
            max: Duration::from_millis(2500),
            long_after: Duration::from_secs(3600),
            long_interval: Duration::from_secs(5),
            jitter: 0.1,
        }
    }
}

impl PollPolicy {
    /// A fixed interval, no growth and no jitter (tests, baselines).
    pub fn fixed(interval: Duration) -> Self {
        PollPolicy {
            initial: interval,
            factor: 1.0,
            max: interval,
            long_after: Duration::MAX,
            long_interval: interval,
            jitter: 0.0,
        }
    }

    /// The delay before poll number `attempt` (0 = the first poll after
    /// submit) for a job submitted `elapsed` ago, without jitter.
    pub fn delay(&self, attempt: u32, elapsed: Duration) -> Duration {
        if elapsed >= self.long_after {
            return self.long_interval;
        }
        let growth = self.factor.max(1.0).powi(attempt.min(64) as i32);
        let grown = Duration::try_from_secs_f64(self.initial.as_secs_f64() * growth)
            .unwrap_or(Duration::MAX);
        grown.min(self.max).max(self.initial.min(self.max))
    }

    /// [`delay`](Self::delay) spread by the jitter: `unit` is a random number
    /// in `0.0..1.0` (0.5 gives the plain delay).
    pub fn jittered(&self, attempt: u32, elapsed: Duration, unit: f64) -> Duration {
        let spread = self.jitter.clamp(0.0, 1.0) * (2.0 * unit.clamp(0.0, 1.0) - 1.0);
        crate::retry::scale(self.delay(attempt, elapsed), 1.0 + spread)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Poll times (seconds after submit) until the first poll at or after
    /// `finish`; returns (requests, overshoot).
    fn simulate(policy: &PollPolicy, finish: f64, unit: impl Fn(u32) -> f64) -> (u32, f64) {
        let mut now = 0.0;
        let mut attempt = 0;
        loop {
            now += policy
                .jittered(attempt, Duration::from_secs_f64(now), unit(attempt))
                .as_secs_f64();
            attempt += 1;
            if now >= finish {
                return (attempt, now - finish);
            }
        }
    }

    #[test]
    fn schedule_grows_to_the_cap_then_slows_for_old_jobs() {
        let policy = PollPolicy::default();
        let ms: Vec<_> = (0..5)
            .map(|n| policy.delay(n, Duration::ZERO).as_millis())
            .collect();
        assert_eq!(ms, [1500, 1950, 2500, 2500, 2500]);
        assert_eq!(
            policy.delay(3, Duration::from_secs(3601)),
            Duration::from_secs(5)
        );
        assert_eq!(policy.delay(u32::MAX, Duration::ZERO), policy.max);
    }

    #[test]
    fn jitter_stays_within_its_spread() {
        let policy = PollPolicy::default();
        let low = policy.jittered(9, Duration::ZERO, 0.0);
        let high = policy.jittered(9, Duration::ZERO, 0.999_999);
        assert_eq!(low, Duration::from_millis(2250));
        assert!(high <= Duration::from_millis(2750) && high > Duration::from_millis(2749));
        assert_eq!(
            policy.jittered(9, Duration::ZERO, 0.5),
            Duration::from_millis(2500)
        );
    }

    #[test]
    fn duration_max_interval_does_not_panic() {
        let policy = PollPolicy::fixed(Duration::MAX);
        assert_eq!(policy.jittered(3, Duration::MAX, 0.99), Duration::MAX);
        let jittery = PollPolicy {
            jitter: 0.5,
            ..PollPolicy::fixed(Duration::MAX)
        };
        assert_eq!(jittery.jittered(0, Duration::ZERO, 1.0), Duration::MAX);
    }

    #[test]
    fn fixed_policy_is_fixed() {
        let policy = PollPolicy::fixed(Duration::from_millis(5));
        for attempt in [0, 1, 10, 1000] {
            assert_eq!(
                policy.jittered(attempt, Duration::from_secs(10_000), 0.9),
                Duration::from_millis(5)
            );
        }
    }

    /// The benchmark target: against a fixed 1 s poll, at most half the
    /// requests and a median overshoot under 1.5 s for jobs of 30 s to 60 min.
    #[test]
    fn default_beats_fixed_one_second_poll() {
        let policy = PollPolicy::default();
        let baseline = PollPolicy::fixed(Duration::from_secs(1));
        let mut rng = fastrand::Rng::with_seed(7);
        let mut overshoots = Vec::new();
        // Every 3.7 s from 30 s to 60 min: 965 job lengths.
        for step in 0..=964 {
            let finish = 30.0 + f64::from(step) * 3.7 + 0.037;
            // At most 3600 / 2.25 polls (the cap less its jitter).
            let units: Vec<f64> = (0..1700).map(|_| rng.f64()).collect();
            let (requests, overshoot) = simulate(&policy, finish, |n| units[n as usize]);
            let (base_requests, _) = simulate(&baseline, finish, |_| 0.5);
            assert!(
                2 * requests <= base_requests,
                "{finish} s: {requests} vs {base_requests}"
            );
            overshoots.push(overshoot);
        }
        overshoots.sort_by(f64::total_cmp);
        let median = overshoots[overshoots.len() / 2];
        assert!(median < 1.5, "median overshoot {median}");
    }
}
