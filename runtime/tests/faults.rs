//! The fault matrix: for each way a network, a vendor or a file system can
//! misbehave, the one outcome the runtime promises. Every case is bounded in
//! time and honest about what is known (see README, "What is guaranteed").
//!
//! | fault | promise | test |
//! |---|---|---|
//! | 429 + Retry-After 30 s during `wait(20 s)` | returns at once, before the deadline | `wait_deadline_is_hard_with_a_long_retry_after` |
//! | `Duration::MAX` anywhere | no panic | `duration_max_anywhere_does_not_panic` |
//! | submit answer 201 with an id | a job | `submit_201_with_an_id_is_a_job` |
//! | submit answer with an id and an error | uncertain, id kept | `submit_answer_with_an_id_and_an_error_keeps_the_id` |
//! | in-body 5xx under HTTP 200 | uncertain, not rejected | `in_body_server_error_is_uncertain_not_rejected` |
//! | 429 on submit | retried after Retry-After, one job | `submit_429_is_retried_and_creates_one_job` |
//! | 429 on submit, Retry-After past the timeout | definite refusal at once | `submit_429_longer_than_the_timeout_is_a_prompt_refusal` |
//! | existing file / FIFO / symlink as destination | refused / refused / written through | `download_*` |
//! | byte-a-while download | stops at the total timeout, no `.part` | `dripping_download_stops_at_its_total_timeout` |
//! | cancelled download | no `.part` | `cancelled_download_leaves_no_part_file` |
//! | 404 with a 400 MB body | read up to 64 KiB | `huge_error_body_is_not_read_whole` |
//! | image on a loopback address | refused unread | `image_on_a_private_address_is_refused_unread` |
//! | image host refuses the connection | transient `ImageProbe` error | `image_network_failure_is_transient_and_says_how_to_skip` |
//! | one 500 / 404 / HTML 200 / oversized answer on a status or result poll during `wait()` | reported, polled again, the output | `one_bad_poll_does_not_end_a_paid_job` |
//! | one 500 on a status GET | retried inside the request | `a_500_on_a_status_get_is_retried` |
//! | 429 with Retry-After of 100,000 s | the whole connection held `max_retry_after` (60 s) only | `a_huge_retry_after_holds_the_connection_for_max_retry_after_only` |
//! | submit whose budget slot comes after its timeout | `BudgetTimeout` at once, never sent, not uncertain | `a_submit_held_past_its_timeout_is_never_sent` |

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::proxy::Proxy;
use common::raw::{Raw, Script};
use common::*;
use seedance_runtime::{
    Client, Clock, DownloadOptions, Error, Model, Output, ProbeConfig, Progress, RetryPolicy, Rule,
    SubmitOptions, WaitOptions,
};
use seedance_sim::{Fault, ImageFormat, ImageSpec, JobTiming, Outcome, Route, Sim};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "seedance-faults-{name}-{}-{:x}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A finished job's output on the simulator, to download from.
async fn finished(sim: &Sim) -> Output {
    client::<RunComfy>(sim)
        .submit(&rc_input(sim))
        .await
        .expect("submit")
        .wait()
        .await
        .expect("wait")
}

// ---- item 2: wait()'s deadline is a hard bound --------------------------

#[tokio::test]
async fn wait_deadline_is_hard_with_a_long_retry_after() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming {
        queued_polls: 50,
        running_polls: 0,
        outcome: Outcome::Succeed,
    });
    // The default policy honours a Retry-After of up to 60 s; on virtual
    // time, so the instant of giving up is exact.
    let clock = Clock::virtual_time(SEED);
    let client = builder::<RunComfy>(&sim)
        .clock(clock.clone())
        .retry_policy(RetryPolicy::default())
        .build()
        .expect("client");
    let job = client.submit(&rc_input(&sim)).await.unwrap();
    sim.inject(
        Route::Status,
        Fault::TooManyRequests {
            retry_after_secs: 30,
        },
        10,
    );
    let (started, real) = (clock.now(), Instant::now());
    let err = job
        .wait_with(WaitOptions::new().timeout(Duration::from_secs(20)), |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert_eq!(err.job_id(), Some(job.id()));
    // One poll (1 ms in), one 429 that cannot be waited out, and no retry
    // or sleep toward a deadline it cannot meet.
    assert_eq!(sim.count(Route::Status), 1);
    assert_eq!(clock.now() - started, Duration::from_millis(1));
    let took = real.elapsed();
    assert!(took < Duration::from_secs(1), "returned after {took:?}");
}

