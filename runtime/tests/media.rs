//! Local images made into what each vendor takes, against the simulator:
//! WaveSpeed's media upload, the AI/ML API's data URI, RunComfy's refusal.

use seedance_runtime::media::{ImageSource, MediaError, MediaOptions};
use seedance_runtime::{Connection, Protocol, VendorInfo};
use seedance_sim::{ImageFormat, ImageSpec, Route, Sim};

fn vendor(protocol: Protocol) -> VendorInfo {
    VendorInfo {
        name: protocol.variant_name(),
        id: protocol.as_str(),
        protocol,
        base_url: "http://127.0.0.1:9",
        token_env: "SEEDANCE_TEST_TOKEN",
    }
}

fn conn_with(sim: &Sim, protocol: Protocol, token: &str) -> Connection {
    Connection::builder(&vendor(protocol))
        .base_url(sim.base_url())
        .token(token)
        .build()
        .expect("connection")
}

fn conn(sim: &Sim, protocol: Protocol) -> Connection {
    conn_with(sim, protocol, seedance_sim::TOKEN)
}

#[tokio::test]
async fn wavespeed_uploads_and_the_url_serves_the_same_bytes() {
    let sim = Sim::start().await;
    let png = ImageSpec::new(ImageFormat::Png, 800, 600).bytes();
    let url = conn(&sim, Protocol::WaveSpeed)
        .image_reference(ImageSource::bytes(png.clone()), MediaOptions::default())
        .await
        .expect("uploaded");
    assert!(
        url.starts_with(&format!("{}/sim/uploads/", sim.base_url())),
        "{url}"
    );
    assert_eq!(sim.count(Route::Upload), 1);
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let served = http
        .get(&url)
        .send()
        .await
        .expect("get")
        .bytes()
        .await
        .expect("body");
    assert_eq!(served.to_vec(), png);
}

#[tokio::test]
async fn a_bad_token_fails_the_upload_with_the_vendors_answer() {
    let sim = Sim::start().await;
    let conn = conn_with(&sim, Protocol::WaveSpeed, "wrong");
    let png = ImageSpec::new(ImageFormat::Png, 800, 600).bytes();
    let err = conn
        .image_reference(ImageSource::bytes(png), MediaOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, MediaError::Upload { .. }), "{err}");
    assert!(err.to_string().contains("HTTP 401"), "{err}");
}

#[tokio::test]
async fn aimlapi_gets_a_data_uri_and_runcomfy_a_refusal_without_opt_in() {
    let sim = Sim::start().await;
    let dir = tempfile_dir();
    let path = dir.join("photo.png");
    std::fs::write(&path, ImageSpec::new(ImageFormat::Png, 800, 600).bytes()).expect("write");
    let uri = conn(&sim, Protocol::AimlApi)
        .image_reference(ImageSource::path(&path), MediaOptions::default())
        .await
        .expect("data uri");
    assert!(uri.starts_with("data:image/png;base64,iVBOR"), "{uri}");
    let err = conn(&sim, Protocol::RunComfy)
        .image_reference(ImageSource::path(&path), MediaOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            MediaError::UrlOnly {
                vendor: "RunComfy",
                ..
            }
        ),
        "{err}"
    );
    // A URL is passed through untouched, for every vendor.
    let url = conn(&sim, Protocol::RunComfy)
        .image_reference(
            ImageSource::url("https://example.com/a.png"),
            MediaOptions::default(),
        )
        .await
        .expect("url");
    assert_eq!(url, "https://example.com/a.png");
    assert_eq!(sim.count(Route::Upload), 0);
    let _ = std::fs::remove_dir_all(dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("seedance-media-{}", fastrand_id()));
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

fn fastrand_id() -> String {
    format!("{}-{:?}", std::process::id(), std::thread::current().id())
        .replace(|c: char| !c.is_ascii_alphanumeric(), "")
}
