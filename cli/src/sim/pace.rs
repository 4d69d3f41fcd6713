//! How fast `--sim` polls. The simulator's jobs normally advance one step
//! per poll, so polling every [`POLL`] finishes them in milliseconds. A
//! `seedance sim --job-duration D` gives them wall-clock time instead; then
//! `--sim` polls as a client of a real vendor would, on the runtime's own
//! schedule scaled by `D / TYPICAL_JOB`, so a demo shows the polls a real
//! job gets (about 13, whatever D is) rather than one every 10 ms (about
//! 300 for a 3 s job).

use std::time::Duration;

use seedance_runtime::PollPolicy;

/// Poll interval for jobs that advance per poll.
pub const POLL: Duration = Duration::from_millis(10);

/// The real job a simulated one stands for: a short Seedance render (5 s
/// of 480p or 720p video takes 30 s to 90 s on the vendors; the AI/ML API
/// page quotes about 1.5 min). The runtime's schedule polls a 30 s job 13
/// times; a 90 s one 37 times.
pub const TYPICAL_JOB: Duration = Duration::from_secs(30);

/// The schedule for jobs of the simulator whose demo job duration is
/// `job_duration` (`None`: jobs advance per poll).
pub fn policy(job_duration: Option<Duration>) -> PollPolicy {
    match job_duration {
        None => PollPolicy::fixed(POLL),
        Some(duration) => scaled(
            PollPolicy::default(),
            duration.as_secs_f64() / TYPICAL_JOB.as_secs_f64(),
        ),
    }
}

/// `policy` with every interval and age multiplied by `factor`, no interval
/// under [`POLL`].
fn scaled(policy: PollPolicy, factor: f64) -> PollPolicy {
    let scale = |interval: Duration| {
        Duration::try_from_secs_f64(interval.as_secs_f64() * factor)
            .unwrap_or(Duration::MAX)
            .max(POLL)
    };
    PollPolicy {
        initial: scale(policy.initial),
        max: scale(policy.max),
        long_after: scale(policy.long_after),
        long_interval: scale(policy.long_interval),
        ..policy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Polls until the first one at or after `finish`, without jitter.
    fn polls(policy: &PollPolicy, finish: Duration) -> u32 {
        let (mut now, mut attempt) = (Duration::ZERO, 0);
        while now < finish {
            now += policy.delay(attempt, now);
            attempt += 1;
        }
        attempt
    }

    #[test]
    fn a_simulated_job_gets_the_polls_of_a_typical_real_one() {
        let real = polls(&PollPolicy::default(), TYPICAL_JOB);
        assert_eq!(real, 13);
        for seconds in [1, 3, 20, 300] {
            let duration = Duration::from_secs(seconds);
            assert_eq!(
                polls(&policy(Some(duration)), duration),
                real,
                "{seconds} s"
            );
        }
    }

    #[test]
    fn per_poll_jobs_are_polled_fast_and_no_interval_goes_under_it() {
        assert_eq!(policy(None), PollPolicy::fixed(POLL));
        let tiny = policy(Some(Duration::from_millis(1)));
        assert_eq!((tiny.initial, tiny.max), (POLL, POLL));
    }
}