// ---- item 7: no panic for any Duration -----------------------------------

#[tokio::test]
async fn duration_max_anywhere_does_not_panic() {
    let sim = Sim::start().await;
    let client = builder::<RunComfy>(&sim)
        .timeout(Duration::MAX)
        .wait_timeout(Duration::MAX)
        .probe_config(ProbeConfig {
            timeout: Duration::MAX,
            ..sim_probe()
        })
        .retry_policy(RetryPolicy {
            max_retry_after: Duration::MAX,
            max_delay: Duration::MAX,
            ..fast_retry()
        })
        .build()
        .expect("client");
    let job = client
        .submit_with(&rc_input(&sim), SubmitOptions::new().timeout(Duration::MAX))
        .await
        .unwrap();
    job.wait().await.unwrap();
    // A resumed job is polled at once, so even a never-ending interval returns.
    let resumed = builder::<RunComfy>(&sim)
        .poll_interval(Duration::MAX)
        .build()
        .expect("client")
        .job(job.id());
    let output = resumed
        .wait_with(
            WaitOptions::new()
                .timeout(Duration::MAX)
                .poll_interval(Duration::MAX),
            |_| {},
        )
        .await
        .unwrap();
    let dir = scratch("max");
    let bytes = output
        .download_with(
            dir.join("v.mp4"),
            DownloadOptions::new().timeout(Duration::MAX),
        )
        .await
        .unwrap();
    assert_eq!(bytes, seedance_sim::VIDEO_LEN as u64);
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---- item 3: "may exist" is never confused with "rejected" ---------------

async fn raw_submit(script: Script) -> (Raw, Result<seedance_runtime::Job, Error>) {
    let raw = Raw::start(script).await;
    let client = Client::<WaveSpeed>::builder()
        .token("t")
        .base_url(raw.url(""))
        .skip_remote_image_checks(true)
        .retry_policy(fast_retry())
        .build()
        .unwrap();
    let input = WsInput {
        prompt: "a cat".into(),
        reference_images: vec!["https://example.com/cat.png".into()],
    };
    let outcome = client.submit(&input).await;
    (raw, outcome)
}

fn json_answer(status: u16, body: &str) -> Script {
    Script::Answer {
        status,
        headers: vec![("content-type", "application/json".into())],
        body: body.as_bytes().to_vec(),
    }
}

#[tokio::test]
async fn submit_201_with_an_id_is_a_job() {
    let body = r#"{"code":200,"message":"success","data":{"id":"ws-201","status":"created"}}"#;
    let (raw, outcome) = raw_submit(json_answer(201, body)).await;
    assert_eq!(outcome.expect("a job").id(), "ws-201");
    assert_eq!(raw.requests(), 1);
}

#[tokio::test]
async fn submit_answer_with_an_id_and_an_error_keeps_the_id() {
    let body = r#"{"code":500,"message":"queue hiccup","data":{"id":"ws-7"}}"#;
    let (raw, outcome) = raw_submit(json_answer(200, body)).await;
    let err = outcome.unwrap_err();
    assert!(err.is_submit_uncertain(), "{err}");
    assert!(
        !err.is_transient(),
        "an uncertain submit is never worth a blind retry"
    );
    assert_eq!(err.job_id(), Some("ws-7"));
    match &err {
        Error::SubmitUncertain { attempt, .. } => {
            assert_eq!(attempt.model, Some(WsInput::MODEL));
            assert_eq!(attempt.path, WsInput::SUBMIT_PATH);
            // The journal's fingerprint of the same body: the row matches.
            let sent = serde_json::to_vec(&WsInput {
                prompt: "a cat".into(),
                reference_images: vec!["https://example.com/cat.png".into()],
            })
            .unwrap();
            assert_eq!(attempt.body_hash, seedance_runtime::body_hash(&sent));
            assert_eq!(attempt.http_status, Some(200));
            let excerpt = attempt.answer_excerpt.as_deref().unwrap();
            assert!(excerpt.contains("queue hiccup"), "{excerpt}");
        }
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("ws-7"), "{err}");
    assert_eq!(raw.requests(), 1);
}

#[tokio::test]
async fn in_body_server_error_is_uncertain_not_rejected() {
    let body = r#"{"code":500,"message":"internal error","data":null}"#;
    let (raw, outcome) = raw_submit(json_answer(200, body)).await;
    let err = outcome.unwrap_err();
    assert!(err.is_submit_uncertain(), "{err}");
    assert_eq!(err.job_id(), None);
    assert_eq!(raw.requests(), 1, "never re-sent");
    // A 4xx in the body stays a definite refusal.
    let body = r#"{"code":400,"message":"bad input","data":null}"#;
    let (_raw, outcome) = raw_submit(json_answer(200, body)).await;
    assert!(matches!(outcome.unwrap_err(), Error::Api(_)));
}

#[tokio::test]
async fn submit_429_is_retried_and_creates_one_job() {
    let sim = Sim::start().await;
    sim.inject(
        Route::Submit,
        Fault::TooManyRequests {
            retry_after_secs: 0,
        },
        1,
    );
    let job = client::<RunComfy>(&sim)
        .submit(&rc_input(&sim))
        .await
        .expect("the 429 is ridden out");
    assert_eq!(sim.count(Route::Submit), 2);
    job.wait().await.unwrap();
}

#[tokio::test]
async fn submit_429_longer_than_the_timeout_is_a_prompt_refusal() {
    let sim = Sim::start().await;
    sim.inject(
        Route::Submit,
        Fault::TooManyRequests {
            retry_after_secs: 30,
        },
        3,
    );
    let client = builder::<RunComfy>(&sim)
        .retry_policy(RetryPolicy::default())
        .build()
        .expect("client");
    let started = Instant::now();
    let err = client
        .submit_with(
            &rc_input(&sim),
            SubmitOptions::new().timeout(Duration::from_millis(500)),
        )
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(err.http_status(), Some(429));
    assert!(!err.is_submit_uncertain(), "a 429 created nothing: {err}");
    assert!(err.is_transient());
    assert_eq!(sim.count(Route::Submit), 1);
}

// ---- item 1: output files -------------------------------------------------

#[tokio::test]
async fn download_refuses_an_existing_file_unless_forced() {
    let sim = Sim::start().await;
    let output = finished(&sim).await;
    let dir = scratch("exists");
    let path = dir.join("v.mp4");
    std::fs::write(&path, b"precious").unwrap();
    let before = sim.count(Route::Video);
    let err = output.download(&path).await.unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(err.to_string().contains("--force"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"precious");
    assert_eq!(sim.count(Route::Video), before, "nothing fetched");
    output
        .download_with(&path, DownloadOptions::new().force(true))
        .await
        .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), seedance_sim::video_bytes());
    assert_eq!(names(&dir), ["v.mp4"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[tokio::test]
async fn download_never_replaces_a_fifo() {
    let sim = Sim::start().await;
    let output = finished(&sim).await;
    let dir = scratch("fifo");
    let fifo = dir.join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|status| status.success()) {
        eprintln!("mkfifo unavailable; skipped");
        return;
    }
    let err = output
        .download_with(&fifo, DownloadOptions::new().force(true))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert_eq!(names(&dir), ["pipe"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[tokio::test]
async fn download_writes_through_a_symlink() {
    let sim = Sim::start().await;
    let output = finished(&sim).await;
    let dir = scratch("link");
    let target = dir.join("real.mp4");
    std::fs::write(&target, b"old").unwrap();
    let link = dir.join("link.mp4");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    output
        .download_with(&link, DownloadOptions::new().force(true))
        .await
        .unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&target).unwrap(), seedance_sim::video_bytes());
    assert_eq!(names(&dir), ["link.mp4", "real.mp4"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn dripping_download_stops_at_its_total_timeout() {
    let sim = Sim::start().await;
    let output = finished(&sim).await;
    let raw = Raw::start(Script::Drip {
        every: Duration::from_millis(20),
        total: 1_000_000,
    })
    .await;
    let dir = scratch("drip");
    let started = Instant::now();
    let err = output
        .download_url(
            &raw.url("/v.mp4"),
            dir.join("v.mp4"),
            DownloadOptions::new().timeout(Duration::from_millis(300)),
        )
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, Error::DownloadTimedOut { .. }), "{err}");
    assert_eq!(err.job_id(), Some(output.job_id()));
    assert!(names(&dir).is_empty(), "{:?}", names(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn cancelled_download_leaves_no_part_file() {
    let sim = Sim::start().await;
    let output = finished(&sim).await;
    let raw = Raw::start(Script::Drip {
        every: Duration::from_millis(5),
        total: 1_000_000,
    })
    .await;
    let dir = scratch("cancel");
    let url = raw.url("/v.mp4");
    let download = output.download_url(&url, dir.join("v.mp4"), DownloadOptions::new());
    let cut = tokio::time::timeout(Duration::from_millis(200), download).await;
    assert!(cut.is_err(), "the download was still running");
    assert!(raw.written() > 0, "it had started");
    assert!(names(&dir).is_empty(), "{:?}", names(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn failed_download_leaves_no_part_file() {
    let sim = Sim::start().await;
    let output = finished(&sim).await;
    sim.inject(Route::Video, Fault::TruncatedJson, 3);
    let dir = scratch("truncated");
    let err = output.download(dir.join("v.mp4")).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err}");
    assert!(names(&dir).is_empty(), "{:?}", names(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn huge_error_body_is_not_read_whole() {
    let sim = Sim::start().await;
    let output = finished(&sim).await;
    let raw = Raw::start(Script::Flood {
        status: 404,
        len: 400 << 20,
    })
    .await;
    let dir = scratch("flood");
    let started = Instant::now();
    let err = output
        .download_url(
            &raw.url("/v.mp4"),
            dir.join("v.mp4"),
            DownloadOptions::new(),
        )
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(err.http_status(), Some(404), "{err}");
    // Give the server a moment to notice the closed connection.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        raw.written() < 32 << 20,
        "{} bytes were sent",
        raw.written()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---- item 5: the prober is not an SSRF tool --------------------------------

#[tokio::test]
async fn image_on_a_private_address_is_refused_unread() {
    let sim = Sim::start().await;
    let client = builder::<AimlApi>(&sim)
        .probe_config(ProbeConfig::default())
        .build()
        .expect("client");
    let image = sim.image_url(&ImageSpec::new(ImageFormat::Png, 800, 600));
    for url in [image.clone(), image.replace("127.0.0.1", "localhost")] {
        let err = client.submit(&AimlInput::new("x", url)).await.unwrap_err();
        let Error::Validation(errors) = &err else {
            panic!("{err}")
        };
        assert_eq!(errors.violations[0].rule, Rule::ImageAddress, "{err}");
        assert!(err.to_string().contains("loopback"), "{err}");
    }
    assert_eq!(sim.count(Route::Image), 0);
    assert_eq!(sim.count(Route::Submit), 0);
}

#[tokio::test]
async fn image_network_failure_is_transient_and_says_how_to_skip() {
    let sim = Sim::start().await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let url = format!("http://{closed}/img.png");
    let err = client::<AimlApi>(&sim)
        .submit(&AimlInput::new("x", url))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ImageProbe { .. }), "{err}");
    assert!(err.is_transient());
    let text = err.to_string();
    assert!(text.contains("--skip-image-checks"), "{text}");
    assert!(text.to_lowercase().contains("connection refused"), "{text}");
    assert_eq!(sim.count(Route::Submit), 0);
}

// ---- item 11: errors read well ------------------------------------------------

#[tokio::test]
async fn debug_of_an_error_is_its_message_and_causes() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let client = Client::<RunComfy>::builder()
        .token("t")
        .base_url(format!("http://{closed}"))
        .max_retries(0)
        .build()
        .unwrap();
    let err = client.job("j1").status().await.unwrap_err();
    let debug = format!("{err:?}");
    assert!(debug.starts_with(&err.to_string()), "{debug}");
    assert!(debug.contains("\n\nCaused by:\n    "), "{debug}");
    assert!(
        debug.to_lowercase().contains("connection refused"),
        "{debug}"
    );
    assert!(!debug.contains("Transport {"), "no struct dump: {debug}");
}

// ---- issue 18 item 1: one bad poll does not end a paid job -----------------

/// What one poll can meet besides a good answer.
#[derive(Debug, Clone, Copy, PartialEq)]
enum BadPoll {
    /// The simulator's HTTP 500 with its error body.
    Http500,
    /// The simulator's HTTP 404 with its error body.
    Http404,
    /// The proxy's HTML error page under HTTP 200.
    Html200,
    /// The proxy's 200 announcing 9 MiB, over the 8 MiB answer cap.
    Oversized,
}

impl BadPoll {
    fn by_proxy(self) -> bool {
        matches!(self, BadPoll::Html200 | BadPoll::Oversized)
    }

    /// Whether `err` is what this fault turns into.
    fn produced(self, err: &Error) -> bool {
        match self {
            BadPoll::Http500 => err.http_status() == Some(500),
            BadPoll::Http404 => err.http_status() == Some(404),
            BadPoll::Html200 => {
                matches!(err, Error::Decode { .. }) && err.to_string().contains("<html>")
            }
            BadPoll::Oversized => {
                matches!(err, Error::Decode { .. }) && err.to_string().contains("over")
            }
        }
    }
}

/// Requests a RunComfy wait sent, and how it went.
#[derive(Debug, PartialEq)]
struct Followed {
    /// Status and result requests sent (answered by the sim or the proxy).
    status: u64,
    result: u64,
    /// `PollFailed` events.
    failures: usize,
}

/// Follows one RunComfy job through the proxy, with `bad` on the first
/// request to `route` after submit. No retry inside a request, so the wait
/// loop itself hears the fault.
async fn follow(bad: Option<(BadPoll, Route)>) -> Followed {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming {
        queued_polls: 1,
        running_polls: 1,
        outcome: Outcome::Succeed,
    });
    let proxy = Proxy::start(sim.base_url()).await;
    let client = builder::<RunComfy>(&sim)
        .base_url(proxy.base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let job = client.submit(&rc_input(&sim)).await.expect("submit");
    if let Some((fault, route)) = bad {
        inject(&sim, &proxy, fault, route);
    }
    let mut failures = 0;
    let output = job
        .wait_with(WaitOptions::new(), |event| {
            if let Progress::PollFailed { error, .. } = event {
                let (fault, _) = bad.expect("no fault was injected");
                assert!(fault.produced(error), "{fault:?}: {error}");
                assert_eq!(error.job_id(), Some(job.id()));
                failures += 1;
            }
        })
        .await
        .unwrap_or_else(|err| panic!("{bad:?}: {err}"));
    assert!(output.video_url().is_some());
    let by_proxy = |on: Route| match bad {
        Some((fault, route)) if fault.by_proxy() && route == on => proxy.faulted(),
        _ => 0,
    };
    Followed {
        status: sim.count(Route::Status) + by_proxy(Route::Status),
        result: sim.count(Route::Result) + by_proxy(Route::Result),
        failures,
    }
}

fn inject(sim: &Sim, proxy: &Proxy, fault: BadPoll, route: Route) {
    let suffix = if route == Route::Status {
        "/status"
    } else {
        "/result"
    };
    match fault {
        BadPoll::Http500 => sim.inject(route, Fault::Status(500), 1),
        BadPoll::Http404 => sim.inject(route, Fault::Status(404), 1),
        BadPoll::Html200 => proxy.fail_next(
            suffix,
            Script::Answer {
                status: 200,
                headers: vec![("content-type", "text/html".into())],
                body: b"<html><body><h1>502 Bad Gateway</h1></body></html>".to_vec(),
            },
        ),
        BadPoll::Oversized => proxy.fail_next(
            suffix,
            Script::Flood {
                status: 200,
                len: 9 << 20,
            },
        ),
    }
}

#[tokio::test]
async fn one_bad_poll_does_not_end_a_paid_job() {
    let clean = follow(None).await;
    assert_eq!(clean.result, 1, "{clean:?}");
    assert_eq!(clean.failures, 0, "{clean:?}");
    for fault in [
        BadPoll::Http500,
        BadPoll::Http404,
        BadPoll::Html200,
        BadPoll::Oversized,
    ] {
        for route in [Route::Status, Route::Result] {
            // One more status poll either way: the bad one, or the one
            // after a bad result fetch; the result is fetched again only
            // after a bad one.
            let expected = Followed {
                status: clean.status + 1,
                result: clean.result + u64::from(route == Route::Result),
                failures: 1,
            };
            let followed = follow(Some((fault, route))).await;
            assert_eq!(followed, expected, "{fault:?} on {route:?}");
        }
    }
}

#[tokio::test]
async fn a_500_on_a_status_get_is_retried() {
    let sim = Sim::start().await;
    let client = client::<RunComfy>(&sim);
    let job = client.submit(&rc_input(&sim)).await.unwrap();
    sim.inject(Route::Status, Fault::Status(500), 1);
    job.status().await.expect("the retry gets the answer");
    assert_eq!(sim.count(Route::Status), 2);
    assert_eq!(sim.pending_faults(Route::Status), 0);
}

// ---- issue 18 item 11: the request budget's Retry-After hold ----------------

/// A RunComfy client on virtual time with no retries inside a request, and
/// its first job, whose status poll was answered 429 with `Retry-After:
/// 100000`: the budget holds the whole connection from now.
async fn held_for_a_day(sim: &Sim, clock: &Clock) -> (Client<RunComfy>, seedance_runtime::Job) {
    let client = builder::<RunComfy>(sim)
        .clock(clock.clone())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let job = client.submit(&rc_input(sim)).await.unwrap();
    sim.inject(
        Route::Status,
        Fault::TooManyRequests {
            retry_after_secs: 100_000,
        },
        1,
    );
    let err = job.status().await.unwrap_err();
    assert_eq!(err.http_status(), Some(429), "{err}");
    (client, job)
}

#[tokio::test]
async fn a_huge_retry_after_holds_the_connection_for_max_retry_after_only() {
    let sim = Sim::start().await;
    let clock = Clock::virtual_time(SEED);
    let (client, job) = held_for_a_day(&sim, &clock).await;
    let max_hold = RetryPolicy::none().max_retry_after;
    assert_eq!(max_hold, Duration::from_secs(60));
    let held = clock.now();
    // The next request of the connection (here the same job's) goes when
    // the capped hold ends, not a day later.
    job.status().await.expect("status after the hold");
    assert_eq!(clock.now() - held, max_hold);
    assert_eq!(sim.count(Route::Status), 2);
    // A submit whose timeout outlasts a hold is sent after it.
    sim.inject(
        Route::Status,
        Fault::TooManyRequests {
            retry_after_secs: 100_000,
        },
        1,
    );
    job.status().await.unwrap_err();
    let held = clock.now();
    client.submit(&rc_input(&sim)).await.expect("submit");
    assert_eq!(clock.now() - held, max_hold);
    assert_eq!(sim.count(Route::Submit), 2);
}

#[tokio::test]
async fn a_submit_held_past_its_timeout_is_never_sent() {
    let sim = Sim::start().await;
    let clock = Clock::virtual_time(SEED);
    let (client, _job) = held_for_a_day(&sim, &clock).await;
    let held = clock.now();
    let err = client
        .submit_with(
            &rc_input(&sim),
            SubmitOptions::new().timeout(Duration::from_secs(5)),
        )
        .await
        .unwrap_err();
    match &err {
        Error::BudgetTimeout {
            job_id, path, wait, ..
        } => {
            assert_eq!(job_id, &None);
            assert_eq!(path, RcInput::SUBMIT_PATH);
            assert_eq!(*wait, Duration::from_secs(60));
        }
        other => panic!("{other}"),
    }
    assert!(!err.is_submit_uncertain(), "nothing was sent: {err}");
    assert!(err.is_transient());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(60)));
    assert!(err.to_string().contains("not sent"), "{err}");
    assert_eq!(sim.count(Route::Submit), 1, "only the first job's submit");
    assert_eq!(clock.now(), held, "refused at once, not at the timeout");
}
