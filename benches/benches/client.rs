//! Issue 5, bench 2: client overhead. One submit + status + result cycle of
//! RunComfy's pro image-to-video through the runtime client
//! (`seedance::runcomfy::Client`) against bare reqwest sending the same three
//! requests (same body, same bearer token) to the same simulator on loopback.
//!
//! The image is a data URI (a 1280x720 PNG header), so the runtime's image
//! check decodes it locally and sends no extra request: what is measured is
//! validation, serialization, transport, status mapping and output parsing,
//! not the prober (bench 3 measures that). Jobs answer at once
//! (`JobTiming::immediate(Succeed)`).

use criterion::{Criterion, criterion_group, criterion_main};
use seedance::runcomfy::{self, seedance_1_0_pro_image_to_video as pro};
use seedance_sim::{ImageFormat, ImageSpec, JobTiming, Outcome, Route, Sim};
use serde_json::{Value, json};
use std::time::Instant;

const MODEL_PATH: &str = "/v1/models/bytedance/seedance-1-0/pro/image-to-video";

fn input(image: &str) -> pro::Input {
    pro::Input::new(seedance_benches::fixtures::PROMPT, image)
        .resolution(pro::Resolution::P720)
        .duration(pro::DurationValue::S5)
}

async fn runtime_cycle(client: &runcomfy::Client, input: &pro::Input) -> usize {
    let job = client.submit(input).await.expect("submit");
    let status = job.status().await.expect("status");
    assert!(status.state.is_terminal());
    let output = job.result().await.expect("result");
    output.video_urls().len()
}

async fn reqwest_cycle(http: &reqwest::Client, base: &str, image: &str) -> usize {
    let body = json!({
        "prompt": seedance_benches::fixtures::PROMPT,
        "first_frame_image_url": image,
        "resolution": "720p",
        "duration": 5,
    });
    let submitted: Value = http
        .post(format!("{base}{MODEL_PATH}"))
        .bearer_auth(seedance_sim::TOKEN)
        .json(&body)
        .send()
        .await
        .expect("submit")
        .error_for_status()
        .expect("submit status")
        .json()
        .await
        .expect("submit body");
    let id = submitted["request_id"]
        .as_str()
        .expect("request_id")
        .to_owned();
    let status: Value = http
        .get(format!("{base}/v1/requests/{id}/status"))
        .bearer_auth(seedance_sim::TOKEN)
        .send()
        .await
        .expect("status")
        .error_for_status()
        .expect("status status")
        .json()
        .await
        .expect("status body");
    assert_eq!(status["status"], "completed");
    let result: Value = http
        .get(format!("{base}/v1/requests/{id}/result"))
        .bearer_auth(seedance_sim::TOKEN)
        .send()
        .await
        .expect("result")
        .error_for_status()
        .expect("result status")
        .json()
        .await
        .expect("result body");
    usize::from(result["output"]["video"].is_string())
}

fn client(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let sim = rt.block_on(Sim::start());
    sim.set_timing(JobTiming::immediate(Outcome::Succeed));
    let base = sim.base_url().to_owned();
    let image = ImageSpec::new(ImageFormat::Png, 1280, 720).data_uri();
    let input = input(&image);
    // The request budget off: this measures the runtime's own work per
    // cycle, not the 50 requests a second it allows by default.
    let client = runcomfy::Client::builder()
        .token(seedance_sim::TOKEN)
        .base_url(&base)
        .requests_per_second(f64::INFINITY)
        .build()
        .expect("client");
    let http = reqwest::Client::new();

    // Both cycles work, and each sends exactly three requests.
    rt.block_on(async {
        assert_eq!(runtime_cycle(&client, &input).await, 1);
        assert_eq!(reqwest_cycle(&http, &base, &image).await, 1);
    });
    for route in [Route::Submit, Route::Status, Route::Result] {
        assert_eq!(sim.count(route), 2, "{route:?}");
    }
    assert_eq!(sim.count(Route::Image), 0);

    interleaved(&rt, &client, &input, &http, &base, &image);

    let mut group = c.benchmark_group("client_cycle");
    group.bench_function("runtime", |b| {
        b.to_async(&rt).iter(|| runtime_cycle(&client, &input))
    });
    group.bench_function("reqwest", |b| {
        b.to_async(&rt).iter(|| reqwest_cycle(&http, &base, &image))
    });
    group.finish();
}

/// Pairs of cycles, alternating which goes first, each timed on its own:
/// both sides see the same load, which criterion's one-after-the-other
/// groups do not guarantee on a shared machine. Writes the medians and the
/// median of the per-pair ratios to `client_pairs.json`.
fn interleaved(
    rt: &tokio::runtime::Runtime,
    client: &runcomfy::Client,
    input: &pro::Input,
    http: &reqwest::Client,
    base: &str,
    image: &str,
) {
    let pairs = if std::env::args().any(|arg| arg == "--test") {
        3
    } else {
        400
    };
    let (mut ours, mut theirs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    rt.block_on(async {
        for pair in 0..pairs {
            let time_ours = || async {
                let start = Instant::now();
                runtime_cycle(client, input).await;
                start.elapsed().as_secs_f64()
            };
            let (a, b) = if pair % 2 == 0 {
                let a = time_ours().await;
                let start = Instant::now();
                reqwest_cycle(http, base, image).await;
                (a, start.elapsed().as_secs_f64())
            } else {
                let start = Instant::now();
                reqwest_cycle(http, base, image).await;
                let b = start.elapsed().as_secs_f64();
                (time_ours().await, b)
            };
            ours.push(a);
            theirs.push(b);
            ratios.push(a / b);
        }
    });
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (ours, theirs, ratio) = (median(&mut ours), median(&mut theirs), median(&mut ratios));
    println!(
        "client_cycle interleaved: {pairs} pairs, runtime {ours:.6} s, reqwest {theirs:.6} s, median pair ratio {ratio:.3}"
    );
    seedance_benches::write_extra(
        "client_pairs",
        &json!({ "pairs": pairs, "runtime_secs": ours, "reqwest_secs": theirs, "ratio": ratio }),
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(5));
    targets = client
}
criterion_main!(benches);
