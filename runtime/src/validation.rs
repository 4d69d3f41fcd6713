//! Local validation support: the [`Violation`] type every check reports and
//! the small checks generated `validate()` methods call. The image rules
//! (`validations` in the schemas) are in `validation/image.rs` (also
//! reachable as `crate::image_rules`), so generated code needs this one
//! module.
//!
//! The valid path allocates nothing and formats nothing: each check of a
//! [`Validator`] is a compare inlined into the generated code; the field
//! path, the limit and the value become text only when a violation is
//! recorded, out of line.

use std::fmt;

#[doc(hidden)]
pub use image::{BYTES_PER_MB, ImageFacts, ImageInput};
pub use image::{ImageRule, ImageRuleKind};
pub use seedance_dialect::{Format, MediaKind};
#[doc(hidden)]
pub use uri::{are_media_uris, is_image_uri, is_media_uri};

mod image;
mod uri;

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

/// Where a check is, as a generated `validate()` names it: a [`FieldPath`],
/// or a nested path with list indices on the way (`format_args!(
/// "dynamic_masks[{}].mask", index)`). It becomes text only when a
/// violation is recorded, so the valid path builds no string.
#[doc(hidden)]
pub trait At {
    /// The path as text (`prompt`, `images[2]`, `dynamic_masks[0].mask`).
    fn text(&self) -> String;
}

impl At for FieldPath<'_> {
    fn text(&self) -> String {
        match self {
            FieldPath::Field(name) => (*name).to_owned(),
            item => item.to_string(),
        }
    }
}

impl At for fmt::Arguments<'_> {
    fn text(&self) -> String {
        self.to_string()
    }
}

/// The rule a value broke, spelled as in the schema dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// `minLength`, counted in characters (Unicode scalar values).
    MinLength,
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
    /// `format`: a URL field must be an http(s) URL or a data URI (of its media kind).
    Format(&'static str),
    /// One of the `validations` image rules.
    Image(ImageRuleKind),
    /// The image could not be read (not there, not an image, unknown format).
    ImageReadable,
    /// The image URL is not http(s) on a public address (the prober does
    /// not read from loopback, private or link-local addresses).
    ImageAddress,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::MinLength => f.write_str("minLength"),
            Rule::MaxLength => f.write_str("maxLength"),
            Rule::MinItems => f.write_str("minItems"),
            Rule::MaxItems => f.write_str("maxItems"),
            Rule::Minimum => f.write_str("minimum"),
            Rule::Maximum => f.write_str("maximum"),
            Rule::Format(format) => write!(f, "format {format}"),
            Rule::Image(kind) => f.write_str(kind.as_str()),
            Rule::ImageReadable => f.write_str("readable image"),
            Rule::ImageAddress => f.write_str("public image address"),
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

impl Violation {
    /// The rule, limit and value as a sentence for people, e.g. "width must
    /// be more than 300 px; this image is 200 px wide". The fields stay
    /// available (and in `--json`) for programs.
    pub fn explain(&self) -> String {
        let (limit, actual) = (&self.limit, &self.actual);
        match self.rule {
            Rule::MinLength => format!("must be at least {limit} characters; it has {actual}"),
            Rule::MaxLength => format!("must be at most {limit} characters; it has {actual}"),
            Rule::MinItems => format!(
                "must have at least {limit} {}; it has {actual}",
                items(limit)
            ),
            Rule::MaxItems => format!(
                "must have at most {limit} {}; it has {actual}",
                items(limit)
            ),
            Rule::Minimum => format!("must be at least {limit}; it is {actual}"),
            Rule::Maximum => format!("must be at most {limit}; it is {actual}"),
            Rule::Format(_) => format!("must be an {limit}; it is {actual}"),
            Rule::Image(kind) => {
                let (what, bound, unit, measured) = match kind {
                    ImageRuleKind::WidthAbove => ("width", "more", " px", "wide"),
                    ImageRuleKind::WidthBelow => ("width", "less", " px", "wide"),
                    ImageRuleKind::HeightAbove => ("height", "more", " px", "tall"),
                    ImageRuleKind::HeightBelow => ("height", "less", " px", "tall"),
                    ImageRuleKind::RatioAbove => ("width/height", "more", "", ""),
                    ImageRuleKind::RatioBelow => ("width/height", "less", "", ""),
                    ImageRuleKind::FileSizeMbBelow => ("file size", "less", " MB", "large"),
                };
                if measured.is_empty() {
                    format!("{what} must be {bound} than {limit}{unit}; this image's is {actual}")
                } else {
                    format!(
                        "{what} must be {bound} than {limit}{unit}; this image is {actual} {measured}"
                    )
                }
            }
            Rule::ImageReadable | Rule::ImageAddress => format!("must be {limit}; {actual}"),
        }
    }
}

fn items(count: &str) -> &'static str {
    if count == "1" { "item" } else { "items" }
}

