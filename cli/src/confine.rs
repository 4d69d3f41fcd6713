//! Paths a batch line names, kept inside the folder they are relative to.
//! A batch file is often generated or shared: one of its lines must not
//! write (its `out`, confined to `--out`) or read (its `@path` images,
//! confined to the batch file's folder) anywhere the user did not name. So
//! such a path is relative, has no `..`, and no component of it that exists
//! is a symlink leading outside the folder (compared with the folder's
//! canonical form, so a folder that is itself reached through a symlink is
//! fine, and so is a symlink from one place inside it to another).

use std::io;
use std::path::{Component, Path, PathBuf};

/// Why a path leaves its folder; the caller names the path, this says why.
#[derive(Debug, thiserror::Error)]
pub enum Escape {
    /// `/abs/x.mp4` (or `C:\x` on Windows).
    #[error("is an absolute path; only paths inside {} are allowed", root.display())]
    Absolute {
        /// The folder it must stay in.
        root: PathBuf,
    },
    /// `../x.mp4`, `a/../../x.mp4`.
    #[error("contains `..`; only paths inside {} are allowed", root.display())]
    Parent {
        /// The folder it must stay in.
        root: PathBuf,
    },
    /// A component is a symlink to somewhere else.
    #[error("goes through {}, a symlink leading outside {} (to {})", link.display(), root.display(), target.display())]
    Outside {
        /// The symlink.
        link: PathBuf,
        /// The folder it must stay in.
        root: PathBuf,
        /// Where the symlink leads.
        target: PathBuf,
    },
    /// A component is a symlink to nothing: where it leads cannot be checked.
    #[error("goes through {}, a symlink whose target does not exist", link.display())]
    Dangling {
        /// The symlink.
        link: PathBuf,
    },
    /// A component could not be looked at (permissions).
    #[error("cannot check {}: {source}", at.display())]
    Io {
        /// What was looked at.
        at: PathBuf,
        /// Why it failed.
        #[source]
        source: io::Error,
    },
}

/// `path` joined to `root`, when it stays inside `root` (see the module
/// docs); `.` components are dropped, a trailing `/` is kept.
pub fn confine(root: &Path, path: &Path) -> Result<PathBuf, Escape> {
    let mut joined = root.to_owned();
    for component in path.components() {
        match component {
            Component::Normal(name) => joined.push(name),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err(Escape::Parent {
                    root: root.to_owned(),
                });
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(Escape::Absolute {
                    root: root.to_owned(),
                });
            }
        }
    }
    if names_a_folder(path) {
        // Kept, so the caller still sees that `x/` or `.` names no file.
        joined.push("");
    }
    check_links(root, &joined)?;
    Ok(joined)
}

/// `x/`, `x/.`, `.`: what the components drop, a path that ends as a folder.
fn names_a_folder(path: &Path) -> bool {
    !path.as_os_str().is_empty()
        && matches!(
            seedance_runtime::destination::last_segment(path),
            b"" | b"."
        )
}

/// Every existing component of `joined` below `root` that is a symlink must
/// lead inside `root`. Stops at the first component that does not exist
/// (nothing below it can) or that is not a folder (left to the caller's
/// check of what the path is).
fn check_links(root: &Path, joined: &Path) -> Result<(), Escape> {
    let canonical_root = match std::fs::canonicalize(root) {
        Ok(canonical) => canonical,
        // A folder that does not exist holds no symlinks.
        Err(err) if gone(&err) => return Ok(()),
        Err(source) => {
            return Err(Escape::Io {
                at: root.to_owned(),
                source,
            });
        }
    };
    let below = joined.strip_prefix(root).unwrap_or(Path::new(""));
    let mut at = root.to_owned();
    for component in below.components() {
        at.push(component);
        let meta = match std::fs::symlink_metadata(&at) {
            Ok(meta) => meta,
            Err(err) if gone(&err) => return Ok(()),
            Err(source) => return Err(Escape::Io { at, source }),
        };
        if !meta.file_type().is_symlink() {
            continue;
        }
        match std::fs::canonicalize(&at) {
            Ok(target) if target.starts_with(&canonical_root) => {}
            Ok(target) => {
                return Err(Escape::Outside {
                    link: at,
                    root: root.to_owned(),
                    target,
                });
            }
            Err(_) => return Err(Escape::Dangling { link: at }),
        }
    }
    Ok(())
}

/// The path (or a folder on the way) is missing, or a file stands where a
/// folder would be: nothing further down exists.
fn gone(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder() -> tempfile::TempDir {
        tempfile::tempdir().expect("temporary folder")
    }

    #[test]
    fn relative_paths_stay_inside() {
        let dir = folder();
        let root = dir.path();
        assert_eq!(
            confine(root, Path::new("a/./b.mp4")).expect("inside"),
            root.join("a/b.mp4")
        );
        let text = |path: &str| {
            let joined = confine(root, Path::new(path)).expect("inside");
            joined.to_string_lossy().into_owned()
        };
        assert!(text("x/").ends_with("/x/"), "{}", text("x/"));
        assert!(text(".").ends_with('/'), "{}", text("."));
        assert_eq!(
            confine(&root.join("missing"), Path::new("x.mp4")).expect("inside"),
            root.join("missing/x.mp4")
        );
    }

    #[test]
    fn absolute_paths_and_dot_dot_are_refused() {
        let dir = folder();
        let root = dir.path();
        for path in ["/abs/x.mp4", "/dev/null"] {
            let err = confine(root, Path::new(path)).unwrap_err();
            assert!(matches!(err, Escape::Absolute { .. }), "{path}: {err}");
        }
        for path in ["../x.mp4", "a/../../x.mp4", "a/../b.mp4"] {
            let err = confine(root, Path::new(path)).unwrap_err();
            assert!(matches!(err, Escape::Parent { .. }), "{path}: {err}");
            assert!(err.to_string().contains("`..`"), "{err}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_must_lead_inside() {
        let dir = folder();
        let outside = folder();
        let root = dir.path();
        std::fs::create_dir(root.join("real")).expect("mkdir");
        std::os::unix::fs::symlink(outside.path(), root.join("away")).expect("link");
        std::os::unix::fs::symlink(root.join("real"), root.join("here")).expect("link");
        std::os::unix::fs::symlink(root.join("none"), root.join("dangling")).expect("link");
        std::os::unix::fs::symlink("/etc/passwd", root.join("passwd")).expect("link");
        confine(root, Path::new("here/x.mp4")).expect("a link inside is fine");
        for path in ["away/x.mp4", "away/new/x.mp4", "passwd"] {
            let err = confine(root, Path::new(path)).unwrap_err();
            assert!(matches!(err, Escape::Outside { .. }), "{path}: {err}");
        }
        let err = confine(root, Path::new("dangling/x.mp4")).unwrap_err();
        assert!(matches!(err, Escape::Dangling { .. }), "{err}");
        // The root itself may be reached through a symlink.
        confine(&root.join("here"), Path::new("x.mp4")).expect("canonical root");
    }
}
