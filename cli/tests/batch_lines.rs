//! A batch file's lines are checked before anything is paid (issue 18):
//! `seedance batch --sim` against a `seedance sim` child runs a file of good
//! lines (an AI/ML API line, a WaveSpeed `@photo.png` line, lines with and
//! without `out`) and bad ones (outs that leave `--out`, destinations that
//! cannot be written, a `@path` that leaves the batch folder, bytes that are
//! not UTF-8). The simulator's own records say which lines were POSTed.

mod support;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Output, Stdio};

use seedance_sim::{ImageFormat, ImageSpec};
use serde_json::{Value, json};
use support::{PRO, SimProcess, files, seedance};

const AIMLAPI: &str = "aimlapi/bytedance/seedance-1-0-lite-i2v";
const WAVESPEED: &str = "wavespeed/bytedance/seedance-v1-lite/reference-to-video";

fn pro(prompt: &str, out: &str) -> Value {
    json!({"model": PRO, "input": {
        "prompt": prompt, "first_frame_image_url": "https://example.com/a.jpg"}, "out": out})
}

/// The lines, good and bad, each with a unique prompt; the refused ones
/// with what their reason must say.
fn lines(outside: &Path) -> (Vec<Value>, Vec<(&'static str, &'static str)>) {
    let good = vec![
        pro("good named", "good/one.mp4"),
        json!({"model": PRO, "input": {
            "prompt": "good unnamed", "first_frame_image_url": "https://example.com/a.jpg"}}),
        json!({"model": AIMLAPI, "input": {
            "prompt": "aiml", "image_url": "https://example.com/a.jpg"}, "out": "aiml.mp4"}),
        json!({"model": WAVESPEED, "input": {
            "prompt": "photo", "reference_images": ["@photo.png"]}, "out": "photo.mp4"}),
    ];
    let abs = outside.join("abs.mp4").display().to_string();
    let bad: Vec<(Value, &str, &str)> = vec![
        (pro("up", "../escape.mp4"), "up", "contains `..`"),
        (pro("abs", &abs), "abs", "is an absolute path"),
        (
            pro("link", "away/x.mp4"),
            "link",
            "a symlink leading outside",
        ),
        (pro("taken", "taken.mp4"), "taken", "exists; delete it"),
        (pro("dot", "."), "dot", "does not name a file"),
        (pro("slash", "x/"), "slash", "does not name a file"),
        (pro("dangling", "dangling.mp4"), "dangling", "symlink"),
        (
            pro("under a file", "taken.mp4/x.mp4"),
            "under a file",
            "is not a folder",
        ),
        (pro("null", "/dev/null"), "null", "is an absolute path"),
        (
            json!({"model": AIMLAPI, "input": {"prompt": "exfiltrate", "image_url": "@../secret.png"}}),
            "exfiltrate",
            "image_url: `@../secret.png` contains `..`",
        ),
    ];
    let mut all = good;
    let mut refused = Vec::new();
    for (line, prompt, why) in bad {
        all.push(line);
        refused.push((prompt, why));
    }
    (all, refused)
}

fn photo(path: &Path) {
    std::fs::write(path, ImageSpec::new(ImageFormat::Png, 800, 600).bytes()).expect("photo");
}

async fn output(mut command: std::process::Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().expect("seedance runs"))
        .await
        .expect("child finished")
}

