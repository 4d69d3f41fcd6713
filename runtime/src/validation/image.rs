//! The image rules of the schema dialect (`validations`: pixels, ratio, file
//! size) as data: generated code lists them per field, the prober measures
//! an image once and checks every rule against the facts. A rule that does
//! not hold is a [`Violation`] like any other, so this is part of
//! validation (and `crate::image_rules` re-exports it under its old path).

use super::{FieldPath, Rule, Violation};

pub use seedance_dialect::{BYTES_PER_MB, ImageRuleKind};

/// What the prober learnt about one image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImageFacts {
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
    /// Whole file size in bytes, when the source told it.
    pub file_size: Option<u64>,
}

/// One `validations` entry of an image field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImageRule {
    /// Which rule.
    pub kind: ImageRuleKind,
    /// `validation_value`.
    pub limit: f64,
    /// `validation_error`: the vendor's message.
    pub message: &'static str,
}

impl ImageRule {
    /// The value of `facts` this rule looks at; `None` when unknown (file size
    /// not reported by the server).
    pub fn measure(&self, facts: &ImageFacts) -> Option<f64> {
        Some(match self.kind {
            ImageRuleKind::WidthBelow | ImageRuleKind::WidthAbove => f64::from(facts.width),
            ImageRuleKind::HeightBelow | ImageRuleKind::HeightAbove => f64::from(facts.height),
            ImageRuleKind::RatioBelow | ImageRuleKind::RatioAbove => {
                f64::from(facts.width) / f64::from(facts.height.max(1))
            }
            ImageRuleKind::FileSizeMbBelow => facts.file_size? as f64 / BYTES_PER_MB,
        })
    }

    /// Checks the rule against `facts`: `None` when it holds or cannot be
    /// measured, the violation otherwise.
    pub fn check(&self, field: FieldPath<'_>, facts: &ImageFacts) -> Option<Violation> {
        let actual = self.measure(facts)?;
        let holds = match self.kind {
            ImageRuleKind::WidthBelow
            | ImageRuleKind::HeightBelow
            | ImageRuleKind::RatioBelow
            | ImageRuleKind::FileSizeMbBelow => actual < self.limit,
            ImageRuleKind::WidthAbove | ImageRuleKind::HeightAbove | ImageRuleKind::RatioAbove => {
                actual > self.limit
            }
        };
        (!holds).then(|| Violation {
            field: field.to_string(),
            rule: Rule::Image(self.kind),
            limit: self.limit.to_string(),
            actual: match self.kind {
                ImageRuleKind::RatioBelow | ImageRuleKind::RatioAbove => {
                    format!("{actual:.3} ({}x{})", facts.width, facts.height)
                }
                ImageRuleKind::FileSizeMbBelow => format!("{actual:.2} MB"),
                _ => format!("{actual} px"),
            },
            message: Some(self.message.to_owned()),
        })
    }
}

/// One image reference of an input, with the rules that apply to it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImageInput<'a> {
    /// Where it is in the input.
    pub field: FieldPath<'a>,
    /// The URL or data URI.
    pub uri: &'a str,
    /// The field's `validations`.
    pub rules: &'static [ImageRule],
}

impl<'a> ImageInput<'a> {
    /// An image reference at `field`.
    pub const fn new(field: FieldPath<'a>, uri: &'a str, rules: &'static [ImageRule]) -> Self {
        ImageInput { field, uri, rules }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIDTH_BELOW_6000: ImageRule = ImageRule {
        kind: ImageRuleKind::WidthBelow,
        limit: 6000.0,
        message: "too wide",
    };

    #[test]
    fn image_rules_are_strict() {
        let at_limit = ImageFacts {
            width: 6000,
            height: 3000,
            file_size: None,
        };
        let below = ImageFacts {
            width: 5999,
            height: 3000,
            file_size: None,
        };
        let violation = WIDTH_BELOW_6000
            .check(FieldPath::Item("images", 2), &at_limit)
            .unwrap();
        assert_eq!(violation.field, "images[2]");
        assert_eq!(violation.actual, "6000 px");
        assert_eq!(violation.message.as_deref(), Some("too wide"));
        assert_eq!(
            WIDTH_BELOW_6000.check(FieldPath::Field("image"), &below),
            None
        );
    }
}
