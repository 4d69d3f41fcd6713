//! Data URIs, decoded locally. Accepted, and nothing else:
//! `data:image/<type>[;params];base64,<standard base64, padding optional>`
//! and `data:image/<type>[;params],<percent-encoded bytes>`. The URL-safe
//! base64 alphabet (`-`, `_`) is refused, as the vendors refuse it.

use base64::Engine as _;

/// The bytes a data URI carries, or why it cannot be read.
pub(super) fn decode(uri: &str) -> Result<Vec<u8>, String> {
    let rest = uri.strip_prefix("data:").ok_or("not a data URI")?;
    let (header, payload) = rest.split_once(',').ok_or("data URI without a comma")?;
    let (media_type, base64) = match header.strip_suffix(";base64") {
        Some(media_type) => (media_type, true),
        None => (header, false),
    };
    let mime = media_type.split(';').next().unwrap_or_default();
    if mime.strip_prefix("image/").is_none_or(str::is_empty) {
        return Err(format!("data URI media type {mime:?} is not image/<type>"));
    }
    if payload.is_empty() {
        return Err("data URI with an empty payload".to_owned());
    }
    if base64 {
        let engine = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        );
        engine
            .decode(payload)
            .map_err(|err| format!("invalid base64 in data URI: {err}"))
    } else {
        percent_decode(payload)
    }
}

/// `%XX` is the byte XX; every other byte stands for itself.
fn percent_decode(text: &str) -> Result<Vec<u8>, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or("invalid percent escape in data URI")?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_with_or_without_padding_and_parameters() {
        assert_eq!(decode("data:image/png;base64,aGk=").unwrap(), b"hi");
        assert_eq!(decode("data:image/png;base64,aGk").unwrap(), b"hi");
        assert_eq!(
            decode("data:image/png;name=a.png;base64,aGk=").unwrap(),
            b"hi"
        );
    }

    #[test]
    fn percent_encoded_payloads() {
        assert_eq!(
            decode("data:image/png,%89PNG%0d%0A").unwrap(),
            b"\x89PNG\r\n"
        );
        assert!(decode("data:image/png,%8").is_err());
        assert!(decode("data:image/png,%+1").is_err());
    }

    #[test]
    fn url_safe_alphabet_and_other_media_types_are_refused() {
        // [0xFB, 0xFF] is `+/8` in the standard alphabet, `-_8` URL-safe.
        assert_eq!(decode("data:image/png;base64,+/8=").unwrap(), [0xFB, 0xFF]);
        assert!(decode("data:image/png;base64,-_8=").is_err());
        assert!(decode("data:text/plain;base64,aGk=").is_err());
        assert!(decode("data:image/;base64,aGk=").is_err());
        assert!(decode("data:image/png;base64,").is_err());
        assert!(decode("data:image/png;base64 aGk=").is_err());
    }
}
