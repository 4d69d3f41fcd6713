//! The generator against the real schemas, broken fixtures, the vendor
//! mistakes it steps over, and the change classifier on pairs of schemas.
//!
//! Generated code itself is checked in one place, `cargo xtask regen --check`
//! (CI), not by snapshots that would duplicate `generated/`. Snapshots here
//! are of error and warning texts and change reports.

use std::fs;
use std::path::{Path, PathBuf};

use seedance_codegen::ir::Type;
use seedance_codegen::{GeneratedFile, changes, corpus, generate, surface};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn output_is_byte_identical_across_runs() {
    let first = generate(&workspace().join("schemas")).unwrap();
    let second = generate(&workspace().join("schemas")).unwrap();
    assert_eq!(first, second);
}

#[test]
fn every_vendor_document_becomes_a_module() {
    let files = generate(&workspace().join("schemas")).unwrap();
    let models: Vec<&GeneratedFile> = files
        .iter()
        .filter(|f| f.path.extension().is_some_and(|e| e == "rs"))
        .filter(|f| f.path.parent().is_some_and(|dir| dir != Path::new("src")))
        .filter(|f| !f.path.ends_with("mod.rs"))
        .collect();
    // Three RunComfy schemas, the thirteen AI/ML API OpenAPI documents of the
    // vendor's ByteDance folder, one WaveSpeed schema.
    assert_eq!(models.len(), 17);
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

#[test]
fn openapi_documents_give_the_path_and_the_model_id() {
    let corpus = corpus(&workspace().join("schemas")).unwrap();
    let aimlapi = corpus.vendors.iter().find(|v| v.id == "aimlapi").unwrap();
    let lite = aimlapi
        .models
        .iter()
        .find(|m| m.path == "bytedance/seedance-1-0-lite-i2v")
        .expect("the model id comes from the one-value `model` enum");
    assert_eq!(lite.submit_path, "/v2/video/generations");
    assert!(lite.fields.iter().any(|f| f.wire == "camerafixed"));
    assert_eq!(lite.module, "seedance_1_0_lite_i2v");
}

/// The shapes of the vendor's other video documents: nested objects and
/// lists of them become typed structs named from their path; an untyped
/// property is a JSON value (with a warning naming file and pointer); a
/// `model` enum of several ids is one model per id; the universal POST path
/// wins over a legacy one.
#[test]
fn the_vendors_whole_format_is_taken() {
    let corpus = corpus(&workspace().join("tests/fixtures/schemas")).unwrap();
    let aimlapi = corpus.vendors.iter().find(|v| v.id == "aimlapi").unwrap();
    let model = |path: &str| {
        aimlapi
            .models
            .iter()
            .find(|m| m.path == path)
            .unwrap_or_else(|| panic!("a model {path}"))
    };
    // Nested object: a struct named from its path, its own nested struct inside.
    let motion = model("acme/motion-1");
    let camera = motion
        .fields
        .iter()
        .find(|f| f.wire == "camera_control")
        .unwrap();
    let Type::Object(camera) = &camera.ty else {
        panic!("camera_control is a struct: {:?}", camera.ty)
    };
    assert_eq!(camera.name, "CameraControl");
    assert_eq!(camera.required, ["type"]);
    let names: Vec<&str> = camera.fields.iter().map(|f| f.wire.as_str()).collect();
    assert_eq!(names, ["type", "config"]);
    assert!(matches!(&camera.fields[0].ty, Type::Enum(e) if e.name == "CameraControlType"));
    assert!(
        matches!(&camera.fields[1].ty, Type::Object(o) if o.name == "CameraControlConfig" && o.path == "camera_control.config")
    );

    // Array of objects: a list of item structs, bounds kept at every level.
    let masks = motion
        .fields
        .iter()
        .find(|f| f.wire == "dynamic_masks")
        .unwrap();
    let Type::ObjectArray {
        item, max_items, ..
    } = &masks.ty
    else {
        panic!("dynamic_masks is a list of structs: {:?}", masks.ty)
    };
    assert_eq!(
        (item.name.as_str(), *max_items),
        ("DynamicMasksItem", Some(6))
    );
    let trajectories = item
        .fields
        .iter()
        .find(|f| f.wire == "trajectories")
        .unwrap();
    assert!(matches!(
        &trajectories.ty,
        Type::ObjectArray { item, min_items: Some(2), max_items: Some(77) }
            if item.name == "DynamicMasksItemTrajectoriesItem" && item.path == "dynamic_masks[].trajectories[]"
    ));

    // Untyped property, and an object with no properties: a JSON value and
    // a JSON object, warned about.
    for wire in ["extra", "metadata"] {
        let field = motion.fields.iter().find(|f| f.wire == wire).unwrap();
        let expected = if wire == "extra" {
            matches!(field.ty, Type::Json)
        } else {
            matches!(field.ty, Type::JsonObject)
        };
        assert!(expected, "{wire}: {:?}", field.ty);
        let pointer = format!(
            "/paths/~1v2~1video~1generations/post/requestBody/content/application~1json/schema/properties/{wire}"
        );
        let warning = corpus
            .warnings
            .iter()
            .find(|w| w.pointer == pointer)
            .unwrap_or_else(|| panic!("a warning at {pointer}"));
        assert!(warning.file.ends_with("acme-motion.json"), "{warning}");
        assert!(warning.message.contains("serde_json::"), "{warning}");
    }

    // Several models in one document: one model per id, each its own constant.
    let family: Vec<&str> = aimlapi
        .models
        .iter()
        .filter(|m| m.source.ends_with("acme-family.json"))
        .map(|m| m.path.as_str())
        .collect();
    assert_eq!(
        family,
        [
            "acme/family/v1.6/pro",
            "acme/family/v1/pro",
            "acme/family/v1/standard"
        ]
    );
    for path in family {
        let model = model(path);
        let constant = model.fields.iter().find(|f| f.wire == "model").unwrap();
        let Type::Const(e) = &constant.ty else {
            panic!("{path}: model is a constant: {:?}", constant.ty)
        };
        assert_eq!(e.variants.len(), 1);
        assert_eq!(e.variants[0].wire.to_json(), path);
        assert_eq!(model.submit_path, "/v2/video/generations");
    }

    // A legacy second POST path: the universal one and its body win.
    let legacy = model("acme/legacy-1");
    assert_eq!(legacy.submit_path, "/v2/video/generations");
    let names: Vec<&str> = legacy.fields.iter().map(|f| f.wire.as_str()).collect();
    assert_eq!(names, ["model", "prompt"]);
}

/// Each folder under `tests/fixtures/broken/` is a schemas tree codegen must
/// reject with an error naming the file and the JSON pointer.
#[test]
fn broken_schemas_are_rejected_with_file_and_pointer() {
    for (name, case) in cases("tests/fixtures/broken", 10) {
        let error = generate(&case).expect_err(&name);
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("{name}/fixture/")),
            "{name}: error does not name the file: {message}"
        );
        assert!(
            message.contains(".json#"),
            "{name}: error has no JSON pointer: {message}"
        );
        insta::assert_snapshot!(format!("broken__{name}"), message);
    }
}

