//! What a schema change does to users: every difference between two
//! [`Surface`]s, classified as breaking, additive or docs only, and the semver
//! bump the worst of them implies.
//!
//! Generated enums are `#[non_exhaustive]`: users build values and never need
//! an exhaustive `match`, so a vendor adding an enum value is additive, as it
//! is on the wire. Adding an optional field is additive because `Input` is
//! `#[non_exhaustive]` and built with `Input::new` and setters.

use std::fmt;

use serde_json::Value;

use crate::surface::{FieldSurface, ModelSurface, Surface, TypeSurface};

/// How a change affects code written against the old surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    /// Only documentation (titles, descriptions, defaults) changed.
    Docs,
    /// Old code compiles and old requests are still accepted.
    Additive,
    /// Old code may not compile, or an old request may now be refused.
    Breaking,
}

/// One classified change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Its impact.
    pub impact: Impact,
    /// `vendor/model path`.
    pub model: String,
    /// What changed, for people.
    pub what: String,
}

/// Every change from `old` to `new`, breaking first, then by model.
pub fn classify(old: &Surface, new: &Surface) -> Vec<Change> {
    let mut changes = Vec::new();
    for (name, old_model) in &old.models {
        match new.models.get(name) {
            None => changes.push(change(Impact::Breaking, name, "model removed".into())),
            Some(new_model) => model_changes(name, old_model, new_model, &mut changes),
        }
    }
    for (name, model) in &new.models {
        if !old.models.contains_key(name) {
            let what = format!("new model `{}`", model.module);
            changes.push(change(Impact::Additive, name, what));
        }
    }
    changes.sort_by(|a, b| b.impact.cmp(&a.impact).then_with(|| a.model.cmp(&b.model)));
    changes
}

/// The semver bump the changes imply.
pub fn bump(changes: &[Change]) -> &'static str {
    match changes.iter().map(|c| c.impact).max() {
        Some(Impact::Breaking) => "major",
        Some(Impact::Additive) => "minor",
        Some(Impact::Docs) => "patch",
        None => "none",
    }
}

/// The change report: one section per impact, then the bump.
pub fn report(changes: &[Change]) -> String {
    let mut out = String::new();
    for (impact, heading) in [
        (Impact::Breaking, "breaking"),
        (Impact::Additive, "additive"),
        (Impact::Docs, "docs only"),
    ] {
        let listed: Vec<&Change> = changes.iter().filter(|c| c.impact == impact).collect();
        if listed.is_empty() {
            continue;
        }
        out.push_str(&format!("{heading}:\n"));
        for change in listed {
            out.push_str(&format!("  {}: {}\n", change.model, change.what));
        }
    }
    let count = |impact| changes.iter().filter(|c| c.impact == impact).count();
    out.push_str(&format!(
        "semver: {} ({} breaking, {} additive, {} docs only)\n",
        bump(changes),
        count(Impact::Breaking),
        count(Impact::Additive),
        count(Impact::Docs)
    ));
    out
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.model, self.what)
    }
}

fn change(impact: Impact, model: &str, what: String) -> Change {
    Change {
        impact,
        model: model.to_owned(),
        what,
    }
}

fn model_changes(name: &str, old: &ModelSurface, new: &ModelSurface, out: &mut Vec<Change>) {
    let mut push = |impact, what: String| out.push(change(impact, name, what));
    if old.module != new.module {
        push(
            Impact::Breaking,
            format!("module renamed `{}` -> `{}`", old.module, new.module),
        );
    }
    fields_changes(
        "",
        (&old.fields, &old.arguments),
        (&new.fields, &new.arguments),
        &mut push,
    );
}

/// The changes between two field lists (of `Input` or of a nested struct
/// whose fields are named `prefix` + wire name) and their `new` arguments.
fn fields_changes(
    prefix: &str,
    (old_fields, old_args): (&[FieldSurface], &[String]),
    (new_fields, new_args): (&[FieldSurface], &[String]),
    push: &mut impl FnMut(Impact, String),
) {
    for old_field in old_fields {
        let Some(new_field) = new_fields.iter().find(|f| f.wire == old_field.wire) else {
            push(
                Impact::Breaking,
                format!("field `{prefix}{}` removed or renamed", old_field.wire),
            );
            continue;
        };
        field_changes(prefix, old_field, new_field, push);
    }
    for field in new_fields {
        if !old_fields.iter().any(|f| f.wire == field.wire) {
            let (impact, what) = if field.required {
                (Impact::Breaking, "new required field")
            } else {
                (Impact::Additive, "new optional field")
            };
            push(impact, format!("{what} `{prefix}{}`", field.wire));
        }
    }
    if old_args != new_args
        && old_args.len() == new_args.len()
        && old_args.iter().all(|a| new_args.contains(a))
    {
        let constructor = if prefix.is_empty() {
            "`Input::new`".to_owned()
        } else {
            format!("`new` of `{}`", prefix.trim_end_matches('.'))
        };
        push(
            Impact::Breaking,
            format!(
                "{constructor} arguments reordered ({}) -> ({})",
                old_args.join(", "),
                new_args.join(", ")
            ),
        );
    }
}

