//! The converter: vendor schema text (JSON input schemas, with their custom
//! `validations` rules) -> the typed IR, and nothing else. Codegen emits
//! Rust from the IR; the run-time catalog checks untyped inputs against it.
//!
//! The pipeline is one way: [`load`] (files or text -> JSON) -> [`convert`]
//! (JSON -> [`ir`], every keyword understood or an error with file and JSON
//! pointer). [`naming`] owns every identifier decision; [`published`] knows
//! where in a vendor's catalog answer its schemas lie.

pub mod convert;
pub mod error;
pub mod ir;
pub mod load;
pub mod naming;
pub mod published;

use std::path::Path;

pub use error::{Error, Problem, Warning};

/// Loads and converts the schemas under `schemas_root`; paths in errors and
/// warnings start at the root's own folder (`schemas/...`).
pub fn corpus(schemas_root: &Path) -> Result<ir::Corpus, Error> {
    convert::convert(&load::load_tree(schemas_root)?)
}

/// [`corpus`], with paths shown relative to `base` (a workspace root).
pub fn corpus_shown_from(schemas_root: &Path, base: &Path) -> Result<ir::Corpus, Error> {
    convert::convert(&load::load_tree_shown_from(schemas_root, base)?)
}
