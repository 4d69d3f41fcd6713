//! AI/ML API answers report their cost in the documented shape: the
//! `meta.usage` the vendor's OpenAPI documents (under `schemas/aimlapi/`)
//! describe, and the `x-aimlapi-*` headers.

mod common;

use std::collections::BTreeSet;

use common::{AIML_MODEL, AIML_PATH, get, json, post};
use reqwest::Response;
use seedance_sim::{ImageFormat, ImageSpec, Sim};
use serde_json::{Value, json};

/// Every `meta.usage` property the documents' response schemas name.
fn documented_usage() -> BTreeSet<String> {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/aimlapi/ByteDance");
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(folder).expect("the AI/ML API documents") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
        let document: Value = serde_json::from_str(&text).expect("JSON");
        for path in document["paths"].as_object().expect("paths").values() {
            let schema = &path["post"]["responses"]["200"]["content"]["application/json"]["schema"];
            let usage = &schema["properties"]["meta"]["properties"]["usage"]["properties"];
            names.extend(
                usage
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k.clone()),
            );
        }
    }
    names
}

/// The cost headers and body of an answer about a job.
async fn cost(response: Response) -> (Value, Value) {
    let header = |name: &str| {
        response.headers()[name]
            .to_str()
            .expect("ASCII")
            .parse::<f64>()
            .expect("a number")
    };
    let headers = json!({
        "credits": header("x-aimlapi-credits-used"),
        "usd": header("x-aimlapi-usd-spent"),
    });
    let (_, body) = json(response).await;
    (headers, body)
}

#[tokio::test]
async fn every_answer_about_a_job_reports_its_cost_as_documented() {
    let documented = documented_usage();
    assert_eq!(
        documented,
        BTreeSet::from(["credits_used".to_owned(), "usd_spent".to_owned()])
    );
    let sim = Sim::start().await;
    let image = sim.image_url(&ImageSpec::new(ImageFormat::Png, 800, 600));
    let body = json!({ "model": AIML_MODEL, "prompt": "a cat", "image_url": image });
    let submitted = post(&sim, AIML_PATH, &body).send().await.unwrap();
    let (headers, submitted) = cost(submitted).await;
    let id = submitted["id"].as_str().unwrap().to_owned();
    let polled = get(&sim, &format!("{AIML_PATH}?generation_id={id}"));
    let (polled_headers, polled) = cost(polled.send().await.unwrap()).await;
    for (headers, answer) in [(headers, submitted), (polled_headers, polled)] {
        let usage = &answer["meta"]["usage"];
        let names: BTreeSet<String> = usage.as_object().unwrap().keys().cloned().collect();
        assert_eq!(names, documented, "{answer}");
        assert!(usage["credits_used"].as_f64().unwrap() > 0.0, "{answer}");
        assert_eq!(usage["credits_used"].as_f64(), headers["credits"].as_f64());
        assert_eq!(usage["usd_spent"].as_f64(), headers["usd"].as_f64());
    }
}
