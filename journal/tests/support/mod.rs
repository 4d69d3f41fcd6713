//! Helpers shared by the journal's tests.
pub mod postgres;
