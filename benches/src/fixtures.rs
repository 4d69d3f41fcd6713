//! The five generated models, each with a valid input and an invalid one that
//! both the generated `validate()` and a JSON Schema validator reject through
//! a standard keyword.
//!
//! Typed inputs come from the generated constructors; the JSON texts are
//! those inputs serialized (valid case) or edited (invalid case), so both
//! sides always judge the same request.

use seedance::aimlapi::seedance_1_0_lite_i2v as aiml;
use seedance::runcomfy::{
    seedance_1_0_lite_image_to_video as lite_i2v, seedance_1_0_lite_reference_to_video as lite_r2v,
    seedance_1_0_pro_image_to_video as pro_i2v,
};
use seedance::wavespeed::seedance_v1_lite_reference_to_video as ws_r2v;
use serde_json::{Value, json};

/// A realistic prompt (about 300 characters).
pub const PROMPT: &str = "A pair of stylish round sunglasses rests on a sleek table. A man's hand enters the frame, delicately picking them up. The camera follows the movement of the sunglasses, smoothly rising up from the table while subtly adjusting focus, and the background blends into a vibrant yellow wall.";

/// A public-looking image URL.
pub const IMAGE: &str = "https://playgrounds-storage-public.runcomfy.net/tools/7002/media-files/usecase3-1-2-input.jpeg";

/// One model of the benchmark.
#[derive(Debug, Clone)]
pub struct Case {
    /// Short id used in bench names (`aimlapi_lite_i2v`).
    pub id: &'static str,
    /// The model's `vendor/model` name (the catalog's).
    pub model: &'static str,
    /// Schema file, relative to the workspace root.
    pub schema: &'static str,
    /// A valid input as JSON text.
    pub valid_json: String,
    /// An invalid input as JSON text.
    pub invalid_json: String,
    /// What makes it invalid (the standard keyword both sides check).
    pub invalid_because: &'static str,
    /// Whether the invalid input can be held by the typed `Input` at all
    /// (an enum violation cannot: it is a compile error).
    pub invalid_typed: bool,
}

impl Case {
    /// The schema file, parsed.
    pub fn schema_value(&self) -> Value {
        let path = crate::workspace_root().join(self.schema);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        serde_json::from_str(&text).expect("schema is JSON")
    }
}

/// Valid AI/ML API input.
pub fn aimlapi_valid() -> aiml::Input {
    aiml::Input::new(PROMPT, IMAGE)
        .resolution(aiml::Resolution::P720)
        .duration(aiml::DurationValue::S5)
        .seed(42)
        .camerafixed(false)
}

/// Valid RunComfy lite image-to-video input.
pub fn lite_i2v_valid() -> lite_i2v::Input {
    lite_i2v::Input::new(PROMPT, IMAGE)
        .last_frame_image_url(IMAGE)
        .resolution(lite_i2v::Resolution::P720)
        .duration(lite_i2v::DurationValue::S5)
}

/// RunComfy lite image-to-video input with a 2,000-character prompt
/// (`maxLength` 1900).
pub fn lite_i2v_invalid() -> lite_i2v::Input {
    lite_i2v::Input::new("x".repeat(2000), IMAGE).resolution(lite_i2v::Resolution::P720)
}

/// Valid RunComfy lite reference-to-video input (three images).
pub fn lite_r2v_valid() -> lite_r2v::Input {
    lite_r2v::Input::new(PROMPT, [IMAGE, IMAGE, IMAGE])
        .resolution(lite_r2v::Resolution::P720)
        .ratio(lite_r2v::Ratio::R16x9)
        .duration(lite_r2v::DurationValue::S5)
        .seed(53_154_020)
}

/// RunComfy lite reference-to-video input with five images (`maxItems` 4).
pub fn lite_r2v_invalid() -> lite_r2v::Input {
    lite_r2v::Input::new(PROMPT, [IMAGE; 5]).resolution(lite_r2v::Resolution::P720)
}

/// Valid RunComfy pro image-to-video input.
pub fn pro_i2v_valid() -> pro_i2v::Input {
    pro_i2v::Input::new(PROMPT, IMAGE)
        .resolution(pro_i2v::Resolution::P1080)
        .ratio(pro_i2v::Ratio::Adaptive)
        .duration(pro_i2v::DurationValue::S5)
}

/// Valid WaveSpeed reference-to-video input (two images).
pub fn wavespeed_valid() -> ws_r2v::Input {
    ws_r2v::Input::new(PROMPT, [IMAGE, IMAGE])
        .duration(5)
        .camera_fixed(true)
        .seed(7)
}

/// WaveSpeed input with a 13 s duration (`maximum` 12).
pub fn wavespeed_invalid() -> ws_r2v::Input {
    ws_r2v::Input::new(PROMPT, [IMAGE, IMAGE]).duration(13)
}

fn text<T: serde::Serialize>(input: &T) -> String {
    serde_json::to_string(input).expect("inputs serialize")
}

fn edited(valid: &str, field: &str, value: Value) -> String {
    let mut value_json: Value = serde_json::from_str(valid).expect("valid JSON");
    value_json[field] = value;
    value_json.to_string()
}

/// The five cases, in a fixed order.
pub fn cases() -> Vec<Case> {
    let aiml = text(&aimlapi_valid());
    let pro = text(&pro_i2v_valid());
    vec![
        Case {
            id: "aimlapi_lite_i2v",
            model: "aimlapi/bytedance/seedance-1-0-lite-i2v",
            schema: "generated/schemas/aimlapi/seedance_1_0_lite_i2v.json",
            invalid_json: edited(&aiml, "resolution", json!("4k")),
            valid_json: aiml,
            invalid_because: "resolution \"4k\" (enum)",
            invalid_typed: false,
        },
        Case {
            id: "runcomfy_lite_i2v",
            model: "runcomfy/bytedance/seedance-1-0/lite/image-to-video",
            schema: "schemas/runcomfy/bytedance/seedance-1-0/lite/image-to-video.json",
            valid_json: text(&lite_i2v_valid()),
            invalid_json: text(&lite_i2v_invalid()),
            invalid_because: "2,000-character prompt (maxLength 1900)",
            invalid_typed: true,
        },
        Case {
            id: "runcomfy_lite_r2v",
            model: "runcomfy/bytedance/seedance-1-0/lite/reference-to-video",
            schema: "schemas/runcomfy/bytedance/seedance-1-0/lite/reference-to-video.json",
            valid_json: text(&lite_r2v_valid()),
            invalid_json: text(&lite_r2v_invalid()),
            invalid_because: "5 images (maxItems 4)",
            invalid_typed: true,
        },
        Case {
            id: "runcomfy_pro_i2v",
            model: "runcomfy/bytedance/seedance-1-0/pro/image-to-video",
            schema: "schemas/runcomfy/bytedance/seedance-1-0/pro/image-to-video.json",
            invalid_json: edited(&pro, "duration", json!(13)),
            valid_json: pro,
            invalid_because: "duration 13 (enum)",
            invalid_typed: false,
        },
        Case {
            id: "wavespeed_lite_r2v",
            model: "wavespeed/bytedance/seedance-v1-lite/reference-to-video",
            schema: "schemas/wavespeed/bytedance/seedance-v1-lite/reference-to-video.json",
            valid_json: text(&wavespeed_valid()),
            invalid_json: text(&wavespeed_invalid()),
            invalid_because: "duration 13 (maximum 12)",
            invalid_typed: true,
        },
    ]
}
