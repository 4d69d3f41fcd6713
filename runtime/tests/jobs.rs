//! Jobs against the simulator: submit -> wait -> result -> download for each
//! protocol, cancel, resume, and the failures a real network produces.

mod common;

use std::time::Duration;

use common::*;
use seedance_runtime::{
    CancelOutcome, Client, Clock, Connection, Error, JobState, Model, Progress, Protocol, Rule,
    SubmitOptions, Vendor, VendorInfo, WaitOptions,
};
use seedance_sim::{Fault, ImageFormat, ImageSpec, JobTiming, Outcome, Route, Sim};

async fn round_trip<V: Vendor, M: Model<Vendor = V>>(sim: &Sim, input: M) {
    let client = client::<V>(sim);
    let job = client.submit(&input).await.expect("submit");
    assert!(!job.id().is_empty());
    let output = job.wait().await.expect("wait");
    assert_eq!(output.job_id(), job.id());
    assert_eq!(output.video_url(), Some(sim.video_url().as_str()));
    let again = job.result().await.expect("result");
    assert_eq!(again.video_urls(), output.video_urls());

    let dir = std::env::temp_dir().join(format!("seedance-rt-{}-{}", V::ID, fastrand::u64(..)));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("out.mp4");
    let written = output.download(&path).await.expect("download");
    assert_eq!(written, seedance_sim::VIDEO_LEN as u64);
    assert_eq!(std::fs::read(&path).unwrap(), seedance_sim::video_bytes());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no temp file left"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(sim.count(Route::Submit), 1);
}

#[tokio::test]
async fn runcomfy_submit_wait_result_download() {
    let sim = Sim::start().await;
    round_trip(&sim, rc_input(&sim)).await;
}

#[tokio::test]
async fn aimlapi_submit_wait_result_download() {
    let sim = Sim::start().await;
    round_trip(&sim, aiml_input(&sim)).await;
}

#[tokio::test]
async fn wavespeed_submit_wait_result_download() {
    let sim = Sim::start().await;
    round_trip(&sim, ws_input(&sim)).await;
}

#[tokio::test]
async fn wait_reports_state_and_queue_changes_only() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming {
        queued_polls: 3,
        running_polls: 2,
        outcome: Outcome::Succeed,
    });
    let client = client::<RunComfy>(&sim);
    let job = client.submit(&rc_input(&sim)).await.unwrap();
    let mut events = Vec::new();
    job.wait_with(WaitOptions::new(), |event| match event {
        Progress::State { status, .. } => events.push(format!("{}", status.state)),
        Progress::QueuePosition { position, .. } => events.push(format!("pos {position:?}")),
        _ => {}
    })
    .await
    .unwrap();
    assert_eq!(
        events,
        [
            "queued",
            "pos Some(1)",
            "pos Some(0)",
            "running",
            "succeeded"
        ]
    );
}

#[tokio::test]
async fn status_maps_vendor_words() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming::queued_forever());
    let client = client::<WaveSpeed>(&sim);
    let job = client.submit(&ws_input(&sim)).await.unwrap();
    let status = job.status().await.unwrap();
    assert_eq!(status.state, JobState::Queued);
    assert_eq!(status.raw, "created");
}

#[tokio::test]
async fn cancel_while_queued_is_cancelled() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming::queued_forever());
    let client = client::<RunComfy>(&sim);
    let job = client.submit(&rc_input(&sim)).await.unwrap();
    assert_eq!(job.cancel().await.unwrap(), CancelOutcome::Cancelled);
    let err = job.wait().await.unwrap_err();
    assert!(matches!(err, Error::JobCancelled { .. }), "{err}");
    assert_eq!(err.job_id(), Some(job.id()));
}

#[tokio::test]
async fn cancel_while_running_is_not_cancellable() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming::running_forever());
    let client = client::<RunComfy>(&sim);
    let job = client.submit(&rc_input(&sim)).await.unwrap();
    assert_eq!(job.status().await.unwrap().state, JobState::Running);
    assert_eq!(job.cancel().await.unwrap(), CancelOutcome::NotCancellable);
}

#[tokio::test]
async fn cancel_after_success_is_already_finished() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming::immediate(Outcome::Succeed));
    let client = client::<RunComfy>(&sim);
    let job = client.submit(&rc_input(&sim)).await.unwrap();
    job.wait().await.unwrap();
    assert_eq!(job.cancel().await.unwrap(), CancelOutcome::AlreadyFinished);
}

