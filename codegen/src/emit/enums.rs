//! One Rust enum per schema enum (or `const`), with exact wire values.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use super::docs::default_text;
use super::schema_out;
use super::tokens::{doc_attrs, ident, json_text, raw_string, signed, wire_text};
use crate::ir::{EnumType, Field, WireValue};

pub(super) fn enum_items(field: &Field, e: &EnumType) -> TokenStream {
    let name = ident(&e.name);
    let variants: Vec<Ident> = e.variants.iter().map(|v| ident(&v.name)).collect();
    let texts: Vec<String> = e.variants.iter().map(|v| wire_text(&v.wire)).collect();
    let count = variants.len();
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
    let count = Literal::usize_unsuffixed(count);
    let schema = raw_string(&json_text(schema_out::enum_schema(field, e).to_string()));
    let doc = doc_attrs(&doc);
    let all = quote! {
        /// Every value, in schema order.
        pub const ALL: [Self; #count] = [#(Self::#variants),*];
    };
    if e.is_integer() {
        // The discriminant is the wire value: `S5 = 5` reads as its own doc.
        let values: Vec<TokenStream> = e
            .variants
            .iter()
            .map(|v| match v.wire {
                WireValue::Int(i) => signed(i, ""),
                WireValue::Str(_) => signed(0, ""),
            })
            .collect();
        return quote! {
            #doc
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
            #[non_exhaustive]
            #[repr(i64)]
            pub enum #name { #(#variants = #values,)* }

            impl #name {
                #all
                #default_const
                /// The wire value.
                pub const fn value(self) -> i64 { self as i64 }
            }

            seedance_runtime::wire_enum!(#name, int [#(#values),*], #schema);
        };
    }
    let variant_docs = texts.iter().map(|t| doc_attrs(&format!("`{t}`")));
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name { #(#variant_docs #variants,)* }

        impl #name {
            #all
            #default_const
            /// The wire value as text.
            pub const fn as_str(self) -> &'static str { match self { #(Self::#variants => #texts,)* } }
        }

        seedance_runtime::wire_enum!(#name, str, #schema);
    }
}
