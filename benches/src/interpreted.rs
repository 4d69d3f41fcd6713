//! The five bench models as the run-time catalog has them: their IR,
//! converted from `schemas/` by the converter codegen and the catalog share,
//! for the catalog bench and the interpreted instruction counts.

use seedance_converter::ir;

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
