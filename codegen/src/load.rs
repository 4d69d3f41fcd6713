//! Loading: the `schemas/` tree -> parsed JSON per file, in a stable order.
//!
//! Layout: `schemas/<vendor>/vendor.json` plus one `schemas/<vendor>/<model
//! path>.json` per model. Nothing here interprets the schemas; that is `convert`.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{Error, Location, Problem};

/// The manifest file name in each vendor folder.
pub const MANIFEST: &str = "vendor.json";

/// One parsed JSON file.
#[derive(Debug, Clone)]
pub struct JsonFile {
    /// Path as given (under the schemas root), for error messages.
    pub path: PathBuf,
    /// The parsed document.
    pub json: Value,
}

/// A vendor folder: its manifest and its model schemas.
#[derive(Debug, Clone)]
pub struct VendorFiles {
    /// Folder name (`runcomfy`): the vendor id and module name.
    pub id: String,
    /// `vendor.json`.
    pub manifest: JsonFile,
    /// Model schemas with their model path (`bytedance/seedance-1-0/pro/image-to-video`),
    /// sorted by model path.
    pub models: Vec<(String, JsonFile)>,
}

/// Loads every vendor folder under `root`, sorted by vendor id.
pub fn load_tree(root: &Path) -> Result<Vec<VendorFiles>, Error> {
    let mut vendors = Vec::new();
    for dir in sorted_entries(root)? {
        if !dir.is_dir() {
            continue;
        }
        let id = file_name(&dir);
        let manifest = parse_file(&dir.join(MANIFEST))?;
        let mut models = Vec::new();
        collect_models(&dir, &dir, &mut models)?;
        models.sort_by(|a, b| a.0.cmp(&b.0));
        vendors.push(VendorFiles {
            id,
            manifest,
            models,
        });
    }
    Ok(vendors)
}

/// Reads and parses one JSON file; malformed JSON is an error with its line and column.
pub fn parse_file(path: &Path) -> Result<JsonFile, Error> {
    let location = Location::root(path);
    let text = fs::read_to_string(path).map_err(|e| location.error(Problem::Io(e)))?;
    parse_text(path, &text)
}

/// Parses JSON text that came from `path`.
pub fn parse_text(path: &Path, text: &str) -> Result<JsonFile, Error> {
    let json = serde_json::from_str(text).map_err(|e| {
        Location::root(path).error(Problem::MalformedJson {
            line: e.line(),
            column: e.column(),
            message: {
                let text = e.to_string();
                match text.rfind(" at line ") {
                    Some(cut) => text[..cut].to_owned(),
                    None => text,
                }
            },
        })
    })?;
    Ok(JsonFile {
        path: path.to_path_buf(),
        json,
    })
}

fn collect_models(
    vendor_dir: &Path,
    dir: &Path,
    out: &mut Vec<(String, JsonFile)>,
) -> Result<(), Error> {
    for entry in sorted_entries(dir)? {
        if entry.is_dir() {
            collect_models(vendor_dir, &entry, out)?;
        } else if entry.extension().is_some_and(|ext| ext == "json")
            && !(dir == vendor_dir && file_name(&entry) == MANIFEST)
        {
            let model_path = model_path(vendor_dir, &entry);
            out.push((model_path, parse_file(&entry)?));
        }
    }
    Ok(())
}

/// `schemas/runcomfy/a/b.json` -> `a/b`, always with forward slashes.
fn model_path(vendor_dir: &Path, file: &Path) -> String {
    let relative = file
        .strip_prefix(vendor_dir)
        .unwrap_or(file)
        .with_extension("");
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let location = Location::root(dir);
    let mut entries = fs::read_dir(dir)
        .map_err(|e| location.error(Problem::Io(e)))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| location.error(Problem::Io(e)))?;
    entries.sort();
    Ok(entries)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
