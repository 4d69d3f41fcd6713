/// WaveSpeed's documented UI hints: schema keywords that do not change the
/// wire. `x-ui-component`, `x-placeholder` and `step` are form widgets,
/// `x-accept` the MIME types an upload takes (`image/*` makes the field an
/// image reference), `x-hidden` a field kept on the wire but not advertised,
/// and `x-order-properties` (on an object) the property order to use.
pub const UI_HINTS: [&str; 6] = [
    "x-ui-component",
    "x-placeholder",
    "step",
    "x-accept",
    "x-hidden",
    "x-order-properties",
];

/// True when `keyword` is one of the [`UI_HINTS`].
pub fn is_ui_hint(keyword: &str) -> bool {
    UI_HINTS.contains(&keyword)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_are_recognised() {
        for hint in UI_HINTS {
            assert!(is_ui_hint(hint), "{hint}");
        }
        assert!(!is_ui_hint("x-unknown"));
        assert!(!is_ui_hint("format"));
    }
}
