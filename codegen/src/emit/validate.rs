//! The generated `validate()`: one call into the runtime's `Validator` per
//! local rule of each field, nested structs and their lists included (their
//! fields named by path: `camera_control.config.pan`, `dynamic_masks[0].mask`).

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::tokens::{float, ident, signed, usize_literal};
use crate::ir::{Field, Model, ObjectType, StringType, Type};

pub(super) fn validate_fn(model: &Model) -> TokenStream {
    let owner = quote! { self };
    let checks: Vec<TokenStream> = model
        .fields
        .iter()
        .filter_map(|field| field_checks(field, &owner, &Path::default(), 0))
        .collect();
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

/// One piece of a violation's field path.
#[derive(Clone)]
enum Segment {
    /// A field, by wire name.
    Name(String),
    /// A list item, by the loop variable holding its index.
    Index(Ident),
}

/// Where a value is in the input, as an expression the validator's checks
/// take (`seedance_runtime::validation::At`): a literal `FieldPath` where no
/// list index (or only the last one) is on the way, else `format_args!`,
/// formatted only if a violation is recorded.
#[derive(Clone, Default)]
struct Path(Vec<Segment>);

impl Path {
    fn field(&self, wire: &str) -> Path {
        let mut path = self.clone();
        path.0.push(Segment::Name(wire.to_owned()));
        path
    }

    fn item(&self, index: &Ident) -> Path {
        let mut path = self.clone();
        path.0.push(Segment::Index(index.clone()));
        path
    }

    /// The text of the path; list indices as `{}` (and braces doubled) when
    /// `format` is set.
    fn text(segments: &[Segment], format: bool) -> String {
        let mut text = String::new();
        for segment in segments {
            match segment {
                Segment::Name(name) => {
                    if !text.is_empty() {
                        text.push('.');
                    }
                    if format {
                        text.push_str(&name.replace('{', "{{").replace('}', "}}"));
                    } else {
                        text.push_str(name);
                    }
                }
                Segment::Index(_) => text.push_str("[{}]"),
            }
        }
        text
    }

    /// The path as plain text when no list index is on the way.
    fn literal(&self) -> Option<String> {
        let indexed = self.0.iter().any(|s| matches!(s, Segment::Index(_)));
        (!indexed).then(|| Self::text(&self.0, false))
    }

    fn tokens(&self) -> TokenStream {
        let indices: Vec<&Ident> = self
            .0
            .iter()
            .filter_map(|s| match s {
                Segment::Index(index) => Some(index),
                Segment::Name(_) => None,
            })
            .collect();
        match (self.0.split_last(), indices.len()) {
            (_, 0) => {
                let text = Self::text(&self.0, false);
                quote! { seedance_runtime::validation::FieldPath::Field(#text) }
            }
            // `name[index]` of a list whose own path has no index.
            (Some((Segment::Index(index), rest)), 1) => {
                let text = Self::text(rest, false);
                quote! { seedance_runtime::validation::FieldPath::Item(#text, #index) }
            }
            // Deeper: the path as `format_args!`, which the validator only
            // formats when it records a violation (no string is built on
            // the valid path).
            _ => {
                let text = Self::text(&self.0, true);
                quote! { format_args!(#text, #(#indices),*) }
            }
        }
    }
}

/// The checks of one field of the struct `owner` (an expression: `self`, a
/// binding), or `None` when the schema sets no local rule on it or below it.
/// `depth` keeps the bindings of nested structs apart.
fn field_checks(
    field: &Field,
    owner: &TokenStream,
    parent: &Path,
    depth: usize,
) -> Option<TokenStream> {
    let name = ident(&field.ident);
    let site = Site::new(field, owner, parent, depth);
    let checks = type_checks(&field.ty, &site);
    if checks.is_empty() {
        return None;
    }
    let binding = &site.place;
    Some(match (field.required, site.copy) {
        (true, _) => quote! { #(#checks)* },
        (false, true) => quote! { if let Some(#binding) = #owner.#name { #(#checks)* } },
        (false, false) => quote! { if let Some(#binding) = &#owner.#name { #(#checks)* } },
    })
}

/// Where one field's checks read it: its path, its place (the field of a
/// required one, the `if let` binding of an optional one), the value as
/// the checks take it, and the depth that keeps nested bindings apart.
struct Site {
    path: Path,
    place: TokenStream,
    value: TokenStream,
    depth: usize,
    /// Numbers are read by value, everything else by reference.
    copy: bool,
}

impl Site {
    fn new(field: &Field, owner: &TokenStream, parent: &Path, depth: usize) -> Self {
        let name = ident(&field.ident);
        let binding = numbered("value", depth);
        let copy = matches!(field.ty, Type::Integer { .. } | Type::Number { .. });
        let value = match (field.required, copy) {
            (true, true) => quote! { #owner.#name },
            (true, false) => quote! { &#owner.#name },
            (false, _) => quote! { #binding },
        };
        let place = match field.required {
            true => quote! { #owner.#name },
            false => quote! { #binding },
        };
        Site {
            path: parent.field(&field.wire),
            place,
            value,
            depth,
            copy,
        }
    }
}

/// `base`, or `base_DEPTH` below the top.
fn numbered(base: &str, depth: usize) -> Ident {
    match depth {
        0 => format_ident!("{base}"),
        _ => format_ident!("{base}_{depth}"),
    }
}

/// The checks a field of type `ty` needs at `site`.
fn type_checks(ty: &Type, site: &Site) -> Vec<TokenStream> {
    let path_tokens = site.path.tokens();
    let value = &site.value;
    match ty {
        Type::String(s) => string_checks(s, value, &path_tokens),
        Type::Integer { minimum, maximum } => {
            let min = minimum.map(|m| signed(m, "i64"));
            let max = maximum.map(|m| signed(m, "i64"));
            bound_checks(min, max, value, &path_tokens)
        }
        Type::Number { minimum, maximum } => {
            bound_checks(minimum.map(float), maximum.map(float), value, &path_tokens)
        }
        Type::Array {
            items,
            min_items,
            max_items,
        } => string_list_checks(items, *min_items, *max_items, site),
        Type::Object(object) => object
            .fields
            .iter()
            .filter_map(|f| field_checks(f, &site.place, &site.path, site.depth + 1))
            .collect(),
        Type::ObjectArray {
            item,
            min_items,
            max_items,
        } => object_list_checks(item, *min_items, *max_items, site),
        Type::Boolean | Type::Enum(_) | Type::Const(_) | Type::Json | Type::JsonObject => {
            Vec::new()
        }
    }
}

/// A list of strings: its count, then each item (a list of URLs with no
/// other rule, `reference_images`, by one call: violations still at
/// `name[index]`, in order).
fn string_list_checks(
    items: &StringType,
    min_items: Option<u64>,
    max_items: Option<u64>,
    site: &Site,
) -> Vec<TokenStream> {
    let only_format = items.min_length.is_none() && items.max_length.is_none();
    if let (Some(format), true, Some(name)) = (items.format, only_format, site.path.literal()) {
        let place = &site.place;
        let format = format_ident!("{}", format.variant_name());
        let mut checks = count_checks(place, min_items, max_items, &site.path.tokens());
        checks.push(quote! {
            validator.uri_items(
                #name,
                #place.as_slice(),
                seedance_runtime::validation::Format::#format,
            );
        });
        return checks;
    }
    list_checks(min_items, max_items, site, |item, item_path| {
        string_checks(items, &quote! { #item }, &item_path.tokens())
    })
}

/// A list of objects: its count, then each item's fields.
fn object_list_checks(
    object: &ObjectType,
    min_items: Option<u64>,
    max_items: Option<u64>,
    site: &Site,
) -> Vec<TokenStream> {
    list_checks(min_items, max_items, site, |item, item_path| {
        let item_owner = quote! { #item };
        object
            .fields
            .iter()
            .filter_map(|f| field_checks(f, &item_owner, item_path, site.depth + 1))
            .collect()
    })
}

/// A list's count, then a loop over its items with `item_checks` (given
/// the item's binding and path), when there are any.
fn list_checks(
    min_items: Option<u64>,
    max_items: Option<u64>,
    site: &Site,
    item_checks: impl FnOnce(&Ident, &Path) -> Vec<TokenStream>,
) -> Vec<TokenStream> {
    let place = &site.place;
    let mut checks = count_checks(place, min_items, max_items, &site.path.tokens());
    let (index, item) = (numbered("index", site.depth), numbered("item", site.depth));
    let item_checks = item_checks(&item, &site.path.item(&index));
    if !item_checks.is_empty() {
        checks.push(quote! {
            for (#index, #item) in #place.iter().enumerate() { #(#item_checks)* }
        });
    }
    checks
}

/// `minItems`/`maxItems` of the list `list`.
fn count_checks(
    list: &TokenStream,
    min_items: Option<u64>,
    max_items: Option<u64>,
    path: &TokenStream,
) -> Vec<TokenStream> {
    let mut checks = Vec::new();
    if let Some(min) = min_items.map(usize_literal) {
        checks.push(quote! { validator.min_items(#path, #list.len(), #min); });
    }
    if let Some(max) = max_items.map(usize_literal) {
        checks.push(quote! { validator.max_items(#path, #list.len(), #max); });
    }
    checks
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