/// The fixture corpus holds one of each vendor mistake that does not change
/// the wire: each is a warning with file and pointer, and generation goes on.
#[test]
fn vendor_mistakes_are_warnings_with_file_and_pointer() {
    let corpus = corpus(&workspace().join("tests/fixtures/schemas")).unwrap();
    let warnings: Vec<String> = corpus.warnings.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!("fixture_warnings", warnings.join("\n"));
    let real = seedance_codegen::corpus(&workspace().join("schemas")).unwrap();
    let real: Vec<String> = real.warnings.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!("vendor_warnings", real.join("\n"));
}

/// Each folder under `codegen/tests/changes/` holds `old.json` and `new.json`
/// of one RunComfy model; the report classifies the change.
#[test]
fn the_change_report_classifies_each_schema_change() {
    for (name, case) in cases("codegen/tests/changes", 10) {
        let old = surface_of(&case.join("old.json"));
        let new = surface_of(&case.join("new.json"));
        let report = changes::report(&changes::classify(&old, &new));
        insta::assert_snapshot!(format!("changes__{name}"), report);
    }
}

/// The case folders under `dir` (at least `min`), with their names, sorted.
fn cases(dir: &str, min: usize) -> Vec<(String, PathBuf)> {
    let mut cases: Vec<(String, PathBuf)> = fs::read_dir(workspace().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|path| {
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                path,
            )
        })
        .collect();
    cases.sort();
    assert!(cases.len() >= min, "{dir} holds {} cases", cases.len());
    cases
}

