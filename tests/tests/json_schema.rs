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

/// The request schema of an AI/ML API OpenAPI document.
fn request_schema(document: &Value) -> Value {
    document["paths"]["/v2/video/generations"]["post"]["requestBody"]["content"]["application/json"]
        ["schema"]
        .clone()
}

/// The format a property reports: the vendor's, or the media kind its image
/// rules or `x-accept` imply (`image_uri`) where the vendor wrote `uri` or none.
/// The format codegen gives a field: the written one, or the media kind its
/// image rules, `x-accept` or the vendor's `media_fields` (`media`) imply
/// when it is absent or a plain `uri`.
fn expected_format(vendor_prop: &Value, media: Option<&str>) -> Option<Value> {
    let written = vendor_prop.get("format").cloned();
    let image = vendor_prop.get("validations").is_some()
        || vendor_prop
            .get("x-accept")
            .and_then(Value::as_str)
            .is_some_and(|a| a.starts_with("image/"));
    let implied = if image { Some("image") } else { media };
    match (written.as_ref().and_then(Value::as_str), implied) {
        (None | Some("uri"), Some(kind)) => Some(Value::from(format!("{kind}_uri"))),
        _ => written,
    }
}

fn assert_keeps_vendor_schema<T: schemars::JsonSchema>(vendor: &Value, path: &str) {
    let emitted = serde_json::to_value(schemars::schema_for!(T)).unwrap();
    assert_keeps(&emitted, vendor, path);
}

fn assert_keeps(emitted: &Value, vendor: &Value, path: &str) {
    // `path` starts with the vendor id, whose manifest may name media fields.
    let vendor_id = path.split(' ').next().unwrap();
    let manifest = schema_file(&format!("{vendor_id}/vendor.json"));
    let media = |name: &str| manifest["media_fields"][name].as_str();
    assert_eq!(emitted["required"], vendor["required"], "{path}: required");
    let vendor_props = vendor["properties"].as_object().unwrap();
    let emitted_props = emitted["properties"].as_object().unwrap();
    let order: Vec<&String> = match vendor.get("x-order-properties") {
        Some(order) => order
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|n| {
                vendor_props
                    .get_key_value(n.as_str().unwrap())
                    .map(|(k, _)| k)
            })
            .collect(),
        None => vendor_props.keys().collect(),
    };
    assert_eq!(
        emitted_props.keys().collect::<Vec<_>>(),
        order,
        "{path}: properties"
    );
    for (name, vendor_prop) in vendor_props {
        let emitted_prop = &emitted_props[name];
        for keyword in CHECKED_KEYWORDS {
            let (emitted, vendor) = match *keyword {
                "format" if vendor_prop["type"] == "array" => {
                    // On a list, the format (written or implied) is each item's.
                    let mut items = vendor_prop["items"].clone();
                    for key in ["validations", "x-accept"] {
                        if let Some(value) = vendor_prop.get(key) {
                            items[key] = value.clone();
                        }
                    }
                    (
                        emitted_prop["items"].get("format").cloned(),
                        expected_format(&items, media(name)),
                    )
                }
                "format" => (
                    emitted_prop.get("format").cloned(),
                    expected_format(vendor_prop, media(name)),
                ),
                "items" => (
                    emitted_prop.get("items").map(|i| i["type"].clone()),
                    vendor_prop.get("items").map(|i| i["type"].clone()),
                ),
                // A one-value `model` enum of an OpenAPI document is a constant.
                "enum" | "const" if name == "model" => continue,
                _ => (
                    emitted_prop.get(*keyword).cloned(),
                    vendor_prop.get(*keyword).cloned(),
                ),
            };
            assert_eq!(emitted, vendor, "{path}: {name}.{keyword}");
        }
    }
    assert_eq!(emitted["additionalProperties"], Value::Bool(false));
}

#[test]
fn runcomfy_schemas_are_kept() {
    use seedance::runcomfy::*;
    let check = |path: &str| schema_file(path);
    assert_keeps_vendor_schema::<seedance_1_0_lite_reference_to_video::Input>(
        &check("runcomfy/bytedance/seedance-1-0/lite/reference-to-video.json"),
        "runcomfy lite reference-to-video",
    );
    assert_keeps_vendor_schema::<seedance_1_0_pro_image_to_video::Input>(
        &check("runcomfy/bytedance/seedance-1-0/pro/image-to-video.json"),
        "runcomfy pro image-to-video",
    );
    assert_keeps_vendor_schema::<seedance_1_0_lite_image_to_video::Input>(
        &check("runcomfy/bytedance/seedance-1-0/lite/image-to-video.json"),
        "runcomfy lite image-to-video",
    );
}

#[test]
fn wavespeed_request_schema_is_kept() {
    assert_keeps_vendor_schema::<seedance::wavespeed::seedance_v1_lite_reference_to_video::Input>(
        &schema_file("wavespeed/bytedance/seedance-v1-lite/reference-to-video.json"),
        "wavespeed reference-to-video",
    );
}

/// Every AI/ML API document of `schemas/aimlapi/` (found through the lock
/// file), against the JSON Schema its compiled model reports.
#[test]
fn aimlapi_openapi_request_schemas_are_kept() {
    let lock = schema_file("aimlapi/lock.json");
    let entries = lock["models"].as_object().unwrap();
    assert_eq!(entries.len(), 13, "the vendor's ByteDance folder");
    for (model, entry) in entries {
        let file = entry["file"].as_str().unwrap();
        let mut request = request_schema(&schema_file(&format!("aimlapi/{file}")));
        // An integer enum's string default ("5") is a vendor mistake that
        // codegen reports and leaves out rather than show.
        for property in request["properties"].as_object_mut().unwrap().values_mut() {
            if property["type"] == "integer" && property["default"].is_string() {
                property.as_object_mut().unwrap().remove("default");
            }
        }
        let info = seedance::catalog::find(&format!("aimlapi/{model}"))
            .unwrap_or_else(|| panic!("{model} is compiled in"));
        let emitted = serde_json::to_value((info.json_schema)()).unwrap();
        assert_keeps(&emitted, &request, &format!("aimlapi {model}"));
    }
}

#[test]
fn enum_types_report_their_wire_values() {
    use seedance::runcomfy::seedance_1_0_pro_image_to_video::{DurationValue, Ratio};
    let ratio = serde_json::to_value(schemars::schema_for!(Ratio)).unwrap();
    assert_eq!(ratio["type"], "string");
    assert_eq!(ratio["enum"][6], "adaptive");
    let duration = serde_json::to_value(schemars::schema_for!(DurationValue)).unwrap();
    assert_eq!(duration["type"], "integer");
    assert_eq!(duration["enum"][0], 2);
}
