//! `cargo xtask pull` end to end against the simulator's catalogs: a schema
//! changed in the simulator reaches `schemas/`, the lock file, the generated
//! module and the change report; `--check` reports the drift and writes
//! nothing; a schema codegen refuses is reported and left as it was.

mod support;

use std::fs;

use seedance_sim::{Sim, Vendor};
use serde_json::{Value, json};
use support::{RUNCOMFY_MODEL, WAVESPEED_MODEL, checkout, copy_dir, options};
use xtask::pull::{self, Drift};

#[test]
fn a_changed_catalog_schema_is_pulled_regenerated_and_reported() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(Sim::start());
    let root = checkout("changed");

    let unchanged = pull::run(&root, &options(&sim, true)).unwrap();
    assert!(unchanged.drift.is_empty(), "{}", unchanged.render());
    assert!(unchanged.refused.is_empty(), "{}", unchanged.render());

    let file = root.join(format!("schemas/wavespeed/{WAVESPEED_MODEL}.json"));
    let mut schema: Value = serde_json::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
    schema["properties"]["negative_prompt"] =
        json!({"type": "string", "description": "What not to show."});
    schema["x-order-properties"]
        .as_array_mut()
        .unwrap()
        .push(json!("negative_prompt"));
    sim.catalog()
        .set_schema(Vendor::WaveSpeed, WAVESPEED_MODEL, schema)
        .unwrap();

    let before = fs::read(&file).unwrap();
    let check = pull::run(&root, &options(&sim, true)).unwrap();
    assert_eq!(
        check.drift,
        [(format!("wavespeed/{WAVESPEED_MODEL}"), Drift::Changed)],
        "{}",
        check.render()
    );
    assert_eq!(fs::read(&file).unwrap(), before, "--check writes nothing");

    let report = pull::run(&root, &options(&sim, false)).unwrap();
    let rendered = report.render();
    assert!(
        rendered.contains("new optional field `negative_prompt`"),
        "{rendered}"
    );
    assert!(rendered.contains("semver: minor"), "{rendered}");
    let module = fs::read_to_string(
        root.join("generated/src/wavespeed/seedance_v1_lite_reference_to_video.rs"),
    )
    .unwrap();
    assert!(module.contains("pub negative_prompt: Option<String>"));
    let lock: Value = serde_json::from_str(
        &fs::read_to_string(root.join("schemas/wavespeed/lock.json")).unwrap(),
    )
    .unwrap();
    let entry = &lock["models"][WAVESPEED_MODEL];
    assert!(entry["fetched_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(entry["source"], "https://api.wavespeed.ai/api/v3/models");
    assert_eq!(entry["sha256"].as_str().unwrap().len(), 64);

    let after = pull::run(&root, &options(&sim, true)).unwrap();
    assert!(after.drift.is_empty(), "{}", after.render());
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn check_reports_new_and_vanished_models() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(Sim::start());
    let root = checkout("drift");
    let workspace = support::workspace();
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(workspace.join(format!("schemas/wavespeed/{WAVESPEED_MODEL}.json")))
            .unwrap(),
    )
    .unwrap();
    // A new model under the manifest's `catalog_prefix`, and one gone.
    sim.catalog()
        .set_schema(
            Vendor::WaveSpeed,
            "bytedance/seedance-v1-pro/reference-to-video",
            schema,
        )
        .unwrap();
    assert!(sim.catalog().remove(Vendor::RunComfy, RUNCOMFY_MODEL));

    let report = pull::run(&root, &options(&sim, true)).unwrap();
    let mut drift = report.drift.clone();
    drift.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        drift,
        [
            (format!("runcomfy/{RUNCOMFY_MODEL}"), Drift::Vanished),
            (
                "wavespeed/bytedance/seedance-v1-pro/reference-to-video".to_owned(),
                Drift::New
            ),
        ],
        "{}",
        report.render()
    );
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_schema_codegen_refuses_is_reported_and_the_others_update() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(Sim::start());
    let root = checkout("refused");

    let runcomfy = root.join(format!("schemas/runcomfy/{RUNCOMFY_MODEL}.json"));
    let before = fs::read(&runcomfy).unwrap();
    let mut broken: Value = serde_json::from_slice(&before).unwrap();
    broken["properties"]["first_frame_image_url"]["validations"][0]["validation_rule"] =
        json!("duration_seconds<");
    sim.catalog()
        .set_schema(Vendor::RunComfy, RUNCOMFY_MODEL, broken)
        .unwrap();
    let mut fine: Value = serde_json::from_str(
        &fs::read_to_string(root.join(format!("schemas/wavespeed/{WAVESPEED_MODEL}.json")))
            .unwrap(),
    )
    .unwrap();
    fine["properties"]["duration"]["maximum"] = json!(15);
    sim.catalog()
        .set_schema(Vendor::WaveSpeed, WAVESPEED_MODEL, fine)
        .unwrap();

    let report = pull::run(&root, &options(&sim, false)).unwrap();
    let rendered = report.render();
    assert_eq!(report.refused.len(), 1, "{rendered}");
    assert_eq!(report.refused[0].0, format!("runcomfy/{RUNCOMFY_MODEL}"));
    assert!(
        report.refused[0].1.contains("duration_seconds<"),
        "{rendered}"
    );
    assert_eq!(
        fs::read(&runcomfy).unwrap(),
        before,
        "the refused schema is left as it was"
    );
    assert!(
        rendered.contains("`duration`: maximum widened (12 -> 15)"),
        "{rendered}"
    );
    fs::remove_dir_all(&root).unwrap();
}

