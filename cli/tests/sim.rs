//! `seedance sim` and how `--sim` talks to it: the options it refuses, and
//! polls paced to a simulated job duration, counted by the simulator.

mod support;

use std::process::Output;
use std::time::{Duration, Instant};

use support::{PRO, SimProcess, seedance};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn sim_with(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("temporary folder");
    seedance(dir.path())
        .arg("sim")
        .args(args)
        .output()
        .expect("the seedance binary runs")
}

#[test]
fn sim_refuses_poll_interval_as_a_usage_error_not_a_panic() {
    for args in [["--poll-interval", "1s"], ["--poll-interval", "soon"]] {
        let output = sim_with(&args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("--poll-interval"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn sim_neither_lists_nor_takes_requests_per_second() {
    let help = sim_with(&["--help"]);
    assert!(help.status.success());
    let help = text(&help.stdout);
    assert!(help.contains("--rate-limit-rate"), "{help}");
    assert!(!help.contains("--requests-per-second"), "{help}");
    let output = sim_with(&["--requests-per-second", "5"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("sends none"), "{stderr}");
}

/// `run --sim` against a `seedance sim` whose jobs take `job` of wall-clock
/// time: (status and result requests, time taken).
async fn polls_for(job: Duration) -> (u64, Duration) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let sim = SimProcess::start(dir.path());
    let ms = u64::try_from(job.as_millis()).expect("ms");
    sim.admin("demo", serde_json::json!({ "job_duration_ms": ms }))
        .await;
    let started = Instant::now();
    let output = seedance(dir.path())
        .args(["run", "--sim", PRO, "--set", "prompt=a cat", "--out"])
        .arg(dir.path().join("out.mp4"))
        .output()
        .expect("seedance run");
    let took = started.elapsed();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let counts = sim.counts().await;
    let polls =
        counts["status"].as_u64().expect("status") + counts["result"].as_u64().expect("result");
    (polls, took)
}

#[tokio::test]
async fn run_sim_polls_a_timed_job_like_a_real_client_would() {
    // 10 ms polls would send about 300 requests for this job.
    let job = Duration::from_secs(3);
    let (polls, took) = polls_for(job).await;
    assert!(took >= job, "{took:?}");
    assert!((8..=25).contains(&polls), "{polls} polls for a {job:?} job");
}