#[tokio::test]
async fn cancel_is_unsupported_without_an_endpoint() {
    let sim = Sim::start().await;
    let aiml = client::<AimlApi>(&sim)
        .submit(&aiml_input(&sim))
        .await
        .unwrap();
    let err = aiml.cancel().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::CancelUnsupported {
                vendor: "AI/ML API",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.job_id(), Some(aiml.id()));
    let ws = client::<WaveSpeed>(&sim)
        .submit(&ws_input(&sim))
        .await
        .unwrap();
    assert!(matches!(
        ws.cancel().await,
        Err(Error::CancelUnsupported { .. })
    ));
    assert_eq!(sim.count(Route::Cancel), 0);
}

#[tokio::test]
async fn resume_by_id_alone() {
    let sim = Sim::start().await;
    let id = {
        let client = client::<RunComfy>(&sim);
        client
            .submit(&rc_input(&sim))
            .await
            .unwrap()
            .id()
            .to_owned()
    };
    // A fresh, untyped connection, as a CLI would build from `runcomfy ID`.
    let conn = Connection::builder(&RunComfy::INFO)
        .base_url(sim.base_url())
        .token(seedance_sim::TOKEN)
        .poll_interval(Duration::from_millis(1))
        .build()
        .unwrap();
    let output = conn.job(id.clone()).wait().await.unwrap();
    assert_eq!(output.job_id(), id);
    assert!(output.video_url().is_some());
}

