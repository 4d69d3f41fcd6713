//! Emission: IR -> Rust tokens (quote) -> formatted text (prettyplease).
//!
//! Generated code talks to the runtime only through `seedance_runtime::model`
//! and `seedance_runtime::validation`. It uses prelude and runtime names
//! unqualified; `naming` keeps schema-derived type names off those names.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::ir::{EnumType, Field, Model, StringType, Type, Vendor, WireValue};
use crate::schema_out;

/// Formats a token stream as a file, after a `@generated` header line.
pub fn render(header: &str, tokens: TokenStream) -> Result<String, syn::Error> {
    let file = syn::parse2::<syn::File>(tokens)?;
    Ok(format!(
        "{header}\n{}",
        separate_items(&prettyplease::unparse(&file))
    ))
}

/// Puts a blank line between top-level items, which prettyplease runs together.
fn separate_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 20);
    let mut previous_closed_item = false;
    for line in text.lines() {
        let top_level = !line.starts_with([' ', '\t']) && !line.is_empty();
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
pub fn crate_root(vendors: &[Vendor]) -> TokenStream {
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
         local rule.\n{vendor_list}"
    );
    let doc = inner_doc(&doc);
    quote! {
        #doc
        pub use seedance_runtime as runtime;
        pub use seedance_runtime::model::{ErasedModel, Model, ParseEnumError, Protocol, Vendor, VendorInfo};
        pub use seedance_runtime::validation::{ValidationErrors, Violation};
        pub use seedance_runtime::{
            CancelOutcome, Client, Connection, Error, Job, JobState, JobStatus, Output, PollPolicy,
            Progress, RetryPolicy, SubmitOptions, WaitOptions,
        };
        #[rustfmt::skip]
        pub mod catalog;
        #(#modules)*
    }
}

