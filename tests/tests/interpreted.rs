//! Proof the two paths agree (issue 20, item 5): for every compiled model,
//! thousands of generated inputs (proptest, seeded per model; valid and
//! invalid) get exactly the same answer from the interpreted check
//! (`seedance_runtime::interpret`, over the IR the converter reads from the
//! model's schema file) as from the compiled model (the catalog's `parse`,
//! then `validate()` and `image_inputs()`): the same refusal or acceptance
//! of the JSON, the same violations (field, rule, limit, actual, message) in
//! the same order, the same images to probe.
//!
//! The compiled models are those of `schemas/` (crate `seedance`) and of the
//! fixture corpus (`tests/fixtures/schemas`, crate `seedance-fixtures`: the
//! nested objects, lists of objects and untyped values of every shape).

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value};

use seedance_converter::ir::{self, Field, StringType, Type, WireValue};
use seedance_runtime::ErasedModel;
use seedance_runtime::interpret;
use seedance_runtime::validation::Violation;

/// Inputs per model.
const CASES: u32 = 3000;

/// One compiled model as the test sees it (both catalogs have this shape).
struct Compiled {
    vendor: &'static str,
    model: &'static str,
    parse: fn(Value) -> Result<Box<dyn ErasedModel>, serde_json::Error>,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf()
}

/// An image to probe: field, uri, and its rules as (rule, limit, message).
type Image = (String, String, Vec<(String, String, String)>);

/// What one side says about one input.
#[derive(Debug, PartialEq)]
enum Answer {
    /// The JSON does not parse into the typed input.
    Refused,
    /// It parses: the violations, and the images to probe as
    /// (field, uri, [(rule, limit, message)]).
    Checked {
        violations: Vec<Violation>,
        images: Vec<Image>,
    },
}

fn compiled_answer(model: &Compiled, input: &Value) -> Answer {
    let Ok(typed) = (model.parse)(input.clone()) else {
        return Answer::Refused;
    };
    let violations = typed.validate().err().map(|e| e.violations);
    let images = typed
        .image_inputs()
        .iter()
        .map(|image| {
            let rules = image
                .rules
                .iter()
                .map(|r| {
                    let kind = r.kind.as_str().to_owned();
                    (kind, r.limit.to_string(), r.message.to_owned())
                })
                .collect();
            (image.field.to_string(), image.uri.to_owned(), rules)
        })
        .collect();
    Answer::Checked {
        violations: violations.unwrap_or_default(),
        images,
    }
}

fn interpreted_answer(model: &ir::Model, input: &Value) -> Answer {
    if interpret::parse(model, input).is_err() {
        return Answer::Refused;
    }
    let violations = interpret::validate(model, input)
        .err()
        .map(|e| e.violations);
    let images = interpret::image_inputs(model, input)
        .into_iter()
        .map(|image| {
            let rules = image
                .rules
                .iter()
                .map(|r| {
                    let kind = r.kind.as_str().to_owned();
                    (kind, r.limit.to_string(), r.message.clone())
                })
                .collect();
            (image.field, image.uri, rules)
        })
        .collect();
    Answer::Checked {
        violations: violations.unwrap_or_default(),
        images,
    }
}

// ---- inputs from the IR: values at and around every limit, of the right
// ---- type mostly, of a wrong one now and then.

/// Texts a URL field gets: every media kind, and what `format` refuses.
const URI_PREFIXES: &[&str] = &[
    "https://example.com/a.png",
    "http://127.0.0.1:9/b.jpg",
    "data:image/png;base64,iVBORw0KGgo=",
    "data:video/mp4;base64,AAAA",
    "data:audio/mpeg;base64,AAAA",
    "data:text/plain;base64,aGk=",
    "HTTPS://EXAMPLE.COM/C.PNG",
    "ftp://example.com/a.png",
    "not a url",
    " https://example.com/space.png",
    "",
];

