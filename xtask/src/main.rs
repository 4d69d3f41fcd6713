//! Maintainer tasks. `cargo xtask regen` is the only thing that writes `generated/`.
//!
//! - `cargo xtask regen`: regenerate `generated/` from `schemas/`.
//! - `cargo xtask regen --check`: fail, naming the stale files, when
//!   `generated/` differs from what `schemas/` produce (CI runs this).
//! - `cargo xtask regen --schemas DIR --out DIR [--check]`: the same from
//!   another schema tree into another crate folder (benchmarks, experiments).
//! - `cargo xtask synth N OUT_DIR`: write a synthetic corpus of `N` model
//!   schemas plus the vendors' `vendor.json` under `OUT_DIR` (the
//!   regen-scaling benchmark; the generator lives in `benches/src/synth.rs`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::{env, fs};

use seedance_codegen::{GeneratedFile, REGEN_COMMAND, generate};

/// The synthetic corpus generator, shared with the benchmarks (std only).
#[path = "../../benches/src/synth.rs"]
mod synth;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["regen"] => regen(Mode::Write),
        ["regen", "--check"] => regen(Mode::Check),
        ["regen", "--schemas", schemas, "--out", out] => {
            regen_tree(Path::new(schemas), Path::new(out), Mode::Write)
        }
        ["regen", "--schemas", schemas, "--out", out, "--check"] => {
            regen_tree(Path::new(schemas), Path::new(out), Mode::Check)
        }
        ["synth", n, out] => synthesize(n, Path::new(out)),
        _ => Err(String::from(
            "usage: cargo xtask regen [--check]\n  regen          write generated/ from schemas/\n  regen --check  fail when generated/ is stale\n  regen --schemas DIR --out DIR [--check]\n                 the same from another schema tree into another folder\n  synth N OUT_DIR\n                 write a synthetic corpus of N model schemas under OUT_DIR",
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The generated crate's public surface as text, one fact per line.
const API_LISTING: &str = "API.md";

/// Lines of the API listing that a regen removed (`-`) or added (`+`), in
/// listing order: the readable list of what a schema change means for users.
fn api_changes(old: &str, new: &str) -> Vec<String> {
    let facts = |text: &str| -> Vec<String> {
        let mut heading = String::new();
        let mut facts = Vec::new();
        for line in text.lines() {
            if line.starts_with("### ") {
                heading = line.trim_start_matches("### ").to_owned();
            } else if let Some(fact) = line.strip_prefix("- ") {
                facts.push(format!("{heading}: {fact}"));
            }
        }
        facts
    };
    let (old, new) = (facts(old), facts(new));
    let removed = old
        .iter()
        .filter(|f| !new.contains(f))
        .map(|f| format!("- {f}"));
    let added = new
        .iter()
        .filter(|f| !old.contains(f))
        .map(|f| format!("+ {f}"));
    removed.chain(added).collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Write,
    Check,
}

/// The workspace root (xtask lives one level below it).
fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or(manifest_dir)
}

fn regen(mode: Mode) -> Result<(), String> {
    let root = workspace_root();
    env::set_current_dir(&root).map_err(|e| format!("cannot enter {}: {e}", root.display()))?;
    let files = generate(Path::new("schemas")).map_err(|e| e.to_string())?;
    let out = Path::new("generated");
    let old_api = fs::read_to_string(out.join(API_LISTING)).unwrap_or_default();
    let stale = sync(out, &files, mode)?;
    if mode == Mode::Write {
        let new_api = files.iter().find(|f| f.path == Path::new(API_LISTING));
        let changes = api_changes(&old_api, new_api.map_or("", |f| f.contents.as_str()));
        if !changes.is_empty() {
            println!("what changed for users (generated/{API_LISTING}):");
            for change in changes {
                println!("  {change}");
            }
        }
    }
    match (mode, stale.is_empty()) {
        (_, true) => {
            println!("generated/ is up to date ({} files)", files.len());
            Ok(())
        }
        (Mode::Write, false) => {
            for path in &stale {
                println!("updated {}", path.display());
            }
            Ok(())
        }
        (Mode::Check, false) => {
            let list: Vec<String> = stale.iter().map(|p| format!("  {}", p.display())).collect();
            Err(format!(
                "generated/ is stale; these files differ from what schemas/ produce:\n{}\nrun `{REGEN_COMMAND}` and commit the result",
                list.join("\n")
            ))
        }
    }
}

/// `regen` from any schema tree into any output folder (paths as given,
/// relative to the current directory).
fn regen_tree(schemas: &Path, out: &Path, mode: Mode) -> Result<(), String> {
    let files = generate(schemas).map_err(|e| e.to_string())?;
    let stale = sync(out, &files, mode)?;
    match (mode, stale.is_empty()) {
        (_, true) => {
            println!("{} is up to date ({} files)", out.display(), files.len());
            Ok(())
        }
        (Mode::Write, false) => {
            println!(
                "wrote {} of {} files to {}",
                stale.len(),
                files.len(),
                out.display()
            );
            Ok(())
        }
        (Mode::Check, false) => Err(format!(
            "{} is stale: {} files differ from what {} produce",
            out.display(),
            stale.len(),
            schemas.display()
        )),
    }
}

/// `synth N OUT_DIR`.
fn synthesize(n: &str, out: &Path) -> Result<(), String> {
    let n: usize = n
        .parse()
        .map_err(|_| format!("synth: N must be a number of models, not {n:?}"))?;
    let written = synth::write_corpus(n, out)
        .map_err(|e| format!("cannot write the corpus under {}: {e}", out.display()))?;
    println!("wrote {written} model schemas under {}", out.display());
    Ok(())
}

/// Brings `out` in line with `files` (or only compares, in check mode) and
/// returns the paths that differed, including generated files no schema makes
/// any more.
fn sync(out: &Path, files: &[GeneratedFile], mode: Mode) -> Result<Vec<PathBuf>, String> {
    let mut stale = Vec::new();
    for file in files {
        let path = out.join(&file.path);
        let current = fs::read_to_string(&path).ok();
        if current.as_deref() == Some(file.contents.as_str()) {
            continue;
        }
        stale.push(path.clone());
        if mode == Mode::Write {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            fs::write(&path, &file.contents)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    let wanted: Vec<PathBuf> = files.iter().map(|f| out.join(&f.path)).collect();
    for path in rust_files(&out.join("src")) {
        if !wanted.contains(&path) {
            stale.push(path.clone());
            if mode == Mode::Write {
                fs::remove_file(&path)
                    .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
            }
        }
    }
    Ok(stale)
}

/// Every `.rs` file under `dir`, recursively (none when it does not exist).
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files = Vec::new();
    for path in entries.flatten().map(|e| e.path()) {
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::api_changes;

    #[test]
    fn api_changes_name_the_model_and_the_fact() {
        let old = "### `v::m` (o/m)\n\n- `Input::new(prompt)`\n- `seed`: i64 (optional)\n";
        let new =
            "### `v::m` (o/m)\n\n- `Input::new(prompt)`\n- `seed`: i64, minimum -1 (optional)\n";
        assert_eq!(
            api_changes(old, new),
            [
                "- `v::m` (o/m): `seed`: i64 (optional)",
                "+ `v::m` (o/m): `seed`: i64, minimum -1 (optional)",
            ]
        );
        assert!(api_changes(new, new).is_empty());
    }
}
