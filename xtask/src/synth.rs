//! Synthetic schema corpora for the regen-scaling benchmark: `n` model
//! schemas in the vendor dialect, spread over the three vendors, plus each
//! vendor's `vendor.json`.
//!
//! Standard library only: `cargo xtask synth N OUT_DIR` writes one, and the
//! benches call it as `xtask::synth`.
//!
//! Every model follows one of four shapes taken from the real schemas
//! (image-to-video with a long-prompt limit, reference-to-video with an image
//! array, a WaveSpeed-style form with integer ranges, an AI/ML API form with
//! a `model` constant), varied by its number (limits, enum values, extra
//! fields) so no two models generate the same code.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

/// The vendors models are spread over: (folder, manifest).
const VENDORS: [(&str, &str); 3] = [
    (
        "runcomfy",
        r#"{
  "$comment": "Synthetic corpus (cargo xtask synth).",
  "name": "RunComfy",
  "protocol": "runcomfy",
  "base_url": "https://model-api.runcomfy.net",
  "token_env": "RUNCOMFY_API_TOKEN",
  "submit_path": "/v1/models/{model}",
  "output_schema": {"type": "object", "properties": {"video": {"type": "string", "format": "uri"}}}
}
"#,
    ),
    (
        "aimlapi",
        r#"{
  "$comment": "Synthetic corpus (cargo xtask synth).",
  "name": "AI/ML API",
  "protocol": "aimlapi",
  "base_url": "https://api.aimlapi.com",
  "token_env": "AIMLAPI_API_KEY",
  "submit_path": "/v2/generate/video/bytedance/generation",
  "output_schema": {"type": "object", "properties": {"video": {"type": "object", "properties": {"url": {"type": "string", "format": "uri"}}}}}
}
"#,
    ),
    (
        "wavespeed",
        r#"{
  "$comment": "Synthetic corpus (cargo xtask synth).",
  "name": "WaveSpeed AI",
  "protocol": "wavespeed",
  "base_url": "https://api.wavespeed.ai",
  "token_env": "WAVESPEED_API_KEY",
  "submit_path": "/api/v3/{model}",
  "output_schema": {"type": "object", "properties": {"outputs": {"type": "array", "items": {"type": "string", "format": "uri"}}}}
}
"#,
    ),
];

/// ByteDance's image rules, as RunComfy writes them.
const IMAGE_RULES: &str = r#"[
        {"validation_rule": "width_pixels<", "validation_value": 6000, "validation_error": "The uploaded image width and height must not exceed 6000 pixels."},
        {"validation_rule": "height_pixels<", "validation_value": 6000, "validation_error": "The uploaded image width and height must not exceed 6000 pixels."},
        {"validation_rule": "width_pixels>", "validation_value": 300, "validation_error": "The uploaded image width and height must not be less than 300 pixels."},
        {"validation_rule": "height_pixels>", "validation_value": 300, "validation_error": "The uploaded image width and height must not be less than 300 pixels."},
        {"validation_rule": "width/height>", "validation_value": 0.4, "validation_error": "The aspect ratio range should be between 0.4 and 2.5."},
        {"validation_rule": "width/height<", "validation_value": 2.5, "validation_error": "The aspect ratio range should be between 0.4 and 2.5."},
        {"validation_rule": "file_size_mb<", "validation_value": 30, "validation_error": "File size must be less than 30 MB."}
      ]"#;

/// Writes a corpus of `n` models under `out` (created if missing; existing
/// files of the same names are overwritten). Returns the schema files written
/// (manifests not counted).
pub fn write_corpus(n: usize, out: &Path) -> io::Result<usize> {
    for (folder, manifest) in VENDORS {
        let dir = out.join(folder).join("synth");
        fs::create_dir_all(&dir)?;
        fs::write(out.join(folder).join("vendor.json"), manifest)?;
    }
    for i in 0..n {
        let (folder, _) = VENDORS[i % VENDORS.len()];
        let (name, schema) = model(i, folder);
        fs::write(
            out.join(folder).join("synth").join(format!("{name}.json")),
            schema,
        )?;
    }
    Ok(n)
}

/// File stem and schema text of model number `i` of vendor `folder`.
pub fn model(i: usize, folder: &str) -> (String, String) {
    let shape = (i / VENDORS.len()) % 4;
    let name = match shape {
        0 => format!("model-{i:05}-image-to-video"),
        1 => format!("model-{i:05}-reference-to-video"),
        2 => format!("model-{i:05}-ranged"),
        _ => format!("model-{i:05}-lite-i2v"),
    };
    let mut props = Vec::new();
    let mut required = vec!["\"prompt\"".to_owned()];
    props.push(format!(
        r#""prompt": {{"title": "Prompt", "description": "The prompt of model {i}.", "type": "string", "maxLength": {}}}"#,
        500 + i % 2000
    ));
    let shape = match shape {
        0 => image_to_video(),
        1 => reference_to_video(i),
        2 => ranged(i),
        _ => lite_i2v(),
    };
    required.push(format!("\"{}\"", shape.required));
    props.extend(shape.props);
    if folder == "aimlapi" {
        required.push("\"model\"".to_owned());
        props.push(format!(
            r#""model": {{"title": "Model", "type": "string", "const": "synth/{name}"}}"#
        ));
    }
    props.extend(common_props(i));
    (name, schema_text(i, &required, &props))
}

