//! The generator against the real schemas and against broken fixtures.
//!
//! Snapshots: one per generated file and one per broken fixture, so a codegen
//! change shows up as a reviewable diff (`cargo insta review`).

use std::fs;
use std::path::{Path, PathBuf};

use seedance_codegen::{GeneratedFile, generate};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs codegen from the workspace root so paths in output read `schemas/...`.
fn generate_from_workspace(schemas: &str) -> Result<Vec<GeneratedFile>, seedance_codegen::Error> {
    let _cwd = CwdGuard::enter(&workspace());
    generate(Path::new(schemas))
}

#[test]
fn generated_code_matches_snapshots() {
    let files = generate_from_workspace("schemas").expect("the vendor schemas generate");
    for file in &files {
        let name = file.path.to_string_lossy().replace(['/', '\\'], "__");
        insta::assert_snapshot!(name, file.contents);
    }
}

#[test]
fn generated_crate_on_disk_is_fresh() {
    let files = generate_from_workspace("schemas").expect("the vendor schemas generate");
    let stale: Vec<String> = files
        .iter()
        .filter(|file| {
            let on_disk = fs::read_to_string(workspace().join("generated").join(&file.path));
            on_disk.ok().as_deref() != Some(file.contents.as_str())
        })
        .map(|file| file.path.display().to_string())
        .collect();
    assert!(
        stale.is_empty(),
        "generated/ is stale, run `cargo xtask regen`: {stale:?}"
    );
}

#[test]
fn output_is_byte_identical_across_runs() {
    let first = generate_from_workspace("schemas").unwrap();
    let second = generate_from_workspace("schemas").unwrap();
    assert_eq!(first, second);
}

#[test]
fn every_model_gets_a_module_with_input_validate_and_vendor_binding() {
    let files = generate_from_workspace("schemas").unwrap();
    let models: Vec<&GeneratedFile> = files
        .iter()
        .filter(|f| f.path.extension().is_some_and(|e| e == "rs"))
        .filter(|f| {
            f.path
                .parent()
                .is_some_and(|dir| dir != std::path::Path::new("src"))
        })
        .filter(|f| !f.path.ends_with("mod.rs"))
        .collect();
    assert_eq!(models.len(), 5, "five model endpoints in schemas/");
    for file in models {
        for needle in [
            "pub struct Input",
            "pub fn validate(",
            "impl seedance_runtime::model::Model for Input",
            "type Vendor = super::Vendor;",
        ] {
            assert!(
                file.contents.contains(needle),
                "{} lacks {needle:?}",
                file.path.display()
            );
        }
        assert!(
            !file.contents.contains("modelApiDoc_"),
            "{} carries placeholder text",
            file.path.display()
        );
    }
}

/// Each folder under `tests/fixtures/broken/` is a schemas tree codegen must
/// reject with an error naming the file and the JSON pointer.
#[test]
fn broken_schemas_are_rejected_with_file_and_pointer() {
    let root = workspace().join("tests/fixtures/broken");
    let mut cases: Vec<_> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 4);
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let schemas = format!("tests/fixtures/broken/{name}");
        let error = generate_from_workspace(&schemas).expect_err(&name);
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("{schemas}/fixture/")),
            "{name}: error does not name the file: {message}"
        );
        assert!(
            message.contains(".json#"),
            "{name}: error has no JSON pointer: {message}"
        );
        insta::assert_snapshot!(format!("broken__{name}"), message);
    }
}

/// A sixth RunComfy schema dropped into `schemas/runcomfy/` becomes a typed
/// module with no code change.
#[test]
fn a_new_schema_file_yields_a_new_module() {
    let scratch = std::env::temp_dir().join(format!("seedance-sixth-{}", std::process::id()));
    let _ = fs::remove_dir_all(&scratch);
    copy_dir(&workspace().join("schemas"), &scratch);
    let pro = scratch.join("runcomfy/bytedance/seedance-1-0/pro/image-to-video.json");
    let sixth = scratch.join("runcomfy/bytedance/seedance-1-0/pro-fast/image-to-video.json");
    fs::create_dir_all(sixth.parent().unwrap()).unwrap();
    fs::copy(&pro, &sixth).unwrap();

    let files = generate(&scratch).expect("the new schema generates");
    let module = files
        .iter()
        .find(|f| {
            f.path
                .ends_with("runcomfy/seedance_1_0_pro_fast_image_to_video.rs")
        })
        .expect("a module for the new model");
    assert!(module.contents.contains(
        "const MODEL: &'static str = \"bytedance/seedance-1-0/pro-fast/image-to-video\""
    ));
    let vendor = files
        .iter()
        .find(|f| f.path.ends_with("runcomfy/mod.rs"))
        .unwrap();
    assert!(
        vendor
            .contents
            .contains("pub mod seedance_1_0_pro_fast_image_to_video;")
    );
    fs::remove_dir_all(&scratch).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

/// Tests in this file share the process's working directory: one at a time.
struct CwdGuard {
    previous: PathBuf,
    _lock: std::sync::MutexGuard<'static, ()>,
}

static CWD_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl CwdGuard {
    fn enter(dir: &Path) -> Self {
        let lock = CWD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let previous = std::env::current_dir().unwrap();
        std::env::set_current_dir(dir).unwrap();
        CwdGuard {
            previous,
            _lock: lock,
        }
    }
}

impl Drop for CwdGuard {
    fn drop(&mut self) {
        let _ = std::env::set_current_dir(&self.previous);
    }
}
