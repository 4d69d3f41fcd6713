//! `$ref` and one-member `allOf`, the two indirections the AI/ML API's
//! OpenAPI documents use, resolved to the object they stand for.

use std::path::Path;

use serde_json::{Map, Value};

use super::keys::{object, wrong};
use crate::error::{Error, Location, Problem};

/// How deep references may chain before codegen calls it a cycle.
const MAX_DEPTH: usize = 32;

/// Resolves references inside one document.
#[derive(Clone, Copy)]
pub(super) struct Refs<'a> {
    document: &'a Value,
    file: &'a Path,
}

impl<'a> Refs<'a> {
    pub(super) fn new(document: &'a Value, file: &'a Path) -> Self {
        Refs { document, file }
    }

    /// The object `node` stands for, and where its keys are. Keys beside a
    /// `$ref` or an `allOf` (a description, a default) override the target's.
    pub(super) fn resolve(
        &self,
        node: &Value,
        at: &Location,
    ) -> Result<(Map<String, Value>, Location), Error> {
        self.resolve_at_depth(node, at, 0)
    }

    fn resolve_at_depth(
        &self,
        node: &Value,
        at: &Location,
        depth: usize,
    ) -> Result<(Map<String, Value>, Location), Error> {
        let map = object(at, node)?;
        if depth > MAX_DEPTH {
            return Err(at.error(Problem::Invalid(
                "references nest too deeply (a cycle?)".into(),
            )));
        }
        if let Some(reference) = map.get("$ref") {
            let ref_at = at.child("$ref");
            let text = reference
                .as_str()
                .ok_or_else(|| wrong(&ref_at, "a reference string", reference))?;
            let pointer = text.strip_prefix('#').ok_or_else(|| {
                ref_at.error(Problem::Invalid(format!(
                    "only references inside the document (`#/components/...`) are supported, not {text:?}"
                )))
            })?;
            let target = self.document.pointer(pointer).ok_or_else(|| {
                ref_at.error(Problem::Invalid(format!("{text:?} points at nothing")))
            })?;
            let target_at = Location {
                file: self.file.to_path_buf(),
                pointer: pointer.to_owned(),
            };
            let (mut resolved, resolved_at) =
                self.resolve_at_depth(target, &target_at, depth + 1)?;
            overlay(&mut resolved, map, "$ref");
            return Ok((resolved, resolved_at));
        }
        if let Some(all_of) = map.get("allOf") {
            let all_at = at.child("allOf");
            let members = all_of
                .as_array()
                .ok_or_else(|| wrong(&all_at, "an array of schemas", all_of))?;
            let [member] = members.as_slice() else {
                return Err(all_at.error(Problem::Invalid(format!(
                    "`allOf` with {} members is not supported (one member is)",
                    members.len()
                ))));
            };
            let (mut resolved, resolved_at) =
                self.resolve_at_depth(member, &all_at.child(0), depth + 1)?;
            overlay(&mut resolved, map, "allOf");
            return Ok((resolved, resolved_at));
        }
        Ok((map.clone(), at.clone()))
    }
}

/// Copies the keys of `outer` but `skip` over `resolved`.
fn overlay(resolved: &mut Map<String, Value>, outer: &Map<String, Value>, skip: &str) {
    for (key, value) in outer {
        if key != skip {
            resolved.insert(key.clone(), value.clone());
        }
    }
}
