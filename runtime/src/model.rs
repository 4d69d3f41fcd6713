//! The traits generated code implements: a [`Vendor`] per vendor manifest
//! (`schemas/<vendor>/vendor.json`) and a [`Model`] per model schema.

use serde::Serialize;

use crate::validation::{ImageInput, ValidationErrors};

pub use seedance_dialect::Protocol;

/// Defined with the enum machinery that raises it; named here too, where
/// it always was.
pub use crate::wire_enum::ParseEnumError;

/// A hosted vendor, generated from `schemas/<vendor>/vendor.json`.
///
/// Implemented by a zero-sized marker type per vendor module, so a client is
/// typed by its vendor and only accepts that vendor's models.
pub trait Vendor: Send + Sync + 'static {
    /// Display name, e.g. `"RunComfy"`.
    const NAME: &'static str;
    /// Short id used in paths and on the command line, e.g. `"runcomfy"`.
    const ID: &'static str;
    /// Wire protocol.
    const PROTOCOL: Protocol;
    /// Production base URL (tests point the client at the simulator instead).
    const BASE_URL: &'static str;
    /// Environment variable holding the API token.
    const TOKEN_ENV: &'static str;
    /// The same facts as a value, for catalogs and tools.
    const INFO: VendorInfo = VendorInfo {
        name: Self::NAME,
        id: Self::ID,
        protocol: Self::PROTOCOL,
        base_url: Self::BASE_URL,
        token_env: Self::TOKEN_ENV,
    };
}

/// A vendor's manifest facts as a value (see [`Vendor`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VendorInfo {
    /// Display name.
    pub name: &'static str,
    /// Short id (`runcomfy`).
    pub id: &'static str,
    /// Wire protocol.
    pub protocol: Protocol,
    /// Production base URL.
    pub base_url: &'static str,
    /// Environment variable holding the token.
    pub token_env: &'static str,
}

/// A model input, generated from `schemas/<vendor>/<model path>.json`.
pub trait Model: Serialize + Send + Sync {
    /// The vendor this model is sold by; a client of another vendor rejects it
    /// at compile time.
    type Vendor: Vendor;
    /// The model path or id as the vendor names it, e.g.
    /// `"bytedance/seedance-1-0/pro/image-to-video"`.
    const MODEL: &'static str;
    /// Path of the submit request, relative to the vendor's base URL; codegen
    /// has already put the model into the vendor's `{model}` template.
    const SUBMIT_PATH: &'static str;

    /// Checks every local rule (lengths, counts, ranges, URL formats) without
    /// I/O and reports all violations together.
    fn validate(&self) -> Result<(), ValidationErrors>;

    /// The image references whose pixel, ratio and size rules need the image
    /// itself (checked by the runtime's prober before submit).
    #[doc(hidden)]
    fn image_inputs(&self) -> Vec<ImageInput<'_>>;
}

/// A model input whose type is chosen at run time (a command line, a
/// catalog): the object-safe face of [`Model`], implemented for every model.
pub trait ErasedModel: Send + Sync {
    /// [`Model::MODEL`].
    fn model(&self) -> &'static str;
    /// [`Model::SUBMIT_PATH`].
    fn submit_path(&self) -> &'static str;
    /// The vendor's facts.
    fn vendor(&self) -> VendorInfo;
    /// [`Model::validate`].
    fn validate(&self) -> Result<(), ValidationErrors>;
    /// [`Model::image_inputs`].
    #[doc(hidden)]
    fn image_inputs(&self) -> Vec<ImageInput<'_>>;
    /// The request body.
    fn to_body(&self) -> serde_json::Result<Vec<u8>>;
}

impl<M: Model> ErasedModel for M {
    fn model(&self) -> &'static str {
        M::MODEL
    }
    fn submit_path(&self) -> &'static str {
        M::SUBMIT_PATH
    }
    fn vendor(&self) -> VendorInfo {
        <M::Vendor as Vendor>::INFO
    }
    fn validate(&self) -> Result<(), ValidationErrors> {
        Model::validate(self)
    }
    fn image_inputs(&self) -> Vec<ImageInput<'_>> {
        Model::image_inputs(self)
    }
    fn to_body(&self) -> serde_json::Result<Vec<u8>> {
        serde_json::to_vec(self)
    }
}
