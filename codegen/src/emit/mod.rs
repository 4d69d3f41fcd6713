//! Emission: IR -> Rust tokens (quote) -> formatted text (prettyplease).
//!
//! Generated code talks to the runtime only through `seedance_runtime::model`
//! and `seedance_runtime::validation`. It uses prelude and runtime names
//! unqualified; `naming` keeps schema-derived type names off those names.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::Vendor;
use tokens::{doc_attrs, ident, inner_doc};

pub mod api_doc;
mod catalog;
mod docs;
mod enums;
mod examples;
pub mod manifest;
mod model;
pub mod schema_out;
mod tokens;
mod validate;

pub use catalog::catalog;
pub use model::model_module;
pub use tokens::json_text;

/// Formats a token stream as a file, after a `@generated` header line.
pub fn render(header: &str, tokens: TokenStream) -> Result<String, syn::Error> {
    let file = syn::parse2::<syn::File>(tokens)?;
    let text = one_rule_per_line(&prettyplease::unparse(&file));
    Ok(format!("{header}\n{}", separate_items(&text)))
}

/// prettyplease fills a macro body like text; the `image_rules!` and
/// `input_fields!` tables read better with one `;`-terminated entry per line.
fn one_rule_per_line(text: &str) -> String {
    const OPENERS: [&str; 2] = [
        "seedance_runtime::image_rules! {",
        "seedance_runtime::input_fields! {",
    ];
    let mut out = String::with_capacity(text.len());
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        if !OPENERS.iter().any(|open| line.trim_end().ends_with(open)) {
            continue;
        }
        let mut body = String::new();
        let mut close = "};";
        for inner in lines.by_ref() {
            let trimmed = inner.trim();
            if trimmed == "};" || trimmed == "}" {
                close = if trimmed == "};" { "};" } else { "}" };
                break;
            }
            body.push(' ');
            body.push_str(trimmed);
        }
        for rule in split_rules(&body) {
            out.push_str(&format!("    {};\n", tidy_entry(&rule)));
        }
        out.push_str(close);
        out.push('\n');
    }
    out
}

