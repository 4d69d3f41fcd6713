//! Test images: a valid header that `imagesize` reads, padded with zeros to
//! any file size, served lazily (big files cost nothing) with Range support.
//!
//! The spec travels in the URL:
//! `/sim/images/img.png?w=800&h=600&size=1000000&meta=70000&norange=1&hide=get`.

use std::collections::HashMap;
use std::io;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query};
use axum::http::header::{ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, RANGE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

/// Chunk size of the streamed padding.
const CHUNK: usize = 64 * 1024;
static ZEROS: [u8; CHUNK] = [0; CHUNK];

/// Image file formats the simulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// PNG: signature and IHDR (with a correct CRC).
    Png,
    /// JPEG: SOI, optional APP1 (EXIF) metadata, SOF0. Width and height are
    /// limited to 65535.
    Jpeg,
    /// WebP: RIFF/WEBP with a VP8X chunk.
    Webp,
}

impl ImageFormat {
    /// Every format.
    pub const ALL: [ImageFormat; 3] = [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::Webp];

    /// File extension used in URLs.
    pub const fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Webp => "webp",
        }
    }

    /// MIME type.
    pub const fn mime(self) -> &'static str {
        match self {
            ImageFormat::Png => "image/png",
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Webp => "image/webp",
        }
    }

    /// The format of a file extension (`png`, `jpg`/`jpeg`, `webp`).
    pub fn from_extension(extension: &str) -> Option<Self> {
        match extension.to_ascii_lowercase().as_str() {
            "png" => Some(ImageFormat::Png),
            "jpg" | "jpeg" => Some(ImageFormat::Jpeg),
            "webp" => Some(ImageFormat::Webp),
            _ => None,
        }
    }
}

/// Which answers leave out the file's total size, as servers that generate
/// or proxy files on the fly do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum HideSize {
    /// Every answer tells the size (the default).
    #[default]
    Nowhere,
    /// GET answers do not (`Content-Range: bytes a-b/*`, a 200 sent chunked
    /// without `Content-Length`); a HEAD and a suffix range (`bytes=-N`) do.
    Get,
    /// GET and HEAD answers do not; only a suffix range does.
    GetAndHead,
    /// No answer does.
    Everywhere,
}

impl HideSize {
    /// The URL spelling (`hide=`), `None` for [`HideSize::Nowhere`].
    const fn as_query(self) -> Option<&'static str> {
        match self {
            HideSize::Nowhere => None,
            HideSize::Get => Some("get"),
            HideSize::GetAndHead => Some("head"),
            HideSize::Everywhere => Some("all"),
        }
    }

    fn from_query(value: &str) -> Option<Self> {
        match value {
            "get" => Some(HideSize::Get),
            "head" => Some(HideSize::GetAndHead),
            "all" => Some(HideSize::Everywhere),
            _ => None,
        }
    }

    /// Whether an answer to this request leaves the size out.
    fn hides(self, method: &Method, suffix_range: bool) -> bool {
        match self {
            HideSize::Nowhere => false,
            HideSize::Get => method != Method::HEAD && !suffix_range,
            HideSize::GetAndHead => !suffix_range,
            HideSize::Everywhere => true,
        }
    }
}

/// A test image: format, dimensions, total file size, JPEG metadata size,
/// whether the server ignores `Range` and where it hides the file size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSpec {
    /// File format.
    pub format: ImageFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Total file size in bytes; `None` is the header alone. A size below the
    /// header length gives the header length.
    pub file_size: Option<u64>,
    /// Bytes of APP1 (EXIF) metadata before the JPEG frame header (ignored
    /// for other formats).
    pub metadata: usize,
    /// When set, the server answers 200 with the whole body even to a Range
    /// request.
    pub ignore_range: bool,
    /// Answers that leave out the total size.
    pub hide_size: HideSize,
}

impl ImageSpec {
    /// An image of `width` x `height` pixels, as small as its header.
    pub fn new(format: ImageFormat, width: u32, height: u32) -> Self {
        ImageSpec {
            format,
            width,
            height,
            file_size: None,
            metadata: 0,
            ignore_range: false,
            hide_size: HideSize::Nowhere,
        }
    }

    /// Pads the file with zeros to `bytes` in total.
    pub fn file_size(mut self, bytes: u64) -> Self {
        self.file_size = Some(bytes);
        self
    }

