//! Maintainer tasks, as a library so tests can run them on scratch trees:
//! [`regen`] (schemas -> generated crates, with the change report) and
//! [`pull`] (vendor catalogs -> schemas, then regen), with its guards
//! [`model_id`] (which ids may become paths) and [`body`] (answer ceilings).

pub mod body;
pub mod model_id;
pub mod pull;
pub mod regen;
mod sync;
pub mod synth;

use std::path::{Path, PathBuf};

/// The workspace being worked on: the nearest folder at or above the current
/// directory holding both `schemas/` and `Cargo.toml` (so a shared target
/// folder never makes xtask act on another checkout).
pub fn workspace_root() -> Result<PathBuf, String> {
    let start = std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?;
    start
        .ancestors()
        .find(|dir| dir.join("schemas").is_dir() && dir.join("Cargo.toml").is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            format!(
                "{} is not inside a seedance checkout (no folder above it holds schemas/ and Cargo.toml)",
                start.display()
            )
        })
}
