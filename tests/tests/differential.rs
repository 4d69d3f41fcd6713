//! Differential test: for generated inputs (proptest), the generated
//! `validate()` and the simulator's run-time schema interpreter (its own code,
//! reading the same schema files) find the same broken rules on the same fields.

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

/// A value for one property, biased towards the schema's limits.
fn value_strategy(schema: &Value) -> BoxedStrategy<Value> {
    if let Some(constant) = schema.get("const") {
        return Just(constant.clone()).boxed();
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return proptest::sample::select(values.clone()).boxed();
    }
    let image = schema.get("format").is_some() || schema.get("validations").is_some();
    match schema["type"].as_str() {
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
        Some("boolean") => prop::bool::ANY.prop_map(Value::from).boxed(),
        Some("array") => {
            let item = value_strategy(&schema["items"]);
            let max = schema.get("maxItems").and_then(Value::as_u64).unwrap_or(3) as usize;
            prop::collection::vec(item, 0..=max + 2)
                .prop_map(Value::from)
                .boxed()
        }
        other => panic!("the differential test does not know type {other:?}"),
    }
}

/// Whole inputs: every required property, each optional one present or not.
fn input_strategy(schema: &Value) -> BoxedStrategy<Value> {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
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

fn generated_findings<T: serde::de::DeserializeOwned>(
    input: &Value,
    validate: fn(&T) -> Result<(), seedance::ValidationErrors>,
) -> Findings {
    let typed: T =
        serde_json::from_value(input.clone()).expect("generated inputs fit the typed model");
    match validate(&typed) {
        Ok(()) => Findings::new(),
        Err(errors) => errors
            .violations
            .into_iter()
            .map(|v| (v.field, rule_keyword(v.rule).to_owned()))
            .collect(),
    }
}

fn agree<T: serde::de::DeserializeOwned>(
    vendor: &str,
    model: &str,
    validate: fn(&T) -> Result<(), seedance::ValidationErrors>,
) {
    let schema =
        seedance_sim::schema::schema(vendor, model).expect("the simulator embeds the schema");
    let mut runner = TestRunner::new(Config {
        cases: 200,
        ..Config::default()
    });
    let invalid_seen = std::cell::Cell::new(0usize);
    runner
        .run(&input_strategy(schema), |input| {
            let ours = generated_findings(&input, validate);
            let sim: Findings = seedance_sim::schema::validate_local(vendor, model, &input)
                .expect("known model")
                .into_iter()
                .map(|p| (p.field, p.rule))
                .collect();
            invalid_seen.set(invalid_seen.get() + usize::from(!ours.is_empty()));
            prop_assert_eq!(&ours, &sim, "input: {}", input);
            Ok(())
        })
        .unwrap();
    let invalid_seen = invalid_seen.get();
    assert!(
        invalid_seen > 20,
        "{vendor}/{model}: only {invalid_seen} invalid inputs generated"
    );
}

#[test]
fn runcomfy_lite_reference_to_video() {
    use seedance::runcomfy::seedance_1_0_lite_reference_to_video::Input;
    agree(
        "runcomfy",
        "bytedance/seedance-1-0/lite/reference-to-video",
        Input::validate,
    );
}

#[test]
fn runcomfy_pro_image_to_video() {
    use seedance::runcomfy::seedance_1_0_pro_image_to_video::Input;
    agree(
        "runcomfy",
        "bytedance/seedance-1-0/pro/image-to-video",
        Input::validate,
    );
}

#[test]
fn runcomfy_lite_image_to_video() {
    use seedance::runcomfy::seedance_1_0_lite_image_to_video::Input;
    agree(
        "runcomfy",
        "bytedance/seedance-1-0/lite/image-to-video",
        Input::validate,
    );
}

#[test]
fn aimlapi_lite_i2v() {
    use seedance::aimlapi::seedance_1_0_lite_i2v::Input;
    agree(
        "aimlapi",
        "bytedance/seedance-1-0-lite-i2v",
        Input::validate,
    );
}

#[test]
fn wavespeed_lite_reference_to_video() {
    use seedance::wavespeed::seedance_v1_lite_reference_to_video::Input;
    agree(
        "wavespeed",
        "bytedance/seedance-v1-lite/reference-to-video",
        Input::validate,
    );
}

#[test]
fn the_two_validators_disagree_on_nothing_obvious() {
    // A hand-picked input breaking every rule kind at once, as a sanity anchor.
    use seedance::wavespeed::seedance_v1_lite_reference_to_video::Input;
    let input = json!({"prompt": "p", "reference_images": ["", "x", "y", "z", "w"], "duration": 1, "seed": -5});
    let ours = generated_findings(&input, Input::validate);
    assert_eq!(ours.len(), 8);
}
