//! End-to-end tests of what a newcomer reaches for (issue 11): local image
//! files, `--input -`, `--dry-run`, lists, `--json` errors, `describe`,
//! clean interrupts and `seedance sim`'s demo flags. Only 127.0.0.1 is
//! contacted: the simulator in the child (`--sim`), one started here, or a
//! `seedance sim` child.

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use support::{json_lines, photo, seedance, send_signal, spawn_reading_first_line, text};

use seedance::catalog::MODELS;
use seedance_sim::{ImageFormat, ImageSpec, JobTiming, Route, Sim};

const RUNCOMFY_LITE: &str = "runcomfy/bytedance/seedance-1-0/lite/image-to-video";
const RUNCOMFY_REF: &str = "runcomfy/bytedance/seedance-1-0/lite/reference-to-video";
const AIMLAPI_LITE: &str = "aimlapi/bytedance/seedance-1-0-lite-i2v";
const WAVESPEED_REF: &str = "wavespeed/bytedance/seedance-v1-lite/reference-to-video";

/// Every vendor's token set to the simulator's.
fn with_tokens(mut command: Command) -> Command {
    for info in MODELS {
        command.env(info.vendor.token_env, seedance_sim::TOKEN);
    }
    command
}

/// `seedance run MODEL --dry-run` against the simulator's address (its
/// images are on loopback), with `--json` when asked: every dry run here.
fn dry_run(dir: &Path, sim: &Sim, model: &str, json: bool) -> Command {
    let mut command = seedance(dir);
    command.args([
        "run",
        model,
        "--dry-run",
        "--allow-private-image-urls",
        "--base-url",
        sim.base_url(),
    ]);
    if json {
        command.arg("--json");
    }
    command
}

async fn output(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().expect("seedance runs"))
        .await
        .expect("child finished")
}

#[test]
fn local_image_runs_on_every_vendor_the_vendors_way() {
    let dir = tempfile::tempdir().expect("dir");
    photo(dir.path());
    let cases = [
        (WAVESPEED_REF, "reference_images=@photo.png", "prompt=a fox"),
        (AIMLAPI_LITE, "image_url=@photo.png", "prompt=a fox"),
    ];
    for (model, image, prompt) in cases {
        let out = run_ok(seedance(dir.path()).args([
            "run",
            "--sim",
            model,
            "--out",
            &format!("{}.mp4", model.replace('/', "_")),
            "--set",
            image,
            "--set",
            prompt,
        ]));
        let saved = dir.path().join(format!("{}.mp4", model.replace('/', "_")));
        assert!(saved.exists(), "{model}");
        if model == WAVESPEED_REF {
            assert!(text(&out.stderr).contains("uploaded reference_images[0]: http://127.0.0.1:"));
        }
    }
    // RunComfy: a clear refusal, nothing started; then with the opt-in.
    let refused = seedance(dir.path())
        .args([
            "run",
            "--sim",
            RUNCOMFY_LITE,
            "--set",
            "prompt=a fox",
            "--set",
            "first_frame_image_url=@photo.png",
        ])
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(3));
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("RunComfy takes images as public HTTPS URLs"),
        "{stderr}"
    );
    run_ok(seedance(dir.path()).args([
        "run",
        "--sim",
        RUNCOMFY_LITE,
        "--allow-data-uri",
        "--out",
        "r.mp4",
        "--set",
        "prompt=a fox",
        "--set",
        "first_frame_image_url=@photo.png",
    ]));
    // A file that is not an image, and one that is missing: exit 3.
    std::fs::write(dir.path().join("notes.txt"), "hello").expect("write");
    for file in ["@notes.txt", "@missing.png"] {
        let bad = seedance(dir.path())
            .args([
                "run",
                "--sim",
                AIMLAPI_LITE,
                "--set",
                "prompt=a fox",
                "--set",
            ])
            .arg(format!("image_url={file}"))
            .output()
            .expect("runs");
        assert_eq!(bad.status.code(), Some(3), "{file}: {}", text(&bad.stderr));
    }
}

