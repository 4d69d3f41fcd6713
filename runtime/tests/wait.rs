//! `Job::wait` on virtual time: the client and the simulator read one
//! virtual clock, so a schedule of an hour, a deadline of minutes and a
//! Retry-After of 30 s are checked to the exact instant in milliseconds.
//! Every poll still goes over HTTP to the simulator on 127.0.0.1.

mod common;

use std::time::{Duration, Instant};

use common::*;
use seedance_runtime::{Clock, Error, JobState, PollPolicy, Progress, RetryPolicy, WaitOptions};
use seedance_sim::{DemoSettings, Fault, JobTiming, Outcome, Route, Sim};

/// A job of one hour under the default schedule (1.5 s growing by 1.3x to
/// 2.5 s, +-10% jitter): every status poll is spaced as the schedule says,
/// and the end is heard within one interval.
#[tokio::test]
async fn an_hour_long_job_is_followed_to_the_end() {
    let sim = Sim::start().await;
    let clock = Clock::virtual_time(SEED);
    follow_clock(&sim, &clock);
    let hour = Duration::from_secs(3600);
    sim.set_demo(DemoSettings {
        job_duration: Some(hour),
        ..DemoSettings::default()
    });
    let client = builder::<RunComfy>(&sim)
        .clock(clock.clone())
        .poll_policy(PollPolicy::default())
        .wait_timeout(2 * hour)
        .build()
        .expect("client");
    let real = Instant::now();
    let job = client.submit(&rc_input(&sim)).await.unwrap();
    let submitted = clock.now();
    let mut states = Vec::new();
    let output = job
        .wait_with(WaitOptions::new(), |event| {
            if let Progress::State {
                status, elapsed, ..
            } = event
            {
                states.push((status.state.clone(), *elapsed));
            }
        })
        .await
        .expect("wait");
    assert!(output.video_url().is_some());

    let overshoot = (clock.now() - submitted)
        .checked_sub(hour)
        .expect("ended early");
    assert!(overshoot <= Duration::from_millis(2750), "{overshoot:?}");
    // 3600 s at 2.25 to 2.75 s a poll, plus the three shorter first ones.
    let polls = sim.count(Route::Status);
    assert!((1309..=1603).contains(&polls), "{polls} status polls");
    assert_eq!(sim.count(Route::Result), 1, "one result fetch at the end");
    let (last, at) = states.last().expect("events");
    assert_eq!(*last, JobState::Succeeded);
    assert_eq!(*at, hour + overshoot);
    assert!(real.elapsed() < hour / 60, "virtual, not real, time");
}

/// A fixed 10 s poll with a 95 s deadline: polls at 10..=90 s, then the
/// wait gives up at 90 s rather than sleeping to 95 s for nothing. (Not a
/// deadline equal to a poll time: that poll would have no time left for its
/// request, which runs on real time.)
#[tokio::test]
async fn wait_timeout_returns_at_the_last_poll_that_fits() {
    for (timeout, polls, gives_up_at) in [(95, 9, 90), (105, 10, 100)] {
        let sim = Sim::start().await;
        sim.set_timing(JobTiming::running_forever());
        let clock = Clock::virtual_time(SEED);
        let client = builder::<AimlApi>(&sim)
            .clock(clock.clone())
            .build()
            .expect("client");
        let job = client.submit(&aiml_input(&sim)).await.unwrap();
        let submitted = clock.now();
        let options = WaitOptions::new()
            .poll_interval(Duration::from_secs(10))
            .timeout(Duration::from_secs(timeout));
        let err = job.wait_with(options, |_| {}).await.unwrap_err();
        assert_timed_out_while_running(&err, job.id());
        assert_eq!(sim.count(Route::Status), polls, "timeout {timeout} s");
        assert_eq!(
            clock.now() - submitted,
            Duration::from_secs(gives_up_at),
            "timeout {timeout} s"
        );
    }
}