fn field_changes(
    prefix: &str,
    old: &FieldSurface,
    new: &FieldSurface,
    push: &mut impl FnMut(Impact, String),
) {
    let name = &format!("{prefix}{}", old.wire);
    if old.rust != new.rust {
        push(
            Impact::Breaking,
            format!("`{name}`: Rust name `{}` -> `{}`", old.rust, new.rust),
        );
    }
    match (old.required, new.required) {
        (false, true) => push(Impact::Breaking, format!("`{name}` is now required")),
        (true, false) => push(
            Impact::Breaking,
            format!("`{name}` is now optional (a setter, not an `Input::new` argument)"),
        ),
        _ => {}
    }
    type_changes(name, &old.ty, &new.ty, push);
    rule_changes(name, &old.image_rules, &new.image_rules, push);
    if old.hidden != new.hidden {
        let what = if new.hidden {
            "now hidden"
        } else {
            "now advertised"
        };
        push(Impact::Docs, format!("`{name}` {what}"));
    }
    if old.docs != new.docs {
        push(
            Impact::Docs,
            format!("`{name}`: documentation or default changed"),
        );
    }
}

/// The changes to one field's type: a different kind of type breaks code,
/// and within one kind each limit, the format and the contents (enum
/// values, constant, nested struct) are compared in that order.
fn type_changes(
    name: &str,
    old: &TypeSurface,
    new: &TypeSurface,
    push: &mut impl FnMut(Impact, String),
) {
    if old.kind() != new.kind() {
        push(
            Impact::Breaking,
            format!(
                "`{name}`: type changed from {} to {}",
                old.kind(),
                new.kind()
            ),
        );
        return;
    }
    for ((what, lower, a), (_, _, b)) in bounds(old).into_iter().zip(bounds(new)) {
        bound(name, what, a, b, lower, push);
    }
    format_change(name, format_of(old), format_of(new), push);
    content_changes(name, old, new, push);
}

