//! Text bound for a terminal, made harmless: vendors' messages, job ids
//! and URLs come from outside, and a control sequence in them (`ESC ]0;...`
//! retitles the window, `ESC [2J` clears it, U+202E reverses what follows)
//! must be shown, not obeyed. Every line the CLI prints for people goes
//! through [`safe`]; `--json` output is escaped by JSON itself.

use std::borrow::Cow;

/// `text` with control characters (except newline and tab), DEL, C1
/// controls, bidirectional controls and line separators written as escapes
/// (`\x1b`, `\u{202e}`).
pub fn safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            let code = u32::from(c);
            if code < 0x100 {
                out.push_str(&format!("\\x{code:02x}"));
            } else {
                out.push_str(&format!("\\u{{{code:04x}}}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        c if c.is_control() => true,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_are_shown_not_obeyed() {
        assert_eq!(safe("plain text\nline two"), "plain text\nline two");
        assert!(matches!(safe("plain"), Cow::Borrowed(_)));
        assert_eq!(safe("\u{1b}]0;pwned\u{7}"), "\\x1b]0;pwned\\x07");
        assert_eq!(safe("a\rb\u{7f}c\u{9b}"), "a\\x0db\\x7fc\\x9b");
        assert_eq!(safe("abc\u{202e}fdp.exe"), "abc\\u{202e}fdp.exe");
        assert_eq!(safe("x\u{2066}y\u{2028}"), "x\\u{2066}y\\u{2028}");
        assert_eq!(safe("café 🦊"), "café 🦊");
    }
}
