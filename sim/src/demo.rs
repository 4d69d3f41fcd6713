//! Settings for demos and manual tests (`seedance sim --log --job-duration
//! 5s --failure-rate 0.2 --rate-limit-rate 0.1`): a request log, jobs that
//! take wall-clock time, random job failures and random 429s on polls. All
//! off by default, so tests keep their poll-driven, deterministic clock.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::faults::{Fault, Route};
use crate::jobs::{JobTiming, Outcome};
use crate::sim::Shared;

/// What [`crate::Sim::set_demo`] changes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DemoSettings {
    /// Print one line per request on stderr.
    pub log: bool,
    /// Every job runs at least this long before it finishes (wall-clock,
    /// or the clock a test gave [`crate::Sim::set_clock`]).
    pub job_duration: Option<Duration>,
    /// Probability (0 to 1) that a new job fails.
    pub failure_rate: f64,
    /// Probability (0 to 1) that a status or result poll answers 429.
    pub rate_limit_rate: f64,
}

/// The settings in force.
#[derive(Debug, Default)]
pub(crate) struct Demo {
    settings: Mutex<DemoSettings>,
}

impl Demo {
    pub(crate) fn set(&self, settings: DemoSettings) {
        *self.lock() = settings;
    }

    /// The settings in force.
    pub(crate) fn get(&self) -> DemoSettings {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DemoSettings> {
        self.settings.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A 429 for a poll, drawn at `rate_limit_rate`.
    pub(crate) fn random_fault(&self, route: Route) -> Option<Fault> {
        let rate = self.lock().rate_limit_rate;
        (matches!(route, Route::Status | Route::Result) && rate > 0.0 && fastrand::f64() < rate)
            .then_some(Fault::TooManyRequests {
                retry_after_secs: 1,
            })
    }

    /// The timing of a new job: `failure_rate` may turn it into a failure.
    pub(crate) fn timing(&self, mut timing: JobTiming) -> JobTiming {
        let rate = self.lock().failure_rate;
        if rate > 0.0 && fastrand::f64() < rate {
            timing.outcome = Outcome::Fail {
                message: "simulated failure (seedance sim --failure-rate)".to_owned(),
            };
        }
        timing
    }
}

/// Middleware: with `log` on, one line per request (method, path, status,
/// time taken) on stderr.
pub(crate) async fn log(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    if !shared.demo.lock().log {
        return next.run(request).await;
    }
    let started = Instant::now();
    let line = format!("{} {}", request.method(), request.uri().path());
    let response = next.run(request).await;
    eprintln!(
        "seedance sim: {line} -> {} ({} ms)",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}
