//! Model ids as paths: a model id becomes a file path below
//! `schemas/<vendor>/` (and, for RunComfy, a URL path), so `pull` takes only
//! ids that are plain relative paths.
//!
//! The base rule is the simulator's `check_model_id` in
//! `sim/src/catalog/mod.rs` (non-empty `/`-separated segments, none `.` or
//! `..`, no backslash). It lives only in `seedance-sim`, which xtask has as a
//! dev-dependency and which keeps it private, so it is repeated here; keep
//! the two in step. This one is stricter: what would be read differently in
//! a URL or on another file system is refused too.

use std::path::{Component, Path, PathBuf};

/// Why `id` cannot be a path below a vendor folder, or `None` when it can.
pub fn problem(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("it is empty".into());
    }
    if id.starts_with('/') {
        return Some("it is an absolute path (starts with `/`)".into());
    }
    id.chars()
        .find_map(char_problem)
        .or_else(|| id.split('/').find_map(segment_problem))
}

/// Why a character has no place in a model id.
fn char_problem(c: char) -> Option<String> {
    let why = match c {
        '\\' => "a backslash (a path separator on Windows)",
        '%' => "`%` (a percent-escape, read as another character in a URL)",
        '?' => "`?` (it starts a URL query)",
        '#' => "`#` (it starts a URL fragment)",
        ':' => "`:` (a drive letter or URL scheme)",
        c if c.is_control() => return Some(format!("a control character ({c:?})")),
        c if c.is_whitespace() => return Some(format!("whitespace ({c:?})")),
        _ => return None,
    };
    Some(format!("it contains {why}"))
}

/// Why a `/`-separated segment cannot be a folder or file name.
fn segment_problem(segment: &str) -> Option<String> {
    match segment {
        "" => Some("it has an empty segment (`//` or a trailing `/`)".into()),
        "." => Some("it has a `.` segment".into()),
        ".." => Some("it has a `..` segment (it would climb out of schemas/<vendor>/)".into()),
        _ => None,
    }
}

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

    #[test]
    fn the_vendors_ids_and_files_are_plain_paths() {
        for id in [
            "bytedance/seedance-v1-lite/reference-to-video",
            "bytedance/seedance-1-0/pro/image-to-video",
            "bytedance/seedance-1-0-lite-i2v",
            "ByteDance/seedance-1.0-lite-image-to-video.json",
            "..hidden/a..b/c.",
        ] {
            assert_eq!(problem(id), None, "{id}");
        }
    }

    #[test]
    fn ids_that_are_no_plain_path_are_refused_saying_why() {
        for (id, why) in [
            ("", "empty"),
            ("/etc/passwd", "absolute"),
            ("a/../../b", "`..`"),
            ("..", "`..`"),
            ("a/./b", "`.` segment"),
            ("a//b", "empty segment"),
            ("a/b/", "empty segment"),
            ("a\\..\\b", "backslash"),
            ("a/%2e%2e/b", "percent-escape"),
            ("a/b?c=d", "URL query"),
            ("a/b#c", "URL fragment"),
            ("C:/x", "drive letter"),
            ("a/b\u{0}", "control character"),
            ("a/b\nc", "control character"),
            ("a/b c", "whitespace"),
        ] {
            let said = problem(id).unwrap_or_else(|| panic!("{id:?} was taken"));
            assert!(said.contains(why), "{id:?}: {said}");
        }
    }

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
