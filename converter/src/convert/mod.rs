//! Conversion: parsed JSON -> IR. Every keyword is either understood or an
//! error naming its file and JSON pointer; vendor mistakes that do not change
//! the wire become warnings (see [`crate::error::Warning`]).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use field::{Owner, convert_field};
use keys::{
    MANIFEST_KEYS, MODEL_KEYS, check_keys, claim, doc_text, object, optional_str, required_str,
    wrong,
};
use source::{RequestSchema, request_schema};

use crate::error::{Error, Location, Problem, Warning};
use crate::ir::{
    Corpus, EnumType, Field, MediaKind, Model, Protocol, Type, Variant, Vendor, WireValue,
};
use crate::load::{JsonFile, VendorFiles};
use crate::naming;

mod field;
pub mod keys;
mod resolve;
mod source;

/// Converts loaded vendor folders into the IR.
pub fn convert(vendors: &[VendorFiles]) -> Result<Corpus, Error> {
    let mut warnings = Vec::new();
    let vendors = vendors
        .iter()
        .map(|files| convert_vendor(files, &mut warnings))
        .collect::<Result<_, _>>()?;
    Ok(Corpus { vendors, warnings })
}

fn convert_vendor(files: &VendorFiles, warnings: &mut Vec<Warning>) -> Result<Vendor, Error> {
    let root = Location::root(&files.manifest.path);
    let manifest = object(&root, &files.manifest.json)?;
    check_keys(&root, manifest, MANIFEST_KEYS)?;
    let id = naming::vendor_module(&files.id).map_err(|why| {
        root.error(Problem::BadName {
            name: files.id.clone(),
            why,
        })
    })?;
    let protocol_name = required_str(&root, manifest, "protocol")?;
    let protocol = Protocol::from_name(protocol_name).ok_or_else(|| {
        let known: Vec<&str> = Protocol::ALL.iter().map(|p| p.as_str()).collect();
        root.child("protocol").error(Problem::Invalid(format!(
            "unknown protocol {protocol_name:?} (known: {})",
            known.join(", ")
        )))
    })?;
    let submit_template = optional_str(&root, manifest, "submit_path")?;
    let media_fields = media_fields(&root, manifest)?;

    let mut modules = BTreeMap::new();
    let mut models = Vec::new();
    for (path, file) in &files.models {
        for model in convert_model(path, file, submit_template, &media_fields, warnings)? {
            claim(
                &Location::root(&file.path),
                &mut modules,
                &model.module,
                &model.path,
            )?;
            models.push(model);
        }
    }
    models.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Vendor {
        id,
        name: required_str(&root, manifest, "name")?.to_owned(),
        protocol,
        base_url: required_str(&root, manifest, "base_url")?.to_owned(),
        token_env: required_str(&root, manifest, "token_env")?.to_owned(),
        catalog_url: optional_str(&root, manifest, "catalog_url")?.map(str::to_owned),
        source: files.manifest.path.clone(),
        models,
    })
}

/// `vendor.json`'s `media_fields`: wire names of plain `uri` fields and the
/// media they refer to (`"image_url": "image"`), for vendors whose schemas
/// only say `uri`. One home for "is this an image field": the generated
/// format, the validation and the command line's `@path` all follow it.
fn media_fields(
    root: &Location,
    manifest: &Map<String, Value>,
) -> Result<BTreeMap<String, MediaKind>, Error> {
    let Some(node) = manifest.get("media_fields") else {
        return Ok(BTreeMap::new());
    };
    let at = root.child("media_fields");
    object(&at, node)?
        .iter()
        .map(|(wire, kind)| {
            let kind_at = at.child(wire);
            let name = kind
                .as_str()
                .ok_or_else(|| wrong(&kind_at, "a string", kind))?;
            let media = MediaKind::ALL
                .into_iter()
                .find(|media| media.as_str() == name)
                .ok_or_else(|| {
                    kind_at.error(Problem::Invalid(format!(
                        "unknown media {name:?} (known: image, video, audio)"
                    )))
                })?;
            Ok((wire.clone(), media))
        })
        .collect()
}

