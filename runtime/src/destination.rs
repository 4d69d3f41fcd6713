//! Whether a video can be saved at a path, checked before anything is paid
//! for (a command's `--out`, each line of a batch). The core is
//! [`Destination::check_writable`] (missing or a regular file only, a
//! symlink written through, a dangling one refused, `force` to replace).
//! Around it, what that check lets through and the download then fails on,
//! after the job was paid: a path that ends in `/` or `.` (no file name),
//! and a folder on the way that is a file. [`Folders`] says whether missing
//! folders are an error (this crate's download creates none) or are
//! created later (as the journal's driver does).

use std::io;
use std::path::{Path, PathBuf};

use crate::outfile::Destination;

/// What happens to folders of the path that do not exist yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folders {
    /// They must exist (the download creates none).
    MustExist,
    /// They are created at download time (the journal's driver does):
    /// the nearest existing one must be a folder that can be written.
    Created,
}

/// The file name under which a folder is checked when the video's own name
/// is not known yet (it will be the job id). Only a temporary file beside
/// it is created, and removed at once.
const PROBE: &str = ".seedance-write-check.mp4";

/// Checks that a video could be saved at `path` (`-`: standard output),
/// replacing an existing file only with `force`; writes nothing that stays.
pub fn check(path: &Path, force: bool, folders: Folders) -> io::Result<()> {
    if path.as_os_str() == "-" {
        return Ok(());
    }
    if !names_a_file(path) {
        return Err(invalid(
            "it does not name a file (it ends with `/` or `.`)".to_owned(),
        ));
    }
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let nearest = nearest_existing(parent)?;
    if !nearest.is_dir() {
        return Err(invalid(format!(
            "{} is not a folder, so nothing can be saved inside it",
            nearest.display()
        )));
    }
    if nearest == parent {
        return Destination::new(path).check_writable(force);
    }
    match folders {
        Folders::Created => Destination::new(nearest.join(PROBE)).check_writable(false),
        Folders::MustExist => Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("the folder {} does not exist", parent.display()),
        )),
    }
}

/// Checks that videos named after their job ids could be saved in `dir`.
pub fn check_folder(dir: &Path, folders: Folders) -> io::Result<()> {
    check(&dir.join(PROBE), false, folders)
}

/// False for `x/`, `x/.`, `.`, `..`: the last part of the text is no name.
fn names_a_file(path: &Path) -> bool {
    !matches!(last_segment(path), b"" | b"." | b"..")
}

/// The text after a path's last separator, as written (`x/` ends in an
/// empty one, `x/.` in `.`): what the path names before any lookup.
pub fn last_segment(path: &Path) -> &[u8] {
    path.as_os_str()
        .as_encoded_bytes()
        .rsplit(|byte| *byte == b'/' || (cfg!(windows) && *byte == b'\\'))
        .next()
        .unwrap_or_default()
}

/// `dir` or its nearest ancestor that exists (followed through symlinks).
fn nearest_existing(dir: &Path) -> io::Result<PathBuf> {
    let mut at = dir;
    loop {
        match std::fs::metadata(at) {
            Ok(_) => return Ok(at.to_owned()),
            Err(err)
                if matches!(
                    err.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                match at.parent() {
                    Some(up) if !up.as_os_str().is_empty() => at = up,
                    _ => return Ok(PathBuf::from(".")),
                }
            }
            Err(err) => return Err(err),
        }
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_files_pass_and_nothing_stays_behind() {
        let dir = tempfile::tempdir().expect("dir");
        check(&dir.path().join("new.mp4"), false, Folders::MustExist).expect("writable");
        check(&dir.path().join("a/b/new.mp4"), false, Folders::Created).expect("created");
        check_folder(&dir.path().join("later"), Folders::Created).expect("created");
        assert_eq!(std::fs::read_dir(dir.path()).expect("read").count(), 0);
    }

    #[test]
    fn what_cannot_be_saved_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let root = dir.path();
        std::fs::write(root.join("taken.mp4"), b"x").expect("write");
        std::fs::create_dir(root.join("folder")).expect("mkdir");
        let refused = |path: PathBuf, folders, why: &str| {
            let err = check(&path, false, folders).unwrap_err();
            assert!(err.to_string().contains(why), "{}: {err}", path.display());
        };
        refused(root.join("taken.mp4"), Folders::Created, "exists");
        refused(root.join("folder"), Folders::Created, "not a regular file");
        refused(root.join("x/"), Folders::Created, "does not name a file");
        refused(root.join("."), Folders::Created, "does not name a file");
        refused(
            root.join("taken.mp4/x.mp4"),
            Folders::Created,
            "not a folder",
        );
        refused(
            root.join("taken.mp4/a/x.mp4"),
            Folders::Created,
            "not a folder",
        );
        refused(root.join("new/x.mp4"), Folders::MustExist, "does not exist");
        check(&root.join("taken.mp4"), true, Folders::Created).expect("force replaces");
    }

    #[cfg(unix)]
    #[test]
    fn dangling_symlinks_and_devices_are_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let link = dir.path().join("dangling.mp4");
        std::os::unix::fs::symlink(dir.path().join("none"), &link).expect("link");
        let err = check(&link, true, Folders::Created).unwrap_err();
        assert!(err.to_string().contains("symlink"), "{err}");
        let err = check(Path::new("/dev/null"), true, Folders::MustExist).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }
}
