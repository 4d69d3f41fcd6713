//! What `cargo xtask pull` refuses to take from a catalog: a model id that
//! is not a plain relative path (it would be written outside
//! `schemas/<vendor>/` or mean something else in a URL), and an answer larger
//! than its limit (read whole, a 600 MB catalog once took 1.24 GB).
//!
//! The simulator refuses `..` in the model ids it stores, so a catalog with
//! one is served by a small fake server on 127.0.0.1, as are bodies the
//! simulator cannot send (chunked, or a `Content-Length` it never keeps).

mod support;

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use seedance_sim::{Sim, Vendor};
use serde_json::{Value, json};
use support::{RUNCOMFY_MODEL, WAVESPEED_MODEL, checkout, options};
use xtask::pull::{self, Options};

const MIB: usize = 1024 * 1024;

/// How the fake server sends its body.
#[derive(Clone, Copy)]
enum Framing {
    /// `Content-Length` of the body as it is.
    Length,
    /// `Transfer-Encoding: chunked`, 1 MiB a chunk.
    Chunked,
    /// `Content-Length` claiming this many bytes, then the body and close.
    Claimed(u64),
}

/// A server on 127.0.0.1 answering every request with 200 and `body`;
/// returns its origin.
fn fake_server(body: Vec<u8>, framing: Framing) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let body = Arc::new(body);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let body = Arc::clone(&body);
            std::thread::spawn(move || answer(stream, &body, framing));
        }
    });
    origin
}

/// Reads one request's head, then answers; write errors (the client hung
/// up at its limit) end the answer.
fn answer(mut stream: TcpStream, body: &[u8], framing: Framing) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
        head.push(byte[0]);
    }
    let status = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n";
    let _ = match framing {
        Framing::Length => write!(stream, "{status}Content-Length: {}\r\n\r\n", body.len())
            .and_then(|()| stream.write_all(body)),
        Framing::Claimed(length) => write!(stream, "{status}Content-Length: {length}\r\n\r\n")
            .and_then(|()| stream.write_all(body)),
        Framing::Chunked => write_chunked(&mut stream, status, body),
    };
}

fn write_chunked(stream: &mut TcpStream, status: &str, body: &[u8]) -> std::io::Result<()> {
    write!(stream, "{status}Transfer-Encoding: chunked\r\n\r\n")?;
    for chunk in body.chunks(MIB) {
        write!(stream, "{:x}\r\n", chunk.len())?;
        stream.write_all(chunk)?;
        stream.write_all(b"\r\n")?;
    }
    stream.write_all(b"0\r\n\r\n")
}

/// A WaveSpeed catalog entry serving `schema` for `model`.
fn wavespeed_entry(model: &str, schema: &Value) -> Value {
    json!({
        "model_id": model,
        "api_schema": {"api_schemas": [{"type": "model_run", "request_schema": schema}]},
    })
}

/// The wavespeed model's schema with one more optional field.
fn changed_wavespeed_schema(root: &Path) -> Value {
    let file = root.join(format!("schemas/wavespeed/{WAVESPEED_MODEL}.json"));
    let mut schema: Value = serde_json::from_slice(&fs::read(file).unwrap()).unwrap();
    schema["properties"]["negative_prompt"] = json!({"type": "string"});
    schema["x-order-properties"]
        .as_array_mut()
        .unwrap()
        .push(json!("negative_prompt"));
    schema
}

/// Check-mode pull options reading only `vendor`, from `origin`.
fn only(vendor: &str, origin: &str, token: &str) -> Options {
    Options {
        vendors: vec![vendor.to_owned()],
        base_urls: [(vendor.to_owned(), origin.to_owned())].into(),
        tokens: [(vendor.to_owned(), token.to_owned())].into(),
        check: true,
        ..Options::default()
    }
}

fn lock_text(root: &Path, vendor: &str) -> String {
    fs::read_to_string(root.join(format!("schemas/{vendor}/lock.json"))).unwrap()
}

/// The reported bug: `..` in a catalog's model id wrote the schema outside
/// `schemas/` and put the id in lock.json. Now it is refused by name, the
/// good model beside it is still pulled, and the exit code says so.
#[test]
fn a_model_id_climbing_out_of_schemas_is_refused_and_the_others_pulled() {
    let root = checkout("dotdot");
    fs::write(root.join("Cargo.toml"), "[workspace]\n").unwrap();
    let bad = "bytedance/seedance-v1-lite/../../../../escaped";
    let schema = changed_wavespeed_schema(&root);
    let catalog = json!({"code": 200, "message": "success", "data": [
        wavespeed_entry(WAVESPEED_MODEL, &schema),
        wavespeed_entry(bad, &schema),
    ]});
    let origin = fake_server(serde_json::to_vec(&catalog).unwrap(), Framing::Length);

    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["pull", "--vendor", "wavespeed", "--base-url"])
        .arg(format!("wavespeed={origin}"))
        .env("WAVESPEED_API_KEY", "token")
        .current_dir(&root)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !output.status.success(),
        "a refused id fails the pull: {said}"
    );
    assert!(
        said.contains(&format!("wavespeed: invalid model id {bad:?}")),
        "{said}"
    );
    assert!(said.contains("`..`"), "{said}");
    assert!(
        !root.join("escaped.json").exists(),
        "written outside schemas/"
    );
    assert!(!lock_text(&root, "wavespeed").contains("escaped"));
    let good = root.join(format!("schemas/wavespeed/{WAVESPEED_MODEL}.json"));
    let pulled: Value = serde_json::from_slice(&fs::read(good).unwrap()).unwrap();
    assert_eq!(pulled, schema, "the good model is still pulled: {said}");
    fs::remove_dir_all(&root).unwrap();
}