/// What a shape adds to the prompt: its required media field (wire name)
/// and its properties (`"name": {...}` texts) in order.
struct Shape {
    required: &'static str,
    props: Vec<String>,
}

/// Image-to-video: a first and a last frame, both with image rules.
fn image_to_video() -> Shape {
    Shape {
        required: "first_frame_image_url",
        props: vec![
            format!(
                r#""first_frame_image_url": {{"title": "First Frame Image", "type": "string", "validations": {IMAGE_RULES}}}"#
            ),
            format!(
                r#""last_frame_image_url": {{"title": "Last Frame Image", "description": "Ignored at 1080p.", "type": "string", "validations": {IMAGE_RULES}}}"#
            ),
        ],
    }
}

/// Reference-to-video: an image list whose length limit and ratio enum vary
/// with `i`.
fn reference_to_video(i: usize) -> Shape {
    Shape {
        required: "images",
        props: vec![
            format!(
                r#""images": {{"title": "Images", "type": "array", "items": {{"type": "string", "format": "image_uri"}}, "minItems": 1, "maxItems": {}, "validations": {IMAGE_RULES}}}"#,
                2 + i % 4
            ),
            format!(
                r#""ratio": {{"title": "Aspect Ratio", "type": "string", "enum": ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9"{}], "default": "16:9"}}"#,
                if i % 2 == 0 { r#", "adaptive""# } else { "" }
            ),
        ],
    }
}

/// A WaveSpeed-style form: reference images and integer, number and boolean
/// settings, the step limit varying with `i`.
fn ranged(i: usize) -> Shape {
    Shape {
        required: "reference_images",
        props: vec![
            format!(
                r#""reference_images": {{"title": "Reference Images", "type": "array", "items": {{"type": "string", "format": "uri"}}, "minItems": 1, "maxItems": 4, "validations": {IMAGE_RULES}}}"#
            ),
            format!(
                r#""steps": {{"title": "Steps", "type": "integer", "minimum": 1, "maximum": {}, "default": 20}}"#,
                30 + i % 70
            ),
            r#""guidance": {"title": "Guidance", "type": "number", "minimum": 0, "maximum": 20}"#
                .to_owned(),
            r#""camera_fixed": {"title": "Camera Fixed", "type": "boolean", "default": false}"#
                .to_owned(),
        ],
    }
}

/// A light image-to-video form: one image and a deprecated setting.
fn lite_i2v() -> Shape {
    Shape {
        required: "image_url",
        props: vec![
            format!(
                r#""image_url": {{"title": "Image URL", "type": "string", "format": "uri", "validations": {IMAGE_RULES}}}"#
            ),
            r#""watermark": {"title": "Watermark", "type": "boolean", "default": false, "deprecated": true}"#
                .to_owned(),
        ],
    }
}

/// The properties every model ends with (resolution, duration, seed), their
/// enums varied by `i`.
fn common_props(i: usize) -> Vec<String> {
    let durations: Vec<String> = (2..=(5 + i % 8)).map(|d| d.to_string()).collect();
    vec![
        format!(
            r#""resolution": {{"title": "Resolution", "type": "string", "enum": ["480p", "720p"{}], "default": "480p"}}"#,
            if i % 3 == 0 { r#", "1080p""# } else { "" }
        ),
        format!(
            r#""duration": {{"title": "Duration", "type": "integer", "enum": [{}], "default": 5}}"#,
            durations.join(", ")
        ),
        r#""seed": {"title": "Seed", "type": "integer", "minimum": -1, "maximum": 2147483647}"#
            .to_owned(),
    ]
}

/// The schema file's text: an object of `props`, `required` listing the
/// required ones (each already quoted).
fn schema_text(i: usize, required: &[String], props: &[String]) -> String {
    let mut text = String::new();
    let _ = write!(
        text,
        "{{\n  \"$comment\": \"Synthetic model {i} (cargo xtask synth).\",\n  \"type\": \"object\",\n  \"title\": \"Input\",\n  \"required\": [{}],\n  \"properties\": {{\n    {}\n  }}\n}}\n",
        required.join(", "),
        props.join(",\n    ")
    );
    text
}
