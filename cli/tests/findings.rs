//! What a newcomer still tripped over (issue 19, section 2), each end to end
//! through the `seedance` binary; `--help` on every command; and a batch
//! line of every compiled model run to its video (issue 18's done-when).
//! Only 127.0.0.1 is contacted: the simulator `--sim` starts in the child,
//! or a `seedance sim` child found through the test folder's state file.

mod support;

use std::path::Path;
use std::process::{Output, Stdio};

use seedance::catalog::{MODELS, ModelInfo};
use serde_json::{Value, json};
use support::{
    SimProcess, json_lines, name, photo, required_text_fields, run, seedance, tempdir, text,
};

const RUNCOMFY_LITE: &str = "runcomfy/bytedance/seedance-1-0/lite/image-to-video";
const AIMLAPI_LITE: &str = "aimlapi/bytedance/seedance-1-0-lite-i2v";
const WAVESPEED_REF: &str = "wavespeed/bytedance/seedance-v1-lite/reference-to-video";

/// The global options of the commands that talk to a vendor or simulator.
const CONNECTION_FLAGS: [&str; 5] = [
    "--sim",
    "--base-url",
    "--poll-interval",
    "--requests-per-second",
    "--allow-private-image-urls",
];

/// Writes `lines` as a JSON Lines file in `dir`.
fn batch_file(dir: &Path, name: &str, lines: &[Value]) -> std::path::PathBuf {
    let text: String = lines.iter().map(|line| format!("{line}\n")).collect();
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write batch file");
    path
}

/// The `summary` event of a `--json` batch.
fn summary(output: &Output) -> Value {
    json_lines(output)
        .into_iter()
        .find(|line| line["event"] == "summary")
        .unwrap_or_else(|| panic!("no summary: {}", text(&output.stderr)))
}

/// A RunComfy line with its own prompt (`--sim` replaces the image URL).
fn runcomfy_line(prompt: &str) -> Value {
    json!({"model": RUNCOMFY_LITE, "input": {
        "prompt": prompt, "first_frame_image_url": "https://example.com/a.jpg"}})
}

// ---- --help everywhere -------------------------------------------------------

/// The subcommands a `--help` lists under "Commands:" (`help` left out).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| !line.starts_with("Commands:"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// True when `help` has an option line for `flag`.
fn lists(help: &str, flag: &str) -> bool {
    help.lines().any(|line| {
        line.trim_start()
            .split([' ', ',', '='])
            .any(|word| word == flag)
    })
}

#[test]
fn every_command_and_subcommand_answers_help_with_exit_0() {
    let dir = tempdir();
    let mut queue: Vec<Vec<String>> = vec![Vec::new()];
    let mut walked = Vec::new();
    while let Some(path) = queue.pop() {
        for flag in ["--help", "-h"] {
            let out = run(seedance(dir.path()).args(&path).arg(flag));
            let shown = format!("seedance {} {flag}", path.join(" "));
            assert_eq!(out.status.code(), Some(0), "{shown}: {}", text(&out.stderr));
            assert!(text(&out.stdout).contains("Usage: seedance"), "{shown}");
        }
        if !path.is_empty() {
            let out = run(seedance(dir.path()).arg("help").args(&path));
            assert_eq!(
                out.status.code(),
                Some(0),
                "seedance help {}",
                path.join(" ")
            );
        }
        let help = text(&run(seedance(dir.path()).args(&path).arg("--help")).stdout);
        for sub in subcommands(&help) {
            let mut next = path.clone();
            next.push(sub);
            queue.push(next);
        }
        walked.push(path.join(" "));
    }
    for expected in ["", "models", "run", "batch", "jobs", "sim", "sim serve"] {
        assert!(
            walked.iter().any(|w| w == expected),
            "{expected:?} in {walked:?}"
        );
    }
}

