//! Job state machines on a poll-driven clock: a job advances one step per
//! status/result poll, never with wall-clock time, so tests control it fully.
//! Only a demo's job duration reads a clock: the system's, or the one a test
//! sets ([`crate::Sim::set_clock`]) to run the simulator on its virtual time.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::protocols::Vendor;

/// How a job ends.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Outcome {
    /// The job produces the sim's video.
    #[default]
    Succeed,
    /// The job fails with this message (the vendor's error text).
    Fail {
        /// The failure message the vendor reports.
        message: String,
    },
}

/// The life of jobs submitted after [`crate::Sim::set_timing`]: `queued_polls`
/// status/result polls answer "queued" (with a queue position counting down
/// to 0), the next `running_polls` answer "running", and every poll after that
/// answers the outcome. [`JobTiming::FOREVER`] (`u32::MAX`) keeps a job in
/// that phase for good.
///
/// Before its first poll a job is in the phase its first poll will report
/// (this is what a cancel sees).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobTiming {
    /// Polls answered with the queued state.
    pub queued_polls: u32,
    /// Polls answered with the running state, after the queued ones.
    pub running_polls: u32,
    /// The terminal state reached afterwards.
    pub outcome: Outcome,
}

impl JobTiming {
    /// A phase length that never ends.
    pub const FOREVER: u32 = u32::MAX;

    /// The first poll already reports `outcome`.
    pub fn immediate(outcome: Outcome) -> Self {
        JobTiming {
            queued_polls: 0,
            running_polls: 0,
            outcome,
        }
    }

    /// Jobs stay queued for good.
    pub fn queued_forever() -> Self {
        JobTiming {
            queued_polls: Self::FOREVER,
            running_polls: 0,
            outcome: Outcome::Succeed,
        }
    }

    /// Jobs are running from the first poll on, for good.
    pub fn running_forever() -> Self {
        JobTiming {
            queued_polls: 0,
            running_polls: Self::FOREVER,
            outcome: Outcome::Succeed,
        }
    }
}

impl Default for JobTiming {
    /// One queued poll, one running poll, then success.
    fn default() -> Self {
        JobTiming {
            queued_polls: 1,
            running_polls: 1,
            outcome: Outcome::Succeed,
        }
    }
}

/// Where a job is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Phase {
    Queued { position: u32 },
    Running,
    Succeeded,
    Failed(String),
    Cancelled,
}

impl Phase {
    pub(crate) fn is_terminal(&self) -> bool {
        matches!(self, Phase::Succeeded | Phase::Failed(_) | Phase::Cancelled)
    }
}

/// What a handler needs to answer about one job.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub id: String,
    pub model: String,
    pub phase: Phase,
    pub created_at: SystemTime,
    pub finished_at: Option<SystemTime>,
}

/// The answer of a RunComfy-style cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CancelOutcome {
    Cancelled,
    NotCancellable,
}

#[derive(Debug)]
struct Job {
    vendor: Vendor,
    model: String,
    timing: JobTiming,
    polls: u64,
    cancelled: bool,
    created_at: SystemTime,
    finished_at: Option<SystemTime>,
    /// Before this time the job does not finish (demo job duration).
    ready_at: Option<SystemTime>,
}

impl Job {
    /// The phase reported by poll number `n` (1-based).
    fn phase_at(&self, n: u64) -> Phase {
        if self.cancelled {
            return Phase::Cancelled;
        }
        let queued = u64::from(self.timing.queued_polls);
        let running = u64::from(self.timing.running_polls);
        if self.timing.queued_polls == JobTiming::FOREVER || n <= queued {
            let left = queued.saturating_sub(n);
            Phase::Queued {
                position: u32::try_from(left).unwrap_or(u32::MAX),
            }
        } else if self.timing.running_polls == JobTiming::FOREVER || n <= queued + running {
            Phase::Running
        } else {
            match &self.timing.outcome {
                Outcome::Succeed => Phase::Succeeded,
                Outcome::Fail { message } => Phase::Failed(message.clone()),
            }
        }
    }

    fn current(&self, now: SystemTime) -> Phase {
        let phase = self.phase_at(self.polls.max(1));
        let early = self.ready_at.is_some_and(|ready| now < ready);
        if early && phase.is_terminal() && !self.cancelled {
            Phase::Running
        } else {
            phase
        }
    }

    fn snapshot(&self, id: &str, phase: Phase) -> Snapshot {
        Snapshot {
            id: id.to_owned(),
            model: self.model.clone(),
            phase,
            created_at: self.created_at,
            finished_at: self.finished_at,
        }
    }
}

/// What "now" is for the jobs: the system clock unless a test set one.
#[derive(Clone, Default)]
struct Clock(Option<Arc<dyn Fn() -> SystemTime + Send + Sync>>);

impl Clock {
    fn now(&self) -> SystemTime {
        self.0.as_ref().map_or_else(SystemTime::now, |now| now())
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Clock(set)"
        } else {
            "Clock(system)"
        })
    }
}

