//! The catalog at run time, against the simulator's catalog endpoints: a
//! model added to the simulator's catalog (not compiled in anywhere) is
//! loaded, checked with the compiled rules' violations, submitted and
//! followed to the video; a second load is served from the disk cache
//! without a request; an expired one is revalidated (304). Faults: an
//! unreachable catalog (stale cache used, or an error naming vendor and
//! URL), a model the catalog does not list, a huge or non-JSON answer,
//! ids that would escape their URL; nothing is ever submitted for them.

mod common;

use std::time::Duration;

use common::raw::{Raw, Script};
use common::{AimlApi, RunComfy, WaveSpeed};
use seedance_runtime::catalog::{Catalog, CatalogError, Freshness};
use seedance_runtime::{Connection, ErasedModel, Rule, SubmitOptions, Vendor, VendorInfo};
use seedance_sim::{Route, Sim};
use serde_json::{Value, json};

const NEW_WS: &str = "bytedance/seedance-v2.0/text-to-video";

fn schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "prompt": { "type": "string", "minLength": 1 },
            "duration": { "type": "integer", "minimum": 2, "maximum": 12, "default": 5 },
            "aspect_ratio": { "type": "string", "enum": ["16:9", "9:16"] }
        },
        "required": ["prompt"],
        "x-order-properties": ["prompt", "duration", "aspect_ratio"]
    })
}

fn connect(vendor: &VendorInfo, base: &str) -> Connection {
    Connection::builder(vendor)
        .base_url(base)
        .token(seedance_sim::TOKEN)
        .poll_interval(Duration::from_millis(1))
        .build()
        .expect("connection")
}

fn cache() -> tempfile::TempDir {
    tempfile::tempdir().expect("cache dir")
}

#[tokio::test]
async fn a_wavespeed_model_added_at_run_time_runs_to_the_video_then_comes_from_the_cache() {
    let sim = Sim::start().await;
    sim.catalog()
        .set_schema(seedance_sim::Vendor::WaveSpeed, NEW_WS, schema())
        .expect("added");
    let conn = connect(&WaveSpeed::INFO, sim.base_url());
    let dir = cache();
    let catalog = Catalog::new().with_cache_dir(Some(dir.path().to_owned()));

    let model = catalog
        .load(&conn, &WaveSpeed::INFO, NEW_WS)
        .await
        .expect("load");
    assert_eq!(model.origin().freshness, Freshness::Fetched);
    assert_eq!(sim.count(Route::Catalog), 1);
    assert_eq!(model.model(), NEW_WS);

    // Checked as a compiled model checks: every violation, nothing sent.
    let bad = model
        .input(json!({"prompt": "", "duration": 99}))
        .expect("typed");
    let violations = bad.validate().expect_err("refused").violations;
    let rules: Vec<_> = violations
        .iter()
        .map(|v| (v.field.as_str(), v.rule))
        .collect();
    assert_eq!(
        rules,
        [("prompt", Rule::MinLength), ("duration", Rule::Maximum)]
    );
    let err = conn
        .submit_erased(&bad, SubmitOptions::default())
        .await
        .expect_err("not sent");
    assert!(err.to_string().contains("duration"), "{err}");
    assert!(model.input(json!({"prompt": "x", "colour": 1})).is_err());
    assert!(model.input(json!({"duration": 5})).is_err());
    assert_eq!(sim.count(Route::Submit), 0);

    let input = model
        .input(json!({"prompt": "a cat", "duration": 6}))
        .expect("typed");
    let job = conn
        .submit_erased(&input, SubmitOptions::default())
        .await
        .expect("submit");
    let output = job.wait().await.expect("wait");
    let file = dir.path().join("out.mp4");
    output.download(&file).await.expect("download");
    assert_eq!(
        std::fs::read(&file).expect("video"),
        seedance_sim::video_bytes()
    );
    assert_eq!(sim.count(Route::Submit), 1);

    // A second process: the disk cache answers, no request.
    let again = Catalog::new().with_cache_dir(Some(dir.path().to_owned()));
    let model = again
        .load(&conn, &WaveSpeed::INFO, NEW_WS)
        .await
        .expect("cached");
    assert_eq!(model.origin().freshness, Freshness::Cached);
    assert!(
        model.origin().describe().contains("cached"),
        "{}",
        model.origin().describe()
    );
    assert_eq!(sim.count(Route::Catalog), 1);

    // Past its time to live: revalidated with If-None-Match, unchanged.
    let expired = again.with_ttl(Duration::ZERO);
    let model = expired
        .load(&conn, &WaveSpeed::INFO, NEW_WS)
        .await
        .expect("revalidated");
    assert_eq!(model.origin().freshness, Freshness::Fetched);
    assert_eq!(sim.count(Route::Catalog), 2);
}

