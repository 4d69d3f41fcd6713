//! The one polling loop behind `Job::wait`: it follows a job to a terminal
//! state on the [`PollPolicy`](crate::PollPolicy) schedule, reports changes
//! (not every poll) through a callback, rides out transient failures until
//! its deadline, and always names the job in its errors. Its time (now,
//! sleeps, jitter and the deadline) comes from the connection's
//! [`Clock`](crate::clock::Clock), so it is tested on virtual time.

use std::time::Duration;

use crate::{
    error::Error,
    job::Job,
    output::Output,
    poll::PollPolicy,
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
    /// A poll failed in a way that may pass (network, 429, 5xx); waiting
    /// goes on until the deadline.
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
    pub async fn wait_with(
        &self,
        options: WaitOptions,
        mut progress: impl FnMut(&Progress<'_>),
    ) -> Result<Output, Error> {
        let config = self.connection().config();
        let clock = self.connection().clock();
        let policy = options.poll_interval.map_or(config.poll, PollPolicy::fixed);
        let started = clock.now();
        let elapsed = || clock.now().saturating_duration_since(started);
        // One bound for everything below: sleeps, polls and their retries.
        let deadline = clock.deadline(options.timeout.unwrap_or(config.wait_timeout));
        let is_past = || clock.remaining(&deadline) == Some(Duration::ZERO);
        // The schedule is measured from submit; a resumed job is polled at once.
        let origin = self.submitted_at().unwrap_or(started);
        let mut last: Option<JobStatus> = None;
        let mut retry_after: Option<Duration> = None;
        let mut attempt = 0u32;
        let mut poll_now = self.submitted_at().is_none();
        loop {
            if !poll_now {
                let since_origin = clock.now().saturating_duration_since(origin);
                let mut delay = policy.jittered(attempt, since_origin, clock.unit());
                if attempt == 0 {
                    delay = delay.saturating_sub(since_origin);
                }
                if let Some(after) = retry_after.take() {
                    delay = delay.max(after.min(config.retry.max_retry_after));
                }
                match clock.remaining(&deadline) {
                    // The next poll would come after the deadline: say so now
                    // rather than sleeping to the deadline for nothing.
                    Some(left) if left.is_zero() || delay > left => {
                        return Err(self.timed_out(last));
                    }
                    _ => clock.sleep(delay).await,
                }
                attempt = attempt.saturating_add(1);
            }
            poll_now = false;

            // Requests run on real time (their retries sleep on the clock),
            // bounded by what the wait has left.
            let request_deadline = clock.for_requests(deadline);
            let outcome = match self.poll(request_deadline).await {
                Ok(snapshot) => {
                    report(
                        self.id(),
                        &snapshot.status,
                        last.as_ref(),
                        elapsed(),
                        &mut progress,
                    );
                    let state = snapshot.status.state.clone();
                    last = Some(snapshot.status.clone());
                    match state {
                        JobState::Succeeded | JobState::Failed if !snapshot.has_result => {
                            // RunComfy: the output and failure message live in the result answer.
                            Some(self.result_until(request_deadline).await)
                        }
                        state if state.is_terminal() => Some(self.finish(snapshot)),
                        _ => None,
                    }
                }
                Err(err) => Some(Err(err)),
            };
            match outcome {
                None | Some(Err(Error::NotFinished { .. })) => {}
                Some(Err(err)) if err.is_transient() => {
                    retry_after = err.retry_after();
                    progress(&Progress::PollFailed {
                        job_id: self.id(),
                        error: &err,
                        elapsed: elapsed(),
                    });
                }
                Some(done) => return done,
            }
            if is_past() {
                return Err(self.timed_out(last));
            }
        }
    }

    fn timed_out(&self, last: Option<JobStatus>) -> Error {
        Error::Timeout {
            job_id: self.id().to_owned(),
            last_state: last.map(|status| status.state),
        }
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
