//! The vendors' catalog endpoints, answered from the simulator's catalog,
//! and changes to that catalog (library API and admin routes) reaching both
//! what is served and what submits are validated against.

mod common;

use common::*;
use seedance_sim::schema;
use seedance_sim::{CatalogError, Fault, Route, Sim, Vendor};
use serde_json::{Value, json};

/// The path of the AI/ML API's `catalog_url` folder.
const DOCS: &str = "/aimlapi/api-docs/main/docs/api-references/video-models/ByteDance";
const AIML_FIXTURE: &str = include_str!("fixtures/aimlapi/Fixture/seedance-fixture.json");
const WS_FIXTURE: &str = include_str!("fixtures/wavespeed/fixture/hidden-to-video.json");

/// The embedded file text of a model.
fn file_text(vendor: &str, model: &str) -> String {
    schema::models()
        .into_iter()
        .find(|m| m.vendor == vendor && m.model == model)
        .map(|m| m.text.to_string())
        .unwrap()
}

/// Compact JSON text: equal only when keys come in the same order.
fn ordered(value: &Value) -> String {
    serde_json::to_string(value).unwrap()
}

fn parsed(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

fn image_url(sim: &Sim) -> String {
    sim.image_url(&seedance_sim::ImageSpec::new(
        seedance_sim::ImageFormat::Png,
        1280,
        720,
    ))
}

#[tokio::test]
async fn runcomfy_serves_each_model_with_its_input_schema() {
    let sim = Sim::start().await;
    let (code, body) = json(
        get(&sim, &format!("/v1/models/{LITE_R2V}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(
        keys(&body),
        [
            "model_id",
            "display_name",
            "categories",
            "base_price_usd",
            "price_unit",
            "kind",
            "input_schema"
        ]
    );
    assert_eq!(body["model_id"], LITE_R2V);
    assert_eq!(body["categories"], json!(["reference-to-video"]));
    assert_eq!(
        ordered(&body["input_schema"]),
        ordered(&parsed(&file_text("runcomfy", LITE_R2V)))
    );

    let (code, body) = json(get(&sim, "/v1/models/bytedance/nope").send().await.unwrap()).await;
    assert_eq!((code, &body["error_code"]), (404, &json!(404_001)));
    let anonymous = client()
        .get(format!("{}/v1/models/{LITE_R2V}", sim.base_url()))
        .send()
        .await
        .unwrap();
    let (code, body) = json(anonymous).await;
    assert_eq!((code, &body["error_code"]), (401, &json!(400_004)));
    // The submit route on the same path still takes POSTs.
    assert_eq!(sim.count(Route::Catalog), 3);
    assert_eq!(sim.count(Route::Submit), 0);
}

#[tokio::test]
async fn runcomfy_lists_models_with_search_paging_and_optional_schemas() {
    let sim = Sim::start().await;
    let list = |query: &'static str| {
        let request = get(&sim, &format!("/v1/models{query}"));
        async move { json(request.send().await.unwrap()).await.1 }
    };
    let all = list("").await;
    assert_eq!(all["total"], 3);
    assert_eq!(all["models"].as_array().unwrap().len(), 3);
    assert!(all["models"][0].get("input_schema").is_none());
    let with_schemas = list("?include_schema=true").await;
    assert_eq!(
        with_schemas["models"][0]["input_schema"],
        parsed(&file_text("runcomfy", LITE_I2V))
    );
    let pro = list("?search=PRO").await;
    assert_eq!(
        (&pro["total"], &pro["models"][0]["model_id"]),
        (
            &json!(1),
            &json!("bytedance/seedance-1-0/pro/image-to-video")
        )
    );
    let page = list("?limit=1&offset=1").await;
    assert_eq!(
        (&page["total"], &page["models"][0]["model_id"]),
        (&json!(3), &json!(LITE_R2V))
    );
    let category = list("?category=reference-to-video").await;
    assert_eq!(category["total"], 1);
}

#[tokio::test]
async fn wavespeed_lists_models_with_their_request_schemas() {
    let sim = Sim::start().await;
    let (code, body) = json(get(&sim, "/api/v3/models").send().await.unwrap()).await;
    assert_eq!(
        (code, &body["code"], &body["message"]),
        (200, &json!(200), &json!("success"))
    );
    let model = &body["data"][0];
    assert_eq!(
        keys(model),
        ["model_id", "name", "type", "base_price", "api_schema"]
    );
    assert_eq!(model["model_id"], WS_MODEL);
    let run = &model["api_schema"]["api_schemas"][0];
    assert_eq!(
        (&run["type"], &run["method"], &run["api_path"]),
        (
            &json!("model_run"),
            &json!("POST"),
            &json!(format!("/api/v3/{WS_MODEL}"))
        )
    );
    assert_eq!(
        ordered(&run["request_schema"]),
        ordered(&parsed(&file_text("wavespeed", WS_MODEL)))
    );
    let anonymous = client()
        .get(format!("{}/api/v3/models", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
}

#[tokio::test]
async fn aimlapi_documents_are_served_byte_for_byte_with_an_etag() {
    let sim = Sim::start().await;
    // No token: the vendor's docs repository is public.
    let url = format!("{}{DOCS}/seedance-2-0.json", sim.base_url());
    let response = client().get(&url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let body = response.text().await.unwrap();
    assert_eq!(body, file_text("aimlapi", "bytedance/seedance-2-0"));

    let again = client()
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
    let other = client()
        .get(format!(
            "{}{DOCS}/seedance-1.0-lite-image-to-video.json",
            sim.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_ne!(other.headers()["etag"].to_str().unwrap(), etag);
    let missing = client()
        .get(format!("{}{DOCS}/nope.json", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
}

#[tokio::test]
async fn a_changed_schema_is_served_and_enforced() {
    let sim = Sim::start().await;
    let mut changed = parsed(&file_text("runcomfy", LITE_R2V));
    changed["properties"]["style"] = json!({ "type": "string", "enum": ["anime", "film"] });
    changed["required"]
        .as_array_mut()
        .unwrap()
        .push(json!("style"));
    let file = sim
        .catalog()
        .set_schema(Vendor::RunComfy, LITE_R2V, changed.clone())
        .unwrap();
    assert_eq!(file, format!("{LITE_R2V}.json"));

    let (_, served) = json(
        get(&sim, &format!("/v1/models/{LITE_R2V}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(ordered(&served["input_schema"]), ordered(&changed));
    let input = json!({ "text": "x", "images": [image_url(&sim)] });
    let (code, body) = json(
        post(&sim, &format!("/v1/models/{LITE_R2V}"), &input)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 422, "{body}");
    assert_eq!(body["detail"][0]["loc"], json!(["body", "style"]));
    let mut styled = input.clone();
    styled["style"] = json!("film");
    let (code, _) = json(
        post(&sim, &format!("/v1/models/{LITE_R2V}"), &styled)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 200);

    // Another simulator keeps the embedded schema.
    let other = Sim::start().await;
    let (code, _) = json(
        post(&other, &format!("/v1/models/{LITE_R2V}"), &input)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 200);

    // Removed: gone from the catalog and from submits.
    assert!(sim.catalog().remove(Vendor::RunComfy, LITE_R2V));
    assert!(!sim.catalog().remove(Vendor::RunComfy, LITE_R2V));
    for response in [
        get(&sim, &format!("/v1/models/{LITE_R2V}"))
            .send()
            .await
            .unwrap(),
        post(&sim, &format!("/v1/models/{LITE_R2V}"), &styled)
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(json(response).await.1["error_code"], 404_001);
    }
    sim.catalog().reset();
    assert_eq!(sim.catalog().models(Vendor::RunComfy).len(), 3);
}

#[tokio::test]
async fn a_new_wavespeed_model_gets_a_route_and_a_catalog_entry() {
    let sim = Sim::start().await;
    let model = "fixture/hidden-to-video";
    sim.catalog()
        .set_schema(Vendor::WaveSpeed, model, parsed(WS_FIXTURE))
        .unwrap();
    let (_, listed) = json(get(&sim, "/api/v3/models").send().await.unwrap()).await;
    let ids: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["model_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [WS_MODEL, model]);
    // The hidden field is a valid wire field.
    let input =
        json!({ "prompt": "x", "image": "https://e.com/a.png", "enable_safety_checker": false });
    let (code, body) = json(
        post(&sim, &format!("/api/v3/{model}"), &input)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (code, &body["data"]["status"]),
        (200, &json!("created")),
        "{body}"
    );
    let mut wrong = input;
    wrong["enable_safety_checker"] = json!("no");
    let (code, body) = json(
        post(&sim, &format!("/api/v3/{model}"), &wrong)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("enable_safety_checker"),
        "{body}"
    );
}

#[tokio::test]
async fn an_aimlapi_document_dropped_in_gets_its_path_and_file() {
    let sim = Sim::start().await;
    let model = sim
        .catalog()
        .set_file(
            Vendor::AimlApi,
            "Fixture/seedance-fixture.json",
            AIML_FIXTURE,
        )
        .unwrap();
    assert_eq!(model, "vendor/seedance-fixture");
    let served = client()
        .get(format!("{}{DOCS}/seedance-fixture.json", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(served.text().await.unwrap(), AIML_FIXTURE);

    // The document's own submit path exists, for submit and poll.
    let path = "/v2/video/fixture-generations";
    let body = json!({ "model": model, "prompt": "x", "resolution": "480p", "image_url": null });
    let body_2 = json!({ "model": "vendor/seedance-fixture-2", "prompt": "x" });
    let (code, submitted) = json(post(&sim, path, &body).send().await.unwrap()).await;
    assert_eq!(code, 200, "{submitted}");
    let id = submitted["id"].as_str().unwrap();
    let (code, polled) = json(
        get(&sim, &format!("{path}?generation_id={id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((code, &polled["status"]), (200, &json!("queued")));
    let mut wrong = body.clone();
    wrong["resolution"] = json!("1080p");
    let (code, answer) = json(post(&sim, path, &wrong).send().await.unwrap()).await;
    assert_eq!((code, &answer["statusCode"]), (400, &json!("400")));
    // A new text in the same file replaces the model it held.
    let renamed = AIML_FIXTURE.replace("vendor/seedance-fixture", "vendor/seedance-fixture-2");
    let model_2 = sim
        .catalog()
        .set_file(Vendor::AimlApi, "Fixture/seedance-fixture.json", &renamed)
        .unwrap();
    let models = sim.catalog().models(Vendor::AimlApi);
    assert!(
        models.contains(&model_2) && !models.contains(&model),
        "{models:?}"
    );
    // Gone with its document.
    let (code, _) = json(post(&sim, path, &body_2).send().await.unwrap()).await;
    assert_eq!(code, 200);
    assert!(sim.catalog().remove(Vendor::AimlApi, &model_2));
    let (code, _) = json(post(&sim, path, &body_2).send().await.unwrap()).await;
    assert_eq!(code, 404);

    // A document names its own model.
    let refused = sim
        .catalog()
        .set_schema(Vendor::AimlApi, "vendor/other", parsed(AIML_FIXTURE));
    assert!(
        matches!(refused, Err(CatalogError::ModelMismatch { .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_changed_aimlapi_document_keeps_its_file_and_changes_its_etag() {
    let sim = Sim::start().await;
    let model = "bytedance/seedance-2-0";
    let url = format!("{}{DOCS}/seedance-2-0.json", sim.base_url());
    let before = client().get(&url).send().await.unwrap();
    let etag_before = before.headers()["etag"].clone();
    let mut document = sim.catalog().schema(Vendor::AimlApi, model).unwrap();
    let body = "/paths/~1v2~1video~1generations/post/requestBody/content/application~1json/schema";
    document.pointer_mut(body).unwrap()["required"] = json!(["model", "prompt", "image_url"]);
    let file = sim
        .catalog()
        .set_schema(Vendor::AimlApi, model, document.clone())
        .unwrap();
    assert_eq!(file, "ByteDance/seedance-2-0.json");
    let after = client().get(&url).send().await.unwrap();
    assert_ne!(after.headers()["etag"], etag_before);
    assert_eq!(parsed(&after.text().await.unwrap()), document);
    let (code, answer) = json(
        post(&sim, AIML_PATH, &json!({ "model": model, "prompt": "x" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, 400, "{answer}");
    assert!(answer["message"].as_str().unwrap().contains("image_url"));
}

#[tokio::test]
async fn an_unreadable_schema_is_served_but_refuses_submits() {
    let sim = Sim::start().await;
    let broken = json!({ "type": "object", "properties": { "x": { "$ref": "#/nowhere" } } });
    sim.catalog()
        .set_schema(Vendor::RunComfy, "broken/model", broken.clone())
        .unwrap();
    let (code, served) = json(get(&sim, "/v1/models/broken/model").send().await.unwrap()).await;
    assert_eq!((code, &served["input_schema"]), (200, &broken));
    let (code, answer) = json(
        post(&sim, "/v1/models/broken/model", &json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (code, &answer["error_code"]),
        (500, &json!(500_001)),
        "{answer}"
    );
    let findings = sim.catalog().lint();
    assert!(
        findings
            .iter()
            .any(|f| f.file == "runcomfy/broken/model.json" && f.pointer == "/properties/x/$ref"),
        "{findings:?}"
    );
}

#[tokio::test]
async fn admin_routes_change_a_running_simulator() {
    let sim = Sim::start().await;
    let admin = |method: reqwest::Method, path: &str| {
        client().request(method, format!("{}/sim/catalog{path}", sim.base_url()))
    };
    let schema = json!({ "type": "object", "required": ["prompt"],
                         "properties": { "prompt": { "type": "string" } } });
    let response = admin(reqwest::Method::PUT, "/runcomfy/acme/new-model")
        .json(&schema)
        .send()
        .await
        .unwrap();
    let (code, body) = json(response).await;
    assert_eq!(
        (code, body),
        (
            200,
            json!({ "vendor": "runcomfy", "model": "acme/new-model", "file": "acme/new-model.json" })
        )
    );
    let (_, listed) = json(admin(reqwest::Method::GET, "").send().await.unwrap()).await;
    assert!(
        listed["runcomfy"]
            .as_array()
            .unwrap()
            .contains(&json!("acme/new-model")),
        "{listed}"
    );
    let (code, served) = json(get(&sim, "/v1/models/acme/new-model").send().await.unwrap()).await;
    assert_eq!((code, &served["input_schema"]), (200, &schema));

    let deleted = admin(reqwest::Method::DELETE, "/runcomfy/acme/new-model")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    let (code, _) = json(get(&sim, "/v1/models/acme/new-model").send().await.unwrap()).await;
    assert_eq!(code, 404);
    let again = admin(reqwest::Method::DELETE, "/runcomfy/acme/new-model")
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 404);
    let bad = admin(reqwest::Method::PUT, "/nobody/x")
        .json(&schema)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 404);

    sim.catalog().remove(Vendor::RunComfy, LITE_R2V);
    let reset = admin(reqwest::Method::POST, "/reset").send().await.unwrap();
    assert_eq!(reset.status().as_u16(), 204);
    assert_eq!(sim.catalog().models(Vendor::RunComfy).len(), 3);
}

#[tokio::test]
async fn catalog_requests_are_counted_and_take_faults() {
    let sim = Sim::start().await;
    sim.inject(Route::Catalog, Fault::Status(503), 1);
    let first = get(&sim, "/api/v3/models").send().await.unwrap();
    assert_eq!(first.status().as_u16(), 503);
    let second = get(&sim, "/api/v3/models").send().await.unwrap();
    assert_eq!(second.status().as_u16(), 200);
    assert_eq!(sim.count(Route::Catalog), 2);
}
