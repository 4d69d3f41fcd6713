//! Model ids as paths. A vendor's model id becomes a file path below
//! `schemas/<vendor>/`, a URL path and a cache file name, so only ids that
//! are plain relative paths are taken: `cargo xtask pull` refuses the
//! others, and the simulator's admin route builds its stricter rule on
//! this one.

/// Why `id` cannot be a path below a vendor folder, or `None` when it can.
pub fn model_id_problem(id: &str) -> Option<String> {
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
            assert_eq!(model_id_problem(id), None, "{id}");
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
            let said = model_id_problem(id).unwrap_or_else(|| panic!("{id:?} was taken"));
            assert!(said.contains(why), "{id:?}: {said}");
        }
    }
}
