//! Reads an input image the way a vendor would: decodes a data URI, or
//! fetches an http(s) URL (streaming until the header and size are known).

use base64::Engine as _;
use futures_util::StreamExt as _;

use crate::schema::ImageFacts;

/// Header bytes kept while looking for the dimensions; past that only the
/// size is counted.
const HEADER_LIMIT: usize = 4 << 20;

/// Width, height and file size of the image at `uri`, or why it could not be
/// read.
pub(crate) async fn facts(client: &reqwest::Client, uri: &str) -> Result<ImageFacts, String> {
    if let Some(rest) = uri.strip_prefix("data:") {
        return data_uri(rest);
    }
    if !(uri.starts_with("http://") || uri.starts_with("https://")) {
        return Err("not an http(s) URL or data URI".to_owned());
    }
    let response = client
        .get(uri)
        .send()
        .await
        .map_err(|e| format!("fetch failed: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("fetch answered HTTP {}", response.status()));
    }
    let declared = response.content_length();
    let mut stream = response.bytes_stream();
    let mut header = Vec::new();
    let mut total: u64 = 0;
    let mut size = None;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| format!("download failed: {e}"))?;
        total += chunk.len() as u64;
        if size.is_none() && header.len() < HEADER_LIMIT {
            header.extend_from_slice(&chunk);
            size = imagesize::blob_size(&header).ok();
        }
        if size.is_some() && declared.is_some() {
            break;
        }
    }
    let size = size.ok_or_else(|| "not a recognised image".to_owned())?;
    Ok(ImageFacts {
        width: size.width as u64,
        height: size.height as u64,
        file_size: declared.unwrap_or(total),
    })
}

/// Decodes the part of a data URI after `data:`. Accepted, and nothing else:
/// `image/<type>[;params];base64,<standard base64, padding optional>` and
/// `image/<type>[;params],<percent-encoded bytes>`. The URL-safe base64
/// alphabet (`-`, `_`) is refused.
fn data_uri(rest: &str) -> Result<ImageFacts, String> {
    let (header, payload) = rest
        .split_once(',')
        .ok_or_else(|| "data URI without a payload".to_owned())?;
    let (media, is_base64) = match header.strip_suffix(";base64") {
        Some(media) => (media, true),
        None => (header, false),
    };
    let mime = media.split(';').next().unwrap_or_default();
    match mime.strip_prefix("image/") {
        Some(subtype) if !subtype.is_empty() => {}
        _ => return Err(format!("data URI is not an image: {mime:?}")),
    }
    if payload.is_empty() {
        return Err("data URI with an empty payload".to_owned());
    }
    let bytes = if is_base64 {
        base64::engine::general_purpose::STANDARD
            .decode(payload)
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(payload))
            .map_err(|e| format!("bad base64: {e}"))?
    } else {
        unpercent(payload)?
    };
    let size = imagesize::blob_size(&bytes).map_err(|_| "not a recognised image".to_owned())?;
    Ok(ImageFacts {
        width: size.width as u64,
        height: size.height as u64,
        file_size: bytes.len() as u64,
    })
}

/// Percent-decoding: `%XX` is the byte XX, anything else stands for itself.
fn unpercent(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len());
    let mut parts = text.split('%');
    out.extend_from_slice(parts.next().unwrap_or_default().as_bytes());
    for part in parts {
        let hex = part
            .get(..2)
            .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| {
                format!(
                    "bad percent escape at %{}",
                    part.chars().take(2).collect::<String>()
                )
            })?;
        let byte = u8::from_str_radix(hex, 16).map_err(|e| format!("bad percent escape: {e}"))?;
        out.push(byte);
        out.extend_from_slice(&part.as_bytes()[2..]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::images::{ImageFormat, ImageSpec};

    #[test]
    fn base64_and_percent_encoded_data_uris_are_read() {
        let spec = ImageSpec::new(ImageFormat::Png, 640, 480);
        for uri in [spec.data_uri(), spec.percent_data_uri()] {
            let rest = uri.strip_prefix("data:").unwrap_or_default();
            let facts = data_uri(rest).unwrap_or_else(|e| panic!("{uri}: {e}"));
            assert_eq!((facts.width, facts.height), (640, 480), "{uri}");
            assert_eq!(facts.file_size, spec.total_size(), "{uri}");
        }
        // Parameters before `;base64`, and base64 without its padding.
        let base64 = spec.data_uri();
        let payload = base64.split_once(',').map(|(_, p)| p).unwrap_or_default();
        let unpadded = format!(
            "image/png;name=a.png;base64,{}",
            payload.trim_end_matches('=')
        );
        assert!(data_uri(&unpadded).is_ok());
    }

    #[test]
    fn url_safe_base64_and_non_images_are_refused() {
        // 0xFB 0xFF encodes as `+/8=` in the standard alphabet, `-_8=` URL-safe.
        let bytes = [0x89, b'P', b'N', b'G', 0xFB, 0xFF];
        let standard = base64::engine::general_purpose::STANDARD.encode(bytes);
        let url_safe = base64::engine::general_purpose::URL_SAFE.encode(bytes);
        assert_ne!(standard, url_safe);
        let err = data_uri(&format!("image/png;base64,{url_safe}")).unwrap_err();
        assert!(err.starts_with("bad base64"), "{err}");
        // The standard spelling decodes (then fails as a too-short image).
        let err = data_uri(&format!("image/png;base64,{standard}")).unwrap_err();
        assert_eq!(err, "not a recognised image");
        let png = ImageSpec::new(ImageFormat::Png, 10, 10).data_uri();
        let text = png.replacen("image/png", "text/plain", 1);
        assert!(data_uri(text.strip_prefix("data:").unwrap_or_default()).is_err());
        assert!(data_uri("image/png,%8").is_err());
        assert!(data_uri("image/png,").is_err());
    }
}
