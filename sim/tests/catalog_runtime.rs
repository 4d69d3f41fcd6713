//! Models added to the catalog at run time over the admin route, as a
//! separate process would add them, run like compiled-in models: submitted,
//! validated by the interpreter against the added schema (a bad input gets
//! the vendor's error shape and is not billed), polled and fetched to the
//! video. Ids that would need escaping are refused by the admin route.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};

use common::*;
use seedance_sim::{Billed, Route, Sim, Vendor, video_bytes};
use serde_json::{Value, json};

/// A WaveSpeed model no schema under `schemas/` names.
const NEW_WS: &str = "bytedance/seedance-v2.0/text-to-video";
const NEW_RC: &str = "acme/seedance-2-0/pro/text-to-video";
const AIML_FIXTURE: &str = include_str!("fixtures/aimlapi/Fixture/seedance-fixture.json");
const AIML_NEW: &str = "vendor/seedance-fixture";
const AIML_NEW_PATH: &str = "/v2/video/fixture-generations";

/// A WaveSpeed `request_schema` as the vendor publishes one, its `duration`
/// copied from the compiled-in model (so both must answer alike).
fn wavespeed_schema(duration: &Value) -> Value {
    json!({
        "type": "object",
        "properties": {
            "prompt": { "type": "string", "description": "The positive prompt." },
            "aspect_ratio": {
                "type": "string",
                "enum": ["16:9", "9:16", "1:1"],
                "default": "16:9"
            },
            "duration": duration,
            "seed": { "type": "integer", "minimum": -1, "maximum": 2147483647, "default": -1 }
        },
        "required": ["prompt"],
        "x-order-properties": ["prompt", "aspect_ratio", "duration", "seed"]
    })
}

/// The `duration` property of the compiled-in WaveSpeed model.
fn compiled_duration(sim: &Sim) -> Value {
    let schema = sim.catalog().schema(Vendor::WaveSpeed, WS_MODEL).unwrap();
    let duration = schema["properties"]["duration"].clone();
    assert!(duration.is_object(), "{schema}");
    duration
}

/// `PUT /sim/catalog/{vendor}/{model}` with no token, as `seedance sim`'s
/// admin client would send it.
async fn add(base_url: &str, vendor: &str, model: &str, schema: &Value) -> (u16, Value) {
    json(
        client()
            .put(format!("{base_url}/sim/catalog/{vendor}/{model}"))
            .json(schema)
            .send()
            .await
            .unwrap(),
    )
    .await
}

fn auth_post(base_url: &str, path: &str, body: &Value) -> reqwest::RequestBuilder {
    client()
        .post(format!("{base_url}{path}"))
        .bearer_auth(seedance_sim::TOKEN)
        .json(body)
}

fn auth_get(base_url: &str, path: &str) -> reqwest::RequestBuilder {
    client()
        .get(format!("{base_url}{path}"))
        .bearer_auth(seedance_sim::TOKEN)
}

