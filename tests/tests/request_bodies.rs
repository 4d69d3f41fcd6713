//! Each vendor page's own example request, rebuilt through the typed builder,
//! serializes to the page's curl body (`tests/fixtures/page-examples/`).

use serde_json::{Value, json};

use seedance::aimlapi::seedance_1_0_lite_i2v as aiml_lite;
use seedance::runcomfy::{
    seedance_1_0_lite_image_to_video as lite_i2v, seedance_1_0_lite_reference_to_video as lite_r2v,
    seedance_1_0_pro_image_to_video as pro_i2v,
};
use seedance::wavespeed::seedance_v1_lite_reference_to_video as ws_r2v;

fn page_body(name: &str) -> Value {
    let path = format!(
        "{}/fixtures/page-examples/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn body(input: &impl serde::Serialize) -> Value {
    serde_json::to_value(input).unwrap()
}

#[test]
fn runcomfy_lite_reference_to_video_page_example() {
    let page = page_body("runcomfy-lite-reference-to-video");
    let input = lite_r2v::Input::new(
        "the woman is standing beside the boats, her feet soaked in water",
        [
            "https://playgrounds-storage-public.runcomfy.net/tools/7002/media-files/usecase5-1-1-input.jpg",
            "https://playgrounds-storage-public.runcomfy.net/tools/7002/media-files/usecase5-1-2-input.jpg",
        ],
    );
    assert_eq!(body(&input), page);
    assert!(input.validate().is_ok());
}

#[test]
fn runcomfy_pro_image_to_video_page_example() {
    let page = page_body("runcomfy-pro-image-to-video");
    let input = pro_i2v::Input::new(
        page["prompt"].as_str().unwrap(),
        "https://playgrounds-storage-public.runcomfy.net/tools/7002/media-files/usecase3-1-2-input.jpeg",
    );
    assert_eq!(body(&input), page);
    assert!(input.validate().is_ok());
}

/// The lite image-to-video page sends empty strings; the builder reproduces
/// them, and `validate()` says why the vendor would refuse them.
#[test]
fn runcomfy_lite_image_to_video_page_example() {
    let page = page_body("runcomfy-lite-image-to-video");
    let input = lite_i2v::Input::new("", "");
    assert_eq!(body(&input), page);
    let errors = input.validate().unwrap_err();
    assert_eq!(errors.violations.len(), 1);
    assert_eq!(errors.violations[0].field, "first_frame_image_url");
}

/// The WaveSpeed page's example omits the two required fields; the typed
/// builder cannot, so the body is the page's plus exactly those two.
#[test]
fn wavespeed_page_example_plus_required_fields() {
    let page = page_body("wavespeed-lite-reference-to-video");
    let input = ws_r2v::Input::new("a cat surfing", ["https://example.com/cat.png"])
        .duration(5)
        .camera_fixed(false);
    let mut expected = page.as_object().unwrap().clone();
    expected.insert("prompt".into(), json!("a cat surfing"));
    expected.insert(
        "reference_images".into(),
        json!(["https://example.com/cat.png"]),
    );
    assert_eq!(body(&input), Value::Object(expected));
}

/// The AI/ML API page shows no body; the builder fills in the constant model id.
#[test]
fn aimlapi_body_carries_the_constant_model_id() {
    let input = aiml_lite::Input::new(
        "Mona Lisa puts on glasses with her hands.",
        "https://example.com/mona-lisa.png",
    )
    .resolution(aiml_lite::Resolution::P720)
    .duration(aiml_lite::DurationValue::S5);
    assert_eq!(
        body(&input),
        json!({
            "model": "bytedance/seedance-1-0-lite-i2v",
            "image_url": "https://example.com/mona-lisa.png",
            "prompt": "Mona Lisa puts on glasses with her hands.",
            "resolution": "720p",
            "duration": 5,
        })
    );
}

#[test]
fn unset_optionals_are_omitted_and_integer_enums_are_integers() {
    let input = pro_i2v::Input::new("p", "https://example.com/a.png");
    assert_eq!(body(&input).as_object().unwrap().len(), 2);
    let input = input
        .duration(pro_i2v::DurationValue::S12)
        .ratio(pro_i2v::Ratio::R21x9);
    assert_eq!(body(&input)["duration"], json!(12));
    assert_eq!(body(&input)["ratio"], json!("21:9"));
}

#[test]
fn bodies_round_trip_and_unknown_fields_are_refused() {
    let input = lite_r2v::Input::new("text", ["https://example.com/a.png"])
        .resolution(lite_r2v::Resolution::P720)
        .seed(7);
    let back: lite_r2v::Input = serde_json::from_value(body(&input)).unwrap();
    assert_eq!(back, input);
    let typo = json!({"images": ["https://example.com/a.png"], "text": "t", "resolutoin": "720p"});
    let error = serde_json::from_value::<lite_r2v::Input>(typo)
        .unwrap_err()
        .to_string();
    assert!(error.contains("resolutoin"), "{error}");
}