/// A limit on values: its schema keyword, whether it is a lower limit, and
/// its value.
type Limit = (&'static str, bool, Option<f64>);

/// A type's limits on values, in the order they are reported.
fn bounds(ty: &TypeSurface) -> Vec<Limit> {
    match ty {
        TypeSurface::String {
            min_length,
            max_length,
            ..
        } => counts(("minLength", min_length), ("maxLength", max_length)).to_vec(),
        TypeSurface::Integer { minimum, maximum } | TypeSurface::Number { minimum, maximum } => {
            vec![("minimum", true, *minimum), ("maximum", false, *maximum)]
        }
        TypeSurface::Array {
            min_items,
            max_items,
            min_length,
            max_length,
            ..
        } => [
            counts(("minItems", min_items), ("maxItems", max_items)),
            counts(
                ("item minLength", min_length),
                ("item maxLength", max_length),
            ),
        ]
        .concat(),
        TypeSurface::ObjectList {
            min_items,
            max_items,
            ..
        } => counts(("minItems", min_items), ("maxItems", max_items)).to_vec(),
        _ => Vec::new(),
    }
}

/// A lower and an upper limit on a count or a length (whole numbers,
/// compared as numbers like every other limit).
fn counts(
    (low, min): (&'static str, &Option<u64>),
    (high, max): (&'static str, &Option<u64>),
) -> [Limit; 2] {
    let count = |v: &Option<u64>| v.map(|v| v as f64);
    [(low, true, count(min)), (high, false, count(max))]
}

/// The URL format a string or a list of strings is checked against.
fn format_of(ty: &TypeSurface) -> Option<&str> {
    match ty {
        TypeSurface::String { format, .. } | TypeSurface::Array { format, .. } => format.as_deref(),
        _ => None,
    }
}

/// The changes to what two types of one kind hold: enum values, a constant,
/// or a nested struct's name and fields.
fn content_changes(
    name: &str,
    old: &TypeSurface,
    new: &TypeSurface,
    push: &mut impl FnMut(Impact, String),
) {
    use TypeSurface as T;
    match (old, new) {
        (
            T::Enum {
                name: a_name,
                values: a_values,
            },
            T::Enum {
                name: b_name,
                values: b_values,
            },
        ) => enum_changes(name, (a_name, a_values), (b_name, b_values), push),
        (T::Const { value: a }, T::Const { value: b }) if a != b => push(
            Impact::Breaking,
            format!("`{name}`: constant {} -> {}", text(a), text(b)),
        ),
        _ => {
            if let (Some(a), Some(b)) = (nested(old), nested(new)) {
                struct_changes(name, a, b, push);
            }
        }
    }
}

/// An enum's type renamed or values removed (breaking) or added (additive).
fn enum_changes(
    name: &str,
    (a_name, a_values): (&str, &[Value]),
    (b_name, b_values): (&str, &[Value]),
    push: &mut impl FnMut(Impact, String),
) {
    if a_name != b_name {
        push(
            Impact::Breaking,
            format!("`{name}`: enum type `{a_name}` -> `{b_name}`"),
        );
    }
    for value in a_values.iter().filter(|v| !b_values.contains(v)) {
        push(
            Impact::Breaking,
            format!("`{name}`: enum value {} removed", text(value)),
        );
    }
    for value in b_values.iter().filter(|v| !a_values.contains(v)) {
        push(
            Impact::Additive,
            format!("`{name}`: enum value {} added", text(value)),
        );
    }
}

/// A nested struct (alone or as a list's item): its Rust type name, its
/// `new` arguments, its fields, and how its fields' names extend the path.
struct Nested<'a> {
    rust: &'a str,
    arguments: &'a [String],
    fields: &'a [FieldSurface],
    path: &'static str,
}

/// The nested struct a type holds, if any.
fn nested(ty: &TypeSurface) -> Option<Nested<'_>> {
    let (rust, arguments, fields, path) = match ty {
        TypeSurface::Object {
            name,
            arguments,
            fields,
        } => (name, arguments, fields, "."),
        TypeSurface::ObjectList {
            name,
            arguments,
            fields,
            ..
        } => (name, arguments, fields, "[]."),
        _ => return None,
    };
    Some(Nested {
        rust,
        arguments,
        fields,
        path,
    })
}

/// A nested struct renamed, then its fields compared as `Input`'s are.
fn struct_changes(
    name: &str,
    old: Nested<'_>,
    new: Nested<'_>,
    push: &mut impl FnMut(Impact, String),
) {
    struct_rename(name, old.rust, new.rust, push);
    fields_changes(
        &format!("{name}{}", new.path),
        (old.fields, old.arguments),
        (new.fields, new.arguments),
        push,
    );
}

/// A nested struct's type renamed: code naming it no longer compiles.
fn struct_rename(name: &str, old: &str, new: &str, push: &mut impl FnMut(Impact, String)) {
    if old != new {
        push(
            Impact::Breaking,
            format!("`{name}`: struct type `{old}` -> `{new}`"),
        );
    }
}

/// A bound that moved: towards fewer accepted values is breaking.
fn bound(
    name: &str,
    what: &str,
    old: Option<f64>,
    new: Option<f64>,
    lower: bool,
    push: &mut impl FnMut(Impact, String),
) {
    let narrowed = match (old, new) {
        (a, b) if a == b => return,
        (None, Some(_)) => true,
        (Some(_), None) => false,
        (Some(a), Some(b)) => (b > a) == lower,
        (None, None) => return,
    };
    let shown = |v: Option<f64>| v.map_or("none".to_owned(), |v| v.to_string());
    let (impact, how) = if narrowed {
        (Impact::Breaking, "narrowed")
    } else {
        (Impact::Additive, "widened")
    };
    push(
        impact,
        format!("`{name}`: {what} {how} ({} -> {})", shown(old), shown(new)),
    );
}

/// A changed URL format: dropping the check is additive, any other change
/// may refuse values that passed before.
fn format_change(
    name: &str,
    old: Option<&str>,
    new: Option<&str>,
    push: &mut impl FnMut(Impact, String),
) {
    if old == new {
        return;
    }
    let shown = |f: Option<&str>| f.unwrap_or("none").to_owned();
    let impact = if new.is_none() {
        Impact::Additive
    } else {
        Impact::Breaking
    };
    push(
        impact,
        format!("`{name}`: format {} -> {}", shown(old), shown(new)),
    );
}

fn rule_changes(name: &str, old: &[String], new: &[String], push: &mut impl FnMut(Impact, String)) {
    for rule in old.iter().filter(|r| !new.contains(r)) {
        push(
            Impact::Additive,
            format!("`{name}`: image rule `{rule}` removed"),
        );
    }
    for rule in new.iter().filter(|r| !old.contains(r)) {
        push(
            Impact::Breaking,
            format!("`{name}`: image rule `{rule}` added"),
        );
    }
}

fn text(value: &Value) -> String {
    value.to_string()
}
