//! Every identifier decision in one place. The rules, in order of use:
//!
//! - **Vendor module**: the vendor folder name (`runcomfy`), which must already
//!   be a snake_case identifier.
//! - **Model module**: the model path without its first segment (the model's
//!   owner, `bytedance/`), every run of non-alphanumerics turned into `_`:
//!   `bytedance/seedance-1-0/pro/image-to-video` -> `seedance_1_0_pro_image_to_video`.
//!   A single-segment path is used whole.
//! - **Field**: the wire name when it is a snake_case identifier, a raw
//!   identifier for keywords (`type` -> `r#type`); `self`, `super`, `crate`
//!   and `Self` cannot be escaped and are errors.
//! - **Type** (enum per field): the field name in UpperCamelCase (`resolution`
//!   -> `Resolution`); `Value` is appended to a name the module already uses
//!   (`option` -> `OptionValue`, `input` -> `InputValue`).
//! - **String variant**: a ratio `16:9` -> `R16x9`; digits with a unit suffix
//!   `480p` -> `P480`; anything else UpperCamelCase of its alphanumeric runs
//!   (`adaptive` -> `Adaptive`), prefixed with `V` if it would start with a digit.
//! - **Integer variant**: `S5` for a field named like `duration` (seconds),
//!   `N5` otherwise; negative values `NMinus5`/`SMinus5`.
//!
//! Names that collide within one scope are errors, never silently suffixed.

/// Keywords that a raw identifier (`r#...`) can escape.
const ESCAPABLE_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const UNESCAPABLE_KEYWORDS: &[&str] = &["self", "Self", "super", "crate", "_"];

/// A Rust identifier as text; `r#` prefix included where needed.
pub type Ident = String;

/// Why a name cannot be turned into an identifier.
pub type NameError = &'static str;

/// Module name of a model path (see the module docs).
pub fn model_module(model_path: &str) -> Result<Ident, NameError> {
    let tail = match model_path.split_once('/') {
        Some((_, rest)) if !rest.is_empty() => rest,
        _ => model_path,
    };
    let name = snake_from_runs(tail);
    if name.is_empty() {
        return Err("it has no letters or digits");
    }
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("m_{name}")
    } else {
        name
    };
    keyword_checked(name)
}

/// Module name of a vendor folder.
pub fn vendor_module(id: &str) -> Result<Ident, NameError> {
    if !is_snake_ident(id) {
        return Err("a vendor folder name must be a snake_case identifier");
    }
    keyword_checked(id.to_owned())
}

/// Struct field identifier for a wire name.
pub fn field_ident(wire: &str) -> Result<Ident, NameError> {
    if !is_snake_ident(wire) {
        return Err("field names must be snake_case identifiers ([a-z_][a-z0-9_]*)");
    }
    keyword_checked(wire.to_owned())
}

/// Names a model module already uses (prelude, runtime imports, `Input`):
/// a type that would shadow one gets the suffix `Value` (`option` -> `OptionValue`).
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Box",
    "Err",
    "FieldReader",
    "FieldPath",
    "ImageInput",
    "ImageRule",
    "ImageRuleKind",
    "Input",
    "Into",
    "IntoIterator",
    "None",
    "Ok",
    "Option",
    "ParseEnumError",
    "Result",
    "Some",
    "String",
    "ValidationErrors",
    "Validator",
    "Vec",
];

/// Type name for the enum of a field.
pub fn type_name(wire: &str) -> Result<Ident, NameError> {
    let name = upper_camel(wire);
    if name.is_empty() {
        return Err("it has no letters or digits");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return Ok(format!("T{name}"));
    }
    if RESERVED_TYPE_NAMES.contains(&name.as_str()) {
        return Ok(format!("{name}Value"));
    }
    keyword_checked(name)
}

