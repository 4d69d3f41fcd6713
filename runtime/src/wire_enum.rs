//! What every generated model module shares, written once. Generated modules
//! hold the types a user reads and their data; these macros add the trait
//! impls: `wire_enum!` gives an enum `Display`, `FromStr`, serde and
//! `schemars::JsonSchema` (with the generated crate's `schemars` feature) from the `ALL` and `as_str` (and, for integer enums,
//! `value`) it states; `image_rules!` and `input_schema!` keep rule tables and
//! the input's schema impl to a line each. [`ParseEnumError`], what a
//! rejected wire value raises, lives here too (a layer below `model`, which
//! re-exports it).

use std::fmt::{self, Write as _};

/// A string that is not one of an enum's wire values (from `FromStr` or
/// deserialization of a generated enum).
///
/// Raising it costs one copy of the rejected text: the accepted values and
/// the "did you mean" are looked up when it is displayed (or asked for), so
/// code that tries a parse and moves on does not pay for the message.
#[derive(Clone)]
pub struct ParseEnumError {
    /// The enum's Rust name, e.g. `Resolution`.
    pub type_name: &'static str,
    /// The rejected text.
    pub value: String,
    /// The enum's wire values by index.
    nth: fn(usize) -> Option<&'static str>,
}

impl ParseEnumError {
    pub(crate) fn new(
        type_name: &'static str,
        value: &str,
        nth: fn(usize) -> Option<&'static str>,
    ) -> Self {
        ParseEnumError {
            type_name,
            value: value.to_owned(),
            nth,
        }
    }

    /// Every accepted wire value, in the enum's order.
    pub fn expected(&self) -> impl Iterator<Item = &'static str> + Clone + use<> {
        (0..).map_while(self.nth)
    }

    /// The accepted value closest to the rejected one, for "did you mean"
    /// hints; none for a number among numbers (`7` is not a typo of `5`,
    /// but `720` may well be one of `720p`).
    pub fn suggestion(&self) -> Option<&'static str> {
        suggestion(&self.value, self.expected())
    }
}

impl fmt::Debug for ParseEnumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParseEnumError")
            .field("type_name", &self.type_name)
            .field("value", &self.value)
            .field("expected", &self.expected().collect::<Vec<_>>())
            .finish()
    }
}

/// Equal when the enum name, the rejected text and the accepted values are.
impl PartialEq for ParseEnumError {
    fn eq(&self, other: &Self) -> bool {
        self.type_name == other.type_name
            && self.value == other.value
            && self.expected().eq(other.expected())
    }
}

impl Eq for ParseEnumError {}

impl fmt::Display for ParseEnumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        describe_unknown(f, &self.value, Shown::Text, self.type_name, self.expected())
    }
}

impl std::error::Error for ParseEnumError {}

/// `text` as one of `all` (compared with `as_str`), or the error naming it.
/// The error holds the rejected text and `nth` (the enum's wire values by
/// index); the list of accepted values and the "did you mean" are written
/// only when it is displayed.
#[doc(hidden)]
pub fn parse<T: Copy>(
    text: &str,
    type_name: &'static str,
    all: &[T],
    as_str: fn(T) -> &'static str,
    nth: fn(usize) -> Option<&'static str>,
) -> Result<T, ParseEnumError> {
    find_wire(text, all, as_str).ok_or_else(|| ParseEnumError::new(type_name, text, nth))
}

/// What a value rejected by an enum is.
#[derive(Clone, Copy)]
pub(crate) enum Shown {
    /// Text, shown quoted, with a "did you mean" when one is close.
    Text,
    /// A number among integer wire values: shown as is, and never
    /// "corrected" (`7` is not a typo of `5`).
    Integer,
}

