//! End-to-end tests of the `seedance` binary against the simulator: the one
//! `--sim` starts in the child process, one started here (for resuming jobs
//! by id across processes and injecting faults), or a `seedance sim` child
//! found through a state file in the test's own folder. Only 127.0.0.1 is ever contacted:
//! `--sim` rewrites every foreign image URL, and the tokens and proxy
//! variables of the environment are removed from every child.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

mod support;

use seedance::catalog::{MODELS, ModelInfo};
use seedance_sim::{Fault, JobTiming, Outcome, Route, Sim};
use support::{
    PRO, json_lines, name, required_text_fields, run, seedance, send_signal,
    spawn_reading_first_line, state_file, tempdir, text,
};

/// The error of a `--json` run (its last line): message and causes, the
/// text that goes to stderr without `--json`.
fn error_text(output: &Output) -> String {
    let line = json_lines(output).pop().expect("an error line");
    let error = &line["error"];
    let mut text = error["message"].as_str().expect("message").to_owned();
    for cause in error["causes"].as_array().into_iter().flatten() {
        text.push('\n');
        text.push_str(cause.as_str().unwrap_or_default());
    }
    text
}

/// `--set` for each required text field (image fields are supplied by --sim).
fn required_text(info: &ModelInfo) -> Vec<String> {
    required_text_fields(info)
        .into_iter()
        .map(|field| format!("{field}=a red fox running through snow"))
        .collect()
}

#[test]
fn models_lists_every_catalog_model_and_json_parses() {
    let dir = tempdir();
    let plain = run(seedance(dir.path()).arg("models"));
    assert!(plain.status.success());
    let listing = text(&plain.stdout);
    for info in MODELS {
        assert!(listing.contains(&name(info)), "{listing}");
    }
    let json = run(seedance(dir.path()).args(["models", "--json"]));
    let lines = json_lines(&json);
    assert_eq!(lines.len(), MODELS.len(), "one object per line");
    for (line, info) in lines.iter().zip(MODELS) {
        assert_eq!(line["name"], name(info));
        assert_eq!(line["token_env"], info.vendor.token_env);
    }
}

#[test]
fn describe_shows_enums_defaults_and_image_rules() {
    let dir = tempdir();
    let output = run(seedance(dir.path()).args(["describe", PRO]));
    assert!(output.status.success());
    let shown = text(&output.stdout);
    assert!(shown.contains("one of: 480p, 720p, 1080p"), "{shown}");
    assert!(
        shown.contains("image: 300-6000 px per side, ratio (width/height) 0.4-2.5, under 30 MB"),
        "{shown}"
    );

    let json = json_lines(&run(seedance(dir.path()).args(["describe", PRO, "--json"])));
    let fields = json[0]["fields"].as_array().expect("fields");
    let image = fields
        .iter()
        .find(|f| f["name"] == "first_frame_image_url")
        .expect("image field");
    assert_eq!(image["required"], true);
    assert_eq!(image["image_rules"].as_array().map(Vec::len), Some(7));
}

#[test]
fn run_with_sim_completes_for_every_model() {
    let dir = tempdir();
    for info in MODELS {
        let out = dir
            .path()
            .join(format!("{}.mp4", info.module.replace("::", "_")));
        let mut command = seedance(dir.path());
        command
            .args(["run", "--sim", &name(info), "--out"])
            .arg(&out);
        for set in required_text(info) {
            command.args(["--set", &set]);
        }
        let output = run(&mut command);
        assert!(
            output.status.success(),
            "{}: {}",
            name(info),
            text(&output.stderr)
        );
        assert!(text(&output.stdout).starts_with("job "));
        let written = std::fs::metadata(&out).expect("video saved").len();
        assert_eq!(written, seedance_sim::VIDEO_LEN as u64);
    }
}

#[test]
fn run_json_output_is_one_object_per_line() {
    let dir = tempdir();
    let output = run(seedance(dir.path()).args([
        "run",
        "--sim",
        PRO,
        "--json",
        "--set",
        "prompt=a cat",
        "--set",
        "first_frame_image_url=https://example.com/cat.jpg",
    ]));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let lines = json_lines(&output);
    assert_eq!(lines[0]["event"], "submitted");
    let id = lines[0]["job_id"].as_str().expect("job id");
    let last = lines.last().expect("outcome");
    assert_eq!(last["event"], "succeeded");
    assert_eq!(last["job_id"], id);
    assert!(lines.iter().any(|line| line["state"] == "running"));
    // The foreign URL was replaced, and the user was told.
    assert!(text(&output.stderr).contains("replaced by the simulator's test image"));
}

