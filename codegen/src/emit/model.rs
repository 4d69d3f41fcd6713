//! One model module: the `Input` struct, its constructor and setters, the
//! `Model` trait impl binding it to its vendor, its JSON Schema and image rules.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::display_path;
use super::docs::field_doc;
use super::enums::enum_items;
use super::schema_out;
use super::tokens::{
    convert_param, converts, doc_attrs, float, ident, inner_doc, json_text, param_type, raw_string,
    rust_type,
};
use super::validate::validate_fn;
use crate::ir::{Field, Model, ObjectType, Type, Vendor, constructor_arguments};
use crate::naming;

/// `generated/src/<vendor>/<model>.rs`.
/// `crate_name` names the crate in the doc-test example.
pub fn model_module(vendor: &Vendor, model: &Model, crate_name: &str) -> TokenStream {
    let module_doc = model_doc(vendor, model);
    let input = input_struct(vendor, model, crate_name);
    let deserialize = deserialize_impl("Input", &model.fields);
    let constructor = constructor("Input", &model.fields, validate_fn(model));
    let model_impl = model_impl(model);
    let schema_impl = schema_impl(model);
    let schema_const = schema_const(vendor, model);
    let nested = model
        .nested_objects()
        .into_iter()
        .map(|object| nested_struct(model, object));
    let enums = model
        .enums()
        .into_iter()
        .map(|(field, e)| enum_items(field, e));
    let with_rules: Vec<&Field> = model
        .fields
        .iter()
        .filter(|f| !f.image_rules.is_empty())
        .collect();
    let rule_consts = with_rules.iter().enumerate().map(|(i, field)| {
        let same_as = with_rules[..i]
            .iter()
            .find(|earlier| earlier.image_rules == field.image_rules);
        rule_const(field, same_as.copied())
    });
    let module_doc = inner_doc(&module_doc);
    quote! {
        #module_doc
        #input
        #deserialize
        #constructor
        #model_impl
        #schema_impl
        #(#rule_consts)*
        #(#nested)*
        #(#enums)*
        #schema_const
    }
}

