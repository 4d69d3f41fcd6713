//! `/sim/admin`: what a test in another process reads and sets.

use seedance_sim::{Fault, Route, Sim, TOKEN};
use serde_json::{Value, json};

const PATH: &str = "/v1/models/bytedance/seedance-1-0/pro/image-to-video";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

#[tokio::test]
async fn submits_are_counted_per_exact_body_and_injected_429s_are_not() {
    let sim = Sim::start().await;
    let http = client();
    let image = format!("{}/sim/images/a.png?w=640&h=480", sim.base_url());
    let body = json!({"prompt": "fox", "first_frame_image_url": image}).to_string();
    sim.inject(
        Route::Submit,
        Fault::TooManyRequests {
            retry_after_secs: 1,
        },
        1,
    );
    for _ in 0..3 {
        http.post(format!("{}{PATH}", sim.base_url()))
            .bearer_auth(TOKEN)
            .body(body.clone())
            .send()
            .await
            .expect("post");
    }
    let seen: Value = http
        .get(format!("{}/sim/admin/submits", sim.base_url()))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(seen["total"], 2, "{seen}");
    assert_eq!(seen["requests"][0]["body"], body);
    assert_eq!(seen["requests"][0]["path"], PATH);
    assert_eq!(sim.submits(), [(PATH.to_owned(), body, 2)]);
    let counts: Value = http
        .get(format!("{}/sim/admin/counts", sim.base_url()))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(
        counts["submit"], 3,
        "every request reaching the route: {counts}"
    );
}

#[tokio::test]
async fn timing_and_delays_are_set_over_http() {
    let sim = Sim::start().await;
    let http = client();
    let set = |path: &str, body: Value| {
        http.post(format!("{}{path}", sim.base_url()))
            .json(&body)
            .send()
    };
    let answer = set(
        "/sim/admin/timing",
        json!({"queued_polls": 0, "running_polls": 0, "fail": "boom"}),
    )
    .await
    .expect("post");
    assert_eq!(answer.status(), 204);
    let answer = set("/sim/admin/delay", json!({"route": "video", "ms": 50}))
        .await
        .expect("post");
    assert_eq!(answer.status(), 204);
    let started = std::time::Instant::now();
    http.get(sim.video_url()).send().await.expect("video");
    assert!(started.elapsed() >= std::time::Duration::from_millis(50));
    let refused = set("/sim/admin/delay", json!({"route": "nowhere", "ms": 5}))
        .await
        .expect("post");
    assert_eq!(refused.status(), 400);
}

#[tokio::test]
async fn demo_settings_are_read_and_set_over_http() {
    let sim = Sim::start().await;
    let url = format!("{}/sim/admin/demo", sim.base_url());
    let read = || async {
        let answer = client().get(&url).send().await.expect("get");
        answer.json::<Value>().await.expect("json")
    };
    assert_eq!(read().await["job_duration_ms"], Value::Null);
    sim.set_demo(seedance_sim::DemoSettings {
        job_duration: Some(std::time::Duration::from_millis(2500)),
        failure_rate: 0.25,
        ..Default::default()
    });
    let settings = read().await;
    assert_eq!(settings["job_duration_ms"], 2500, "{settings}");
    assert_eq!(settings["failure_rate"], 0.25, "{settings}");
    // A POST changes the fields it names and keeps the others.
    let set = client().post(&url).json(&json!({"job_duration_ms": 700}));
    assert_eq!(set.send().await.expect("post").status(), 204);
    let settings = read().await;
    assert_eq!(settings["job_duration_ms"], 700, "{settings}");
    assert_eq!(settings["failure_rate"], 0.25, "{settings}");
    let bad = client().post(&url).json(&json!({"failure_rate": 2}));
    assert_eq!(bad.send().await.expect("post").status(), 400);
}
