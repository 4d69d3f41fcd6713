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

// What generated code, the command line, tests and benchmarks use but users
// need not read: public for them, hidden from the docs (as progenitor-client
// does). Users read the items re-exported at the root.
#[cfg(feature = "catalog")]
pub mod catalog;
#[doc(hidden)]
pub mod de;
#[doc(hidden)]
pub mod destination;
#[doc(hidden)]
pub mod field_info;
#[doc(hidden)]
pub mod image_rules;
#[cfg(feature = "catalog")]
pub mod interpret;
#[doc(hidden)]
pub mod media;
#[doc(hidden)]
pub mod model;
#[doc(hidden)]
pub mod suggest;
#[doc(hidden)]
pub mod validation;
#[doc(hidden)]
pub mod wire_enum;

mod body_hash;
mod budget;
mod builder;
mod client;
mod clock;
mod connection;
mod deadline;
mod download;
mod error;
mod job;
mod outfile;
mod output;
mod poll;
mod price;
mod prober;
mod protocol;
mod retry;
mod secret;
mod state;
mod submit;
mod wait;

pub use body_hash::{body_hash, sha256_hex};
pub use builder::ClientBuilder;
pub use client::Client;
pub use connection::Connection;
pub use error::{ApiError, Error, SubmitAttempt};
pub use job::Job;
pub use model::{ErasedModel, Model, ParseEnumError, Protocol, Vendor, VendorInfo};
pub use output::Output;
pub use price::{
    ParseUsdError, Price, PriceSource, Pricer, Quote, UnknownPrice, Usd, reported_cost,
};
pub use prober::ProbeReport;
pub use protocol::CancelOutcome;
pub use state::{JobState, JobStatus};
pub use submit::SubmitOptions;
pub use validation::{ValidationErrors, Violation};
pub use wait::{Progress, WaitOptions};

#[doc(hidden)]
pub use budget::RateLimit;
#[doc(hidden)]
pub use clock::Clock;
#[doc(hidden)]
pub use download::DownloadOptions;
#[doc(hidden)]
pub use error::causes;
#[doc(hidden)]
pub use outfile::Destination;
#[doc(hidden)]
pub use poll::PollPolicy;
#[doc(hidden)]
pub use prober::{ImageProbe, ProbeConfig, ProbeError, Prober};
#[doc(hidden)]
pub use retry::RetryPolicy;
#[doc(hidden)]
pub use secret::Secret;
#[doc(hidden)]
pub use validation::{
    FieldPath, ImageFacts, ImageInput, ImageRule, ImageRuleKind, Rule, Validator,
};
