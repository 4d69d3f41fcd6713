//! Runtime support for the generated `seedance` crate: the traits that bind a
//! generated model to its vendor, local validation support, the HTTP
//! transport, the three vendor protocols and job tracking.
//!
//! This crate never knows a model: models live in generated code only.
//!
//! ```no_run
//! # async fn demo<V: seedance_runtime::Vendor, M: seedance_runtime::Model<Vendor = V>>(input: M)
//! # -> Result<(), seedance_runtime::Error> {
//! let client = seedance_runtime::Client::<V>::from_env()?;
//! let job = client.submit(&input).await?; // checks every rule first
//! println!("job {}", job.id());           // known before any polling
//! let output = job.wait().await?;
//! output.download("out.mp4").await?;
//! # Ok(()) }
//! ```

// What generated code and the command line use but users need not read:
// public for them, hidden from the docs (as progenitor-client does).
#[doc(hidden)]
pub mod de;
pub mod field_info;
#[doc(hidden)]
pub mod image_rules;
pub mod media;
pub mod model;
#[doc(hidden)]
pub mod suggest;
pub mod validation;
#[doc(hidden)]
pub mod wire_enum;

mod budget;
mod client;
mod connection;
mod deadline;
mod download;
mod error;
mod job;
mod outfile;
mod output;
mod poll;
mod prober;
mod protocol;
mod retry;
mod secret;
mod state;
mod submit;
mod wait;

pub use model::{ErasedModel, Model, ParseEnumError, Protocol, Vendor, VendorInfo};
pub use validation::{
    FieldPath, ImageFacts, ImageInput, ImageRule, ImageRuleKind, Rule, ValidationErrors, Validator,
    Violation,
};

pub use budget::RateLimit;
pub use client::{Client, ClientBuilder};
pub use connection::{Config, Connection};
pub use download::DownloadOptions;
pub use error::{ApiError, Error, SubmitAttempt, causes};
pub use job::{CancelOutcome, Job};
pub use outfile::Destination;
pub use output::Output;
pub use poll::PollPolicy;
pub use prober::{ImageProbe, ProbeConfig, ProbeError, ProbeReport, Prober};
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use state::{JobState, JobStatus};
pub use submit::SubmitOptions;
pub use wait::{Progress, WaitOptions};
