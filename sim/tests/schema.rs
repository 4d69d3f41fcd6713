//! The run-time schema interpreter: every local rule, and the image rules
//! the simulator checks at submit by really reading the images.

mod common;

use common::*;
use seedance_sim::schema::{self, Problem};
use seedance_sim::{ImageFormat, ImageSpec, Route, Sim};
use serde_json::{Value, json};

fn rules(vendor: &str, model: &str, input: Value) -> Vec<(String, String)> {
    schema::validate_local(vendor, model, &input)
        .unwrap()
        .into_iter()
        .map(|Problem { field, rule, .. }| (field, rule))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(f, r)| (f.to_string(), r.to_string()))
        .collect()
}

const URL: &str = "https://example.com/a.png";

#[test]
fn lists_embedded_models() {
    let models: Vec<String> = schema::models()
        .iter()
        .map(|m| format!("{}/{}", m.vendor, m.model))
        .collect();
    assert!(
        models.contains(&format!("runcomfy/{LITE_I2V}")),
        "{models:?}"
    );
    assert!(models.contains(&format!("aimlapi/{AIML_MODEL}")));
    assert!(models.contains(&format!("wavespeed/{WS_MODEL}")));
    assert!(schema::vendor_manifest("runcomfy").is_some());
    let errors: Vec<String> = schema::lint()
        .iter()
        .filter(|f| f.severity == schema::Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert_eq!(errors, Vec::<String>::new());
    let unknown = schema::validate_local("runcomfy", "nope", &json!({})).unwrap_err();
    assert_eq!(unknown.model, "nope");
}

#[test]
fn valid_inputs_have_no_problems() {
    assert_eq!(
        rules(
            "runcomfy",
            LITE_I2V,
            json!({ "prompt": "é".repeat(1900), "first_frame_image_url": URL, "duration": 10 })
        ),
        pairs(&[])
    );
    assert_eq!(
        rules(
            "runcomfy",
            LITE_R2V,
            json!({ "text": "x", "images": [URL, "data:image/png;base64,AAAA"] })
        ),
        pairs(&[])
    );
    assert_eq!(
        rules(
            "aimlapi",
            AIML_MODEL,
            json!({ "model": AIML_MODEL, "prompt": "x", "image_url": URL, "duration": 5.0 })
        ),
        pairs(&[])
    );
    assert_eq!(
        rules(
            "wavespeed",
            WS_MODEL,
            json!({ "prompt": "x", "reference_images": vec![URL; 4], "seed": -1, "duration": 12 })
        ),
        pairs(&[])
    );
}

#[test]
fn catches_each_local_rule() {
    // required
    assert_eq!(
        rules("runcomfy", LITE_I2V, json!({})),
        pairs(&[
            ("prompt", "required"),
            ("first_frame_image_url", "required")
        ])
    );
    // maxLength counts characters
    assert_eq!(
        rules(
            "runcomfy",
            LITE_I2V,
            json!({ "prompt": "é".repeat(1901), "first_frame_image_url": URL })
        ),
        pairs(&[("prompt", "maxLength")])
    );
    // enum (string and integer), type
    assert_eq!(
        rules(
            "runcomfy",
            LITE_I2V,
            json!({ "prompt": "x", "first_frame_image_url": URL, "resolution": "4k", "duration": 7 })
        ),
        // Schema property order (serde_json keeps it: `preserve_order`).
        pairs(&[("resolution", "enum"), ("duration", "enum")])
    );
    assert_eq!(
        rules(
            "runcomfy",
            LITE_I2V,
            json!({ "prompt": 5, "first_frame_image_url": URL, "duration": "5" })
        ),
        pairs(&[("prompt", "type"), ("duration", "type")])
    );
    assert_eq!(
        rules("runcomfy", LITE_I2V, json!([1])),
        pairs(&[("", "type")])
    );
    // minItems, maxItems, format per item
    assert_eq!(
        rules("runcomfy", LITE_R2V, json!({ "text": "x", "images": [] })),
        pairs(&[("images", "minItems")])
    );
    assert_eq!(
        rules(
            "runcomfy",
            LITE_R2V,
            json!({ "text": "x", "images": vec![URL; 5] })
        ),
        pairs(&[("images", "maxItems")])
    );
    assert_eq!(
        rules(
            "runcomfy",
            LITE_R2V,
            json!({ "text": "x", "images": [URL, "ftp://x/y.png", "https:///a.png", "data:text/plain;base64,aGk="] })
        ),
        pairs(&[
            ("images[1]", "format"),
            ("images[2]", "format"),
            ("images[3]", "format")
        ])
    );
    // minimum, maximum (inclusive)
    assert_eq!(
        rules(
            "wavespeed",
            WS_MODEL,
            json!({ "prompt": "x", "reference_images": [URL], "duration": 1, "seed": 2_147_483_648_i64 })
        ),
        pairs(&[("duration", "minimum"), ("seed", "maximum")])
    );
    assert_eq!(
        rules(
            "wavespeed",
            WS_MODEL,
            json!({ "prompt": "x", "reference_images": [URL], "duration": 13 })
        ),
        pairs(&[("duration", "maximum")])
    );
    // The AI/ML API's model id is a one-value enum.
    assert_eq!(
        rules(
            "aimlapi",
            AIML_MODEL,
            json!({ "model": "other", "prompt": "x", "image_url": URL })
        ),
        pairs(&[("model", "enum")])
    );
}

async fn submit_first_frame(sim: &Sim, uri: &str) -> (u16, Value) {
    json(
        post(
            sim,
            &format!("/v1/models/{LITE_I2V}"),
            &json!({ "prompt": "x", "first_frame_image_url": uri }),
        )
        .send()
        .await
        .unwrap(),
    )
    .await
}

fn broken_rules(body: &Value) -> Vec<String> {
    body["detail"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| d["type"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn submit_checks_image_rules_by_reading_the_image() {
    let sim = Sim::start().await;
    let cases: Vec<(ImageSpec, Vec<&str>)> = vec![
        (ImageSpec::new(ImageFormat::Png, 5999, 3000), vec![]),
        (
            ImageSpec::new(ImageFormat::Png, 6000, 3000),
            vec!["width_pixels<"],
        ),
        (
            ImageSpec::new(ImageFormat::Jpeg, 800, 300),
            vec!["height_pixels>", "width/height<"],
        ),
        (ImageSpec::new(ImageFormat::Webp, 401, 1000), vec![]),
        // Strict: a ratio of exactly 0.4 is out.
        (
            ImageSpec::new(ImageFormat::Webp, 400, 1000),
            vec!["width/height>"],
        ),
        (
            ImageSpec::new(ImageFormat::Jpeg, 1000, 1000).file_size(30 * 1024 * 1024 - 1),
            vec![],
        ),
        (
            ImageSpec::new(ImageFormat::Jpeg, 1000, 1000).file_size(30 * 1024 * 1024),
            vec!["file_size_mb<"],
        ),
        (
            ImageSpec::new(ImageFormat::Jpeg, 1000, 1000).metadata(200_000),
            vec![],
        ),
    ];
    for (spec, expected) in cases {
        let (code, body) = submit_first_frame(&sim, &sim.image_url(&spec)).await;
        assert_eq!(broken_rules(&body), expected, "{spec:?}: {body}");
        assert_eq!(code, if expected.is_empty() { 200 } else { 422 });
    }
    assert!(
        sim.count(Route::Image) >= 8,
        "the images were really fetched"
    );

    // Data URIs are decoded.
    let (code, _) = submit_first_frame(
        &sim,
        &ImageSpec::new(ImageFormat::Png, 1280, 720).data_uri(),
    )
    .await;
    assert_eq!(code, 200);
    let (code, body) =
        submit_first_frame(&sim, &ImageSpec::new(ImageFormat::Png, 200, 720).data_uri()).await;
    assert_eq!(
        (code, broken_rules(&body)),
        (
            422,
            vec!["width_pixels>".to_owned(), "width/height>".to_owned()]
        )
    );

    // Unreadable images.
    let (code, body) = submit_first_frame(
        &sim,
        &format!("{}/sim/images/missing.gif?w=1&h=1", sim.base_url()),
    )
    .await;
    assert_eq!(
        (code, broken_rules(&body)),
        (422, vec!["readable".to_owned()])
    );
    let (code, body) = submit_first_frame(&sim, "data:image/png;base64,AAAA").await;
    assert_eq!(
        (code, broken_rules(&body)),
        (422, vec!["readable".to_owned()])
    );
}
