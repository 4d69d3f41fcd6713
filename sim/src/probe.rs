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

fn data_uri(rest: &str) -> Result<ImageFacts, String> {
    let (header, payload) = rest
        .split_once(',')
        .ok_or_else(|| "data URI without a payload".to_owned())?;
    if !header.ends_with(";base64") {
        return Err("data URI is not base64".to_owned());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(payload))
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(payload))
        .map_err(|e| format!("bad base64: {e}"))?;
    let size = imagesize::blob_size(&bytes).map_err(|_| "not a recognised image".to_owned())?;
    Ok(ImageFacts {
        width: size.width as u64,
        height: size.height as u64,
        file_size: bytes.len() as u64,
    })
}