/// `field: sentence` (see [`Violation::explain`]).
impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.explain())
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
///
/// Each check is a compare the compiler inlines at the call site; what
/// happens when it fails (formatting the path, the limit and the value,
/// growing the list) is a `#[cold]` function out of line, so the valid path
/// carries none of it.
#[derive(Debug, Default)]
#[doc(hidden)]
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

    // Out of line: the valid path should not carry the formatting code.
    #[cold]
    #[inline(never)]
    fn record(
        &mut self,
        field: impl At,
        rule: Rule,
        limit: impl fmt::Display,
        actual: impl fmt::Display,
        message: Option<&str>,
    ) {
        self.violations.push(Violation {
            field: field.text(),
            rule,
            limit: limit.to_string(),
            actual: actual.to_string(),
            message: message.map(str::to_owned),
        });
    }

    /// A length or count rule: the limit and the actual figure written
    /// straight into strings of their exact size (no formatting machinery:
    /// an invalid input read from JSON is answered about as fast as a valid
    /// one).
    #[cold]
    #[inline(never)]
    fn record_count(
        &mut self,
        field: impl At,
        rule: Rule,
        limit: usize,
        actual: usize,
        unit: &str,
    ) {
        let field = field.text();
        let limit = decimal(limit, "");
        let actual = decimal(actual, unit);
        self.violations.push(Violation {
            field,
            rule,
            limit,
            actual,
            message: None,
        });
    }

    /// `minLength`: at least `limit` characters.
    #[inline]
    pub fn min_length(&mut self, field: impl At, value: &str, limit: usize) {
        // A string of `limit` bytes or more may still be short in characters
        // (a character is up to 4 bytes); only those between pay for counting.
        if value.len() < limit.saturating_mul(4) {
            let chars = count_chars(value);
            if chars < limit {
                self.record_count(field, Rule::MinLength, limit, chars, " characters");
            }
        }
    }

    /// `maxLength`: at most `limit` characters.
    #[inline]
    pub fn max_length(&mut self, field: impl At, value: &str, limit: usize) {
        // A string of at most `limit` bytes has at most `limit` characters:
        // only long strings pay for counting.
        if value.len() > limit {
            let chars = count_chars(value);
            if chars > limit {
                self.record_count(field, Rule::MaxLength, limit, chars, " characters");
            }
        }
    }

    /// `minItems`: at least `limit` items.
    #[inline]
    pub fn min_items(&mut self, field: impl At, len: usize, limit: usize) {
        if len < limit {
            self.record_count(field, Rule::MinItems, limit, len, " items");
        }
    }

    /// `maxItems`: at most `limit` items.
    #[inline]
    pub fn max_items(&mut self, field: impl At, len: usize, limit: usize) {
        if len > limit {
            self.record_count(field, Rule::MaxItems, limit, len, " items");
        }
    }

    /// `minimum` (inclusive).
    #[inline]
    pub fn minimum<T: PartialOrd + fmt::Display>(&mut self, field: impl At, value: T, limit: T) {
        if value < limit {
            self.record(field, Rule::Minimum, limit, value, None);
        }
    }

    /// `maximum` (inclusive).
    #[inline]
    pub fn maximum<T: PartialOrd + fmt::Display>(&mut self, field: impl At, value: T, limit: T) {
        if value > limit {
            self.record(field, Rule::Maximum, limit, value, None);
        }
    }

    /// `format` of a URL field: an http(s) URL or a data URI, of the media
    /// kind the format names (`image_uri` wants `data:image/...`). The check
    /// is one call ([`is_media_uri`], out of line); the field path is only
    /// looked at when it fails.
    #[inline]
    pub fn uri(&mut self, field: impl At, value: &str, format: Format) {
        if !is_media_uri(value, format.media()) {
            self.record_uri(field, value, format);
        }
    }

    /// [`Validator::uri`] of every item of the list field `name`, in order
    /// (violations at `name[index]`): one call for the whole list on the
    /// valid path.
    #[inline]
    pub fn uri_items(&mut self, name: &str, items: &[String], format: Format) {
        if !are_media_uris(items, format.media()) {
            self.record_uri_items(name, items, format);
        }
    }

    #[cold]
    #[inline(never)]
    fn record_uri_items(&mut self, name: &str, items: &[String], format: Format) {
        for (index, item) in items.iter().enumerate() {
            self.uri(FieldPath::Item(name, index), item, format);
        }
    }

    #[cold]
    #[inline(never)]
    fn record_uri(&mut self, field: impl At, value: &str, format: Format) {
        let expected = match format.media() {
            None => "http(s) URL or data URI",
            Some(MediaKind::Image) => "http(s) URL or data:image/... URI",
            Some(MediaKind::Video) => "http(s) URL or data:video/... URI",
            Some(MediaKind::Audio) => "http(s) URL or data:audio/... URI",
        };
        self.violations.push(Violation {
            field: field.text(),
            rule: Rule::Format(format.as_str()),
            limit: expected.to_owned(),
            actual: summarise(value),
            message: None,
        });
    }

    /// `Ok` when nothing was recorded.
    #[inline]
    pub fn finish(self) -> Result<(), ValidationErrors> {
        // Nothing recorded means nothing allocated (only `push` allocates):
        // the empty list needs no drop.
        if self.violations.is_empty() {
            std::mem::forget(self);
            Ok(())
        } else {
            Err(ValidationErrors {
                violations: self.violations,
            })
        }
    }
}

