//! What every generated model module shares, written once. Generated modules
//! hold the types a user reads and their data; these macros add the trait
//! impls: `wire_enum!` gives an enum `Display`, `FromStr`, serde and
//! `schemars::JsonSchema` (with the generated crate's `schemars` feature) from the `ALL` and `as_str` (and, for integer enums,
//! `value`) it states; `image_rules!` and `input_schema!` keep rule tables and
//! the input's schema impl to a line each.

use std::fmt;

use crate::model::ParseEnumError;

/// `text` as one of `all` (compared with `as_str`), or the error listing them.
#[doc(hidden)]
pub fn parse<T: Copy>(
    text: &str,
    type_name: &'static str,
    all: &[T],
    as_str: fn(T) -> &'static str,
) -> Result<T, ParseEnumError> {
    find_wire(text, all, as_str).ok_or_else(|| ParseEnumError {
        type_name,
        value: text.to_owned(),
        expected: all.iter().map(|v| as_str(*v)).collect(),
    })
}

/// The message of a value that is none of an enum's `expected` wire values
/// (what [`ParseEnumError`] says), written without collecting anything.
pub(crate) fn describe_unknown(
    f: &mut fmt::Formatter<'_>,
    value: &str,
    quoted: bool,
    type_name: &str,
    expected: impl Iterator<Item = &'static str> + Clone,
) -> fmt::Result {
    if quoted {
        write!(f, "{value:?}")?;
    } else {
        f.write_str(value)?;
    }
    write!(f, " is not a {type_name} (expected one of: ")?;
    for (index, wire) in expected.clone().enumerate() {
        if index > 0 {
            f.write_str(", ")?;
        }
        f.write_str(wire)?;
    }
    f.write_str(")")?;
    if let Some(close) = suggestion(value, expected) {
        write!(f, "; did you mean {close:?}?")?;
    }
    Ok(())
}

/// The one of `all` whose wire text is `text`.
fn find_wire<T: Copy>(text: &str, all: &[T], as_str: fn(T) -> &'static str) -> Option<T> {
    all.iter().copied().find(|v| as_str(*v) == text)
}

/// The closest of `expected` to `value`; none for a number among numbers.
pub(crate) fn suggestion(
    value: &str,
    expected: impl Iterator<Item = &'static str> + Clone,
) -> Option<&'static str> {
    let number = |text: &str| text.trim().parse::<f64>().is_ok();
    if number(value) && expected.clone().all(number) {
        return None;
    }
    crate::suggest::closest(value, expected)
}

/// A rejected value as serde reports it: [`ParseEnumError`]'s message,
/// formatted straight into the deserializer's error (deserialization
/// errors are common input, so they should cost one message, not a
/// `ParseEnumError` and its copies first).
struct Unknown<'a, T> {
    value: &'a str,
    /// Text is quoted; a JSON number is shown as the number it is.
    quoted: bool,
    type_name: &'static str,
    all: &'a [T],
    as_str: fn(T) -> &'static str,
}

impl<T: Copy> fmt::Display for Unknown<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let as_str = self.as_str;
        describe_unknown(
            f,
            self.value,
            self.quoted,
            self.type_name,
            self.all.iter().map(move |v| as_str(*v)),
        )
    }
}

/// A text enum from the JSON string `deserializer` holds, read in place
/// (serde's `Cow<str>` would copy every value into a `String` first).
#[doc(hidden)]
pub fn deserialize_text<'de, D, T>(
    deserializer: D,
    type_name: &'static str,
    all: &'static [T],
    as_str: fn(T) -> &'static str,
) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Copy + 'static,
{
    struct Text<T: 'static> {
        type_name: &'static str,
        all: &'static [T],
        as_str: fn(T) -> &'static str,
    }
    impl<T: Copy> serde::de::Visitor<'_> for Text<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a {} (a string)", self.type_name)
        }
        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<T, E> {
            find_wire(text, self.all, self.as_str).ok_or_else(|| {
                E::custom(Unknown {
                    value: text,
                    quoted: true,
                    type_name: self.type_name,
                    all: self.all,
                    as_str: self.as_str,
                })
            })
        }
    }
    deserializer.deserialize_str(Text {
        type_name,
        all,
        as_str,
    })
}

/// An integer enum from the JSON number `deserializer` holds: one of `all`,
/// compared with `value`.
#[doc(hidden)]
pub fn deserialize_integer<'de, D, T>(
    deserializer: D,
    type_name: &'static str,
    all: &'static [T],
    value: fn(T) -> i64,
    as_str: fn(T) -> &'static str,
) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Copy + 'static,
{
    let number = <i64 as serde::Deserialize>::deserialize(deserializer)?;
    all.iter()
        .copied()
        .find(|v| value(*v) == number)
        .ok_or_else(|| {
            <D::Error as serde::de::Error>::custom(Unknown {
                value: &number.to_string(),
                quoted: false,
                type_name,
                all,
                as_str,
            })
        })
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
        impl $crate::de::serde::Serialize for $name {
            fn serialize<S: $crate::de::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> $crate::de::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::de::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::wire_enum::deserialize_text(
                    deserializer,
                    stringify!($name),
                    &Self::ALL,
                    Self::as_str,
                )
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
        impl $crate::de::serde::Serialize for $name {
            fn serialize<S: $crate::de::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.value())
            }
        }
        impl<'de> $crate::de::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::de::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::wire_enum::deserialize_integer(
                    deserializer,
                    stringify!($name),
                    &Self::ALL,
                    Self::value,
                    Self::as_str,
                )
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