#[test]
fn broken_image_rule_exits_3_with_the_library_message() {
    let dir = tempdir();
    let output = run(seedance(dir.path()).args([
        "run",
        "--sim",
        PRO,
        "--set",
        "prompt=a cat",
        "--set",
        "first_frame_image_url=/sim/images/img.png?w=200&h=200",
    ]));
    assert_eq!(output.status.code(), Some(3));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("input rejected before submit, nothing was sent: 2 violations"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "first_frame_image_url: width must be more than 300 px; this image is 200 px wide"
        ),
        "{stderr}"
    );
}

#[test]
fn too_long_prompt_exits_3_before_any_token_is_needed() {
    let dir = tempdir();
    let model = "runcomfy/bytedance/seedance-1-0/lite/image-to-video";
    let prompt = format!("prompt={}", "x".repeat(2000));
    let output = run(seedance(dir.path()).args([
        "run",
        model,
        "--set",
        &prompt,
        "--set",
        "first_frame_image_url=https://example.com/a.png",
    ]));
    assert_eq!(output.status.code(), Some(3));
    assert!(
        text(&output.stderr)
            .contains("prompt: must be at most 1900 characters; it has 2000 characters")
    );
}

#[test]
fn typos_get_suggestions_and_exit_3() {
    let dir = tempdir();
    let field = run(seedance(dir.path()).args(["run", "--sim", PRO, "--set", "promt=a cat"]));
    assert_eq!(field.status.code(), Some(3));
    assert!(text(&field.stderr).contains("did you mean `prompt`?"));

    let value = run(seedance(dir.path()).args([
        "run",
        "--sim",
        PRO,
        "--set",
        "prompt=a cat",
        "--set",
        "resolution=720",
    ]));
    assert_eq!(value.status.code(), Some(3));
    assert!(text(&value.stderr).contains("did you mean `720p`?"));

    let model = run(seedance(dir.path()).args(["describe", "pro/image-to-vide"]));
    assert_eq!(model.status.code(), Some(2));
    assert!(text(&model.stderr).contains(PRO));
}

#[test]
fn missing_token_names_the_environment_variable() {
    let dir = tempdir();
    let output = run(seedance(dir.path()).args([
        "run",
        PRO,
        "--set",
        "prompt=a cat",
        "--set",
        "first_frame_image_url=https://example.com/a.png",
    ]));
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("RUNCOMFY_API_TOKEN is not set"));
}

#[test]
fn input_file_is_read_and_set_overrides_it() {
    let dir = tempdir();
    let request = dir.path().join("request.json");
    std::fs::write(
        &request,
        r#"{"prompt": "from the file", "resolution": "1080p", "duration": 5}"#,
    )
    .expect("write request");
    let output = run(seedance(dir.path())
        .args(["run", "--sim", PRO, "--json", "--input"])
        .arg(&request)
        .args(["--set", "duration=99"]));
    assert_eq!(output.status.code(), Some(3));
    assert!(error_text(&output).contains("duration: 99 is not one of"));
}

/// A simulator in this process, for the resume commands; the children run
/// on blocking threads so the simulator keeps serving.
struct External {
    sim: Sim,
    dir: tempfile::TempDir,
}

