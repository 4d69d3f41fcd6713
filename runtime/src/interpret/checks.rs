//! A model's local rules made once, when its schema is loaded, into the
//! list of checks that can fire: a field with no rule (a boolean, an enum, a
//! constant, free JSON, a string or number without limits) is left out, a
//! nested object with none is left out whole, and each field that stays
//! keeps only the limits it has, as the `usize` or `i64` the check compares.
//! Checking an input is then a walk over that short list, which is what the
//! compiled `validate()` is too: codegen emits a line per rule, not per field.

use seedance_converter::ir::{self, Field, StringType, Type};
use serde_json::{Map, Value};

use super::entry;
use crate::validation::{FieldPath, Format, ValidationErrors, Validator};

/// The checks of one object's fields (the input's, or a nested object's),
/// in schema order: the order the compiled `validate()` reports violations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checks {
    fields: Box<[FieldCheck]>,
}

#[derive(Debug, Clone, PartialEq)]
struct FieldCheck {
    wire: Box<str>,
    check: Check,
}

#[derive(Debug, Clone, PartialEq)]
enum Check {
    Text(TextRules),
    Integer(Limits<i64>),
    Number(Limits<f64>),
    TextList {
        count: Limits<usize>,
        items: TextRules,
    },
    Object(Checks),
    ObjectList {
        count: Limits<usize>,
        item: Checks,
    },
}

/// `minimum`/`maximum`, or `minItems`/`maxItems`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Limits<T> {
    min: Option<T>,
    max: Option<T>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct TextRules {
    min_length: Option<usize>,
    max_length: Option<usize>,
    format: Option<Format>,
}

impl Checks {
    /// The checks of `model`'s input.
    pub fn new(model: &ir::Model) -> Self {
        Self::of(&model.fields)
    }

    fn of(fields: &[Field]) -> Self {
        let fields = fields
            .iter()
            .filter_map(|field| {
                let check = Check::of(&field.ty)?;
                let wire = field.wire.as_str().into();
                Some(FieldCheck { wire, check })
            })
            .collect();
        Checks { fields }
    }

    /// Whether no input can break a rule.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The local rules on `input`, all violations together in the order the
    /// compiled `validate()` reports them. Values of the wrong type are
    /// skipped (that is [`parse`](super::parse)'s refusal, not a violation).
    pub fn validate(&self, input: &Value) -> Result<(), ValidationErrors> {
        let mut validator = Validator::new();
        if let Some(object) = input.as_object() {
            self.check(object, "", &mut validator);
        }
        validator.finish()
    }

    /// Checks the fields of `object`, whose path is `path` (empty at the
    /// top, where a field's path is its wire name and nothing is allocated).
    fn check(&self, object: &Map<String, Value>, path: &str, v: &mut Validator) {
        for field in &self.fields {
            let Some(value) = entry(object, &field.wire).filter(|value| !value.is_null()) else {
                continue;
            };
            if path.is_empty() {
                field.check.run(value, &field.wire, v);
            } else {
                field.check.run(value, &format!("{path}.{}", field.wire), v);
            }
        }
    }
}

impl Check {
    /// The check of a field of type `ty`, or `None` if it has no rule.
    fn of(ty: &Type) -> Option<Self> {
        let check = match ty {
            Type::String(s) => Check::Text(TextRules::of(s)?),
            Type::Integer { minimum, maximum } => Check::Integer(Limits::of(*minimum, *maximum)?),
            Type::Number { minimum, maximum } => Check::Number(Limits::of(*minimum, *maximum)?),
            Type::Array {
                items,
                min_items,
                max_items,
            } => {
                let count = Limits::counts(*min_items, *max_items);
                let items = TextRules::of(items);
                if count.is_none() && items.is_none() {
                    return None;
                }
                Check::TextList {
                    count: count.unwrap_or(Limits::NONE),
                    items: items.unwrap_or(TextRules::NONE),
                }
            }
            Type::Object(object) => {
                let checks = Checks::of(&object.fields);
                if checks.is_empty() {
                    return None;
                }
                Check::Object(checks)
            }
            Type::ObjectArray {
                item,
                min_items,
                max_items,
            } => {
                let count = Limits::counts(*min_items, *max_items);
                let item = Checks::of(&item.fields);
                if count.is_none() && item.is_empty() {
                    return None;
                }
                Check::ObjectList {
                    count: count.unwrap_or(Limits::NONE),
                    item,
                }
            }
            Type::Boolean | Type::Enum(_) | Type::Const(_) | Type::Json | Type::JsonObject => {
                return None;
            }
        };
        Some(check)
    }