/// The WaveSpeed catalog answer listing `NEW_WS` with [`schema`].
fn wavespeed_catalog() -> Vec<u8> {
    serde_json::to_vec(&json!({"code": 200, "message": "ok", "data": [{
        "model_id": NEW_WS,
        "api_schema": {"api_schemas": [{"type": "model_run", "request_schema": schema()}]}
    }]}))
    .expect("json")
}

#[tokio::test]
async fn an_expired_copy_is_revalidated_by_its_etag_and_a_304_keeps_it() {
    let dir = cache();
    let catalog = Catalog::new()
        .with_cache_dir(Some(dir.path().to_owned()))
        .with_ttl(Duration::ZERO);
    let tagged = Raw::start(Script::Answer {
        status: 200,
        headers: vec![("etag", "\"v1\"".to_owned())],
        body: wavespeed_catalog(),
    })
    .await;
    let base = tagged.url("");
    let conn = connect(&WaveSpeed::INFO, &base);
    catalog
        .load(&conn, &WaveSpeed::INFO, NEW_WS)
        .await
        .expect("first");
    let addr = base.trim_start_matches("http://").to_owned();
    drop(tagged);
    tokio::time::sleep(Duration::from_millis(50)).await;
    // Only a 304 now: the schema can only come from the copy its ETag named.
    let unchanged = Raw::start_at(
        &addr,
        Script::Answer {
            status: 304,
            headers: vec![("etag", "\"v1\"".to_owned())],
            body: Vec::new(),
        },
    )
    .await;
    let model = catalog
        .load(&conn, &WaveSpeed::INFO, NEW_WS)
        .await
        .expect("revalidated");
    assert_eq!(model.origin().freshness, Freshness::Fetched);
    assert_eq!(unchanged.requests(), 1);
    assert!(model.input(json!({"prompt": "x"})).is_ok());
}

#[tokio::test]
async fn runcomfy_and_aimlapi_models_load_from_their_catalogs() {
    let sim = Sim::start().await;
    let dir = cache();
    let catalog = Catalog::new().with_cache_dir(Some(dir.path().to_owned()));
    let rc = connect(&RunComfy::INFO, sim.base_url());
    let model = catalog
        .load(
            &rc,
            &RunComfy::INFO,
            "bytedance/seedance-1-0/pro/image-to-video",
        )
        .await
        .expect("runcomfy");
    let input = model.input(json!({"prompt": "x"})).map(|i| i.submit_path());
    assert!(
        model
            .fields()
            .iter()
            .any(|f| f.wire == "first_frame_image_url" && f.is_image())
    );
    assert!(input.is_err(), "first_frame_image_url is required");

    let aiml = connect(&AimlApi::INFO, sim.base_url());
    let model = catalog
        .load(&aiml, &AimlApi::INFO, "bytedance/seedance-1-0-lite-t2v")
        .await
        .expect("aimlapi");
    let input = model
        .input(json!({"model": "bytedance/seedance-1-0-lite-t2v", "prompt": "x"}))
        .expect("typed");
    assert_eq!(input.submit_path(), "/v2/video/generations");
    let missing = catalog
        .load(&aiml, &AimlApi::INFO, "bytedance/no-such-model")
        .await;
    assert!(
        matches!(missing, Err(CatalogError::NotListed { .. })),
        "{missing:?}"
    );
}

#[tokio::test]
async fn an_unreachable_catalog_uses_the_stale_copy_or_names_vendor_and_url() {
    let sim = Sim::start().await;
    sim.catalog()
        .set_schema(seedance_sim::Vendor::WaveSpeed, NEW_WS, schema())
        .expect("added");
    let dir = cache();
    let catalog = Catalog::new()
        .with_cache_dir(Some(dir.path().to_owned()))
        .with_ttl(Duration::ZERO);
    let conn = connect(&WaveSpeed::INFO, sim.base_url());
    catalog
        .load(&conn, &WaveSpeed::INFO, NEW_WS)
        .await
        .expect("fetched");

    // The same URLs on a port nobody listens on.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}", listener.local_addr().expect("addr"))
    };
    let gone = connect(&WaveSpeed::INFO, &closed);
    let none = Catalog::new()
        .with_cache_dir(Some(cache().path().to_owned()))
        .load(&gone, &WaveSpeed::INFO, NEW_WS)
        .await
        .expect_err("nothing cached");
    let text = none.to_string();
    assert!(
        text.contains("WaveSpeed AI") && text.contains(&closed),
        "{text}"
    );

    let stale_dir = cache();
    let stale = Catalog::new()
        .with_cache_dir(Some(stale_dir.path().to_owned()))
        .with_ttl(Duration::ZERO);
    let slow = Raw::start(Script::Answer {
        status: 200,
        headers: Vec::new(),
        body: wavespeed_catalog(),
    })
    .await;
    let raw_conn = connect(&WaveSpeed::INFO, &slow.url(""));
    stale
        .load(&raw_conn, &WaveSpeed::INFO, NEW_WS)
        .await
        .expect("first");
    drop(slow);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let model = stale
        .load(&raw_conn, &WaveSpeed::INFO, NEW_WS)
        .await
        .expect("stale copy");
    assert!(matches!(model.origin().freshness, Freshness::Stale(_)));
    let said = model.origin().describe();
    assert!(said.contains("could not be reached"), "{said}");
    assert!(!said.contains("no copy is cached"), "{said}");
    assert_eq!(sim.count(Route::Submit), 0);
}