impl External {
    async fn start(timing: JobTiming) -> External {
        let sim = Sim::start().await;
        sim.set_timing(timing);
        External {
            sim,
            dir: tempdir(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = seedance(self.dir.path());
        command
            .args(args)
            .args(["--base-url", self.sim.base_url(), "--poll-interval", "5ms"])
            // The test simulator's images are on 127.0.0.1.
            .arg("--allow-private-image-urls")
            .env("RUNCOMFY_API_TOKEN", seedance_sim::TOKEN);
        command
    }

    async fn run(&self, args: &[&str]) -> Output {
        let mut command = self.command(args);
        tokio::task::spawn_blocking(move || run(&mut command))
            .await
            .expect("child finished")
    }

    /// Submits without waiting; returns the job id.
    async fn submit(&self) -> String {
        let image = sim_image(self);
        let output = self
            .run(&[
                "run",
                PRO,
                "--no-wait",
                "--json",
                "--set",
                "prompt=a cat",
                "--set",
                &image,
            ])
            .await;
        assert!(output.status.success(), "{}", text(&output.stderr));
        json_lines(&output)[0]["job_id"]
            .as_str()
            .expect("job id")
            .to_owned()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_is_resumed_by_id_from_another_process() {
    let ext = External::start(JobTiming::default()).await;
    let id = ext.submit().await;

    let status = ext.run(&["status", "runcomfy", &id, "--json"]).await;
    assert!(status.status.success(), "{}", text(&status.stderr));
    assert_eq!(json_lines(&status)[0]["state"], "queued");

    let early = ext.run(&["result", PRO, &id]).await;
    assert_eq!(early.status.code(), Some(7), "{}", text(&early.stderr));

    let out = ext.dir.path().join("resumed.mp4");
    let out_arg = out.display().to_string();
    let waited = ext.run(&["wait", "runcomfy", &id, "--out", &out_arg]).await;
    assert!(waited.status.success(), "{}", text(&waited.stderr));
    assert!(text(&waited.stdout).contains("saved"));
    assert_eq!(
        std::fs::metadata(&out).expect("saved").len(),
        seedance_sim::VIDEO_LEN as u64
    );

    let result = ext.run(&["result", "runcomfy", &id, "--json"]).await;
    assert!(result.status.success());
    assert_eq!(json_lines(&result)[0]["event"], "succeeded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_job_exits_5() {
    let ext = External::start(JobTiming::immediate(Outcome::Fail {
        message: "content policy".to_owned(),
    }))
    .await;
    let id = ext.submit().await;
    let output = ext.run(&["wait", "runcomfy", &id]).await;
    assert_eq!(output.status.code(), Some(5));
    assert!(text(&output.stderr).contains("content policy"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_exits_6_and_says_how_to_resume() {
    let ext = External::start(JobTiming::queued_forever()).await;
    let id = ext.submit().await;
    let output = ext
        .run(&["wait", "runcomfy", &id, "--timeout", "50ms"])
        .await;
    assert_eq!(output.status.code(), Some(6));
    assert!(text(&output.stderr).contains(&format!("seedance wait runcomfy {id}")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_job_is_cancelled() {
    let ext = External::start(JobTiming::queued_forever()).await;
    let id = ext.submit().await;
    let output = ext.run(&["cancel", "runcomfy", &id, "--json"]).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(json_lines(&output)[0]["outcome"], "cancelled");
    let status = ext.run(&["status", "runcomfy", &id, "--json"]).await;
    assert_eq!(json_lines(&status)[0]["state"], "cancelled");
}

/// Runs `command` (a `run` that waits), sends it `signal` once it has
/// printed its job line (the id is printed once the signal handlers are in
/// place), and returns the job id and the output.
async fn signalled_after_the_job_line(
    mut command: Command,
    signal: &'static str,
) -> (String, Output) {
    let (first, output) = tokio::task::spawn_blocking(move || {
        let (child, first, _stdout) = spawn_reading_first_line(&mut command);
        send_signal(child.id(), signal);
        let output = child.wait_with_output().expect("exit");
        (first, output)
    })
    .await
    .expect("child finished");
    let id = first
        .trim()
        .strip_prefix("job ")
        .expect("job line")
        .to_owned();
    (id, output)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_prints_the_id_and_leaves_the_job_running() {
    let ext = External::start(JobTiming::queued_forever()).await;
    let image = sim_image(&ext);
    let command = ext.command(&["run", PRO, "--set", "prompt=a cat", "--set", &image]);
    let (id, output) = signalled_after_the_job_line(command, "-INT").await;
    assert_eq!(output.status.code(), Some(130));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!("seedance wait {PRO} {id}")),
        "{stderr}"
    );

    let status = ext.run(&["status", "runcomfy", &id, "--json"]).await;
    assert_eq!(json_lines(&status)[0]["state"], "queued");
}

#[test]
fn resume_with_sim_and_no_seedance_sim_says_to_start_one() {
    let dir = tempdir();
    let output = run(seedance(dir.path()).args(["status", "runcomfy", "some-id", "--sim"]));
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("start `seedance sim` in another terminal"),
        "{stderr}"
    );
}

#[test]
fn run_without_out_saves_job_id_mp4_in_the_current_folder() {
    let dir = tempdir();
    let output = run(seedance(dir.path()).args(["run", "--sim", PRO, "--set", "prompt=a cat"]));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let id = stdout
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("job "))
        .expect("job line");
    let file = format!("{id}.mp4");
    assert!(stdout.contains(&format!("saved {file}")), "{stdout}");
    assert_eq!(
        std::fs::metadata(dir.path().join(&file))
            .expect("video saved under the job id")
            .len(),
        seedance_sim::VIDEO_LEN as u64
    );
}

/// A `seedance sim` child process, stopped with Ctrl-C (SIGINT) on drop.
struct SimProcess {
    child: std::process::Child,
    url: String,
}

impl SimProcess {
    fn start(dir: &Path) -> SimProcess {
        let mut child = seedance(dir)
            .arg("sim")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn seedance sim");
        let mut url = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut url)
            .expect("URL line");
        SimProcess {
            child,
            url: url.trim().to_owned(),
        }
    }

    /// Ctrl-C, then the exit status.
    fn stop(mut self) -> std::process::ExitStatus {
        send_signal(self.child.id(), "-INT");
        let status = self.child.wait().expect("seedance sim exits");
        std::mem::forget(self);
        status
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn seedance_sim_lets_sim_jobs_be_resumed_from_another_process() {
    let dir = tempdir();
    let sim = SimProcess::start(dir.path());
    assert!(sim.url.starts_with("http://127.0.0.1:"), "{}", sim.url);
    let recorded = std::fs::read_to_string(state_file(dir.path())).expect("state file");
    assert_eq!(recorded.trim(), sim.url);

    let submitted = run(seedance(dir.path()).args([
        "run",
        "--sim",
        PRO,
        "--no-wait",
        "--json",
        "--set",
        "prompt=a cat",
    ]));
    assert!(submitted.status.success(), "{}", text(&submitted.stderr));
    let stderr = text(&submitted.stderr);
    assert!(
        stderr.contains(&format!("using `seedance sim` at {}", sim.url)),
        "{stderr}"
    );
    let id = json_lines(&submitted)[0]["job_id"]
        .as_str()
        .expect("job id")
        .to_owned();
    assert!(
        stderr.contains(&format!("seedance wait {PRO} {id} --sim")),
        "{stderr}"
    );

    let status = run(seedance(dir.path()).args(["status", "--sim", "runcomfy", &id, "--json"]));
    assert!(status.status.success(), "{}", text(&status.stderr));
    assert_eq!(json_lines(&status)[0]["state"], "queued");

    let out = dir.path().join("resumed.mp4");
    let waited = run(seedance(dir.path())
        .args(["wait", "--sim", "runcomfy", &id, "--out"])
        .arg(&out));
    assert!(waited.status.success(), "{}", text(&waited.stderr));
    assert_eq!(
        std::fs::metadata(&out).expect("saved").len(),
        seedance_sim::VIDEO_LEN as u64
    );

    let status = sim.stop();
    assert!(status.success(), "{status:?}");
    assert!(
        !state_file(dir.path()).exists(),
        "state file removed on exit"
    );

    // With the simulator gone, resuming says how to get it back.
    let gone = run(seedance(dir.path()).args(["status", "--sim", "runcomfy", &id]));
    assert_eq!(gone.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vendor_error_exits_4_and_names_the_vendor() {
    let ext = External::start(JobTiming::default()).await;
    ext.sim.inject(Route::Submit, Fault::Status(400), 1);
    let image = sim_image(&ext);
    let output = ext
        .run(&[
            "run",
            PRO,
            "--json",
            "--set",
            "prompt=a cat",
            "--set",
            &image,
        ])
        .await;
    assert_eq!(output.status.code(), Some(4), "{}", text(&output.stdout));
    let error = error_text(&output);
    assert!(error.contains("RunComfy"), "{error}");
    let last = json_lines(&output).pop().expect("error line");
    assert_eq!(last["error"]["kind"], "vendor");

    // A wrong token is the vendor's answer too.
    let mut command = ext.command(&["status", "runcomfy", "some-id"]);
    command.env("RUNCOMFY_API_TOKEN", "not-the-token");
    let output = tokio::task::spawn_blocking(move || run(&mut command))
        .await
        .expect("child finished");
    assert_eq!(output.status.code(), Some(4), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("RunComfy"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_during_the_download_still_prints_the_resume_command() {
    let ext = External::start(JobTiming::default()).await;
    // The video answers late, so the Ctrl-C lands in the download.
    ext.sim.inject(
        Route::Video,
        Fault::Delay(std::time::Duration::from_secs(30)),
        1,
    );
    let image = sim_image(&ext);
    let mut command = ext.command(&["run", PRO, "--set", "prompt=a cat", "--set", &image]);
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut started = tokio::time::Instant::now();
    while ext.sim.count(Route::Video) == 0 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "no download"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    started = tokio::time::Instant::now();
    send_signal(child.id(), "-INT");
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().expect("exit"))
        .await
        .expect("child finished");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(output.status.code(), Some(130), "{}", text(&output.stderr));
    let id = text(&output.stdout)
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("job ").map(str::to_owned))
        .expect("job line");
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!("seedance wait {PRO} {id}")),
        "{stderr}"
    );
}

// ---- issue 10: every fault bounded, every outcome honest -----------------

/// The first line of a run's stdout: `job ID`.
fn job_line(output: &Output) -> Option<String> {
    text(&output.stdout)
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("job ").map(str::to_owned))
}

/// A one-answer-per-connection HTTP server on 127.0.0.1 giving `body`
/// under `status` to every request (threads, no runtime needed).
fn canned_server(status: u16, body: &'static str) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let answer = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    url
}

fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    format!("http://{}", listener.local_addr().expect("addr"))
}

fn sim_image(ext: &External) -> String {
    let image = ext.sim.image_url(&seedance_sim::ImageSpec::new(
        seedance_sim::ImageFormat::Png,
        800,
        600,
    ));
    format!("first_frame_image_url={image}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uncertain_submit_exits_8_with_its_own_json_kind() {
    let ext = External::start(JobTiming::default()).await;
    ext.sim.inject(Route::Submit, Fault::Status(500), 1);
    let image = sim_image(&ext);
    let args = [
        "run",
        PRO,
        "--json",
        "--set",
        "prompt=a cat",
        "--set",
        &image,
    ];
    let output = ext.run(&args).await;
    assert_eq!(output.status.code(), Some(8), "{}", text(&output.stdout));
    assert!(error_text(&output).contains("may or may not exist"));
    let error = json_lines(&output).pop().expect("error line")["error"].clone();
    assert_eq!(error["kind"], "submit_uncertain");
    assert_eq!(error["exit_code"], 8);
    assert_eq!(error["vendor"], "RunComfy");
    assert_eq!(error["http_status"], 500);
    // SHA-256 of the body sent, as the journal records it.
    let hash = error["body_hash"].as_str().unwrap_or_default();
    assert!(
        hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "{hash}"
    );
    assert_eq!(ext.sim.count(Route::Submit), 1, "never re-sent");
    let help = run(seedance(ext.dir.path()).arg("--help"));
    assert!(text(&help.stdout).contains("submit_uncertain"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_during_the_submit_waits_for_the_answer_and_prints_the_id() {
    let ext = External::start(JobTiming::queued_forever()).await;
    ext.sim.inject(
        Route::Submit,
        Fault::Delay(std::time::Duration::from_millis(1500)),
        1,
    );
    let image = sim_image(&ext);
    let mut command = ext.command(&["run", PRO, "--set", "prompt=a cat", "--set", &image]);
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let started = tokio::time::Instant::now();
    while ext.sim.count(Route::Submit) == 0 {
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    send_signal(child.id(), "-INT");
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().expect("exit"))
        .await
        .expect("child finished");
    assert_eq!(output.status.code(), Some(130), "{}", text(&output.stderr));
    let id = job_line(&output).expect("the job id is printed");
    let stderr = text(&output.stderr);
    assert!(stderr.contains("the job was created"), "{stderr}");
    assert!(
        stderr.contains(&format!("seedance wait {PRO} {id}")),
        "{stderr}"
    );
    let status = ext.run(&["status", "runcomfy", &id, "--json"]).await;
    assert_eq!(json_lines(&status)[0]["state"], "queued");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_twice_during_the_submit_says_the_job_may_exist() {
    let ext = External::start(JobTiming::default()).await;
    ext.sim.inject(
        Route::Submit,
        Fault::Delay(std::time::Duration::from_secs(30)),
        1,
    );
    let image = sim_image(&ext);
    let mut command = ext.command(&[
        "run",
        PRO,
        "--json",
        "--set",
        "prompt=a cat",
        "--set",
        &image,
    ]);
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let started = tokio::time::Instant::now();
    while ext.sim.count(Route::Submit) == 0 {
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    send_signal(child.id(), "-TERM");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    send_signal(child.id(), "-TERM");
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().expect("exit"))
        .await
        .expect("child finished");
    assert_eq!(output.status.code(), Some(8), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("SIGTERM"), "{stderr}");
    let error = error_text(&output);
    assert!(error.contains("SIGTERM"), "{error}");
    assert!(error.contains("may or may not exist"), "{error}");
    let error = json_lines(&output).pop().expect("error line")["error"].clone();
    assert_eq!(error["kind"], "submit_uncertain");
    assert_eq!(error["model"], PRO);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_is_checked_before_the_job_is_submitted() {
    let ext = External::start(JobTiming::default()).await;
    let image = sim_image(&ext);
    std::fs::write(ext.dir.path().join("taken.mp4"), b"precious").unwrap();
    std::fs::create_dir(ext.dir.path().join("folder.mp4")).unwrap();
    for (out, why) in [
        ("taken.mp4", "--force"),
        ("folder.mp4", "not a regular file"),
    ] {
        let args = [
            "run",
            PRO,
            "--set",
            "prompt=a cat",
            "--set",
            &image,
            "--out",
            out,
        ];
        let output = ext.run(&args).await;
        assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
        let stderr = text(&output.stderr);
        assert!(stderr.contains(why), "{stderr}");
        assert!(stderr.contains("nothing was submitted"), "{stderr}");
    }
    assert_eq!(ext.sim.count(Route::Submit), 0);
    assert_eq!(
        std::fs::read(ext.dir.path().join("taken.mp4")).unwrap(),
        b"precious"
    );
    let args = [
        "run",
        PRO,
        "--set",
        "prompt=a cat",
        "--set",
        &image,
        "--out",
        "taken.mp4",
        "--force",
    ];
    let output = ext.run(&args).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(
        std::fs::read(ext.dir.path().join("taken.mp4")).unwrap(),
        seedance_sim::video_bytes()
    );
}

#[test]
fn out_dash_writes_the_video_to_stdout_alone() {
    let dir = tempdir();
    let output = run(seedance(dir.path()).args([
        "run",
        "--sim",
        PRO,
        "--set",
        "prompt=a cat",
        "--out",
        "-",
    ]));
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(output.stdout, seedance_sim::video_bytes());
    assert!(text(&output.stderr).contains("job "));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_bad_prompt_and_a_small_image_are_reported_together() {
    let dir = tempdir();
    let prompt = format!("prompt={}", "x".repeat(3000));
    let output = run(seedance(dir.path()).args([
        "run",
        "--sim",
        "runcomfy/bytedance/seedance-1-0/lite/image-to-video",
        "--json",
        "--set",
        &prompt,
        "--set",
        "first_frame_image_url=/sim/images/img.png?w=200&h=200",
    ]));
    assert_eq!(output.status.code(), Some(3), "{}", text(&output.stdout));
    let error = error_text(&output);
    assert!(error.contains("prompt: must be at most"), "{error}");
    assert!(
        error.contains(
            "first_frame_image_url: width must be more than 300 px; this image is 200 px wide"
        ),
        "{error}"
    );
    let error = json_lines(&output).pop().expect("error line")["error"].clone();
    let width = error["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rule"] == "width_pixels>")
        .expect("the width rule")
        .clone();
    assert_eq!(width["limit"], "300");
    assert_eq!(width["actual"], "200 px");
    assert_eq!(width["field"], "first_frame_image_url");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_timeout_does_not_panic() {
    let ext = External::start(JobTiming::default()).await;
    let id = ext.submit().await;
    let output = ext
        .run(&["wait", "runcomfy", &id, "--timeout", "10000000000000000000"])
        .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    // A resumed job is polled at once, so even an endless interval returns.
    let mut command = seedance(ext.dir.path());
    command
        .args(["wait", "runcomfy", &id, "--base-url", ext.sim.base_url()])
        .args(["--poll-interval", "10000000000000000000"])
        .env("RUNCOMFY_API_TOKEN", seedance_sim::TOKEN);
    let output = tokio::task::spawn_blocking(move || run(&mut command))
        .await
        .expect("child finished");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}

#[test]
fn vendor_text_reaches_the_terminal_escaped() {
    let dir = tempdir();
    let url = canned_server(
        404,
        r#"{"error_code":404001,"error_message":"no such job \u001b]0;pwned\u0007 \u202egnp.exe"}"#,
    );
    let output = run(seedance(dir.path())
        .args(["status", "runcomfy", "j1", "--base-url", &url])
        .env("RUNCOMFY_API_TOKEN", "t"));
    assert_eq!(output.status.code(), Some(4), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
        "{stderr:?}"
    );
    assert!(!stderr.contains('\u{202e}'), "{stderr:?}");
    assert!(stderr.contains("\\x1b]0;pwned\\x07"), "{stderr}");
    assert!(stderr.contains("\\u{202e}gnp.exe"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_image_host_is_not_a_rejected_input() {
    let ext = External::start(JobTiming::default()).await;
    let image = format!("first_frame_image_url={}/img.png", closed_port_url());
    let output = ext
        .run(&[
            "run",
            PRO,
            "--json",
            "--set",
            "prompt=a cat",
            "--set",
            &image,
        ])
        .await;
    assert_eq!(output.status.code(), Some(4), "{}", text(&output.stdout));
    let error = error_text(&output);
    assert!(error.contains("--skip-image-checks"), "{error}");
    assert!(
        error.to_lowercase().contains("connection refused"),
        "{error}"
    );
    let error = json_lines(&output).pop().expect("error line")["error"].clone();
    assert_eq!(error["kind"], "image_unreachable");
    assert_eq!(ext.sim.count(Route::Submit), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn images_on_private_addresses_are_refused_without_the_flag() {
    let ext = External::start(JobTiming::default()).await;
    let image = sim_image(&ext);
    let mut command = seedance(ext.dir.path());
    command
        .args(["run", PRO, "--set", "prompt=a cat", "--set", &image])
        .args(["--base-url", ext.sim.base_url()])
        .env("RUNCOMFY_API_TOKEN", seedance_sim::TOKEN);
    let output = tokio::task::spawn_blocking(move || run(&mut command))
        .await
        .expect("child finished");
    assert_eq!(output.status.code(), Some(3), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("loopback address"));
    assert_eq!(ext.sim.count(Route::Image), 0);
    assert_eq!(ext.sim.count(Route::Submit), 0);
}

#[test]
fn errors_show_their_causes() {
    let dir = tempdir();
    let output = run(seedance(dir.path())
        .args(["status", "runcomfy", "j1", "--base-url", &closed_port_url()])
        .env("RUNCOMFY_API_TOKEN", "t"));
    assert_eq!(output.status.code(), Some(4), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("\n\nCaused by:\n  "), "{stderr}");
    assert!(
        stderr.to_lowercase().contains("connection refused"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_while_waiting_is_handled_like_ctrl_c() {
    let ext = External::start(JobTiming::queued_forever()).await;
    let image = sim_image(&ext);
    let command = ext.command(&["run", PRO, "--set", "prompt=a cat", "--set", &image]);
    let (id, output) = signalled_after_the_job_line(command, "-TERM").await;
    assert_eq!(output.status.code(), Some(130), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!("seedance wait {PRO} {id}")),
        "{stderr}"
    );
}
