//! One Rust enum per schema enum (or `const`), with exact wire values.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::docs::default_text;
use super::tokens::{doc_attrs, ident, json_text, raw_string, signed, wire_text};
use crate::ir::{EnumType, Field, WireValue};
use crate::schema_out;

pub(super) fn enum_items(field: &Field, e: &EnumType) -> TokenStream {
    let name = ident(&e.name);
    let variants: Vec<Ident> = e.variants.iter().map(|v| ident(&v.name)).collect();
    let texts: Vec<String> = e.variants.iter().map(|v| wire_text(&v.wire)).collect();
    let count = variants.len();
    let variant_docs = texts.iter().map(|t| doc_attrs(&format!("`{t}`")));
    let mut doc = field
        .title
        .clone()
        .unwrap_or_else(|| format!("Values of `{}`.", field.wire));
    if let Some(description) = &field.description {
        doc.push_str("\n\n");
        doc.push_str(description);
    }
    let default_variant = field.default.as_ref().and_then(|default| {
        e.variants
            .iter()
            .find(|v| v.wire.to_json() == *default)
            .map(|v| ident(&v.name))
    });
    if let Some(default) = &field.default {
        doc.push_str(&format!("\n\nVendor default: `{}`.", default_text(default)));
    }
    let default_const = default_variant.map(|v| {
        quote! {
            /// The value the vendor uses when the field is left out.
            pub const VENDOR_DEFAULT: Self = Self::#v;
        }
    });
    let integer = e.is_integer();
    let type_name = e.name.as_str();
    let (value_fn, serialize, deserialize) = if integer {
        let values: Vec<TokenStream> = e
            .variants
            .iter()
            .map(|v| match v.wire {
                WireValue::Int(i) => signed(i, ""),
                WireValue::Str(_) => signed(0, ""),
            })
            .collect();
        (
            quote! {
                /// The wire value.
                pub const fn value(self) -> i64 { match self { #(Self::#variants => #values,)* } }
            },
            quote! { serializer.serialize_i64(self.value()) },
            quote! {
                let value = <i64 as serde::Deserialize>::deserialize(deserializer)?;
                Self::ALL.into_iter().find(|v| v.value() == value).ok_or_else(|| {
                    <D::Error as serde::de::Error>::custom(Self::parse_error(&value.to_string()))
                })
            },
        )
    } else {
        (
            quote! {},
            quote! { serializer.serialize_str(self.as_str()) },
            quote! {
                let value = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                value.parse().map_err(<D::Error as serde::de::Error>::custom)
            },
        )
    };
    let schema = raw_string(&json_text(schema_out::enum_schema(field, e).to_string()));
    let doc = doc_attrs(&doc);
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name { #(#variant_docs #variants,)* }

        impl #name {
            /// Every value, in schema order.
            pub const ALL: [Self; #count] = [#(Self::#variants),*];
            #default_const
            /// The wire value as text.
            pub const fn as_str(self) -> &'static str { match self { #(Self::#variants => #texts,)* } }
            #value_fn
            fn parse_error(value: &str) -> ParseEnumError {
                ParseEnumError {
                    type_name: #type_name,
                    value: value.to_owned(),
                    expected: &[#(#texts),*],
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for #name {
            type Err = ParseEnumError;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::ALL.into_iter().find(|v| v.as_str() == value).ok_or_else(|| Self::parse_error(value))
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #serialize
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #deserialize
            }
        }

        impl schemars::JsonSchema for #name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(#type_name)
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                crate::schema_from_json(#schema)
            }
        }
    }
}
