//! `generated/src/catalog.rs`: every model as data, for tools that pick a
//! model at run time (the command line) without a hand-kept list.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::model::rule_const_name;
use super::tokens::{float, ident, signed};
use crate::ir::{Field, Format, Model, Type, Vendor, WireValue};

/// `generated/src/catalog.rs`: every model as data, for tools that pick a
/// model at run time (the command line) without a hand-kept list.
pub fn catalog(vendors: &[Vendor]) -> TokenStream {
    let entries = vendors.iter().flat_map(|vendor| {
        vendor
            .models
            .iter()
            .map(move |model| model_entry(vendor, model))
    });
    let model_info = model_info_type();
    let find = find_fn();
    quote! {
        //! Every generated model as data, for tools that choose a model at run
        //! time (the `seedance` command line): its vendor, schema, image rules
        //! and a parser from JSON into the typed input.
        use seedance_runtime::field_info::{EnumValue, FieldInfo, FieldKind};
        use seedance_runtime::model::{ErasedModel, VendorInfo};

        #model_info

        /// Every model of the enabled vendor features, sorted by vendor then model.
        pub static MODELS: &[ModelInfo] = &[#(#entries)*];

        #find
    }
}

/// One model's `ModelInfo` literal, compiled only with its vendor's feature.
fn model_entry(vendor: &Vendor, model: &Model) -> TokenStream {
    let vendor_module = ident(&vendor.id);
    let module = ident(&model.module);
    let feature = &vendor.id;
    let path = &model.path;
    let module_path = format!("{}::{}", vendor.id, model.module);
    let summary = model_summary(model);
    let fields = model
        .fields
        .iter()
        .filter(|f| described(f))
        .map(|field| field_info(field, field_rules(&vendor_module, &module, field)));
    quote! {
        #[cfg(feature = #feature)]
        ModelInfo {
            vendor: &<crate::#vendor_module::Vendor as seedance_runtime::model::Vendor>::INFO,
            model: #path,
            module: #module_path,
            summary: #summary,
            json_schema: || schemars::SchemaGenerator::default().into_root_schema_for::<crate::#vendor_module::#module::Input>(),
            parse: |body| {
                let input: crate::#vendor_module::#module::Input = serde_json::from_value(body)?;
                Ok(Box::new(input))
            },
            fields: &[#(#fields),*],
        },
    }
}

/// The expression for a field's image rules: the model module's rule
/// constant, or no rules.
fn field_rules(vendor_module: &Ident, module: &Ident, field: &Field) -> TokenStream {
    if field.image_rules.is_empty() {
        quote! { &[] }
    } else {
        let name = rule_const_name(field);
        quote! { crate::#vendor_module::#module::#name }
    }
}

/// The `ModelInfo` type the catalog is a list of, with its lookup and a
/// short `Debug` (a whole model's fields would flood a log line).
fn model_info_type() -> TokenStream {
    quote! {
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
            /// Every input field in schema order, hidden ones included (flagged),
            /// but nested objects, lists of them and untyped values, which
            /// `FieldKind` has no word for yet: the typed input (`parse`) and
            /// its JSON Schema (`json_schema`) have them.
            pub fields: &'static [FieldInfo],
        }

        impl ModelInfo {
            /// The field with wire name `wire`.
            pub fn field(&self, wire: &str) -> Option<&'static FieldInfo> {
                self.fields.iter().find(|f| f.wire == wire)
            }
        }

        impl std::fmt::Debug for ModelInfo {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct("ModelInfo").field("vendor", &self.vendor.id).field("model", &self.model).finish()
            }
        }
    }
}

/// The catalog's `find`: a model by any name a user may type for it.
fn find_fn() -> TokenStream {
    quote! {
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
pub(super) fn model_summary(model: &Model) -> String {
    // Required fields in `Input::new`'s order; hidden ones are not advertised.
    let required: Vec<&str> = model
        .constructor_arguments()
        .iter()
        .map(|f| f.wire.as_str())
        .collect();
    let optional: Vec<&str> = model
        .fields
        .iter()
        .filter(|f| !f.required && !f.hidden)
        .map(|f| f.wire.as_str())
        .collect();
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

/// Whether `field` can be a [`FieldInfo`]: `FieldKind` describes flat
/// values (strings, numbers, enums, lists of strings), not nested objects or
/// untyped JSON.
fn described(field: &Field) -> bool {
    field_kind(&field.ty).is_some()
}

/// One field's [`FieldInfo`] literal (`rules`: its image rules expression).
fn field_info(field: &Field, rules: TokenStream) -> TokenStream {
    // Left out by `described`.
    let Some(kind) = field_kind(&field.ty) else {
        return TokenStream::new();
    };
    let wire = &field.wire;
    let rust = field.rust_name();
    let (required, hidden, deprecated) = (field.required, field.hidden, field.deprecated);
    let title = optional_text(&field.title);
    let description = optional_text(&field.description);
    let default = optional_text(&field.default.as_ref().map(|d| d.to_string()));
    let format = format_tokens(field.ty.format());
    let bounds = field.ty.bounds().into_iter().map(|(name, value)| {
        let value = float(value);
        quote! { (#name, #value) }
    });
    quote! {
        FieldInfo {
            wire: #wire,
            rust: #rust,
            kind: #kind,
            required: #required,
            hidden: #hidden,
            deprecated: #deprecated,
            title: #title,
            description: #description,
            default: #default,
            format: #format,
            bounds: &[#(#bounds),*],
            image_rules: #rules,
        }
    }
}

/// `Some("…")` or `None`, for a piece of text a field may have.
fn optional_text(text: &Option<String>) -> TokenStream {
    match text {
        Some(t) => quote! { Some(#t) },
        None => quote! { None },
    }
}

/// The `FieldKind` of a flat type; `None` for the types `described` leaves out.
fn field_kind(ty: &Type) -> Option<TokenStream> {
    Some(match ty {
        Type::String(_) => quote! { FieldKind::String },
        Type::Integer { .. } => quote! { FieldKind::Integer },
        Type::Number { .. } => quote! { FieldKind::Number },
        Type::Boolean => quote! { FieldKind::Boolean },
        Type::Enum(e) => {
            let values = e.variants.iter().map(|v| enum_value(&v.wire));
            quote! { FieldKind::Enum(&[#(#values),*]) }
        }
        Type::Const(e) => {
            let v = enum_value(&e.variants[0].wire);
            quote! { FieldKind::Const(#v) }
        }
        Type::Array { .. } => quote! { FieldKind::List },
        Type::Object(_) | Type::ObjectArray { .. } | Type::Json | Type::JsonObject => return None,
    })
}

/// One enum or constant value as an `EnumValue`.
fn enum_value(value: &WireValue) -> TokenStream {
    match value {
        WireValue::Str(s) => quote! { EnumValue::Str(#s) },
        WireValue::Int(i) => {
            let i = signed(*i, "");
            quote! { EnumValue::Int(#i) }
        }
    }
}

/// `Some(Format::…)` or `None`, as the runtime's validation format.
fn format_tokens(format: Option<Format>) -> TokenStream {
    match format {
        Some(f) => {
            let variant = format_ident!("{}", f.variant_name());
            quote! { Some(seedance_runtime::validation::Format::#variant) }
        }
        None => quote! { None },
    }
}
