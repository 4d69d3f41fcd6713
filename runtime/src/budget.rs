//! The request budget of one [`Connection`](crate::Connection): every API
//! request of every job on it takes a slot, so a process following 10,000
//! jobs sends at most `per_second` requests a second (after a burst), however
//! many of them poll at once.
//!
//! It is a GCRA (the token bucket as one timestamp): a slot is granted at
//! `max(now, tat - burst/rate)`, and each grant moves the theoretical arrival
//! time `tat` on by `1/rate`. A 429 halves the rate (at most once a second:
//! the answers to requests already in flight are the same news) and holds
//! every request until the server's `Retry-After`, cut to the retry policy's
//! `max_retry_after` (one job's answer must not stop the whole connection for
//! a day); the rate then climbs back to the user's ceiling linearly over
//! `recovery`. A request whose slot would come after its deadline is refused
//! without taking the slot, so it is never sent late. All decisions are pure
//! functions of the instant passed in, so they are tested without a clock.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

/// The rate limit of a connection, set by the user and lowered on 429.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Requests per second at most (default 50; `f64::INFINITY` turns the
    /// budget off).
    pub per_second: f64,
    /// Requests that may go at once before the rate applies (default 50).
    pub burst: u32,
    /// Floor of the rate after repeated 429s (default 0.5 per second).
    pub min_per_second: f64,
    /// Time for a lowered rate to climb back to `per_second` (default 60 s).
    pub recovery: Duration,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            per_second: 50.0,
            burst: 50,
            min_per_second: 0.5,
            recovery: Duration::from_secs(60),
        }
    }
}

impl RateLimit {
    /// At most `per_second` requests a second, other settings default.
    pub fn per_second(per_second: f64) -> Self {
        RateLimit {
            per_second,
            ..Self::default()
        }
    }

    /// No budget: every request goes at once (429s still slow retries).
    pub fn unlimited() -> Self {
        Self::per_second(f64::INFINITY)
    }

    fn ceiling(&self) -> f64 {
        if self.per_second.is_nan() || self.per_second <= 0.0 {
            Self::default().per_second
        } else {
            self.per_second
        }
    }

    fn floor(&self) -> f64 {
        self.min_per_second.clamp(1e-3, self.ceiling())
    }
}

/// The shared state behind a connection's budget.
#[derive(Debug)]
pub(crate) struct Budget {
    limit: RateLimit,
    /// Longest hold a `Retry-After` may put on the connection
    /// ([`RetryPolicy::max_retry_after`](crate::RetryPolicy::max_retry_after)).
    max_hold: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Clone, Copy)]
struct State {
    /// Theoretical arrival time of the next request at the current rate.
    tat: Option<Instant>,
    /// The last 429 and the rate it left, for the climb back.
    lowered: Option<(Instant, f64)>,
    /// No request before this (the server's `Retry-After`).
    hold_until: Option<Instant>,
}

impl Budget {
    /// A budget of `limit` whose `Retry-After` holds last `max_hold` at most.
    pub(crate) fn new(limit: RateLimit, max_hold: Duration) -> Self {
        Budget {
            limit,
            max_hold,
            state: Mutex::new(State {
                tat: None,
                lowered: None,
                hold_until: None,
            }),
        }
    }

    /// The rate in force at `now`: the ceiling, or a lowered rate climbing
    /// back to it.
    pub(crate) fn rate(&self, now: Instant) -> f64 {
        let state = *self.lock();
        self.rate_at(&state, now)
    }

    fn rate_at(&self, state: &State, now: Instant) -> f64 {
        let ceiling = self.limit.ceiling();
        match state.lowered {
            None => ceiling,
            Some((at, low)) => {
                let recovery = self.limit.recovery.as_secs_f64();
                let progress = if recovery > 0.0 {
                    now.saturating_duration_since(at).as_secs_f64() / recovery
                } else {
                    1.0
                };
                if progress >= 1.0 || ceiling.is_infinite() {
                    // An unlimited budget lowered by a 429 stays at the
                    // lowered rate until the recovery time has passed.
                    if progress >= 1.0 { ceiling } else { low }
                } else {
                    low + (ceiling - low) * progress
                }
            }
        }
    }

