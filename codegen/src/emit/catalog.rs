//! `generated/src/catalog.rs`: every model as data, for tools that pick a
//! model at run time (the command line) without a hand-kept list.

use proc_macro2::TokenStream;
use quote::quote;

use super::model::rule_const_name;
use super::tokens::ident;
use crate::ir::{Model, Type, Vendor};

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
pub(super) fn model_summary(model: &Model) -> String {
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
