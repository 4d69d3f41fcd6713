//! A catalog model's fields as the command line sees a compiled model's
//! (`FieldInfo`, the same facts codegen writes into `seedance::catalog`),
//! and its image rules as the prober takes them. Both are made once per
//! distinct schema (see `super::intern`) and live as long as the process,
//! as compiled ones do.

use seedance_converter::ir::{Field, ImageRule as IrImageRule, Type, WireValue};

use crate::field_info::{EnumValue, FieldInfo, FieldKind};
use crate::image_rules::ImageRule;

/// Text kept for the life of the process.
pub(super) fn keep(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

fn keep_slice<T>(items: Vec<T>) -> &'static [T] {
    Box::leak(items.into_boxed_slice())
}

/// The field as `FieldInfo`; `None` for what `FieldKind` has no word for
/// (nested objects, lists of them, untyped values), as codegen leaves them
/// out of `ModelInfo::fields`.
pub(super) fn field_info(field: &Field) -> Option<FieldInfo> {
    let kind = match &field.ty {
        Type::String(_) => FieldKind::String,
        Type::Integer { .. } => FieldKind::Integer,
        Type::Number { .. } => FieldKind::Number,
        Type::Boolean => FieldKind::Boolean,
        Type::Enum(e) => {
            let values = e.variants.iter().map(|v| value(&v.wire)).collect();
            FieldKind::Enum(keep_slice(values))
        }
        Type::Const(e) => FieldKind::Const(value(&e.variants.first()?.wire)),
        Type::Array { .. } => FieldKind::List,
        Type::Object(_) | Type::ObjectArray { .. } | Type::Json | Type::JsonObject => return None,
    };
    let text = |t: &Option<String>| t.as_deref().map(keep);
    Some(FieldInfo {
        wire: keep(&field.wire),
        rust: keep(field.rust_name()),
        kind,
        required: field.required,
        hidden: field.hidden,
        deprecated: field.deprecated,
        title: text(&field.title),
        description: text(&field.description),
        default: field.default.as_ref().map(|d| keep(&d.to_string())),
        format: field.ty.format(),
        bounds: keep_slice(field.ty.bounds()),
        image_rules: image_rules(&field.image_rules),
    })
}

fn value(wire: &WireValue) -> EnumValue {
    match wire {
        WireValue::Str(s) => EnumValue::Str(keep(s)),
        WireValue::Int(i) => EnumValue::Int(*i),
    }
}

/// A field's `validations` as the prober's rules.
pub(super) fn image_rules(rules: &[IrImageRule]) -> &'static [ImageRule] {
    if rules.is_empty() {
        return &[];
    }
    keep_slice(
        rules
            .iter()
            .map(|rule| ImageRule {
                kind: rule.kind,
                limit: rule.value,
                message: keep(&rule.message),
            })
            .collect(),
    )
}
