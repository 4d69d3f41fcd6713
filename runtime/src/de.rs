//! Deserialization support for generated inputs. Reading an input through a
//! JSON object and one small generic reader per field keeps the generated
//! code short (serde's derive costs about half the build time of a crate
//! with a thousand models) and gives better errors: an unknown field gets a
//! "did you mean", and a bad value names its field.

use std::marker::PhantomData;

use serde::de::{DeserializeOwned, Error};
use serde_json::{Map, Value};

use crate::suggest;

/// The fields of one JSON object being read into a generated `Input`.
#[derive(Debug)]
pub struct FieldReader<E> {
    fields: Map<String, Value>,
    error: PhantomData<fn() -> E>,
}

impl<E: Error> FieldReader<E> {
    /// Reads the JSON object `deserializer` holds, which must name only `known` fields.
    pub fn read<'de, D>(deserializer: D, known: &'static [&'static str]) -> Result<Self, E>
    where
        D: serde::Deserializer<'de, Error = E>,
    {
        let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
        Self::new(value, known)
    }

    /// Takes `value`, which must be an object naming only `known` fields.
    pub fn new(value: Value, known: &'static [&'static str]) -> Result<Self, E> {
        let Value::Object(fields) = value else {
            return Err(E::custom(format_args!(
                "expected a JSON object, found {}",
                kind(&value)
            )));
        };
        if let Some(unknown) = fields.keys().find(|key| !known.contains(&key.as_str())) {
            let hint = suggest::closest(unknown, known.iter().copied())
                .map(|close| format!("; did you mean `{close}`?"))
                .unwrap_or_default();
            return Err(E::custom(format_args!(
                "unknown field `{unknown}`{hint} (fields: {})",
                known.join(", ")
            )));
        }
        Ok(FieldReader {
            fields,
            error: PhantomData,
        })
    }

    /// A field that must be present.
    pub fn required<T: DeserializeOwned>(&mut self, name: &str) -> Result<T, E> {
        let value = self
            .fields
            .remove(name)
            .ok_or_else(|| E::custom(format_args!("missing field `{name}`")))?;
        read(name, value)
    }

    /// A field that may be absent (or `null`, as serde treats `Option`).
    pub fn optional<T: DeserializeOwned>(&mut self, name: &str) -> Result<Option<T>, E> {
        match self.fields.remove(name) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => read(name, value).map(Some),
        }
    }
}

fn read<T: DeserializeOwned, E: Error>(name: &str, value: Value) -> Result<T, E> {
    serde_json::from_value(value).map_err(|err| E::custom(format_args!("{name}: {err}")))
}

/// What a JSON value is, as an error message names it ("a string").
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    type Reader = FieldReader<serde_json::Error>;
    const KNOWN: &[&str] = &["prompt", "seed"];

    #[test]
    fn fields_are_read_by_name() {
        let mut reader = Reader::new(json!({"prompt": "p", "seed": 7}), KNOWN).unwrap();
        assert_eq!(reader.required::<String>("prompt").unwrap(), "p");
        assert_eq!(reader.optional::<i64>("seed").unwrap(), Some(7));
        let mut reader = Reader::new(json!({"prompt": "p", "seed": null}), KNOWN).unwrap();
        assert_eq!(reader.optional::<i64>("seed").unwrap(), None);
    }

    #[test]
    fn errors_name_the_field() {
        let error = Reader::new(json!({"promt": "p"}), KNOWN)
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "unknown field `promt`; did you mean `prompt`? (fields: prompt, seed)"
        );
        let mut reader = Reader::new(json!({"seed": "x"}), KNOWN).unwrap();
        assert_eq!(
            reader.required::<String>("prompt").unwrap_err().to_string(),
            "missing field `prompt`"
        );
        let error = reader.required::<i64>("seed").unwrap_err().to_string();
        assert!(
            error.starts_with("seed: invalid type: string \"x\""),
            "{error}"
        );
        assert!(
            Reader::new(json!([1]), KNOWN)
                .unwrap_err()
                .to_string()
                .contains("an array")
        );
    }
}
