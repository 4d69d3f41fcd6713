//! The traits generated code implements: a [`Vendor`] per vendor manifest
//! (`schemas/<vendor>/vendor.json`) and a [`Model`] per model schema.

use serde::Serialize;

use crate::validation::{ImageInput, ValidationErrors};

pub use seedance_dialect::Protocol;

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

/// A string that is not one of an enum's wire values (from `FromStr` or
/// deserialization of a generated enum).
///
/// Raising it costs one copy of the rejected text: the accepted values and
/// the "did you mean" are looked up when it is displayed (or asked for), so
/// code that tries a parse and moves on does not pay for the message.
#[derive(Clone)]
pub struct ParseEnumError {
    /// The enum's Rust name, e.g. `Resolution`.
    pub type_name: &'static str,
    /// The rejected text.
    pub value: String,
    /// The enum's wire values by index.
    nth: fn(usize) -> Option<&'static str>,
}

impl ParseEnumError {
    pub(crate) fn new(
        type_name: &'static str,
        value: &str,
        nth: fn(usize) -> Option<&'static str>,
    ) -> Self {
        ParseEnumError {
            type_name,
            value: value.to_owned(),
            nth,
        }
    }

    /// Every accepted wire value, in the enum's order.
    pub fn expected(&self) -> impl Iterator<Item = &'static str> + Clone + use<> {
        (0..).map_while(self.nth)
    }

    /// The accepted value closest to the rejected one, for "did you mean"
    /// hints; none for a number among numbers (`7` is not a typo of `5`,
    /// but `720` may well be one of `720p`).
    pub fn suggestion(&self) -> Option<&'static str> {
        crate::wire_enum::suggestion(&self.value, self.expected())
    }
}

impl std::fmt::Debug for ParseEnumError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParseEnumError")
            .field("type_name", &self.type_name)
            .field("value", &self.value)
            .field("expected", &self.expected().collect::<Vec<_>>())
            .finish()
    }
}

/// Equal when the enum name, the rejected text and the accepted values are.
impl PartialEq for ParseEnumError {
    fn eq(&self, other: &Self) -> bool {
        self.type_name == other.type_name
            && self.value == other.value
            && self.expected().eq(other.expected())
    }
}

impl Eq for ParseEnumError {}

impl std::fmt::Display for ParseEnumError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::wire_enum::describe_unknown(
            f,
            &self.value,
            crate::wire_enum::Shown::Text,
            self.type_name,
            self.expected(),
        )
    }
}

impl std::error::Error for ParseEnumError {}
