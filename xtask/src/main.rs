//! Maintainer tasks. `cargo xtask regen` is the only thing that writes `generated/`.
//!
//! - `cargo xtask regen`: regenerate `generated/` from `schemas/`.
//! - `cargo xtask regen --check`: fail, naming the stale files, when
//!   `generated/` differs from what `schemas/` produce (CI runs this).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::{env, fs};

use seedance_codegen::{GeneratedFile, REGEN_COMMAND, generate};

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["regen"] => regen(Mode::Write),
        ["regen", "--check"] => regen(Mode::Check),
        _ => Err(format!(
            "usage: cargo xtask regen [--check]\n  regen          write generated/ from schemas/\n  regen --check  fail when generated/ is stale"
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
    let stale = sync(out, &files, mode)?;
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