    /// Takes the next slot: the instant at or after `now` when a request may
    /// be sent. A slot after `latest` (the request's deadline) is not taken:
    /// `Err` says when it would have been, and the requests behind are not
    /// pushed back by one that will never be sent.
    pub(crate) fn reserve(
        &self,
        now: Instant,
        latest: Option<Instant>,
    ) -> Result<Instant, Instant> {
        let mut state = self.lock();
        let earliest = state.hold_until.map_or(now, |hold| hold.max(now));
        let (slot, tat) = self.next_slot(&state, earliest);
        if latest.is_some_and(|latest| slot > latest) {
            return Err(slot);
        }
        if tat.is_some() {
            state.tat = tat;
        }
        Ok(slot)
    }

    /// The slot at or after `earliest`, and the arrival time after it
    /// (`None` when the budget is unlimited and keeps no time).
    fn next_slot(&self, state: &State, earliest: Instant) -> (Instant, Option<Instant>) {
        let rate = self.rate_at(state, earliest);
        if rate.is_infinite() {
            return (earliest, None);
        }
        let interval = Duration::from_secs_f64(1.0 / rate);
        let window = interval.saturating_mul(self.limit.burst.max(1) - 1);
        let tat = state.tat.unwrap_or(earliest).max(earliest);
        let slot = tat
            .checked_sub(window)
            .map_or(earliest, |start| start.max(earliest));
        (slot, Some(tat + interval))
    }