/// `cargo xtask` acts on the checkout it is run from, not the one it was
/// built in (a shared target folder once made `regen --check` check another).
#[test]
fn regen_works_on_the_checkout_it_is_run_from() {
    let workspace = support::workspace();
    let root = checkout("cwd");
    for dir in ["tests/fixtures/schemas", "tests/fixtures/generated"] {
        copy_dir(&workspace.join(dir), &root.join(dir));
    }
    fs::write(root.join("Cargo.toml"), "[workspace]\n").unwrap();
    let xtask = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(args)
            .current_dir(root.join("schemas/runcomfy"))
            .output()
            .unwrap()
    };
    assert!(xtask(&["regen", "--check"]).status.success());

    let schema = root.join(format!("schemas/runcomfy/{RUNCOMFY_MODEL}.json"));
    let mut value: Value = serde_json::from_slice(&fs::read(&schema).unwrap()).unwrap();
    value["properties"]["prompt"]["maxLength"] = json!(100);
    fs::write(&schema, serde_json::to_vec_pretty(&value).unwrap()).unwrap();
    let stale = xtask(&["regen", "--check"]);
    assert!(!stale.status.success());
    let message = String::from_utf8_lossy(&stale.stderr);
    assert!(
        message.contains("generated/src/runcomfy/seedance_1_0_pro_image_to_video.rs"),
        "{message}"
    );
    let written = xtask(&["regen"]);
    assert!(written.status.success());
    let report = String::from_utf8_lossy(&written.stdout);
    assert!(
        report.contains("`prompt`: maxLength narrowed (none -> 100)"),
        "{report}"
    );
    let module =
        fs::read_to_string(root.join("generated/src/runcomfy/seedance_1_0_pro_image_to_video.rs"))
            .unwrap();
    assert!(module.contains("max_length"));
    fs::remove_dir_all(&root).unwrap();
}

