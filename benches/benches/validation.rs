//! Issue 5, bench 1: local validation. For each of the five models, the
//! generated `validate()` against the `jsonschema` crate (0.60.2) validating
//! the same input against the same schema file, at run time
//! (`jsonschema::validator_for`) and compiled (`#[jsonschema::validator]`).
//!
//! Cases (criterion id `validation_<model>/<case>`):
//! - `valid_typed`: `Input::validate()` on an already built input;
//! - `valid_typed_parse`: `serde_json::from_str::<Input>` + `validate()`;
//! - `valid_jsonschema` / `valid_jsonschema_compiled`: `is_valid` on an
//!   already parsed `serde_json::Value`;
//! - `valid_jsonschema_parse` / `valid_jsonschema_compiled_parse`:
//!   `serde_json::from_str::<Value>` + `is_valid`;
//! - the same with `invalid_` (errors collected: `validate()` reports every
//!   violation, so the baselines run `iter_errors` to the end).
//!
//! jsonschema runs with its defaults: draft 2020-12, `format` not asserted,
//! the custom `validations` keyword ignored as an unknown keyword. The
//! generated code does strictly more (it also checks every image field is an
//! http(s) URL or data URI).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use seedance::aimlapi::seedance_1_0_lite_i2v as aiml;
use seedance::runcomfy::{
    seedance_1_0_lite_image_to_video as lite_i2v, seedance_1_0_lite_reference_to_video as lite_r2v,
    seedance_1_0_pro_image_to_video as pro_i2v,
};
use seedance::wavespeed::seedance_v1_lite_reference_to_video as ws_r2v;
use seedance_benches::fixtures::{self, Case};
use serde_json::Value;

use seedance_benches::compiled_schemas::{
    AimlSchema, LiteI2vSchema, LiteR2vSchema, ProI2vSchema, WavespeedSchema,
};

fn case(id: &str) -> Case {
    fixtures::cases()
        .into_iter()
        .find(|c| c.id == id)
        .expect("known case")
}

/// Benches one model. `$compiled` is the macro-generated validator;
/// `$invalid` an expression building the invalid typed input, if the type
/// can hold it.
macro_rules! model_bench {
    ($c:expr, $id:literal, $module:ident, $compiled:ident, $valid:expr, $invalid:expr) => {{
        let case = case($id);
        let runtime = jsonschema::validator_for(&case.schema_value()).expect("schema compiles");
        let valid_value: Value = serde_json::from_str(&case.valid_json).unwrap();
        let invalid_value: Value = serde_json::from_str(&case.invalid_json).unwrap();
        let typed: $module::Input = $valid;
        // Both sides must agree before anything is timed.
        assert!(typed.validate().is_ok(), "{}: typed valid", $id);
        assert!(runtime.is_valid(&valid_value), "{}: jsonschema valid", $id);
        assert!($compiled::is_valid(&valid_value), "{}: compiled valid", $id);
        assert!(
            !runtime.is_valid(&invalid_value),
            "{}: jsonschema invalid",
            $id
        );
        assert!(
            !$compiled::is_valid(&invalid_value),
            "{}: compiled invalid",
            $id
        );
        let parse_typed = |text: &str| -> bool {
            serde_json::from_str::<$module::Input>(text)
                .ok()
                .is_some_and(|input| input.validate().is_ok())
        };
        assert!(parse_typed(&case.valid_json) && !parse_typed(&case.invalid_json));

        let mut group = $c.benchmark_group(concat!("validation_", $id));
        group.bench_function("valid_typed", |b| {
            b.iter(|| black_box(&typed).validate().is_ok())
        });
        group.bench_function("valid_jsonschema", |b| {
            b.iter(|| runtime.is_valid(black_box(&valid_value)))
        });
        group.bench_function("valid_jsonschema_compiled", |b| {
            b.iter(|| $compiled::is_valid(black_box(&valid_value)))
        });
        group.bench_function("valid_typed_parse", |b| {
            b.iter(|| {
                let input: $module::Input =
                    serde_json::from_str(black_box(&case.valid_json)).unwrap();
                input.validate().is_ok()
            })
        });
        group.bench_function("valid_jsonschema_parse", |b| {
            b.iter(|| {
                let value: Value = serde_json::from_str(black_box(&case.valid_json)).unwrap();
                runtime.is_valid(&value)
            })
        });
        group.bench_function("valid_jsonschema_compiled_parse", |b| {
            b.iter(|| {
                let value: Value = serde_json::from_str(black_box(&case.valid_json)).unwrap();
                $compiled::is_valid(&value)
            })
        });

        let invalid: Option<$module::Input> = $invalid;
        if let Some(invalid) = invalid {
            assert!(invalid.validate().is_err(), "{}: typed invalid", $id);
            group.bench_function("invalid_typed", |b| {
                b.iter(|| {
                    black_box(&invalid)
                        .validate()
                        .map_err(|e| e.violations.len())
                })
            });
        }
        group.bench_function("invalid_jsonschema", |b| {
            b.iter(|| runtime.iter_errors(black_box(&invalid_value)).count())
        });
        group.bench_function("invalid_jsonschema_compiled", |b| {
            b.iter(|| $compiled::iter_errors(black_box(&invalid_value)).count())
        });
        group.bench_function("invalid_typed_parse", |b| {
            b.iter(
                || match serde_json::from_str::<$module::Input>(black_box(&case.invalid_json)) {
                    Ok(input) => input.validate().map_err(|e| e.violations.len()).err(),
                    Err(err) => Some(err.column()),
                },
            )
        });
        group.bench_function("invalid_jsonschema_parse", |b| {
            b.iter(|| {
                let value: Value = serde_json::from_str(black_box(&case.invalid_json)).unwrap();
                runtime.iter_errors(&value).count()
            })
        });
        group.bench_function("invalid_jsonschema_compiled_parse", |b| {
            b.iter(|| {
                let value: Value = serde_json::from_str(black_box(&case.invalid_json)).unwrap();
                $compiled::iter_errors(&value).count()
            })
        });
        group.finish();
    }};
}

fn validation(c: &mut Criterion) {
    // Where the generated validate() spends its time: the image-URL format
    // check, which the baselines do not do (no standard keyword asks for it).
    c.bench_function("validation_breakdown/is_image_uri", |b| {
        b.iter(|| seedance::runtime::validation::is_image_uri(black_box(fixtures::IMAGE)))
    });
    model_bench!(
        c,
        "aimlapi_lite_i2v",
        aiml,
        AimlSchema,
        fixtures::aimlapi_valid(),
        None
    );
    model_bench!(
        c,
        "runcomfy_lite_i2v",
        lite_i2v,
        LiteI2vSchema,
        fixtures::lite_i2v_valid(),
        Some(fixtures::lite_i2v_invalid())
    );
    model_bench!(
        c,
        "runcomfy_lite_r2v",
        lite_r2v,
        LiteR2vSchema,
        fixtures::lite_r2v_valid(),
        Some(fixtures::lite_r2v_invalid())
    );
    model_bench!(
        c,
        "runcomfy_pro_i2v",
        pro_i2v,
        ProI2vSchema,
        fixtures::pro_i2v_valid(),
        None
    );
    model_bench!(
        c,
        "wavespeed_lite_r2v",
        ws_r2v,
        WavespeedSchema,
        fixtures::wavespeed_valid(),
        Some(fixtures::wavespeed_invalid())
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(1));
    targets = validation
}
criterion_main!(benches);
