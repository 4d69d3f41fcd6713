//! Token helpers shared by the emitters: identifiers, doc attributes,
//! literals, JSON as tokens, and the Rust type of a field.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use crate::ir::{Field, Type, WireValue};

/// `#[doc]` attributes, one per line, so prettyplease prints `/// line`.
pub(super) fn doc_attrs(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #(#[doc = #lines])* }
}

/// Inner `#![doc]` attributes, one per line (`//! line`).
pub(super) fn inner_doc(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #(#![doc = #lines])* }
}

/// Each line of `text` with the space a doc comment puts after `///`.
/// Vendor text may hold a bare CR (which rustc refuses in a doc comment) or
/// bidi controls (which make code read differently from how it compiles):
/// every line break form splits lines, and other controls are shown escaped.
fn doc_lines(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split("\r\n")
        .flat_map(|part| part.split(['\r', '\n']))
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!(" {}", escape_invisible(line))
            }
        })
}

/// Control and bidi characters as Rust `\u{..}` escapes; the rest unchanged.
pub(super) fn escape_invisible(text: &str) -> String {
    replace_chars(text, is_invisible, |c| format!("\\u{{{:x}}}", u32::from(c)))
}

/// JSON text safe to embed in source: bidi and C1 controls as JSON `\uXXXX`
/// escapes (serde_json escapes the ASCII controls in strings itself; the
/// ASCII ones left are the layout's own line breaks).
pub fn json_text(text: String) -> String {
    let unsafe_char = |c: char| !c.is_ascii() && is_invisible(c);
    if !text.chars().any(unsafe_char) {
        return text;
    }
    replace_chars(&text, unsafe_char, |c| format!("\\u{:04x}", u32::from(c)))
}

/// Characters that must not reach generated source as they are.
fn is_invisible(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every character `pick` selects written by `write`.
fn replace_chars(
    text: &str,
    pick: impl Fn(char) -> bool,
    write: impl Fn(char) -> String,
) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if pick(c) {
            out.push_str(&write(c));
        } else {
            out.push(c);
        }
    }
    out
}

pub(super) fn rust_type(field: &Field) -> TokenStream {
    let ty = match &field.ty {
        Type::String(_) => quote! { String },
        Type::Integer { .. } => quote! { i64 },
        Type::Number { .. } => quote! { f64 },
        Type::Boolean => quote! { bool },
        Type::Enum(e) | Type::Const(e) => {
            let name = ident(&e.name);
            quote! { #name }
        }
        Type::Array { .. } => quote! { Vec<String> },
        Type::Object(object) => {
            let name = ident(&object.name);
            quote! { #name }
        }
        Type::ObjectArray { item, .. } => {
            let name = ident(&item.name);
            quote! { Vec<#name> }
        }
        Type::Json => quote! { serde_json::Value },
        Type::JsonObject => quote! { serde_json::Map<String, serde_json::Value> },
    };
    if field.required {
        ty
    } else {
        quote! { Option<#ty> }
    }
}

pub(super) fn param_type(ty: &Type) -> TokenStream {
    match ty {
        Type::String(_) => quote! { impl Into<String> },
        Type::Array { .. } => quote! {
            impl IntoIterator<Item = impl Into<String>>
        },
        Type::Integer { .. } => quote! { i64 },
        Type::Number { .. } => quote! { f64 },
        Type::Boolean => quote! { bool },
        Type::Enum(e) | Type::Const(e) => {
            let name = ident(&e.name);
            quote! { #name }
        }
        Type::Object(object) => {
            let name = ident(&object.name);
            quote! { #name }
        }
        Type::ObjectArray { item, .. } => {
            let name = ident(&item.name);
            quote! { impl IntoIterator<Item = #name> }
        }
        Type::Json => quote! { serde_json::Value },
        Type::JsonObject => quote! { serde_json::Map<String, serde_json::Value> },
    }
}

/// Whether a parameter of type `ty` is converted into the field's type
/// (`impl Into<String>`, iterators), not taken as it is.
pub(super) fn converts(ty: &Type) -> bool {
    matches!(
        ty,
        Type::String(_) | Type::Array { .. } | Type::ObjectArray { .. }
    )
}

pub(super) fn convert_param(ty: &Type, value: TokenStream) -> TokenStream {
    match ty {
        Type::String(_) => quote! { #value.into() },
        Type::Array { .. } => quote! { #value.into_iter().map(Into::into).collect() },
        Type::ObjectArray { .. } => quote! { #value.into_iter().collect() },
        _ => value,
    }
}

pub(super) fn wire_text(wire: &WireValue) -> String {
    match wire {
        WireValue::Str(s) => s.clone(),
        WireValue::Int(i) => i.to_string(),
    }
}

/// An integer literal with an optional type suffix; negative values as `-` and a literal.
pub(super) fn signed(value: i64, suffix: &str) -> TokenStream {
    let text = format!("{}{suffix}", value.unsigned_abs());
    let literal: Literal = text
        .parse()
        .unwrap_or_else(|_| Literal::u64_unsuffixed(value.unsigned_abs()));
    let sign = (value < 0).then(|| quote! { - });
    quote! { #sign #literal }
}

/// A float literal (always with a decimal point, so `30` reads `30.0`).
pub(super) fn float(value: f64) -> TokenStream {
    let literal = Literal::f64_unsuffixed(value.abs());
    let sign = (value < 0.0).then(|| quote! { - });
    quote! { #sign #literal }
}

pub(super) fn usize_literal(n: u64) -> Literal {
    Literal::usize_unsuffixed(n as usize)
}

/// An identifier from naming's text (which may carry `r#`).
pub(super) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => Ident::new(name, proc_macro2::Span::call_site()),
    }
}

/// A raw string literal holding `text` (with enough `#`s that it cannot end early).
pub(super) fn raw_string(text: &str) -> Literal {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| Literal::string(text))
}
