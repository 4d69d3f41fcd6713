//! `seedance run` on a model that is not compiled in (issue 20's "done
//! when"): with `seedance sim` running and a new WaveSpeed model added to
//! its catalog over the admin route, `run --sim wavespeed/<id>` runs it to
//! the video; `--set duration=99` is refused with the message a compiled
//! model gives; a second run asks the catalog nothing (the disk cache
//! answers). Every figure is the simulator's own count.

mod support;

use serde_json::{Value, json};
use support::{SimProcess, seedance};

const NEW: &str = "bytedance/seedance-v2.0/text-to-video";
const COMPILED: &str = "wavespeed/bytedance/seedance-v1-lite/reference-to-video";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The compiled model's `duration`, so both must refuse 99 alike.
fn schema() -> Value {
    let compiled: Value = serde_json::from_str(include_str!(
        "../../schemas/wavespeed/bytedance/seedance-v1-lite/reference-to-video.json"
    ))
    .expect("compiled schema");
    json!({
        "type": "object",
        "properties": {
            "prompt": { "type": "string" },
            "duration": compiled["properties"]["duration"],
            "seed": { "type": "integer", "minimum": -1, "maximum": 2147483647 }
        },
        "required": ["prompt"],
        "x-order-properties": ["prompt", "duration", "seed"]
    })
}

/// The stderr line that names `duration`.
fn duration_line(stderr: &str) -> String {
    stderr
        .lines()
        .find(|line| line.contains("duration") && line.contains("99"))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

#[tokio::test]
async fn a_catalog_only_model_runs_to_the_video_and_comes_from_the_cache_next_time() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let sim = SimProcess::start(dir.path());
    let added = reqwest::Client::new()
        .put(format!("{}/sim/catalog/wavespeed/{NEW}", sim.base_url))
        .json(&schema())
        .send()
        .await
        .expect("admin PUT");
    assert!(added.status().is_success(), "{}", added.status());
    let cache = dir.path().join("cache");
    let run = |extra: &[&str], out: &str| {
        seedance(dir.path())
            .env("SEEDANCE_CACHE_DIR", &cache)
            .args([
                "run",
                "--sim",
                &format!("wavespeed/{NEW}"),
                "--set",
                "prompt=a cat",
            ])
            .args(extra)
            .arg("--out")
            .arg(dir.path().join(out))
            .output()
            .expect("seedance run")
    };
    let catalog_requests = || async { sim.counts().await["catalog"].as_u64().expect("catalog") };

    let first = run(&[], "first.mp4");
    let stderr = text(&first.stderr);
    assert!(first.status.success(), "{stderr}");
    assert!(
        stderr.contains("not compiled in: schema from http://127.0.0.1"),
        "{stderr}"
    );
    let video = std::fs::read(dir.path().join("first.mp4")).expect("video");
    assert_eq!(video, seedance_sim::video_bytes());
    assert_eq!(catalog_requests().await, 1);

    let refused = run(&["--set", "duration=99"], "refused.mp4");
    let catalog_says = duration_line(&text(&refused.stderr));
    assert!(!refused.status.success());
    let compiled = seedance(dir.path())
        .args([
            "run",
            "--sim",
            COMPILED,
            "--set",
            "prompt=a cat",
            "--set",
            "duration=99",
        ])
        .args([
            "--set",
            "reference_images=[\"https://example.com/a.png\"]",
            "--skip-image-checks",
        ])
        .output()
        .expect("seedance run");
    let compiled_says = duration_line(&text(&compiled.stderr));
    assert!(!compiled_says.is_empty(), "{}", text(&compiled.stderr));
    assert_eq!(catalog_says, compiled_says);

    let second = run(&[], "second.mp4");
    let stderr = text(&second.stderr);
    assert!(second.status.success(), "{stderr}");
    assert!(stderr.contains("cached"), "{stderr}");
    assert_eq!(catalog_requests().await, 1, "the cache answered");
    let counts = sim.counts().await;
    assert_eq!(counts["submit"], 2, "{counts}");

    // Described as a compiled model is, from the cached schema.
    let described = seedance(dir.path())
        .env("SEEDANCE_CACHE_DIR", &cache)
        .args(["describe", "--sim", &format!("wavespeed/{NEW}"), "--json"])
        .output()
        .expect("seedance describe");
    assert!(described.status.success(), "{}", text(&described.stderr));
    let described: Value = serde_json::from_slice(&described.stdout).expect("JSON");
    let duration = &described["fields"][1];
    assert_eq!(duration["name"], "duration", "{described}");
    assert_eq!(
        described["json_schema"],
        schema(),
        "the schema as published"
    );
    assert_eq!(catalog_requests().await, 1, "the cache answered");

    // A batch of it: every line checked as a compiled model's, then run.
    let lines = [
        json!({"model": format!("wavespeed/{NEW}"), "input": {"prompt": "batch 1"}}),
        json!({"model": format!("wavespeed/{NEW}"), "input": {"prompt": "batch 2", "duration": 3}}),
    ];
    let file = dir.path().join("jobs.jsonl");
    let text_lines: Vec<String> = lines.iter().map(Value::to_string).collect();
    std::fs::write(&file, text_lines.join("\n") + "\n").expect("batch file");
    let batch_with = |cache: &std::path::Path| {
        seedance(dir.path())
            .env("SEEDANCE_CACHE_DIR", cache)
            .args(["batch", "--sim", "--journal"])
            .arg(dir.path().join("jobs.db"))
            .arg("--out")
            .arg(dir.path().join("batch"))
            .arg(&file)
            .output()
            .expect("seedance batch")
    };
    let batch = batch_with(&cache);
    assert!(batch.status.success(), "{}", text(&batch.stderr));
    let saved = std::fs::read_dir(dir.path().join("batch"))
        .expect("out")
        .count();
    assert_eq!(saved, 2, "{}", text(&batch.stderr));
    assert_eq!(sim.counts().await["submit"], 4);
    assert_eq!(catalog_requests().await, 1, "the cache answered");

    // The vendor delists the model and the cache is gone: the batch's
    // recorded lines still resume from the journal, nothing is sent again.
    let removed = reqwest::Client::new()
        .delete(format!("{}/sim/catalog/wavespeed/{NEW}", sim.base_url))
        .send()
        .await
        .expect("admin DELETE");
    assert!(removed.status().is_success(), "{}", removed.status());
    let again = batch_with(&dir.path().join("empty-cache"));
    let said = text(&again.stderr);
    assert!(again.status.success(), "{said}");
    assert!(said.contains("2 finished earlier"), "{said}");
    assert_eq!(sim.counts().await["submit"], 4, "nothing sent again");

    // The catalogs, compiled models marked.
    let listed = seedance(dir.path())
        .env("SEEDANCE_CACHE_DIR", &cache)
        .args(["models", "--remote", "--sim", "--json"])
        .output()
        .expect("seedance models");
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let lines: Vec<Value> = text(&listed.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON line"))
        .collect();
    let new = lines.iter().find(|l| l["model"] == NEW).expect("listed");
    assert_eq!(new["compiled"], false);
    let compiled = lines.iter().filter(|l| l["compiled"] == true).count();
    assert_eq!(
        compiled,
        seedance::catalog::MODELS.len(),
        "every compiled model is listed"
    );
}
