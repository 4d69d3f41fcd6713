//! What every generated model module shares, written once. Generated modules
//! hold the types a user reads and their data; these macros add the trait
//! impls: `wire_enum!` gives an enum `Display`, `FromStr`, serde and
//! `schemars::JsonSchema` (with the generated crate's `schemars` feature) from the `ALL` and `as_str` (and, for integer enums,
//! `value`) it states; `image_rules!` and `input_schema!` keep rule tables and
//! the input's schema impl to a line each.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use crate::model::ParseEnumError;

/// `text` as one of `all` (compared with `as_str`), or the error listing them.
#[doc(hidden)]
pub fn parse<T: Copy>(
    text: &str,
    type_name: &'static str,
    all: &[T],
    as_str: fn(T) -> &'static str,
) -> Result<T, ParseEnumError> {
    all.iter()
        .copied()
        .find(|v| as_str(*v) == text)
        .ok_or_else(|| ParseEnumError {
            type_name,
            value: text.to_owned(),
            expected: all.iter().map(|v| as_str(*v)).collect(),
        })
}

/// A text enum from the JSON string `deserializer` holds, read in place
/// (serde's `Cow<str>` would copy every value into a `String` first).
#[doc(hidden)]
pub fn deserialize_text<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: FromStr<Err = ParseEnumError>,
{
    struct Text<T>(PhantomData<fn() -> T>);
    impl<T: FromStr<Err = ParseEnumError>> serde::de::Visitor<'_> for Text<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<T, E> {
            text.parse().map_err(E::custom)
        }
    }
    deserializer.deserialize_str(Text(PhantomData))
}

/// An integer enum from the JSON number `deserializer` holds: one of `all`,
/// compared with `value`.
#[doc(hidden)]
pub fn deserialize_integer<'de, D, T>(
    deserializer: D,
    all: &[T],
    value: fn(T) -> i64,
) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Copy + FromStr<Err = ParseEnumError>,
{
    let number = <i64 as serde::Deserialize>::deserialize(deserializer)?;
    match all.iter().copied().find(|v| value(*v) == number) {
        Some(found) => Ok(found),
        // The text parse fails too, with the error that lists the values.
        None => Err(<D::Error as serde::de::Error>::custom(
            number
                .to_string()
                .parse::<T>()
                .err()
                .map_or_else(String::new, |e| e.to_string()),
        )),
    }
}

/// Implements `Display`, `FromStr`, `Serialize`, `Deserialize` and
/// `JsonSchema` for a generated enum whose `impl` block defines `ALL`,
/// `as_str` and (for `int`) `value`. Called only by generated code.
// `crate::schema_from_json` is the generated crate's helper on purpose: the
// runtime does not depend on schemars, the generated crate does.
#[doc(hidden)]
#[macro_export]
#[allow(clippy::crate_in_macro_def)]
macro_rules! wire_enum {
    ($name:ident, str, $schema:literal) => {
        $crate::wire_enum!(@common $name, $schema);
        impl $crate::wire_enum::serde::Serialize for $name {
            fn serialize<S: $crate::wire_enum::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> $crate::wire_enum::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::wire_enum::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::wire_enum::deserialize_text(deserializer)
            }
        }
    };
    ($name:ident, int [$($value:literal),+], $schema:literal) => {
        impl $name {
            /// The wire value as text.
            pub const fn as_str(self) -> &'static str {
                match self.value() {
                    $($value => stringify!($value),)+
                    _ => "",
                }
            }
        }
        $crate::wire_enum!(@common $name, $schema);
        impl $crate::wire_enum::serde::Serialize for $name {
            fn serialize<S: $crate::wire_enum::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.value())
            }
        }
        impl<'de> $crate::wire_enum::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::wire_enum::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::wire_enum::deserialize_integer(deserializer, &Self::ALL, Self::value)
            }
        }
    };
    (@common $name:ident, $schema:literal) => {
        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::core::str::FromStr for $name {
            type Err = $crate::model::ParseEnumError;
            fn from_str(text: &str) -> ::core::result::Result<Self, Self::Err> {
                $crate::wire_enum::parse(text, stringify!($name), &Self::ALL, Self::as_str)
            }
        }
        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                crate::schema_from_json($schema)
            }
        }
    };
}

#[doc(hidden)]
pub use serde;

/// A field's image rules as a `&[ImageRule]`, one `kind limit message;`
/// per `validations` entry. Called only by generated code.
#[doc(hidden)]
#[macro_export]
macro_rules! image_rules {
    ($($kind:ident $limit:literal $message:literal;)*) => {
        &[$($crate::validation::ImageRule {
            kind: $crate::validation::ImageRuleKind::$kind,
            limit: $limit,
            message: $message,
        }),*]
    };
}

/// `schemars::JsonSchema` for a generated `Input` from its schema text.
/// Called only by generated code.
#[doc(hidden)]
#[macro_export]
#[allow(clippy::crate_in_macro_def)]
macro_rules! input_schema {
    ($name:ident, $id:literal, $schema:expr) => {
        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }
            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed($id)
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                crate::schema_from_json($schema)
            }
        }
    };
}
