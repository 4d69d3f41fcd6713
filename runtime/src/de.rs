//! Deserialization support for generated inputs: one streaming reader for
//! every model. The JSON object is read key by key straight into one typed
//! slot per field (no `serde_json::Value` tree on the way), and the code per
//! model is one `input_fields!` line per field (serde's derive costs about
//! half the build time of a crate with a thousand models). Errors are better
//! than the derive's too: an unknown field gets a "did you mean", and a bad
//! value names its field.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

#[doc(hidden)]
pub use serde;
use serde::de::{DeserializeSeed, Error, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::suggest;

/// The fields of one generated `Input` while it is being read: an `Option`
/// slot per field. `input_fields!` implements it.
pub trait Fields<'de>: Default {
    /// The input these fields make.
    type Output;
    /// The wire names, in schema order.
    const NAMES: &'static [&'static str];
    /// Reads the value of field `name` (one of [`Self::NAMES`]) into its slot.
    fn read<A: MapAccess<'de>>(&mut self, name: &'static str, map: &mut A) -> Result<(), A::Error>;
    /// The input, once every key has been read.
    fn finish<E: Error>(self) -> Result<Self::Output, E>;
}

/// Reads the JSON object `deserializer` holds into `F`'s input.
pub fn read_object<'de, D, F>(deserializer: D) -> Result<F::Output, D::Error>
where
    D: Deserializer<'de>,
    F: Fields<'de>,
{
    deserializer.deserialize_map(ObjectVisitor::<F>(PhantomData))
}

/// Reads the value of field `name` into `slot`, naming the field in any error.
///
/// The field is also made known to the value's own reader
/// ([`current_field`]): a generated enum puts it in its message itself, so
/// its error is not formatted twice (serde's errors are strings made when
/// raised, and wrapping one means writing it out and parsing it back).
pub fn slot<'de, T, A>(
    slot: &mut Option<T>,
    name: &'static str,
    map: &mut A,
) -> Result<(), A::Error>
where
    T: Deserialize<'de>,
    A: MapAccess<'de>,
{
    if slot.is_some() {
        return Err(A::Error::custom(format_args!("duplicate field `{name}`")));
    }
    let value = {
        let _reading = Reading::field(name);
        map.next_value()
    };
    match value {
        Ok(value) => {
            *slot = Some(value);
            Ok(())
        }
        Err(err) if names_field(&err, name) => Err(err),
        Err(err) => Err(A::Error::custom(format_args!("{name}: {err}"))),
    }
}

thread_local! {
    /// The field `slot` is reading on this thread, if any.
    static FIELD: Cell<Option<&'static str>> = const { Cell::new(None) };
}

/// The input field whose value is being read on this thread, for value
/// readers that name it in their errors (see [`slot`]).
pub(crate) fn current_field() -> Option<&'static str> {
    FIELD.with(Cell::get)
}

/// Sets [`FIELD`] while a value is read; puts back the outer one after
/// (inputs nest), also on unwind.
struct Reading(Option<&'static str>);

impl Reading {
    fn field(name: &'static str) -> Self {
        Reading(FIELD.with(|field| field.replace(Some(name))))
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        FIELD.with(|field| field.set(self.0));
    }
}

/// Whether `err`'s message already starts with `name: `. Only that prefix
/// is written out: the comparison stops the formatting at the first
/// difference or once the prefix is matched.
fn names_field(err: &impl fmt::Display, name: &str) -> bool {
    struct Prefix<'a> {
        rest: [&'a str; 2],
    }
    impl fmt::Write for Prefix<'_> {
        fn write_str(&mut self, mut text: &str) -> fmt::Result {
            for part in &mut self.rest {
                let n = part.len().min(text.len());
                if part.as_bytes()[..n] != text.as_bytes()[..n] {
                    return Err(fmt::Error);
                }
                *part = &part[n..];
                text = &text[n..];
            }
            // Matched: nothing more to compare, so stop formatting.
            if self.rest[1].is_empty() {
                Err(fmt::Error)
            } else {
                Ok(())
            }
        }
    }
    let mut prefix = Prefix { rest: [name, ": "] };
    let _ = fmt::write(&mut prefix, format_args!("{err}"));
    prefix.rest[0].is_empty() && prefix.rest[1].is_empty()
}

/// A field that must be present.
pub fn required<T, E: Error>(slot: Option<T>, name: &str) -> Result<T, E> {
    slot.ok_or_else(|| E::custom(format_args!("missing field `{name}`")))
}

/// A field that may be absent or `null` (as serde treats `Option`).
pub fn optional<T, E: Error>(slot: Option<Option<T>>, _name: &str) -> Result<Option<T>, E> {
    Ok(slot.flatten())
}