fn run_ok(command: &mut Command) -> Output {
    let output = command.output().expect("runs");
    assert!(output.status.success(), "{}", text(&output.stderr));
    output
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wavespeed_upload_sends_the_file_and_local_files_meet_the_image_rules() {
    let sim = Sim::start().await;
    let dir = tempfile::tempdir().expect("dir");
    photo(dir.path());
    let mut command = with_tokens(seedance(dir.path()));
    command.args([
        "run",
        WAVESPEED_REF,
        "--no-wait",
        "--json",
        "--allow-private-image-urls",
        "--base-url",
        sim.base_url(),
        "--set",
        "prompt=a fox",
        "--set",
        "reference_images=@photo.png",
    ]);
    let out = output(command).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(json_lines(&out)[0]["event"], "submitted");
    assert_eq!(sim.count(Route::Upload), 1, "one upload POST");
    assert_eq!(sim.count(Route::Submit), 1);
    // The uploaded file is the local one, byte for byte.
    let stderr = text(&out.stderr);
    let url = stderr
        .lines()
        .find_map(|line| line.strip_prefix("uploaded reference_images[0]: "))
        .unwrap_or_else(|| panic!("upload note in {stderr}"));
    let served = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .get(url)
        .send()
        .await
        .expect("uploaded file")
        .bytes()
        .await
        .expect("body");
    assert_eq!(
        served.to_vec(),
        std::fs::read(dir.path().join("photo.png")).expect("read")
    );

    // The image rules are checked on the local file itself (exit 3, nothing sent).
    std::fs::write(
        dir.path().join("tiny.png"),
        ImageSpec::new(ImageFormat::Png, 200, 200).bytes(),
    )
    .expect("write");
    let mut command = with_tokens(seedance(dir.path()));
    command.args([
        "run",
        RUNCOMFY_LITE,
        "--allow-data-uri",
        "--allow-private-image-urls",
        "--base-url",
        sim.base_url(),
        "--set",
        "prompt=a fox",
        "--set",
        "first_frame_image_url=@tiny.png",
    ]);
    let out = output(command).await;
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("first_frame_image_url: width must be more than 300 px"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(sim.count(Route::Submit), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_checks_everything_and_sends_nothing() {
    let sim = Sim::start().await;
    let dir = tempfile::tempdir().expect("dir");
    photo(dir.path());
    let image = sim.image_url(&ImageSpec::new(ImageFormat::Png, 800, 600));
    // No token at all: a dry run needs none.
    let mut command = dry_run(dir.path(), &sim, RUNCOMFY_LITE, true);
    command
        .args(["--set", "prompt=a fox", "--set"])
        .arg(format!("first_frame_image_url={image}"));
    let out = output(command).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let line = &json_lines(&out)[0];
    assert_eq!(line["event"], "dry_run");
    assert_eq!(line["method"], "POST");
    assert_eq!(
        line["url"],
        format!(
            "{}/v1/models/bytedance/seedance-1-0/lite/image-to-video",
            sim.base_url()
        )
    );
    assert_eq!(line["body"]["prompt"], "a fox");
    assert_eq!(line["body"]["first_frame_image_url"], image.as_str());
    assert!(sim.count(Route::Image) >= 1, "the image rules were checked");

    // A broken image rule fails the dry run the same way (exit 3).
    let mut command = dry_run(dir.path(), &sim, RUNCOMFY_LITE, false);
    command
        .args(["--set", "prompt=a fox", "--set"])
        .arg(format!(
            "first_frame_image_url={}",
            sim.image_url(&ImageSpec::new(ImageFormat::Png, 200, 200))
        ));
    assert_eq!(output(command).await.status.code(), Some(3));

    // WaveSpeed with a local file: the upload is shown, not made.
    let mut command = dry_run(dir.path(), &sim, WAVESPEED_REF, true);
    command.args([
        "--set",
        "prompt=a fox",
        "--set",
        "reference_images=@photo.png",
    ]);
    let out = output(command).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let line = &json_lines(&out)[0];
    assert_eq!(line["uploads"][0]["field"], "reference_images[0]");
    assert_eq!(
        line["uploads"][0]["url"],
        format!("{}/api/v3/media/upload/binary", sim.base_url())
    );
    assert!(
        line["body"]["reference_images"][0]
            .as_str()
            .is_some_and(|v| v.contains("photo.png"))
    );

    assert_eq!(sim.count(Route::Submit), 0, "a dry run submits nothing");
    assert_eq!(sim.count(Route::Upload), 0, "a dry run uploads nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_take_repeats_and_json_arrays_and_stdin_input() {
    let sim = Sim::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let a = sim.image_url(&ImageSpec::new(ImageFormat::Png, 800, 600));
    // A comma inside a URL stays inside it.
    let b = format!(
        "{}&crop=0,0,800,600",
        sim.image_url(&ImageSpec::new(ImageFormat::Png, 640, 480))
    );
    let mut command = dry_run(dir.path(), &sim, RUNCOMFY_REF, true);
    command
        .args(["--set", "text=a fox"])
        .arg("--set")
        .arg(format!("images={a}"))
        .arg("--set")
        .arg(format!("images={b}"));
    let out = output(command).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        json_lines(&out)[0]["body"]["images"],
        serde_json::json!([a, b])
    );

    let mut command = dry_run(dir.path(), &sim, RUNCOMFY_REF, true);
    command
        .args(["--set", "text=a fox"])
        .arg("--set")
        .arg(format!("images={}", serde_json::json!([a, b])));
    let out = output(command).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        json_lines(&out)[0]["body"]["images"],
        serde_json::json!([a, b])
    );

    // --input - reads the body from standard input; --set still applies over it.
    let body =
        serde_json::json!({ "text": "from stdin", "images": [a], "duration": 5 }).to_string();
    let mut command = dry_run(dir.path(), &sim, RUNCOMFY_REF, true);
    command
        .args(["--input", "-"])
        .args(["--set", "duration=10"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(body.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("exit")
    })
    .await
    .expect("child");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let line = &json_lines(&out)[0];
    assert_eq!(line["body"]["text"], "from stdin");
    assert_eq!(line["body"]["duration"], 10);
    assert_eq!(sim.count(Route::Submit), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_errors_are_objects_with_kind_violations_and_resume_command() {
    let dir = tempfile::tempdir().expect("dir");
    // `--set prompt` without `=`: a usage error, exit 2, as JSON.
    let out = seedance(dir.path())
        .args(["run", "--sim", RUNCOMFY_LITE, "--json", "--set", "prompt"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json_lines(&out)[0]["error"]["kind"], "usage");
    // clap's own usage errors too.
    let out = seedance(dir.path())
        .args(["run", "--json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let error = &json_lines(&out)[0]["error"];
    assert_eq!(error["kind"], "usage");
    assert_eq!(error["exit_code"], 2);
    // Broken rules: each violation as an object.
    let out = seedance(dir.path())
        .args([
            "run",
            "--sim",
            RUNCOMFY_LITE,
            "--json",
            "--set",
            "prompt=a fox",
        ])
        .args([
            "--set",
            "first_frame_image_url=/sim/images/img.png?w=200&h=200",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(3));
    let error = &json_lines(&out).pop().expect("line")["error"];
    assert_eq!(error["kind"], "validation");
    let violation = &error["violations"][0];
    assert_eq!(violation["field"], "first_frame_image_url");
    assert_eq!(violation["rule"], "width_pixels>");
    assert_eq!(violation["limit"], "300");
    assert!(
        violation["actual"]
            .as_str()
            .is_some_and(|a| a.contains("200"))
    );

    // A timeout names the job and the command that resumes it.
    let sim = Sim::start().await;
    sim.set_timing(JobTiming::queued_forever());
    let image = sim.image_url(&ImageSpec::new(ImageFormat::Png, 800, 600));
    let mut command = with_tokens(seedance(dir.path()));
    command
        .args([
            "run",
            RUNCOMFY_LITE,
            "--json",
            "--timeout",
            "50ms",
            "--poll-interval",
            "5ms",
        ])
        .args([
            "--allow-private-image-urls",
            "--base-url",
            sim.base_url(),
            "--set",
            "prompt=a fox",
            "--set",
        ])
        .arg(format!("first_frame_image_url={image}"));
    let out = output(command).await;
    assert_eq!(out.status.code(), Some(6));
    let lines = json_lines(&out);
    let id = lines[0]["job_id"].as_str().expect("id").to_owned();
    let error = &lines.last().expect("line")["error"];
    assert_eq!(error["kind"], "timeout");
    assert_eq!(error["job_id"], id.as_str());
    assert!(
        error["resume_command"]
            .as_str()
            .is_some_and(|c| c.starts_with(&format!("seedance wait {RUNCOMFY_LITE} {id}"))),
        "{error}"
    );

    // Cancel on a vendor without cancel: nothing sent, so not a vendor error.
    let mut command = with_tokens(seedance(dir.path()));
    command.args([
        "cancel",
        "wavespeed",
        "some-id",
        "--json",
        "--allow-private-image-urls",
        "--base-url",
        sim.base_url(),
    ]);
    let out = output(command).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(json_lines(&out)[0]["error"]["kind"], "cancel_unsupported");
    assert_eq!(sim.count(Route::Cancel), 0);
}

#[test]
fn describe_reads_well() {
    let dir = tempfile::tempdir().expect("dir");
    let out = run_ok(seedance(dir.path()).args(["describe", RUNCOMFY_LITE]));
    let shown = text(&out.stdout);
    for expected in [
        "token      $RUNCOMFY_API_TOKEN",
        "FIELD                    TYPE            DEFAULT",
        "  resolution               enum (string)   480p",
        "image: 300-6000 px per side, ratio (width/height) 0.4-2.5, under 30 MB",
        "last_frame_image_url is ignored at resolution 1080p",
        "Note: The last frame image will not take effect when the resolution is set to",
        "--set first_frame_image_url=@photo.png",
    ] {
        assert!(shown.contains(expected), "{expected:?} in\n{shown}");
    }
    // Descriptions are whole: the longest WaveSpeed one is not cut.
    let out = run_ok(seedance(dir.path()).args(["describe", WAVESPEED_REF]));
    assert!(text(&out.stdout).contains("At least 1 image is required. max 4\n      images."));
    // `run` warns when the advisory applies.
    let out = run_ok(seedance(dir.path()).args([
        "run",
        "--sim",
        RUNCOMFY_LITE,
        "--dry-run",
        "--set",
        "prompt=a fox",
        "--set",
        "resolution=1080p",
        "--set",
        "last_frame_image_url=/sim/images/img.png",
    ]));
    assert!(
        text(&out.stderr).contains("warning: last_frame_image_url is ignored at resolution 1080p")
    );
}

#[test]
fn ctrl_c_with_the_in_process_sim_does_not_claim_the_job_keeps_running() {
    let dir = tempfile::tempdir().expect("dir");
    // Polls 10 s apart keep the job unfinished while Ctrl-C arrives.
    let (child, first, _) = spawn_reading_first_line(seedance(dir.path()).args([
        "run",
        "--sim",
        RUNCOMFY_LITE,
        "--poll-interval",
        "10s",
        "--set",
        "prompt=a fox",
    ]));
    assert!(first.starts_with("job "), "{first}");
    send_signal(child.id(), "-INT");
    let out = child.wait_with_output().expect("exit");
    assert_eq!(out.status.code(), Some(130));
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("keeps running"), "{stderr}");
    assert!(
        stderr.contains("ended with the in-process simulator"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seedance_sim_logs_requests_fails_jobs_on_demand_and_serves_default_images() {
    let dir = tempfile::tempdir().expect("dir");
    let help = run_ok(seedance(dir.path()).args(["sim", "--help"]));
    let help = text(&help.stdout);
    for flag in [
        "--log",
        "--job-duration",
        "--failure-rate",
        "--rate-limit-rate",
        "--port",
    ] {
        assert!(help.contains(flag), "{flag} in {help}");
    }
    for flag in [
        "--base-url",
        "--poll-interval",
        "--allow-private-image-urls",
        "      --sim",
    ] {
        assert!(!help.contains(flag), "{flag} in {help}");
    }

    let (child, url, _) = spawn_reading_first_line(seedance(dir.path()).args([
        "sim",
        "--log",
        "--failure-rate",
        "1",
    ]));
    let url = url.trim().to_owned();

    let image = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .get(format!("{url}/sim/images/img.png"))
        .send()
        .await
        .expect("image");
    assert_eq!(image.status(), 200);
    let bytes = image.bytes().await.expect("body");
    let size = imagesize::blob_size(&bytes).expect("an image");
    let (w, h) = seedance_sim::DEFAULT_IMAGE_SIZE;
    assert_eq!((size.width, size.height), (w as usize, h as usize));

    let mut command = seedance(dir.path());
    command.args(["run", "--sim", RUNCOMFY_LITE, "--set", "prompt=a fox"]);
    let out = output(command).await;
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));

    send_signal(child.id(), "-INT");
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().expect("exit"))
        .await
        .expect("child");
    let log = text(&out.stderr);
    assert!(log.contains("GET /sim/images/img.png -> 200"), "{log}");
    assert!(
        log.contains("POST /v1/models/bytedance/seedance-1-0/lite/image-to-video -> 200"),
        "{log}"
    );
}
