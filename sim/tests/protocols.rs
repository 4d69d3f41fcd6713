//! Submit -> poll -> result per vendor, bearer checks, unknown models and
//! the cancel rules, through plain reqwest.

mod common;

use common::*;
use seedance_sim::{ImageFormat, ImageSpec, JobTiming, Outcome, Sim};
use serde_json::{Value, json};

fn image(sim: &Sim) -> String {
    sim.image_url(&ImageSpec::new(ImageFormat::Png, 800, 600))
}

async fn runcomfy_submit(sim: &Sim) -> String {
    let body = json!({ "prompt": "a cat", "first_frame_image_url": image(sim) });
    let (status, body) = json(
        post(sim, &format!("/v1/models/{LITE_I2V}"), &body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = body["request_id"].as_str().unwrap().to_owned();
    for key in ["status_url", "result_url", "cancel_url"] {
        assert!(body[key].as_str().unwrap().contains(&id), "{body}");
    }
    id
}

async fn runcomfy_status(sim: &Sim, id: &str) -> Value {
    let (status, body) = json(
        get(sim, &format!("/v1/requests/{id}/status"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn runcomfy_job_runs_to_success() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming {
        queued_polls: 2,
        running_polls: 1,
        outcome: Outcome::Succeed,
    });
    let id = runcomfy_submit(&sim).await;
    let first = runcomfy_status(&sim, &id).await;
    assert_eq!(
        (first["status"].as_str(), first["queue_position"].as_u64()),
        (Some("in_queue"), Some(1))
    );
    // The result route also polls, and answers the current state.
    let (code, early) = json(
        get(&sim, &format!("/v1/requests/{id}/result"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((code, early["status"].as_str()), (200, Some("in_queue")));
    assert_eq!(early["request_id"], json!(id));
    assert!(early.get("output").is_none());
    let running = runcomfy_status(&sim, &id).await;
    assert_eq!(running["status"], "in_progress");
    assert!(running.get("queue_position").is_none());
    assert_eq!(runcomfy_status(&sim, &id).await["status"], "completed");
    let (_, result) = json(
        get(&sim, &format!("/v1/requests/{id}/result"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(result["status"], "succeeded");
    assert_eq!(result["output"]["video"], json!(sim.video_url()));
    assert!(result["finished_at"].is_string() && result["created_at"].is_string());

    let video = client().get(sim.video_url()).send().await.unwrap();
    assert_eq!(video.headers()["content-type"], "video/mp4");
    assert_eq!(video.content_length(), Some(seedance_sim::VIDEO_LEN as u64));
    assert_eq!(video.bytes().await.unwrap().len(), seedance_sim::VIDEO_LEN);
}

#[tokio::test]
async fn runcomfy_failure_and_unknown_ids() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming::immediate(Outcome::Fail {
        message: "GPU on fire".into(),
    }));
    let id = runcomfy_submit(&sim).await;
    assert_eq!(runcomfy_status(&sim, &id).await["status"], "failed");
    let (_, result) = json(
        get(&sim, &format!("/v1/requests/{id}/result"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (result["status"].as_str(), result["error"].as_str()),
        (Some("failed"), Some("GPU on fire"))
    );
    let (code, body) = json(get(&sim, "/v1/requests/nope/status").send().await.unwrap()).await;
    assert_eq!((code, body["error_code"].as_u64()), (404, Some(404_001)));
}

#[tokio::test]
async fn runcomfy_cancel_rules() {
    let sim = Sim::start().await;
    let cancel = |id: String| {
        let request = post(&sim, &format!("/v1/requests/{id}/cancel"), &json!({}));
        async move { json(request.send().await.unwrap()).await }
    };
    // Queued: cancelled.
    sim.set_timing(JobTiming::queued_forever());
    let queued = runcomfy_submit(&sim).await;
    let (code, body) = cancel(queued.clone()).await;
    assert_eq!(
        (code, body["outcome"].as_str(), body["status"].as_str()),
        (202, Some("cancelled"), Some("cancelled"))
    );
    assert_eq!(runcomfy_status(&sim, &queued).await["status"], "cancelled");
    // Running: 202 not_cancellable, and the job goes on.
    sim.set_timing(JobTiming::running_forever());
    let running = runcomfy_submit(&sim).await;
    let (code, body) = cancel(running.clone()).await;
    assert_eq!(
        (code, body["outcome"].as_str()),
        (202, Some("not_cancellable"))
    );
    assert_eq!(
        runcomfy_status(&sim, &running).await["status"],
        "in_progress"
    );
    // Terminal: no-op.
    sim.set_timing(JobTiming::immediate(Outcome::Succeed));
    let done = runcomfy_submit(&sim).await;
    assert_eq!(runcomfy_status(&sim, &done).await["status"], "completed");
    let (code, body) = cancel(done.clone()).await;
    assert_eq!(
        (code, body["outcome"].as_str(), body["status"].as_str()),
        (202, Some("not_cancellable"), Some("completed"))
    );
    let (_, result) = json(
        get(&sim, &format!("/v1/requests/{done}/result"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(result["status"], "succeeded");
}

#[tokio::test]
async fn aimlapi_job_runs_to_success_and_failure() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming {
        queued_polls: 1,
        running_polls: 2,
        outcome: Outcome::Succeed,
    });
    let body =
        json!({ "model": AIML_MODEL, "prompt": "a cat", "image_url": image(&sim), "duration": 5 });
    let (code, submitted) = json(post(&sim, AIML_PATH, &body).send().await.unwrap()).await;
    assert_eq!(
        (code, submitted["status"].as_str()),
        (200, Some("queued")),
        "{submitted}"
    );
    let id = submitted["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("cgt-"));
    let mut seen = Vec::new();
    for _ in 0..5 {
        let (_, polled) = json(
            get(&sim, &format!("{AIML_PATH}?generation_id={id}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        seen.push(polled["status"].as_str().unwrap().to_owned());
        if polled["status"] == "completed" {
            assert_eq!(polled["video"]["url"], json!(sim.video_url()));
        } else {
            assert!(polled["video"].is_null());
        }
    }
    assert_eq!(
        seen,
        [
            "queued",
            "generating",
            "generating",
            "completed",
            "completed"
        ]
    );
    // The legacy path reaches the same job.
    let (_, polled) = json(
        get(&sim, &format!("{AIML_LEGACY_PATH}?generation_id={id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(polled["status"], "completed");

    sim.set_timing(JobTiming::immediate(Outcome::Fail {
        message: "bad luck".into(),
    }));
    // The legacy path still takes submits (answering 201, as it did).
    let (code, submitted) = json(post(&sim, AIML_LEGACY_PATH, &body).send().await.unwrap()).await;
    assert_eq!(code, 201);
    let id = submitted["id"].as_str().unwrap();
    let (_, polled) = json(
        get(&sim, &format!("{AIML_PATH}?generation_id={id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (
            polled["status"].as_str(),
            polled["error"]["message"].as_str()
        ),
        (Some("error"), Some("bad luck"))
    );

    // No cancel endpoint; unknown ids are 404 in the vendor's shape.
    let (code, body) = json(
        post(&sim, &format!("{AIML_PATH}/{id}/cancel"), &json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((code, body["statusCode"].as_str()), (404, Some("404")));
    let (code, body) = json(
        get(&sim, &format!("{AIML_PATH}?generation_id=cgt-nope"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((code, body["statusCode"].as_str()), (404, Some("404")));
}

#[tokio::test]
async fn wavespeed_job_runs_to_success_and_failure() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming {
        queued_polls: 1,
        running_polls: 1,
        outcome: Outcome::Succeed,
    });
    let body = json!({ "prompt": "a cat", "reference_images": [image(&sim)], "duration": 5 });
    let (code, submitted) = json(
        post(
            &sim,
            &format!("/api/v3/{WS_MODEL}?webhook=http://127.0.0.1:9/x"),
            &body,
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (
            code,
            submitted["code"].as_u64(),
            submitted["message"].as_str()
        ),
        (200, Some(200), Some("success")),
        "{submitted}"
    );
    let data = &submitted["data"];
    assert_eq!(
        (data["status"].as_str(), data["model"].as_str()),
        (Some("created"), Some(WS_MODEL))
    );
    let id = data["id"].as_str().unwrap().to_owned();
    let get_url = data["urls"]["get"].as_str().unwrap().to_owned();
    assert!(get_url.ends_with(&format!("/api/v3/predictions/{id}/result")));
    let mut seen = Vec::new();
    for _ in 0..3 {
        let (code, polled) = json(
            client()
                .get(&get_url)
                .bearer_auth(seedance_sim::TOKEN)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(code, 200);
        seen.push(polled["data"]["status"].as_str().unwrap().to_owned());
        if seen.last().unwrap() == "completed" {
            assert_eq!(polled["data"]["outputs"], json!([sim.video_url()]));
        } else {
            assert_eq!(polled["data"]["outputs"], json!([]));
        }
    }
    assert_eq!(seen, ["created", "processing", "completed"]);

    sim.set_timing(JobTiming::immediate(Outcome::Fail {
        message: "moderation".into(),
    }));
    let (_, submitted) = json(
        post(&sim, &format!("/api/v3/{WS_MODEL}"), &body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let id = submitted["data"]["id"].as_str().unwrap();
    let (code, polled) = json(
        get(&sim, &format!("/api/v3/predictions/{id}/result"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((code, polled["code"].as_u64()), (200, Some(200)));
    assert_eq!(
        (
            polled["data"]["status"].as_str(),
            polled["data"]["error"].as_str()
        ),
        (Some("failed"), Some("moderation"))
    );
    let (code, body) = json(
        get(&sim, "/api/v3/predictions/nope/result")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((code, body["code"].as_u64()), (404, Some(404)));
}

#[tokio::test]
async fn bad_or_missing_tokens_get_vendor_shaped_401() {
    let sim = Sim::start().await;
    let requests = [
        client()
            .post(format!("{}/v1/models/{LITE_I2V}", sim.base_url()))
            .bearer_auth("wrong")
            .json(&json!({})),
        client().get(format!("{}/v1/requests/x/status", sim.base_url())),
        client()
            .post(format!("{}{AIML_PATH}", sim.base_url()))
            .bearer_auth("wrong")
            .json(&json!({})),
        client().get(format!("{}{AIML_PATH}?generation_id=x", sim.base_url())),
        client()
            .post(format!("{}/api/v3/{WS_MODEL}", sim.base_url()))
            .bearer_auth("wrong")
            .json(&json!({})),
        client().get(format!("{}/api/v3/predictions/x/result", sim.base_url())),
    ];
    let mut bodies = Vec::new();
    for request in requests {
        let (code, body) = json(request.send().await.unwrap()).await;
        assert_eq!(code, 401, "{body}");
        bodies.push(body);
    }
    for body in &bodies[0..2] {
        assert_eq!(body["error_code"], 400_004);
        assert!(body["error_message"].is_string());
    }
    for body in &bodies[2..4] {
        assert_eq!(body["statusCode"], "401");
        for key in ["message", "path", "requestId", "timestamp"] {
            assert!(body[key].is_string(), "{key} in {body}");
        }
    }
    for body in &bodies[4..6] {
        assert_eq!(body["code"], 401);
        assert!(body["message"].is_string());
    }
    assert_eq!(sim.count(seedance_sim::Route::Submit), 3);
}

#[tokio::test]
async fn unknown_models_get_vendor_shaped_404() {
    let sim = Sim::start().await;
    let (code, body) = json(
        post(&sim, "/v1/models/bytedance/nope", &json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((code, body["error_code"].as_u64()), (404, Some(404_001)));
    let (code, body) = json(
        post(&sim, AIML_PATH, &json!({ "model": "nope", "prompt": "x" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((code, body["statusCode"].as_str()), (404, Some("404")));
    let (code, body) = json(
        post(&sim, "/api/v3/bytedance/nope", &json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((code, body["code"].as_u64()), (404, Some(404)));
}

#[tokio::test]
async fn invalid_inputs_get_vendor_shaped_validation_errors() {
    let sim = Sim::start().await;
    let too_many: Vec<String> = (0..5).map(|_| image(&sim)).collect();
    let (code, body) = json(
        post(
            &sim,
            &format!("/v1/models/{LITE_R2V}"),
            &json!({ "text": "x", "images": too_many }),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (code, body["error_code"].as_u64()),
        (422, Some(422_001)),
        "{body}"
    );
    assert_eq!(body["detail"][0]["loc"], json!(["body", "images"]));
    assert_eq!(body["detail"][0]["type"], "maxItems");
    assert!(body["detail"][0]["msg"].is_string());

    let small = sim.image_url(&ImageSpec::new(ImageFormat::Jpeg, 300, 600));
    let (code, body) = json(post(&sim, &format!("/v1/models/{LITE_I2V}"), &json!({ "prompt": "x", "first_frame_image_url": image(&sim), "last_frame_image_url": small })).send().await.unwrap()).await;
    assert_eq!(code, 422, "{body}");
    assert_eq!(
        body["detail"][0]["loc"],
        json!(["body", "last_frame_image_url"])
    );
    assert_eq!(body["detail"][0]["type"], "width_pixels>");
    assert_eq!(
        body["detail"][0]["msg"],
        "The uploaded image width and height must not be less than 300 pixels."
    );

    let (code, body) = json(
        post(
            &sim,
            AIML_PATH,
            &json!({ "model": AIML_MODEL, "prompt": "x", "image_url": image(&sim), "duration": 7 }),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (code, body["statusCode"].as_str()),
        (400, Some("400")),
        "{body}"
    );
    assert!(body["message"].as_str().unwrap().contains("duration"));

    let (code, body) = json(
        post(
            &sim,
            &format!("/api/v3/{WS_MODEL}"),
            &json!({ "prompt": "x", "reference_images": [], "seed": -2 }),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!((code, body["code"].as_u64()), (400, Some(400)), "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("reference_images") && message.contains("seed"),
        "{message}"
    );
}
