//! Copying a folder tree: the tests of codegen and of `cargo xtask` both
//! run the generator on a scratch copy of `schemas/` (and `generated/`),
//! and this is their one copy routine.

use std::{fs, io, path::Path};

/// Copies `from` and everything below it to `to`, creating folders as needed.
pub fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let path = entry?.path();
        let Some(name) = path.file_name() else {
            continue;
        };
        let target = to.join(name);
        if path.is_dir() {
            copy_tree(&path, &target)?;
        } else {
            fs::copy(&path, &target)?;
        }
    }
    Ok(())
}
