//! [`Clock`]: a connection's time source (now, sleep, and the poll jitter's
//! random numbers) as one input, the way the smithy-rs waiter takes its
//! `TimeSource` and `AsyncSleep`. `Job::wait`, its poll schedule and the
//! request budget read it, and retries sleep their backoff and `Retry-After`
//! on it, so tests follow an hour-long job on virtual time in milliseconds.
//! The requests themselves (connect and read timeouts) stay on real time.
//!
//! The same clock gives wall-clock milliseconds ([`Clock::unix_ms`]): what
//! the journal stamps leases, retry times and events with, so one virtual
//! clock drives both the runtime and the journal. A clock made with
//! [`Clock::manual`] is shared by any number of sleepers: time moves only
//! when [`Clock::advance`] moves it, and the sleepers it passes are woken
//! in deadline order, each seeing its own deadline as now.

use std::{
    collections::BTreeMap,
    fmt,
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll, Waker},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use crate::deadline::Deadline;

/// Real time (the default) or virtual time, moved by its sleepers or by
/// [`advance`](Clock::advance).
#[derive(Clone, Default)]
pub struct Clock {
    /// `None` for real time.
    manual: Option<Arc<Mutex<Manual>>>,
}

/// The state of a virtual clock.
struct Manual {
    now: Instant,
    /// Where it started, in both time scales.
    start: (Instant, i64),
    /// Seeded, so a test's jitter is the same on every run.
    rng: fastrand::Rng,
    /// `None`: a sleep moves the clock itself (one waiter). Otherwise the
    /// sleepers waiting for [`Clock::advance`], by deadline, then arrival.
    sleepers: Option<BTreeMap<(Instant, u64), Option<Waker>>>,
    /// The arrival number of the next sleeper.
    arrivals: u64,
}

/// Milliseconds since the Unix epoch of `time` (0 if before it).
fn unix_ms_of(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Clock {
    /// Tokio timers, `Instant::now()`, `SystemTime::now()` and `fastrand`.
    pub fn real() -> Self {
        Self::default()
    }

    /// Virtual time starting now: a sleep returns at once, having moved the
    /// clock on by its length (meant for one waiter; concurrent sleepers
    /// each move it: use [`manual`](Self::manual) for many). Jitter comes
    /// from `seed`.
    pub fn virtual_time(seed: u64) -> Self {
        Self::new_virtual(seed, None)
    }

    /// Virtual time starting now that moves only when
    /// [`advance`](Self::advance) moves it: any number of tasks may sleep
    /// on it (the smithy-rs `ManualTimeSource` with a controlled sleep).
    /// Jitter comes from `seed`.
    pub fn manual(seed: u64) -> Self {
        Self::new_virtual(seed, Some(BTreeMap::new()))
    }

    fn new_virtual(seed: u64, sleepers: Option<BTreeMap<(Instant, u64), Option<Waker>>>) -> Self {
        let now = Instant::now();
        Clock {
            manual: Some(Arc::new(Mutex::new(Manual {
                now,
                start: (now, unix_ms_of(SystemTime::now())),
                rng: fastrand::Rng::with_seed(seed),
                sleepers,
                arrivals: 0,
            }))),
        }
    }

    fn state(&self) -> Option<std::sync::MutexGuard<'_, Manual>> {
        // A few plain values: a panic mid-update leaves them usable.
        let manual = self.manual.as_ref()?;
        Some(manual.lock().unwrap_or_else(|poison| poison.into_inner()))
    }

    /// The current instant on this clock.
    pub fn now(&self) -> Instant {
        match self.state() {
            Some(manual) => manual.now,
            None => Instant::now(),
        }
    }

    /// Milliseconds since the Unix epoch on this clock (0 before it): the
    /// wall clock on real time; on virtual time, the wall clock when it was
    /// made plus the virtual time gone by since.
    pub fn unix_ms(&self) -> i64 {
        let Some(manual) = self.state() else {
            return unix_ms_of(SystemTime::now());
        };
        let (start, start_ms) = manual.start;
        let gone = i64::try_from((manual.now - start).as_millis()).unwrap_or(i64::MAX);
        start_ms.saturating_add(gone)
    }

    /// Sleeps `duration`. On [`virtual_time`](Self::virtual_time), moves
    /// the clock on instead; on [`manual`](Self::manual), waits until
    /// [`advance`](Self::advance) reaches the deadline. A virtual clock
    /// stays put where `Instant` cannot go (`Duration::MAX`: never woken on
    /// a manual clock).
    pub async fn sleep(&self, duration: Duration) {
        let deadline = {
            let Some(mut manual) = self.state() else {
                return tokio::time::sleep(duration).await;
            };
            let deadline = manual.now.checked_add(duration);
            if manual.sleepers.is_none() {
                manual.now = deadline.unwrap_or(manual.now);
                return;
            }
            manual.arrivals += 1;
            deadline.map(|at| (at, manual.arrivals))
        };
        match deadline {
            Some(deadline) => {
                Sleep {
                    clock: self,
                    deadline,
                }
                .await
            }
            None => std::future::pending().await,
        }
    }

    /// Moves a [`manual`](Self::manual) clock on by `by`, waking the
    /// sleepers it passes in deadline order: the clock stands at each one's
    /// deadline while it runs up to its next wait (on a current-thread
    /// runtime). Moves a [`virtual_time`](Self::virtual_time) clock on;
    /// nothing on real time.
    pub async fn advance(&self, by: Duration) {
        let Some(target) = self.state().and_then(|m| m.now.checked_add(by)) else {
            return;
        };
        while let Some(waker) = self.pass_next(target) {
            if let Some(waker) = waker {
                waker.wake();
            }
            tokio::task::yield_now().await;
        }
        if let Some(mut manual) = self.state() {
            manual.now = manual.now.max(target);
        }
    }

    /// Takes the first sleeper due by `target` and sets the clock to its
    /// deadline; its waker, if it has one.
    fn pass_next(&self, target: Instant) -> Option<Option<Waker>> {
        let mut manual = self.state()?;
        let sleepers = manual.sleepers.as_mut()?;
        let first = *sleepers.keys().next().filter(|(at, _)| *at <= target)?;
        let waker = sleepers.remove(&first);
        manual.now = manual.now.max(first.0);
        waker
    }

    /// A random number in `0.0..1.0` for jitter.
    pub(crate) fn unit(&self) -> f64 {
        match self.state() {
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

/// A sleep on a [`Clock::manual`] clock: done once the clock reaches its
/// deadline; registered with the clock while it waits.
struct Sleep<'a> {
    clock: &'a Clock,
    /// The deadline and the arrival number (two sleepers may share one).
    deadline: (Instant, u64),
}

impl Future for Sleep<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Some(mut manual) = self.clock.state() else {
            return Poll::Ready(());
        };
        if manual.now >= self.deadline.0 {
            return Poll::Ready(());
        }
        if let Some(sleepers) = manual.sleepers.as_mut() {
            sleepers.insert(self.deadline, Some(cx.waker().clone()));
        }
        Poll::Pending
    }
}

