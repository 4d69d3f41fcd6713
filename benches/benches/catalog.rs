//! The run-time catalog (issue 20): the interpreted check of a model that
//! is not compiled in, against the compiled `validate()` of the same model
//! on the same input (target: within 3x); and loading a catalog schema
//! from the disk cache (target: under 1 ms), with the one-time conversion
//! a new process pays beside it.
//!
//! `cargo bench -p seedance-benches --bench catalog`

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use seedance_benches::fixtures::cases;
use seedance_benches::interpreted::{self, ir_of};
use seedance_runtime::Connection;
use seedance_runtime::catalog::Catalog;
use seedance_runtime::interpret::{self, Checks};
use serde_json::Value;

fn interpreted_against_compiled(c: &mut Criterion) {
    let corpus = interpreted::corpus();
    let mut group = c.benchmark_group("catalog_check");
    for case in cases() {
        let name = case.model;
        let info = seedance::catalog::find(name).expect("compiled");
        let model = ir_of(&corpus, name);
        // Made once when a catalog schema is loaded, as `Catalog::load` does.
        let checks = Checks::new(&model);
        let value: Value = serde_json::from_str(&case.valid_json).expect("valid JSON");
        let typed = (info.parse)(value.clone()).expect("valid input");
        assert!(typed.validate().is_ok() && checks.validate(&value).is_ok());
        group.bench_function(format!("{}/compiled_validate", case.id), |b| {
            b.iter(|| black_box(typed.validate()))
        });
        group.bench_function(format!("{}/interpreted_validate", case.id), |b| {
            b.iter(|| black_box(checks.validate(black_box(&value))))
        });
        // From a JSON value, as a command line or a batch line has it.
        group.bench_function(format!("{}/compiled_parse_validate", case.id), |b| {
            b.iter(|| {
                let typed = (info.parse)(black_box(&value).clone()).expect("parses");
                black_box(typed.validate())
            })
        });
        group.bench_function(format!("{}/interpreted_parse_validate", case.id), |b| {
            b.iter(|| {
                let value = black_box(&value).clone();
                interpret::parse(&model, &value).expect("parses");
                black_box(checks.validate(&value))
            })
        });
    }
    group.finish();
}

fn cached_load(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let sim = rt.block_on(seedance_sim::Sim::start());
    let name = "runcomfy/bytedance/seedance-1-0/lite/image-to-video";
    let vendor = seedance::catalog::find(name).expect("compiled").vendor;
    let (_, model) = name.split_once('/').expect("vendor/model");
    let conn = rt.block_on(async {
        Connection::builder(vendor)
            .base_url(sim.base_url())
            .token(seedance_sim::TOKEN)
            .build()
            .expect("connection")
    });
    let dir = std::env::temp_dir().join(format!("seedance-bench-cache-{}", std::process::id()));
    let catalog = Catalog::new().with_cache_dir(Some(dir.clone()));
    let loaded = rt
        .block_on(catalog.load(&conn, vendor, model))
        .expect("first load");
    let text = serde_json::to_string(loaded.published()).expect("schema text");
    let mut group = c.benchmark_group("catalog_load");
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("runcomfy_lite_i2v/from_disk_cache", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(catalog.load(&conn, vendor, model).await.expect("cached")) })
    });
    group.bench_function("runcomfy_lite_i2v/convert_once", |b| {
        b.iter(|| {
            let file = seedance_converter::load::parse_text(Path::new("schema.json"), &text)
                .expect("parses");
            let mut warnings = Vec::new();
            let models = seedance_converter::convert::convert_model(
                model,
                &file,
                Some("/v1/models/{model}"),
                &Default::default(),
                &mut warnings,
            )
            .expect("converts");
            // And its checks, which `Catalog::load` makes with it.
            black_box(Checks::new(&models[0]));
            black_box(models)
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(dir);
}

criterion_group!(benches, interpreted_against_compiled, cached_load);
criterion_main!(benches);
