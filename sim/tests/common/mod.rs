//! Helpers shared by the integration tests.
#![allow(dead_code)]

use reqwest::{Client, RequestBuilder, Response};
use seedance_sim::{Sim, TOKEN};
use serde_json::Value;

pub const LITE_I2V: &str = "bytedance/seedance-1-0/lite/image-to-video";
pub const LITE_R2V: &str = "bytedance/seedance-1-0/lite/reference-to-video";
pub const AIML_MODEL: &str = "bytedance/seedance-1-0-lite-i2v";
/// The AI/ML API's standard path, named by its OpenAPI documents.
pub const AIML_PATH: &str = "/v2/video/generations";
/// The older model-family path, still served.
pub const AIML_LEGACY_PATH: &str = "/v2/generate/video/bytedance/generation";
pub const WS_MODEL: &str = "bytedance/seedance-v1-lite/reference-to-video";

pub fn client() -> Client {
    Client::builder().no_proxy().build().expect("client")
}

pub fn get(sim: &Sim, path: &str) -> RequestBuilder {
    client()
        .get(format!("{}{path}", sim.base_url()))
        .bearer_auth(TOKEN)
}

pub fn post(sim: &Sim, path: &str, body: &Value) -> RequestBuilder {
    client()
        .post(format!("{}{path}", sim.base_url()))
        .bearer_auth(TOKEN)
        .json(body)
}

pub async fn json(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.json().await.expect("JSON body");
    (status, body)
}
