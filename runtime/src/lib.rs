//! Runtime support for the generated `seedance` crate: the traits that bind a
//! generated model to its vendor, local validation support, and (in later
//! modules) the HTTP transport, vendor protocols and job tracking.
//!
//! This crate never knows a model: models live in generated code only.

pub mod model;
pub mod validation;

pub use model::{Model, Protocol, Vendor};
pub use validation::{
    FieldPath, ImageFacts, ImageInput, ImageRule, ImageRuleKind, Rule, ValidationErrors, Validator,
    Violation,
};
