//! Prices: WaveSpeed's free quote route, the catalogs' base prices and the
//! ledger of what was billed, all from one price table.

mod common;

use common::{AIML_MODEL, AIML_PATH, LITE_I2V, WS_MODEL, get, json, post};
use seedance_sim::{Billed, ImageFormat, ImageSpec, Route, Sim, Vendor, price_micros};
use serde_json::json;

fn image(sim: &Sim) -> String {
    sim.image_url(&ImageSpec::new(ImageFormat::Png, 800, 600))
}

#[tokio::test]
async fn wavespeed_quotes_inputs_for_free() {
    let sim = Sim::start().await;
    let inputs = json!({ "prompt": "a cat", "reference_images": [image(&sim)], "duration": 10 });
    let request = json!({ "model_id": WS_MODEL, "inputs": inputs });
    let (status, answer) = json(
        post(&sim, "/api/v3/model/pricing", &request)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, answer["code"].as_u64()),
        (200, Some(200)),
        "{answer}"
    );
    let data = &answer["data"];
    assert_eq!(data["model_id"], WS_MODEL);
    assert_eq!(data["currency"], "USD");
    let expected = price_micros(Vendor::WaveSpeed, &inputs) as f64 / 1e6;
    assert_eq!(data["unit_price"].as_f64(), Some(expected));
    assert!(expected > 0.1, "10 s costs more than the 5 s base price");
    // A quote creates and bills nothing, and is counted on its own route.
    assert_eq!(sim.count(Route::Pricing), 1);
    assert_eq!(sim.count(Route::Submit), 0);
    assert_eq!(sim.billed(), Billed::default());

    let unknown = json!({ "model_id": "acme/none", "inputs": {} });
    let (status, _) = json(
        post(&sim, "/api/v3/model/pricing", &unknown)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    let no_model = json!({ "inputs": {} });
    let (status, _) = json(
        post(&sim, "/api/v3/model/pricing", &no_model)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn catalogs_list_the_base_prices_of_the_table() {
    let sim = Sim::start().await;
    let (_, model) = json(
        get(&sim, &format!("/v1/models/{LITE_I2V}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let runcomfy = price_micros(Vendor::RunComfy, &json!({"duration": 10})) as f64 / 1e6;
    assert_eq!(model["base_price_usd"].as_f64(), Some(runcomfy));
    assert_eq!(model["price_unit"], "per_request");
    let (_, models) = json(get(&sim, "/api/v3/models").send().await.unwrap()).await;
    let five = price_micros(Vendor::WaveSpeed, &json!({})) as f64 / 1e6;
    assert!(
        models["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["base_price"].as_f64() == Some(five))
    );
}

#[tokio::test]
async fn the_ledger_bills_each_accepted_submit_and_aiml_reports_it() {
    let sim = Sim::start().await;
    let body =
        json!({ "model": AIML_MODEL, "prompt": "a cat", "image_url": image(&sim), "duration": 10 });
    let (status, answer) = json(post(&sim, AIML_PATH, &body).send().await.unwrap()).await;
    assert_eq!(status, 200, "{answer}");
    let price = price_micros(Vendor::AimlApi, &body);
    assert_eq!(
        answer["meta"]["usage"]["usd_spent"].as_f64(),
        Some(price as f64 / 1e6)
    );
    // A refused submit is not billed.
    let bad = json!({ "model": AIML_MODEL, "prompt": "a cat" });
    let (status, _) = json(post(&sim, AIML_PATH, &bad).send().await.unwrap()).await;
    assert_eq!(status, 400);
    assert_eq!(
        sim.billed(),
        Billed {
            jobs: 1,
            usd_micros: price
        }
    );
    let (_, ledger) = json(get(&sim, "/sim/admin/ledger").send().await.unwrap()).await;
    assert_eq!(
        ledger["total"]["usd_micros"].as_u64(),
        Some(price),
        "{ledger}"
    );
    assert_eq!(
        ledger["tokens"][seedance_sim::TOKEN]["jobs"].as_u64(),
        Some(1)
    );
    let id = answer["id"].as_str().unwrap();
    let (_, polled) = json(
        get(&sim, &format!("{AIML_PATH}?generation_id={id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        polled["meta"]["usage"]["usd_spent"],
        answer["meta"]["usage"]["usd_spent"]
    );
}
