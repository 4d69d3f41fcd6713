//! Where each vendor publishes a model's input schema, and how to read it
//! out of the answer: the same places `cargo xtask pull` reads (see
//! `PROTOCOLS.md`, "Catalogs").
//!
//! - RunComfy: `GET {base}/v1/models/{model}` answers the model with its
//!   `input_schema` (token sent).
//! - WaveSpeed: `GET {base}/api/v3/models` answers every model; the model's
//!   `model_run` entry holds its `request_schema` and `api_path` (token sent).
//! - AI/ML API: one OpenAPI document per model in the vendor's public docs
//!   repository, listed by GitHub's contents API; no token (it is not the
//!   vendor's host). With a base URL other than the vendor's (a simulator),
//!   these URLs keep their paths behind that base URL in place of GitHub's
//!   origins.

use seedance_converter::published::{self, RunComfyPage};
use seedance_dialect::Protocol;
use serde_json::Value;

/// The AI/ML API's public docs folder of ByteDance documents.
const AIMLAPI_FILES: &str = "https://raw.githubusercontent.com/aimlapi/api-docs/main/docs/api-references/video-models/ByteDance";
/// GitHub's listing of that folder.
const AIMLAPI_LIST: &str = "https://api.github.com/repos/aimlapi/api-docs/contents/docs/api-references/video-models/ByteDance";

/// What each AI/ML API media field refers to (its documents type them all as
/// plain `uri`); the same table as `schemas/aimlapi/vendor.json`'s
/// `media_fields` (a test holds the two together).
pub(crate) const AIMLAPI_MEDIA_FIELDS: [(&str, &str); 7] = [
    ("image_url", "image"),
    ("last_image_url", "image"),
    ("image_urls", "image"),
    ("video_url", "video"),
    ("video_urls", "video"),
    ("audio_url", "audio"),
    ("audio_urls", "audio"),
];

/// The submit path template of a protocol whose path names the model
/// (`None`: the AI/ML API's documents carry theirs).
pub(crate) fn submit_template(protocol: Protocol) -> Option<&'static str> {
    match protocol {
        Protocol::RunComfy => Some("/v1/models/{model}"),
        Protocol::WaveSpeed => Some("/api/v3/{model}"),
        Protocol::AimlApi => None,
    }
}

/// `base` is the vendor's own host (its token may be sent there).
fn swap_origin(url: &str, base: &str, vendor_base: &str) -> String {
    if base == vendor_base {
        return url.to_owned();
    }
    let path = url
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or("");
    format!("{base}{path}")
}

