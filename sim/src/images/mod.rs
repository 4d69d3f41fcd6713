//! Test images: a valid header that `imagesize` reads, padded with zeros to
//! any file size, served lazily (big files cost nothing) with Range support.
//!
//! The spec travels in the URL:
//! `/sim/images/img.png?w=800&h=600&size=1000000&meta=70000&norange=1&hide=get`.

use std::collections::HashMap;

use axum::http::Method;
use base64::Engine as _;

mod headers;
pub(crate) mod serve;

use headers::{jpeg_header, png_header, webp_header};
pub(crate) use serve::serve;

/// Width and height of `/sim/images/img.png` when the URL gives no `w`/`h`:
/// inside every model's image rules (300-6000 px, ratio 0.4-2.5).
pub const DEFAULT_SIZE: (u32, u32) = (1280, 720);

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
        // Without `w`/`h`, a size every model's rules accept.
        let width = u32::try_from(number("w").unwrap_or(Some(DEFAULT_SIZE.0.into()))?).ok()?;
        let height = u32::try_from(number("h").unwrap_or(Some(DEFAULT_SIZE.1.into()))?).ok()?;
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

#[cfg(test)]
mod tests {
    use super::serve::{ByteRange, parse_range};
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