#[tokio::test]
async fn a_model_of_another_vendor_is_refused_before_sending() {
    let sim = Sim::start().await;
    // Same protocol, another vendor: the vendor is what must match.
    let other = VendorInfo {
        name: "Other RunComfy",
        id: "other",
        ..RunComfy::INFO
    };
    let conn = Connection::builder(&other)
        .base_url(sim.base_url())
        .token(seedance_sim::TOKEN)
        .build()
        .unwrap();
    let err = conn
        .submit_erased(&rc_input(&sim), SubmitOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::WrongVendor {
                vendor: "Other RunComfy",
                model_vendor: "RunComfy",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(sim.count(Route::Submit), 0);
}

#[tokio::test]
async fn failed_job_carries_the_vendor_message_and_id() {
    for protocol in Protocol::ALL {
        let sim = Sim::start().await;
        sim.set_timing(JobTiming::immediate(Outcome::Fail {
            message: "moderation said no".into(),
        }));
        let job = match protocol {
            Protocol::RunComfy => client::<RunComfy>(&sim).submit(&rc_input(&sim)).await,
            Protocol::AimlApi => client::<AimlApi>(&sim).submit(&aiml_input(&sim)).await,
            Protocol::WaveSpeed => client::<WaveSpeed>(&sim).submit(&ws_input(&sim)).await,
        }
        .unwrap();
        let err = job.wait().await.unwrap_err();
        match &err {
            Error::JobFailed {
                job_id, message, ..
            } => {
                assert_eq!(job_id, job.id());
                assert!(
                    message.contains("moderation said no"),
                    "{protocol}: {message}"
                );
            }
            other => panic!("{protocol}: {other}"),
        }
    }
}

#[tokio::test]
async fn status_429_then_success() {
    let sim = Sim::start().await;
    let client = client::<AimlApi>(&sim);
    let job = client.submit(&aiml_input(&sim)).await.unwrap();
    sim.inject(
        Route::Status,
        Fault::TooManyRequests {
            retry_after_secs: 1,
        },
        1,
    );
    job.status().await.unwrap();
    assert_eq!(sim.count(Route::Status), 2);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let sim = Sim::start().await;
    let mut retry = fast_retry();
    retry.max_retry_after = Duration::from_secs(5);
    // Virtual time: the retry sleeps the server's 30 s without a real timer.
    let clock = Clock::virtual_time(SEED);
    let client = builder::<WaveSpeed>(&sim)
        .retry_policy(retry)
        .clock(clock.clone())
        .build()
        .expect("client");
    let job = client.submit(&ws_input(&sim)).await.unwrap();
    sim.inject(
        Route::Result,
        Fault::TooManyRequests {
            retry_after_secs: 30,
        },
        1,
    );
    let started = clock.now();
    job.status().await.unwrap();
    // The status retry waits the server's Retry-After, capped at 5 s.
    assert!(clock.now() - started >= Duration::from_secs(5));
}

#[tokio::test]
async fn persistent_429_is_an_api_error_with_the_id() {
    let sim = Sim::start().await;
    let client = client::<RunComfy>(&sim);
    let job = client.submit(&rc_input(&sim)).await.unwrap();
    sim.inject(
        Route::Status,
        Fault::TooManyRequests {
            retry_after_secs: 1,
        },
        3,
    );
    let err = job.status().await.unwrap_err();
    assert_eq!(err.http_status(), Some(429));
    assert_eq!(err.job_id(), Some(job.id()));
    assert!(err.is_transient());
    assert_eq!(sim.count(Route::Status), 3, "one try and two retries");
}

#[tokio::test]
async fn burst_of_503_is_ridden_out_by_wait() {
    let sim = Sim::start().await;
    let client = client::<RunComfy>(&sim);
    let job = client.submit(&rc_input(&sim)).await.unwrap();
    sim.inject(Route::Status, Fault::Status(503), 7);
    let mut failures = 0;
    let output = job
        .wait_with(WaitOptions::new(), |event| {
            if let Progress::PollFailed { error, .. } = event {
                assert_eq!(error.job_id(), Some(job.id()));
                failures += 1;
            }
        })
        .await
        .unwrap();
    assert!(output.video_url().is_some());
    assert_eq!(failures, 2, "7 failures = 3 + 3 absorbed, then 1 retried");
}

#[tokio::test]
async fn dropped_connection_on_status_is_retried() {
    let sim = Sim::start().await;
    let client = client::<WaveSpeed>(&sim);
    let job = client.submit(&ws_input(&sim)).await.unwrap();
    sim.inject(Route::Result, Fault::DropConnection, 1);
    job.status().await.unwrap();
    sim.inject(Route::Result, Fault::DropConnection, 3);
    let err = job.status().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err}");
    assert_eq!(err.job_id(), Some(job.id()));
}

#[tokio::test]
async fn malformed_and_truncated_json_are_errors_with_the_id() {
    let sim = Sim::start().await;
    let client = client::<RunComfy>(&sim);
    let job = client.submit(&rc_input(&sim)).await.unwrap();
    sim.inject(Route::Status, Fault::MalformedJson, 1);
    let err = job.status().await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err}");
    assert_eq!(err.job_id(), Some(job.id()));

    // A body cut short is a transport failure: the GET is retried, so every
    // attempt gets a truncated answer, and the last failure is returned.
    let attempts = fast_retry().max_retries + 1;
    let before = sim.count(Route::Result);
    sim.inject(Route::Result, Fault::TruncatedJson, attempts);
    let err = job.result().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(err.job_id(), Some(job.id()), "{err}");
    assert_eq!(sim.count(Route::Result) - before, u64::from(attempts));
    assert_eq!(sim.pending_faults(Route::Result), 0);
    // One truncated answer is ridden out by the retry.
    sim.inject(Route::Result, Fault::TruncatedJson, 1);
    assert!(!matches!(
        job.result().await,
        Err(Error::Transport { .. } | Error::Decode { .. })
    ));
}

#[tokio::test]
async fn submit_answered_with_500_is_uncertain_and_sent_once() {
    let sim = Sim::start().await;
    sim.inject(Route::Submit, Fault::Status(500), 1);
    let err = client::<RunComfy>(&sim)
        .submit(&rc_input(&sim))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SubmitUncertain { .. }), "{err}");
    assert!(err.to_string().contains("may or may not exist"));
    assert_eq!(sim.count(Route::Submit), 1);
}

#[tokio::test]
async fn submit_with_lost_answer_is_uncertain_and_not_resent() {
    let sim = Sim::start().await;
    sim.inject(Route::Submit, Fault::DropConnection, 1);
    let err = client::<WaveSpeed>(&sim)
        .submit(&ws_input(&sim))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SubmitUncertain { .. }), "{err}");
    assert_eq!(sim.count(Route::Submit), 1);
}

#[tokio::test]
async fn submit_rejected_for_a_bad_token_is_definite() {
    let sim = Sim::start().await;
    const TOKEN: &str = "sk-test-SHOULD-NOT-APPEAR";
    let client = Client::<AimlApi>::builder()
        .token(TOKEN)
        .base_url(sim.base_url())
        .probe_config(sim_probe())
        .build()
        .unwrap();
    let err = client.submit(&aiml_input(&sim)).await.unwrap_err();
    match &err {
        Error::Api(api) => {
            assert_eq!(api.status, 401);
            assert!(api.code.is_some());
        }
        other => panic!("{other}"),
    }
    assert!(!err.to_string().contains(TOKEN), "{err}");
    assert!(!format!("{err:?}").contains(TOKEN), "{err:?}");
    assert!(!format!("{client:?}").contains(TOKEN));
}