/// The `;`-terminated rules of a table body (semicolons in strings kept).
fn split_rules(body: &str) -> Vec<String> {
    let mut rules = Vec::new();
    let mut current = String::new();
    let (mut in_string, mut escaped) = (false, false);
    for c in body.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            ';' if !in_string => {
                rules.push(current.trim().to_owned());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    rules
}

/// An entry as a person writes it: `a: Option<Vec<String>> = "a" optional`,
/// not the token printer's `a : Option < Vec < String > >` (strings kept).
fn tidy_entry(entry: &str) -> String {
    let mut out = String::with_capacity(entry.len());
    let (mut in_string, mut escaped) = (false, false);
    let mut chars = entry.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            out.push(c);
            continue;
        }
        match c {
            '"' => in_string = true,
            // No space before `:`, `<`, `>` or `,`; none after `<`.
            ' ' if matches!(chars.peek(), Some(':' | '<' | '>' | ',')) || out.ends_with('<') => {
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// Puts a blank line between top-level items, which prettyplease runs together.
fn separate_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 20);
    let mut previous_closed_item = false;
    for line in text.lines() {
        // Doc comments are never item ends (their examples hold `;`).
        let top_level =
            !line.starts_with([' ', '\t']) && !line.is_empty() && !line.starts_with("//");
        if top_level && previous_closed_item && !line.starts_with(['}', ']', ')']) {
            out.push('\n');
        }
        previous_closed_item = top_level && (line.starts_with(['}', ']']) || line.ends_with(';'));
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// `generated/src/lib.rs`.
/// `crate_name` names the crate in its doc-test examples.
pub fn crate_root(vendors: &[Vendor], crate_name: &str) -> TokenStream {
    let modules = vendors.iter().map(|vendor| {
        let module = ident(&vendor.id);
        let feature = &vendor.id;
        let doc = doc_attrs(&format!(
            "{} models (cargo feature `{feature}`).",
            vendor.name
        ));
        quote! {
            #doc
            #[cfg(feature = #feature)]
            #[rustfmt::skip] // prettyplease formats generated code; `cargo fmt` leaves it as is
            pub mod #module;
        }
    });
    let vendor_list: String = vendors
        .iter()
        .map(|v| {
            let count = v.models.len();
            let plural = if count == 1 { "" } else { "s" };
            format!("\n- [`{}`] ({}): {count} model{plural}", v.id, v.name)
        })
        .collect();
    let doc = format!(
        "Typed clients for hosted Seedance video-generation APIs, generated from \
         the vendors' input schemas.\n\nOne module per vendor, one per model: an \
         `Input` whose constructor takes the required fields, setters for the \
         optional ones, compile-time enums and a `validate()` that checks every \
         local rule.\n{vendor_list}\n\n{}",
        examples::crate_root(vendors, crate_name)
    );
    let doc = inner_doc(&doc);
    let features = vendors.iter().map(|v| v.id.as_str());
    quote! {
        #doc
        pub use seedance_runtime as runtime;
        pub use seedance_runtime::model::{ErasedModel, Model, ParseEnumError, Protocol, Vendor, VendorInfo};
        pub use seedance_runtime::validation::{ValidationErrors, Violation};
        pub use seedance_runtime::{CancelOutcome, Client, ClientBuilder, Connection, Error, Job};
        pub use seedance_runtime::{JobState, JobStatus, Output, Progress};
        pub use seedance_runtime::{SubmitOptions, WaitOptions};
        /// A generated type's JSON Schema from the JSON text codegen wrote for
        /// it (text compiles faster than a `json!` tree per type).
        #[cfg(all(feature = "schemars", any(#(feature = #features),*)))]
        #[rustfmt::skip]
        fn schema_from_json(text: &str) -> schemars::Schema {
            let value: serde_json::Value =
                serde_json::from_str(text).expect("codegen writes valid JSON schemas");
            schemars::Schema::try_from(value).expect("codegen writes JSON objects as schemas")
        }

        /// Every model as data, for tools that choose a model at run time
        /// (cargo feature `catalog`: it compiles every model's serde code, which
        /// a program using a few models does not need).
        #[cfg(feature = "catalog")]
        #[rustfmt::skip]
        pub mod catalog;
        #(#modules)*
    }
}

/// `generated/src/<vendor>/mod.rs`; `crate_name` names the crate in its
/// doc-test example.
pub fn vendor_module(vendor: &Vendor, crate_name: &str) -> TokenStream {
    let modules = vendor.models.iter().map(|model| {
        let module = ident(&model.module);
        let doc = doc_attrs(&format!("`{}`", model.path));
        quote! { #doc pub mod #module; }
    });
    let name = &vendor.name;
    let id = &vendor.id;
    let base_url = &vendor.base_url;
    let token_env = &vendor.token_env;
    let protocol = format_ident!("{}", format!("{:?}", vendor.protocol));
    let doc = format!(
        "{name}: base URL `{base_url}`, token from `{token_env}`.\n\nGenerated from `{}`.",
        display_path(&vendor.source)
    );
    let doc = inner_doc(&doc);
    let vendor_doc = doc_attrs(&format!(
        "The {name} vendor; its models can only be sent through its [`Client`]."
    ));
    let client_doc = doc_attrs(&format!(
        "A client for {name} models (`Client::from_env()` reads `{token_env}`).\n\n{}",
        examples::client(vendor, crate_name)
    ));
    quote! {
        #doc
        #(#modules)*

        #vendor_doc
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct Vendor;

        impl seedance_runtime::model::Vendor for Vendor {
            const NAME: &'static str = #name;
            const ID: &'static str = #id;
            const PROTOCOL: seedance_runtime::model::Protocol = seedance_runtime::model::Protocol::#protocol;
            const BASE_URL: &'static str = #base_url;
            const TOKEN_ENV: &'static str = #token_env;
        }

        #client_doc
        pub type Client = seedance_runtime::Client<Vendor>;
    }
}

/// A path shown in docs: forward slashes, whatever the platform.
pub fn display_path(path: &std::path::Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_entries_read_as_written() {
        assert_eq!(
            tidy_entry(r#"images : Option < Vec < String > > = "a < b : c" optional"#),
            r#"images: Option<Vec<String>> = "a < b : c" optional"#
        );
        assert_eq!(
            split_rules(r#" WidthBelow 6000.0 "a; b"; RatioAbove 0.4 "c";"#),
            [r#"WidthBelow 6000.0 "a; b""#, r#"RatioAbove 0.4 "c""#]
        );
    }
}
