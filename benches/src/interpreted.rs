//! The five bench models as the run-time catalog has them: their IR,
//! converted from `schemas/` by the converter codegen and the catalog share,
//! for the catalog bench and the interpreted instruction counts.

use seedance_converter::ir;

/// Each bench case's `vendor/model` name.
pub fn name_of(case_id: &str) -> &'static str {
    match case_id {
        "aimlapi_lite_i2v" => "aimlapi/bytedance/seedance-1-0-lite-i2v",
        "runcomfy_lite_i2v" => "runcomfy/bytedance/seedance-1-0/lite/image-to-video",
        "runcomfy_lite_r2v" => "runcomfy/bytedance/seedance-1-0/lite/reference-to-video",
        "runcomfy_pro_i2v" => "runcomfy/bytedance/seedance-1-0/pro/image-to-video",
        "wavespeed_lite_r2v" => "wavespeed/bytedance/seedance-v1-lite/reference-to-video",
        other => panic!("no model for bench case {other}"),
    }
}

/// Every model of `schemas/`, converted as codegen converts them.
pub fn corpus() -> ir::Corpus {
    let schemas = crate::workspace_root().join("schemas");
    seedance_converter::corpus(&schemas).expect("schemas convert")
}

/// The IR of `name` (`vendor/model`) in `corpus`.
pub fn ir_of(corpus: &ir::Corpus, name: &str) -> ir::Model {
    let (vendor, model) = name.split_once('/').expect("vendor/model");
    corpus
        .vendors
        .iter()
        .filter(|v| v.id == vendor)
        .flat_map(|v| &v.models)
        .find(|m| m.path == model)
        .unwrap_or_else(|| panic!("{name} not in the corpus"))
        .clone()
}
