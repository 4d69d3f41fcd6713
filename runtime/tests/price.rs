//! Quotes before submit and costs after, asserted against what the
//! simulator priced and billed (its own counts and ledger).

mod common;

use common::{AimlApi, RunComfy, WaveSpeed, aiml_input, client, rc_input, ws_input};
use seedance_runtime::{PriceSource, Pricer, Quote, UnknownPrice, Usd};
use seedance_sim::{Fault, Route, Sim, Vendor, price_micros};
use serde_json::json;

#[tokio::test]
async fn wavespeed_quotes_exactly_from_its_pricing_endpoint_without_a_job() {
    let sim = Sim::start().await;
    let client = client::<WaveSpeed>(&sim);
    let input = ws_input(&sim);
    let quote = client.quote(&input).await;
    let price = quote.price().unwrap_or_else(|| panic!("{quote}"));
    let body = serde_json::to_value(&input).unwrap();
    assert_eq!(price.usd.micros(), price_micros(Vendor::WaveSpeed, &body));
    assert!(price.is_exact(), "{price}");
    assert!(matches!(price.source, PriceSource::PricingEndpoint { .. }));
    assert_eq!(sim.count(Route::Pricing), 1);
    assert_eq!(sim.count(Route::Submit), 0);
    assert_eq!(sim.billed().jobs, 0);

    // The quote is what the vendor then bills for the same input.
    client.submit(&input).await.unwrap();
    assert_eq!(sim.billed().usd_micros, price.usd.micros());
}

#[tokio::test]
async fn a_longer_video_is_quoted_higher() {
    let sim = Sim::start().await;
    let conn = client::<WaveSpeed>(&sim).connection().clone();
    let model = "bytedance/seedance-v1-lite/reference-to-video";
    let five = conn.quote_raw(model, &json!({"duration": 5})).await.usd();
    let ten = conn.quote_raw(model, &json!({"duration": 10})).await.usd();
    assert_eq!(ten.unwrap().micros(), 2 * five.unwrap().micros());
}

#[tokio::test]
async fn runcomfy_quotes_its_catalog_base_price_as_an_estimate() {
    let sim = Sim::start().await;
    let client = client::<RunComfy>(&sim);
    let input = rc_input(&sim);
    let quote = client.quote(&input).await;
    let price = quote.price().unwrap_or_else(|| panic!("{quote}"));
    assert!(!price.is_exact());
    let PriceSource::CatalogBasePrice { unit, units, .. } = &price.source else {
        panic!("{price}");
    };
    assert_eq!((unit.as_str(), *units), ("per_request", 1));
    assert_eq!(sim.count(Route::Catalog), 1);
    client.submit(&input).await.unwrap();
    assert_eq!(sim.billed().usd_micros, price.usd.micros());
}

#[tokio::test]
async fn aimlapi_is_unknown_before_and_reported_after() {
    let sim = Sim::start().await;
    let client = client::<AimlApi>(&sim);
    let input = aiml_input(&sim);
    let quote = client.quote(&input).await;
    assert!(
        matches!(quote, Quote::Unknown(UnknownPrice::NoPriceSource { .. })),
        "{quote}"
    );
    assert!(
        quote.to_string().contains("reports each job's cost"),
        "{quote}"
    );
    let output = client.submit(&input).await.unwrap().wait().await.unwrap();
    let reported = output.reported_cost().expect("AI/ML reports usd_spent");
    assert_eq!(reported.micros(), sim.billed().usd_micros);
}

#[tokio::test]
async fn a_pricing_route_that_fails_is_unknown_with_the_cause() {
    let sim = Sim::start().await;
    let conn = client::<WaveSpeed>(&sim).connection().clone();
    let model = "bytedance/seedance-v1-lite/reference-to-video";
    sim.inject(Route::Pricing, Fault::Status(503), 1);
    let quote = conn.quote_raw(model, &json!({})).await;
    let Quote::Unknown(reason) = &quote else {
        panic!("{quote}")
    };
    assert!(reason.is_transient(), "{reason}");
    assert!(reason.to_string().contains("503"), "{reason}");
    // Asking again answers.
    assert!(conn.quote_raw(model, &json!({})).await.usd().is_some());
    let unknown_model = conn.quote_raw("acme/none", &json!({})).await;
    let Quote::Unknown(reason) = &unknown_model else {
        panic!("{unknown_model}")
    };
    assert!(!reason.is_transient(), "{reason}");
    assert!(reason.to_string().contains("404"), "{reason}");
}

#[tokio::test]
async fn the_pricer_asks_once_per_model_and_input_and_uses_assumed_prices() {
    let sim = Sim::start().await;
    let pricer = Pricer::new(client::<WaveSpeed>(&sim).connection().clone());
    let model = "bytedance/seedance-v1-lite/reference-to-video";
    for line in 0..100 {
        let input = json!({"duration": 2 + line % 10});
        assert!(pricer.quote(model, &input).await.usd().is_some());
    }
    assert_eq!(sim.count(Route::Pricing), 10);

    let aiml = client::<AimlApi>(&sim).connection().clone();
    let assumed = [("m".to_owned(), "0.25".parse::<Usd>().unwrap())].into();
    let pricer = Pricer::new(aiml).with_assumed(assumed);
    let quote = pricer.quote("m", &json!({})).await;
    let price = quote.price().unwrap();
    assert_eq!(price.source, PriceSource::Assumed);
    assert_eq!(price.usd.micros(), 250_000);
    assert!(pricer.quote("other", &json!({})).await.usd().is_none());
}

#[tokio::test]
async fn the_pricer_reads_a_runcomfy_catalog_entry_once_per_model() {
    let sim = Sim::start().await;
    let pricer = Pricer::new(client::<RunComfy>(&sim).connection().clone());
    let model = "bytedance/seedance-1-0/pro/image-to-video";
    for line in 0..50 {
        let input = json!({"prompt": format!("line {line}")});
        let quote = pricer.quote(model, &input).await;
        assert!(quote.usd().is_some(), "{quote}");
    }
    assert_eq!(sim.count(Route::Catalog), 1, "50 distinct lines, one entry");
}