impl Drop for Sleep<'_> {
    fn drop(&mut self) {
        if let Some(mut manual) = self.clock.state()
            && let Some(sleepers) = manual.sleepers.as_mut()
        {
            sleepers.remove(&self.deadline);
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

    #[tokio::test]
    async fn a_manual_clock_wakes_many_sleepers_in_deadline_order() {
        let clock = Clock::manual(1);
        let start = clock.now();
        let woke = Arc::new(Mutex::new(Vec::new()));
        let sleeper = |secs: u64| {
            let (clock, woke) = (clock.clone(), woke.clone());
            tokio::spawn(async move {
                clock.sleep(Duration::from_secs(secs)).await;
                woke.lock().unwrap().push((secs, clock.now() - start));
            })
        };
        let tasks = [sleeper(30), sleeper(10), sleeper(20), sleeper(10)];
        tokio::task::yield_now().await;
        clock.advance(Duration::from_secs(15)).await;
        assert_eq!(clock.now() - start, Duration::from_secs(15));
        clock.advance(Duration::from_secs(15)).await;
        for task in tasks {
            task.await.unwrap();
        }
        let secs = |s| (s, Duration::from_secs(s));
        let expected = [secs(10), secs(10), secs(20), secs(30)];
        assert_eq!(*woke.lock().unwrap(), expected);
    }

    #[tokio::test]
    async fn unix_ms_follows_virtual_time() {
        let clock = Clock::manual(1);
        let before = clock.unix_ms();
        assert!((before - Clock::real().unix_ms()).abs() < 1_000);
        clock.advance(Duration::from_secs(3600)).await;
        assert_eq!(clock.unix_ms() - before, 3_600_000);
        let jumping = Clock::virtual_time(1);
        let before = jumping.unix_ms();
        jumping.sleep(Duration::from_millis(1500)).await;
        assert_eq!(jumping.unix_ms() - before, 1500);
    }
}