    /// A 429 answered at `now`: the rate halves (once a second at most) and,
    /// with a `Retry-After`, no request goes before it has passed or
    /// `max_hold` has, whichever comes first.
    pub(crate) fn throttled(&self, now: Instant, retry_after: Option<Duration>) {
        let mut state = self.lock();
        // A hold past what an `Instant` can hold is as good as none: every
        // request's own retry still waits the (capped) Retry-After.
        if let Some(until) = retry_after.and_then(|after| now.checked_add(after.min(self.max_hold)))
        {
            state.hold_until = Some(state.hold_until.map_or(until, |hold| hold.max(until)));
        }
        let recent = state
            .lowered
            .is_some_and(|(at, _)| now.saturating_duration_since(at) < Duration::from_secs(1));
        if recent {
            return;
        }
        let current = self.rate_at(&state, now);
        let base = if current.is_infinite() {
            // No limit set: start from what was actually sent, the burst.
            f64::from(self.limit.burst.max(1))
        } else {
            current
        };
        let lowered = (base / 2.0).max(self.limit.floor());
        state.lowered = Some((now, lowered));
        // Slots already granted stand; new ones follow the lower rate.
        state.tat = Some(state.tat.map_or(now, |tat| tat.max(now)));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is a few instants: a panic mid-update leaves it usable.
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOLD: Duration = Duration::from_secs(60);

    fn slot(budget: &Budget, now: Instant) -> Instant {
        budget.reserve(now, None).expect("no deadline")
    }

    fn slots(budget: &Budget, now: Instant, n: usize) -> Vec<Duration> {
        (0..n).map(|_| slot(budget, now) - now).collect()
    }

    #[test]
    fn a_burst_goes_at_once_then_the_rate_applies() {
        let budget = Budget::new(
            RateLimit {
                per_second: 10.0,
                burst: 3,
                ..RateLimit::default()
            },
            HOLD,
        );
        let now = Instant::now();
        let ms: Vec<u128> = slots(&budget, now, 6)
            .iter()
            .map(Duration::as_millis)
            .collect();
        assert_eq!(ms, [0, 0, 0, 100, 200, 300]);
    }

    #[test]
    fn ten_thousand_jobs_polling_at_once_stay_within_the_rate() {
        let budget = Budget::new(RateLimit::per_second(50.0), HOLD);
        let now = Instant::now();
        let granted = slots(&budget, now, 10_000);
        // In every one-second window: at most the rate plus the burst.
        for window in 0..200u64 {
            let from = Duration::from_secs(window);
            let to = from + Duration::from_secs(1);
            let in_window = granted.iter().filter(|&&t| t >= from && t < to).count();
            let allowed = if window == 0 { 50 + 50 } else { 50 };
            assert!(
                in_window <= allowed,
                "{in_window} requests in second {window}"
            );
        }
        // And the budget is used: the last slot is near (10,000 - 50) / 50 s.
        let last = granted.last().copied().unwrap_or_default().as_secs_f64();
        assert!((198.0..=199.1).contains(&last), "{last}");
    }

    #[test]
    fn a_429_halves_the_rate_once_and_it_climbs_back() {
        let budget = Budget::new(RateLimit::per_second(40.0), HOLD);
        let now = Instant::now();
        budget.throttled(now, None);
        budget.throttled(now + Duration::from_millis(200), None);
        assert_eq!(budget.rate(now), 20.0);
        assert_eq!(budget.rate(now + Duration::from_secs(30)), 30.0);
        assert_eq!(budget.rate(now + Duration::from_secs(60)), 40.0);
        // A second 429 a second later halves again.
        budget.throttled(now + Duration::from_secs(2), None);
        let rate = budget.rate(now + Duration::from_secs(2));
        let climbed = 20.0 + 20.0 * 2.0 / 60.0;
        assert!((rate - climbed / 2.0).abs() < 1e-9, "{rate}");
    }

    #[test]
    fn repeated_429s_stop_at_the_floor() {
        let budget = Budget::new(RateLimit::per_second(8.0), HOLD);
        let now = Instant::now();
        for second in 0..20 {
            budget.throttled(now + Duration::from_secs(second), None);
        }
        assert_eq!(budget.rate(now + Duration::from_secs(19)), 0.5);
    }

    #[test]
    fn retry_after_holds_every_request() {
        let budget = Budget::new(RateLimit::unlimited(), HOLD);
        let now = Instant::now();
        assert_eq!(slot(&budget, now), now);
        budget.throttled(now, Some(Duration::from_secs(5)));
        let held = slot(&budget, now + Duration::from_secs(1));
        assert_eq!(held, now + Duration::from_secs(5));
        // An unlimited budget is limited after a 429, to half its burst.
        assert_eq!(budget.rate(now + Duration::from_secs(6)), 25.0);
        assert!(budget.rate(now + Duration::from_secs(61)).is_infinite());
    }

    #[test]
    fn a_huge_retry_after_holds_for_max_hold_only() {
        let budget = Budget::new(RateLimit::unlimited(), HOLD);
        let now = Instant::now();
        budget.throttled(now, Some(Duration::from_secs(100_000)));
        assert_eq!(slot(&budget, now), now + HOLD);
        // Past what an `Instant` can hold: no panic, and no hold past the cap.
        let uncapped = Budget::new(RateLimit::unlimited(), Duration::MAX);
        uncapped.throttled(now, Some(Duration::MAX));
        assert!(slot(&uncapped, now) <= now + HOLD);
    }

    #[test]
    fn a_slot_past_the_deadline_is_refused_and_not_taken() {
        let budget = Budget::new(
            RateLimit {
                per_second: 1.0,
                burst: 1,
                ..RateLimit::default()
            },
            HOLD,
        );
        let now = Instant::now();
        let second = Duration::from_secs(1);
        assert_eq!(budget.reserve(now, Some(now)), Ok(now));
        // The next slot is a second away: a request due in half a second is
        // refused with the slot it would have had, and that slot stays free.
        let soon = now + second / 2;
        assert_eq!(budget.reserve(now, Some(soon)), Err(now + second));
        assert_eq!(budget.reserve(now, Some(now + second)), Ok(now + second));
        // A Retry-After hold counts the same way.
        budget.throttled(now, Some(Duration::from_secs(30)));
        let held = now + Duration::from_secs(30);
        assert_eq!(budget.reserve(now, Some(now + second * 5)), Err(held));
    }
}
