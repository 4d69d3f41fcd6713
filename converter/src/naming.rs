//! Every identifier decision in one place. The rules, in order of use:
//!
//! - **Vendor module**: the vendor folder name (`runcomfy`), which must already
//!   be a snake_case identifier.
//! - **Model module**: the model path without its first segment (the model's
//!   owner, `bytedance/`), every run of non-alphanumerics turned into `_`:
//!   `bytedance/seedance-1-0/pro/image-to-video` -> `seedance_1_0_pro_image_to_video`.
//!   A single-segment path is used whole.
//! - **Field**: any wire name becomes snake_case: a lower-to-upper case
//!   change starts a word (`aspectRatio` -> `aspect_ratio`, `URLList` ->
//!   `url_list`), every run of other characters (`-`, spaces, dots) becomes one
//!   `_`, and a name starting with a digit gets a leading `_` (`2pass` ->
//!   `_2pass`). Keywords become raw identifiers (`type` -> `r#type`); the four
//!   that cannot be raw, `self`, `Self`, `super` and `crate`, get a trailing
//!   `_` (`self_`). The wire name is kept byte for byte (serde rename); two
//!   wire names with one Rust name are an error naming both.
//! - **Type** (enum per field): the field's Rust name in UpperCamelCase
//!   (`resolution` -> `Resolution`, `aspectRatio` -> `AspectRatio`); `Value` is
//!   appended to a name the module already uses (`option` -> `OptionValue`,
//!   `input` -> `InputValue`), that is a keyword (`self` -> `SelfValue`), or
//!   that users import beside the model module and would otherwise shadow:
//!   `std::time::Duration` (`duration` -> `DurationValue`) and every name the
//!   `seedance` crate root exports (`model` -> `ModelValue`, not the `Model` trait).
//! - **Nested type** (typify's approach: names from the path): the struct
//!   of an object field, or the enum of a field inside one, is named as above
//!   at the top level (`camera_control` -> `CameraControl`); inside a nested
//!   struct, its name followed by the field's (`CameraControl` + `config` ->
//!   `CameraControlConfig`, `CameraControl` + `type` -> `CameraControlType`).
//!   The struct of a list's items is the list's name followed by `Item`
//!   (`dynamic_masks` -> `DynamicMasksItem`, its `trajectories` ->
//!   `DynamicMasksItemTrajectoriesItem`). Every type of a model shares one
//!   scope: a clash is an error naming both fields.
//! - **Constructor arguments**: `Input::new` takes the required fields as text
//!   first (the prompt), then URLs (a `format`: images, videos, lists of them),
//!   then the rest, each group in schema order. Every vendor's image-to-video
//!   model is then `Input::new(prompt, image)`, whatever order its schema lists.
//! - **Parse errors**: "did you mean" is offered for words only; a number that
//!   is not an enum value lists the values instead (`"7"` is not close to `"5"`).
//! - **Rule constant**: the image rules of a field are `<FIELD>_RULES`
//!   (`first_frame_image_url` -> `FIRST_FRAME_IMAGE_URL_RULES`).
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

/// Struct field identifier for a wire name (see the module docs).
pub fn field_ident(wire: &str) -> Result<Ident, NameError> {
    let snake = snake_case(wire);
    if snake.is_empty() {
        return Err("it has no letters or digits");
    }
    let snake = if snake.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{snake}")
    } else {
        snake
    };
    Ok(if UNESCAPABLE_KEYWORDS.contains(&snake.as_str()) {
        format!("{snake}_")
    } else {
        keyword_checked(snake)?
    })
}

/// Name of the const holding a field's image rules (`IMAGE_URL_RULES`).
pub fn rules_const(field_ident: &str) -> Ident {
    let bare = field_ident.strip_prefix("r#").unwrap_or(field_ident);
    format!("{}_RULES", bare.to_ascii_uppercase())
}