/// A 429 with `Retry-After: 30` on the first poll: the next poll comes
/// 30 s later, not one interval later, and the schedule then resumes. (The
/// wait loop and the connection's request budget both hold for it; a
/// Retry-After past the deadline is `wait_deadline_is_hard_*` in faults.rs.)
#[tokio::test]
async fn retry_after_of_30_s_is_honoured_exactly() {
    let sim = Sim::start().await;
    let clock = Clock::virtual_time(SEED);
    // No retry inside the poll itself: the wait loop hears the 429.
    let client = builder::<RunComfy>(&sim)
        .clock(clock.clone())
        .retry_policy(RetryPolicy::none())
        .poll_interval(Duration::from_secs(1))
        .wait_timeout(Duration::from_secs(120))
        .build()
        .expect("client");
    let job = client.submit(&rc_input(&sim)).await.unwrap();
    sim.inject(
        Route::Status,
        Fault::TooManyRequests {
            retry_after_secs: 30,
        },
        1,
    );
    let mut events = Vec::new();
    job.wait_with(WaitOptions::new(), |event| match event {
        Progress::State {
            status, elapsed, ..
        } => events.push((status.state.to_string(), elapsed.as_secs_f64())),
        Progress::PollFailed { elapsed, .. } => {
            events.push(("429".to_owned(), elapsed.as_secs_f64()))
        }
        _ => {}
    })
    .await
    .expect("wait");
    let expected = [
        ("429", 1.0),
        ("queued", 31.0),
        ("running", 32.0),
        ("succeeded", 33.0),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(event, at)| (event.to_string(), *at))
        .collect();
    assert_eq!(events, expected);
}

/// A vendor answering 500 to every poll: waiting goes on, backing off on
/// the retry schedule (0.5 s doubling, not the 1 ms poll interval), and the
/// deadline's `Timeout` says why no state is known. Polls at 1 ms, then
/// 0.5, 1, 2 and 4 s later; the next would be 8 s later, past the 10 s
/// deadline, so the wait ends at 7.501 s.
#[tokio::test]
async fn persistent_500s_back_off_until_the_deadline_and_say_why() {
    let sim = Sim::start().await;
    let clock = Clock::virtual_time(SEED);
    let client = builder::<RunComfy>(&sim)
        .clock(clock.clone())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let job = client.submit(&rc_input(&sim)).await.unwrap();
    let submitted = clock.now();
    sim.inject(Route::Status, Fault::Status(500), 100);
    let mut failures = Vec::new();
    let err = job
        .wait_with(WaitOptions::new(), |event| {
            if let Progress::PollFailed { elapsed, .. } = event {
                failures.push(elapsed.as_millis());
            }
        })
        .await
        .unwrap_err();
    assert_eq!(failures, [1, 501, 1501, 3501, 7501]);
    assert_eq!(sim.count(Route::Status), 5);
    assert_eq!(clock.now() - submitted, Duration::from_millis(7501));
    match &err {
        Error::Timeout {
            job_id,
            last_state,
            last_error,
        } => {
            assert_eq!(job_id, job.id());
            assert_eq!(last_state, &None);
            let last = last_error.as_deref().expect("the last poll failure");
            assert_eq!(last.http_status(), Some(500));
        }
        other => panic!("{other}"),
    }
    assert!(!err.is_job_outcome(), "the vendor never said it ended");
    let text = err.to_string();
    assert!(
        text.contains("last poll failed") && text.contains("HTTP 500"),
        "{text}"
    );
}

/// A token the vendor refuses stops waiting at once (another poll gets the
/// same 401), and the error is the 401, not a failed job.
#[tokio::test]
async fn a_refused_token_stops_waiting_and_is_not_a_job_outcome() {
    for status in [401, 403] {
        let sim = Sim::start().await;
        let client = client::<RunComfy>(&sim);
        let job = client.submit(&rc_input(&sim)).await.unwrap();
        sim.inject(Route::Status, Fault::Status(status), 1);
        let err = job.wait().await.unwrap_err();
        assert_eq!(err.http_status(), Some(status), "{err}");
        assert_eq!(err.job_id(), Some(job.id()));
        assert!(err.is_setup_error(), "{err}");
        assert!(!err.is_job_outcome(), "{err}");
        assert_eq!(sim.count(Route::Status), 1);
    }
}

/// Only the vendor's verdict ends a job: a failed job is a job outcome.
#[tokio::test]
async fn a_failed_job_is_a_job_outcome() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming::immediate(Outcome::Fail {
        message: "content policy".into(),
    }));
    let job = client::<RunComfy>(&sim)
        .submit(&rc_input(&sim))
        .await
        .unwrap();
    let err = job.wait().await.unwrap_err();
    assert!(matches!(err, Error::JobFailed { .. }), "{err}");
    assert!(err.to_string().contains("content policy"), "{err}");
    assert!(err.is_job_outcome() && !err.is_setup_error(), "{err}");
}
