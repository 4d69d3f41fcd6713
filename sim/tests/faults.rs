//! Fault injection per route, consumed in order, and request counts.

mod common;

use std::time::{Duration, Instant};

use common::*;
use seedance_sim::{Fault, ImageFormat, ImageSpec, JobTiming, Outcome, Route, Sim, TOKEN};
use serde_json::json;

async fn submit_runcomfy(sim: &Sim) -> reqwest::Result<reqwest::Response> {
    let image = sim.image_url(&ImageSpec::new(ImageFormat::Png, 800, 600));
    post(
        sim,
        &format!("/v1/models/{LITE_I2V}"),
        &json!({ "prompt": "x", "first_frame_image_url": image }),
    )
    .send()
    .await
}

async fn submitted_id(sim: &Sim) -> String {
    let (_, body) = json(submit_runcomfy(sim).await.unwrap()).await;
    body["request_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn status_faults_are_vendor_shaped_and_consumed_in_order() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming::immediate(Outcome::Succeed));
    let id = submitted_id(&sim).await;
    sim.inject(
        Route::Status,
        Fault::TooManyRequests {
            retry_after_secs: 1,
        },
        2,
    );
    sim.inject(Route::Status, Fault::Status(503), 1);
    assert_eq!(sim.pending_faults(Route::Status), 3);
    let path = format!("/v1/requests/{id}/status");
    for _ in 0..2 {
        let response = get(&sim, &path).send().await.unwrap();
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()["retry-after"], "1");
        let (_, body) = json(response).await;
        assert_eq!(body["error_code"], 429_001);
    }
    let (code, body) = json(get(&sim, &path).send().await.unwrap()).await;
    assert_eq!((code, body["error_code"].as_u64()), (503, Some(503_001)));
    let (code, body) = json(get(&sim, &path).send().await.unwrap()).await;
    assert_eq!((code, body["status"].as_str()), (200, Some("completed")));
    assert_eq!(sim.count(Route::Status), 4);
    assert_eq!(sim.pending_faults(Route::Status), 0);

    // Other vendors' shapes.
    sim.inject(Route::Status, Fault::Status(502), 1);
    let (code, body) = json(
        get(&sim, &format!("{AIML_PATH}?generation_id=x"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((code, body["statusCode"].as_str()), (502, Some("502")));
    sim.inject(Route::Result, Fault::Status(500), 1);
    let (code, body) = json(
        get(&sim, "/api/v3/predictions/x/result")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((code, body["code"].as_u64()), (500, Some(500)));
}

#[tokio::test]
async fn delay_slows_the_answer() {
    let sim = Sim::start().await;
    sim.inject(Route::Video, Fault::Delay(Duration::from_millis(300)), 1);
    let started = Instant::now();
    let response = client().get(sim.video_url()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let timeout = client()
        .get(sim.video_url())
        .timeout(Duration::from_millis(100));
    sim.inject(Route::Video, Fault::Delay(Duration::from_secs(5)), 1);
    assert!(timeout.send().await.unwrap_err().is_timeout());
}

#[tokio::test]
async fn dropped_connection_is_a_transport_error_after_processing() {
    let sim = Sim::start().await;
    sim.inject(Route::Submit, Fault::DropConnection, 1);
    let error = submit_runcomfy(&sim).await.unwrap_err();
    // hyper's IncompleteMessage: a request error, not a connect error.
    assert!(error.is_request(), "{error:?}");
    assert_eq!(
        sim.count(Route::Submit),
        1,
        "the client must not have retried"
    );
    // The next request goes through.
    assert_eq!(submit_runcomfy(&sim).await.unwrap().status(), 200);

    sim.inject(Route::Image, Fault::DropConnection, 1);
    let image = sim.image_url(&ImageSpec::new(ImageFormat::Png, 800, 600));
    assert!(client().get(&image).send().await.is_err());
}

#[tokio::test]
async fn malformed_json_is_200_with_a_broken_body() {
    let sim = Sim::start().await;
    let id = submitted_id(&sim).await;
    sim.inject(Route::Result, Fault::MalformedJson, 1);
    let response = get(&sim, &format!("/v1/requests/{id}/result"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "{\"status\": ");
}

#[tokio::test]
async fn truncated_json_cuts_the_body() {
    let sim = Sim::start().await;
    let id = submitted_id(&sim).await;
    sim.inject(Route::Status, Fault::TruncatedJson, 1);
    let response = get(&sim, &format!("/v1/requests/{id}/status"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let full = response.content_length().unwrap();
    assert!(full > 10);
    assert!(
        response.bytes().await.is_err(),
        "the body must not arrive whole"
    );
    // The same with .json(): an error, never a value.
    sim.inject(Route::Status, Fault::TruncatedJson, 1);
    let response = get(&sim, &format!("/v1/requests/{id}/status"))
        .send()
        .await
        .unwrap();
    assert!(response.json::<serde_json::Value>().await.is_err());
}

#[tokio::test]
async fn counts_include_rejected_requests_and_stay_per_instance() {
    let sim = Sim::start().await;
    let other = Sim::start().await;
    other.inject(Route::Submit, Fault::Status(500), 5);
    let response = client()
        .post(format!("{}/v1/models/{LITE_I2V}", sim.base_url()))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let response = client()
        .post(format!("{}/v1/models/{LITE_I2V}", sim.base_url()))
        .bearer_auth(TOKEN)
        .json(&json!({ "prompt": 3 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(sim.count(Route::Submit), 2);
    assert_eq!(other.count(Route::Submit), 0);
    assert_eq!(other.pending_faults(Route::Submit), 5);
    assert_eq!(sim.count(Route::Cancel), 0);
}

#[tokio::test]
async fn demo_settings_fail_jobs_and_rate_limit_polls() {
    let sim = seedance_sim::Sim::start().await;
    sim.set_demo(seedance_sim::DemoSettings {
        failure_rate: 1.0,
        rate_limit_rate: 1.0,
        ..Default::default()
    });
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let image = sim.image_url(&seedance_sim::ImageSpec::new(
        seedance_sim::ImageFormat::Png,
        800,
        600,
    ));
    let submitted: serde_json::Value = http
        .post(format!(
            "{}/v1/models/bytedance/seedance-1-0/pro/image-to-video",
            sim.base_url()
        ))
        .bearer_auth(seedance_sim::TOKEN)
        .json(&serde_json::json!({ "prompt": "a fox", "first_frame_image_url": image }))
        .send()
        .await
        .expect("submit")
        .json()
        .await
        .expect("json");
    let id = submitted["request_id"].as_str().expect("id").to_owned();
    let status = format!("{}/v1/requests/{id}/status", sim.base_url());
    let limited = http
        .get(&status)
        .bearer_auth(seedance_sim::TOKEN)
        .send()
        .await
        .expect("poll");
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "1");

    sim.set_demo(seedance_sim::DemoSettings {
        failure_rate: 1.0,
        ..Default::default()
    });
    let mut last = serde_json::Value::Null;
    for _ in 0..4 {
        last = http
            .get(&status)
            .bearer_auth(seedance_sim::TOKEN)
            .send()
            .await
            .expect("poll")
            .json()
            .await
            .expect("json");
    }
    assert_eq!(last["status"], "failed", "{last}");
}

#[tokio::test]
async fn demo_job_duration_holds_jobs_running_until_it_has_passed() {
    let sim = seedance_sim::Sim::start().await;
    sim.set_timing(seedance_sim::JobTiming::immediate(
        seedance_sim::Outcome::Succeed,
    ));
    sim.set_demo(seedance_sim::DemoSettings {
        job_duration: Some(std::time::Duration::from_millis(300)),
        ..Default::default()
    });
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let image = sim.image_url(&seedance_sim::ImageSpec::new(
        seedance_sim::ImageFormat::Png,
        800,
        600,
    ));
    let submitted: serde_json::Value = http
        .post(format!(
            "{}/v1/models/bytedance/seedance-1-0/pro/image-to-video",
            sim.base_url()
        ))
        .bearer_auth(seedance_sim::TOKEN)
        .json(&serde_json::json!({ "prompt": "a fox", "first_frame_image_url": image }))
        .send()
        .await
        .expect("submit")
        .json()
        .await
        .expect("json");
    let id = submitted["request_id"].as_str().expect("id").to_owned();
    let status = format!("{}/v1/requests/{id}/status", sim.base_url());
    let poll = || async {
        http.get(&status)
            .bearer_auth(seedance_sim::TOKEN)
            .send()
            .await
            .expect("poll")
            .json::<serde_json::Value>()
            .await
            .expect("json")["status"]
            .clone()
    };
    assert_eq!(poll().await, "in_progress");
    // The one wall-clock wait of these tests: what the setting is about.
    tokio::time::sleep(std::time::Duration::from_millis(350)).await;
    assert_eq!(poll().await, "completed");
}
