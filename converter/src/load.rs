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

/// The provenance file `cargo xtask pull` keeps beside each vendor's schemas.
pub const LOCK: &str = "lock.json";

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

/// Loads every vendor folder under `root`, sorted by vendor id. Paths in
/// the result and in errors are shown from the root's own folder name
/// (`schemas/runcomfy/...`), whatever the current directory is.
pub fn load_tree(root: &Path) -> Result<Vec<VendorFiles>, Error> {
    load_tree_shown_from(root, root.parent().unwrap_or(Path::new("")))
}

/// [`load_tree`], with paths shown relative to `base` (a workspace root).
pub fn load_tree_shown_from(root: &Path, base: &Path) -> Result<Vec<VendorFiles>, Error> {
    let reader = Reader { base };
    let mut vendors = Vec::new();
    for dir in reader.sorted_entries(root)? {
        if !dir.is_dir() {
            continue;
        }
        let id = file_name(&dir);
        let manifest = reader.parse_file(&dir.join(MANIFEST))?;
        let mut models = Vec::new();
        reader.collect_models(&dir, &dir, &mut models)?;
        models.sort_by(|a, b| a.0.cmp(&b.0));
        vendors.push(VendorFiles {
            id,
            manifest,
            models,
        });
    }
    Ok(vendors)
}

/// Reads files under a tree, naming them relative to `base` in results.
struct Reader<'a> {
    base: &'a Path,
}

impl Reader<'_> {
    /// How `path` is shown.
    fn shown(&self, path: &Path) -> PathBuf {
        path.strip_prefix(self.base).unwrap_or(path).to_path_buf()
    }

    /// Reads and parses one JSON file; malformed JSON is an error with its line and column.
    fn parse_file(&self, path: &Path) -> Result<JsonFile, Error> {
        let shown = self.shown(path);
        let text =
            fs::read_to_string(path).map_err(|e| Location::root(&shown).error(Problem::Io(e)))?;
        parse_text(&shown, &text)
    }

    fn collect_models(
        &self,
        vendor_dir: &Path,
        dir: &Path,
        out: &mut Vec<(String, JsonFile)>,
    ) -> Result<(), Error> {
        for entry in self.sorted_entries(dir)? {
            if entry.is_dir() {
                self.collect_models(vendor_dir, &entry, out)?;
            } else if entry.extension().is_some_and(|ext| ext == "json")
                && !(dir == vendor_dir && [MANIFEST, LOCK].contains(&file_name(&entry).as_str()))
            {
                let model_path = model_path(vendor_dir, &entry);
                out.push((model_path, self.parse_file(&entry)?));
            }
        }
        Ok(())
    }

    fn sorted_entries(&self, dir: &Path) -> Result<Vec<PathBuf>, Error> {
        let location = Location::root(self.shown(dir));
        let mut entries = fs::read_dir(dir)
            .map_err(|e| location.error(Problem::Io(e)))?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| location.error(Problem::Io(e)))?;
        entries.sort();
        Ok(entries)
    }
}

/// Parses JSON text that came from `path`. A key repeated in one object is an
/// error: JSON parsers disagree on which copy wins, so the file is ambiguous.
pub fn parse_text(path: &Path, text: &str) -> Result<JsonFile, Error> {
    if let Some((pointer, key)) = duplicate_key(text) {
        return Err(Error {
            file: path.to_path_buf(),
            pointer,
            problem: Box::new(Problem::Invalid(format!(
                "key {key:?} appears twice in one object; which one a reader takes is undefined"
            ))),
        });
    }
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

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The pointer of the first object holding a repeated key, and the key.
fn duplicate_key(text: &str) -> Option<(String, String)> {
    use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    use std::cell::RefCell;

    /// Walks any JSON value; on a repeated key, records it and stops.
    struct Walk<'a> {
        pointer: String,
        found: &'a RefCell<Option<(String, String)>>,
    }

    impl<'de> DeserializeSeed<'de> for Walk<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
            deserializer.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Walk<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let mut index = 0usize;
            while seq
                .next_element_seed(Walk {
                    pointer: format!("{}/{index}", self.pointer),
                    found: self.found,
                })?
                .is_some()
            {
                index += 1;
            }
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut keys = std::collections::HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                if !keys.insert(key.clone()) {
                    *self.found.borrow_mut() = Some((format!("{}/{escaped}", self.pointer), key));
                    return Err(serde::de::Error::custom("duplicate key"));
                }
                map.next_value_seed(Walk {
                    pointer: format!("{}/{escaped}", self.pointer),
                    found: self.found,
                })?;
            }
            Ok(())
        }
    }

    let found = RefCell::new(None);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let walk = Walk {
        pointer: String::new(),
        found: &found,
    };
    let _ = walk.deserialize(&mut deserializer);
    found.into_inner()
}
