//! The URL check of media fields: an http(s) URL with a host, or a data URI
//! of the field's media kind, with no whitespace or control characters. It
//! is most of `validate()`'s time, so it scans eight bytes at a time.

use seedance_dialect::MediaKind;

/// True for an `http://` or `https://` URL with a host, or a `data:image/...`
/// URI with a comma-separated payload.
#[doc(hidden)]
#[inline]
pub fn is_image_uri(value: &str) -> bool {
    is_media_uri(value, Some(MediaKind::Image))
}

/// True for an `http://` or `https://` URL with a host, or a `data:` URI with
/// a comma-separated payload whose MIME type is of `kind` (any type when
/// `None`). No whitespace or control characters anywhere.
#[doc(hidden)]
#[inline]
pub fn is_media_uri(value: &str, kind: Option<MediaKind>) -> bool {
    if has_space_or_control(value) {
        return false;
    }
    let bytes = value.as_bytes();
    if let Some(rest) = bytes
        .strip_prefix(b"https://")
        .or_else(|| bytes.strip_prefix(b"http://"))
    {
        // The host is what precedes the first `/`, `?` or `#`: it must not be
        // empty, nor start with a port or user-info separator.
        return !matches!(rest.first(), None | Some(b'/' | b'?' | b'#' | b':' | b'@'));
    }
    let Some((header, payload)) = value.strip_prefix("data:").and_then(|r| r.split_once(','))
    else {
        return false;
    };
    let kind_matches = match kind {
        None => true,
        Some(kind) => header
            .strip_prefix(kind.as_str())
            .is_some_and(|rest| rest.starts_with('/')),
    };
    kind_matches && !payload.is_empty()
}

/// Whitespace or control characters anywhere in `value`. Printable ASCII
/// (`0x21..=0x7e`) is checked eight bytes at a time, without early exit (a
/// data URI can be megabytes; an image URL is about a hundred bytes and
/// this is most of `validate()`'s time); only text with other bytes pays
/// for decoding.
#[inline]
fn has_space_or_control(value: &str) -> bool {
    let bytes = value.as_bytes();
    let word = |chunk: &[u8]| {
        <[u8; 8]>::try_from(chunk).map_or(0, |word| outside_printable(u64::from_le_bytes(word)))
    };
    let found = match bytes.len().checked_sub(8) {
        // The last word may overlap the blocks: it covers the remainder.
        Some(last) => {
            bytes
                .chunks_exact(8)
                .fold(word(&bytes[last..]), |acc, chunk| acc | word(chunk))
                != 0
        }
        None => bytes.iter().any(|b| !(0x21..=0x7e).contains(b)),
    };
    found && value.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Non-zero when a byte of `word` is below `0x21` or above `0x7e`: the
/// classic "has less than" and "has more than" bit tricks (exact as a yes
/// or no, which is all this asks).
const fn outside_printable(word: u64) -> u64 {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let below = word.wrapping_sub(ONES * 0x21) & !word;
    let above = word.wrapping_add(ONES) | word;
    (below | above) & HIGH
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_scan_agrees_with_the_plain_definition() {
        let plain = |text: &str| text.chars().any(|c| c.is_whitespace() || c.is_control());
        let base = "https://example.com/a/long/path/to/image-0123456789.png";
        // Every byte value at every position of every length up to the base's.
        for len in 0..=base.len() {
            for position in 0..len {
                for byte in (0u8..=0x7f).chain([0xc3]) {
                    let mut bytes = base.as_bytes()[..len].to_vec();
                    bytes[position] = byte;
                    let text = match String::from_utf8(bytes) {
                        Ok(text) => text,
                        Err(_) => format!("{}é", &base[..position]),
                    };
                    assert_eq!(has_space_or_control(&text), plain(&text), "{text:?}");
                }
            }
        }
        assert!(has_space_or_control("https://example.com/\u{85}"));
        assert!(!has_space_or_control("https://example.com/é"));
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
        assert!(!is_image_uri("https://example.com/a\u{7f}.png"));
        assert!(!is_image_uri("https://example.com/\u{a0}a.png"));
        assert!(is_image_uri("https://example.com/caf\u{e9}.png"));
    }

    #[test]
    fn media_uris_check_the_data_uri_kind() {
        let video = Some(MediaKind::Video);
        assert!(is_media_uri("https://example.com/a.mp4", video));
        assert!(is_media_uri("data:video/mp4;base64,AAAA", video));
        assert!(!is_media_uri("data:image/png;base64,AAAA", video));
        assert!(!is_media_uri("data:videos/mp4;base64,AAAA", video));
        assert!(is_media_uri("data:audio/mpeg;base64,AAAA", None));
        assert!(!is_media_uri("data:audio/mpeg;base64,", None));
    }
}