#[tokio::test]
async fn image_rules_violated_means_zero_posts() {
    let sim = Sim::start().await;
    let small = sim.image_url(&ImageSpec::new(ImageFormat::Jpeg, 200, 200));
    let wide = sim.image_url(&ImageSpec::new(ImageFormat::Png, 3000, 1000));
    let input = WsInput {
        prompt: "x".into(),
        reference_images: vec![small, wide, "ftp://nope".into()],
    };
    let err = client::<WaveSpeed>(&sim).submit(&input).await.unwrap_err();
    let Error::Validation(errors) = &err else {
        panic!("{err}")
    };
    let found: Vec<(String, Rule)> = errors
        .violations
        .iter()
        .map(|v| (v.field.clone(), v.rule))
        .collect();
    assert_eq!(found.len(), 4, "{err}");
    assert!(
        found
            .iter()
            .any(|(f, r)| f == "reference_images[2]" && matches!(r, Rule::Format(_)))
    );
    assert!(
        found
            .iter()
            .filter(|(f, _)| f == "reference_images[0]")
            .count()
            == 2
    );
    assert!(found.iter().any(|(f, _)| f == "reference_images[1]"));
    assert_eq!(sim.count(Route::Submit), 0);
}

#[tokio::test]
async fn unreadable_image_is_a_violation_naming_the_field() {
    let sim = Sim::start().await;
    let input = RcInput {
        prompt: "x".into(),
        first_frame_image_url: format!("{}/no/such/image.png", sim.base_url()),
    };
    let err = client::<RunComfy>(&sim).submit(&input).await.unwrap_err();
    let Error::Validation(errors) = &err else {
        panic!("{err}")
    };
    assert_eq!(errors.violations[0].field, "first_frame_image_url");
    assert_eq!(errors.violations[0].rule, Rule::ImageReadable);
    assert_eq!(sim.count(Route::Submit), 0);
}

#[tokio::test]
async fn wait_times_out_with_the_id_and_last_state() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming::running_forever());
    let client = client::<AimlApi>(&sim);
    let job = client.submit(&aiml_input(&sim)).await.unwrap();
    let err = job
        .wait_with(
            WaitOptions::new().timeout(Duration::from_millis(50)),
            |_| {},
        )
        .await
        .unwrap_err();
    assert_timed_out_while_running(&err, job.id());
}

#[tokio::test]
async fn result_before_the_end_is_not_finished() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming::queued_forever());
    let job = client::<RunComfy>(&sim)
        .submit(&rc_input(&sim))
        .await
        .unwrap();
    let err = job.result().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotFinished {
                state: JobState::Queued,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.job_id(), Some(job.id()));
}

#[tokio::test]
async fn download_over_the_limit_is_refused_and_leaves_nothing() {
    let sim = Sim::start().await;
    let client = builder::<RunComfy>(&sim)
        .max_download_bytes(100)
        .build()
        .expect("client");
    let output = client
        .submit(&rc_input(&sim))
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("seedance-rt-big-{}", fastrand::u64(..)));
    std::fs::create_dir_all(&dir).unwrap();
    let err = output.download(dir.join("v.mp4")).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                size,
                limit: 100,
                ..
            } if size == seedance_sim::VIDEO_LEN as u64
        ),
        "{err}"
    );
    assert_eq!(err.job_id(), Some(output.job_id()));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn missing_token_variable_is_named() {
    let err = Client::<RunComfy>::from_env().unwrap_err();
    assert!(
        err.to_string().contains("SEEDANCE_TEST_RUNCOMFY_TOKEN"),
        "{err}"
    );
}

#[tokio::test]
async fn token_is_never_shown() {
    let sim = Sim::start().await;
    let client = client::<RunComfy>(&sim);
    let shown = format!(
        "{client:?} {:?} {:?}",
        client.job("abc"),
        client.connection()
    );
    assert!(!shown.contains(seedance_sim::TOKEN), "{shown}");
    sim.inject(Route::Status, Fault::Status(500), 1);
    let err = client.job("abc").status().await.unwrap_err();
    assert!(!format!("{err} {err:?}").contains(seedance_sim::TOKEN));
}