/// snake_case words of any name: case changes and non-alphanumeric runs split.
fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    let mut pending_break = false;
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            pending_break = true;
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let case_break = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if !out.is_empty() && (pending_break || case_break) {
            out.push('_');
        }
        pending_break = false;
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Names a model module uses unqualified: the prelude items generated code
/// names, and `Input`. Everything else it names by its full path
/// (`seedance_runtime::validation::Validator`), so no other name is taken. A
/// type that would shadow one gets the suffix `Value` (`option` -> `OptionValue`).
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Box",
    "Err",
    "Input",
    "Into",
    "IntoIterator",
    "None",
    "Ok",
    "Option",
    "Result",
    "Some",
    "String",
    "Vec",
    // Imported beside model modules: `std::time` and the `seedance` crate root.
    "Duration",
    "Instant",
    "CancelOutcome",
    "Client",
    "Connection",
    "ErasedModel",
    "Error",
    "Job",
    "JobState",
    "JobStatus",
    "Model",
    "Output",
    "ParseEnumError",
    "PollPolicy",
    "Progress",
    "Protocol",
    "RetryPolicy",
    "SubmitOptions",
    "ValidationErrors",
    "Vendor",
    "VendorInfo",
    "Violation",
    "WaitOptions",
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
    if RESERVED_TYPE_NAMES.contains(&name.as_str()) || UNESCAPABLE_KEYWORDS.contains(&name.as_str())
    {
        return Ok(format!("{name}Value"));
    }
    keyword_checked(name)
}

/// The name of the type (struct or enum) of field `field` (its Rust name)
/// of the struct named `parent` (`None` for the model's `Input`).
pub fn member_type(parent: Option<&str>, field: &str) -> Result<Ident, NameError> {
    match parent {
        None => type_name(field),
        Some(parent) => type_name(&format!("{parent}_{field}")),
    }
}

/// The name of the struct of a list's items, the list's type name being `list`.
pub fn item_type(list: &str) -> Result<Ident, NameError> {
    type_name(&format!("{list}_item"))
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
    fn fields_of_any_shape() {
        assert_eq!(field_ident("camera_fixed").unwrap(), "camera_fixed");
        assert_eq!(field_ident("type").unwrap(), "r#type");
        assert_eq!(field_ident("self").unwrap(), "self_");
        assert_eq!(field_ident("Self").unwrap(), "self_");
        assert_eq!(field_ident("super").unwrap(), "super_");
        assert_eq!(field_ident("crate").unwrap(), "crate_");
        assert_eq!(field_ident("negative-prompt").unwrap(), "negative_prompt");
        assert_eq!(field_ident("aspectRatio").unwrap(), "aspect_ratio");
        assert_eq!(field_ident("imageURL").unwrap(), "image_url");
        assert_eq!(field_ident("URLList").unwrap(), "url_list");
        assert_eq!(field_ident("Prompt").unwrap(), "prompt");
        assert_eq!(field_ident("seed.value").unwrap(), "seed_value");
        assert_eq!(field_ident("2pass").unwrap(), "_2pass");
        assert_eq!(field_ident("image_url2").unwrap(), "image_url2");
        assert!(field_ident("--").is_err());
        assert_eq!(rules_const("r#type"), "TYPE_RULES");
        assert_eq!(rules_const("_2pass"), "_2PASS_RULES");
    }

    #[test]
    fn types_and_keywords() {
        assert_eq!(type_name("resolution").unwrap(), "Resolution");
        assert_eq!(type_name("first_frame").unwrap(), "FirstFrame");
        assert_eq!(type_name("self_").unwrap(), "SelfValue");
        assert_eq!(type_name("duration").unwrap(), "DurationValue");
        assert_eq!(type_name("model").unwrap(), "ModelValue");
        assert_eq!(type_name("option").unwrap(), "OptionValue");
        assert_eq!(type_name("input").unwrap(), "InputValue");
    }

    #[test]
    fn nested_types_are_named_from_their_path() {
        assert_eq!(
            member_type(None, "camera_control").unwrap(),
            "CameraControl"
        );
        assert_eq!(member_type(None, "duration").unwrap(), "DurationValue");
        assert_eq!(
            member_type(Some("CameraControl"), "config").unwrap(),
            "CameraControlConfig"
        );
        assert_eq!(
            member_type(Some("CameraControl"), "type").unwrap(),
            "CameraControlType"
        );
        let masks = member_type(None, "dynamic_masks").unwrap();
        let item = item_type(&masks).unwrap();
        assert_eq!(item, "DynamicMasksItem");
        let trajectories = member_type(Some(&item), "trajectories").unwrap();
        assert_eq!(
            item_type(&trajectories).unwrap(),
            "DynamicMasksItemTrajectoriesItem"
        );
    }
}
