//! Bringing a folder in line with a list of generated files.

use std::fs;
use std::path::{Path, PathBuf};

use seedance_codegen::GeneratedFile;

/// Write the files, or only compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write what differs.
    Write,
    /// Report what differs, write nothing.
    Check,
}

/// Brings `out` in line with `files` (or only compares, in check mode) and
/// returns the paths that differed, including generated files no schema makes
/// any more.
pub fn sync(out: &Path, files: &[GeneratedFile], mode: Mode) -> Result<Vec<PathBuf>, String> {
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
    let made = files_with(&out.join("src"), "rs")
        .into_iter()
        .chain(files_with(&out.join("schemas"), "json"));
    for path in made {
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

/// Every file with extension `ext` under `dir`, recursively (none when it
/// does not exist).
fn files_with(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files = Vec::new();
    for path in entries.flatten().map(|e| e.path()) {
        if path.is_dir() {
            files.extend(files_with(&path, ext));
        } else if path.extension().is_some_and(|e| e == ext) {
            files.push(path);
        }
    }
    files.sort();
    files
}