/// Discovery: RunComfy's list endpoint (searched for the manifest's
/// `catalog_prefix`) and the AI/ML API's docs folder listing name models
/// that are not compiled in; `--check` reports them as new and writes
/// nothing, a pull takes them (one model per id of a document's `model`
/// enum) with their lock entries, and then nothing is new.
#[test]
fn pull_discovers_models_upstream_that_are_not_compiled_in() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(Sim::start());
    let root = checkout("discover");
    let workspace = support::workspace();
    let read = |path: &str| fs::read_to_string(workspace.join(path)).unwrap();

    let pro: Value =
        serde_json::from_str(&read(&format!("schemas/runcomfy/{RUNCOMFY_MODEL}.json"))).unwrap();
    sim.catalog()
        .set_schema(
            Vendor::RunComfy,
            "bytedance/seedance-1-5/pro/image-to-video",
            pro.clone(),
        )
        .unwrap();
    // Listed by a search for "seedance", but not under the prefix.
    sim.catalog()
        .set_schema(Vendor::RunComfy, "acme/seedance-like/image-to-video", pro)
        .unwrap();
    let next = read("schemas/aimlapi/ByteDance/seedance-2-0.json")
        .replace("\"bytedance/seedance-2-0\"", "\"bytedance/seedance-3-0\"");
    sim.catalog()
        .set_file(Vendor::AimlApi, "ByteDance/seedance-3-0.json", &next)
        .unwrap();
    let family = read("tests/fixtures/schemas/aimlapi/docs/acme-family.json");
    sim.catalog()
        .set_file(Vendor::AimlApi, "ByteDance/acme-family.json", &family)
        .unwrap();

    let expected: Vec<(String, Drift)> = [
        "aimlapi/acme/family/v1.6/pro",
        "aimlapi/acme/family/v1/pro",
        "aimlapi/acme/family/v1/standard",
        "aimlapi/bytedance/seedance-3-0",
        "runcomfy/bytedance/seedance-1-5/pro/image-to-video",
    ]
    .iter()
    .map(|m| ((*m).to_owned(), Drift::New))
    .collect();
    let check = pull::run(&root, &options(&sim, true)).unwrap();
    let mut drift = check.drift.clone();
    drift.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(drift, expected, "{}", check.render());
    assert!(
        check
            .render()
            .contains("new: aimlapi/bytedance/seedance-3-0")
    );
    assert!(
        !root
            .join("schemas/aimlapi/ByteDance/seedance-3-0.json")
            .exists()
    );

    // `--model` picks: no discovery.
    let mut picked = options(&sim, true);
    picked.models = vec![RUNCOMFY_MODEL.to_owned()];
    let picked = pull::run(&root, &picked).unwrap();
    assert!(picked.drift.is_empty(), "{}", picked.render());

    let report = pull::run(&root, &options(&sim, false)).unwrap();
    let rendered = report.render();
    assert!(report.refused.is_empty(), "{rendered}");
    assert!(
        rendered.contains("new model `aimlapi::seedance_3_0`"),
        "{rendered}"
    );
    assert!(
        rendered.contains("new model `aimlapi::family_v1_pro`"),
        "{rendered}"
    );
    assert!(
        root.join("schemas/runcomfy/bytedance/seedance-1-5/pro/image-to-video.json")
            .is_file()
    );
    assert!(root.join("generated/src/aimlapi/seedance_3_0.rs").is_file());
    let lock: Value =
        serde_json::from_str(&fs::read_to_string(root.join("schemas/aimlapi/lock.json")).unwrap())
            .unwrap();
    for model in ["acme/family/v1/pro", "acme/family/v1/standard"] {
        assert_eq!(lock["models"][model]["file"], "ByteDance/acme-family.json");
    }
    assert_eq!(
        lock["models"]["bytedance/seedance-3-0"]["source"],
        "https://raw.githubusercontent.com/aimlapi/api-docs/main/docs/api-references/video-models/ByteDance/seedance-3-0.json"
    );

    let after = pull::run(&root, &options(&sim, true)).unwrap();
    assert!(after.drift.is_empty(), "{}", after.render());
    fs::remove_dir_all(&root).unwrap();
}
