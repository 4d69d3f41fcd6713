//! Model ids as paths: a model id becomes a file path below
//! `schemas/<vendor>/` (and, for RunComfy, a URL path), so `pull` takes only
//! ids that are plain relative paths.
//!
//! The rule itself is the shared one, `seedance_dialect::model_id_problem`
//! (the simulator's admin route builds on it); this module adds the check
//! of the joined path.

use std::path::{Component, Path, PathBuf};

/// Why `id` cannot be a path below a vendor folder, or `None` when it can.
pub use seedance_dialect::model_id_problem as problem;

/// `dir/file`, checked to stay inside `dir` once joined: `file` must be
/// relative and made of plain names only (no root, drive, `.` or `..`).
/// A second line behind [`problem`], on the path about to be written.
pub fn join_inside(dir: &Path, file: &Path) -> Result<PathBuf, String> {
    let plain = file.components().next().is_some()
        && file
            .components()
            .all(|part| matches!(part, Component::Normal(_)));
    let joined = dir.join(file);
    if plain && joined.starts_with(dir) {
        Ok(joined)
    } else {
        Err(format!(
            "refusing to write {}: it is not inside {}",
            joined.display(),
            dir.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // `problem` is `seedance_dialect::model_id_problem`, tested there.

    #[test]
    fn a_join_must_stay_inside_its_folder() {
        let dir = Path::new("schemas/wavespeed");
        assert_eq!(
            join_inside(dir, Path::new("a/b.json")).unwrap(),
            dir.join("a/b.json")
        );
        for file in ["../x.json", "a/../../x.json", "/tmp/x.json", "./x.json", ""] {
            let error = join_inside(dir, Path::new(file)).unwrap_err();
            assert!(error.contains("not inside schemas/wavespeed"), "{error}");
        }
    }
}
