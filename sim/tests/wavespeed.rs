//! WaveSpeed beyond submit-and-poll: sync mode and the two-step (ticket)
//! upload, in the shapes the official Python SDK (`wavespeed` 2.0.5) reads.

mod common;

use std::time::{Duration, Instant};

use common::{WS_MODEL, client, get, json, post};
use seedance_sim::{DemoSettings, ImageFormat, ImageSpec, JobTiming, Outcome, Route, Sim, TOKEN};
use serde_json::{Value, json};

fn body(sim: &Sim, sync: bool) -> Value {
    let image = sim.image_url(&ImageSpec::new(ImageFormat::Png, 800, 600));
    let mut body = json!({ "prompt": "a cat", "reference_images": [image] });
    if sync {
        body["enable_sync_mode"] = json!(true);
    }
    body
}

async fn submit(sim: &Sim, sync: bool) -> (u16, Value) {
    let path = format!("/api/v3/{WS_MODEL}");
    json(post(sim, &path, &body(sim, sync)).send().await.unwrap()).await
}

async fn result(sim: &Sim, id: &str) -> Value {
    let path = format!("/api/v3/predictions/{id}/result");
    json(get(sim, &path).send().await.unwrap()).await.1
}

fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn sync_mode_answers_the_finished_task_like_the_result_endpoint() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming {
        queued_polls: 2,
        running_polls: 3,
        outcome: Outcome::Succeed,
    });
    let (code, answer) = submit(&sim, true).await;
    assert_eq!(
        (code, answer["code"].as_u64()),
        (200, Some(200)),
        "{answer}"
    );
    let data = &answer["data"];
    assert_eq!(data["status"], "completed", "{answer}");
    assert_eq!(data["outputs"], json!([sim.video_url()]));
    assert_eq!(data["error"], "");
    // Same shape as the result answer, and the task is there by id.
    let fetched = result(&sim, data["id"].as_str().unwrap()).await;
    assert_eq!(keys(data), keys(&fetched["data"]));
    assert_eq!(fetched["data"]["status"], "completed");
    // The wait polled nothing over HTTP.
    assert_eq!(sim.count(Route::Result), 1);

    // Without the flag, the submit answers at once with a created task.
    let (_, answer) = submit(&sim, false).await;
    assert_eq!(answer["data"]["status"], "created");
}

#[tokio::test]
async fn sync_mode_answers_a_failed_task_as_failed() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming::immediate(Outcome::Fail {
        message: "content flagged".into(),
    }));
    let (code, answer) = submit(&sim, true).await;
    assert_eq!(code, 200);
    assert_eq!(answer["data"]["status"], "failed");
    assert_eq!(answer["data"]["error"], "content flagged");
    assert!(answer["data"].get("code").is_none(), "{answer}");
}

#[tokio::test]
async fn sync_mode_times_out_with_code_5004_and_the_task_goes_on() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming::running_forever());
    sim.set_sync_timeout(Duration::from_millis(100));
    let started = Instant::now();
    let (code, answer) = submit(&sim, true).await;
    assert!(started.elapsed() >= Duration::from_millis(100));
    assert_eq!(code, 200, "{answer}");
    let data = &answer["data"];
    assert_eq!(data["code"], 5004, "{answer}");
    assert_eq!(data["status"], "processing");
    assert_eq!(data["outputs"], json!([]));
    let error = data["error"].as_str().unwrap();
    assert!(error.starts_with("Sync mode timed out"), "{error}");
    let id = data["id"].as_str().unwrap();
    assert!(error.contains(&format!("/api/v3/predictions/{id}/result")));
    assert_eq!(result(&sim, id).await["data"]["status"], "processing");
}

#[tokio::test]
async fn sync_mode_waits_out_a_demo_job_duration() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming::immediate(Outcome::Succeed));
    sim.set_demo(DemoSettings {
        job_duration: Some(Duration::from_millis(300)),
        ..DemoSettings::default()
    });
    let started = Instant::now();
    let (_, answer) = submit(&sim, true).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(answer["data"]["status"], "completed", "{answer}");
}