    /// JPEG only: puts `bytes` of APP1 (EXIF) metadata before the frame
    /// header (split into several segments past 65,525 bytes).
    pub fn metadata(mut self, bytes: usize) -> Self {
        self.metadata = bytes;
        self
    }

    /// Makes the server ignore `Range` and always answer 200 with everything.
    pub fn ignore_range(mut self) -> Self {
        self.ignore_range = true;
        self
    }

    /// Makes the server leave the total size out of the answers `hide`
    /// names.
    pub fn hide_size(mut self, hide: HideSize) -> Self {
        self.hide_size = hide;
        self
    }

    /// The file's header: everything before the zero padding.
    pub fn header(&self) -> Vec<u8> {
        match self.format {
            ImageFormat::Png => png_header(self.width, self.height),
            ImageFormat::Jpeg => jpeg_header(self.width, self.height, self.metadata),
            ImageFormat::Webp => webp_header(self.width, self.height, self.total_size()),
        }
    }

    fn header_len(&self) -> u64 {
        match self.format {
            ImageFormat::Png => 33,
            ImageFormat::Jpeg => jpeg_header(1, 1, self.metadata).len() as u64,
            ImageFormat::Webp => 30,
        }
    }

    /// The whole file size in bytes.
    pub fn total_size(&self) -> u64 {
        self.file_size.unwrap_or(0).max(self.header_len())
    }

    /// The whole file (allocates [`ImageSpec::total_size`] bytes).
    pub fn bytes(&self) -> Vec<u8> {
        let mut bytes = self.header();
        let total = usize::try_from(self.total_size()).unwrap_or(usize::MAX);
        bytes.resize(total, 0);
        bytes
    }

    /// The file as a `data:image/...;base64,` URI.
    pub fn data_uri(&self) -> String {
        format!(
            "data:{};base64,{}",
            self.format.mime(),
            base64::engine::general_purpose::STANDARD.encode(self.bytes())
        )
    }

    /// The file as a percent-encoded (not base64) `data:image/...,` URI:
    /// unreserved ASCII bytes as they are, every other byte as `%XX`.
    pub fn percent_data_uri(&self) -> String {
        let mut uri = format!("data:{},", self.format.mime());
        for byte in self.bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                uri.push(char::from(byte));
            } else {
                uri.push_str(&format!("%{byte:02X}"));
            }
        }
        uri
    }

    /// Path and query under the simulator's base URL.
    pub fn path(&self) -> String {
        let mut path = format!(
            "/sim/images/img.{}?w={}&h={}",
            self.format.extension(),
            self.width,
            self.height
        );
        if let Some(size) = self.file_size {
            path.push_str(&format!("&size={size}"));
        }
        if self.metadata > 0 {
            path.push_str(&format!("&meta={}", self.metadata));
        }
        if self.ignore_range {
            path.push_str("&norange=1");
        }
        if let Some(hide) = self.hide_size.as_query() {
            path.push_str(&format!("&hide={hide}"));
        }
        path
    }

    /// Parses what [`ImageSpec::path`] wrote.
    fn from_request(name: &str, query: &HashMap<String, String>) -> Option<Self> {
        let (_, extension) = name.rsplit_once('.')?;
        let format = ImageFormat::from_extension(extension)?;
        let number = |key: &str| query.get(key).map(|v| v.parse::<u64>().ok());
        let width = u32::try_from(number("w")??).ok()?;
        let height = u32::try_from(number("h")??).ok()?;
        let mut spec = ImageSpec::new(format, width, height);
        if let Some(size) = number("size") {
            spec.file_size = Some(size?);
        }
        if let Some(meta) = number("meta") {
            spec.metadata = usize::try_from(meta?).ok()?;
        }
        spec.ignore_range = query
            .get("norange")
            .is_some_and(|v| v == "1" || v == "true");
        if let Some(hide) = query.get("hide") {
            spec.hide_size = HideSize::from_query(hide)?;
        }
        Some(spec)
    }
}

fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend_from_slice(&13u32.to_be_bytes());
    let chunk_start = out.len();
    out.extend_from_slice(b"IHDR");
    out.extend_from_slice(&width.to_be_bytes());
    out.extend_from_slice(&height.to_be_bytes());
    // Bit depth 8, colour type 6 (RGBA), deflate, adaptive filter, no interlace.
    out.extend_from_slice(&[8, 6, 0, 0, 0]);
    let crc = crc32(&out[chunk_start..]);
    out.extend_from_slice(&crc.to_be_bytes());
    out
}

