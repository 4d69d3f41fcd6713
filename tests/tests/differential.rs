//! Differential test: for generated inputs (proptest), the generated
//! `validate()` and the simulator's run-time schema interpreter (its own code,
//! reading the same schema files) find the same broken rules on the same
//! fields, for every compiled model and for the fixture of nested shapes.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};

use seedance::runtime::validation::Rule;

/// Image references: valid ones, and ones the format rule must refuse.
const IMAGE_POOL: &[&str] = &[
    "https://example.com/a.png",
    "http://127.0.0.1:9/b.jpg",
    "data:image/png;base64,iVBORw0KGgo=",
    "not a url",
    "ftp://example.com/a.png",
    "",
    "data:text/plain;base64,aGk=",
];

/// The schema's `type` (OpenAPI's `nullable` became `[type, "null"]`).
fn type_of(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(ty)) => Some(ty),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        _ => None,
    }
}

/// A value for one property, biased towards the schema's limits.
fn value_strategy(schema: &Value) -> BoxedStrategy<Value> {
    if let Some(constant) = schema.get("const") {
        return Just(constant.clone()).boxed();
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<Value> = values.iter().filter(|v| !v.is_null()).cloned().collect();
        return proptest::sample::select(values).boxed();
    }
    let image = schema.get("format").is_some() || schema.get("validations").is_some();
    match type_of(schema) {
        Some("string") if image => proptest::sample::select(IMAGE_POOL)
            .prop_map(Value::from)
            .boxed(),
        Some("string") => {
            let max = schema
                .get("maxLength")
                .and_then(Value::as_u64)
                .unwrap_or(20) as usize;
            // Multi-byte characters, so byte length and character count differ.
            (max.saturating_sub(3)..=max + 3, prop::bool::ANY)
                .prop_map(|(len, wide)| {
                    Value::from(if wide {
                        "é".repeat(len)
                    } else {
                        "a".repeat(len)
                    })
                })
                .boxed()
        }
        Some("integer") => {
            let min = schema.get("minimum").and_then(Value::as_i64);
            let max = schema.get("maximum").and_then(Value::as_i64);
            let mut edges = vec![0i64, 1, -1, i64::from(i32::MAX), i64::from(i32::MAX) + 1];
            for bound in [min, max].into_iter().flatten() {
                edges.extend([bound - 1, bound, bound + 1]);
            }
            prop_oneof![proptest::sample::select(edges), -100i64..100]
                .prop_map(Value::from)
                .boxed()
        }
        Some("number") => {
            let mut edges = vec![0.0f64, 1.0, -1.0, 0.5];
            for bound in ["minimum", "maximum"]
                .iter()
                .filter_map(|k| schema.get(*k).and_then(Value::as_f64))
            {
                edges.extend([bound - 0.5, bound, bound + 0.5]);
            }
            prop_oneof![proptest::sample::select(edges), -100.0f64..100.0]
                .prop_map(Value::from)
                .boxed()
        }
        Some("boolean") => prop::bool::ANY.prop_map(Value::from).boxed(),
        Some("array") => {
            let item = value_strategy(&schema["items"]);
            let max = schema.get("maxItems").and_then(Value::as_u64).unwrap_or(3) as usize;
            prop::collection::vec(item, 0..=max + 2)
                .prop_map(Value::from)
                .boxed()
        }
        Some("object") if schema.get("properties").is_some() => object_strategy(schema),
        // An object with no properties: any keys.
        Some("object") => {
            prop_oneof![Just(json!({})), Just(json!({"label": "x", "n": [1]}))].boxed()
        }
        // No type: any JSON value.
        None => prop_oneof![
            Just(Value::Null),
            Just(json!({"label": "x"})),
            Just(json!([1, "two"])),
            Just(json!("text")),
        ]
        .boxed(),
        other => panic!("the differential test does not know type {other:?}"),
    }
}