/// The message of a value that is none of an enum's `expected` wire values
/// (what [`ParseEnumError`] says), written without collecting anything.
pub(crate) fn describe_unknown(
    f: &mut impl fmt::Write,
    value: &str,
    shown: Shown,
    type_name: &str,
    expected: impl Iterator<Item = &'static str> + Clone,
) -> fmt::Result {
    match shown {
        Shown::Text => write!(f, "{value:?}")?,
        Shown::Integer => f.write_str(value)?,
    }
    f.write_str(" is not a ")?;
    f.write_str(type_name)?;
    f.write_str(" (expected one of: ")?;
    for (index, wire) in expected.clone().enumerate() {
        if index > 0 {
            f.write_str(", ")?;
        }
        f.write_str(wire)?;
    }
    f.write_str(")")?;
    if let Shown::Integer = shown {
        return Ok(());
    }
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
/// prefixed with the field being read (see [`crate::de::current_field`]).
///
/// serde's error types (`serde_json::Error` among them) turn a custom
/// message into a `String` when it is raised, so this one cannot wait for
/// `Display`; it is written into a stack buffer (one heap copy, by serde,
/// instead of a string grown piece by piece), the field named at once
/// (instead of a second error wrapping the first), and integer values
/// skip the "did you mean".
fn unknown<E: serde::de::Error>(
    value: &str,
    shown: Shown,
    type_name: &'static str,
    expected: impl Iterator<Item = &'static str> + Clone,
) -> E {
    let mut message = Message::new();
    if let Some(field) = crate::de::current_field() {
        let _ = message.write_str(field);
        let _ = message.write_str(": ");
    }
    let _ = describe_unknown(&mut message, value, shown, type_name, expected);
    E::custom(message.as_str())
}

/// A message written on the stack, or on the heap once it outgrows that.
pub(crate) struct Message {
    bytes: [u8; Message::STACK],
    len: usize,
    spilled: Option<String>,
}

impl Message {
    const STACK: usize = 256;

    pub(crate) fn new() -> Self {
        Message {
            bytes: [0; Message::STACK],
            len: 0,
            spilled: None,
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match &self.spilled {
            Some(text) => text,
            // Only whole `&str`s are ever copied in, so this never fails.
            None => std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default(),
        }
    }
}

impl fmt::Write for Message {
    #[inline]
    fn write_str(&mut self, text: &str) -> fmt::Result {
        if let Some(spilled) = &mut self.spilled {
            spilled.push_str(text);
        } else if let Some(room) = self.bytes.get_mut(self.len..self.len + text.len()) {
            room.copy_from_slice(text.as_bytes());
            self.len += text.len();
        } else {
            let mut spilled = String::with_capacity(2 * Message::STACK);
            spilled.push_str(self.as_str());
            spilled.push_str(text);
            self.spilled = Some(spilled);
        }
        Ok(())
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
            let as_str = self.as_str;
            find_wire(text, self.all, as_str).ok_or_else(|| {
                let expected = self.all.iter().map(move |v| as_str(*v));
                unknown(text, Shown::Text, self.type_name, expected)
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
/// compared with `value`. `expected` is the wire values as the macro
/// joined them at compile time (`"2, 3, 4, "`), written as one piece.
#[doc(hidden)]
pub fn deserialize_integer<'de, D, T>(
    deserializer: D,
    type_name: &'static str,
    all: &'static [T],
    value: fn(T) -> i64,
    expected: &'static str,
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
            let mut text = Message::new();
            let _ = write!(text, "{number}");
            let joined = expected.strip_suffix(", ").unwrap_or(expected);
            unknown(
                text.as_str(),
                Shown::Integer,
                type_name,
                [joined].into_iter(),
            )
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
                    concat!($(stringify!($value), ", ",)+),
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
            type Err = $crate::wire_enum::ParseEnumError;
            fn from_str(text: &str) -> ::core::result::Result<Self, Self::Err> {
                $crate::wire_enum::parse(
                    text,
                    stringify!($name),
                    &Self::ALL,
                    Self::as_str,
                    |index| Self::ALL.get(index).map(|v| v.as_str()),
                )
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

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Size {
        Small,
        Large,
    }

    impl Size {
        const ALL: [Size; 2] = [Size::Small, Size::Large];
        fn as_str(self) -> &'static str {
            match self {
                Size::Small => "small",
                Size::Large => "large",
            }
        }
    }

    thread_local! {
        static LOOKUPS: Cell<usize> = const { Cell::new(0) };
    }

    /// `Size`'s wire values by index, counting the lookups.
    fn nth(index: usize) -> Option<&'static str> {
        LOOKUPS.with(|n| n.set(n.get() + 1));
        Size::ALL.get(index).map(|v| v.as_str())
    }

    impl<'de> serde::Deserialize<'de> for Size {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserialize_text(deserializer, "Size", &Size::ALL, Size::as_str)
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Seconds {
        Five,
        Ten,
    }

    impl Seconds {
        const ALL: [Seconds; 2] = [Seconds::Five, Seconds::Ten];
        fn value(self) -> i64 {
            match self {
                Seconds::Five => 5,
                Seconds::Ten => 10,
            }
        }
    }

    impl<'de> serde::Deserialize<'de> for Seconds {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserialize_integer(
                deserializer,
                "Seconds",
                &Seconds::ALL,
                Seconds::value,
                "5, 10, ",
            )
        }
    }

    #[derive(Debug)]
    struct Input {
        #[allow(dead_code)]
        size: Size,
        #[allow(dead_code)]
        sizes: Option<Vec<Size>>,
        #[allow(dead_code)]
        seconds: Option<Seconds>,
    }

    crate::input_fields! {
        Input;
        size: Size = "size" required;
        sizes: Option<Vec<Size>> = "sizes" optional;
        seconds: Option<Seconds> = "seconds" optional;
    }

    #[test]
    fn a_parse_error_looks_values_up_only_when_shown() {
        LOOKUPS.with(|n| n.set(0));
        let error = parse("smal", "Size", &Size::ALL, Size::as_str, nth).unwrap_err();
        assert_eq!(LOOKUPS.with(Cell::get), 0, "raising looked the values up");
        assert_eq!(
            error.to_string(),
            "\"smal\" is not a Size (expected one of: small, large); did you mean \"small\"?"
        );
        assert!(LOOKUPS.with(Cell::get) > 0);
        assert_eq!(error.expected().collect::<Vec<_>>(), ["small", "large"]);
        assert_eq!(error.suggestion(), Some("small"));
        assert_eq!(
            parse("large", "Size", &Size::ALL, Size::as_str, nth),
            Ok(Size::Large)
        );
    }

    #[test]
    fn deserialization_errors_name_the_field_once() {
        let error = |text: &str| serde_json::from_str::<Input>(text).unwrap_err().to_string();
        assert_eq!(
            error(r#"{"size": "larg"}"#),
            "size: \"larg\" is not a Size (expected one of: small, large); \
             did you mean \"large\"? at line 1 column 15"
        );
        assert_eq!(
            error(r#"{"size": "small", "sizes": ["small", "huge"]}"#),
            "sizes: \"huge\" is not a Size (expected one of: small, large) at line 1 column 43"
        );
        assert_eq!(
            error(r#"{"size": "small", "seconds": 7}"#),
            "seconds: 7 is not a Seconds (expected one of: 5, 10) at line 1 column 31"
        );
        // Errors that are not the enum's own are still named, once.
        assert_eq!(
            error(r#"{"size": 3}"#),
            "size: invalid type: integer `3`, expected a Size (a string) at line 1 column 10"
        );
        // Outside an input, no field.
        let error = serde_json::from_str::<Size>(r#""tiny""#)
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("\"tiny\" is not a Size"), "{error}");
    }

    #[test]
    fn a_long_message_spills_to_the_heap_intact() {
        let mut message = Message::new();
        let piece = "0123456789".repeat(7);
        for _ in 0..5 {
            message.write_str(&piece).unwrap();
        }
        assert_eq!(message.as_str(), piece.repeat(5));
    }
}
