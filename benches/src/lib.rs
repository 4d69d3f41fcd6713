//! Shared fixtures of the benchmarks (see `BENCHMARKS.md` at the workspace
//! root): the five models' valid and invalid inputs, the polling simulation,
//! the synthetic corpus generator and the side files the benches write next to
//! criterion's output so `report` can build the tables.

pub mod batch_report;
pub mod compiled_schemas;
pub mod fixtures;
pub mod interpreted;
pub mod polling;

use std::path::PathBuf;

/// The workspace root (this crate lives one level below it).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Cargo's target directory (`CARGO_TARGET_DIR` or `<root>/target`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Where the benches put figures that are not times (bytes read, request
/// counts, overshoot, peak memory, build times): `target/seedance-benches/`.
pub fn extras_dir() -> PathBuf {
    target_dir().join("seedance-benches")
}

/// Writes one side file (`target/seedance-benches/<name>.json`).
pub fn write_extra(name: &str, value: &serde_json::Value) {
    let dir = extras_dir();
    let path = dir.join(format!("{name}.json"));
    let text = serde_json::to_string_pretty(value).expect("JSON value serializes");
    if let Err(err) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, text)) {
        eprintln!("warning: cannot write {}: {err}", path.display());
    }
}
