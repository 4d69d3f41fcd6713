//! Test images: real, decodable files of one flat colour at the asked
//! size (PNG, JPEG, WebP; each a few hundred bytes to a few KB, built per
//! request), padded to any file size in a way each format's decoders skip,
//! and served lazily (the padding is streamed zeros, so big files cost
//! nothing) with Range support.
//!
//! The spec travels in the URL:
//! `/sim/images/img.png?w=800&h=600&size=1000000&meta=70000&norange=1&hide=get`.

use std::collections::HashMap;

use axum::http::Method;
use base64::Engine as _;

mod bits;
mod crc;
mod file;
mod jpeg;
mod png;
pub(crate) mod serve;
mod webp;

use file::ImageFile;
pub(crate) use serve::serve;

/// The colour every test image is filled with (RGB).
const COLOUR: [u8; 3] = [61, 122, 184];

/// Width and height of `/sim/images/img.png` when the URL gives no `w`/`h`:
/// inside every model's image rules (300-6000 px, ratio 0.4-2.5).
pub const DEFAULT_SIZE: (u32, u32) = (1280, 720);

/// Image file formats the simulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// PNG: 1-bit palette, IHDR right after the signature.
    Png,
    /// Baseline JPEG: SOI, optional APP1 (EXIF) metadata, then SOF0. Width
    /// and height are limited to 65535.
    Jpeg,
    /// Lossless WebP: RIFF/WEBP with a VP8X chunk first, then VP8L
    /// (decodable up to 16384 px a side).
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
    /// Total file size in bytes; `None` is the image alone. A size below the
    /// image's own length gives that length (see [`ImageSpec::total_size`]).
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
    /// An image of `width` x `height` pixels, as small as its format allows.
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

    /// Pads the file to `bytes` in total (zeros where the format's decoders
    /// skip them).
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

    /// The file: the image, then its padding to [`file_size`](Self::file_size).
    pub(crate) fn file(&self) -> ImageFile {
        let image = match self.format {
            ImageFormat::Png => png::encode(self.width, self.height, COLOUR),
            ImageFormat::Jpeg => jpeg::encode(self.width, self.height, self.metadata, COLOUR),
            ImageFormat::Webp => webp::encode(self.width, self.height, COLOUR),
        };
        let extra = self
            .file_size
            .unwrap_or(0)
            .saturating_sub(image.len() as u64);
        if extra == 0 {
            return ImageFile::whole(image);
        }
        match self.format {
            ImageFormat::Png => png::pad(image, extra),
            ImageFormat::Jpeg => jpeg::pad(image, extra),
            ImageFormat::Webp => webp::pad(image, extra),
        }
    }

    /// The file's head: the image itself, up to where the padding's zeros
    /// start (a PNG's `IEND` and the padding chunk's CRC come after them).
    pub fn header(&self) -> Vec<u8> {
        self.file().head
    }

    /// The whole file size in bytes: [`file_size`](Self::file_size) when it
    /// leaves room for the image and its padding's framing (a PNG chunk
    /// takes 12 bytes, a WebP chunk 8 and an even size); otherwise the
    /// nearest size above that does. A PNG pads at most one 2 GiB chunk and
    /// a WebP to 4 GiB, their formats' limits.
    pub fn total_size(&self) -> u64 {
        self.file().len()
    }

    /// The whole file (allocates [`ImageSpec::total_size`] bytes).
    pub fn bytes(&self) -> Vec<u8> {
        self.file().to_vec()
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
    fn sizes_round_up_only_where_the_padding_needs_framing() {
        let natural = |format| ImageSpec::new(format, 640, 480).total_size();
        let total = |format, extra| {
            ImageSpec::new(format, 640, 480)
                .file_size(natural(format) + extra)
                .total_size()
                - natural(format)
        };
        assert_eq!(total(ImageFormat::Jpeg, 1), 1);
        assert_eq!(total(ImageFormat::Png, 5), 12);
        assert_eq!(total(ImageFormat::Png, 1001), 1001);
        assert_eq!(total(ImageFormat::Webp, 3), 8);
        assert_eq!(total(ImageFormat::Webp, 1001), 1002);
        assert_eq!(total(ImageFormat::Webp, 1000), 1000);
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