#[test]
fn models_jobs_and_describe_help_list_only_their_own_flags() {
    let dir = tempdir();
    let cases: [(&[&str], &[&str]); 3] = [
        (&["models"], &["--json"]),
        (&["jobs"], &["--journal", "--batch", "--json"]),
        (&["describe"], &["--json"]),
    ];
    for (command, own) in cases {
        let out = run(seedance(dir.path()).args(command).arg("--help"));
        assert!(out.status.success());
        let help = text(&out.stdout);
        for flag in own {
            assert!(lists(&help, flag), "{command:?} lists {flag}:\n{help}");
        }
        for flag in CONNECTION_FLAGS {
            assert!(!lists(&help, flag), "{command:?} lists {flag}:\n{help}");
        }
    }
    // The commands that connect still list them.
    let help = text(&run(seedance(dir.path()).args(["run", "--help"])).stdout);
    for flag in CONNECTION_FLAGS {
        assert!(lists(&help, flag), "run lists {flag}");
    }
    // Given anyway, they are refused, naming the command.
    let out = run(seedance(dir.path()).args(["models", "--sim"]));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("--sim") && stderr.contains("`seedance models`"),
        "{stderr}"
    );
    let out = run(seedance(dir.path()).args(["jobs", "--base-url", "http://x"]));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

// ---- the newcomer findings ---------------------------------------------------

