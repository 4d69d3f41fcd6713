//! `seedance-sim`: a local, faithful fake of the three hosted Seedance APIs
//! (RunComfy, AI/ML API, WaveSpeed AI) that every test of the project talks to.
//!
//! One [`Sim`] is one axum server on `127.0.0.1` speaking all three protocols
//! on one port (their paths do not collide). Each instance has its own jobs,
//! job timing, injected faults and request counts, so tests can run in
//! parallel, each with its own simulator.
//!
//! ```no_run
//! # async fn demo() {
//! use seedance_sim::{ImageFormat, ImageSpec, JobTiming, Outcome, Route, Fault, Sim};
//! let sim = Sim::start().await;
//! let image = sim.image_url(&ImageSpec::new(ImageFormat::Jpeg, 1280, 720).file_size(2_000_000));
//! sim.set_timing(JobTiming { queued_polls: 2, running_polls: 1, outcome: Outcome::Succeed });
//! sim.inject(Route::Status, Fault::TooManyRequests { retry_after_secs: 1 }, 1);
//! // ... point a client at sim.base_url() with seedance_sim::TOKEN ...
//! assert_eq!(sim.count(Route::Submit), 0);
//! // A vendor that published a new model: served by its catalog, accepted at submit.
//! let schema = serde_json::json!({ "type": "object", "properties": { "prompt": { "type": "string" } } });
//! sim.catalog().set_schema(seedance_sim::Vendor::WaveSpeed, "acme/new-model", schema).unwrap();
//! # }
//! ```
//!
//! Inputs are validated by [`schema`], an interpreter of the schemas under
//! `schemas/` (embedded at build time, in each vendor's published form) that
//! shares no code with the generated validators: it is the oracle they are
//! tested against. Each simulator serves its schemas from the vendors'
//! catalog endpoints and lets a test change them ([`Sim::catalog`]).

#![warn(missing_docs)]

mod admin;
mod audio;
mod catalog;
mod demo;
mod faults;
mod images;
mod jobs;
mod ledger;
mod probe;
mod protocols;
pub mod schema;
mod server;
mod sim;
mod tls;
mod uploads;
mod video;

pub use audio::{AUDIO_PATH, audio_bytes};
pub use catalog::{Catalog, CatalogError};
pub use demo::DemoSettings;
pub use faults::{Fault, Route};
pub use images::{DEFAULT_SIZE as DEFAULT_IMAGE_SIZE, HideSize, ImageFormat, ImageSpec};
pub use jobs::{JobTiming, Outcome};
pub use ledger::{Billed, price_micros};
pub use protocols::Vendor;
pub use sim::{DEFAULT_SYNC_TIMEOUT, Sim};
pub use tls::TLS_CA_PEM;
pub use video::{VIDEO_LEN, VIDEO_PATH, video_bytes};

/// The bearer token every simulated vendor accepts
/// (`Authorization: Bearer sim-token`).
pub const TOKEN: &str = "sim-token";