/// `generated/src/catalog.rs`: every model as data, for tools that pick a
/// model at run time (the command line) without a hand-kept list.
pub fn catalog(vendors: &[Vendor]) -> TokenStream {
    let entries = vendors.iter().flat_map(|vendor| {
        vendor.models.iter().map(move |model| {
            let vendor_module = ident(&vendor.id);
            let module = ident(&model.module);
            let feature = &vendor.id;
            let path = &model.path;
            let module_path = format!("{}::{}", vendor.id, model.module);
            let summary = model_summary(model);
            let rules = model.fields.iter().filter(|f| !f.image_rules.is_empty()).map(|field| {
                let wire = &field.wire;
                let name = rule_const_name(field);
                quote! { (#wire, crate::#vendor_module::#module::#name) }
            });
            quote! {
                #[cfg(feature = #feature)]
                ModelInfo {
                    vendor: &<crate::#vendor_module::Vendor as seedance_runtime::model::Vendor>::INFO,
                    model: #path,
                    module: #module_path,
                    summary: #summary,
                    json_schema: || schemars::schema_for!(crate::#vendor_module::#module::Input),
                    parse: |body| {
                        let input: crate::#vendor_module::#module::Input = serde_json::from_value(body)?;
                        Ok(Box::new(input))
                    },
                    image_rules: &[#(#rules),*],
                },
            }
        })
    });
    quote! {
        //! Every generated model as data, for tools that choose a model at run
        //! time (the `seedance` command line): its vendor, schema, image rules
        //! and a parser from JSON into the typed input.
        use seedance_runtime::model::{ErasedModel, VendorInfo};
        use seedance_runtime::validation::ImageRule;

        /// One generated model.
        #[derive(Clone, Copy)]
        pub struct ModelInfo {
            /// The vendor selling it.
            pub vendor: &'static VendorInfo,
            /// The model path or id (`bytedance/seedance-1-0/pro/image-to-video`).
            pub model: &'static str,
            /// The module holding its types (`runcomfy::seedance_1_0_pro_image_to_video`).
            pub module: &'static str,
            /// One line: what it takes.
            pub summary: &'static str,
            /// The input's JSON Schema (`schemars`).
            pub json_schema: fn() -> schemars::Schema,
            /// JSON -> the typed input (unknown fields, wrong types and enum
            /// values are refused here); local rules are checked by `validate()`.
            pub parse: fn(serde_json::Value) -> Result<Box<dyn ErasedModel>, serde_json::Error>,
            /// The image rules of each image field.
            pub image_rules: &'static [(&'static str, &'static [ImageRule])],
        }

        impl std::fmt::Debug for ModelInfo {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct("ModelInfo").field("vendor", &self.vendor.id).field("model", &self.model).finish()
            }
        }

        /// Every model of the enabled vendor features, sorted by vendor then model.
        pub static MODELS: &[ModelInfo] = &[#(#entries)*];

        /// Finds a model by `vendor/model path` (`runcomfy/bytedance/seedance-1-0/pro/image-to-video`),
        /// module path (`runcomfy::seedance_1_0_pro_image_to_video`) or module name
        /// (`seedance_1_0_pro_image_to_video`), when that is unambiguous.
        pub fn find(name: &str) -> Option<&'static ModelInfo> {
            let exact = MODELS.iter().find(|m| {
                name.strip_prefix(m.vendor.id).and_then(|rest| rest.strip_prefix('/')) == Some(m.model)
                    || m.module == name
            });
            exact.or_else(|| {
                let mut matches = MODELS.iter().filter(|m| m.module.rsplit("::").next() == Some(name) || m.model == name);
                let first = matches.next();
                if matches.next().is_some() { None } else { first }
            })
        }
    }
}

/// A one-line summary of what a model takes, from its fields.
fn model_summary(model: &Model) -> String {
    let names = |required: bool| -> Vec<&str> {
        model
            .fields
            .iter()
            .filter(|f| f.required == required && !matches!(f.ty, Type::Const(_)))
            .map(|f| f.wire.as_str())
            .collect()
    };
    let (required, optional) = (names(true), names(false));
    let mut summary = match &model.description {
        Some(description) => format!("{} ", description.lines().next().unwrap_or_default()),
        None => String::new(),
    };
    summary.push_str(&format!("takes {}", required.join(", ")));
    if !optional.is_empty() {
        summary.push_str(&format!("; optional {}", optional.join(", ")));
    }
    summary
}

/// `generated/src/<vendor>/mod.rs`.
pub fn vendor_module(vendor: &Vendor) -> TokenStream {
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
        "A client for {name} models (`Client::from_env()` reads `{token_env}`)."
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

/// `generated/src/<vendor>/<model>.rs`.
pub fn model_module(vendor: &Vendor, model: &Model) -> TokenStream {
    let module_doc = model_doc(vendor, model);
    let input = input_struct(vendor, model);
    let constructor = constructor(model);
    let validate = validate_fn(model);
    let model_impl = model_impl(model);
    let schema_impl = schema_impl(model);
    let enums = model.fields.iter().filter_map(|field| match &field.ty {
        Type::Enum(e) | Type::Const(e) => Some(enum_items(field, e)),
        _ => None,
    });
    let rule_consts = model
        .fields
        .iter()
        .filter(|f| !f.image_rules.is_empty())
        .map(rule_const);
    let imports = imports(model);
    let module_doc = inner_doc(&module_doc);
    quote! {
        #module_doc
        #imports
        #input
        #constructor
        #validate
        #model_impl
        #schema_impl
        #(#rule_consts)*
        #(#enums)*
    }
}

/// The runtime names a model module uses, and only those (no unused imports).
fn imports(model: &Model) -> TokenStream {
    let has_rules = model.fields.iter().any(|f| !f.image_rules.is_empty());
    let has_checks = model.fields.iter().any(|f| field_checks(f).is_some());
    let has_enums = model
        .fields
        .iter()
        .any(|f| matches!(f.ty, Type::Enum(_) | Type::Const(_)));
    let mut validation = vec![
        format_ident!("ImageInput"),
        format_ident!("ValidationErrors"),
    ];
    if has_checks || has_rules {
        validation.push(format_ident!("FieldPath"));
    }
    if has_rules {
        validation.extend([format_ident!("ImageRule"), format_ident!("ImageRuleKind")]);
    }
    if has_checks {
        validation.push(format_ident!("Validator"));
    }
    validation.sort();
    let model_names = has_enums.then(|| quote! { use seedance_runtime::model::ParseEnumError; });
    quote! {
        #model_names
        use seedance_runtime::validation::{#(#validation),*};
    }
}

/// `#[doc]` attributes, one per line, so prettyplease prints `/// line`.
fn doc_attrs(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| {
        if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        }
    });
    quote! { #(#[doc = #lines])* }
}

/// Inner `#![doc]` attributes, one per line (`//! line`).
fn inner_doc(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| {
        if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        }
    });
    quote! { #(#![doc = #lines])* }
}

fn model_doc(vendor: &Vendor, model: &Model) -> String {
    let mut doc = format!("`{}` on {}.", model.path, vendor.name);
    if let Some(description) = &model.description {
        doc.push_str("\n\n");
        doc.push_str(description);
    }
    doc.push_str(&format!(
        "\n\nGenerated from `{}`; submitted to `{}`.",
        display_path(&model.source),
        model.submit_path
    ));
    doc
}

fn input_struct(vendor: &Vendor, model: &Model) -> TokenStream {
    let fields = model.fields.iter().map(|field| {
        let name = ident(&field.ident);
        let ty = rust_type(field);
        let doc = doc_attrs(&field_doc(field));
        let wire = &field.wire;
        let rename = (field.ident != *wire).then(|| quote! { #[serde(rename = #wire)] });
        let skip = (!field.required).then(|| {
            quote! { #[serde(default, skip_serializing_if = "Option::is_none")] }
        });
        quote! { #doc #rename #skip pub #name: #ty }
    });
    let doc = format!(
        "Input of `{}` ({}). Build it with [`Input::new`] (the required fields) and \
         the setters; unset optional fields are left out of the request body so the \
         vendor default applies.",
        model.path, vendor.name
    );
    let doc = doc_attrs(&doc);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[non_exhaustive]
        pub struct Input { #(#fields,)* }
    }
}

fn constructor(model: &Model) -> TokenStream {
    let required: Vec<&Field> = model
        .fields
        .iter()
        .filter(|f| f.required && !matches!(f.ty, Type::Const(_)))
        .collect();
    let params = required.iter().map(|field| {
        let name = ident(&field.ident);
        let ty = param_type(&field.ty);
        quote! { #name: #ty }
    });
    let inits = model.fields.iter().map(|field| {
        let name = ident(&field.ident);
        let value = match &field.ty {
            Type::Const(e) => {
                let ty = ident(&e.name);
                let variant = ident(&e.variants[0].name);
                quote! { #ty::#variant }
            }
            ty if field.required => convert_param(ty, quote! { #name }),
            _ => quote! { None },
        };
        quote! { #name: #value }
    });
    let setters = model.fields.iter().filter(|f| !f.required).map(|field| {
        let name = ident(&field.ident);
        let ty = param_type(&field.ty);
        let value = convert_param(&field.ty, quote! { value });
        let doc = doc_attrs(&format!("Sets `{}`.", field.wire));
        let deprecated = field
            .deprecated
            .then(|| quote! { #[deprecated(note = "the vendor marks this field deprecated")] });
        quote! {
            #doc
            #deprecated
            #[must_use]
            pub fn #name(mut self, value: #ty) -> Self {
                self.#name = Some(#value);
                self
            }
        }
    });
    let doc = doc_attrs("An input with the required fields set and every optional field unset.");
    quote! {
        impl Input {
            #doc
            pub fn new(#(#params),*) -> Self {
                Input { #(#inits,)* }
            }
            #(#setters)*
        }
    }
}

fn validate_fn(model: &Model) -> TokenStream {
    let checks: Vec<TokenStream> = model.fields.iter().filter_map(field_checks).collect();
    let body = if checks.is_empty() {
        quote! { Ok(()) }
    } else {
        quote! {
            let mut validator = Validator::new();
            #(#checks)*
            validator.finish()
        }
    };
    quote! {
        impl Input {
            /// Checks every local rule of the schema (lengths, counts, ranges, image
            /// URL format) without I/O, and reports all violations together.
            pub fn validate(&self) -> Result<(), ValidationErrors> {
                #body
            }
        }
    }
}

/// The checks of one field, or `None` when the schema sets no local rule on it.
fn field_checks(field: &Field) -> Option<TokenStream> {
    let wire = &field.wire;
    let name = ident(&field.ident);
    let path = quote! { FieldPath::Field(#wire) };
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
            let item_path = quote! { FieldPath::Item(#wire, index) };
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

fn string_checks(s: &StringType, value: &TokenStream, path: &TokenStream) -> Vec<TokenStream> {
    let mut checks = Vec::new();
    if let Some(max) = s.max_length.map(usize_literal) {
        checks.push(quote! { validator.max_length(#path, #value, #max); });
    }
    if s.image {
        let format = s.format.map_or("image", |f| f.as_str());
        checks.push(quote! { validator.image_uri(#path, #value, #format); });
    }
    checks
}

fn bound_checks(
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

fn model_impl(model: &Model) -> TokenStream {
    let path = &model.path;
    let submit_path = &model.submit_path;
    let image_fields: Vec<&Field> = model
        .fields
        .iter()
        .filter(|f| !f.image_rules.is_empty())
        .collect();
    let image = |field: &Field, path: TokenStream, uri: TokenStream| {
        let rules = rule_const_name(field);
        quote! { ImageInput::new(#path, #uri, #rules) }
    };
    // Required single images start the vector; optional ones and arrays follow.
    let mut initial = Vec::new();
    let mut more = Vec::new();
    for field in image_fields {
        let name = ident(&field.ident);
        let wire = &field.wire;
        let field_path = quote! { FieldPath::Field(#wire) };
        let item_path = quote! { FieldPath::Item(#wire, index) };
        match (&field.ty, field.required) {
            (Type::Array { .. }, required) => {
                let items = if required {
                    quote! { self.#name.iter() }
                } else {
                    quote! { self.#name.iter().flatten() }
                };
                let item = image(field, item_path, quote! { uri });
                more.push(quote! { images.extend(#items.enumerate().map(|(index, uri)| #item)); });
            }
            (_, true) => initial.push(image(field, field_path, quote! { &self.#name })),
            (_, false) => {
                let item = image(field, field_path, quote! { uri });
                more.push(quote! { if let Some(uri) = &self.#name { images.push(#item); } });
            }
        }
    }
    let body = match (initial.is_empty(), more.is_empty()) {
        (true, true) => quote! { Vec::new() },
        (false, true) => quote! { Vec::from([#(#initial),*]) },
        (true, false) => quote! { let mut images = Vec::new(); #(#more)* images },
        (false, false) => quote! { let mut images = Vec::from([#(#initial),*]); #(#more)* images },
    };
    quote! {
        impl seedance_runtime::model::Model for Input {
            type Vendor = super::Vendor;
            const MODEL: &'static str = #path;
            const SUBMIT_PATH: &'static str = #submit_path;

            fn validate(&self) -> Result<(), ValidationErrors> {
                Input::validate(self)
            }

            fn image_inputs(&self) -> Vec<ImageInput<'_>> {
                #body
            }
        }
    }
}

fn schema_impl(model: &Model) -> TokenStream {
    let schema = raw_string(
        &serde_json::to_string_pretty(&schema_out::model_schema(model)).unwrap_or_default(),
    );
    let id = format!("seedance::{}::Input", model.path);
    quote! {
        impl schemars::JsonSchema for Input {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed("Input")
            }
            fn schema_id() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(#id)
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let value: serde_json::Value = serde_json::from_str(INPUT_SCHEMA)
                    .expect("INPUT_SCHEMA is JSON written by codegen");
                schemars::Schema::try_from(value).expect("INPUT_SCHEMA is a JSON object")
            }
        }

        /// The input's JSON Schema, as codegen understood the vendor's: same
        /// enums, bounds, required list and image rules (`schemars::schema_for!(Input)`).
        pub const INPUT_SCHEMA: &str = #schema;
    }
}

/// A raw string literal holding `text` (with enough `#`s that it cannot end early).
fn raw_string(text: &str) -> Literal {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| Literal::string(text))
}

fn rule_const(field: &Field) -> TokenStream {
    let name = rule_const_name(field);
    let rules = field.image_rules.iter().map(|rule| {
        let kind = format_ident!("{}", rule.kind.runtime_variant());
        let limit = float(rule.value);
        let message = &rule.message;
        quote! {
            ImageRule {
                kind: ImageRuleKind::#kind,
                limit: #limit,
                message: #message,
            }
        }
    });
    let doc = format!(
        "Image rules (`validations`) of `{}`{}, checked remotely before submit.",
        field.wire,
        if matches!(field.ty, Type::Array { .. }) {
            ", for each item"
        } else {
            ""
        }
    );
    let doc = doc_attrs(&doc);
    quote! {
        #doc
        pub const #name: &[ImageRule] = &[#(#rules),*];
    }
}

fn rule_const_name(field: &Field) -> Ident {
    format_ident!("{}_RULES", field.wire.to_ascii_uppercase())
}

fn enum_items(field: &Field, e: &EnumType) -> TokenStream {
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
    let schema = json_tokens(&schema_out::enum_schema(field, e));
    let doc = doc_attrs(&doc);
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
                schemars::json_schema!(#schema)
            }
        }
    }
}

fn field_doc(field: &Field) -> String {
    let mut parts = Vec::new();
    if let Some(title) = &field.title {
        parts.push(title.clone());
    }
    if let Some(description) = &field.description {
        parts.push(description.clone());
    }
    let mut facts = Vec::new();
    match &field.ty {
        Type::String(s) => facts.extend(string_facts(s).into_iter().map(capitalise)),
        Type::Integer { minimum, maximum } => facts.extend(range_fact(minimum, maximum, "")),
        Type::Number { minimum, maximum } => facts.extend(range_fact(minimum, maximum, "")),
        Type::Array {
            items,
            min_items,
            max_items,
        } => {
            facts.extend(range_fact(min_items, max_items, " items"));
            facts.extend(
                string_facts(items)
                    .into_iter()
                    .map(|f| format!("Each item: {f}")),
            );
        }
        Type::Const(e) => facts.push(format!("Always `{}`.", wire_text(&e.variants[0].wire))),
        Type::Boolean | Type::Enum(_) => {}
    }
    if !field.image_rules.is_empty() {
        let rules: Vec<String> = field
            .image_rules
            .iter()
            .map(|r| format!("`{} {}`", r.kind.as_str(), r.value))
            .collect();
        facts.push(format!("Image rules: {}.", rules.join(", ")));
    }
    if let Some(default) = &field.default {
        facts.push(format!("Vendor default: `{}`.", default_text(default)));
    }
    if field.deprecated {
        facts.push("Deprecated by the vendor.".to_owned());
    }
    if !facts.is_empty() {
        parts.push(facts.join(" "));
    }
    if parts.is_empty() {
        parts.push(format!("`{}`", field.wire));
    }
    parts.join("\n\n")
}

fn string_facts(s: &StringType) -> Vec<String> {
    let mut facts = Vec::new();
    if let Some(max) = s.max_length {
        facts.push(format!("At most {max} characters."));
    }
    if s.image {
        facts.push("an http(s) URL or a data URI.".to_owned());
    }
    facts
}

fn capitalise(text: String) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn range_fact<T: std::fmt::Display>(
    min: &Option<T>,
    max: &Option<T>,
    unit: &str,
) -> Option<String> {
    match (min, max) {
        (Some(min), Some(max)) => Some(format!("From {min} to {max}{unit}.")),
        (Some(min), None) => Some(format!("At least {min}{unit}.")),
        (None, Some(max)) => Some(format!("At most {max}{unit}.")),
        (None, None) => None,
    }
}

/// A default as shown in docs: strings unquoted, long ones cut.
fn default_text(default: &Value) -> String {
    let text = match default {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    const SHOWN: usize = 120;
    if text.chars().count() > SHOWN {
        format!("{}...", text.chars().take(SHOWN).collect::<String>())
    } else {
        text
    }
    .replace('`', "'")
}

fn rust_type(field: &Field) -> TokenStream {
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
    };
    if field.required {
        ty
    } else {
        quote! { Option<#ty> }
    }
}

fn param_type(ty: &Type) -> TokenStream {
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
    }
}

fn convert_param(ty: &Type, value: TokenStream) -> TokenStream {
    match ty {
        Type::String(_) => quote! { #value.into() },
        Type::Array { .. } => quote! { #value.into_iter().map(Into::into).collect() },
        _ => value,
    }
}

fn wire_text(wire: &WireValue) -> String {
    match wire {
        WireValue::Str(s) => s.clone(),
        WireValue::Int(i) => i.to_string(),
    }
}

/// An integer literal with an optional type suffix; negative values as `-` and a literal.
fn signed(value: i64, suffix: &str) -> TokenStream {
    let text = format!("{}{suffix}", value.unsigned_abs());
    let literal: Literal = text
        .parse()
        .unwrap_or_else(|_| Literal::u64_unsuffixed(value.unsigned_abs()));
    let sign = (value < 0).then(|| quote! { - });
    quote! { #sign #literal }
}

/// A float literal (always with a decimal point, so `30` reads `30.0`).
fn float(value: f64) -> TokenStream {
    let literal = Literal::f64_unsuffixed(value.abs());
    let sign = (value < 0.0).then(|| quote! { - });
    quote! { #sign #literal }
}

fn usize_literal(n: u64) -> Literal {
    Literal::usize_unsuffixed(n as usize)
}

/// An identifier from naming's text (which may carry `r#`).
fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => Ident::new(name, proc_macro2::Span::call_site()),
    }
}

/// A path shown in docs: forward slashes, whatever the platform.
pub fn display_path(path: &std::path::Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// JSON as `json!`-style tokens, for `schemars::json_schema!`.
fn json_tokens(value: &Value) -> TokenStream {
    match value {
        Value::Null => quote! { null },
        Value::Bool(b) => quote! { #b },
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                signed(i, "")
            } else if let Some(u) = n.as_u64() {
                let literal = Literal::u64_unsuffixed(u);
                quote! { #literal }
            } else {
                float(n.as_f64().unwrap_or_default())
            }
        }
        Value::String(s) => quote! { #s },
        Value::Array(items) => {
            let items = items.iter().map(json_tokens);
            quote! { [#(#items),*] }
        }
        Value::Object(map) => {
            let entries = map.iter().map(|(k, v)| {
                let v = json_tokens(v);
                quote! { #k: #v }
            });
            quote! { { #(#entries),* } }
        }
    }
}
