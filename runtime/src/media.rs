//! Local images for image fields: an [`ImageSource`] (a URL, bytes or a
//! file) becomes the string a vendor accepts, each vendor the way it takes
//! it ([`MediaPolicy`]): WaveSpeed gets an upload to its media endpoint and
//! the upload's URL, the AI/ML API a Base64 data URI (its documents say
//! image fields take one), RunComfy a refusal, since its pages ask for
//! public HTTPS URLs, unless the caller opts into a data URI.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use seedance_runtime::{Connection, VendorInfo};
//! use seedance_runtime::media::{ImageSource, MediaOptions};
//! # fn wavespeed() -> VendorInfo { unimplemented!() }
//! let vendor: VendorInfo = wavespeed(); // the generated `seedance::wavespeed::Vendor::INFO`
//! let conn = Connection::builder(&vendor).token("token").build()?;
//! let url = conn
//!     .image_reference(ImageSource::path("photo.png"), MediaOptions::default())
//!     .await?; // uploaded: https://... (a data URI for the AI/ML API)
//! # let _ = url; Ok(()) }
//! ```

mod upload;

use std::path::{Path, PathBuf};

use base64::Engine as _;

use crate::{connection::Connection, error::Error};

// Each protocol says how it takes an image, so the policy lives with them.
pub use crate::protocol::MediaPolicy;
pub use upload::UPLOAD_PATH as WAVESPEED_UPLOAD_PATH;

/// An image for an image field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageSource {
    /// A URL (or data URI) the vendor can read: sent as it is.
    Url(String),
    /// Image bytes, with a file name for uploads (`image.png` when none).
    Bytes {
        /// The file's content.
        bytes: Vec<u8>,
        /// Its name, shown to the vendor on upload.
        name: Option<String>,
    },
    /// A local file, read when the reference is made.
    Path(PathBuf),
}

impl ImageSource {
    /// A URL or data URI.
    pub fn url(url: impl Into<String>) -> Self {
        ImageSource::Url(url.into())
    }

    /// Image bytes.
    pub fn bytes(bytes: impl Into<Vec<u8>>) -> Self {
        ImageSource::Bytes {
            bytes: bytes.into(),
            name: None,
        }
    }

    /// A local file.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        ImageSource::Path(path.into())
    }

    /// The bytes and a file name, reading a file; `None` for a URL.
    pub async fn load(&self) -> Result<Option<LocalImage>, MediaError> {
        match self {
            ImageSource::Url(_) => Ok(None),
            ImageSource::Bytes { bytes, name } => LocalImage::new(
                bytes.clone(),
                name.clone().unwrap_or_else(|| "image".to_owned()),
            )
            .map(Some),
            ImageSource::Path(path) => LocalImage::read(path).await.map(Some),
        }
    }
}

/// A local image, read and recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalImage {
    /// The file's content.
    pub bytes: Vec<u8>,
    /// The file name sent with an upload.
    pub name: String,
    /// `image/png`, `image/jpeg`, ... from the first bytes.
    pub mime: &'static str,
}

impl LocalImage {
    /// Recognises `bytes` as an image (by content, not by name).
    pub fn new(bytes: Vec<u8>, name: impl Into<String>) -> Result<Self, MediaError> {
        let name = name.into();
        let mime =
            sniff_mime(&bytes).ok_or_else(|| MediaError::NotAnImage { name: name.clone() })?;
        Ok(LocalImage { bytes, name, mime })
    }

    /// Reads and recognises a file.
    pub async fn read(path: &Path) -> Result<Self, MediaError> {
        let bytes = tokio::fs::read(path)
            .await
            .map_err(|source| MediaError::Read {
                path: path.to_owned(),
                source,
            })?;
        let name = path
            .file_name()
            .map_or_else(|| "image".to_owned(), |n| n.to_string_lossy().into_owned());
        LocalImage::new(bytes, name).map_err(|_| MediaError::NotAnImage {
            name: path.display().to_string(),
        })
    }

    /// `data:<mime>;base64,...`: checked locally by the prober like any data URI.
    pub fn data_uri(&self) -> String {
        format!(
            "data:{};base64,{}",
            self.mime,
            base64::engine::general_purpose::STANDARD.encode(&self.bytes)
        )
    }
}

/// The media type of image bytes, from their signature; `None` when they
/// are not one of the formats the vendors take.
pub fn sniff_mime(bytes: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if starts(b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Some("image/webp")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("image/gif")
    } else if starts(b"BM") {
        Some("image/bmp")
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        Some("image/tiff")
    } else {
        None
    }
}