/// The surface of a one-model RunComfy tree holding `schema`.
fn surface_of(schema: &Path) -> surface::Surface {
    let scratch = scratch_dir("change");
    let model = scratch.join("runcomfy/acme/model.json");
    fs::create_dir_all(model.parent().unwrap()).unwrap();
    fs::write(
        scratch.join("runcomfy/vendor.json"),
        r#"{"name": "RunComfy", "protocol": "runcomfy", "base_url": "http://127.0.0.1:9", "token_env": "T", "submit_path": "/v1/models/{model}"}"#,
    )
    .unwrap();
    fs::copy(schema, &model).unwrap();
    let surface = surface::project(&corpus(&scratch).unwrap());
    fs::remove_dir_all(&scratch).unwrap();
    surface
}

/// A new schema of each published shape dropped into `schemas/` becomes a
/// typed module with no code change.
#[test]
fn a_new_schema_file_of_each_shape_yields_a_new_module() {
    let scratch = scratch_dir("new-model");
    copy_dir(&workspace().join("schemas"), &scratch);
    let fixtures = workspace().join("tests/fixtures/schemas");
    for (from, to) in [
        (
            "runcomfy/acme/odd-names.json",
            "runcomfy/acme/odd-names.json",
        ),
        (
            "wavespeed/acme/ui-hints.json",
            "wavespeed/acme/ui-hints.json",
        ),
        (
            "aimlapi/docs/acme-video.json",
            "aimlapi/more/acme-video.json",
        ),
        (
            "aimlapi/docs/acme-motion.json",
            "aimlapi/more/acme-motion.json",
        ),
        (
            "aimlapi/docs/acme-family.json",
            "aimlapi/more/acme-family.json",
        ),
        (
            "aimlapi/docs/acme-legacy.json",
            "aimlapi/more/acme-legacy.json",
        ),
    ] {
        fs::create_dir_all(scratch.join(to).parent().unwrap()).unwrap();
        fs::copy(fixtures.join(from), scratch.join(to)).unwrap();
    }
    let files = generate(&scratch).expect("the new schemas generate");
    for (module, model) in [
        ("runcomfy/odd_names.rs", "acme/odd-names"),
        ("wavespeed/ui_hints.rs", "acme/ui-hints"),
        ("aimlapi/video_1.rs", "acme/video-1"),
        ("aimlapi/motion_1.rs", "acme/motion-1"),
        ("aimlapi/family_v1_6_pro.rs", "acme/family/v1.6/pro"),
        ("aimlapi/family_v1_standard.rs", "acme/family/v1/standard"),
        ("aimlapi/legacy_1.rs", "acme/legacy-1"),
    ] {
        let file = files
            .iter()
            .find(|f| f.path.ends_with(module))
            .unwrap_or_else(|| panic!("a module {module}"));
        assert!(
            file.contents
                .contains(&format!("const MODEL: &'static str = \"{model}\""))
        );
    }
    fs::remove_dir_all(&scratch).unwrap();
}

fn scratch_dir(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("seedance-{name}-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    // The folder name is what paths in messages start with.
    let dir = dir.join("schemas");
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    seedance_codegen::tree::copy_tree(from, to).expect("a scratch copy");
}
