//! The vendors' published schema forms, read and interpreted as the
//! simulator reads `schemas/`: fixtures under `tests/fixtures/<vendor>/`
//! (RunComfy `float`, `"default": null`, media formats, array and item
//! rules; WaveSpeed `x-` hints and a hidden field; an AI/ML API OpenAPI
//! document with `$ref`, `allOf`, `nullable`, `readOnly` and its mistakes),
//! and the embedded vendor files.

use seedance_sim::schema::{self, Finding, ImageFacts, ModelFile, Problem, Severity, lint_file};
use serde_json::{Value, json};

const RUNCOMFY: &str = include_str!("fixtures/runcomfy/fixture/media-to-video.json");
const WAVESPEED: &str = include_str!("fixtures/wavespeed/fixture/hidden-to-video.json");
const AIMLAPI: &str = include_str!("fixtures/aimlapi/Fixture/seedance-fixture.json");

const URL: &str = "https://example.com/a.png";

fn runcomfy() -> ModelFile {
    ModelFile::read("runcomfy", "fixture/media-to-video.json", RUNCOMFY).unwrap()
}

fn wavespeed() -> ModelFile {
    ModelFile::read("wavespeed", "fixture/hidden-to-video.json", WAVESPEED).unwrap()
}

fn aimlapi() -> ModelFile {
    ModelFile::read("aimlapi", "Fixture/seedance-fixture.json", AIMLAPI).unwrap()
}