/// How a local image may travel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MediaOptions {
    /// Send a data URI even to a vendor whose documents ask for public URLs
    /// (RunComfy). Off by default: the vendor may refuse it after billing.
    pub allow_data_uri: bool,
}

/// Why a local image could not be made into a field value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not a jpeg, png, webp, bmp, tiff or gif image.
    #[error("{name} is not a jpeg, png, webp, bmp, tiff or gif image")]
    NotAnImage {
        /// The file or name.
        name: String,
    },
    /// The vendor documents public URLs only.
    #[error(
        "{vendor} takes images as public HTTPS URLs, not local files: put {name} online and \
         pass its URL, or opt into sending it as a data URI (undocumented for {vendor}: it \
         may be refused after the job is billed)"
    )]
    UrlOnly {
        /// Vendor display name.
        vendor: &'static str,
        /// The file.
        name: String,
    },
    /// The upload failed (the vendor's answer or the network).
    #[error("uploading {name} failed: {source}")]
    Upload {
        /// The file.
        name: String,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
}

impl Connection {
    /// The string to put in an image field for `source`: a URL as it is;
    /// a local image per the vendor's [`MediaPolicy`] (uploaded for
    /// WaveSpeed, a data URI for the AI/ML API, refused for RunComfy unless
    /// `options.allow_data_uri`).
    pub async fn image_reference(
        &self,
        source: ImageSource,
        options: MediaOptions,
    ) -> Result<String, MediaError> {
        let image = match source {
            ImageSource::Url(url) => return Ok(url),
            other => match other.load().await? {
                Some(image) => image,
                None => return Err(MediaError::NotAnImage { name: "?".into() }),
            },
        };
        self.local_image_reference(&image, options).await
    }

    /// [`image_reference`](Self::image_reference) of an image already read.
    pub async fn local_image_reference(
        &self,
        image: &LocalImage,
        options: MediaOptions,
    ) -> Result<String, MediaError> {
        match MediaPolicy::of(self.protocol()) {
            MediaPolicy::Upload => self.upload(image).await,
            MediaPolicy::DataUri => Ok(image.data_uri()),
            MediaPolicy::UrlOnly if options.allow_data_uri => Ok(image.data_uri()),
            MediaPolicy::UrlOnly => Err(MediaError::UrlOnly {
                vendor: self.vendor(),
                name: image.name.clone(),
            }),
        }
    }

    /// Uploads an image to the vendor's media endpoint and returns its
    /// URL. Only WaveSpeed has one (the [`MediaPolicy::Upload`] vendor);
    /// other vendors answer [`MediaError::UrlOnly`].
    pub async fn upload(&self, image: &LocalImage) -> Result<String, MediaError> {
        match MediaPolicy::of(self.protocol()) {
            MediaPolicy::Upload => upload::wavespeed(self, image).await,
            _ => Err(MediaError::UrlOnly {
                vendor: self.vendor(),
                name: image.name.clone(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_recognised_by_content() {
        assert_eq!(sniff_mime(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(sniff_mime(b"\xff\xd8\xff\xe0"), Some("image/jpeg"));
        assert_eq!(sniff_mime(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff_mime(b"hello"), None);
    }

    #[test]
    fn data_uri_carries_the_sniffed_type() {
        let image = LocalImage::new(b"GIF89a..".to_vec(), "a.gif").expect("gif");
        assert_eq!(image.data_uri(), "data:image/gif;base64,R0lGODlhLi4=");
        assert!(LocalImage::new(b"text".to_vec(), "a.txt").is_err());
    }

    #[tokio::test]
    async fn runcomfy_refuses_local_files_unless_opted_in() {
        let vendor = crate::model::VendorInfo {
            name: "RunComfy",
            id: "runcomfy",
            protocol: crate::model::Protocol::RunComfy,
            base_url: "http://127.0.0.1:9",
            token_env: "RUNCOMFY_API_TOKEN",
        };
        let conn = Connection::builder(&vendor)
            .token("t")
            .build()
            .expect("conn");
        let image = LocalImage::new(b"GIF89a..".to_vec(), "a.gif").expect("gif");
        let err = conn
            .local_image_reference(&image, MediaOptions::default())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("public HTTPS URLs"), "{err}");
        let allowed = MediaOptions {
            allow_data_uri: true,
        };
        let uri = conn
            .local_image_reference(&image, allowed)
            .await
            .expect("data uri");
        assert!(uri.starts_with("data:image/gif;base64,"));
    }
}
