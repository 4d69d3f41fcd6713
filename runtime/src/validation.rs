//! Local validation support: the [`Violation`] type every check reports, the
//! small checks generated `validate()` methods call, and the image rules
//! (`validations` in the schemas) as data the prober evaluates.
//!
//! The valid path allocates nothing: a [`Validator`] only allocates when it
//! records its first violation.

use std::fmt;

/// Where a violation is: a field, or one item of an array field (`images[2]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldPath<'a> {
    /// A top-level field, by its wire name.
    Field(&'a str),
    /// Item `index` of an array field.
    Item(&'a str, usize),
}

impl fmt::Display for FieldPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldPath::Field(name) => f.write_str(name),
            FieldPath::Item(name, index) => write!(f, "{name}[{index}]"),
        }
    }
}

/// The rule a value broke, spelled as in the schema dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// `maxLength`, counted in characters (Unicode scalar values).
    MaxLength,
    /// `minItems`.
    MinItems,
    /// `maxItems`.
    MaxItems,
    /// `minimum` (inclusive).
    Minimum,
    /// `maximum` (inclusive).
    Maximum,
    /// `format`: an image field must be an http(s) URL or a data URI.
    Format(&'static str),
    /// One of the `validations` image rules.
    Image(ImageRuleKind),
    /// The image could not be read (unreachable, not an image, unknown format).
    ImageReadable,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::MaxLength => f.write_str("maxLength"),
            Rule::MinItems => f.write_str("minItems"),
            Rule::MaxItems => f.write_str("maxItems"),
            Rule::Minimum => f.write_str("minimum"),
            Rule::Maximum => f.write_str("maximum"),
            Rule::Format(format) => write!(f, "format {format}"),
            Rule::Image(kind) => f.write_str(kind.as_str()),
            Rule::ImageReadable => f.write_str("readable image"),
        }
    }
}

/// One broken rule: what, where, the limit, the actual value and, where the
/// vendor wrote one, the vendor's own message.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// Field path, e.g. `prompt` or `images[2]`.
    pub field: String,
    /// The rule that failed.
    pub rule: Rule,
    /// The rule's limit, as text (`1900`, `6000`, `http(s) URL or data URI`).
    pub limit: String,
    /// The value found, as text (a long string is summarised by its length).
    pub actual: String,
    /// The vendor's `validation_error`, where the schema has one.
    pub message: Option<String>,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: breaks {} (limit {}, actual {})",
            self.field, self.rule, self.limit, self.actual
        )?;
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        Ok(())
    }
}

/// All violations found in one input, in field order.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationErrors {
    /// Never empty.
    pub violations: Vec<Violation>,
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.violations.len();
        write!(f, "{count} violation{}", if count == 1 { "" } else { "s" })?;
        for violation in &self.violations {
            write!(f, "\n  - {violation}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// Collects violations; generated `validate()` methods drive it.
#[derive(Debug, Default)]
pub struct Validator {
    violations: Vec<Violation>,
}

impl Validator {
    /// An empty collector (does not allocate).
    pub const fn new() -> Self {
        Validator {
            violations: Vec::new(),
        }
    }

    /// Records a violation.
    pub fn push(&mut self, violation: Violation) {
        self.violations.push(violation);
    }

    fn record(
        &mut self,
        field: FieldPath<'_>,
        rule: Rule,
        limit: impl fmt::Display,
        actual: impl fmt::Display,
        message: Option<&str>,
    ) {
        self.violations.push(Violation {
            field: field.to_string(),
            rule,
            limit: limit.to_string(),
            actual: actual.to_string(),
            message: message.map(str::to_owned),
        });
    }

    /// `maxLength`: at most `limit` characters.
    pub fn max_length(&mut self, field: FieldPath<'_>, value: &str, limit: usize) {
        // A string of at most `limit` bytes has at most `limit` characters:
        // only long strings pay for counting.
        if value.len() > limit {
            let chars = value.chars().count();
            if chars > limit {
                self.record(
                    field,
                    Rule::MaxLength,
                    limit,
                    format_args!("{chars} characters"),
                    None,
                );
            }
        }
    }

    /// `minItems`: at least `limit` items.
    pub fn min_items(&mut self, field: FieldPath<'_>, len: usize, limit: usize) {
        if len < limit {
            self.record(
                field,
                Rule::MinItems,
                limit,
                format_args!("{len} items"),
                None,
            );
        }
    }

    /// `maxItems`: at most `limit` items.
    pub fn max_items(&mut self, field: FieldPath<'_>, len: usize, limit: usize) {
        if len > limit {
            self.record(
                field,
                Rule::MaxItems,
                limit,
                format_args!("{len} items"),
                None,
            );
        }
    }

    /// `minimum` (inclusive).
    pub fn minimum<T: PartialOrd + fmt::Display>(
        &mut self,
        field: FieldPath<'_>,
        value: T,
        limit: T,
    ) {
        if value < limit {
            self.record(field, Rule::Minimum, limit, value, None);
        }
    }

    /// `maximum` (inclusive).
    pub fn maximum<T: PartialOrd + fmt::Display>(
        &mut self,
        field: FieldPath<'_>,
        value: T,
        limit: T,
    ) {
        if value > limit {
            self.record(field, Rule::Maximum, limit, value, None);
        }
    }

    /// `format` of an image field: an http(s) URL or a data URI.
    pub fn image_uri(&mut self, field: FieldPath<'_>, value: &str, format: &'static str) {
        if !is_image_uri(value) {
            self.record(
                field,
                Rule::Format(format),
                "http(s) URL or data URI",
                summarise(value),
                None,
            );
        }
    }

    /// `Ok` when nothing was recorded.
    pub fn finish(self) -> Result<(), ValidationErrors> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors {
                violations: self.violations,
            })
        }
    }
}

