//! Money: what a job will cost before it is sent ([`Quote`], from the
//! vendor's own source) and what the vendor said it cost after
//! ([`reported_cost`]).
//!
//! | vendor | before submit | after |
//! |---|---|---|
//! | WaveSpeed | `POST /api/v3/model/pricing` for these inputs (exact) | nothing reported |
//! | RunComfy | catalog `base_price_usd` x `price_unit` (estimate) | nothing reported |
//! | AI/ML API | unknown (no pricing endpoint) | `meta.usage.usd_spent` |

mod pricer;
mod quote;
mod reported;
mod usd;
mod vendor;

pub use pricer::Pricer;
pub use quote::{Price, PriceSource, Quote, UnknownPrice};
pub use reported::reported_cost;
pub use usd::{ParseUsdError, Usd};

use serde_json::Value;

use crate::{
    connection::Connection,
    model::{ErasedModel, Protocol},
};

impl Connection {
    /// What one job of `model` with `input` (the request body) would cost,
    /// from the vendor's own price source; sends no job. See the module
    /// table for the source per vendor. Never an error: a price that
    /// cannot be found is [`Quote::Unknown`] with the reason.
    pub async fn quote_raw(&self, model: &str, input: &Value) -> Quote {
        match self.protocol() {
            Protocol::WaveSpeed => self.quote_wavespeed(model, input).await,
            Protocol::RunComfy => self.quote_runcomfy(model, input).await,
            Protocol::AimlApi => Quote::Unknown(UnknownPrice::NoPriceSource {
                vendor: self.vendor(),
            }),
        }
    }

    /// [`quote_raw`](Self::quote_raw) for a model chosen at run time.
    pub async fn quote_erased(&self, input: &dyn ErasedModel) -> Quote {
        match input.to_body().map(|body| serde_json::from_slice(&body)) {
            Ok(Ok(value)) => self.quote_raw(input.model(), &value).await,
            Ok(Err(err)) | Err(err) => Quote::Unknown(UnknownPrice::Missing {
                vendor: self.vendor(),
                path: input.submit_path().to_owned(),
                field: "body",
                found: format!("the input does not serialize: {err}"),
            }),
        }
    }
}
