//! Issue 5, bench 3: the image rule check. A 25 MB image served by the
//! simulator (with Range support) is checked by the runtime `Prober` against
//! the alternative: download it whole with reqwest and read its header with
//! `imagesize`.
//!
//! Images (all 25,000,000 bytes, 1920x1080):
//! - `png`, `webp`: header in the first bytes;
//! - `jpeg_exif`: an ordinary JPEG, 16 KB of EXIF before the frame header;
//! - `jpeg_large_exif`: 300 KB of APP1 metadata (in five segments) before
//!   the frame header, past the first 64 KiB read, so the prober follows the
//!   segment chain with bounded 4 KiB Range reads.
//!
//! Bytes read and requests (from `ProbeReport`/`ImageProbe` and from the
//! download) go to `target/seedance-benches/image_probe.json`.

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use seedance::runtime::{ProbeConfig, Prober};
use seedance_sim::{ImageFormat, ImageSpec, Route, Sim};
use serde_json::json;

const FILE_SIZE: u64 = 25_000_000;

fn images() -> Vec<(&'static str, ImageSpec)> {
    let spec = |format| ImageSpec::new(format, 1920, 1080).file_size(FILE_SIZE);
    vec![
        ("png", spec(ImageFormat::Png)),
        ("webp", spec(ImageFormat::Webp)),
        ("jpeg_exif", spec(ImageFormat::Jpeg).metadata(16_000)),
        ("jpeg_large_exif", spec(ImageFormat::Jpeg).metadata(300_000)),
    ]
}

/// Downloads the whole file and reads its header: (width, height, bytes).
async fn download(http: &reqwest::Client, url: &str) -> (usize, usize, u64) {
    let body = http
        .get(url)
        .send()
        .await
        .expect("download")
        .error_for_status()
        .expect("download status")
        .bytes()
        .await
        .expect("download body");
    let size = imagesize::blob_size(&body).expect("image header");
    (size.width, size.height, body.len() as u64)
}

fn image_probe(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let sim = rt.block_on(Sim::start());
    let http = reqwest::Client::new();
    let prober =
        Prober::new(ProbeConfig::default().allow_private_addresses(true)).expect("a prober");

    let mut figures = Vec::new();
    let mut group = c.benchmark_group("image_probe");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    for (name, spec) in images() {
        let url = sim.image_url(&spec);
        // Correctness and cost, measured once outside the timing loop.
        let before = sim.count(Route::Image);
        let probe = rt.block_on(prober.probe(&url));
        let probe_requests_seen = sim.count(Route::Image) - before;
        let facts = probe.facts.as_ref().expect("prober reads the header");
        assert_eq!((facts.width, facts.height), (1920, 1080), "{name}");
        assert_eq!(facts.file_size, Some(FILE_SIZE), "{name}");
        let (w, h, downloaded) = rt.block_on(download(&http, &url));
        assert_eq!((w, h, downloaded), (1920, 1080, FILE_SIZE), "{name}");
        figures.push(json!({
            "image": name,
            "format": spec.format.extension(),
            "file_size": FILE_SIZE,
            "metadata": spec.metadata,
            "probe_bytes_read": probe.bytes_read,
            "probe_requests": probe.requests,
            "probe_requests_seen_by_server": probe_requests_seen,
            "download_bytes_read": downloaded,
            "download_requests": 1,
        }));

        group.bench_function(format!("{name}/prober"), |b| {
            b.to_async(&rt).iter(|| prober.probe(&url))
        });
        group.bench_function(format!("{name}/download"), |b| {
            b.to_async(&rt).iter(|| download(&http, &url))
        });
    }
    group.finish();
    seedance_benches::write_extra("image_probe", &json!({ "images": figures }));
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(4));
    targets = image_probe
}
criterion_main!(benches);
