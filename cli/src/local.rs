//! `@path` images: read and recognised before anything else, put in the
//! body as data URIs so the local checks and the image rules (the prober
//! decodes data URIs locally) see the real file, then made into what the
//! vendor takes (`Connection::local_image_reference`: uploaded for
//! WaveSpeed, a data URI for the AI/ML API, refused for RunComfy unless
//! `--allow-data-uri`).

use std::path::PathBuf;

use seedance_runtime::Connection;
use seedance_runtime::Protocol;
use seedance_runtime::media::{LocalImage, MediaOptions, MediaPolicy};
use serde_json::{Map, Value};

use crate::error::CliError;
use crate::input::set_at;

/// One `@path` of the body, read.
#[derive(Debug)]
pub struct Local {
    /// Field path (`image_url`, `images[1]`).
    pub field: String,
    /// The file as typed.
    pub path: PathBuf,
    /// Its content.
    pub image: LocalImage,
}

/// Reads every file, refuses them early when the vendor takes no local
/// images (RunComfy without `allow_data_uri`), and puts each in the body as
/// a data URI.
pub async fn read(
    files: Vec<(String, PathBuf)>,
    protocol: Protocol,
    vendor: &'static str,
    options: MediaOptions,
    body: &mut Map<String, Value>,
) -> Result<Vec<Local>, CliError> {
    let mut locals = Vec::new();
    for (field, path) in files {
        let image = LocalImage::read(&path).await?;
        if MediaPolicy::of(protocol) == MediaPolicy::UrlOnly && !options.allow_data_uri {
            return Err(CliError::DataUriNotAllowed {
                vendor,
                name: path.display().to_string(),
            });
        }
        set_at(body, &field, Value::String(image.data_uri()));
        locals.push(Local { field, path, image });
    }
    Ok(locals)
}

/// What goes in the body for each local image, in dry-run terms: the data
/// URI, or (for an upload) a placeholder naming the upload.
pub fn placeholder(local: &Local, protocol: Protocol) -> Option<String> {
    (MediaPolicy::of(protocol) == MediaPolicy::Upload).then(|| {
        format!(
            "<the download_url of the upload of {}>",
            local.path.display()
        )
    })
}

/// Replaces each data URI by what the vendor takes (uploading where that is
/// the vendor's way); returns the uploads made as `(field, url)`.
pub async fn deliver(
    conn: &Connection,
    locals: &[Local],
    options: MediaOptions,
    body: &mut Map<String, Value>,
) -> Result<Vec<(String, String)>, CliError> {
    let mut uploads = Vec::new();
    for local in locals {
        let value = conn.local_image_reference(&local.image, options).await?;
        if !value.starts_with("data:") {
            uploads.push((local.field.clone(), value.clone()));
        }
        set_at(body, &local.field, Value::String(value));
    }
    Ok(uploads)
}
