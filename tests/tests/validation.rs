//! `validate()` reports every broken local rule together, each with field
//! path, rule, limit, actual value and the vendor's message where it has one.

use seedance::runcomfy::{
    seedance_1_0_lite_image_to_video as lite_i2v, seedance_1_0_lite_reference_to_video as lite_r2v,
};
use seedance::runtime::validation::{ImageRuleKind, Rule};
use seedance::wavespeed::seedance_v1_lite_reference_to_video as ws_r2v;
use seedance::{Model, Violation};

const IMAGE: &str = "https://example.com/a.png";

fn violations(result: Result<(), seedance::ValidationErrors>) -> Vec<Violation> {
    result.expect_err("the input breaks a rule").violations
}

#[test]
fn max_length_counts_characters() {
    // 1900 two-byte characters are within maxLength 1900; one more is not.
    let at_limit = lite_i2v::Input::new("é".repeat(1900), IMAGE);
    assert!(at_limit.validate().is_ok());
    let over = violations(lite_i2v::Input::new("é".repeat(1901), IMAGE).validate());
    assert_eq!(over.len(), 1);
    assert_eq!(
        (over[0].field.as_str(), over[0].rule),
        ("prompt", Rule::MaxLength)
    );
    assert_eq!(
        (over[0].limit.as_str(), over[0].actual.as_str()),
        ("1900", "1901 characters")
    );
}

#[test]
fn item_counts_are_checked() {
    let none = violations(lite_r2v::Input::new("t", Vec::<String>::new()).validate());
    assert_eq!(
        (none[0].field.as_str(), none[0].rule, none[0].limit.as_str()),
        ("images", Rule::MinItems, "1")
    );
    let five = violations(lite_r2v::Input::new("t", [IMAGE; 5]).validate());
    assert_eq!(
        (five[0].rule, five[0].actual.as_str()),
        (Rule::MaxItems, "5 items")
    );
    assert!(lite_r2v::Input::new("t", [IMAGE; 4]).validate().is_ok());
}

#[test]
fn ranges_are_inclusive() {
    let ok = ws_r2v::Input::new("p", [IMAGE]).duration(2).seed(-1);
    assert!(ok.validate().is_ok());
    let ok = ws_r2v::Input::new("p", [IMAGE])
        .duration(12)
        .seed(2_147_483_647);
    assert!(ok.validate().is_ok());
    let bad = violations(
        ws_r2v::Input::new("p", [IMAGE])
            .duration(13)
            .seed(-2)
            .validate(),
    );
    let summary: Vec<_> = bad
        .iter()
        .map(|v| {
            (
                v.field.as_str(),
                v.rule,
                v.limit.as_str(),
                v.actual.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("duration", Rule::Maximum, "12", "13"),
            ("seed", Rule::Minimum, "-1", "-2")
        ]
    );
}

#[test]
fn image_fields_must_be_urls_or_data_uris_with_item_paths() {
    let images = [IMAGE, "data:image/png;base64,iVBORw0KGgo=", "not a url"];
    let bad = violations(lite_r2v::Input::new("t", images).validate());
    assert_eq!(bad.len(), 1);
    assert_eq!(
        (bad[0].field.as_str(), bad[0].rule),
        ("images[2]", Rule::Format("image_uri"))
    );
    assert_eq!(bad[0].actual, "\"not a url\"");
}

#[test]
fn all_violations_come_together_and_read_well() {
    let input = ws_r2v::Input::new("p", ["ftp://example.com/a.png", IMAGE, IMAGE, IMAGE, IMAGE])
        .duration(1)
        .seed(4_000_000_000);
    let errors = input.validate().unwrap_err();
    assert_eq!(errors.violations.len(), 4);
    insta::assert_snapshot!(errors.to_string(), @r#"
    4 violations
      - reference_images: must have at most 4 items; it has 5 items
      - reference_images[0]: must be an http(s) URL or data:image/... URI; it is "ftp://example.com/a.png"
      - duration: must be at least 2; it is 1
      - seed: must be at most 2147483647; it is 4000000000
    "#);
}

#[test]
fn image_rules_are_data_with_strict_operators_and_vendor_messages() {
    let input = lite_i2v::Input::new("p", IMAGE).last_frame_image_url("https://example.com/b.png");
    let images = input.image_inputs();
    let fields: Vec<String> = images.iter().map(|i| i.field.to_string()).collect();
    assert_eq!(fields, ["first_frame_image_url", "last_frame_image_url"]);
    let rules = images[0].rules;
    assert_eq!(rules.len(), 7);
    let width_below = rules
        .iter()
        .find(|r| r.kind == ImageRuleKind::WidthBelow)
        .unwrap();
    assert_eq!(width_below.limit, 6000.0);
    assert_eq!(
        width_below.message,
        "The uploaded image width and height must not exceed 6000 pixels."
    );
    let ratio_above = rules
        .iter()
        .find(|r| r.kind == ImageRuleKind::RatioAbove)
        .unwrap();
    assert_eq!(ratio_above.limit, 0.4);

    // WaveSpeed publishes no image rules: its images are checked for URL
    // form only, and nothing is fetched before submit.
    let two_images = ws_r2v::Input::new("p", [IMAGE, IMAGE]);
    assert!(two_images.image_inputs().is_empty());
}
