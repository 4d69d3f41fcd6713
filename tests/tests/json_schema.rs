//! The JSON Schema each generated input reports (`schemars::JsonSchema`) keeps
//! the vendor file's required list, enums, bounds, formats and image rules.

use std::path::Path;

use serde_json::Value;

const CHECKED_KEYWORDS: &[&str] = &[
    "type",
    "enum",
    "const",
    "maxLength",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "format",
    "items",
    "validations",
    "default",
];

fn schema_file(path: &str) -> Value {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../schemas")
        .join(path);
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

fn assert_keeps_vendor_schema<T: schemars::JsonSchema>(path: &str) {
    let vendor = schema_file(path);
    let emitted = serde_json::to_value(schemars::schema_for!(T)).unwrap();
    assert_eq!(emitted["required"], vendor["required"], "{path}: required");
    let vendor_props = vendor["properties"].as_object().unwrap();
    let emitted_props = emitted["properties"].as_object().unwrap();
    assert_eq!(
        emitted_props.keys().collect::<Vec<_>>(),
        vendor_props.keys().collect::<Vec<_>>(),
        "{path}: properties"
    );
    for (name, vendor_prop) in vendor_props {
        for keyword in CHECKED_KEYWORDS {
            assert_eq!(
                emitted_props[name].get(*keyword),
                vendor_prop.get(*keyword),
                "{path}: {name}.{keyword}"
            );
        }
    }
    assert_eq!(emitted["additionalProperties"], Value::Bool(false));
}

#[test]
fn runcomfy_schemas_are_kept() {
    use seedance::runcomfy::*;
    assert_keeps_vendor_schema::<seedance_1_0_lite_reference_to_video::Input>(
        "runcomfy/bytedance/seedance-1-0/lite/reference-to-video.json",
    );
    assert_keeps_vendor_schema::<seedance_1_0_pro_image_to_video::Input>(
        "runcomfy/bytedance/seedance-1-0/pro/image-to-video.json",
    );
    assert_keeps_vendor_schema::<seedance_1_0_lite_image_to_video::Input>(
        "runcomfy/bytedance/seedance-1-0/lite/image-to-video.json",
    );
}

#[test]
fn transcribed_schemas_are_kept() {
    assert_keeps_vendor_schema::<seedance::aimlapi::seedance_1_0_lite_i2v::Input>(
        "aimlapi/bytedance/seedance-1-0-lite-i2v.json",
    );
    assert_keeps_vendor_schema::<seedance::wavespeed::seedance_v1_lite_reference_to_video::Input>(
        "wavespeed/bytedance/seedance-v1-lite/reference-to-video.json",
    );
}

#[test]
fn enum_types_report_their_wire_values() {
    use seedance::runcomfy::seedance_1_0_pro_image_to_video::{Duration, Ratio};
    let ratio = serde_json::to_value(schemars::schema_for!(Ratio)).unwrap();
    assert_eq!(ratio["type"], "string");
    assert_eq!(ratio["enum"][6], "adaptive");
    let duration = serde_json::to_value(schemars::schema_for!(Duration)).unwrap();
    assert_eq!(duration["type"], "integer");
    assert_eq!(duration["enum"][0], 2);
}
