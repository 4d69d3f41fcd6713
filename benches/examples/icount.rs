//! Instruction counts of the validation bench's cases, for a loaded machine
//! where wall-clock medians move with other people's builds.
//!
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='icount::measure'
//!  target/release/examples/icount <case> <iterations>` counts the
//! instructions of `<iterations>` runs of one case (`list` names them); the
//! count divided by the iterations is the figure. Every case is run with the
//! same harness, so ratios between cases of one run are comparable.

use std::hint::black_box;

use seedance::aimlapi::seedance_1_0_lite_i2v as aiml;
use seedance::runcomfy::{
    seedance_1_0_lite_image_to_video as lite_i2v, seedance_1_0_lite_reference_to_video as lite_r2v,
    seedance_1_0_pro_image_to_video as pro_i2v,
};
use seedance::wavespeed::seedance_v1_lite_reference_to_video as ws_r2v;
use seedance_benches::{fixtures, interpreted};
use seedance_runtime::interpret::Checks;
use serde_json::Value;

use seedance_benches::compiled_schemas::{
    AimlSchema, LiteI2vSchema, LiteR2vSchema, ProI2vSchema, WavespeedSchema,
};

type Case = (String, Box<dyn Fn() -> usize>);

macro_rules! model_cases {
    ($cases:expr, $corpus:expr, $id:literal, $module:ident, $compiled:ident, $valid:expr) => {{
        let case = fixtures::cases()
            .into_iter()
            .find(|c| c.id == $id)
            .expect("known case");
        let runtime = std::rc::Rc::new(jsonschema::validator_for(&case.schema_value()).unwrap());
        let valid_value: std::rc::Rc<Value> =
            std::rc::Rc::new(serde_json::from_str(&case.valid_json).unwrap());
        let typed: std::rc::Rc<$module::Input> = std::rc::Rc::new($valid);
        let (valid_json, invalid_json) = (case.valid_json.clone(), case.invalid_json.clone());
        let cases: &mut Vec<Case> = $cases;
        let name = |case: &str| format!("{}/{case}", $id);
        {
            let typed = typed.clone();
            cases.push((
                name("valid_typed"),
                Box::new(move || usize::from(black_box(&*typed).validate().is_ok())),
            ));
        }
        {
            let checks = Checks::new(&interpreted::ir_of($corpus, case.model));
            let value = valid_value.clone();
            cases.push((
                name("valid_interpreted"),
                Box::new(move || usize::from(checks.validate(black_box(&*value)).is_ok())),
            ));
        }
        {
            let (runtime, value) = (runtime.clone(), valid_value.clone());
            cases.push((
                name("valid_jsonschema"),
                Box::new(move || usize::from(runtime.is_valid(black_box(&*value)))),
            ));
        }
        {
            let value = valid_value.clone();
            cases.push((
                name("valid_jsonschema_compiled"),
                Box::new(move || usize::from($compiled::is_valid(black_box(&*value)))),
            ));
        }
        for (label, text) in [("valid", valid_json), ("invalid", invalid_json)] {
            let owned = text.clone();
            cases.push((
                name(&format!("{label}_typed_parse")),
                Box::new(
                    move || match serde_json::from_str::<$module::Input>(black_box(&owned)) {
                        Ok(input) => input.validate().map_or_else(|e| e.violations.len(), |()| 0),
                        Err(err) => err.column(),
                    },
                ),
            ));
            let runtime = runtime.clone();
            cases.push((
                name(&format!("{label}_jsonschema_parse")),
                Box::new(move || {
                    let value: Value = serde_json::from_str(black_box(&text)).unwrap();
                    runtime.iter_errors(&value).count()
                }),
            ));
        }
    }};
}

fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = vec![(
        "is_image_uri".to_owned(),
        Box::new(|| {
            usize::from(seedance::runtime::validation::is_image_uri(black_box(
                fixtures::IMAGE,
            )))
        }),
    )];
    // The run-time catalog's IR of the models (its interpreted check).
    let corpus = interpreted::corpus();
    model_cases!(
        &mut cases,
        &corpus,
        "aimlapi_lite_i2v",
        aiml,
        AimlSchema,
        fixtures::aimlapi_valid()
    );
    model_cases!(
        &mut cases,
        &corpus,
        "runcomfy_lite_i2v",
        lite_i2v,
        LiteI2vSchema,
        fixtures::lite_i2v_valid()
    );
    model_cases!(
        &mut cases,
        &corpus,
        "runcomfy_lite_r2v",
        lite_r2v,
        LiteR2vSchema,
        fixtures::lite_r2v_valid()
    );
    model_cases!(
        &mut cases,
        &corpus,
        "runcomfy_pro_i2v",
        pro_i2v,
        ProI2vSchema,
        fixtures::pro_i2v_valid()
    );
    model_cases!(
        &mut cases,
        &corpus,
        "wavespeed_lite_r2v",
        ws_r2v,
        WavespeedSchema,
        fixtures::wavespeed_valid()
    );
    cases
}

#[inline(never)]
fn measure(run: &dyn Fn() -> usize, iterations: u64) -> usize {
    let mut sum = 0;
    for _ in 0..iterations {
        sum += black_box(run());
    }
    sum
}

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "list".to_owned());
    let iterations: u64 = args.next().map_or(1000, |n| n.parse().expect("iterations"));
    let cases = cases();
    if which == "list" {
        for (name, _) in &cases {
            println!("{name}");
        }
        return;
    }
    let (_, run) = cases
        .iter()
        .find(|(name, _)| *name == which)
        .unwrap_or_else(|| panic!("unknown case {which}"));
    // One untimed run first: lazily built state is not counted.
    run();
    println!("{}", measure(run.as_ref(), iterations));
}
