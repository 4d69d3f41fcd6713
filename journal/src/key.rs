//! Identities: a request's canonical form and hashes of it, so the same
//! request is recognised across runs, files and machines whatever the key
//! order or spacing of the JSON it came from.

use seedance_runtime::sha256_hex;
use serde_json::Value;

/// `value` as compact JSON with every object's keys sorted (recursively).
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                if let Some(inner) = map.get(key) {
                    write_canonical(inner, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The journal key of a request: vendor, model, canonical input and output
/// path, plus `occurrence` (0 for the first of identical lines; only
/// `--allow-duplicates` gives later ones their own keys).
pub fn line_key(
    vendor: &str,
    model: &str,
    input: &Value,
    out: Option<&str>,
    occurrence: u32,
) -> String {
    let identity = serde_json::json!({
        "vendor": vendor,
        "model": model,
        "input": input,
        "out": out,
    });
    let hash = sha256_hex(canonical_json(&identity).as_bytes());
    match occurrence {
        0 => hash,
        n => format!("{hash}#{n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_and_spacing_do_not_change_the_canonical_form() {
        let a: Value =
            serde_json::from_str(r#"{"b": 1, "a": {"y": [1, 2], "x": "s"}}"#).unwrap_or_default();
        let b = json!({"a": {"x": "s", "y": [1, 2]}, "b": 1});
        assert_eq!(canonical_json(&a), r#"{"a":{"x":"s","y":[1,2]},"b":1}"#);
        assert_eq!(canonical_json(&a), canonical_json(&b));
    }

    #[test]
    fn keys_differ_by_model_input_out_and_occurrence() {
        let input = json!({"prompt": "fox"});
        let base = line_key("runcomfy", "m", &input, None, 0);
        assert_eq!(base.len(), 64);
        assert_ne!(base, line_key("runcomfy", "n", &input, None, 0));
        assert_ne!(
            base,
            line_key("runcomfy", "m", &json!({"prompt": "cat"}), None, 0)
        );
        assert_ne!(base, line_key("runcomfy", "m", &input, Some("a.mp4"), 0));
        assert_eq!(
            line_key("runcomfy", "m", &input, None, 2),
            format!("{base}#2")
        );
    }

    #[test]
    fn sha256_matches_a_known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
