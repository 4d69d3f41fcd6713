//! Conversion: parsed JSON -> IR. Every keyword is either understood or an
//! error naming its file and JSON pointer; nothing is dropped silently.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use field::convert_field;
use keys::{MANIFEST_KEYS, MODEL_KEYS, check_keys, claim, doc_text, object, required_str, wrong};

use crate::error::{Error, Location, Problem};
use crate::ir::{Corpus, Model, Protocol, Type, Vendor};
use crate::load::{JsonFile, VendorFiles};
use crate::naming;

mod field;
mod keys;

/// Converts loaded vendor folders into the IR.
pub fn convert(vendors: &[VendorFiles]) -> Result<Corpus, Error> {
    let vendors = vendors
        .iter()
        .map(convert_vendor)
        .collect::<Result<_, _>>()?;
    Ok(Corpus { vendors })
}

fn convert_vendor(files: &VendorFiles) -> Result<Vendor, Error> {
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
    let protocol = Protocol::NAMES
        .iter()
        .find(|(name, _)| *name == protocol_name)
        .map(|(_, protocol)| *protocol)
        .ok_or_else(|| {
            root.child("protocol").error(Problem::Invalid(format!(
                "unknown protocol {protocol_name:?} (known: runcomfy, aimlapi, wavespeed)"
            )))
        })?;
    let submit_template = required_str(&root, manifest, "submit_path")?;

    let mut modules = BTreeMap::new();
    let mut models = Vec::new();
    for (path, file) in &files.models {
        let model = convert_model(path, file, submit_template)?;
        if let Some(first) = modules.insert(model.module.clone(), path.clone()) {
            return Err(Location::root(&file.path).error(Problem::NameCollision {
                first,
                second: path.clone(),
                rust: model.module,
            }));
        }
        models.push(model);
    }
    Ok(Vendor {
        id,
        name: required_str(&root, manifest, "name")?.to_owned(),
        protocol,
        base_url: required_str(&root, manifest, "base_url")?.to_owned(),
        token_env: required_str(&root, manifest, "token_env")?.to_owned(),
        source: files.manifest.path.clone(),
        models,
    })
}

/// Converts one model schema.
pub fn convert_model(path: &str, file: &JsonFile, submit_template: &str) -> Result<Model, Error> {
    let root = Location::root(&file.path);
    let schema = object(&root, &file.json)?;
    check_keys(&root, schema, MODEL_KEYS)?;
    if let Some(ty) = schema.get("type") {
        if ty != "object" {
            return Err(root
                .child("type")
                .error(Problem::UnsupportedType(ty.to_string())));
        }
    }
    let module = naming::model_module(path).map_err(|why| {
        root.error(Problem::BadName {
            name: path.to_owned(),
            why,
        })
    })?;

    let properties_at = root.child("properties");
    let properties = object(
        &properties_at,
        schema.get("properties").unwrap_or(&Value::Null),
    )?;
    let required = required_list(&root, schema, properties)?;

    let mut idents = BTreeMap::new();
    let mut type_names = BTreeMap::from([("Input".to_owned(), "the input struct".to_owned())]);
    let mut fields = Vec::new();
    for (wire, node) in properties {
        let at = properties_at.child(wire);
        let field = convert_field(&at, wire, node, required.contains(&wire.as_str()))?;
        claim(&at, &mut idents, &field.ident, wire)?;
        if let Type::Enum(e) | Type::Const(e) = &field.ty {
            claim(&at, &mut type_names, &e.name, wire)?;
        }
        fields.push(field);
    }
    Ok(Model {
        path: path.to_owned(),
        module,
        source: file.path.clone(),
        title: doc_text(&root, schema, "title")?,
        description: doc_text(&root, schema, "description")?,
        submit_path: submit_template.replace("{model}", path),
        fields,
        required: required.iter().map(|name| (*name).to_owned()).collect(),
    })
}

fn required_list<'a>(
    root: &Location,
    schema: &'a Map<String, Value>,
    properties: &Map<String, Value>,
) -> Result<Vec<&'a str>, Error> {
    let at = root.child("required");
    let Some(list) = schema.get("required") else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or_else(|| wrong(&at, "an array of property names", list))?;
    list.iter()
        .enumerate()
        .map(|(i, name)| {
            let at = at.child(i);
            let name = name
                .as_str()
                .ok_or_else(|| wrong(&at, "a property name", name))?;
            if properties.contains_key(name) {
                Ok(name)
            } else {
                Err(at.error(Problem::Invalid(format!(
                    "required property {name:?} is not defined"
                ))))
            }
        })
        .collect()
}