/// Every job of one simulator.
#[derive(Debug, Default)]
pub(crate) struct Jobs {
    jobs: Mutex<HashMap<String, Job>>,
    /// Time every new job takes at least (demos, tests on virtual time).
    min_duration: Mutex<Option<std::time::Duration>>,
    clock: Mutex<Clock>,
}

impl Jobs {
    /// Reads "now" from `now` instead of the system clock.
    pub(crate) fn set_clock(&self, now: Arc<dyn Fn() -> SystemTime + Send + Sync>) {
        *self
            .clock
            .lock()
            .unwrap_or_else(|poison| poison.into_inner()) = Clock(Some(now));
    }

    fn now(&self) -> SystemTime {
        self.clock
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .now()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Job>> {
        self.jobs
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Jobs created from now on take at least `duration` to finish.
    pub(crate) fn set_min_duration(&self, duration: Option<std::time::Duration>) {
        *self
            .min_duration
            .lock()
            .unwrap_or_else(|poison| poison.into_inner()) = duration;
    }

    /// Records a new job under `id`.
    pub(crate) fn create(&self, id: &str, vendor: Vendor, model: &str, timing: JobTiming) {
        let min_duration = *self
            .min_duration
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let now = self.now();
        let job = Job {
            vendor,
            model: model.to_owned(),
            timing,
            polls: 0,
            cancelled: false,
            created_at: now,
            finished_at: None,
            ready_at: min_duration.map(|duration| now + duration),
        };
        self.lock().insert(id.to_owned(), job);
    }

    /// Advances the job one poll and reports its new phase; `None` when no
    /// job of `vendor` has that id.
    pub(crate) fn poll(&self, id: &str, vendor: Vendor) -> Option<Snapshot> {
        let now = self.now();
        let mut jobs = self.lock();
        let job = jobs.get_mut(id).filter(|job| job.vendor == vendor)?;
        if !job.current(now).is_terminal() || job.polls == 0 {
            job.polls = job.polls.saturating_add(1);
        }
        let phase = job.current(now);
        if phase.is_terminal() && job.finished_at.is_none() {
            job.finished_at = Some(now);
        }
        Some(job.snapshot(id, phase))
    }

    /// Reports the job's phase without advancing it.
    pub(crate) fn peek(&self, id: &str, vendor: Vendor) -> Option<Snapshot> {
        let now = self.now();
        let jobs = self.lock();
        let job = jobs.get(id).filter(|job| job.vendor == vendor)?;
        Some(job.snapshot(id, job.current(now)))
    }

    /// RunComfy cancel rules: a queued job is cancelled, a running one is
    /// not cancellable, a terminal one is left as it is.
    pub(crate) fn cancel(&self, id: &str, vendor: Vendor) -> Option<(CancelOutcome, Snapshot)> {
        let now = self.now();
        let mut jobs = self.lock();
        let job = jobs.get_mut(id).filter(|job| job.vendor == vendor)?;
        let outcome = match job.current(now) {
            Phase::Queued { .. } => {
                job.cancelled = true;
                job.finished_at = Some(now);
                CancelOutcome::Cancelled
            }
            Phase::Cancelled => CancelOutcome::Cancelled,
            Phase::Running | Phase::Succeeded | Phase::Failed(_) => CancelOutcome::NotCancellable,
        };
        Some((outcome, job.snapshot(id, job.current(now))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jobs(timing: JobTiming) -> Jobs {
        let jobs = Jobs::default();
        jobs.create("a", Vendor::RunComfy, "m", timing);
        jobs
    }

    #[test]
    fn phases_follow_the_poll_count() {
        let jobs = jobs(JobTiming {
            queued_polls: 2,
            running_polls: 1,
            outcome: Outcome::Fail {
                message: "boom".into(),
            },
        });
        let phases: Vec<Option<Phase>> = (0..5)
            .map(|_| jobs.poll("a", Vendor::RunComfy).map(|s| s.phase))
            .collect();
        let phases: Vec<Phase> = phases.into_iter().flatten().collect();
        assert_eq!(
            phases,
            [
                Phase::Queued { position: 1 },
                Phase::Queued { position: 0 },
                Phase::Running,
                Phase::Failed("boom".into()),
                Phase::Failed("boom".into()),
            ]
        );
        assert!(jobs.poll("a", Vendor::WaveSpeed).is_none());
    }

    #[test]
    fn forever_never_ends() {
        let jobs = jobs(JobTiming::running_forever());
        for _ in 0..100 {
            assert_eq!(
                jobs.poll("a", Vendor::RunComfy).map(|s| s.phase),
                Some(Phase::Running)
            );
        }
        let (outcome, _) = jobs
            .cancel("a", Vendor::RunComfy)
            .unwrap_or_else(|| panic!());
        assert_eq!(outcome, CancelOutcome::NotCancellable);
    }
}