/// Variant name of a string enum value.
pub fn string_variant(value: &str) -> Result<Ident, NameError> {
    if let Some((w, h)) = value.split_once(':') {
        if is_digits(w) && is_digits(h) {
            return Ok(format!("R{w}x{h}"));
        }
    }
    let digits = value.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &value[digits.len()..];
    if is_digits(digits) && !unit.is_empty() {
        return Ok(format!("{}{digits}", unit.to_ascii_uppercase()));
    }
    let name = upper_camel(value);
    if name.is_empty() {
        return Err("it has no letters or digits");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return Ok(format!("V{name}"));
    }
    keyword_checked(name)
}

/// Variant name of an integer enum value of field `field`.
pub fn integer_variant(field: &str, value: i64) -> Ident {
    let prefix = if field.contains("duration") { "S" } else { "N" };
    if value < 0 {
        format!("{prefix}Minus{}", value.unsigned_abs())
    } else {
        format!("{prefix}{value}")
    }
}

fn keyword_checked(name: String) -> Result<Ident, NameError> {
    if UNESCAPABLE_KEYWORDS.contains(&name.as_str()) {
        Err("it is a Rust keyword that cannot be escaped")
    } else if ESCAPABLE_KEYWORDS.contains(&name.as_str()) {
        Ok(format!("r#{name}"))
    } else {
        Ok(name)
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_snake_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Lower-case alphanumeric runs joined with `_`.
fn snake_from_runs(s: &str) -> String {
    alnum_runs(s)
        .map(|run| run.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// Alphanumeric runs, each with its first letter upper-cased.
fn upper_camel(s: &str) -> String {
    alnum_runs(s)
        .map(|run| {
            let mut chars = run.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn alnum_runs(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|run| !run.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_modules_drop_the_owner() {
        assert_eq!(
            model_module("bytedance/seedance-1-0/pro/image-to-video").unwrap(),
            "seedance_1_0_pro_image_to_video"
        );
        assert_eq!(
            model_module("bytedance/seedance-1-0-lite-i2v").unwrap(),
            "seedance_1_0_lite_i2v"
        );
        assert_eq!(model_module("solo").unwrap(), "solo");
        assert_eq!(model_module("owner/2x").unwrap(), "m_2x");
        assert!(model_module("owner/--").is_err());
    }

    #[test]
    fn string_variants() {
        assert_eq!(string_variant("16:9").unwrap(), "R16x9");
        assert_eq!(string_variant("480p").unwrap(), "P480");
        assert_eq!(string_variant("1080p").unwrap(), "P1080");
        assert_eq!(string_variant("adaptive").unwrap(), "Adaptive");
        assert_eq!(string_variant("image-to-video").unwrap(), "ImageToVideo");
        assert_eq!(string_variant("4k").unwrap(), "K4");
        assert_eq!(string_variant("3d model").unwrap(), "V3dModel");
        assert_eq!(
            string_variant("bytedance/seedance-1-0-lite-i2v").unwrap(),
            "BytedanceSeedance10LiteI2v"
        );
        assert!(string_variant("--").is_err());
    }

    #[test]
    fn integer_variants() {
        assert_eq!(integer_variant("duration", 5), "S5");
        assert_eq!(integer_variant("steps", 5), "N5");
        assert_eq!(integer_variant("duration", -1), "SMinus1");
    }

    #[test]
    fn fields_and_keywords() {
        assert_eq!(field_ident("camera_fixed").unwrap(), "camera_fixed");
        assert_eq!(field_ident("type").unwrap(), "r#type");
        assert!(field_ident("self").is_err());
        assert!(field_ident("camera-fixed").is_err());
        assert!(field_ident("Prompt").is_err());
        assert_eq!(type_name("resolution").unwrap(), "Resolution");
        assert_eq!(type_name("first_frame").unwrap(), "FirstFrame");
        assert!(type_name("self").is_err());
        assert_eq!(type_name("option").unwrap(), "OptionValue");
        assert_eq!(type_name("input").unwrap(), "InputValue");
    }
}
