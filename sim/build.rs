//! Embeds every JSON file under `../schemas` so the simulator binary needs no
//! checkout: writes `$OUT_DIR/schemas.rs` with one `include_str!` per file.
//! What a file means (manifest, lock file, model schema) is decided at run
//! time by `schema::load`, so a new file shape needs no change here.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();

    let mut out = String::from(
        "/// `(vendor id, path below the vendor folder, file text)`, sorted.\n\
         pub static EMBEDDED: &[(&str, &str, &str)] = &[\n",
    );
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let Ok(relative) = file.strip_prefix(&root) else {
            continue;
        };
        let mut parts = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy());
        let Some(vendor) = parts.next() else { continue };
        let rest: Vec<_> = parts.collect();
        if rest.is_empty() {
            continue;
        }
        let rest = rest.join("/");
        let absolute = fs::canonicalize(file).unwrap_or_else(|_| file.clone());
        let _ = writeln!(
            out,
            "    ({vendor:?}, {rest:?}, include_str!({:?})),",
            absolute.display().to_string()
        );
    }
    out.push_str("];\n");
    let dest =
        PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("schemas.rs");
    fs::write(dest, out).expect("write schemas.rs");
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "json") {
            files.push(path);
        }
    }
}
