//! The URL check of media fields: an http(s) URL with a host, or a data URI
//! of the field's media kind, with no whitespace or control characters. It
//! is most of `validate()`'s time: the shape is decided from the first bytes,
//! then every byte is looked at once, 16 per step, for the one byte class
//! that matters (printable ASCII or not).

use std::ops::Not;

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
///
/// Out of line, and a leaf without a stack frame on the path of an http(s)
/// URL: a generated `validate()` calls it once per media field and
/// branches on the answer.
#[doc(hidden)]
#[inline(never)]
pub fn is_media_uri(value: &str, kind: Option<MediaKind>) -> bool {
    media_uri(value, kind)
}

/// [`is_media_uri`] of every item of a list, in one call from generated
/// code (the loop and the check compiled together here, once, instead of a
/// call per item in every generated `validate()`).
#[doc(hidden)]
#[inline(never)]
pub fn are_media_uris(items: &[String], kind: Option<MediaKind>) -> bool {
    items.iter().all(|item| media_uri(item, kind))
}

#[inline(always)]
fn media_uri(value: &str, kind: Option<MediaKind>) -> bool {
    let bytes = value.as_bytes();
    let Some(rest) = bytes
        .strip_prefix(b"https://")
        .or_else(|| bytes.strip_prefix(b"http://"))
    else {
        return is_data_uri(value, kind);
    };
    // The host is what precedes the first `/`, `?` or `#`: it must not be
    // empty, nor start with a port or user-info separator.
    rest.first()
        .is_some_and(|&byte| HOST_START[usize::from(byte)])
        && clean(value)
}

/// The bytes a host may start with, by byte value: one load instead of five
/// compares (the other bytes' class is [`clean`]'s business).
static HOST_START: [bool; 256] = {
    let mut table = [true; 256];
    table[b'/' as usize] = false;
    table[b'?' as usize] = false;
    table[b'#' as usize] = false;
    table[b':' as usize] = false;
    table[b'@' as usize] = false;
    table
};

/// `data:<type>/...,<payload>` with a non-empty payload, of `kind` if set,
/// and clean.
#[inline(never)]
fn is_data_uri(value: &str, kind: Option<MediaKind>) -> bool {
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
    kind_matches && !payload.is_empty() && clean(value)
}

/// No whitespace or control character anywhere in `value`. Every byte is
/// classified once: printable ASCII (`0x21..=0x7e`) or not. Shifted down by
/// 0x21 (wrapping), the printable bytes are exactly those at most 0x5d, so
/// one running maximum per lane answers for the whole text: 16 bytes per
/// step of one subtract and one maximum (`psubb`/`pmaxub`, no branch inside
/// the loop; the compiler vectorises the safe loop, NEON on aarch64), and
/// one compare at the end. Only text with other bytes (non-ASCII letters
/// are allowed) pays for decoding, out of line.
#[inline(always)]
fn clean(value: &str) -> bool {
    printable_ascii(value.as_bytes()) || decoded_clean(value)
}

/// Lanes of the running maximum: one SSE2 register.
const LANES: usize = 16;

/// The largest shifted byte that is printable (`0x7e - 0x21`).
const PRINTABLE_MAX: u8 = 0x7e - 0x21;

/// Every byte of `bytes` in `0x21..=0x7e`. Up to 128 bytes (a typical
/// image URL is about 100) there is no loop: the text is covered by as many
/// 16-byte windows as it needs, all from its start but the last, which ends
/// at its end and overlaps the one before (looking at a byte twice changes
/// no maximum); each window is a load, a subtract and a maximum with no
/// branch between them.
#[inline(always)]
fn printable_ascii(bytes: &[u8]) -> bool {
    let mut high = [0u8; LANES];
    // Bounds the compiler can see (every window is in bounds, no check),
    // as a tree of three compares for the lengths of most URLs.
    let len = bytes.len();
    if len <= 4 * LANES {
        if len < LANES {
            return bytes
                .iter()
                .all(|&byte| byte.wrapping_sub(0x21) <= PRINTABLE_MAX);
        } else if len <= 2 * LANES {
            windows::<1>(&mut high, bytes);
        } else if len <= 3 * LANES {
            windows::<2>(&mut high, bytes);
        } else {
            windows::<3>(&mut high, bytes);
        }
    } else if len <= 8 * LANES {
        if len <= 6 * LANES {
            if len <= 5 * LANES {
                windows::<4>(&mut high, bytes);
            } else {
                windows::<5>(&mut high, bytes);
            }
        } else if len <= 7 * LANES {
            windows::<6>(&mut high, bytes);
        } else {
            windows::<7>(&mut high, bytes);
        }
    } else {
        for chunk in bytes.chunks_exact(LANES) {
            fold(&mut high, chunk);
        }
        window(&mut high, bytes, len - LANES);
    }
    // No early exit: one compare of the whole register and one mask.
    high.iter()
        .fold(false, |acc, &lane| acc | (lane > PRINTABLE_MAX))
        .not()
}

/// `HEAD` windows from the start of `bytes` and one ending at its end.
#[inline(always)]
fn windows<const HEAD: usize>(high: &mut [u8; LANES], bytes: &[u8]) {
    for at in 0..HEAD {
        window(high, bytes, at * LANES);
    }
    window(high, bytes, bytes.len() - LANES);
}

/// The 16 bytes of `bytes` from `at` into the running maximum.
#[inline(always)]
fn window(high: &mut [u8; LANES], bytes: &[u8], at: usize) {
    fold(high, &bytes[at..at + LANES]);
}

/// One 16-byte step of the running maximum of the shifted bytes.
#[inline(always)]
fn fold(high: &mut [u8; LANES], chunk: &[u8]) {
    let chunk: &[u8; LANES] = chunk.try_into().expect("a whole chunk");
    for lane in 0..LANES {
        high[lane] = high[lane].max(chunk[lane].wrapping_sub(0x21));
    }
}

/// The plain definition, for text that is not all printable ASCII.
#[cold]
#[inline(never)]
fn decoded_clean(value: &str) -> bool {
    !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Whitespace or control characters anywhere in `value` (the tests' name
/// for `!clean`).
#[cfg(test)]
fn has_space_or_control(value: &str) -> bool {
    !clean(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_min_max_scan_agrees_with_the_plain_definition() {
        let plain = |text: &str| text.chars().any(|c| c.is_whitespace() || c.is_control());
        // 200 bytes: lengths under 16, the windows of 16 to 32, 33 to 64 and
        // 65 to 128 bytes, and the loop beyond.
        let base = "https://example.com/a/long/path/to/image-0123456789/and/some/more/path/segments/to/be/long/enoug.png".repeat(2);
        let base = base.as_str();
        assert_eq!(base.len(), 200);
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
    fn lists_are_checked_item_by_item() {
        let items = |uris: &[&str]| uris.iter().map(|uri| uri.to_string()).collect::<Vec<_>>();
        let image = Some(MediaKind::Image);
        assert!(are_media_uris(&[], image));
        assert!(are_media_uris(
            &items(&["https://a.example/x.png", "data:image/png;base64,AA"]),
            image
        ));
        assert!(!are_media_uris(
            &items(&["https://a.example/x.png", "https://"]),
            image
        ));
        assert!(!are_media_uris(
            &items(&["data:video/mp4;base64,AA"]),
            image
        ));
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