/// Whole objects (inputs and nested ones): every required property, each
/// optional one present or not.
fn object_strategy(schema: &Value) -> BoxedStrategy<Value> {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = schema["properties"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, property)| {
            let name = name.clone();
            let value = value_strategy(property);
            if required.contains(&name.as_str()) {
                value.prop_map(move |v| Some((name.clone(), v))).boxed()
            } else {
                prop::option::of(value.prop_map(move |v| (name.clone(), v))).boxed()
            }
        })
        .collect();
    fields
        .prop_map(|entries| Value::Object(entries.into_iter().flatten().collect::<Map<_, _>>()))
        .boxed()
}

fn rule_keyword(rule: Rule) -> &'static str {
    match rule {
        Rule::MinLength => "minLength",
        Rule::MaxLength => "maxLength",
        Rule::MinItems => "minItems",
        Rule::MaxItems => "maxItems",
        Rule::Minimum => "minimum",
        Rule::Maximum => "maximum",
        Rule::Format(_) => "format",
        other => panic!("not a local rule: {other:?}"),
    }
}

type Findings = BTreeSet<(String, String)>;

/// The violations `validate()` finds, as (field, rule keyword).
fn findings(result: Result<(), seedance::ValidationErrors>) -> Findings {
    match result {
        Ok(()) => Findings::new(),
        Err(errors) => errors
            .violations
            .into_iter()
            .map(|v| (v.field, rule_keyword(v.rule).to_owned()))
            .collect(),
    }
}

fn generated_findings<T: serde::de::DeserializeOwned>(
    input: &Value,
    validate: fn(&T) -> Result<(), seedance::ValidationErrors>,
) -> Findings {
    let typed: T =
        serde_json::from_value(input.clone()).expect("generated inputs fit the typed model");
    findings(validate(&typed))
}

/// Runs generated inputs of `schema` (the simulator's reading of the file)
/// through `ours` (the generated `validate()`) and `sim` (the simulator's
/// interpreter); they must find the same broken rules on the same fields.
fn agree(
    name: &str,
    schema: &Value,
    ours: impl Fn(&Value) -> Findings,
    sim: impl Fn(&Value) -> Findings,
) {
    let mut runner = TestRunner::new(Config {
        cases: 200,
        ..Config::default()
    });
    let invalid_seen = std::cell::Cell::new(0usize);
    runner
        .run(&object_strategy(schema), |input| {
            let ours = ours(&input);
            let sim = sim(&input);
            invalid_seen.set(invalid_seen.get() + usize::from(!ours.is_empty()));
            prop_assert_eq!(&ours, &sim, "{}: input: {}", name, input);
            Ok(())
        })
        .unwrap();
    let invalid_seen = invalid_seen.get();
    // A schema with no local rule (only enums and types) admits no violation.
    let floor = if has_local_rules(schema) { 20 } else { 0 };
    assert!(
        invalid_seen > floor || (floor == 0 && invalid_seen == 0),
        "{name}: {invalid_seen} invalid inputs generated"
    );
}

/// Whether any keyword of `schema` (at any depth) is a rule `validate()` checks.
fn has_local_rules(schema: &Value) -> bool {
    const LOCAL: &[&str] = &[
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "minimum",
        "maximum",
        "format",
    ];
    match schema {
        Value::Object(map) => map
            .iter()
            .any(|(key, value)| LOCAL.contains(&key.as_str()) || has_local_rules(value)),
        Value::Array(items) => items.iter().any(has_local_rules),
        _ => false,
    }
}

/// The simulator's findings for a model it embeds.
fn sim_findings(vendor: &str, model: &str, input: &Value) -> Findings {
    seedance_sim::schema::validate_local(vendor, model, input)
        .expect("known model")
        .into_iter()
        .map(|p| (p.field, p.rule))
        .collect()
}