/// A value as shown in a violation: quoted, and cut after 60 characters so a
/// data URI does not flood the message.
fn summarise(value: &str) -> String {
    const SHOWN: usize = 60;
    match value.char_indices().nth(SHOWN) {
        None => format!("{value:?}"),
        Some((cut, _)) => format!(
            "{:?}... ({} characters)",
            &value[..cut],
            value.chars().count()
        ),
    }
}

/// True for an `http://` or `https://` URL with a host, or a `data:` URI with a
/// comma-separated payload. No whitespace or control characters anywhere.
pub fn is_image_uri(value: &str) -> bool {
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    if let Some(rest) = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
    {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        return !host.is_empty() && !host.starts_with(':') && !host.starts_with('@');
    }
    match value.strip_prefix("data:") {
        Some(rest) => rest
            .split_once(',')
            .is_some_and(|(header, payload)| header.starts_with("image/") && !payload.is_empty()),
        None => false,
    }
}

/// The image rules of the schema dialect (`validation_rule`). Operators are
/// strict: `width_pixels<` 6000 means width must be below 6000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageRuleKind {
    /// `width_pixels<`
    WidthBelow,
    /// `width_pixels>`
    WidthAbove,
    /// `height_pixels<`
    HeightBelow,
    /// `height_pixels>`
    HeightAbove,
    /// `width/height<`
    RatioBelow,
    /// `width/height>`
    RatioAbove,
    /// `file_size_mb<` (1 MB = 1,048,576 bytes)
    FileSizeMbBelow,
}

/// Bytes in the schema dialect's megabyte (`file_size_mb<`).
pub const BYTES_PER_MB: f64 = 1_048_576.0;

impl ImageRuleKind {
    /// Every rule, in a stable order.
    pub const ALL: [ImageRuleKind; 7] = [
        ImageRuleKind::WidthBelow,
        ImageRuleKind::WidthAbove,
        ImageRuleKind::HeightBelow,
        ImageRuleKind::HeightAbove,
        ImageRuleKind::RatioBelow,
        ImageRuleKind::RatioAbove,
        ImageRuleKind::FileSizeMbBelow,
    ];

    /// The schema spelling (`validation_rule`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ImageRuleKind::WidthBelow => "width_pixels<",
            ImageRuleKind::WidthAbove => "width_pixels>",
            ImageRuleKind::HeightBelow => "height_pixels<",
            ImageRuleKind::HeightAbove => "height_pixels>",
            ImageRuleKind::RatioBelow => "width/height<",
            ImageRuleKind::RatioAbove => "width/height>",
            ImageRuleKind::FileSizeMbBelow => "file_size_mb<",
        }
    }

    /// Parses the schema spelling.
    pub fn from_schema(rule: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == rule)
    }

    /// True when the rule needs the file size rather than the header.
    pub const fn needs_file_size(self) -> bool {
        matches!(self, ImageRuleKind::FileSizeMbBelow)
    }
}

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

    #[test]
    fn max_length_counts_characters_not_bytes() {
        let mut validator = Validator::new();
        validator.max_length(FieldPath::Field("prompt"), "ééé", 3);
        assert!(validator.finish().is_ok());
        let mut validator = Validator::new();
        validator.max_length(FieldPath::Field("prompt"), "éééé", 3);
        let errors = validator.finish().unwrap_err();
        assert_eq!(errors.violations[0].actual, "4 characters");
    }

    #[test]
    fn image_uris() {
        assert!(is_image_uri("https://example.com/a.png"));
        assert!(is_image_uri("http://127.0.0.1:8080/a.png"));
        assert!(is_image_uri("data:image/png;base64,iVBORw0KGgo="));
        assert!(!is_image_uri(""));
        assert!(!is_image_uri("ftp://example.com/a.png"));
        assert!(!is_image_uri("https:///a.png"));
        assert!(!is_image_uri("https://exa mple.com/a.png"));
        assert!(!is_image_uri("data:text/plain;base64,aGk="));
        assert!(!is_image_uri("data:image/png;base64,"));
    }
}
