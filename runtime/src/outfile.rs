//! Safe output files: where a download may be written, checked before a
//! paid job is submitted and again when the file is put in place.
//!
//! - Only a missing path or a regular file is ever replaced: a device node
//!   (`/dev/null` run as root), a FIFO, a socket or a folder is refused.
//! - A symlink is written through: its final target is replaced, the link
//!   stays. A dangling symlink is refused.
//! - An existing file is replaced only with `force`; without it the final
//!   step is a hard link, which fails instead of replacing a file that
//!   appeared in the meantime.
//! - Data goes to a `.NAME.RANDOM.part` file beside the target (same file
//!   system, so the final rename is atomic), removed on any failure and when
//!   the download is dropped (cancelled) half-way.
//! - `-` means standard output.
//!
//! What a path must also be before a job is paid for (a file name, folders
//! on the way) is checked in `crate::destination`.

use std::{
    io,
    path::{Path, PathBuf},
};

/// Where a download goes: a file, or standard output for `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A file (see the module docs for what may be replaced).
    File(PathBuf),
    /// Standard output (`-`): bytes are streamed as they arrive, so a
    /// failed download may have written part of the file.
    Stdout,
}

impl Destination {
    /// `-` is standard output, anything else a file path.
    pub fn new(path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        if path.as_os_str() == "-" {
            Destination::Stdout
        } else {
            Destination::File(path.to_owned())
        }
    }

    /// The path as given (`-` for standard output), for messages.
    pub fn display(&self) -> String {
        match self {
            Destination::File(path) => path.display().to_string(),
            Destination::Stdout => "-".to_owned(),
        }
    }

    /// Checks that a download could be written here with `force` as given,
    /// without writing anything that stays: the target is resolved and a
    /// temporary file is created beside it and removed. Call it before
    /// submitting, so a job is not paid for when its video cannot be saved.
    pub fn check_writable(&self, force: bool) -> io::Result<()> {
        let Destination::File(path) = self else {
            return Ok(());
        };
        let target = resolve(path, force)?;
        let part = PartFile::create_std(&target)?;
        drop(part);
        Ok(())
    }
}

impl<P: AsRef<Path>> From<P> for Destination {
    fn from(path: P) -> Self {
        Destination::new(path)
    }
}

/// The file to write for `path`: the path itself, or the final target of a
/// symlink. Refuses what must not be replaced (see the module docs).
pub(crate) fn resolve(path: &Path, force: bool) -> io::Result<PathBuf> {
    let meta = match std::fs::symlink_metadata(path) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(path.to_owned()),
        Err(err) => return Err(err),
        Ok(meta) => meta,
    };
    let target = if meta.file_type().is_symlink() {
        std::fs::canonicalize(path).map_err(|err| {
            io::Error::new(
                err.kind(),
                format!("it is a symlink whose target cannot be resolved ({err})"),
            )
        })?
    } else {
        path.to_owned()
    };
    let meta = std::fs::metadata(&target)?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it exists and is not a regular file (a folder, device, FIFO or socket); \
             only a regular file is ever replaced",
        ));
    }
    if !force {
        return Err(exists());
    }
    Ok(target)
}

fn exists() -> io::Error {
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        "the file exists; replace it with --force (`DownloadOptions::force`)",
    )
}

/// A `.part` file beside the target, removed on drop unless persisted.
#[derive(Debug)]
pub(crate) struct PartFile {
    path: PathBuf,
    kept: bool,
}

impl PartFile {
    /// Creates an empty part file beside `target` (never an existing one).
    fn create_std(target: &Path) -> io::Result<PartFile> {
        let path = part_path(target);
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(PartFile { path, kept: false })
    }

    /// Creates the part file and opens it for writing.
    pub(crate) async fn create(target: &Path) -> io::Result<(PartFile, tokio::fs::File)> {
        let path = part_path(target);
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await?;
        Ok((PartFile { path, kept: false }, file))
    }

    /// Puts the finished part file at `target`, re-checking the target
    /// first; without `force` a file that appeared since is not replaced.
    pub(crate) fn persist(mut self, target: &Path, force: bool) -> io::Result<()> {
        match std::fs::symlink_metadata(target) {
            Ok(meta) if !meta.is_file() => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "it is no longer a regular file; nothing was replaced",
                ));
            }
            Ok(_) if !force => return Err(exists()),
            _ => {}
        }
        if force {
            std::fs::rename(&self.path, target)?;
        } else {
            match std::fs::hard_link(&self.path, target) {
                Ok(()) => {
                    let _ = std::fs::remove_file(&self.path);
                }
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => return Err(exists()),
                // A file system without hard links: the check above stands.
                Err(_) => std::fs::rename(&self.path, target)?,
            }
        }
        self.kept = true;
        Ok(())
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// `.<name>.<random>.part` beside the target, so the rename stays on one
/// file system.
fn part_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "download".to_owned());
    target.with_file_name(format!(".{name}.{:016x}.part", fastrand::u64(..)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "seedance-outfile-{name}-{}-{:x}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn dash_is_stdout() {
        assert_eq!(Destination::new("-"), Destination::Stdout);
        assert_eq!(
            Destination::new("./-"),
            Destination::File(PathBuf::from("./-"))
        );
    }

    #[test]
    fn missing_files_are_fine_existing_ones_need_force_folders_never() {
        let dir = scratch("resolve");
        let file = dir.join("video.mp4");
        assert_eq!(resolve(&file, false).unwrap(), file);
        std::fs::write(&file, b"old").unwrap();
        assert_eq!(
            resolve(&file, false).unwrap_err().kind(),
            io::ErrorKind::AlreadyExists
        );
        assert_eq!(resolve(&file, true).unwrap(), file);
        assert_eq!(
            resolve(&dir, true).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        Destination::new(dir.join("new.mp4"))
            .check_writable(false)
            .unwrap();
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "the check leaves nothing behind");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn dropped_part_file_is_removed() {
        let dir = scratch("part");
        let part = PartFile::create_std(&dir.join("v.mp4")).unwrap();
        assert!(part.path.exists());
        let path = part.path.clone();
        drop(part);
        assert!(!path.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
