//! The one polling loop behind `Job::wait`: it follows a job to a terminal
//! state on the [`PollPolicy`](crate::PollPolicy) schedule, reports changes
//! (not every poll) through a callback, rides out failed polls until its
//! deadline (only the vendor ends a job), and always names the job in its
//! errors. Its time (now, sleeps, jitter and the deadline) comes from the
//! connection's [`Clock`](crate::clock::Clock), so it is tested on virtual
//! time.

use std::time::{Duration, Instant};

use crate::{
    deadline::Deadline,
    error::Error,
    job::Job,
    output::Output,
    poll::PollPolicy,
    retry::RetryPolicy,
    state::{JobState, JobStatus},
};

/// Overrides for one `wait_with` call; unset fields use the client's config.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WaitOptions {
    /// Give up after this long ([`Error::Timeout`]); the job keeps running.
    pub timeout: Option<Duration>,
    /// Poll at this fixed interval instead of the client's schedule.
    pub poll_interval: Option<Duration>,
}

impl WaitOptions {
    /// All defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the deadline.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets a fixed poll interval.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = Some(interval);
        self
    }
}

/// What `wait_with` reports to its callback: changes, not every poll.
#[derive(Debug)]
#[non_exhaustive]
pub enum Progress<'a> {
    /// The state changed (the first answer counts as a change).
    State {
        /// The job.
        job_id: &'a str,
        /// The new status.
        status: &'a JobStatus,
        /// The state before, if one was seen.
        previous: Option<&'a JobState>,
        /// Time since waiting started.
        elapsed: Duration,
    },
    /// Same state, new queue position.
    QueuePosition {
        /// The job.
        job_id: &'a str,
        /// The new position.
        position: Option<u32>,
        /// Time since waiting started.
        elapsed: Duration,
    },
    /// A poll or result fetch failed (network, 429, any 5xx, an unreadable
    /// or oversized answer); waiting goes on, backing off, until the
    /// deadline, whose [`Error::Timeout`] then carries the last failure.
    PollFailed {
        /// The job.
        job_id: &'a str,
        /// What failed.
        error: &'a Error,
        /// Time since waiting started.
        elapsed: Duration,
    },
}

impl Job {
    /// Waits for the job to finish and returns its output, with the client's
    /// poll schedule and deadline.
    pub async fn wait(&self) -> Result<Output, Error> {
        self.wait_with(WaitOptions::default(), |_| {}).await
    }