/// `value` in decimal followed by `unit`, in one allocation of the right
/// size and without the formatting machinery.
fn decimal(value: usize, unit: &str) -> String {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = value;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let mut text = String::with_capacity(digits.len() - at + unit.len());
    text.extend(digits[at..].iter().map(|&digit| char::from(digit)));
    text.push_str(unit);
    text
}

/// Characters (Unicode scalar values) in `value`. ASCII text, the common
/// case, has as many characters as bytes; it is recognised 64 bytes per step
/// (four 16-byte lanes OR-ed together, no branch inside the step, which the
/// compiler turns into vector instructions) and the answer read once at the
/// end. Other text is counted by `chars()`. (A long prompt is the one long
/// string `validate()` measures.)
fn count_chars(value: &str) -> usize {
    if is_ascii(value.as_bytes()) {
        value.len()
    } else {
        value.chars().count()
    }
}

/// No byte of `bytes` at or above 0x80.
#[inline]
fn is_ascii(bytes: &[u8]) -> bool {
    const LANES: usize = 16;
    let mut seen = [[0u8; LANES]; 4];
    let mut blocks = bytes.chunks_exact(4 * LANES);
    for block in &mut blocks {
        for (seen, part) in seen.iter_mut().zip(block.chunks_exact(LANES)) {
            let part: &[u8; LANES] = part.try_into().expect("a whole lane block");
            for lane in 0..LANES {
                seen[lane] |= part[lane];
            }
        }
    }
    let all = seen.iter().flatten().fold(0, |acc, &byte| acc | byte);
    all < 0x80 && blocks.remainder().is_ascii()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_are_counted_as_chars_counts_them() {
        let mut text = String::new();
        for c in "aé€😀".chars().cycle().take(300) {
            assert_eq!(count_chars(&text), text.chars().count(), "{text:?}");
            text.push(c);
        }
        // One non-ASCII byte anywhere in a long ASCII text.
        let ascii = "x".repeat(100);
        assert_eq!(count_chars(&ascii), 100);
        for at in 0..ascii.len() {
            let text = format!("{}é{}", &ascii[..at], &ascii[at + 1..]);
            assert_eq!(count_chars(&text), 100, "{text:?}");
        }
        let mut validator = Validator::new();
        validator.min_length(FieldPath::Field("prompt"), "😀😀", 3);
        validator.min_length(FieldPath::Field("prompt"), "😀😀😀", 3);
        validator.min_length(FieldPath::Field("prompt"), "abcdefghijkl", 3);
        let errors = validator.finish().unwrap_err();
        assert_eq!(errors.violations.len(), 1);
        assert_eq!(errors.violations[0].actual, "2 characters");
    }

    #[test]
    fn the_ascii_scan_agrees_with_std() {
        // Lengths around the 64-byte step, one non-ASCII byte anywhere.
        for len in 0..200 {
            let text = "y".repeat(len);
            assert!(is_ascii(text.as_bytes()));
            for at in 0..len {
                let mut bytes = text.clone().into_bytes();
                bytes[at] = 0x80;
                assert!(!is_ascii(&bytes), "{len} {at}");
            }
        }
    }

    #[test]
    fn counts_are_written_as_display_writes_them() {
        for value in [0, 1, 9, 10, 99, 100, 1900, 2000, 65_535, usize::MAX] {
            assert_eq!(decimal(value, ""), value.to_string());
            assert_eq!(decimal(value, " items"), format!("{value} items"));
        }
    }

    #[test]
    fn nested_paths_are_formatted_only_when_recorded() {
        let mut validator = Validator::new();
        for index in 0..3 {
            validator.max_items(format_args!("masks[{index}].points"), 5, 4);
        }
        let errors = validator.finish().unwrap_err();
        assert_eq!(errors.violations[2].field, "masks[2].points");
        assert_eq!(
            errors.violations[0].to_string(),
            "masks[0].points: must have at most 4 items; it has 5 items"
        );
    }

    #[test]
    fn list_uris_are_reported_per_item_in_order() {
        let items = [
            "https://a.example/x.png",
            "ftp://b",
            "https://c.example/y",
            " x",
        ];
        let items: Vec<String> = items.iter().map(|item| item.to_string()).collect();
        let mut batch = Validator::new();
        batch.uri_items("images", &items, Format::ImageUri);
        let mut one_by_one = Validator::new();
        for (index, item) in items.iter().enumerate() {
            one_by_one.uri(FieldPath::Item("images", index), item, Format::ImageUri);
        }
        let batch = batch.finish().unwrap_err();
        assert_eq!(batch, one_by_one.finish().unwrap_err());
        assert_eq!(batch.violations.len(), 2);
        assert_eq!(batch.violations[1].field, "images[3]");
        let mut valid = Validator::new();
        valid.uri_items("images", &items[..1], Format::ImageUri);
        assert!(valid.finish().is_ok());
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
    fn violations_read_as_sentences() {
        let width = Violation {
            field: "image".into(),
            rule: Rule::Image(ImageRuleKind::WidthAbove),
            limit: "300".into(),
            actual: "200 px".into(),
            message: Some("vendor text".into()),
        };
        assert_eq!(
            width.to_string(),
            "image: width must be more than 300 px; this image is 200 px wide"
        );
        let mut validator = Validator::new();
        validator.max_length(FieldPath::Field("prompt"), &"x".repeat(5), 3);
        validator.max_items(FieldPath::Field("images"), 5, 4);
        let errors = validator.finish().unwrap_err();
        assert_eq!(
            errors.violations[0].to_string(),
            "prompt: must be at most 3 characters; it has 5 characters"
        );
        assert_eq!(
            errors.violations[1].to_string(),
            "images: must have at most 4 items; it has 5 items"
        );
    }
}