/// Polls WaveSpeed's result route until the task ends; its data.
async fn wavespeed_until_done(base_url: &str, id: &str) -> Value {
    for _ in 0..20 {
        let (code, body) = json(
            auth_get(base_url, &format!("/api/v3/predictions/{id}/result"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(code, 200, "{body}");
        match body["data"]["status"].as_str().unwrap() {
            "created" | "processing" => continue,
            _ => return body["data"].clone(),
        }
    }
    panic!("task {id} never ended");
}

/// The bytes at `url`, which must be the simulator's video.
async fn assert_video(url: &str) {
    let response = client().get(url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200, "{url}");
    assert_eq!(response.bytes().await.unwrap().to_vec(), video_bytes());
}

/// The WaveSpeed run of the added model, against any simulator: unknown
/// before, added over HTTP, listed in the vendor's catalog, submitted, polled
/// to the video; an out-of-range `duration` gets the same 400 as the
/// compiled-in model. Returns the `duration: 99` answer's message.
async fn wavespeed_round_trip(base_url: &str, duration: &Value) -> String {
    let submit_path = format!("/api/v3/{NEW_WS}");
    let valid = json!({ "prompt": "a lighthouse at dusk", "duration": 10, "aspect_ratio": "9:16" });
    let (code, body) = json(
        auth_post(base_url, &submit_path, &valid)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 404, "not compiled in: {body}");

    let (code, body) = add(base_url, "wavespeed", NEW_WS, &wavespeed_schema(duration)).await;
    assert_eq!(
        (code, &body),
        (
            200,
            &json!({ "vendor": "wavespeed", "model": NEW_WS, "file": format!("{NEW_WS}.json") })
        )
    );
    let (_, listed) = json(auth_get(base_url, "/api/v3/models").send().await.unwrap()).await;
    assert!(
        listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["model_id"] == NEW_WS),
        "{listed}"
    );

    let (code, body) = json(
        auth_post(base_url, &submit_path, &valid)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(
        (&body["data"]["status"], &body["data"]["model"]),
        (&json!("created"), &json!(NEW_WS))
    );
    let id = body["data"]["id"].as_str().unwrap().to_owned();
    let done = wavespeed_until_done(base_url, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["model"], NEW_WS);
    let video = done["outputs"][0].as_str().unwrap();
    assert_eq!(video, format!("{base_url}{}", seedance_sim::VIDEO_PATH));
    assert_video(video).await;

    // Out of the added schema's range: the vendor's error shape, and the
    // same message as the compiled-in model with the same rule.
    let mut bad = valid.clone();
    bad["duration"] = json!(99);
    let (code, refused) = json(
        auth_post(base_url, &submit_path, &bad)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 400, "{refused}");
    let keys: Vec<&String> = refused.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["code", "message"], "{refused}");
    assert_eq!(refused["code"], 400);
    let message = refused["message"].as_str().unwrap().to_owned();
    assert!(message.starts_with("duration: "), "{message}");

    let compiled = json!({
        "prompt": "a lighthouse at dusk",
        "reference_images": [format!("{base_url}/sim/images/img.png?w=640&h=480")],
        "duration": 99,
    });
    let (code, same) = json(
        auth_post(base_url, &format!("/api/v3/{WS_MODEL}"), &compiled)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((code, &same), (400, &refused), "compiled-in model");

    // An enum of the added schema is enforced too.
    let mut wide = valid;
    wide["aspect_ratio"] = json!("21:9");
    let (code, refused) = json(
        auth_post(base_url, &submit_path, &wide)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 400, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .starts_with("aspect_ratio: "),
        "{refused}"
    );
    message
}

#[tokio::test]
async fn a_wavespeed_model_added_over_http_runs_to_the_video_and_bad_input_is_not_billed() {
    let sim = Sim::start().await;
    let duration = compiled_duration(&sim);
    let message = wavespeed_round_trip(sim.base_url(), &duration).await;
    assert!(message.contains("99"), "{message}");
    // Only the one accepted job was billed: 10 s at WaveSpeed's 5 s price.
    assert_eq!(
        sim.billed(),
        Billed {
            jobs: 1,
            usd_micros: 200_000
        }
    );
    // Five submits reached the route (404, valid, 99 and 21:9 on the new
    // model, 99 on the compiled one).
    assert_eq!(sim.count(Route::Submit), 5);

    // Replaced over HTTP: the new schema is what submits are checked against.
    let mut narrower = wavespeed_schema(&json!({ "type": "integer", "enum": [5, 10] }));
    narrower["required"] = json!(["prompt", "seed"]);
    let (code, _) = add(sim.base_url(), "wavespeed", NEW_WS, &narrower).await;
    assert_eq!(code, 200);
    let (code, refused) = json(
        post(
            &sim,
            &format!("/api/v3/{NEW_WS}"),
            &json!({ "prompt": "x" }),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(code, 400);
    assert!(
        refused["message"].as_str().unwrap().contains("seed"),
        "{refused}"
    );
    let (code, refused) = json(
        post(
            &sim,
            &format!("/api/v3/{NEW_WS}"),
            &json!({ "prompt": "x", "seed": 1, "duration": 7 }),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(code, 400, "7 is not in the enum: {refused}");
    assert_eq!(sim.billed().jobs, 1);

    // Removed over HTTP: gone from submits.
    let removed = client()
        .delete(format!("{}/sim/catalog/wavespeed/{NEW_WS}", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status().as_u16(), 204);
    let (code, _) = json(
        post(
            &sim,
            &format!("/api/v3/{NEW_WS}"),
            &json!({ "prompt": "x", "seed": 1 }),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(code, 404);
    assert_eq!(sim.billed().jobs, 1);
}

#[tokio::test]
async fn a_runcomfy_model_added_over_http_runs_to_the_video() {
    let sim = Sim::start().await;
    let schema = json!({
        "type": "object",
        "properties": {
            "prompt": { "type": "string", "maxLength": 2000 },
            "duration": { "type": "integer", "enum": [5, 10], "default": 5 }
        },
        "required": ["prompt"]
    });
    let (code, body) = add(sim.base_url(), "runcomfy", NEW_RC, &schema).await;
    assert_eq!(code, 200, "{body}");
    let path = format!("/v1/models/{NEW_RC}");

    let (code, refused) = json(
        post(&sim, &path, &json!({ "prompt": "x", "duration": 99 }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((code, &refused["error_code"]), (422, &json!(422_001)));
    assert_eq!(refused["detail"][0]["loc"], json!(["body", "duration"]));
    assert_eq!(refused["detail"][0]["type"], "enum");
    assert_eq!(sim.billed(), Billed::default());

    let (code, submitted) = json(
        post(&sim, &path, &json!({ "prompt": "x", "duration": 10 }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 200, "{submitted}");
    let id = submitted["request_id"].as_str().unwrap();
    let mut status = String::new();
    for _ in 0..20 {
        let (_, body) = json(
            get(&sim, &format!("/v1/requests/{id}/status"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        status = body["status"].as_str().unwrap().to_owned();
        if status == "completed" {
            break;
        }
    }
    assert_eq!(status, "completed");
    let (code, result) = json(
        get(&sim, &format!("/v1/requests/{id}/result"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((code, &result["status"]), (200, &json!("succeeded")));
    assert_video(result["output"]["video"].as_str().unwrap()).await;
    assert_eq!(sim.billed().jobs, 1);
}

#[tokio::test]
async fn an_aimlapi_document_added_over_http_runs_to_the_video() {
    let sim = Sim::start().await;
    let document: Value = serde_json::from_str(AIML_FIXTURE).unwrap();
    let (code, body) = add(sim.base_url(), "aimlapi", AIML_NEW, &document).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["file"], "ByteDance/seedance-fixture.json");

    let bad = json!({ "model": AIML_NEW, "prompt": "x", "resolution": "1080p" });
    let (code, refused) = json(post(&sim, AIML_NEW_PATH, &bad).send().await.unwrap()).await;
    assert_eq!((code, &refused["statusCode"]), (400, &json!("400")));
    assert!(
        refused["message"].as_str().unwrap().contains("resolution"),
        "{refused}"
    );
    assert_eq!(sim.billed(), Billed::default());

    let good = json!({ "model": AIML_NEW, "prompt": "x", "resolution": "480p" });
    let (code, submitted) = json(post(&sim, AIML_NEW_PATH, &good).send().await.unwrap()).await;
    assert_eq!(code, 200, "{submitted}");
    let id = submitted["id"].as_str().unwrap();
    let mut polled = Value::Null;
    for _ in 0..20 {
        polled = json(
            get(&sim, &format!("{AIML_NEW_PATH}?generation_id={id}"))
                .send()
                .await
                .unwrap(),
        )
        .await
        .1;
        if polled["status"] == "completed" {
            break;
        }
    }
    assert_eq!(polled["status"], "completed", "{polled}");
    assert_video(polled["video"]["url"].as_str().unwrap()).await;
    assert_eq!(sim.billed().jobs, 1);
}

/// One raw HTTP/1.1 request, so the target reaches the server byte for byte
/// (an HTTP client would resolve `%2e%2e` and `..` segments first). Returns
/// the status and the body.
fn raw_put(base_url: &str, target: &str, body: &str) -> (u16, String) {
    let addr = base_url.strip_prefix("http://").unwrap();
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "PUT {target} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status in {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, body)| body.to_owned());
    (status, body)
}

#[tokio::test]
async fn the_admin_route_refuses_ids_that_need_escaping_or_climb_out() {
    let sim = Sim::start().await;
    let schema =
        json!({ "type": "object", "properties": { "prompt": { "type": "string" } } }).to_string();
    let base = sim.base_url().to_owned();
    let before = sim.catalog().models(Vendor::WaveSpeed);
    let odd = [
        "acme/%2e%2e/evil",
        "acme/%2E%2E/%2e%2e/evil",
        "acme/../evil",
        "acme/./evil",
        "acme/%2eenv",
        "acme/x%2f%2e%2e%2fevil",
        "acme/x%3Fy=1",
        "acme/x?y=1",
        "acme/x%23y",
        "acme/a%20b",
        "acme/a%5cb",
        "acme/a%255c",
        "acme//b",
    ];
    for id in odd {
        let (status, body) = tokio::task::spawn_blocking({
            let base = base.clone();
            let schema = schema.clone();
            move || raw_put(&base, &format!("/sim/catalog/wavespeed/{id}"), &schema)
        })
        .await
        .unwrap();
        assert_eq!(status, 400, "{id}: {body}");
        let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        assert!(
            body["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("invalid model id")),
            "{id}: {body}"
        );
    }
    assert_eq!(sim.catalog().models(Vendor::WaveSpeed), before);
    // Nothing reachable by submit either (`acme/x` is not `acme/x?y=1`).
    let (code, _) = json(
        post(&sim, "/api/v3/acme/x", &json!({ "prompt": "x" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 404);

    // A plain id with dots inside a segment is taken.
    let (status, body) = tokio::task::spawn_blocking(move || {
        raw_put(&base, "/sim/catalog/wavespeed/acme/v1.5_x-y", &schema)
    })
    .await
    .unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(
        sim.catalog()
            .models(Vendor::WaveSpeed)
            .contains(&"acme/v1.5_x-y".to_owned())
    );
}

/// `seedance-sim` as its own process, killed when dropped.
struct SimProcess {
    child: Child,
    base_url: String,
}

impl SimProcess {
    fn start() -> SimProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_seedance-sim"))
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("seedance-sim starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("its URL");
        let base_url = line.trim().to_owned();
        assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url:?}");
        SimProcess { child, base_url }
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_model_added_to_a_separate_simulator_process_runs_to_the_video() {
    let process = SimProcess::start();
    // The compiled-in duration rule, read from an in-process twin (the
    // same embedded schemas).
    let duration = compiled_duration(&Sim::start().await);
    wavespeed_round_trip(&process.base_url, &duration).await;
    let (code, ledger) = json(
        client()
            .get(format!("{}/sim/admin/ledger", process.base_url))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(ledger["total"]["jobs"], 1, "{ledger}");
}
