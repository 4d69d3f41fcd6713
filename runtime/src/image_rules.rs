//! The image rules of the schema dialect (`validations`: pixels, ratio, file
//! size): what the prober measured ([`ImageFacts`]), one rule of a field
//! ([`ImageRule`]) and one image reference of an input ([`ImageInput`]).
//!
//! They are defined with the rest of local validation, whose vocabulary
//! (field paths, rules, violations) a rule's check speaks, in
//! `validation/image.rs`; this module keeps their old path. It depends on
//! `validation` and not the other way round.

pub use crate::validation::{BYTES_PER_MB, ImageFacts, ImageInput, ImageRule, ImageRuleKind};