/// Converts one model file (a JSON Schema or an OpenAPI document) whose path
/// under the vendor folder is `path`: one model, or one per model id when an
/// OpenAPI document's `model` enum names several.
pub fn convert_model(
    path: &str,
    file: &JsonFile,
    submit_template: Option<&str>,
    media_fields: &BTreeMap<String, MediaKind>,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Model>, Error> {
    let request = request_schema(file, path, submit_template)?;
    let RequestSchema {
        model_ids,
        submit_path,
        schema,
        at: root,
        refs,
        openapi,
    } = &request;
    check_keys(root, schema, MODEL_KEYS)?;
    if let Some(ty) = schema.get("type") {
        if ty != "object" {
            return Err(root
                .child("type")
                .error(Problem::UnsupportedType(ty.to_string())));
        }
    }
    let mut context = field::Context {
        refs,
        openapi: *openapi,
        media_fields,
        warnings,
        types: BTreeMap::from([(
            "Input".to_owned(),
            ("the input struct".to_owned(), String::new()),
        )]),
    };
    let input = Owner {
        name: None,
        path: "",
    };
    // The fields are read once (so each vendor mistake is reported once);
    // each model id then gets its own copy, its `model` the constant id.
    let (fields, required) = convert_properties(root, schema, input, &mut context)?;
    let mut models = Vec::new();
    for model_path in model_ids {
        let module = naming::model_module(model_path).map_err(|why| {
            root.error(Problem::BadName {
                name: model_path.clone(),
                why,
            })
        })?;
        let mut fields = fields.clone();
        if model_ids.len() > 1 {
            constant_model(&mut fields, model_path);
        }
        models.push(Model {
            path: model_path.clone(),
            module,
            source: file.path.clone(),
            title: doc_text(root, schema, "title")?.filter(|t| t != model_path),
            description: doc_text(root, schema, "description")?,
            submit_path: submit_path.clone(),
            required: required.clone(),
            fields,
        });
    }
    Ok(models)
}

/// The model ids an OpenAPI document (an AI/ML API document) names: the
/// values of its request's `model` enum, found as [`convert_model`] finds
/// them (for `cargo xtask pull`'s discovery of new documents).
pub fn document_model_ids(file: &JsonFile) -> Result<Vec<String>, Error> {
    let root = Location::root(&file.path);
    if object(&root, &file.json)?.get("openapi").is_none() {
        return Err(root.error(Problem::Invalid(
            "not an OpenAPI document: only those name their model ids".into(),
        )));
    }
    Ok(request_schema(file, "", None)?.model_ids)
}

/// The properties of the object schema `schema` (at `root`) as the fields of
/// `owner`, and its `required` names that exist. Every Rust name is claimed:
/// field names in the struct, type names in the model's module.
fn convert_properties(
    root: &Location,
    schema: &Map<String, Value>,
    owner: Owner<'_>,
    context: &mut field::Context<'_, '_>,
) -> Result<(Vec<Field>, Vec<String>), Error> {
    let properties_at = root.child("properties");
    let properties = object(
        &properties_at,
        schema.get("properties").unwrap_or(&Value::Null),
    )?;
    let required = required_list(root, schema, properties, context.warnings)?;
    let order = property_order(root, schema, properties, context.warnings)?;
    let mut idents = BTreeMap::new();
    let mut fields = Vec::new();
    for wire in order {
        let at = properties_at.child(wire);
        let is_required = required.contains(&wire);
        let Some(field) = convert_field(&at, wire, &properties[wire], is_required, owner, context)?
        else {
            continue;
        };
        claim(&at, &mut idents, &field.ident, wire)?;
        let type_name = match &field.ty {
            Type::Enum(e) | Type::Const(e) => Some(&e.name),
            Type::Object(object) | Type::ObjectArray { item: object, .. } => Some(&object.name),
            _ => None,
        };
        if let Some(name) = type_name {
            claim(&at, &mut context.types, name, wire)?;
        }
        fields.push(field);
    }
    let required = required
        .iter()
        .filter(|name| fields.iter().any(|f| f.wire == **name))
        .map(|name| (*name).to_owned())
        .collect();
    Ok((fields, required))
}

/// The `model` field of one of a document's several model ids: the constant
/// `id` (its enum narrowed to that value; a default naming another of the
/// document's ids is no mistake, and no default of a constant is shown).
fn constant_model(fields: &mut [Field], id: &str) {
    for field in fields.iter_mut().filter(|f| f.wire == "model") {
        if let Type::Enum(e) = &field.ty {
            let variants: Vec<Variant> = e
                .variants
                .iter()
                .filter(|v| v.wire == WireValue::Str(id.to_owned()))
                .cloned()
                .collect();
            field.ty = Type::Const(EnumType {
                name: e.name.clone(),
                variants,
            });
            if field.default.as_ref().and_then(Value::as_str) != Some(id) {
                field.default = None;
            }
        }
    }
}

/// The `required` names; one that names no property is a warning.
fn required_list<'a>(
    root: &Location,
    schema: &'a Map<String, Value>,
    properties: &Map<String, Value>,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<&'a str>, Error> {
    let at = root.child("required");
    let Some(list) = schema.get("required") else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or_else(|| wrong(&at, "an array of property names", list))?;
    let mut names = Vec::new();
    for (i, name) in list.iter().enumerate() {
        let at = at.child(i);
        let name = name
            .as_str()
            .ok_or_else(|| wrong(&at, "a property name", name))?;
        if properties.contains_key(name) {
            names.push(name);
        } else {
            warnings.push(at.warning(format!(
                "required property {name:?} is not defined; ignored"
            )));
        }
    }
    Ok(names)
}

/// Property names in the order to use: `x-order-properties` first (WaveSpeed),
/// then the rest in schema order.
fn property_order<'a>(
    root: &Location,
    schema: &Map<String, Value>,
    properties: &'a Map<String, Value>,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<&'a str>, Error> {
    let mut order: Vec<&'a str> = Vec::new();
    if let Some(list) = schema.get("x-order-properties") {
        let at = root.child("x-order-properties");
        let list = list
            .as_array()
            .ok_or_else(|| wrong(&at, "an array of property names", list))?;
        for (i, name) in list.iter().enumerate() {
            let item_at = at.child(i);
            let name = name
                .as_str()
                .ok_or_else(|| wrong(&item_at, "a property name", name))?;
            match properties.get_key_value(name) {
                Some((key, _)) if !order.contains(&key.as_str()) => order.push(key),
                Some(_) => {}
                None => warnings.push(item_at.warning(format!(
                    "x-order-properties names {name:?}, which is not a property; ignored"
                ))),
            }
        }
    }
    for key in properties.keys() {
        if !order.contains(&key.as_str()) {
            order.push(key);
        }
    }
    Ok(order)
}
