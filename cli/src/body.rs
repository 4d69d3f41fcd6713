//! The one way a request body is built from a model's input, shared by
//! `seedance run` (fields from `--input` and `--set`) and every `seedance
//! batch` line: field types and enums checked, `const` fields filled (the
//! AI/ML API's `model`), `@path` images read, `--sim` media rewrites,
//! required fields, the generated type (through the catalog's untyped
//! `parse`, the library's path for bodies built at run time).
//!
//! Two steps, because sending a local image the vendor's way costs a
//! request (a WaveSpeed upload) that must come after every check, and a
//! batch line the journal already has must not upload again:
//! [`prepare`] checks and reads, [`Prepared::deliver`] sends.

use std::path::Path;

use seedance::catalog::ModelInfo;
use seedance_runtime::media::MediaOptions;
use seedance_runtime::{Connection, ErasedModel};
use serde_json::{Map, Value};

use crate::confine::confine;
use crate::error::CliError;
use crate::input::{self, InputError};
use crate::local::{self, Local};
use crate::schema::{Field, full_name};
use crate::sim::{Simulator, media};

/// Where the pieces of a body come from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sources<'a> {
    /// The folder `@path` images are relative to and confined to (a batch
    /// file's folder; see `crate::confine`); `None`: paths as typed (`run`,
    /// whose user typed them).
    pub media_root: Option<&'a Path>,
    /// How local images may travel.
    pub media: MediaOptions,
    /// The simulator whose test images replace foreign image URLs.
    pub sim: Option<&'a Simulator>,
}

/// A body that passed every check that needs no network.
pub struct Prepared {
    info: &'static ModelInfo,
    name: String,
    media: MediaOptions,
    /// The fields (local images as data URIs until delivered).
    pub body: Map<String, Value>,
    /// The `@path` images read, in field order.
    pub locals: Vec<Local>,
    /// The body as the model's generated type (`validate()` not yet run:
    /// `run` reports its violations with the image rules').
    pub model: Box<dyn ErasedModel>,
    /// One note per `--sim` media rewrite.
    pub sim_notes: Vec<String>,
}

/// Checks and completes `input` for the model, reads its local images and
/// applies `--sim` (see the module docs).
pub async fn prepare(
    info: &'static ModelInfo,
    fields: &[Field],
    mut body: Map<String, Value>,
    sources: &Sources<'_>,
) -> Result<Prepared, CliError> {
    let name = full_name(info);
    input::complete(&name, fields, &mut body)?;
    let mut files = input::local_files(fields, &body)?;
    if let Some(root) = sources.media_root {
        for (field, path) in &mut files {
            *path = confine(root, path).map_err(|source| InputError::Confined {
                field: field.clone(),
                path: path.display().to_string(),
                source,
            })?;
        }
    }
    let (protocol, vendor) = (info.vendor.protocol, info.vendor.name);
    let locals = local::read(files, protocol, vendor, sources.media, &mut body).await?;
    let sim_notes = match sources.sim {
        Some(sim) => media::prepare(sim, fields, &mut body),
        None => Vec::new(),
    };
    input::check_required(&name, fields, &body)?;
    let model = parse(info, &name, &body)?;
    Ok(Prepared {
        info,
        name,
        media: sources.media,
        body,
        locals,
        model,
        sim_notes,
    })
}

impl Prepared {
    /// The model's `vendor/model` name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Sends each local image the vendor's way (uploaded for WaveSpeed, a
    /// data URI for the AI/ML API) and re-types the body; returns the
    /// uploads made as `(field, url)`. Nothing is sent without local images.
    pub async fn deliver(&mut self, conn: &Connection) -> Result<Vec<(String, String)>, CliError> {
        if self.locals.is_empty() {
            return Ok(Vec::new());
        }
        let uploads = local::deliver(conn, &self.locals, self.media, &mut self.body).await?;
        self.model = parse(self.info, &self.name, &self.body)?;
        Ok(uploads)
    }

    /// The submit path (codegen and the catalog converter fill the model
    /// in) and the exact bytes to POST.
    pub fn request(&self) -> Result<(String, Vec<u8>), CliError> {
        let path = self.model.submit_path().to_owned();
        let bytes = self
            .model
            .to_body()
            .map_err(|err| CliError::Http(format!("cannot serialise the input: {err}")))?;
        Ok((path, bytes))
    }
}

/// The body as the model's generated type (serde names the field at fault).
fn parse(
    info: &ModelInfo,
    name: &str,
    body: &Map<String, Value>,
) -> Result<Box<dyn ErasedModel>, CliError> {
    crate::catalog_models::parse(info, Value::Object(body.clone())).map_err(|source| {
        CliError::from(InputError::Rejected {
            model: name.to_owned(),
            source,
        })
    })
}