/// Asks for a ticket as the SDK does.
async fn ticket(sim: &Sim, request: &Value) -> (u16, Value) {
    json(
        post(sim, "/api/v3/media/uploads", request)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_ticket_upload_puts_the_bytes_and_serves_them_at_the_download_url() {
    let sim = Sim::start().await;
    let png = ImageSpec::new(ImageFormat::Png, 640, 480).bytes();
    let request =
        json!({ "filename": "my cat.png", "size": png.len(), "content_type": "image/png" });
    let (code, answer) = ticket(&sim, &request).await;
    assert_eq!(
        (code, answer["code"].as_u64()),
        (200, Some(200)),
        "{answer}"
    );
    let upload = &answer["data"]["upload"];
    assert_eq!(upload["method"], "PUT");
    assert_eq!(upload["headers"], json!({ "Content-Type": "image/png" }));
    let put_url = upload["url"].as_str().unwrap();
    let download_url = answer["data"]["download_url"].as_str().unwrap();
    assert!(put_url.starts_with("http://127.0.0.1:"), "{put_url}");
    assert!(download_url.starts_with(sim.base_url()), "{download_url}");

    // Nothing to download before the PUT.
    let early = client().get(download_url).send().await.unwrap();
    assert_eq!(early.status(), 404);
    // The PUT carries the ticket's headers and no bearer.
    let put = client()
        .put(put_url)
        .header("Content-Type", "image/png")
        .body(png.clone())
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.status());
    let served = client().get(download_url).send().await.unwrap();
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap(), png);

    // The download URL is an input like any image URL.
    let path = format!("/api/v3/{WS_MODEL}");
    let input = json!({ "prompt": "a cat", "reference_images": [download_url] });
    let (code, answer) = json(post(&sim, &path, &input).send().await.unwrap()).await;
    assert_eq!(code, 200, "{answer}");
    // Ticket, GET before the PUT, PUT, GET.
    assert_eq!(sim.count(Route::Upload), 4);
}

#[tokio::test]
async fn a_ticket_put_must_match_what_was_signed() {
    let sim = Sim::start().await;
    let request = json!({ "filename": "a.png", "size": 4, "content_type": "image/png" });
    let (_, answer) = ticket(&sim, &request).await;
    let put_url = answer["data"]["upload"]["url"].as_str().unwrap().to_owned();
    let put = |url: String, kind: &'static str, body: &'static [u8]| async move {
        let response = client()
            .put(url)
            .header("Content-Type", kind)
            .body(body)
            .send()
            .await
            .unwrap();
        response.status().as_u16()
    };
    let forged = put_url.replace("signature=", "signature=0");
    assert_eq!(put(forged, "image/png", b"abcd").await, 403);
    assert_eq!(put(put_url.clone(), "image/jpeg", b"abcd").await, 403);
    assert_eq!(put(put_url.clone(), "image/png", b"abc").await, 400);
    assert_eq!(put(put_url, "image/png", b"abcd").await, 200);

    // A ticket needs the bearer and a file name.
    let anonymous = client()
        .post(format!("{}/api/v3/media/uploads", sim.base_url()))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let (code, answer) = ticket(&sim, &json!({ "size": 4 })).await;
    assert_eq!(
        (code, answer["code"].as_u64()),
        (400, Some(400)),
        "{answer}"
    );
}

#[tokio::test]
async fn the_binary_upload_still_works() {
    let sim = Sim::start().await;
    let form = "--XY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\
                Content-Type: image/png\r\n\r\nPNGDATA\r\n--XY--\r\n";
    let response = client()
        .post(format!("{}/api/v3/media/upload/binary", sim.base_url()))
        .bearer_auth(TOKEN)
        .header("Content-Type", "multipart/form-data; boundary=XY")
        .body(form)
        .send()
        .await
        .unwrap();
    let (code, answer) = json(response).await;
    assert_eq!(code, 200, "{answer}");
    let url = answer["data"]["download_url"].as_str().unwrap();
    let served = client().get(url).send().await.unwrap();
    assert_eq!(served.bytes().await.unwrap(), "PNGDATA");
}
