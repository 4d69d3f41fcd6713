//! The generated `validate()`: one call into the runtime's `Validator` per
//! local rule of each field.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::tokens::{float, ident, signed, usize_literal};
use crate::ir::{Field, Model, StringType, Type};

pub(super) fn validate_fn(model: &Model) -> TokenStream {
    let checks: Vec<TokenStream> = model.fields.iter().filter_map(field_checks).collect();
    let body = if checks.is_empty() {
        quote! { Ok(()) }
    } else {
        quote! {
            let mut validator = seedance_runtime::validation::Validator::new();
            #(#checks)*
            validator.finish()
        }
    };
    quote! {
        /// Checks every local rule of the schema (lengths, counts, ranges, image
        /// URL format) without I/O, and reports all violations together.
        pub fn validate(&self) -> Result<(), seedance_runtime::validation::ValidationErrors> {
            #body
        }
    }
}

/// The checks of one field, or `None` when the schema sets no local rule on it.
fn field_checks(field: &Field) -> Option<TokenStream> {
    let wire = &field.wire;
    let name = ident(&field.ident);
    let path = quote! { seedance_runtime::validation::FieldPath::Field(#wire) };
    // A required field is read in place; an optional one is bound by `if let`.
    let copy = matches!(field.ty, Type::Integer { .. } | Type::Number { .. });
    let value = match (field.required, copy) {
        (true, true) => quote! { self.#name },
        (true, false) => quote! { &self.#name },
        (false, _) => quote! { value },
    };
    let checks: Vec<TokenStream> = match &field.ty {
        Type::String(s) => string_checks(s, &value, &path),
        Type::Integer { minimum, maximum } => {
            let min = minimum.map(|m| signed(m, "i64"));
            let max = maximum.map(|m| signed(m, "i64"));
            bound_checks(min, max, &value, &path)
        }
        Type::Number { minimum, maximum } => {
            let min = minimum.map(float);
            let max = maximum.map(float);
            bound_checks(min, max, &value, &path)
        }
        Type::Array {
            items,
            min_items,
            max_items,
        } => {
            let list = if field.required {
                quote! { self.#name }
            } else {
                value.clone()
            };
            let mut checks = Vec::new();
            if let Some(min) = min_items.map(usize_literal) {
                checks.push(quote! { validator.min_items(#path, #list.len(), #min); });
            }
            if let Some(max) = max_items.map(usize_literal) {
                checks.push(quote! { validator.max_items(#path, #list.len(), #max); });
            }
            let item_path = quote! { seedance_runtime::validation::FieldPath::Item(#wire, index) };
            let item_checks = string_checks(items, &quote! { item }, &item_path);
            if !item_checks.is_empty() {
                checks.push(quote! {
                    for (index, item) in #list.iter().enumerate() { #(#item_checks)* }
                });
            }
            checks
        }
        Type::Boolean | Type::Enum(_) | Type::Const(_) => Vec::new(),
    };
    if checks.is_empty() {
        return None;
    }
    Some(match (field.required, copy) {
        (true, _) => quote! { #(#checks)* },
        (false, true) => quote! { if let Some(value) = self.#name { #(#checks)* } },
        (false, false) => quote! { if let Some(value) = &self.#name { #(#checks)* } },
    })
}

pub(super) fn string_checks(
    s: &StringType,
    value: &TokenStream,
    path: &TokenStream,
) -> Vec<TokenStream> {
    let mut checks = Vec::new();
    if let Some(min) = s.min_length.map(usize_literal) {
        checks.push(quote! { validator.min_length(#path, #value, #min); });
    }
    if let Some(max) = s.max_length.map(usize_literal) {
        checks.push(quote! { validator.max_length(#path, #value, #max); });
    }
    if let Some(format) = s.format {
        let format = format_ident!("{}", format.variant_name());
        checks.push(
            quote! { validator.uri(#path, #value, seedance_runtime::validation::Format::#format); },
        );
    }
    checks
}

pub(super) fn bound_checks(
    min: Option<TokenStream>,
    max: Option<TokenStream>,
    value: &TokenStream,
    path: &TokenStream,
) -> Vec<TokenStream> {
    let mut checks = Vec::new();
    if let Some(min) = min {
        checks.push(quote! { validator.minimum(#path, #value, #min); });
    }
    if let Some(max) = max {
        checks.push(quote! { validator.maximum(#path, #value, #max); });
    }
    checks
}