/// Ids the simulator stores (it only refuses empty, `.` and `..` segments
/// and backslashes) but that are no plain path or URL segment.
#[test]
fn ids_with_escapes_queries_fragments_controls_or_drives_are_refused() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(Sim::start());
    let root = checkout("odd-ids");
    let schema = changed_wavespeed_schema(&root);
    let odd = [
        (
            "bytedance/seedance-v1-lite/%2e%2e/escaped",
            "percent-escape",
        ),
        ("bytedance/seedance-v1-lite/what?x=1", "URL query"),
        ("bytedance/seedance-v1-lite/a#b", "URL fragment"),
        ("bytedance/seedance-v1-lite/bell\u{7}", "control character"),
        ("bytedance/seedance-v1-lite/c:evil", "drive letter"),
    ];
    sim.catalog()
        .set_schema(Vendor::WaveSpeed, WAVESPEED_MODEL, schema.clone())
        .unwrap();
    for (id, _) in odd {
        sim.catalog()
            .set_schema(Vendor::WaveSpeed, id, schema.clone())
            .unwrap();
    }

    let options = Options {
        vendors: vec!["wavespeed".to_owned()],
        ..options(&sim, false)
    };
    let rendered = pull::run(&root, &options).unwrap().render();
    let lock = lock_text(&root, "wavespeed");
    for (id, why) in odd {
        let line = format!("wavespeed: invalid model id {id:?}");
        assert!(rendered.contains(&line), "{id:?} not named in:\n{rendered}");
        assert!(rendered.contains(why), "{why:?} not said in:\n{rendered}");
        assert!(!lock.contains(&json!(id).to_string()), "{id:?} locked");
    }
    assert!(
        !root
            .join("schemas/wavespeed/bytedance/seedance-v1-lite/%2e%2e")
            .exists()
    );
    assert!(rendered.contains(&format!("changed: wavespeed/{WAVESPEED_MODEL}")));
    fs::remove_dir_all(&root).unwrap();
}

/// An AI/ML API document is written to the file its lock entry names; a
/// hand-edited lock naming `../../escaped.json` is refused like an id.
#[test]
fn a_lock_file_path_climbing_out_is_refused() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(Sim::start());
    let root = checkout("lock-file");
    let lock_path = root.join("schemas/aimlapi/lock.json");
    let mut lock: Value = serde_json::from_str(&lock_text(&root, "aimlapi")).unwrap();
    let (model, entry) = lock["models"]
        .as_object_mut()
        .unwrap()
        .iter_mut()
        .next()
        .unwrap();
    let model = model.clone();
    entry["file"] = json!("../../escaped.json");
    fs::write(&lock_path, serde_json::to_vec_pretty(&lock).unwrap()).unwrap();

    let options = Options {
        vendors: vec!["aimlapi".to_owned()],
        ..options(&sim, false)
    };
    let rendered = pull::run(&root, &options).unwrap().render();
    assert!(
        !root.join("escaped.json").exists(),
        "written outside schemas/"
    );
    let line = format!("aimlapi: invalid model id {model:?}");
    assert!(rendered.contains(&line), "{rendered}");
    assert!(rendered.contains("\"../../escaped.json\""), "{rendered}");
    fs::remove_dir_all(&root).unwrap();
}

/// One model's answer over its 8 MiB limit (the simulator sends it with a
/// `Content-Length`).
#[test]
fn a_schema_answer_over_its_limit_is_refused_naming_the_url() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(Sim::start());
    let root = checkout("big-schema");
    let mut schema = sim
        .catalog()
        .schema(Vendor::RunComfy, RUNCOMFY_MODEL)
        .unwrap();
    schema["description"] = json!("x".repeat(9 * MIB));
    sim.catalog()
        .set_schema(Vendor::RunComfy, RUNCOMFY_MODEL, schema)
        .unwrap();

    let error = pull::run(&root, &only("runcomfy", sim.base_url(), sim.token())).unwrap_err();
    let url = format!("{}/v1/models/{RUNCOMFY_MODEL}", sim.base_url());
    assert!(error.contains(&url), "{error}");
    assert!(error.contains("8 MiB"), "{error}");
    fs::remove_dir_all(&root).unwrap();
}

/// A chunked catalog (no length to refuse early) is counted as it comes
/// and refused at 32 MiB.
#[test]
fn a_chunked_catalog_over_its_limit_is_refused_naming_the_url() {
    let root = checkout("chunked");
    let padding = "x".repeat(40 * MIB);
    let catalog = json!({"code": 200, "data": [], "padding": padding});
    let origin = fake_server(serde_json::to_vec(&catalog).unwrap(), Framing::Chunked);

    let error = pull::run(&root, &only("wavespeed", &origin, "token")).unwrap_err();
    assert!(
        error.contains(&format!("{origin}/api/v3/models")),
        "{error}"
    );
    assert!(error.contains("32 MiB"), "{error}");
    fs::remove_dir_all(&root).unwrap();
}

/// A catalog announcing 600 MiB is refused from its `Content-Length`,
/// before any of the body is read.
#[test]
fn a_catalog_announcing_too_much_is_refused_before_reading() {
    let root = checkout("claimed");
    let origin = fake_server(b"{}".to_vec(), Framing::Claimed(600 * MIB as u64));

    let error = pull::run(&root, &only("wavespeed", &origin, "token")).unwrap_err();
    assert!(
        error.contains(&format!("{origin}/api/v3/models")),
        "{error}"
    );
    assert!(error.contains("32 MiB"), "{error}");
    assert!(error.contains(&(600 * MIB).to_string()), "{error}");
    fs::remove_dir_all(&root).unwrap();
}
