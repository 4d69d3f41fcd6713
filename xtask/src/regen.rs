//! `cargo xtask regen [--check]`: every generated crate from its schema tree,
//! with the vendor warnings and the change report.

use std::fs;
use std::path::{Path, PathBuf};

use seedance_codegen::changes::{self, Change};
use seedance_codegen::surface::Surface;
use seedance_codegen::{REGEN_COMMAND, SURFACE_FILE, corpus_shown_from, generate_corpus};

pub use crate::sync::Mode;
use crate::sync::sync;

/// A schema tree and the crate generated from it.
#[derive(Debug, Clone)]
pub struct Target {
    /// Schema tree.
    pub schemas: PathBuf,
    /// Crate folder.
    pub out: PathBuf,
    /// Crate name.
    pub crate_name: &'static str,
    /// Where paths in messages start (the workspace root).
    pub shown_from: PathBuf,
}

impl Target {
    /// The crates of a checkout at `root`: the users' `seedance` and the
    /// compiled fixture corpus.
    pub fn all(root: &Path) -> Vec<Target> {
        vec![
            Target {
                schemas: root.join("schemas"),
                out: root.join("generated"),
                crate_name: seedance_codegen::CRATE_NAME,
                shown_from: root.to_path_buf(),
            },
            Target {
                schemas: root.join("tests/fixtures/schemas"),
                out: root.join("tests/fixtures/generated"),
                crate_name: "seedance-fixtures",
                shown_from: root.to_path_buf(),
            },
        ]
    }
}

/// What one regen did.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Files that differed (written in write mode).
    pub stale: Vec<PathBuf>,
    /// Vendor mistakes stepped over, as `file#pointer: message`.
    pub warnings: Vec<String>,
    /// What changed for users, against the previous `surface.json`.
    pub changes: Vec<Change>,
    /// How many files the crate has.
    pub files: usize,
}

/// Regenerates one target.
pub fn regen(target: &Target, mode: Mode) -> Result<Outcome, String> {
    let corpus =
        corpus_shown_from(&target.schemas, &target.shown_from).map_err(|e| e.to_string())?;
    let files = generate_corpus(&corpus, target.crate_name).map_err(|e| e.to_string())?;
    let old = read_surface(&target.out.join(SURFACE_FILE));
    let new = seedance_codegen::surface::project(&corpus);
    let stale = sync(&target.out, &files, mode)?;
    Ok(Outcome {
        stale,
        warnings: corpus.warnings.iter().map(ToString::to_string).collect(),
        changes: changes::classify(&old, &new),
        files: files.len(),
    })
}

/// The surface a crate was last generated with (empty when there is none).
pub fn read_surface(path: &Path) -> Surface {
    fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// `cargo xtask regen [--check]` on the checkout at `root`: prints and fails
/// as a maintainer expects.
pub fn run(root: &Path, mode: Mode) -> Result<(), String> {
    let mut stale_all = Vec::new();
    for target in Target::all(root) {
        let outcome = regen(&target, mode)?;
        let shown = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
        for warning in &outcome.warnings {
            eprintln!("warning: {warning}");
        }
        if mode == Mode::Write && !outcome.changes.is_empty() {
            println!("what changed for users of `{}`:", target.crate_name);
            print!("{}", changes::report(&outcome.changes));
        }
        if outcome.stale.is_empty() {
            println!(
                "{} is up to date ({} files)",
                shown(&target.out),
                outcome.files
            );
        } else if mode == Mode::Write {
            for path in &outcome.stale {
                println!("updated {}", shown(path));
            }
        }
        stale_all.extend(outcome.stale.iter().map(|p| shown(p)));
    }
    if mode == Mode::Check && !stale_all.is_empty() {
        return Err(format!(
            "generated code is stale; these files differ from what the schemas produce:\n  {}\nrun `{REGEN_COMMAND}` and commit the result",
            stale_all.join("\n  ")
        ));
    }
    Ok(())
}

/// `regen --schemas DIR --out DIR [--check]`: any tree into any folder.
pub fn run_tree(schemas: &Path, out: &Path, mode: Mode) -> Result<(), String> {
    let target = Target {
        schemas: schemas.to_path_buf(),
        out: out.to_path_buf(),
        crate_name: seedance_codegen::CRATE_NAME,
        shown_from: std::env::current_dir().unwrap_or_default(),
    };
    let outcome = regen(&target, mode)?;
    match (mode, outcome.stale.is_empty()) {
        (_, true) => println!("{} is up to date ({} files)", out.display(), outcome.files),
        (Mode::Write, false) => println!(
            "wrote {} of {} files to {}",
            outcome.stale.len(),
            outcome.files,
            out.display()
        ),
        (Mode::Check, false) => {
            return Err(format!(
                "{} is stale: {} files differ from what {} produce",
                out.display(),
                outcome.stale.len(),
                schemas.display()
            ));
        }
    }
    Ok(())
}