/// Lengths at and around `min` and `max`, and a few others.
fn lengths(min: Option<u64>, max: Option<u64>) -> Vec<usize> {
    let mut out = vec![0, 1, 2, 5, 17];
    for limit in [min, max].into_iter().flatten() {
        let limit = limit as usize;
        out.extend([limit.saturating_sub(1), limit, limit + 1, limit + 4]);
    }
    out
}

/// Text of `len` characters: ASCII, two-byte, four-byte or mixed, so byte
/// length and character count differ.
fn text(len: usize, kind: u8) -> String {
    match kind % 4 {
        0 => "a".repeat(len),
        1 => "é".repeat(len),
        2 => "😀".repeat(len),
        _ => "aé😀€".chars().cycle().take(len).collect(),
    }
}

fn string_strategy(s: &StringType) -> BoxedStrategy<Value> {
    let lengths = lengths(s.min_length, s.max_length);
    let plain = (proptest::sample::select(lengths.clone()), any::<u8>())
        .prop_map(|(len, kind)| Value::from(text(len, kind)));
    if s.format.is_none() {
        return plain.boxed();
    }
    // A URL, padded (or cut) to a length near a limit now and then.
    let url = (
        proptest::sample::select(URI_PREFIXES),
        proptest::option::weighted(0.3, proptest::sample::select(lengths)),
    )
        .prop_map(|(prefix, len)| {
            Value::from(match len {
                None => prefix.to_owned(),
                Some(len) if len <= prefix.len() => prefix[..len].to_owned(),
                Some(len) => format!("{prefix}{}", "x".repeat(len - prefix.len())),
            })
        });
    prop_oneof![4 => url, 1 => plain].boxed()
}

/// Integers at and around the bounds, and anywhere.
fn integer_strategy(minimum: Option<i64>, maximum: Option<i64>) -> BoxedStrategy<Value> {
    let mut edges = vec![0i64, 1, -1, i64::MIN, i64::MAX];
    for limit in [minimum, maximum].into_iter().flatten() {
        edges.extend([limit.saturating_sub(1), limit, limit.saturating_add(1)]);
    }
    prop_oneof![
        3 => proptest::sample::select(edges).prop_map(Value::from),
        2 => (-1000i64..1000).prop_map(Value::from),
        // Refused by `i64`: a fraction and an integer above `i64::MAX`.
        1 => proptest::sample::select(vec![Value::from(2.5), Value::from(u64::MAX), Value::from(3.0)]),
    ]
    .boxed()
}

fn number_strategy(minimum: Option<f64>, maximum: Option<f64>) -> BoxedStrategy<Value> {
    let mut edges = vec![0.0f64, -0.0, 1.0, 0.1];
    for limit in [minimum, maximum].into_iter().flatten() {
        edges.extend([limit - 1.0, limit - 1e-9, limit, limit + 1e-9, limit + 0.5]);
    }
    prop_oneof![
        3 => proptest::sample::select(edges).prop_map(Value::from),
        2 => (-1000.0f64..1000.0).prop_map(Value::from),
        // Integers are numbers too.
        1 => (-20i64..20).prop_map(Value::from),
    ]
    .boxed()
}

fn enum_strategy(e: &ir::EnumType) -> BoxedStrategy<Value> {
    let values: Vec<Value> = e.variants.iter().map(|v| v.wire.to_json()).collect();
    let wrong = match e.variants.first().map(|v| &v.wire) {
        Some(WireValue::Int(_)) => vec![Value::from(-7), Value::from("5"), Value::from(5.0)],
        _ => vec![Value::from("not-a-value"), Value::from(1)],
    };
    prop_oneof![
        40 => proptest::sample::select(values),
        1 => proptest::sample::select(wrong),
    ]
    .boxed()
}

fn list_length(min: Option<u64>, max: Option<u64>) -> BoxedStrategy<usize> {
    let top = max.or(min).unwrap_or(3) as usize + 2;
    prop_oneof![
        proptest::sample::select(
            lengths(min, max)
                .into_iter()
                .filter(|l| *l <= top + 2)
                .collect::<Vec<_>>()
        ),
        0..=top,
    ]
    .boxed()
}