#[tokio::test]
async fn a_runcomfy_listing_longer_than_a_page_is_read_to_its_end() {
    let sim = Sim::start().await;
    let added: Vec<String> = (0..1005)
        .map(|i| format!("bytedance/seedance-test/model-{i:04}"))
        .collect();
    for model in &added {
        sim.catalog()
            .set_schema(seedance_sim::Vendor::RunComfy, model, schema())
            .expect("added");
    }
    let conn = connect(&RunComfy::INFO, sim.base_url());
    let dir = cache();
    let catalog = Catalog::new().with_cache_dir(Some(dir.path().to_owned()));

    let (ids, origin) = catalog.list(&conn, &RunComfy::INFO).await.expect("list");
    assert!(
        added.iter().all(|m| ids.contains(m)),
        "{} listed",
        ids.len()
    );
    assert!(
        ids.iter()
            .any(|m| m == "bytedance/seedance-1-0/pro/image-to-video")
    );
    assert!(origin.url.ends_with("offset=0"), "{}", origin.url);
    // Two pages of 1,000, counted by the simulator.
    assert_eq!(sim.count(Route::Catalog), 2);
}

#[tokio::test]
async fn bad_answers_and_bad_ids_are_refused_without_a_panic() {
    let dir = cache();
    let catalog = Catalog::new().with_cache_dir(Some(dir.path().to_owned()));
    for body in [
        b"<html>oops</html>".to_vec(),
        "[".repeat(100_000).into_bytes(),
    ] {
        let raw = Raw::start(Script::Answer {
            status: 200,
            headers: Vec::new(),
            body,
        })
        .await;
        let conn = connect(&WaveSpeed::INFO, &raw.url(""));
        let err = catalog
            .load(&conn, &WaveSpeed::INFO, NEW_WS)
            .await
            .expect_err("refused");
        assert!(matches!(err, CatalogError::Malformed { .. }), "{err}");
    }
    let huge = Raw::start(Script::Flood {
        status: 200,
        len: 1 << 40,
    })
    .await;
    let conn = connect(&WaveSpeed::INFO, &huge.url(""));
    let err = catalog
        .load(&conn, &WaveSpeed::INFO, NEW_WS)
        .await
        .expect_err("capped");
    assert!(err.to_string().contains("larger than"), "{err}");
    assert!(huge.written() < 64 << 20, "read {} bytes", huge.written());
    // No length announced: the cap holds while reading.
    let unsized_flood = Raw::start(Script::Unsized { len: 1 << 40 }).await;
    let conn = connect(&WaveSpeed::INFO, &unsized_flood.url(""));
    let err = catalog
        .load(&conn, &WaveSpeed::INFO, NEW_WS)
        .await
        .expect_err("capped");
    assert!(err.to_string().contains("larger than"), "{err}");
    assert!(
        unsized_flood.written() < 64 << 20,
        "read {} bytes",
        unsized_flood.written()
    );

    let raw = Raw::start(Script::Answer {
        status: 200,
        headers: Vec::new(),
        body: b"{}".to_vec(),
    })
    .await;
    let conn = connect(&RunComfy::INFO, &raw.url(""));
    for id in [
        "../etc/passwd",
        "a/%2e%2e/b",
        "a?b=1",
        "/abs",
        "a//b",
        "a#b",
    ] {
        let err = catalog
            .load(&conn, &RunComfy::INFO, id)
            .await
            .expect_err(id);
        assert!(
            matches!(err, CatalogError::BadModelId { .. }),
            "{id}: {err}"
        );
    }
    assert_eq!(raw.requests(), 0, "no request for a refused id");
}
