//! Shared by the binary's tests: running `seedance` children and reading
//! what they print; for the durable-batch tests, a simulator in its own
//! process (`seedance sim`), its admin endpoints, `seedance batch` children
//! pointed at it, and a batch file of distinct lines. Only 127.0.0.1 is
//! contacted.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};

use seedance::catalog::{MODELS, ModelInfo};
use serde_json::{Value, json};

pub const PRO: &str = "runcomfy/bytedance/seedance-1-0/pro/image-to-video";

/// Where a test's `seedance sim` records its URL: inside the test's own
/// folder, so no test (and no simulator the developer runs) sees another's.
pub fn state_file(dir: &Path) -> PathBuf {
    dir.join("seedance-sim.url")
}

/// `seedance` with no vendor token, proxy or foreign state in its environment.
pub fn seedance(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_seedance"));
    command
        .current_dir(dir)
        .env("SEEDANCE_SIM_STATE", state_file(dir));
    for info in MODELS {
        command.env_remove(info.vendor.token_env);
    }
    for proxy in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        command.env_remove(proxy);
    }
    command
}

/// Runs `command` to its end.
pub fn run(command: &mut Command) -> Output {
    command.output().expect("the seedance binary runs")
}

/// Bytes a child printed, as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every stdout line of a `--json` run, parsed.
pub fn json_lines(output: &Output) -> Vec<Value> {
    text(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|err| panic!("{line:?}: {err}")))
        .collect()
}

/// A fresh folder, removed on drop.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary folder")
}

/// A real 800x600 PNG written as `photo.png` in `dir`; its path.
pub fn photo(dir: &Path) -> PathBuf {
    let path = dir.join("photo.png");
    let png = seedance_sim::ImageSpec::new(seedance_sim::ImageFormat::Png, 800, 600).bytes();
    std::fs::write(&path, png).expect("write photo");
    path
}

/// A catalog model as the command line names it: `vendor/model`.
pub fn name(info: &ModelInfo) -> String {
    format!("{}/{}", info.vendor.id, info.model)
}

/// The required fields of `info` that take free text: strings with no
/// `const`, `format` or image rules (media fields are `--sim`'s to fill).
pub fn required_text_fields(info: &ModelInfo) -> Vec<String> {
    let schema = (info.json_schema)();
    let properties = &schema.as_value()["properties"];
    schema.as_value()["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|field| {
            let prop = &properties[*field];
            prop["type"] == "string"
                && prop.get("const").is_none()
                && prop.get("format").is_none()
                && prop.get("validations").is_none()
        })
        .map(str::to_owned)
        .collect()
}

/// Sends `signal` (`-INT`, `-TERM`) to process `pid` with `kill`.
pub fn send_signal(pid: u32, signal: &str) {
    let sent = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
}

/// Spawns `command` with stdout and stderr piped and reads its first stdout
/// line (a run's `job ...` line, `seedance sim`'s URL); the reader holds the
/// rest of stdout open for as long as the caller keeps it.
pub fn spawn_reading_first_line(command: &mut Command) -> (Child, String, BufReader<ChildStdout>) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("first stdout line");
    (child, first, stdout)
}

/// A `seedance sim` child: its own process, killed on drop.
pub struct SimProcess {
    child: Child,
    pub base_url: String,
    http: reqwest::Client,
}

impl SimProcess {
    /// Starts it in `dir` and reads its URL (first stdout line).
    pub fn start(dir: &Path) -> SimProcess {
        let mut child = seedance(dir)
            .args(["sim", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("seedance sim starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("sim URL");
        let base_url = line.trim().to_owned();
        assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url:?}");
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client");
        SimProcess {
            child,
            base_url,
            http,
        }
    }

    pub async fn admin(&self, path: &str, body: Value) {
        let answer = self
            .http
            .post(format!("{}/sim/admin/{path}", self.base_url))
            .json(&body)
            .send()
            .await
            .expect("admin request");
        assert!(answer.status().is_success(), "{path}: {}", answer.status());
    }

    /// The JSON of admin endpoint `GET /sim/admin/{path}` (`submits`, `counts`).
    pub async fn get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}/sim/admin/{path}", self.base_url))
            .send()
            .await
            .expect("admin request")
            .json()
            .await
            .expect("admin JSON")
    }

    /// POSTs per prompt, as the simulator counted them.
    pub async fn submits_by_prompt(&self) -> HashMap<String, u64> {
        let seen = self.get("submits").await;
        let mut by_prompt = HashMap::new();
        for request in seen["requests"].as_array().expect("requests") {
            let body: Value = serde_json::from_str(request["body"].as_str().expect("body"))
                .expect("body is JSON");
            let prompt = body["prompt"].as_str().expect("prompt").to_owned();
            *by_prompt.entry(prompt).or_default() += request["count"].as_u64().expect("count");
        }
        by_prompt
    }