    /// The check on `value` (at `path`); a value of another type is skipped.
    #[inline(always)]
    fn run(&self, value: &Value, path: &str, v: &mut Validator) {
        let at = FieldPath::Field(path);
        match self {
            Check::Text(rules) => {
                if let Some(text) = value.as_str() {
                    rules.run(text, at, v);
                }
            }
            Check::Integer(limits) => {
                if let Some(number) = value.as_i64() {
                    limits.run(number, at, v);
                }
            }
            Check::Number(limits) => {
                if let Some(number) = value.as_f64() {
                    limits.run(number, at, v);
                }
            }
            Check::TextList { count, items } => {
                if let Some(list) = value.as_array() {
                    count.run_count(list.len(), at, v);
                    if *items != TextRules::NONE {
                        for (index, item) in list.iter().enumerate() {
                            if let Some(text) = item.as_str() {
                                items.run(text, FieldPath::Item(path, index), v);
                            }
                        }
                    }
                }
            }
            Check::Object(checks) => {
                if let Some(map) = value.as_object() {
                    checks.check(map, path, v);
                }
            }
            Check::ObjectList { count, item } => {
                if let Some(list) = value.as_array() {
                    count.run_count(list.len(), at, v);
                    if !item.is_empty() {
                        for (index, element) in list.iter().enumerate() {
                            if let Some(map) = element.as_object() {
                                item.check(map, &format!("{path}[{index}]"), v);
                            }
                        }
                    }
                }
            }
        }
    }
}

impl<T: Copy + PartialOrd + std::fmt::Display> Limits<T> {
    const NONE: Self = Limits {
        min: None,
        max: None,
    };

    fn of(min: Option<T>, max: Option<T>) -> Option<Self> {
        (min.is_some() || max.is_some()).then_some(Limits { min, max })
    }

    #[inline(always)]
    fn run(&self, value: T, at: FieldPath<'_>, v: &mut Validator) {
        if let Some(min) = self.min {
            v.minimum(at, value, min);
        }
        if let Some(max) = self.max {
            v.maximum(at, value, max);
        }
    }
}

impl Limits<usize> {
    fn counts(min: Option<u64>, max: Option<u64>) -> Option<Self> {
        Limits::of(min.map(limit), max.map(limit))
    }

    fn run_count(&self, len: usize, at: FieldPath<'_>, v: &mut Validator) {
        if let Some(min) = self.min {
            v.min_items(at, len, min);
        }
        if let Some(max) = self.max {
            v.max_items(at, len, max);
        }
    }
}

impl TextRules {
    const NONE: Self = TextRules {
        min_length: None,
        max_length: None,
        format: None,
    };

    fn of(s: &StringType) -> Option<Self> {
        let rules = TextRules {
            min_length: s.min_length.map(limit),
            max_length: s.max_length.map(limit),
            format: s.format,
        };
        (rules != Self::NONE).then_some(rules)
    }

    #[inline(always)]
    fn run(&self, text: &str, at: FieldPath<'_>, v: &mut Validator) {
        if let Some(min) = self.min_length {
            v.min_length(at, text, min);
        }
        if let Some(max) = self.max_length {
            v.max_length(at, text, max);
        }
        if let Some(format) = self.format {
            v.uri(at, text, format);
        }
    }
}

/// A `u64` limit as the generated code's `usize` literal.
fn limit(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}