pub(super) fn model_doc(vendor: &Vendor, model: &Model) -> String {
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

/// The fields of a generated struct (`Input` or a nested one).
fn struct_fields(fields: &[Field]) -> Vec<TokenStream> {
    fields
        .iter()
        .map(|field| {
            let name = ident(&field.ident);
            let ty = rust_type(field);
            let doc = doc_attrs(&field_doc(field));
            let wire = &field.wire;
            let rename = (field.rust_name() != wire).then(|| quote! { #[serde(rename = #wire)] });
            let skip = (!field.required).then(|| {
                quote! { #[serde(skip_serializing_if = "Option::is_none")] }
            });
            let hidden = field.hidden.then(|| quote! { #[doc(hidden)] });
            quote! { #doc #hidden #rename #skip pub #name: #ty }
        })
        .collect()
}

/// A nested object's struct: built like `Input` (`new` with the required
/// fields, a setter per optional one), read by the same streaming reader,
/// and reporting its own JSON Schema. Its rules are checked by the
/// input's `validate()`, which names its fields by path.
fn nested_struct(model: &Model, object: &ObjectType) -> TokenStream {
    let name = ident(&object.name);
    let fields = struct_fields(&object.fields);
    let doc = doc_attrs(&format!(
        "`{}` of `{}`: build it with [`{}::new`] (the required fields) and the \
         setters; unset optional fields are left out of the request body.",
        object.path, model.path, object.name
    ));
    let deserialize = deserialize_impl(&object.name, &object.fields);
    let constructor = constructor(&object.name, &object.fields, TokenStream::new());
    let id = format!("seedance::{}::{}", model.path, object.name);
    let schema = raw_string(&json_text(schema_out::object_schema(object).to_string()));
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        #[non_exhaustive]
        pub struct #name { #(#fields,)* }
        #deserialize
        #constructor
        seedance_runtime::input_schema!(#name, #id, #schema);
    }
}

pub(super) fn input_struct(vendor: &Vendor, model: &Model, crate_name: &str) -> TokenStream {
    let fields = struct_fields(&model.fields);
    let doc = format!(
        "Input of `{}` ({}). Build it with [`Input::new`] (the required fields) and \
         the setters; unset optional fields are left out of the request body so the \
         vendor default applies.\n\n# Example\n\n{}",
        model.path,
        vendor.name,
        super::examples::round_trip(vendor, model, crate_name)
    );
    let doc = doc_attrs(&doc);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        #[non_exhaustive]
        pub struct Input { #(#fields,)* }
    }
}

/// `Deserialize` through the runtime's streaming reader (`input_fields!`):
/// unknown fields are refused with a suggestion, and the code per model is
/// a line per field.
pub(super) fn deserialize_impl(name: &str, fields: &[Field]) -> TokenStream {
    let name = ident(name);
    let fields = fields.iter().map(|field| {
        let name = ident(&field.ident);
        let ty = rust_type(field);
        let wire = &field.wire;
        let presence = if field.required {
            quote! { required }
        } else {
            quote! { optional }
        };
        quote! { #name: #ty = #wire #presence; }
    });
    quote! {
        seedance_runtime::input_fields! { #name; #(#fields)* }
    }
}

/// `new`, the setters and (for `Input`) `validate`, its tokens given, of the
/// struct `name` with `fields`.
pub(super) fn constructor(name: &str, fields: &[Field], validate: TokenStream) -> TokenStream {
    let struct_name = ident(name);
    let required = constructor_arguments(fields);
    let params = required.iter().map(|field| {
        let name = ident(&field.ident);
        let ty = param_type(&field.ty);
        quote! { #name: #ty }
    });
    let inits = fields.iter().map(|field| {
        let name = ident(&field.ident);
        let value = match &field.ty {
            Type::Const(e) => {
                let ty = ident(&e.name);
                let variant = ident(&e.variants[0].name);
                quote! { #ty::#variant }
            }
            // A parameter taken as it is: the field init shorthand.
            ty if field.required && !converts(ty) => return quote! { #name },
            ty if field.required => convert_param(ty, quote! { #name }),
            _ => quote! { None },
        };
        quote! { #name: #value }
    });
    let setters = fields.iter().filter(|f| !f.required).map(|field| {
        let name = ident(&field.ident);
        let ty = param_type(&field.ty);
        let value = convert_param(&field.ty, quote! { value });
        let doc = doc_attrs(&format!("Sets `{}`.", field.wire));
        let deprecated = field
            .deprecated
            .then(|| quote! { #[deprecated(note = "the vendor marks this field deprecated")] });
        let hidden = field.hidden.then(|| quote! { #[doc(hidden)] });
        quote! {
            #doc
            #hidden
            #deprecated
            #[must_use]
            pub fn #name(mut self, value: #ty) -> Self {
                self.#name = Some(#value);
                self
            }
        }
    });
    let doc = if name == "Input" {
        doc_attrs("An input with the required fields set and every optional field unset.")
    } else {
        doc_attrs("A value with the required fields set and every optional field unset.")
    };
    quote! {
        impl #struct_name {
            #doc
            pub fn new(#(#params),*) -> Self {
                #struct_name { #(#inits,)* }
            }
            #(#setters)*
            #validate
        }
    }
}

pub(super) fn model_impl(model: &Model) -> TokenStream {
    let path = &model.path;
    let submit_path = &model.submit_path;
    let image_fields: Vec<&Field> = model
        .fields
        .iter()
        .filter(|f| !f.image_rules.is_empty())
        .collect();
    let image = |field: &Field, path: TokenStream, uri: TokenStream| {
        let rules = rule_const_name(field);
        quote! { seedance_runtime::validation::ImageInput::new(#path, #uri, #rules) }
    };
    // Required single images start the vector; optional ones and arrays follow.
    let mut initial = Vec::new();
    let mut more = Vec::new();
    for field in image_fields {
        let name = ident(&field.ident);
        let wire = &field.wire;
        let field_path = quote! { seedance_runtime::validation::FieldPath::Field(#wire) };
        let item_path = quote! { seedance_runtime::validation::FieldPath::Item(#wire, index) };
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

            fn validate(&self) -> Result<(), seedance_runtime::validation::ValidationErrors> {
                Input::validate(self)
            }

            fn image_inputs(&self) -> Vec<seedance_runtime::validation::ImageInput<'_>> {
                #body
            }
        }
    }
}

pub(super) fn schema_impl(model: &Model) -> TokenStream {
    let id = format!("seedance::{}::Input", model.path);
    quote! {
        seedance_runtime::input_schema!(Input, #id, INPUT_SCHEMA);
    }
}

/// The input's JSON Schema const, last in the file: data, not code.
pub(super) fn schema_const(vendor: &Vendor, model: &Model) -> TokenStream {
    let schema = format!("../../{}", schema_out::schema_file(vendor, model).display());
    quote! {
        /// The input's JSON Schema, as codegen understood the vendor's: same
        /// enums, bounds, required list and image rules (`schemars::schema_for!(Input)`).
        pub const INPUT_SCHEMA: &str = include_str!(#schema);
    }
}

/// The rules of `field` as a const; an alias of `same_as`'s when they are
/// identical (RunComfy's first and last frame images share theirs).
pub(super) fn rule_const(field: &Field, same_as: Option<&Field>) -> TokenStream {
    let name = rule_const_name(field);
    let rules = field.image_rules.iter().map(|rule| {
        let kind = format_ident!("{}", rule.kind.variant_name());
        let limit = float(rule.value);
        let message = &rule.message;
        quote! { #kind #limit #message; }
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
    match same_as {
        Some(earlier) => {
            let earlier = rule_const_name(earlier);
            quote! { #doc pub const #name: &[seedance_runtime::validation::ImageRule] = #earlier; }
        }
        None => quote! {
            #doc
            pub const #name: &[seedance_runtime::validation::ImageRule] =
                seedance_runtime::image_rules! { #(#rules)* };
        },
    }
}

pub(super) fn rule_const_name(field: &Field) -> Ident {
    format_ident!("{}", naming::rules_const(&field.ident))
}
