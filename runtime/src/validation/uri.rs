//! The URL check of media fields: an http(s) URL with a host, or a data URI
//! of the field's media kind, with no whitespace or control characters. It
//! is most of `validate()`'s time, so it scans 32 bytes per step.

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
/// (`0x21..=0x7e`) is checked 32 bytes at a time, in a loop the compiler
/// turns into vector compares (SSE2 on x86-64, NEON on aarch64) without
/// `unsafe`: an image URL is about a hundred bytes and this scan is most of
/// `validate()`'s time. Only text with other bytes (non-ASCII letters are
/// allowed) pays for decoding.
#[inline]
fn has_space_or_control(value: &str) -> bool {
    let bytes = value.as_bytes();
    let found = if bytes.len() >= BLOCK {
        // The last block may overlap the others: it covers the remainder.
        let last = &bytes[bytes.len() - BLOCK..];
        bytes.chunks_exact(BLOCK).any(block_outside) || block_outside(last)
    } else {
        short_outside(bytes)
    };
    found && value.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Bytes per step of the scan: two SSE2 registers.
const BLOCK: usize = 32;

/// A byte outside `0x21..=0x7e`, as one unsigned compare.
#[inline(always)]
const fn outside(byte: u8) -> bool {
    byte.wrapping_sub(0x21) > 0x7e - 0x21
}

/// Any byte of one block outside printable ASCII: no early exit inside the
/// block, so the loop is a few vector instructions.
#[inline(always)]
fn block_outside(block: &[u8]) -> bool {
    let block: &[u8; BLOCK] = block.try_into().expect("a whole block");
    block.iter().fold(false, |acc, &byte| acc | outside(byte))
}

/// The same for fewer than [`BLOCK`] bytes: the text as 16 bytes (two
/// overlapping halves) or, under 16, byte by byte.
#[inline]
fn short_outside(bytes: &[u8]) -> bool {
    const HALF: usize = BLOCK / 2;
    let half = |part: &[u8]| {
        let part: &[u8; HALF] = part.try_into().expect("half a block");
        part.iter().fold(false, |acc, &byte| acc | outside(byte))
    };
    if bytes.len() >= HALF {
        half(&bytes[..HALF]) || half(&bytes[bytes.len() - HALF..])
    } else {
        bytes.iter().any(|&byte| outside(byte))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_scan_agrees_with_the_plain_definition() {
        let plain = |text: &str| text.chars().any(|c| c.is_whitespace() || c.is_control());
        // 100 bytes: lengths under 16, 16 to 31 (two halves), and one to
        // three whole blocks with an overlapping last block.
        let base = "https://example.com/a/long/path/to/image-0123456789/and/some/more/path/segments/to/be/long/enoug.png";
        assert_eq!(base.len(), 100);
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
