//! The polling benchmark: `Job::wait`'s loop replayed on a simulated clock
//! over the pure schedule [`PollPolicy::jittered`], for many seeds.
//!
//! The loop mirrors `runtime/src/wait.rs`: after submit it sleeps
//! `jittered(attempt, since_submit, unit)` (attempt 0 first), polls, and stops
//! at the first poll at or after the job's finish time. Polls answer at once
//! (loopback-fast servers); the overshoot is the time from the job finishing
//! to the poll that sees it.

use std::time::Duration;

use seedance::runtime::PollPolicy;

/// Status requests and overshoot of one simulated wait.
pub fn wait_once(policy: &PollPolicy, finish: f64, rng: &mut fastrand::Rng) -> (u32, f64) {
    let mut now = 0.0f64;
    let mut attempt = 0u32;
    loop {
        now += policy
            .jittered(attempt, Duration::from_secs_f64(now), rng.f64())
            .as_secs_f64();
        attempt += 1;
        if now >= finish {
            return (attempt, now - finish);
        }
    }
}

/// Aggregates of one (policy, job length) cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Nominal job length in seconds.
    pub job_secs: f64,
    /// `default` or `fixed_1s`.
    pub policy: &'static str,
    /// Median status requests per job.
    pub requests_median: f64,
    /// Mean status requests per job.
    pub requests_mean: f64,
    /// Median overshoot in seconds.
    pub overshoot_median: f64,
    /// 90th percentile overshoot in seconds.
    pub overshoot_p90: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index]
}

/// Runs `seeds` jobs of each length for both policies. Each job finishes at
/// `length + u` with `u` uniform in `[-0.5, 0.5)` s (a job's end falls
/// anywhere between two polls), and each has its own jitter stream.
pub fn table(job_lengths: &[f64], seeds: u64) -> Vec<Row> {
    let policies: [(&'static str, PollPolicy); 2] = [
        ("default", PollPolicy::default()),
        ("fixed_1s", PollPolicy::fixed(Duration::from_secs(1))),
    ];
    let mut rows = Vec::new();
    for &length in job_lengths {
        for (name, policy) in &policies {
            let mut requests = Vec::new();
            let mut overshoots = Vec::new();
            for seed in 0..seeds {
                let mut rng = fastrand::Rng::with_seed(seed);
                let finish = length + rng.f64() - 0.5;
                let (n, over) = wait_once(policy, finish, &mut rng);
                requests.push(f64::from(n));
                overshoots.push(over);
            }
            requests.sort_by(f64::total_cmp);
            overshoots.sort_by(f64::total_cmp);
            rows.push(Row {
                job_secs: length,
                policy: name,
                requests_median: percentile(&requests, 0.5),
                requests_mean: requests.iter().sum::<f64>() / requests.len() as f64,
                overshoot_median: percentile(&overshoots, 0.5),
                overshoot_p90: percentile(&overshoots, 0.9),
            });
        }
    }
    rows
}