/// A model id as URL path segments: every byte outside the unreserved set
/// percent-escaped, so an id names one resource and nothing else.
pub(crate) fn escape_path(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for (i, segment) in id.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        for byte in segment.bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                out.push(byte as char);
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

/// The URL answering `model`'s schema (RunComfy), every model's
/// (WaveSpeed), or the listing of documents (AI/ML API).
pub(crate) fn catalog_url(
    protocol: Protocol,
    base: &str,
    vendor_base: &str,
    model: &str,
) -> String {
    match protocol {
        Protocol::RunComfy => format!("{base}/v1/models/{}", escape_path(model)),
        Protocol::WaveSpeed => format!("{base}/api/v3/models"),
        Protocol::AimlApi => swap_origin(AIMLAPI_LIST, base, vendor_base),
    }
}

/// The URL listing the models of a catalog: WaveSpeed's all at once,
/// RunComfy's first page ([`runcomfy_page_url`]), the AI/ML API's folder.
pub(crate) fn list_url(protocol: Protocol, base: &str, vendor_base: &str) -> String {
    match protocol {
        Protocol::RunComfy => runcomfy_page_url(base, 0),
        Protocol::WaveSpeed => format!("{base}/api/v3/models"),
        Protocol::AimlApi => swap_origin(AIMLAPI_LIST, base, vendor_base),
    }
}

/// Models a RunComfy list page asks for.
const RUNCOMFY_PAGE: usize = 1000;

/// The RunComfy list page from model `offset` on (`{models, total}`).
pub(crate) fn runcomfy_page_url(base: &str, offset: usize) -> String {
    format!("{base}/v1/models?limit={RUNCOMFY_PAGE}&offset={offset}")
}

/// One page of a RunComfy or WaveSpeed listing: the ids on it that can be
/// models (others skipped), and where the next page starts (RunComfy's
/// list is paged; WaveSpeed's is one answer).
pub(crate) struct ListedPage {
    pub ids: Vec<String>,
    pub next: Option<usize>,
}

/// The page `answer` of a RunComfy or WaveSpeed listing, read from model
/// `offset` on.
pub(crate) fn listed_models(
    protocol: Protocol,
    answer: &Value,
    offset: usize,
) -> Result<ListedPage, String> {
    const NO_LIST: &str = "the catalog answer has no list of models";
    let (entries, next) = match protocol {
        Protocol::RunComfy => {
            let page = RunComfyPage::of(answer).ok_or(NO_LIST)?;
            (page.models, page.next_offset(offset))
        }
        _ => {
            let data = answer.get("data").and_then(Value::as_array);
            (data.ok_or(NO_LIST)?.as_slice(), None)
        }
    };
    let ids = entries
        .iter()
        .filter_map(published::model_id)
        .filter(|id| seedance_dialect::model_id_problem(id).is_none())
        .map(str::to_owned)
        .collect();
    Ok(ListedPage { ids, next })
}

/// The URL of one AI/ML API document, by its file name in the listing.
pub(crate) fn aimlapi_file_url(base: &str, vendor_base: &str, file: &str) -> String {
    format!(
        "{}/{}",
        swap_origin(AIMLAPI_FILES, base, vendor_base),
        escape_path(file)
    )
}

/// Whether requests to `url` carry the vendor's token: only to its host.
pub(crate) fn takes_token(url: &str, base: &str) -> bool {
    url.strip_prefix(base)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Why a catalog answer gave no schema for a model.
#[derive(Debug)]
pub(crate) enum NoSchema {
    /// The catalog does not list the model.
    NotListed,
    /// The answer lacks what the vendor publishes (what, in words).
    Malformed(&'static str),
}

/// The schema of `model` in a RunComfy or WaveSpeed catalog answer. (The
/// submit path is the protocol's template, as for compiled models.)
pub(crate) fn schema_in(
    protocol: Protocol,
    answer: &Value,
    model: &str,
) -> Result<Value, NoSchema> {
    match protocol {
        Protocol::RunComfy => published::runcomfy_input_schema(answer)
            .filter(|s| s.is_object())
            .cloned()
            .ok_or(NoSchema::Malformed(
                "the model's entry has no `input_schema` object",
            )),
        Protocol::WaveSpeed => wavespeed_schema(answer, model),
        Protocol::AimlApi => Err(NoSchema::Malformed(
            "the AI/ML API publishes documents, not entries",
        )),
    }
}

fn wavespeed_schema(answer: &Value, model: &str) -> Result<Value, NoSchema> {
    let entry = answer
        .get("data")
        .and_then(Value::as_array)
        .ok_or(NoSchema::Malformed("the catalog answer has no `data` list"))?
        .iter()
        .find(|entry| published::model_id(entry) == Some(model))
        .ok_or(NoSchema::NotListed)?;
    published::wavespeed_request_schema(entry)
        .and_then(|schema| {
            schema
                .is_object()
                .then(|| schema.clone())
                .ok_or("the model's `model_run` entry has no `request_schema` object")
        })
        .map_err(NoSchema::Malformed)
}

/// The `.json` documents of a GitHub contents listing, by file name.
pub(crate) fn listed_documents(listing: &Value) -> Result<Vec<String>, String> {
    let entries = listing
        .as_array()
        .ok_or("the docs listing is not a JSON list")?;
    Ok(entries
        .iter()
        .filter_map(published::listed_json_file)
        .filter(|name| seedance_dialect::model_id_problem(name).is_none())
        .filter(|name| !name.contains('/'))
        .map(str::to_owned)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_become_escaped_paths() {
        assert_eq!(
            escape_path("bytedance/seedance-1.0 pro"),
            "bytedance/seedance-1.0%20pro"
        );
        assert_eq!(escape_path("a/%2e%2e?x#y"), "a/%252e%252e%3Fx%23y");
    }

    #[test]
    fn the_token_goes_only_to_the_vendor_host() {
        let base = "https://api.aimlapi.com";
        assert!(takes_token("https://api.aimlapi.com/v2/x", base));
        assert!(!takes_token("https://api.aimlapi.com.evil.net/x", base));
        let docs = catalog_url(Protocol::AimlApi, base, base, "m");
        assert!(docs.starts_with("https://api.github.com/"));
        assert!(!takes_token(&docs, base));
        let sim = "http://127.0.0.1:9";
        assert_eq!(
            catalog_url(Protocol::AimlApi, sim, base, "m"),
            "http://127.0.0.1:9/repos/aimlapi/api-docs/contents/docs/api-references/video-models/ByteDance"
        );
    }

    #[test]
    fn media_fields_match_the_vendor_manifest() {
        let text = include_str!("../../../schemas/aimlapi/vendor.json");
        let manifest: Value = serde_json::from_str(text).expect("vendor.json");
        let listed = manifest["media_fields"].as_object().expect("media_fields");
        assert_eq!(listed.len(), AIMLAPI_MEDIA_FIELDS.len());
        for (field, kind) in AIMLAPI_MEDIA_FIELDS {
            assert_eq!(listed[field], kind, "{field}");
        }
    }
}
