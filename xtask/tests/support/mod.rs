//! What the xtask test files share: a scratch checkout and pull options
//! pointing every vendor at one simulator.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use seedance_sim::Sim;
use xtask::pull::Options;

pub const WAVESPEED_MODEL: &str = "bytedance/seedance-v1-lite/reference-to-video";
pub const RUNCOMFY_MODEL: &str = "bytedance/seedance-1-0/pro/image-to-video";

/// The workspace these tests belong to.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A scratch checkout: the workspace's `schemas/` and `generated/`.
pub fn checkout(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("seedance-pull-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    copy_dir(&workspace().join("schemas"), &root.join("schemas"));
    copy_dir(&workspace().join("generated"), &root.join("generated"));
    root
}

/// Pull options reading every vendor's catalog from `sim`.
pub fn options(sim: &Sim, check: bool) -> Options {
    let vendors = ["runcomfy", "aimlapi", "wavespeed"];
    Options {
        base_urls: vendors
            .iter()
            .map(|v| ((*v).to_owned(), sim.base_url().to_owned()))
            .collect(),
        tokens: vendors
            .iter()
            .map(|v| ((*v).to_owned(), sim.token().to_owned()))
            .collect::<HashMap<_, _>>(),
        check,
        ..Options::default()
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    seedance_codegen::tree::copy_tree(from, to).expect("a scratch copy");
}