/// A value of `ty`: mostly of its type, sometimes of another.
fn value_strategy(ty: &Type, depth: usize) -> BoxedStrategy<Value> {
    let right = match ty {
        Type::String(s) => string_strategy(s),
        Type::Integer { minimum, maximum } => integer_strategy(*minimum, *maximum),
        Type::Number { minimum, maximum } => number_strategy(*minimum, *maximum),
        Type::Boolean => any::<bool>().prop_map(Value::from).boxed(),
        Type::Enum(e) | Type::Const(e) => enum_strategy(e),
        Type::Array {
            items,
            min_items,
            max_items,
        } => {
            let item = string_strategy(items);
            list_length(*min_items, *max_items)
                .prop_flat_map(move |len| proptest::collection::vec(item.clone(), len))
                .prop_map(Value::from)
                .boxed()
        }
        Type::Object(object) => object_strategy(&object.fields, depth + 1),
        Type::ObjectArray {
            item,
            min_items,
            max_items,
        } => {
            let item = object_strategy(&item.fields, depth + 1);
            list_length(*min_items, *max_items)
                .prop_flat_map(move |len| proptest::collection::vec(item.clone(), len))
                .prop_map(Value::from)
                .boxed()
        }
        Type::Json => any_json(),
        Type::JsonObject => proptest::collection::btree_map("[a-c]{1,2}", any_json(), 0..3)
            .prop_map(|map| Value::Object(map.into_iter().collect()))
            .boxed(),
    };
    prop_oneof![80 => right, 1 => any_json()].boxed()
}

/// A small JSON value of any type.
fn any_json() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-5i64..5).prop_map(Value::from),
        Just(Value::from(1.5)),
        "[a-z]{0,3}".prop_map(Value::from),
        Just(Value::Array(vec![Value::from("x")])),
        Just(Value::Object(Map::new())),
    ]
    .boxed()
}

/// How a field appears in an input.
#[derive(Debug, Clone, Copy)]
enum Presence {
    Set,
    Absent,
    Null,
}

/// An object with `fields`: each set, absent or null (required ones
/// nearly always set), now and then with a key the schema does not have.
fn object_strategy(fields: &[Field], depth: usize) -> BoxedStrategy<Value> {
    let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = fields
        .iter()
        .map(|field| {
            let presence = if field.required {
                prop_oneof![60 => Just(Presence::Set), 1 => Just(Presence::Absent), 1 => Just(Presence::Null)]
                    .boxed()
            } else {
                prop_oneof![3 => Just(Presence::Set), 2 => Just(Presence::Absent), 1 => Just(Presence::Null)]
                    .boxed()
            };
            let wire = field.wire.clone();
            (presence, value_strategy(&field.ty, depth))
                .prop_map(move |(presence, value)| match presence {
                    Presence::Set => Some((wire.clone(), value)),
                    Presence::Absent => None,
                    Presence::Null => Some((wire.clone(), Value::Null)),
                })
                .boxed()
        })
        .collect();
    let unknown =
        proptest::option::weighted(0.02, Just(("no_such_field".to_owned(), Value::from(1))));
    (fields, unknown)
        .prop_map(|(fields, unknown)| {
            Value::Object(fields.into_iter().flatten().chain(unknown).collect())
        })
        .boxed()
}

/// What the inputs of one model covered.
#[derive(Debug, Default)]
struct Tally {
    inputs: u64,
    refused: u64,
    valid: u64,
    with_violations: u64,
    violations: u64,
    images: u64,
}