/// `(field, rule)` of each problem.
fn broken(file: &ModelFile, input: Value) -> Vec<(String, String)> {
    file.validate(&input)
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

fn errors(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(ToString::to_string)
        .collect()
}

fn warnings(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .map(|f| f.pointer.clone())
        .collect()
}

#[test]
fn runcomfy_float_null_default_and_media_formats() {
    let file = runcomfy();
    assert_eq!(file.model(), "fixture/media-to-video");
    let valid = json!({
        "prompt": "a cat",
        "negative-prompt": "blur",
        "cfgScale": 0.25,
        "reference_images": [URL],
        "motion_video": "https://example.com/move.mp4",
        "soundtrack": "data:audio/mpeg;base64,SUQz",
        "self": true,
    });
    // `not_a_property` is required but names no property: not asked for.
    assert_eq!(broken(&file, valid.clone()), pairs(&[]));
    let mut integer_is_a_float = valid.clone();
    integer_is_a_float["cfgScale"] = json!(1);
    assert_eq!(broken(&file, integer_is_a_float), pairs(&[]));

    let mut invalid = valid;
    invalid["cfgScale"] = json!(1.5);
    invalid["motion_video"] = json!("data:image/png;base64,AAAA");
    invalid["soundtrack"] = json!("data:video/mp4;base64,AAAA");
    // A null default is no default: null is not a string.
    invalid["negative-prompt"] = Value::Null;
    assert_eq!(
        broken(&file, invalid),
        pairs(&[
            ("negative-prompt", "type"),
            ("cfgScale", "maximum"),
            ("motion_video", "format"),
            ("soundtrack", "format"),
        ])
    );
    assert_eq!(
        broken(
            &file,
            json!({ "prompt": "x", "reference_images": [URL], "cfgScale": "0.5" })
        ),
        pairs(&[("cfgScale", "type")])
    );
    assert_eq!(
        broken(
            &file,
            json!({ "prompt": "x", "motion_video": "ftp://x/y.mp4" })
        ),
        pairs(&[("reference_images", "required"), ("motion_video", "format")])
    );
}

#[test]
fn runcomfy_rules_on_an_array_and_on_its_items_apply_to_every_item() {
    let file = runcomfy();
    let input = json!({
        "prompt": "x",
        "reference_images": [URL, URL],
        "style_images": [URL],
    });
    let checks = file.image_checks(&input);
    let listed: Vec<(&str, Vec<&str>)> = checks
        .iter()
        .map(|c| {
            (
                c.field.as_str(),
                c.rules.iter().map(|r| r.rule.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("reference_images[0]", vec!["width_pixels<"]),
            ("reference_images[1]", vec!["width_pixels<"]),
            ("style_images[0]", vec!["file_size_mb<"]),
        ]
    );
    let facts = ImageFacts {
        width: 6000,
        height: 3000,
        file_size: 30 * 1024 * 1024,
    };
    let rules_broken = |index: usize| -> Vec<String> {
        schema::check_image("x", &facts, &checks[index].rules)
            .into_iter()
            .map(|p| p.rule)
            .collect()
    };
    assert_eq!(rules_broken(0), ["width_pixels<"]);
    assert_eq!(rules_broken(2), ["file_size_mb<"]);
    // Items of an array with rules are image references.
    assert_eq!(
        broken(
            &file,
            json!({ "prompt": "x", "reference_images": [URL, "data:text/plain;base64,aGk="] })
        ),
        pairs(&[("reference_images[1]", "format")])
    );
}

#[test]
fn wavespeed_ui_hints_are_ignored_and_hidden_fields_accepted() {
    // UI hints change nothing on the wire, but for `x-accept` (the media kind).
    let file = wavespeed();
    assert_eq!(file.model(), "fixture/hidden-to-video");
    assert_eq!(
        broken(
            &file,
            json!({ "prompt": "x", "image": URL, "guidance": 7.5, "aspectRatio": "9:16",
                    "enable_safety_checker": false })
        ),
        pairs(&[])
    );
    // `x-accept: image/*` makes `image` an image reference.
    assert_eq!(
        broken(
            &file,
            json!({ "prompt": "x", "image": "data:video/mp4;base64,AAAA" })
        ),
        pairs(&[("image", "format")])
    );
    assert_eq!(
        broken(
            &file,
            json!({ "prompt": "x", "guidance": 10.5, "aspectRatio": "1:1",
                    "enable_safety_checker": "no" })
        ),
        pairs(&[
            ("image", "required"),
            ("guidance", "maximum"),
            ("aspectRatio", "enum"),
            ("enable_safety_checker", "type"),
        ])
    );
}

#[test]
fn aimlapi_openapi_document_with_ref_all_of_and_nullable() {
    let file = aimlapi();
    assert_eq!(file.model(), "vendor/seedance-fixture");
    assert_eq!(file.submit_path(), Some("/v2/video/fixture-generations"));
    // `id` is required but readOnly: never asked of a request.
    assert_eq!(
        broken(
            &file,
            json!({ "model": "vendor/seedance-fixture", "prompt": "x", "image_url": null,
                    "resolution": "480p", "duration": 10, "watermark": true })
        ),
        pairs(&[])
    );
    assert_eq!(
        broken(
            &file,
            json!({ "model": "other", "prompt": "x", "image_url": "ftp://e.com/a.png",
                    "resolution": "1080p", "duration": "5" })
        ),
        pairs(&[
            ("model", "enum"),
            ("image_url", "format"),
            ("resolution", "enum"),
            ("duration", "type"),
        ])
    );
    assert_eq!(
        broken(&file, json!({ "resolution": null })),
        pairs(&[
            ("model", "required"),
            ("prompt", "required"),
            ("resolution", "type")
        ])
    );
}

#[test]
fn fixtures_lint_clean_with_the_vendor_mistakes_as_warnings() {
    let runcomfy = lint_file("runcomfy", "fixture/media-to-video.json", RUNCOMFY);
    assert_eq!(errors(&runcomfy), Vec::<String>::new());
    assert_eq!(warnings(&runcomfy), ["/required/2"]);
    let wavespeed = lint_file("wavespeed", "fixture/hidden-to-video.json", WAVESPEED);
    assert_eq!(wavespeed, []);
    let aimlapi = lint_file("aimlapi", "Fixture/seedance-fixture.json", AIMLAPI);
    assert_eq!(errors(&aimlapi), Vec::<String>::new());
    assert_eq!(
        warnings(&aimlapi),
        ["/components/schemas/FixtureInput/properties/duration/default"]
    );
}

#[test]
fn lint_names_what_the_interpreter_cannot_honour() {
    let text = json!({
        "type": "object",
        "properties": {
            "a": { "type": "string", "pattern": "^x$" },
            "b": { "type": "file" },
            "c": { "type": "string", "format": "date-time", "x-unknown-hint": 1 },
            "d": { "type": "array", "items": { "type": "string",
                   "validations": [{ "validation_rule": "depth<", "validation_value": 3 }] } },
            "e": { "$ref": "#/nowhere" }
        }
    })
    .to_string();
    let findings = lint_file("runcomfy", "broken/model.json", &text);
    // The dangling `$ref` makes the file unreadable as a whole.
    assert_eq!(
        errors(&findings),
        [
            "error: runcomfy/broken/model.json#/properties/e/$ref: $ref \"#/nowhere\" does not resolve in this document"
        ]
    );
    let without_ref = text.replace(r##","e":{"$ref":"#/nowhere"}"##, "");
    let findings = lint_file("runcomfy", "broken/model.json", &without_ref);
    let pointers: Vec<&str> = findings.iter().map(|f| f.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/properties/a/pattern",
            "/properties/b/type",
            "/properties/c/format",
            "/properties/c/x-unknown-hint",
            "/properties/d/items/validations/0",
        ]
    );
    assert!(findings.iter().all(|f| f.severity == Severity::Error));
}

#[test]
fn embedded_documents_are_read_by_their_model_enum() {
    let aimlapi: Vec<(String, String)> = schema::models()
        .into_iter()
        .filter(|m| m.vendor == "aimlapi")
        .map(|m| (m.model, m.file))
        .collect();
    assert!(
        aimlapi.contains(&(
            "bytedance/seedance-1-0-lite-i2v".to_owned(),
            "ByteDance/seedance-1.0-lite-image-to-video.json".to_owned()
        )),
        "{aimlapi:?}"
    );
    assert_eq!(aimlapi.len(), 13, "all 13 ByteDance documents: {aimlapi:?}");
    // seedance-2-0's integer enum with the string default "5" is a warning.
    let findings = schema::lint();
    assert_eq!(errors(&findings), Vec::<String>::new());
    assert!(
        findings
            .iter()
            .any(|f| f.file == "aimlapi/ByteDance/seedance-2-0.json"
                && f.pointer.ends_with("/properties/duration/default")
                && f.severity == Severity::Warning),
        "{findings:?}"
    );
    let problems = schema::validate_local(
        "aimlapi",
        "bytedance/seedance-2-0",
        &json!({ "model": "bytedance/seedance-2-0", "prompt": "x", "duration": 15,
                 "audio_url": "data:audio/wav;base64,UklG", "video_urls": ["https://e.com/v.mp4"] }),
    )
    .unwrap();
    assert_eq!(problems, []);
}