/// Every compiled model (the `seedance` catalog), against the simulator's
/// reading of the same schema file.
#[test]
fn every_compiled_model_agrees_with_the_simulator() {
    let models = seedance::catalog::MODELS;
    assert!(models.len() >= 17, "{} compiled models", models.len());
    for info in models {
        let (vendor, model) = (info.vendor.id, info.model);
        let schema = seedance_sim::schema::schema(vendor, model)
            .unwrap_or_else(|| panic!("the simulator embeds {vendor}/{model}"));
        let ours = |input: &Value| {
            let typed = (info.parse)(input.clone()).expect("generated inputs fit the typed model");
            findings(typed.validate())
        };
        agree(&format!("{vendor}/{model}"), schema, ours, |input| {
            sim_findings(vendor, model, input)
        });
    }
}

/// The simulator serves exactly the compiled models: none is compiled in that
/// it cannot check, none it checks is missing from the crate.
#[test]
fn the_simulator_knows_every_compiled_model() {
    let mut compiled: Vec<(String, String)> = seedance::catalog::MODELS
        .iter()
        .map(|m| (m.vendor.id.to_owned(), m.model.to_owned()))
        .collect();
    compiled.sort();
    let mut embedded: Vec<(String, String)> = seedance_sim::schema::models()
        .into_iter()
        .map(|m| (m.vendor, m.model))
        .collect();
    embedded.sort();
    assert_eq!(compiled, embedded);
}

/// The vendor's other shapes (the fixture corpus): nested objects, lists of
/// objects and untyped values, checked by the generated `validate()` of
/// `seedance-fixtures` and by the simulator's interpreter reading the same
/// file. (Read as a vendor without `media_fields`, as the fixture vendor is.)
#[test]
fn nested_objects_agree_with_the_simulator() {
    use seedance_fixtures::aimlapi::motion_1::Input;
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/schemas/aimlapi/docs/acme-motion.json"
    );
    let text = std::fs::read_to_string(file).unwrap();
    let reading = seedance_sim::schema::ModelFile::read("fixture", "docs/acme-motion.json", &text)
        .expect("the simulator reads the fixture");
    assert_eq!(reading.model(), "acme/motion-1");
    let sim = |input: &Value| -> Findings {
        reading
            .validate(input)
            .into_iter()
            .map(|p| (p.field, p.rule))
            .collect()
    };
    agree(
        "fixture acme/motion-1",
        reading.schema(),
        |input| generated_findings(input, Input::validate),
        sim,
    );
    // Nested violations are named by path, by both.
    let input = json!({
        "model": "acme/motion-1",
        "image_url": "https://example.com/a.png",
        "camera_control": {"type": "simple", "config": {"zoom": 11}},
        "dynamic_masks": [{"mask": "nope", "trajectories": [{"x": 1, "y": -1}]}],
        "extra": {"anything": [1, 2]},
    });
    let expected: Findings = [
        ("camera_control.config.zoom", "maximum"),
        ("dynamic_masks[0].mask", "format"),
        ("dynamic_masks[0].trajectories", "minItems"),
        ("dynamic_masks[0].trajectories[0].y", "minimum"),
    ]
    .into_iter()
    .map(|(f, r)| (f.to_owned(), r.to_owned()))
    .collect();
    assert_eq!(generated_findings(&input, Input::validate), expected);
    assert_eq!(sim(&input), expected);
}

#[test]
fn the_two_validators_disagree_on_nothing_obvious() {
    // A hand-picked input breaking every rule kind at once, as a sanity anchor.
    use seedance::wavespeed::seedance_v1_lite_reference_to_video::Input;
    let input = json!({"prompt": "p", "reference_images": ["", "x", "y", "z", "w"], "duration": 1, "seed": -5});
    let ours = generated_findings(&input, Input::validate);
    assert_eq!(ours.len(), 8);
    assert_eq!(
        ours,
        sim_findings(
            "wavespeed",
            "bytedance/seedance-v1-lite/reference-to-video",
            &input
        )
    );
}