fn summary(output: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|value| value["event"] == "summary")
        .unwrap_or_else(|| {
            panic!(
                "no summary: {stdout}\n{}",
                String::from_utf8_lossy(&output.stderr)
            )
        })
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_lines_are_never_posted_and_good_lines_reach_their_videos() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let sim = SimProcess::start(root);
    let (jobs, out, outside) = (root.join("jobs"), root.join("out"), root.join("outside"));
    for folder in [&jobs, &out, &outside] {
        std::fs::create_dir(folder).expect("mkdir");
    }
    photo(&jobs.join("photo.png"));
    photo(&root.join("secret.png"));
    std::fs::write(out.join("taken.mp4"), b"precious").expect("write");
    std::os::unix::fs::symlink(&outside, out.join("away")).expect("link");
    std::os::unix::fs::symlink(out.join("none"), out.join("dangling.mp4")).expect("link");

    let (lines, refused) = lines(&outside);
    let mut text: Vec<u8> = Vec::new();
    for line in &lines {
        text.extend_from_slice(line.to_string().as_bytes());
        text.push(b'\n');
    }
    text.extend_from_slice(b"{\"model\": \"\xff\"}\n");
    std::fs::write(jobs.join("jobs.jsonl"), &text).expect("batch file");

    let mut command = seedance(root);
    command
        .args([
            "batch",
            "jobs/jobs.jsonl",
            "--sim",
            "--json",
            "--out",
            "out",
        ])
        .args(["--journal", "jobs.db", "--poll-interval", "5ms"])
        .args(["--requests-per-second", "inf"])
        .stdin(Stdio::null());
    let output = output(command).await;
    let summary = summary(&output);

    // Every refused line is named with its number and reason.
    let invalid: HashMap<i64, String> = summary["invalid"]
        .as_array()
        .expect("invalid lines")
        .iter()
        .map(|item| {
            let line = item["line"].as_i64().expect("line");
            (line, item["error"].as_str().expect("error").to_owned())
        })
        .collect();
    let first_bad = 5;
    for (index, (prompt, why)) in refused.iter().enumerate() {
        let line = first_bad + index as i64;
        let reason = invalid.get(&line).map_or("", String::as_str);
        assert!(reason.contains(why), "line {line} ({prompt}): {reason:?}");
    }
    let utf8 = first_bad + refused.len() as i64;
    assert!(
        invalid
            .get(&utf8)
            .is_some_and(|why| why.contains("not UTF-8 at byte 12")),
        "{invalid:?}"
    );
    assert_eq!(invalid.len(), refused.len() + 1, "{invalid:#?}");

    // The simulator saw exactly the good lines, once each.
    let posts = sim.submits_by_prompt().await;
    let expected: HashMap<String, u64> = ["good named", "good unnamed", "aiml", "photo"]
        .into_iter()
        .map(|prompt| (prompt.to_owned(), 1))
        .collect();
    assert_eq!(posts, expected, "only the good lines were POSTed");
    let uploaded = format!("{}/sim/uploads/", sim.base_url);
    let submitted = photo_body(&sim).await;
    assert!(
        submitted["reference_images"][0]
            .as_str()
            .is_some_and(|url| url.starts_with(&uploaded)),
        "the photo went through the WaveSpeed upload: {submitted}"
    );

    // The good lines reached their videos; nothing was written outside.
    let video = seedance_sim::video_bytes();
    for name in ["good/one.mp4", "aiml.mp4", "photo.mp4"] {
        let saved = std::fs::read(out.join(name)).ok();
        assert!(
            saved.as_ref() == Some(&video),
            "{name} is not the video: {summary}"
        );
    }
    assert_eq!(
        std::fs::read(out.join("taken.mp4")).expect("read"),
        b"precious"
    );
    assert_eq!(files(&outside), Vec::<std::path::PathBuf>::new());
    assert!(!root.join("escape.mp4").exists());
    // Three named videos, one JOB_ID.mp4, and what was there before:
    // taken.mp4 and the dangling link (nothing written through it).
    let saved = files(&out);
    assert_eq!(saved.len(), 6, "{saved:?}");
    assert!(
        std::fs::metadata(out.join("dangling.mp4")).is_err(),
        "still dangling"
    );
}

/// The body the simulator received for the `photo` line.
async fn photo_body(sim: &SimProcess) -> Value {
    let seen: Value = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .get(format!("{}/sim/admin/submits", sim.base_url))
        .send()
        .await
        .expect("admin request")
        .json()
        .await
        .expect("admin JSON");
    seen["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter_map(|request| serde_json::from_str::<Value>(request["body"].as_str()?).ok())
        .find(|body| body["prompt"] == "photo")
        .expect("the photo line was submitted")
}

#[test]
fn unreadable_standard_input_is_named_so() {
    let dir = tempfile::tempdir().expect("dir");
    // Reading a folder fails: standard input that cannot be read.
    let folder = std::fs::File::open(dir.path()).expect("open folder");
    let output = seedance(dir.path())
        .args(["batch", "-", "--sim", "--journal", ":memory:"])
        .stdin(Stdio::from(folder))
        .output()
        .expect("seedance runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot read standard input"), "{stderr}");
}