/// Compares both sides on `CASES` inputs of `model`; the first mismatch
/// fails with proptest's smallest input that still shows it.
fn compare(compiled: &Compiled, model: &ir::Model) -> Tally {
    let seed: [u8; 32] = {
        // FNV-1a of the model's name, spread over the seed.
        let mut hash = 0xcbf2_9ce4_8422_2325u64;
        for byte in format!("{}/{}", compiled.vendor, compiled.model).bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        let mut seed = [0u8; 32];
        for (i, chunk) in seed.chunks_mut(8).enumerate() {
            chunk.copy_from_slice(&hash.rotate_left(i as u32 * 16).to_le_bytes());
        }
        seed
    };
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        max_shrink_iters: 2000,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
    let strategy = object_strategy(&model.fields, 0);
    let tally = std::cell::RefCell::new(Tally::default());
    let result = runner.run(&strategy, |input| {
        let expected = compiled_answer(compiled, &input);
        let actual = interpreted_answer(model, &input);
        {
            let mut tally = tally.borrow_mut();
            tally.inputs += 1;
            match &expected {
                Answer::Refused => tally.refused += 1,
                Answer::Checked { violations, images } => {
                    tally.images += images.len() as u64;
                    if violations.is_empty() {
                        tally.valid += 1;
                    } else {
                        tally.with_violations += 1;
                        tally.violations += violations.len() as u64;
                    }
                }
            }
        }
        prop_assert_eq!(&actual, &expected, "input: {}", input);
        Ok(())
    });
    if let Err(failure) = result {
        panic!(
            "{}/{}: the interpreted check and the compiled model disagree: {failure}",
            compiled.vendor, compiled.model
        );
    }
    tally.into_inner()
}

fn run_corpus(schemas: &Path, compiled: &[Compiled]) -> Vec<(String, Tally)> {
    let corpus = seedance_converter::corpus(schemas).expect("the schemas convert");
    let models: Vec<(&str, &ir::Model)> = corpus
        .vendors
        .iter()
        .flat_map(|vendor| vendor.models.iter().map(move |m| (vendor.id.as_str(), m)))
        .collect();
    assert_eq!(
        models.len(),
        compiled.len(),
        "every converted model is compiled in, and only those"
    );
    compiled
        .iter()
        .map(|compiled| {
            let (_, model) = models
                .iter()
                .find(|(vendor, m)| *vendor == compiled.vendor && m.path == compiled.model)
                .unwrap_or_else(|| {
                    panic!("{}/{} is not in the IR", compiled.vendor, compiled.model)
                });
            let tally = compare(compiled, model);
            (format!("{}/{}", compiled.vendor, compiled.model), tally)
        })
        .collect()
}

fn report(name: &str, tallies: &[(String, Tally)]) {
    let mut total = Tally::default();
    for (model, tally) in tallies {
        println!("{model}: {tally:?}");
        total.inputs += tally.inputs;
        total.refused += tally.refused;
        total.valid += tally.valid;
        total.with_violations += tally.with_violations;
        total.violations += tally.violations;
        total.images += tally.images;
    }
    println!("{name}: {} models, total {total:?}", tallies.len());
    // Not vacuous: every model got its inputs, and each kind of answer occurred.
    for (model, tally) in tallies {
        assert!(tally.inputs >= u64::from(CASES), "{model}: {tally:?}");
        assert!(
            tally.refused > 0,
            "{model}: no input was refused: {tally:?}"
        );
        assert!(tally.valid > 0, "{model}: no input was valid: {tally:?}");
    }
    assert!(total.with_violations > total.inputs / 20, "{total:?}");
}

#[test]
fn every_compiled_model_checks_like_the_interpreted_ir() {
    let compiled: Vec<Compiled> = seedance::catalog::MODELS
        .iter()
        .map(|info| Compiled {
            vendor: info.vendor.id,
            model: info.model,
            parse: info.parse,
        })
        .collect();
    let tallies = run_corpus(&workspace().join("schemas"), &compiled);
    report("schemas/", &tallies);
}

#[test]
fn every_fixture_model_checks_like_the_interpreted_ir() {
    let compiled: Vec<Compiled> = seedance_fixtures::catalog::MODELS
        .iter()
        .map(|info| Compiled {
            vendor: info.vendor.id,
            model: info.model,
            parse: info.parse,
        })
        .collect();
    let tallies = run_corpus(&workspace().join("tests/fixtures/schemas"), &compiled);
    report("tests/fixtures/schemas/", &tallies);
}
