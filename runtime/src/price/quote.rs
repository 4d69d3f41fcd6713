//! [`Quote`]: what a job will cost before it is sent, with where that
//! figure came from, or why it is not known. Never a silent guess.

use std::fmt;

use super::Usd;

/// The price of one job with given inputs, or why it is unknown.
#[derive(Debug, Clone, PartialEq)]
pub enum Quote {
    /// A price and its source.
    Known(Price),
    /// No price: the reason says why (and what would give one).
    Unknown(UnknownPrice),
}

impl Quote {
    /// The price, when known.
    pub fn price(&self) -> Option<&Price> {
        match self {
            Quote::Known(price) => Some(price),
            Quote::Unknown(_) => None,
        }
    }

    /// The amount, when known.
    pub fn usd(&self) -> Option<Usd> {
        self.price().map(|price| price.usd)
    }
}

impl fmt::Display for Quote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Quote::Known(price) => price.fmt(f),
            Quote::Unknown(reason) => write!(f, "unknown: {reason}"),
        }
    }
}

/// A known price.
#[derive(Debug, Clone, PartialEq)]
pub struct Price {
    /// The amount (every vendor here prices in US dollars; a quote in
    /// another currency is [`UnknownPrice::OtherCurrency`]).
    pub usd: Usd,
    /// Where it came from.
    pub source: PriceSource,
}

impl Price {
    /// True when the vendor quoted these exact inputs (its pricing
    /// endpoint); false for an estimate (a base price times a unit, a
    /// published table, a price the user assumed).
    pub fn is_exact(&self) -> bool {
        matches!(self.source, PriceSource::PricingEndpoint { .. })
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.is_exact() { "exact" } else { "estimate" };
        write!(f, "{} ({kind}, {})", self.usd, self.source)
    }
}

/// Where a price came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PriceSource {
    /// The vendor's pricing endpoint quoted these inputs (WaveSpeed's
    /// `POST /api/v3/model/pricing`): exact.
    PricingEndpoint {
        /// The endpoint's path.
        path: String,
    },
    /// The vendor's catalog entry: a base price times the units that apply
    /// (RunComfy's `base_price_usd` and `price_unit`): an estimate.
    CatalogBasePrice {
        /// The catalog path read.
        path: String,
        /// The listed base price.
        base: Usd,
        /// The listed unit, as the vendor spells it.
        unit: String,
        /// How many units the job takes.
        units: u64,
    },
    /// A price the caller gave for the model (`--assume-price`).
    Assumed,
}

impl fmt::Display for PriceSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PriceSource::PricingEndpoint { path } => write!(f, "vendor quote, POST {path}"),
            PriceSource::CatalogBasePrice {
                path,
                base,
                unit,
                units,
            } => write!(f, "catalog GET {path}: {base} {unit} x {units}"),
            PriceSource::Assumed => f.write_str("assumed by the user"),
        }
    }
}

/// Why a price is not known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnknownPrice {
    /// The vendor publishes no price before submit (the AI/ML API reports
    /// what a job cost only in its answers).
    #[error(
        "{vendor} publishes no price before submit (no pricing endpoint, no catalog price); \
         it reports each job's cost after submit"
    )]
    NoPriceSource {
        /// The vendor's name.
        vendor: &'static str,
    },
    /// The price source could not be asked or refused the question.
    #[error("{vendor}'s price source {path} did not answer a price: {cause}")]
    Unanswered {
        /// The vendor's name.
        vendor: &'static str,
        /// The path asked.
        path: String,
        /// The error, as text.
        cause: String,
        /// True when asking again may answer (a 429, a 5xx, a dropped
        /// connection); false for a refusal (an unknown model, a bad token).
        transient: bool,
    },
    /// The answer lacks the price or has it in a shape that is not a price.
    #[error("{vendor}'s answer to {path} has no usable `{field}`: {found}")]
    Missing {
        /// The vendor's name.
        vendor: &'static str,
        /// The path asked.
        path: String,
        /// The field looked for.
        field: &'static str,
        /// What was there instead (an excerpt, or "nothing").
        found: String,
    },
    /// A price per a unit this runtime cannot count for a job.
    #[error("{vendor} prices {model} {base} per {unit:?}, a unit this client cannot count")]
    UnknownUnit {
        /// The vendor's name.
        vendor: &'static str,
        /// The model.
        model: String,
        /// The base price.
        base: Usd,
        /// The unit as listed.
        unit: String,
    },
    /// A price per second for an input that names no duration.
    #[error("{vendor} prices {model} per second, and the input sets no `duration`")]
    NoDuration {
        /// The vendor's name.
        vendor: &'static str,
        /// The model.
        model: String,
    },
    /// A price in a currency other than US dollars.
    #[error("{vendor} quoted {model} in {currency:?}, not USD")]
    OtherCurrency {
        /// The vendor's name.
        vendor: &'static str,
        /// The model.
        model: String,
        /// The currency given.
        currency: String,
    },
}

impl UnknownPrice {
    /// True when asking again may give a price (the source did not answer).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            UnknownPrice::Unanswered {
                transient: true,
                ..
            }
        )
    }
}