    /// [`wait`](Self::wait) with overrides and a progress callback.
    ///
    /// Once a job exists only the vendor ends it, so this returns the output,
    /// the vendor's verdict ([`Error::JobFailed`], [`Error::JobCancelled`],
    /// [`Error::NoOutput`]: see [`Error::is_job_outcome`]), or
    /// [`Error::Timeout`] at the deadline, carrying the last poll failure.
    /// Every failed poll or result fetch (network, any 5xx, 404, 429, an
    /// unreadable or oversized answer) is reported as
    /// [`Progress::PollFailed`] and polled again, backing off while failures
    /// go on: one bad answer must not end a paid job. The one exception is a
    /// client that cannot work as configured ([`Error::is_setup_error`]: a
    /// refused token, 401/403): waiting longer cannot fix it, so it is
    /// returned at once, and it says nothing about the job.
    pub async fn wait_with(
        &self,
        options: WaitOptions,
        mut progress: impl FnMut(&Progress<'_>),
    ) -> Result<Output, Error> {
        let config = self.connection().config();
        let clock = self.connection().clock();
        let policy = options.poll_interval.map_or(config.poll, PollPolicy::fixed);
        let started = clock.now();
        // One bound for everything below: sleeps, polls and their retries.
        let deadline = clock.deadline(options.timeout.unwrap_or(config.wait_timeout));
        let is_past = || clock.remaining(&deadline) == Some(Duration::ZERO);
        // The schedule is measured from submit; a resumed job is polled at once.
        let origin = self.submitted_at().unwrap_or(started);
        let mut heard = Heard::default();
        let mut attempt = 0u32;
        let mut poll_now = self.submitted_at().is_none();
        loop {
            if !poll_now {
                let since_origin = clock.now().saturating_duration_since(origin);
                let mut delay = policy.jittered(attempt, since_origin, clock.unit());
                if attempt == 0 {
                    delay = delay.saturating_sub(since_origin);
                }
                let delay = delay.max(heard.hold(&config.retry));
                match clock.remaining(&deadline) {
                    // The next poll would come after the deadline: say so now
                    // rather than sleeping to the deadline for nothing.
                    Some(left) if left.is_zero() || delay > left => {
                        return Err(self.timed_out(heard));
                    }
                    _ => clock.sleep(delay).await,
                }
                attempt = attempt.saturating_add(1);
            }
            poll_now = false;

            // Requests run on real time (their retries sleep on the clock),
            // bounded by what the wait has left.
            let request_deadline = clock.for_requests(deadline);
            // On the heap, only while a poll runs: its request futures are
            // most of a wait's state, and a job spends nearly all its life
            // asleep between polls (10,000 jobs in flight keep 10,000 waits).
            let outcome =
                Box::pin(self.poll_once(request_deadline, started, &mut heard, &mut progress))
                    .await;
            match judge(outcome) {
                Step::Again => heard.answered(),
                Step::Done(done) => return done,
                Step::Failed(error) => {
                    progress(&Progress::PollFailed {
                        job_id: self.id(),
                        error: &error,
                        elapsed: clock.now().saturating_duration_since(started),
                    });
                    heard.failed(error);
                }
            }
            if is_past() {
                return Err(self.timed_out(heard));
            }
        }
    }

    /// One status poll, reported through `progress`, and the result fetch
    /// it calls for; `None` while the job runs.
    async fn poll_once(
        &self,
        deadline: Deadline,
        started: Instant,
        heard: &mut Heard,
        progress: &mut impl FnMut(&Progress<'_>),
    ) -> Option<Result<Output, Error>> {
        let snapshot = match self.poll(deadline).await {
            Ok(snapshot) => snapshot,
            Err(err) => return Some(Err(err)),
        };
        let elapsed = self
            .connection()
            .clock()
            .now()
            .saturating_duration_since(started);
        report(
            self.id(),
            &snapshot.status,
            heard.status.as_ref(),
            elapsed,
            progress,
        );
        heard.status = Some(snapshot.status.clone());
        match snapshot.status.state {
            JobState::Succeeded | JobState::Failed if !snapshot.has_result => {
                // RunComfy: the output and failure message live in the result answer.
                Some(self.result_until(deadline).await)
            }
            ref state if state.is_terminal() => Some(self.finish(snapshot)),
            _ => None,
        }
    }

    fn timed_out(&self, heard: Heard) -> Error {
        Error::Timeout {
            job_id: self.id().to_owned(),
            last_state: heard.status.map(|status| status.state),
            last_error: heard.error.map(Box::new),
        }
    }
}

/// What one poll calls for.
enum Step {
    /// The job runs (or its result is not ready yet): poll again.
    Again,
    /// Waiting is over: the output, the vendor's verdict, or a setup error.
    Done(Result<Output, Error>),
    /// The poll failed; a later one may not.
    Failed(Error),
}

/// Judges one poll's outcome, apart from the loop so the rule is in one
/// place: only the vendor ends a job ([`Error::is_job_outcome`]), and only a
/// client that cannot work as configured ([`Error::is_setup_error`]) stops
/// waiting early. Anything else is a failed poll.
fn judge(outcome: Option<Result<Output, Error>>) -> Step {
    match outcome {
        None | Some(Err(Error::NotFinished { .. })) => Step::Again,
        Some(Ok(output)) => Step::Done(Ok(output)),
        Some(Err(err)) if err.is_job_outcome() || err.is_setup_error() => Step::Done(Err(err)),
        Some(Err(err)) => Step::Failed(err),
    }
}

/// What the wait has heard: the last state, and the failures since the
/// last good answer (for the backoff and for [`Error::Timeout`]).
#[derive(Default)]
struct Heard {
    /// The last status answer.
    status: Option<JobStatus>,
    /// The last poll failure, when no good answer came after it.
    error: Option<Error>,
    /// Failed polls in a row.
    failures: u32,
}

impl Heard {
    fn answered(&mut self) {
        self.error = None;
        self.failures = 0;
    }

    fn failed(&mut self, error: Error) {
        self.error = Some(error);
        self.failures = self.failures.saturating_add(1);
    }

    /// The least time before the next poll after failures: the retry
    /// backoff for the failures in a row (0.5 s doubling to 8 s by default,
    /// so an outage is not polled at full rate), and the vendor's
    /// `Retry-After` (capped) when the last failure carried one.
    fn hold(&self, retry: &RetryPolicy) -> Duration {
        let Some(error) = &self.error else {
            return Duration::ZERO;
        };
        let backoff = retry.backoff(self.failures.saturating_sub(1));
        let after = error.retry_after().unwrap_or_default();
        backoff.max(after.min(retry.max_retry_after))
    }
}

/// Calls back on a state change or a queue move.
fn report(
    job_id: &str,
    status: &JobStatus,
    last: Option<&JobStatus>,
    elapsed: Duration,
    progress: &mut impl FnMut(&Progress<'_>),
) {
    match last {
        Some(last) if last.state == status.state => {
            if last.queue_position != status.queue_position {
                progress(&Progress::QueuePosition {
                    job_id,
                    position: status.queue_position,
                    elapsed,
                });
            }
        }
        _ => progress(&Progress::State {
            job_id,
            status,
            previous: last.map(|last| &last.state),
            elapsed,
        }),
    }
}

/// One human line per event, e.g. `[1.5s] queued (position 2)`.
impl std::fmt::Display for Progress<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let seconds = |elapsed: &Duration| elapsed.as_secs_f64();
        match self {
            Progress::State {
                status, elapsed, ..
            } => {
                write!(f, "[{:.1}s] {}", seconds(elapsed), status.state)?;
                match status.queue_position {
                    Some(position) => write!(f, " (position {position})"),
                    None => Ok(()),
                }
            }
            Progress::QueuePosition {
                position, elapsed, ..
            } => match position {
                Some(position) => write!(f, "[{:.1}s] queue position {position}", seconds(elapsed)),
                None => write!(f, "[{:.1}s] queue position unknown", seconds(elapsed)),
            },
            Progress::PollFailed { error, elapsed, .. } => {
                write!(
                    f,
                    "[{:.1}s] poll failed, retrying: {error}",
                    seconds(elapsed)
                )
            }
        }
    }
}
