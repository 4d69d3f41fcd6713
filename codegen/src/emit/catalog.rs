//! `generated/src/catalog.rs`: every model as data, for tools that pick a
//! model at run time (the command line) without a hand-kept list.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::model::rule_const_name;
use super::tokens::{float, ident, signed};
use crate::ir::{Field, Model, StringType, Type, Vendor, WireValue};

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
            let fields = model.fields.iter().filter(|f| described(f)).map(|field| {
                let rules = if field.image_rules.is_empty() {
                    quote! { &[] }
                } else {
                    let name = rule_const_name(field);
                    quote! { crate::#vendor_module::#module::#name }
                };
                field_info(field, rules)
            });
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
        })
    });
    quote! {
        //! Every generated model as data, for tools that choose a model at run
        //! time (the `seedance` command line): its vendor, schema, image rules
        //! and a parser from JSON into the typed input.
        use seedance_runtime::field_info::{EnumValue, FieldInfo, FieldKind};
        use seedance_runtime::model::{ErasedModel, VendorInfo};

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
    !matches!(
        field.ty,
        Type::Object(_) | Type::ObjectArray { .. } | Type::Json | Type::JsonObject
    )
}

/// One field's [`FieldInfo`] literal (`rules`: its image rules expression).
fn field_info(field: &Field, rules: TokenStream) -> TokenStream {
    let wire = &field.wire;
    let rust = field.rust_name();
    let (required, hidden, deprecated) = (field.required, field.hidden, field.deprecated);
    let text = |t: &Option<String>| match t {
        Some(t) => quote! { Some(#t) },
        None => quote! { None },
    };
    let title = text(&field.title);
    let description = text(&field.description);
    let default = text(&field.default.as_ref().map(|d| d.to_string()));
    let value = |v: &WireValue| match v {
        WireValue::Str(s) => quote! { EnumValue::Str(#s) },
        WireValue::Int(i) => {
            let i = signed(*i, "");
            quote! { EnumValue::Int(#i) }
        }
    };
    let mut bounds: Vec<(&str, f64)> = Vec::new();
    let string_bounds = |s: &StringType, bounds: &mut Vec<(&str, f64)>| {
        bounds.extend(s.min_length.map(|v| ("minLength", v as f64)));
        bounds.extend(s.max_length.map(|v| ("maxLength", v as f64)));
    };
    let (kind, format) = match &field.ty {
        Type::String(s) => {
            string_bounds(s, &mut bounds);
            (quote! { FieldKind::String }, s.format)
        }
        Type::Integer { minimum, maximum } => {
            bounds.extend(minimum.map(|v| ("minimum", v as f64)));
            bounds.extend(maximum.map(|v| ("maximum", v as f64)));
            (quote! { FieldKind::Integer }, None)
        }
        Type::Number { minimum, maximum } => {
            bounds.extend(minimum.map(|v| ("minimum", v)));
            bounds.extend(maximum.map(|v| ("maximum", v)));
            (quote! { FieldKind::Number }, None)
        }
        Type::Boolean => (quote! { FieldKind::Boolean }, None),
        Type::Enum(e) => {
            let values = e.variants.iter().map(|v| value(&v.wire));
            (quote! { FieldKind::Enum(&[#(#values),*]) }, None)
        }
        Type::Const(e) => {
            let v = value(&e.variants[0].wire);
            (quote! { FieldKind::Const(#v) }, None)
        }
        Type::Array {
            items,
            min_items,
            max_items,
        } => {
            string_bounds(items, &mut bounds);
            bounds.extend(min_items.map(|v| ("minItems", v as f64)));
            bounds.extend(max_items.map(|v| ("maxItems", v as f64)));
            (quote! { FieldKind::List }, items.format)
        }
        // Left out by `described`.
        Type::Object(_) | Type::ObjectArray { .. } | Type::Json | Type::JsonObject => {
            return TokenStream::new();
        }
    };
    let format = match format {
        Some(f) => {
            let variant = format_ident!("{}", f.variant_name());
            quote! { Some(seedance_runtime::validation::Format::#variant) }
        }
        None => quote! { None },
    };
    let bounds = bounds.iter().map(|(name, value)| {
        let value = float(*value);
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