#[test]
fn a_batch_whose_only_missing_lines_were_never_sent_exits_3() {
    let dir = tempdir();
    let bad = json!({"model": RUNCOMFY_LITE, "input": {
        "prompt": "bad", "resolution": "4k", "first_frame_image_url": "https://example.com/a.jpg"}});
    let file = batch_file(dir.path(), "jobs.jsonl", &[runcomfy_line("good"), bad]);
    let out = run(seedance(dir.path())
        .arg("batch")
        .arg(&file)
        .args(["--sim", "--json", "--journal", ":memory:"])
        .args(["--poll-interval", "5ms", "--out", "out"]));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert_eq!(summary(&out)["downloaded"], 1);
    let error = &json_lines(&out).pop().expect("error line")["error"];
    assert_eq!(error["kind"], "validation", "{error}");
    assert_eq!(error["exit_code"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_job_still_makes_a_batch_with_an_invalid_line_exit_5() {
    let dir = tempdir();
    let sim = SimProcess::start(dir.path());
    sim.admin(
        "timing",
        json!({"queued_polls": 0, "running_polls": 0, "fail": "boom"}),
    )
    .await;
    let bad = json!({"model": RUNCOMFY_LITE, "input": {"prompt": "bad", "resolution": "4k"}});
    let file = batch_file(dir.path(), "jobs.jsonl", &[runcomfy_line("fails"), bad]);
    let mut command = seedance(dir.path());
    command
        .arg("batch")
        .arg(&file)
        .args(["--sim", "--json", "--journal", ":memory:"])
        .args(["--poll-interval", "5ms", "--out", "out"]);
    let out = tokio::task::spawn_blocking(move || run(&mut command))
        .await
        .expect("child");
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
}

#[test]
fn runcomfy_local_files_name_allow_data_uri_where_suggested_and_where_refused() {
    let dir = tempdir();
    photo(dir.path());
    let example = |model: &str| {
        let out = run(seedance(dir.path()).args(["describe", model]));
        assert!(out.status.success());
        let shown = text(&out.stdout);
        shown
            .lines()
            .find(|line| line.starts_with("Example: "))
            .unwrap_or_else(|| panic!("an example in {shown}"))
            .to_owned()
    };
    let runcomfy = example(RUNCOMFY_LITE);
    assert!(
        runcomfy.contains("--set first_frame_image_url=@photo.png")
            && runcomfy.contains("--allow-data-uri"),
        "{runcomfy}"
    );
    let aimlapi = example(AIMLAPI_LITE);
    assert!(!aimlapi.contains("--allow-data-uri"), "{aimlapi}");
    let described = text(&run(seedance(dir.path()).args(["describe", RUNCOMFY_LITE])).stdout);
    assert!(
        described.contains("@path (a local file, sent only with --allow-data-uri)"),
        "{described}"
    );

    // Following the example without the flag: the refusal names it.
    let out = run(seedance(dir.path()).args([
        "run",
        "--sim",
        RUNCOMFY_LITE,
        "--set",
        "prompt=a fox",
        "--set",
        "first_frame_image_url=@photo.png",
    ]));
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("--allow-data-uri"), "{stderr}");
    // And with it (the example as printed), it runs.
    let out = run(seedance(dir.path()).args([
        "run",
        "--sim",
        RUNCOMFY_LITE,
        "--dry-run",
        "--set",
        "prompt=a fox",
        "--set",
        "first_frame_image_url=@photo.png",
        "--allow-data-uri",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// An image URL on a port nothing listens on (the offline case, without DNS).
fn unreachable_image() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    format!("first_frame_image_url=http://{addr}/photo.png")
}

#[test]
fn dry_run_hints_name_cli_flags_and_say_which_checks_were_skipped() {
    let dir = tempdir();
    let image = unreachable_image();
    let dry_run = |extra: &[&str]| {
        run(seedance(dir.path())
            .args([
                "run",
                RUNCOMFY_LITE,
                "--dry-run",
                "--allow-private-image-urls",
            ])
            .args(["--set", "prompt=a fox", "--set", &image])
            .args(extra))
    };
    let out = dry_run(&[]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("--skip-image-checks"), "{stderr}");
    assert!(!stderr.contains("SubmitOptions"), "{stderr}");
    assert!(!stderr.contains("skip_remote_image_checks"), "{stderr}");

    let out = dry_run(&["--skip-image-checks"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(!stdout.contains("every check passed"), "{stdout}");
    assert!(
        stdout.contains("skipped (--skip-image-checks): the image rules of first_frame_image_url"),
        "{stdout}"
    );
    let out = dry_run(&["--skip-image-checks", "--json"]);
    let line = &json_lines(&out)[0];
    assert_eq!(line["event"], "dry_run");
    assert_eq!(line["skipped_checks"][0]["field"], "first_frame_image_url");
    assert_eq!(line["skipped_checks"][0]["check"], "image_rules");

    // Every check made: the dry run says so.
    let out = run(seedance(dir.path()).args([
        "run",
        "--sim",
        RUNCOMFY_LITE,
        "--dry-run",
        "--set",
        "prompt=a fox",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("dry run: every check passed; nothing was sent"));
    let out = run(seedance(dir.path()).args([
        "run",
        "--sim",
        RUNCOMFY_LITE,
        "--dry-run",
        "--json",
        "--set",
        "prompt=a fox",
    ]));
    assert_eq!(json_lines(&out)[0]["skipped_checks"], json!([]));
}

#[test]
fn json_errors_have_one_shape_and_are_printed_once() {
    let dir = tempdir();
    // An enum rejection: violations like the rules', on stdout only.
    let enum_rejection = |json: bool| {
        let mut command = seedance(dir.path());
        command.args([
            "run",
            "--sim",
            RUNCOMFY_LITE,
            "--set",
            "prompt=a fox",
            "--set",
            "resolution=4k",
        ]);
        if json {
            command.arg("--json");
        }
        run(&mut command)
    };
    let out = enum_rejection(true);
    assert_eq!(out.status.code(), Some(3));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let error = &lines[0]["error"];
    assert_eq!(error["kind"], "validation");
    let violation = &error["violations"][0];
    assert_eq!(violation["field"], "resolution", "{error}");
    assert_eq!(violation["rule"], "enum");
    assert_eq!(violation["actual"], "4k");
    assert!(
        violation["limit"]
            .as_str()
            .is_some_and(|l| l.contains("1080p")),
        "{violation}"
    );
    assert!(error["causes"].is_array());
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("is not one of"), "printed twice: {stderr}");
    // Without --json the text is on stderr as before.
    let out = enum_rejection(false);
    assert!(text(&out.stderr).contains("resolution: 4k is not one of"));

    // clap's usage errors: causes too, and the text only once.
    let out = run(seedance(dir.path()).args(["run", "--json"]));
    assert_eq!(out.status.code(), Some(2));
    let error = &json_lines(&out)[0]["error"];
    assert_eq!(error["kind"], "usage");
    assert!(error["causes"].is_array(), "{error}");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("<MODEL>"))
    );
    assert_eq!(text(&out.stderr), "", "printed twice");
    // Our own usage errors (a typed model name) too.
    let out = run(seedance(dir.path()).args(["describe", "nope", "--json"]));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json_lines(&out)[0]["error"]["kind"], "usage");
    assert!(json_lines(&out)[0]["error"]["causes"].is_array());
    assert_eq!(text(&out.stderr), "", "printed twice");
}

#[test]
fn models_and_describe_json_give_a_model_the_same_shape() {
    let dir = tempdir();
    let listed = json_lines(&run(seedance(dir.path()).args(["models", "--json"])));
    assert_eq!(listed.len(), MODELS.len());
    for (line, info) in listed.iter().zip(MODELS) {
        let described = json_lines(&run(seedance(dir.path()).args([
            "describe",
            &name(info),
            "--json",
        ])));
        let described = &described[0];
        let keys = line.as_object().expect("an object");
        for key in [
            "name",
            "vendor",
            "vendor_name",
            "model",
            "token_env",
            "summary",
        ] {
            assert!(keys.contains_key(key), "{key} in {line}");
        }
        for (key, value) in keys {
            assert_eq!(&described[key], value, "{}: {key}", name(info));
        }
        assert_eq!(line["vendor"], info.vendor.id);
    }
}

#[test]
fn a_batch_with_a_missing_token_fails_before_the_journal_or_any_request() {
    let dir = tempdir();
    let sim = SimProcess::start(dir.path());
    photo(dir.path());
    let wavespeed = json!({"model": WAVESPEED_REF, "input": {
        "prompt": "photo", "reference_images": ["@photo.png"]}});
    let image = format!("{}/sim/images/img.png", sim.base_url);
    let runcomfy = json!({"model": RUNCOMFY_LITE, "input": {
        "prompt": "runcomfy", "first_frame_image_url": image}});
    // No token at all, then a token for one vendor of two (the other's
    // line has a local file, sent at parse time).
    let cases = [
        (vec![runcomfy.clone()], None),
        (vec![runcomfy, wavespeed], Some("RUNCOMFY_API_TOKEN")),
    ];
    for (lines, token) in cases {
        let file = batch_file(dir.path(), "jobs.jsonl", &lines);
        let mut command = seedance(dir.path());
        command
            .arg("batch")
            .arg(&file)
            .args(["--journal", "jobs.db", "--base-url", &sim.base_url])
            .args(["--allow-private-image-urls", "--poll-interval", "5ms"]);
        if let Some(token) = token {
            command.env(token, seedance_sim::TOKEN);
        }
        let out = run(&mut command);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(stderr.contains("_API_"), "{stderr}");
        assert!(stderr.contains("is not set"), "{stderr}");
        assert!(
            !dir.path().join("jobs.db").exists(),
            "no journal was created"
        );
    }
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let counts = runtime.block_on(sim.counts());
    let counted = counts.as_object().expect("counts");
    assert!(
        counted.values().all(|n| n == 0),
        "nothing was sent: {counts}"
    );
}

/// Two one-line batches whose batch ids sort against the order they are
/// run in (`seedance jobs` used to list by batch id).
fn reversed_batches() -> (Value, Value) {
    let batch_id = |line: &Value| {
        let key = seedance_journal::line_key("runcomfy", RUNCOMFY_LITE, &line["input"], None, 0);
        seedance_journal::sha256_hex(key.as_bytes())[..16].to_owned()
    };
    let first = runcomfy_line("first");
    (0..)
        .map(|n| runcomfy_line(&format!("second {n}")))
        .find(|second| batch_id(second) < batch_id(&first))
        .map(|second| (first, second))
        .expect("a second line")
}

#[test]
fn jobs_lists_a_header_aligned_columns_and_rows_by_time() {
    let dir = tempdir();
    let (first, second) = reversed_batches();
    for (name, line) in [("first.jsonl", first), ("second.jsonl", second)] {
        let file = batch_file(dir.path(), name, &[line]);
        let out = run(seedance(dir.path()).arg("batch").arg(&file).args([
            "--sim",
            "--journal",
            "jobs.db",
            "--poll-interval",
            "5ms",
        ]));
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let out = run(seedance(dir.path()).args(["jobs", "--journal", "jobs.db"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    let rows: Vec<&str> = shown.lines().collect();
    assert_eq!(rows.len(), 3, "{shown}");
    let header = rows[0];
    for column in ["STATE", "LINE", "VENDOR", "JOB ID", "KEY", "OUTPUT"] {
        assert!(header.contains(column), "{column} in {header:?}");
    }
    let at = header.find("JOB ID").expect("JOB ID");
    let after = header.find("KEY").expect("KEY");
    let entries = json_lines(&run(seedance(dir.path()).args([
        "jobs",
        "--journal",
        "jobs.db",
        "--json",
    ])));
    for row in &rows[1..] {
        let id = row[at..].split_whitespace().next().expect("a job id");
        assert_eq!(id.len(), 36, "{row:?}");
        assert!(entries.iter().any(|e| e["job_id"] == id), "{id}");
        assert!(
            row[after..].starts_with(|c: char| c.is_ascii_hexdigit()),
            "{row:?}"
        );
    }
    assert!(rows[1].contains(" 1 "), "{shown}");
    // Rows by time: the first batch run first, in text and JSON.
    let first_id = entries
        .iter()
        .min_by_key(|e| e["created_at_ms"].as_i64())
        .expect("entries")["job_id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert!(rows[1].contains(&first_id), "{shown}");
    assert_eq!(entries[0]["job_id"], first_id.as_str());
}

// ---- a batch line of every compiled model -------------------------------------

/// A value for each required text field; media fields are `--sim`'s.
fn required_text(info: &ModelInfo) -> serde_json::Map<String, Value> {
    required_text_fields(info)
        .into_iter()
        .map(|field| (field, Value::from(format!("a fox for {}", info.module))))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_runs_a_line_of_every_compiled_model_to_its_video() {
    let dir = tempdir();
    let sim = SimProcess::start(dir.path());
    let lines: Vec<Value> = MODELS
        .iter()
        .map(|info| {
            json!({"model": name(info), "input": required_text(info),
                "out": format!("{}.mp4", info.module.replace("::", "_"))})
        })
        .collect();
    let file = batch_file(dir.path(), "every.jsonl", &lines);
    let mut command = seedance(dir.path());
    command
        .arg("batch")
        .arg(&file)
        .args(["--sim", "--json", "--journal", "jobs.db", "--out", "out"])
        .args(["--poll-interval", "5ms", "--requests-per-second", "inf"])
        .stdin(Stdio::null());
    let out = tokio::task::spawn_blocking(move || run(&mut command))
        .await
        .expect("child");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(summary(&out)["downloaded"], MODELS.len());

    // The simulator's own records: one POST per line, each body once.
    let counts = sim.counts().await;
    assert_eq!(counts["submit"], MODELS.len(), "{counts}");
    let seen = sim.get("submits").await;
    let requests = seen["requests"].as_array().expect("requests");
    assert_eq!(requests.len(), MODELS.len(), "{seen}");
    assert!(requests.iter().all(|r| r["count"] == 1), "{seen}");
    // Required audio fields were filled with the simulator's playable MP3.
    let audio = format!("{}{}", sim.base_url, seedance_sim::AUDIO_PATH);
    let bodies: Vec<Value> = requests
        .iter()
        .filter_map(|r| serde_json::from_str(r["body"].as_str()?).ok())
        .collect();
    let with_audio = bodies.iter().filter(|b| b["audio_url"] == audio.as_str());
    let needing_audio = MODELS.iter().filter(|info| {
        let schema = (info.json_schema)();
        schema.as_value()["required"]
            .as_array()
            .is_some_and(|required| required.iter().any(|f| f == "audio_url"))
    });
    assert_eq!(with_audio.count(), needing_audio.count(), "{seen}");
    let served = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .get(&audio)
        .send()
        .await
        .expect("audio");
    assert_eq!(served.headers()["content-type"], "audio/mpeg");
    let served = served.bytes().await.expect("audio bytes");
    assert_eq!(served.to_vec(), seedance_sim::audio_bytes());
    let video = seedance_sim::video_bytes();
    for info in MODELS {
        let path = dir
            .path()
            .join("out")
            .join(format!("{}.mp4", info.module.replace("::", "_")));
        let saved = std::fs::read(&path).unwrap_or_default();
        assert!(
            saved == video,
            "{}: {} is not the video",
            name(info),
            path.display()
        );
    }
}
