//! The driver's files: where an entry's output goes, the staging file a
//! download is written to, and the one step that puts it in place.
//!
//! A download never lands on the output path directly: it is written to a
//! staging file beside it, and only the worker that still holds the entry's
//! lease links it into place, never replacing a file. A file already there
//! with the same bytes (an earlier worker's copy of the same video) counts as
//! saved; a different one is left alone and reported.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::entry::Entry;

/// Where an entry's output goes: its `out_path`, else `out_dir/<job id>.mp4`.
pub(crate) fn output_path(entry: &Entry) -> Option<PathBuf> {
    if let Some(path) = &entry.saved_path {
        return Some(PathBuf::from(path));
    }
    if let Some(path) = &entry.out_path {
        return Some(PathBuf::from(path));
    }
    let dir = entry.out_dir.as_ref()?;
    let id = entry.job_id.as_deref().unwrap_or(&entry.key);
    Some(Path::new(dir).join(format!("{}.mp4", safe_file_name(id))))
}

/// A vendor's job id made safe as a file name: anything but letters,
/// digits, `-`, `_` and `.` becomes `_`, and a leading `.` too.
pub fn safe_file_name(id: &str) -> String {
    let mut name: String = id
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' => c,
            _ => '_',
        })
        .collect();
    if name.starts_with('.') {
        name.replace_range(..1, "_");
    }
    if name.is_empty() {
        name.push_str("video");
    }
    name
}

/// `.<name>.<random>.stage` beside `target`: one worker's download, on the
/// same file system so that linking it into place is atomic.
pub(crate) fn staging_path(target: &Path) -> PathBuf {
    let name = file_name(target);
    target.with_file_name(format!(".{name}.{:016x}.stage", random()))
}

/// How a staged download ended up at its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placed {
    /// The staged file is now the target.
    New,
    /// The target already held the same bytes (another worker's copy).
    AlreadyThere,
}

/// Links `staged` to `target` without ever replacing a file, then removes
/// `staged` (whatever the outcome).
pub(crate) fn place(staged: &Path, target: &Path) -> io::Result<Placed> {
    let placed = match std::fs::hard_link(staged, target) {
        Ok(()) => Ok(Placed::New),
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
            if same_bytes(staged, target)? {
                Ok(Placed::AlreadyThere)
            } else {
                Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "{} appeared meanwhile with other content; it is left as it is \
                         (move it away and run again to save this job's video)",
                        target.display()
                    ),
                ))
            }
        }
        Err(err) => Err(err),
    };
    let _ = std::fs::remove_file(staged);
    placed
}

/// True when both files hold the same bytes.
fn same_bytes(a: &Path, b: &Path) -> io::Result<bool> {
    let (meta_a, meta_b) = (std::fs::metadata(a)?, std::fs::metadata(b)?);
    if !meta_b.is_file() || meta_a.len() != meta_b.len() {
        return Ok(false);
    }
    let (mut file_a, mut file_b) = (std::fs::File::open(a)?, std::fs::File::open(b)?);
    let (mut buf_a, mut buf_b) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    loop {
        let n = read_full(&mut file_a, &mut buf_a)?;
        if n == 0 {
            return Ok(true);
        }
        if read_full(&mut file_b, &mut buf_b[..n])? != n || buf_a[..n] != buf_b[..n] {
            return Ok(false);
        }
    }
}

/// Reads until `buf` is full or the file ends; returns the bytes read.
fn read_full(file: &mut std::fs::File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// True when `path` exists and was last written at or after `since_ms`
/// (less a second of clock granularity).
pub(crate) fn saved_after(path: &Path, since_ms: i64) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    let Ok(modified) = meta.modified() else {
        return false;
    };
    let modified_ms = modified
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    meta.is_file() && modified_ms >= since_ms - 1000 && SystemTime::now() >= modified
}

/// Removes what killed downloads of `path` left beside it: staging files
/// (`.<name>.*.stage`) and the runtime's temporary files of the target or
/// of a staging file (`.<name>.*.part`, `..<name>.*.part`).
pub(crate) fn remove_partial_downloads(path: &Path) {
    let name = file_name(path);
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    let (ours, staged) = (format!(".{name}."), format!("..{name}."));
    let Ok(read) = std::fs::read_dir(&dir) else {
        return;
    };
    for item in read.flatten() {
        let file = item.file_name().to_string_lossy().into_owned();
        let leftover = (file.starts_with(&ours) || file.starts_with(&staged))
            && (file.ends_with(".part") || file.ends_with(".stage"));
        if leftover {
            let _ = std::fs::remove_file(item.path());
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || "download".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// 64 bits that differ between calls and processes (no RNG crate needed
/// for a file name).
fn random() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
    }

    fn write(path: &Path, bytes: &[u8]) {
        std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn job_ids_become_safe_file_names() {
        assert_eq!(safe_file_name("abc-123_x"), "abc-123_x");
        assert_eq!(safe_file_name("a/b\\c d"), "a_b_c_d");
        assert_eq!(safe_file_name("../etc"), "_._etc");
        assert_eq!(safe_file_name(""), "video");
    }

    #[test]
    fn leftovers_of_that_file_only_are_removed() {
        let dir = dir();
        let target = dir.path().join("a.mp4");
        let ours = [
            ".a.mp4.0123456789abcdef.part",
            ".a.mp4.0123456789abcdef.stage",
            "..a.mp4.0123456789abcdef.stage.0123456789abcdef.part",
        ];
        let others = [".b.mp4.0123456789abcdef.part", "a.mp4.part"];
        for file in ours.iter().chain(&others) {
            write(&dir.path().join(file), b"half");
        }
        remove_partial_downloads(&target);
        for file in ours {
            assert!(!dir.path().join(file).exists(), "{file}");
        }
        for file in others {
            assert!(dir.path().join(file).exists(), "{file}");
        }
    }

    #[test]
    fn a_staged_file_never_replaces_one_and_same_bytes_count_as_saved() {
        let dir = dir();
        let target = dir.path().join("v.mp4");
        let staged = staging_path(&target);
        write(&staged, b"video");
        assert_eq!(place(&staged, &target).ok(), Some(Placed::New));
        assert!(!staged.exists());

        let again = staging_path(&target);
        write(&again, b"video");
        assert_eq!(place(&again, &target).ok(), Some(Placed::AlreadyThere));

        let other = staging_path(&target);
        write(&other, b"other");
        let err = place(&other, &target).err();
        assert_eq!(err.map(|e| e.kind()), Some(io::ErrorKind::AlreadyExists));
        assert_eq!(std::fs::read(&target).ok().as_deref(), Some(&b"video"[..]));
        assert!(!other.exists(), "the staged file is removed either way");
    }
}