    /// Requests per route (`submit`, `status`, `video`, ...).
    pub async fn counts(&self) -> Value {
        self.get("counts").await
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `n` distinct lines (prompt `line N`); every third names its own output file.
pub fn batch_file(dir: &Path, base_url: &str, n: usize) -> std::path::PathBuf {
    let image = format!("{base_url}/sim/images/img.png?w=640&h=480");
    let mut text = String::new();
    for i in 1..=n {
        let mut line = json!({
            "model": PRO,
            "input": {"prompt": format!("line {i}"), "first_frame_image_url": image},
        });
        if i % 3 == 0 {
            line["out"] = Value::from(format!("named/line-{i}.mp4"));
        }
        text.push_str(&line.to_string());
        text.push('\n');
    }
    let path = dir.join("jobs.jsonl");
    std::fs::write(&path, text).expect("write batch file");
    path
}

/// `seedance batch FILE` against the simulator at `base_url`.
pub fn batch(dir: &Path, base_url: &str, file: &Path, journal: &str, extra: &[&str]) -> Command {
    let mut command = seedance(dir);
    command
        .env("RUNCOMFY_API_TOKEN", seedance_sim::TOKEN)
        .arg("batch")
        .arg(file)
        .args(["--journal", journal, "--out"])
        .arg(dir.join("out"))
        .args(["--base-url", base_url, "--poll-interval", "5ms"])
        // The simulator's images are on 127.0.0.1.
        .arg("--allow-private-image-urls")
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// Every file under `dir`, recursively.
pub fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(read) = std::fs::read_dir(dir) else {
        return out;
    };
    for item in read.flatten() {
        let path = item.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// What the journal and the simulator say after a batch, checked against
/// the promises: at most one POST per line, every created job downloaded or
/// uncertain, no output fetched twice, no half-written file.
pub async fn check_promises(
    journal: &seedance_journal::AnyJournal,
    sim: &SimProcess,
    out: &Path,
    lines: usize,
) -> HashMap<&'static str, usize> {
    use seedance_journal::{Journal, State};
    let entries = journal.list(None).await.expect("list");
    assert_eq!(entries.len(), lines, "every line is in the journal");
    let posts = sim.submits_by_prompt().await;
    for (prompt, count) in &posts {
        assert!(*count <= 1, "{prompt:?} was POSTed {count} times");
    }
    let mut tally: HashMap<&'static str, usize> = HashMap::new();
    let mut downloading_events = 0;
    let mut saved = std::collections::HashSet::new();
    for entry in &entries {
        let body: Value = serde_json::from_str(&entry.body).expect("body");
        let prompt = body["prompt"].as_str().expect("prompt");
        let posted = posts.get(prompt).copied().unwrap_or(0);
        assert!(
            matches!(entry.state, State::Downloaded | State::Uncertain),
            "line {} ended {} ({:?})",
            entry.line,
            entry.state,
            entry.error
        );
        if entry.state == State::Downloaded {
            assert_eq!(
                posted, 1,
                "line {} downloaded with {posted} POSTs",
                entry.line
            );
            let path = entry.saved_path.clone().expect("saved path");
            assert_eq!(
                std::fs::read(&path).unwrap_or_default(),
                seedance_sim::video_bytes(),
                "line {}: {path} is the whole video",
                entry.line
            );
            saved.insert(std::path::PathBuf::from(path));
        }
        *tally.entry(entry.state.as_str()).or_default() += 1;
        let events = journal.events(&entry.key).await.expect("events");
        let downloaded = events
            .iter()
            .filter(|e| e.state == State::Downloaded)
            .count();
        assert!(
            downloaded <= 1,
            "line {} downloaded {downloaded} times",
            entry.line
        );
        downloading_events += events
            .iter()
            .filter(|e| e.state == State::Downloading)
            .count();
        let workers: std::collections::HashSet<_> =
            events.iter().filter_map(|e| e.worker.clone()).collect();
        if workers.len() > 1 && entry.state == State::Downloaded {
            *tally.entry("taken_over_and_downloaded").or_default() += 1;
        }
        let posted_by = events
            .iter()
            .filter(|e| e.state == State::Submitting)
            .count();
        assert!(
            posted_by <= 1,
            "line {} entered submitting {posted_by} times",
            entry.line
        );
    }
    // Each fetch of a video follows a `downloading` record (a restart after
    // a kill records another); none happens after `downloaded`.
    let videos = sim.counts().await["video"].as_u64().expect("video count") as usize;
    assert!(
        videos <= downloading_events,
        "{videos} video GETs for {downloading_events} recorded download starts"
    );
    let on_disk: std::collections::HashSet<_> = files(out).into_iter().collect();
    assert_eq!(
        on_disk, saved,
        "exactly the recorded outputs are on disk, no partial files"
    );
    tally.insert("posts", posts.values().sum::<u64>() as usize);
    tally
}