fn jpeg_header(width: u32, height: u32, metadata: usize) -> Vec<u8> {
    const MAX_SEGMENT_PAYLOAD: usize = 65_533;
    const EXIF_ID: &[u8] = b"Exif\0\0";
    let mut out = vec![0xFF, 0xD8];
    let mut left = metadata;
    while left > 0 {
        let payload = left.min(MAX_SEGMENT_PAYLOAD);
        out.extend_from_slice(&[0xFF, 0xE1]);
        let length = u16::try_from(payload + 2).unwrap_or(u16::MAX);
        out.extend_from_slice(&length.to_be_bytes());
        let id = EXIF_ID.len().min(payload);
        out.extend_from_slice(&EXIF_ID[..id]);
        out.resize(out.len() + payload - id, 0);
        left -= payload;
    }
    let w = u16::try_from(width).unwrap_or(u16::MAX);
    let h = u16::try_from(height).unwrap_or(u16::MAX);
    // SOF0: length 17, precision 8, height, width, 3 components.
    out.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
    out.extend_from_slice(&h.to_be_bytes());
    out.extend_from_slice(&w.to_be_bytes());
    out.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    out
}

fn webp_header(width: u32, height: u32, total: u64) -> Vec<u8> {
    let mut out = b"RIFF".to_vec();
    let riff_size = u32::try_from(total.saturating_sub(8)).unwrap_or(u32::MAX);
    out.extend_from_slice(&riff_size.to_le_bytes());
    out.extend_from_slice(b"WEBPVP8X");
    out.extend_from_slice(&10u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    let w = width.clamp(1, 1 << 24) - 1;
    let h = height.clamp(1, 1 << 24) - 1;
    out.extend_from_slice(&w.to_le_bytes()[..3]);
    out.extend_from_slice(&h.to_le_bytes()[..3]);
    out
}

/// CRC-32 (IEEE), bitwise: only ever run over 17 bytes.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// A parsed `Range` header against a file of `total` bytes.
#[derive(Debug, PartialEq, Eq)]
enum ByteRange {
    /// No usable range: the whole file.
    Full,
    /// Inclusive byte range.
    Part(u64, u64),
    /// Outside the file: 416.
    Unsatisfiable,
}

fn parse_range(value: Option<&str>, total: u64) -> ByteRange {
    let Some(spec) = value.and_then(|v| v.trim().strip_prefix("bytes=")) else {
        return ByteRange::Full;
    };
    if spec.contains(',') {
        return ByteRange::Full;
    }
    let Some((start, end)) = spec.split_once('-') else {
        return ByteRange::Full;
    };
    let (start, end) = (start.trim(), end.trim());
    if start.is_empty() {
        let Ok(suffix) = end.parse::<u64>() else {
            return ByteRange::Full;
        };
        if suffix == 0 || total == 0 {
            return ByteRange::Unsatisfiable;
        }
        return ByteRange::Part(total.saturating_sub(suffix), total - 1);
    }
    let Ok(start) = start.parse::<u64>() else {
        return ByteRange::Full;
    };
    let end = if end.is_empty() {
        total.saturating_sub(1)
    } else {
        match end.parse::<u64>() {
            Ok(end) if end >= start => end.min(total.saturating_sub(1)),
            _ => return ByteRange::Full,
        }
    };
    if start >= total {
        return ByteRange::Unsatisfiable;
    }
    ByteRange::Part(start, end)
}

/// Bytes `start..end` (exclusive) of a file made of `header` then zeros,
/// streamed in chunks.
fn stream_body(header: Bytes, start: u64, end: u64) -> Body {
    let stream = futures_util::stream::unfold(start, move |offset| {
        let header = header.clone();
        async move {
            if offset >= end {
                return None;
            }
            let header_len = header.len() as u64;
            let chunk = if offset < header_len {
                let stop = end.min(header_len);
                header.slice(offset as usize..stop as usize)
            } else {
                let len = (end - offset).min(CHUNK as u64) as usize;
                Bytes::from_static(&ZEROS[..len])
            };
            let next = offset + chunk.len() as u64;
            Some((Ok::<Bytes, io::Error>(chunk), next))
        }
    });
    Body::from_stream(stream)
}

/// `GET /sim/images/{name}` (and `HEAD`): the image described by the URL.
pub(crate) async fn serve(
    method: Method,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some(spec) = ImageSpec::from_request(&name, &query) else {
        return (
            StatusCode::NOT_FOUND,
            "unknown image: use /sim/images/img.{png,jpg,webp}?w=..&h=..[&size=..][&meta=..][&norange=1][&hide=get|head|all]",
        )
            .into_response();
    };
    let total = spec.total_size();
    let header = Bytes::from(spec.header());
    let range_header = headers.get(RANGE).and_then(|value| value.to_str().ok());
    let range = if spec.ignore_range {
        ByteRange::Full
    } else {
        parse_range(range_header, total)
    };
    let suffix_range =
        !spec.ignore_range && range_header.is_some_and(|value| value.trim().starts_with("bytes=-"));
    let hidden = spec.hide_size.hides(&method, suffix_range);
    let total_text = if hidden {
        "*".to_owned()
    } else {
        total.to_string()
    };
    let mut builder = Response::builder().header(CONTENT_TYPE, spec.format.mime());
    if !spec.ignore_range {
        builder = builder.header(ACCEPT_RANGES, "bytes");
    }
    let response = match range {
        // Without a Content-Length the body goes out chunked.
        ByteRange::Full if hidden => builder
            .status(StatusCode::OK)
            .body(stream_body(header, 0, total)),
        ByteRange::Full => builder
            .status(StatusCode::OK)
            .header(CONTENT_LENGTH, total)
            .body(stream_body(header, 0, total)),
        ByteRange::Part(start, end) => builder
            .status(StatusCode::PARTIAL_CONTENT)
            .header(CONTENT_LENGTH, end + 1 - start)
            .header(CONTENT_RANGE, format!("bytes {start}-{end}/{total_text}"))
            .body(stream_body(header, start, end + 1)),
        ByteRange::Unsatisfiable if hidden => builder
            .status(StatusCode::RANGE_NOT_SATISFIABLE)
            .body(Body::empty()),
        ByteRange::Unsatisfiable => builder
            .status(StatusCode::RANGE_NOT_SATISFIABLE)
            .header(CONTENT_RANGE, format!("bytes */{total}"))
            .body(Body::empty()),
    };
    response.unwrap_or_else(|_| {
        let mut fallback = StatusCode::INTERNAL_SERVER_ERROR.into_response();
        fallback
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        fallback
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_read_back() {
        for format in ImageFormat::ALL {
            let spec = ImageSpec::new(format, 1234, 567).metadata(70_000);
            let size = imagesize::blob_size(&spec.bytes()).unwrap_or_else(|e| panic!("{e:?}"));
            assert_eq!((size.width, size.height), (1234, 567), "{format:?}");
        }
    }

    #[test]
    fn png_crc_is_correct() {
        // The IHDR CRC of a 1x1 RGBA image, from a real encoder.
        let header = png_header(1, 1);
        assert_eq!(&header[29..33], &[0x1f, 0x15, 0xc4, 0x89]);
    }

    #[test]
    fn ranges() {
        assert_eq!(
            parse_range(Some("bytes=0-99"), 1000),
            ByteRange::Part(0, 99)
        );
        assert_eq!(
            parse_range(Some("bytes=0-99999"), 1000),
            ByteRange::Part(0, 999)
        );
        assert_eq!(
            parse_range(Some("bytes=-10"), 1000),
            ByteRange::Part(990, 999)
        );
        assert_eq!(
            parse_range(Some("bytes=10-"), 1000),
            ByteRange::Part(10, 999)
        );
        assert_eq!(
            parse_range(Some("bytes=1000-"), 1000),
            ByteRange::Unsatisfiable
        );
        assert_eq!(parse_range(None, 1000), ByteRange::Full);
    }

    #[test]
    fn specs_round_trip_through_urls() {
        let spec = ImageSpec::new(ImageFormat::Webp, 10, 20)
            .file_size(5000)
            .metadata(3)
            .ignore_range()
            .hide_size(HideSize::GetAndHead);
        let path = spec.path();
        let (name, query) = path
            .trim_start_matches("/sim/images/")
            .split_once('?')
            .unwrap_or_default();
        let query: HashMap<String, String> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(ImageSpec::from_request(name, &query), Some(spec));
    }
}
