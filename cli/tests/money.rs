//! Money on the command line, asserted from the simulator's own counts and
//! ledger: a dry run shows the quote, `--max-cost` refuses before any
//! POST, `batch --estimate` prices 1,000 lines with one pricing request per
//! distinct input and submits nothing.

mod support;

use std::path::Path;
use std::process::Output;

use seedance_sim::{Vendor, price_micros};
use serde_json::{Value, json};
use support::{SimProcess, seedance};

const WS: &str = "wavespeed/bytedance/seedance-v1-lite/reference-to-video";

fn ws(dir: &Path, sim: &SimProcess, args: &[&str]) -> Output {
    seedance(dir)
        .env("WAVESPEED_API_KEY", seedance_sim::TOKEN)
        .args([
            "--json",
            "--base-url",
            &sim.base_url,
            "--allow-private-image-urls",
        ])
        .args(args)
        .output()
        .expect("seedance runs")
}

fn image(sim: &SimProcess) -> String {
    format!("{}/sim/images/img.png?w=640&h=480", sim.base_url)
}

async fn ledger(sim: &SimProcess) -> Value {
    reqwest::get(format!("{}/sim/admin/ledger", sim.base_url))
        .await
        .expect("ledger")
        .json()
        .await
        .expect("ledger JSON")
}

#[tokio::test]
async fn dry_run_shows_the_quote_and_max_cost_refuses_before_any_post() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sim = SimProcess::start(dir.path());
    let images = format!("reference_images={}", image(&sim));
    let base = [
        "run",
        WS,
        "--set",
        "prompt=a cat",
        "--set",
        &images,
        "--set",
        "duration=10",
    ];
    let out = ws(dir.path(), &sim, &[&base[..], &["--dry-run"]].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let expected = price_micros(Vendor::WaveSpeed, &json!({"duration": 10}));
    assert_eq!(
        shown["quote"]["usd_micros"].as_u64(),
        Some(expected),
        "{shown}"
    );
    assert_eq!(shown["quote"]["exact"], true);

    let out = ws(
        dir.path(),
        &sim,
        &[&base[..], &["--no-wait", "--max-cost", "0.15"]].concat(),
    );
    assert_eq!(
        out.status.code(),
        Some(9),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let counts = sim.counts().await;
    assert_eq!(counts["submit"], 0, "{counts}");
    assert_eq!(counts["pricing"], 2, "{counts}");
    assert_eq!(ledger(&sim).await["total"]["usd_micros"], 0);

    // At the limit it is sent, and billed what was quoted.
    let limit = format!("{}", expected as f64 / 1e6);
    let out = ws(
        dir.path(),
        &sim,
        &[&base[..], &["--no-wait", "--max-cost", &limit]].concat(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        ledger(&sim).await["total"]["usd_micros"].as_u64(),
        Some(expected)
    );
}

#[tokio::test]
async fn batch_estimate_quotes_each_distinct_input_once_and_submits_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sim = SimProcess::start(dir.path());
    let mut text = String::new();
    let mut expected = 0;
    for i in 0..1000 {
        let input =
            json!({"prompt": "a cat", "reference_images": [image(&sim)], "duration": 2 + i % 10});
        expected += price_micros(Vendor::WaveSpeed, &input);
        text.push_str(&json!({"model": WS, "input": input}).to_string());
        text.push('\n');
    }
    let file = dir.path().join("lines.jsonl");
    std::fs::write(&file, text).expect("batch file");
    let journal = dir.path().join("jobs.db");
    let out = ws(
        dir.path(),
        &sim,
        &[
            "batch",
            file.to_str().unwrap(),
            "--allow-duplicates",
            "--estimate",
            "--journal",
            journal.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        shown["total_usd_micros"].as_u64(),
        Some(expected),
        "{shown}"
    );
    assert_eq!(shown["models"][0]["lines"], 1000);
    assert_eq!(shown["unknown_lines"], 0);
    let counts = sim.counts().await;
    assert_eq!(counts["pricing"], 10, "{counts}");
    assert_eq!(counts["submit"], 0, "{counts}");
    assert!(!journal.exists(), "an estimate records nothing");
}
