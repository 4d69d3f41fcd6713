//! Where each vendor's catalog answers hold what it publishes (see
//! `PROTOCOLS.md`, "Catalogs"): a RunComfy model's `input_schema` and the
//! pages of its model list, a WaveSpeed entry's `model_run` request schema,
//! the `.json` files of the AI/ML API's docs folder listing. One reading for
//! `cargo xtask pull`, which writes the schemas to `schemas/`, and the
//! run-time catalog, which converts them where they are; what to do when a
//! piece is missing (refuse, report, fall back to a cached copy) is each
//! caller's.

use serde_json::Value;

/// A RunComfy model entry's (`GET /v1/models/{model}`) input schema.
pub fn runcomfy_input_schema(entry: &Value) -> Option<&Value> {
    entry.get("input_schema")
}

/// One page of RunComfy's model list (`GET /v1/models?limit=&offset=`,
/// answered `{models, total}`).
#[derive(Debug, Clone, Copy)]
pub struct RunComfyPage<'a> {
    /// The page's model entries.
    pub models: &'a [Value],
    /// How many models the whole list holds, if the answer says.
    pub total: Option<u64>,
}

impl<'a> RunComfyPage<'a> {
    /// The page in `answer`, or `None` if it holds no `models` list.
    pub fn of(answer: &'a Value) -> Option<Self> {
        Some(RunComfyPage {
            models: answer.get("models")?.as_array()?,
            total: answer.get("total").and_then(Value::as_u64),
        })
    }

    /// The offset of the page after this one (read from `offset`), or
    /// `None` when this was the last: an empty page, or the `total` reached
    /// (a page without a total is the last).
    pub fn next_offset(&self, offset: usize) -> Option<usize> {
        let next = offset + self.models.len();
        let more = self
            .total
            .is_some_and(|total| (next as u64) < total && !self.models.is_empty());
        more.then_some(next)
    }
}

/// A catalog entry's model id (`model_id`, RunComfy's and WaveSpeed's).
pub fn model_id(entry: &Value) -> Option<&str> {
    entry.get("model_id").and_then(Value::as_str)
}

/// The request schema of a WaveSpeed catalog entry: its
/// `api_schema.api_schemas` entry of type `model_run` (the first one when
/// none is marked), its `request_schema`; or what the entry lacks.
pub fn wavespeed_request_schema(entry: &Value) -> Result<&Value, &'static str> {
    let schemas = entry
        .pointer("/api_schema/api_schemas")
        .and_then(Value::as_array)
        .ok_or("the model's entry has no `api_schema.api_schemas`")?;
    let run = schemas
        .iter()
        .find(|s| s.get("type").and_then(Value::as_str) == Some("model_run"))
        .or_else(|| schemas.first())
        .ok_or("the model's entry lists no schema")?;
    run.get("request_schema")
        .ok_or("the model's `model_run` entry has no `request_schema`")
}

/// The name of an entry of a GitHub contents listing (the AI/ML API's docs
/// folder) that is a `.json` file; `None` for folders and other files.
pub fn listed_json_file(entry: &Value) -> Option<&str> {
    let (Some(name), Some("file")) = (
        entry.get("name").and_then(Value::as_str),
        entry.get("type").and_then(Value::as_str),
    ) else {
        return None;
    };
    name.ends_with(".json").then_some(name)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn runcomfy_pages_end_at_the_total_or_an_empty_page() {
        let page = json!({"models": [{}, {}], "total": 5});
        let page = RunComfyPage::of(&page).expect("a page");
        assert_eq!(page.next_offset(0), Some(2));
        assert_eq!(page.next_offset(3), None);
        let empty = json!({"models": [], "total": 5});
        assert_eq!(RunComfyPage::of(&empty).unwrap().next_offset(2), None);
        let no_total = json!({"models": [{}]});
        assert_eq!(RunComfyPage::of(&no_total).unwrap().next_offset(0), None);
        assert!(RunComfyPage::of(&json!({"data": []})).is_none());
    }

    #[test]
    fn wavespeed_takes_the_model_run_schema_or_the_first() {
        let entry = json!({"api_schema": {"api_schemas": [
            {"type": "model_result", "request_schema": {"a": 1}},
            {"type": "model_run", "request_schema": {"b": 2}}
        ]}});
        assert_eq!(wavespeed_request_schema(&entry), Ok(&json!({"b": 2})));
        let unmarked = json!({"api_schema": {"api_schemas": [{"request_schema": {"c": 3}}]}});
        assert_eq!(wavespeed_request_schema(&unmarked), Ok(&json!({"c": 3})));
        assert!(wavespeed_request_schema(&json!({})).is_err());
        assert!(wavespeed_request_schema(&json!({"api_schema": {"api_schemas": []}})).is_err());
    }

    #[test]
    fn only_json_files_are_listed() {
        assert_eq!(
            listed_json_file(&json!({"name": "a.json", "type": "file"})),
            Some("a.json")
        );
        assert_eq!(
            listed_json_file(&json!({"name": "a.json", "type": "dir"})),
            None
        );
        assert_eq!(
            listed_json_file(&json!({"name": "a.md", "type": "file"})),
            None
        );
    }
}