struct ObjectVisitor<F>(PhantomData<fn() -> F>);

impl<'de, F: Fields<'de>> Visitor<'de> for ObjectVisitor<F> {
    type Value = F::Output;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a JSON object with fields {}", F::NAMES.join(", "))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = F::default();
        while let Some(name) = map.next_key_seed(FieldName(F::NAMES))? {
            fields.read(name, &mut map)?;
        }
        fields.finish()
    }
}

/// A key, as the one of `names` it spells; anything else is refused with
/// the closest name as a suggestion.
struct FieldName(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for FieldName {
    type Value = &'static str;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for FieldName {
    type Value = &'static str;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: Error>(self, key: &str) -> Result<Self::Value, E> {
        if let Some(name) = self.0.iter().find(|name| **name == key) {
            return Ok(name);
        }
        let hint = suggest::closest(key, self.0.iter().copied())
            .map(|close| format!("; did you mean `{close}`?"))
            .unwrap_or_default();
        Err(E::custom(format_args!(
            "unknown field `{key}`{hint} (fields: {})",
            self.0.join(", ")
        )))
    }
}

/// Implements `Deserialize` for a generated `Input` through [`read_object`]:
/// `Input;` then one `field: Type = "wire" required|optional;` entry per
/// field, in schema order. Called only by generated code.
#[doc(hidden)]
#[macro_export]
macro_rules! input_fields {
    ($input:ident; $($field:ident: $ty:ty = $wire:literal $presence:ident;)*) => {
        const _: () = {
            #[derive(Default)]
            struct Slots {
                $($field: ::core::option::Option<$ty>,)*
            }
            impl<'de> $crate::de::Fields<'de> for Slots {
                type Output = $input;
                const NAMES: &'static [&'static str] = &[$($wire),*];
                fn read<A: $crate::de::serde::de::MapAccess<'de>>(
                    &mut self,
                    name: &'static str,
                    map: &mut A,
                ) -> ::core::result::Result<(), A::Error> {
                    match name {
                        $($wire => $crate::de::slot(&mut self.$field, $wire, map),)*
                        _ => map.next_value::<$crate::de::serde::de::IgnoredAny>().map(drop),
                    }
                }
                fn finish<E: $crate::de::serde::de::Error>(
                    self,
                ) -> ::core::result::Result<$input, E> {
                    ::core::result::Result::Ok($input {
                        $($field: $crate::de::$presence(self.$field, $wire)?,)*
                    })
                }
            }
            impl<'de> $crate::de::serde::Deserialize<'de> for $input {
                fn deserialize<D: $crate::de::serde::Deserializer<'de>>(
                    deserializer: D,
                ) -> ::core::result::Result<Self, D::Error> {
                    $crate::de::read_object::<D, Slots>(deserializer)
                }
            }
        };
    };
}

#[cfg(test)]
mod tests {
    #[derive(Debug, PartialEq)]
    struct Input {
        prompt: String,
        seed: Option<i64>,
        r#type: Option<String>,
    }

    crate::input_fields! {
        Input;
        prompt: String = "prompt" required;
        seed: Option<i64> = "seed" optional;
        r#type: Option<String> = "type" optional;
    }

    fn read(text: &str) -> Result<Input, String> {
        serde_json::from_str(text).map_err(|err| err.to_string())
    }

    #[test]
    fn fields_are_read_by_name() {
        let input = read(r#"{"seed": 7, "prompt": "p", "type": "t"}"#).unwrap();
        assert_eq!(
            input,
            Input {
                prompt: "p".into(),
                seed: Some(7),
                r#type: Some("t".into())
            }
        );
        assert_eq!(read(r#"{"prompt": "p", "seed": null}"#).unwrap().seed, None);
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(
            read(r#"{"promt": "p"}"#).unwrap_err(),
            "unknown field `promt`; did you mean `prompt`? (fields: prompt, seed, type) \
             at line 1 column 8"
        );
        assert_eq!(
            read(r#"{"seed": 1}"#).unwrap_err(),
            "missing field `prompt` at line 1 column 11"
        );
        let error = read(r#"{"prompt": "p", "seed": "x"}"#).unwrap_err();
        assert!(
            error.starts_with("seed: invalid type: string \"x\", expected i64"),
            "{error}"
        );
        assert!(error.ends_with("at line 1 column 27"), "{error}");
        assert_eq!(
            read(r#"{"prompt": "p", "prompt": "q"}"#).unwrap_err(),
            "duplicate field `prompt` at line 1 column 24"
        );
        assert_eq!(
            read("[1]").unwrap_err(),
            "invalid type: sequence, expected a JSON object with fields prompt, seed, type \
             at line 1 column 0"
        );
    }
}
