//! Asking a vendor for a price: WaveSpeed's pricing endpoint (exact, for
//! these inputs) and RunComfy's catalog entry (base price times unit).

use serde_json::{Value, json};

use super::{Price, PriceSource, Quote, UnknownPrice, Usd};
use crate::{
    connection::Connection,
    deadline::Deadline,
    error::{Error, excerpt},
    protocol,
};

/// WaveSpeed's free quote route.
pub(crate) const WAVESPEED_PRICING: &str = "/api/v3/model/pricing";

impl Connection {
    /// WaveSpeed: `POST /api/v3/model/pricing` with `{model_id, inputs}`.
    pub(super) async fn quote_wavespeed(&self, model: &str, input: &Value) -> Quote {
        let body = json!({ "model_id": model, "inputs": input }).to_string();
        let deadline = Deadline::after(self.config().timeout);
        let answer = match self
            .post(WAVESPEED_PRICING, body.into_bytes(), None, deadline, true)
            .await
        {
            Ok(answer) => answer,
            Err((err, _)) => return self.unanswered(WAVESPEED_PRICING, &err),
        };
        let value = match protocol::checked_json(self.protocol(), self.vendor(), &answer, None) {
            Ok(value) => value,
            Err(err) => return self.unanswered(WAVESPEED_PRICING, &err),
        };
        let data = value.get("data").unwrap_or(&Value::Null);
        let currency = data.get("currency").and_then(Value::as_str);
        if let Some(currency) = currency.filter(|c| !c.eq_ignore_ascii_case("USD")) {
            return Quote::Unknown(UnknownPrice::OtherCurrency {
                vendor: self.vendor(),
                model: model.to_owned(),
                currency: currency.to_owned(),
            });
        }
        let usd = match (dollars(data.get("unit_price")), currency) {
            (Some(usd), Some(_)) => usd,
            (None, _) => return self.missing(WAVESPEED_PRICING, "data.unit_price", data),
            (Some(_), None) => return self.missing(WAVESPEED_PRICING, "data.currency", data),
        };
        Quote::Known(Price {
            usd,
            source: PriceSource::PricingEndpoint {
                path: WAVESPEED_PRICING.to_owned(),
            },
        })
    }

    /// RunComfy: the model's catalog entry, `base_price_usd` per `price_unit`.
    pub(super) async fn quote_runcomfy(&self, model: &str, input: &Value) -> Quote {
        match self.runcomfy_entry(model).await {
            Ok(entry) => self.runcomfy_price(model, &entry, input),
            Err(unknown) => unknown,
        }
    }

    /// RunComfy's catalog entry of `model` (what its price is read from).
    pub(super) async fn runcomfy_entry(&self, model: &str) -> Result<Value, Quote> {
        let path = format!("/v1/models/{model}");
        let deadline = Deadline::after(self.config().timeout);
        self.get(&path, None, deadline)
            .await
            .and_then(|answer| {
                protocol::checked_json(self.protocol(), self.vendor(), &answer, None)
            })
            .map_err(|err| self.unanswered(&path, &err))
    }

    /// The price of one job with `input` from the model's catalog `entry`.
    pub(super) fn runcomfy_price(&self, model: &str, value: &Value, input: &Value) -> Quote {
        let path = format!("/v1/models/{model}");
        let Some(base) = dollars(value.get("base_price_usd")) else {
            return self.missing(&path, "base_price_usd", value);
        };
        let Some(unit) = value.get("price_unit").and_then(Value::as_str) else {
            return self.missing(&path, "price_unit", value);
        };
        let units = match units(unit, input) {
            Ok(units) => units,
            Err(reason) => return Quote::Unknown(reason.into_unknown(self.vendor(), model, base)),
        };
        Quote::Known(Price {
            usd: base.times(units),
            source: PriceSource::CatalogBasePrice {
                path,
                base,
                unit: unit.to_owned(),
                units,
            },
        })
    }

    fn unanswered(&self, path: &str, err: &Error) -> Quote {
        Quote::Unknown(UnknownPrice::Unanswered {
            vendor: self.vendor(),
            path: path.to_owned(),
            cause: err.to_string(),
            transient: err.is_transient(),
        })
    }

    fn missing(&self, path: &str, field: &'static str, found: &Value) -> Quote {
        Quote::Unknown(UnknownPrice::Missing {
            vendor: self.vendor(),
            path: path.to_owned(),
            field,
            found: excerpt(found.to_string().as_bytes()),
        })
    }
}

/// A price given as a number or a numeric string.
fn dollars(value: Option<&Value>) -> Option<Usd> {
    match value? {
        Value::Number(n) => Usd::from_dollars(n.as_f64()?),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Why a unit could not be counted.
enum UnitProblem {
    Unknown(String),
    NoDuration,
}

impl UnitProblem {
    fn into_unknown(self, vendor: &'static str, model: &str, base: Usd) -> UnknownPrice {
        match self {
            UnitProblem::Unknown(unit) => UnknownPrice::UnknownUnit {
                vendor,
                model: model.to_owned(),
                base,
                unit,
            },
            UnitProblem::NoDuration => UnknownPrice::NoDuration {
                vendor,
                model: model.to_owned(),
            },
        }
    }
}

/// How many units of `unit` one job with `input` takes: a request is one;
/// a second is each second of the input's `duration`.
fn units(unit: &str, input: &Value) -> Result<u64, UnitProblem> {
    let normalized = unit.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    match normalized.trim_start_matches("per_") {
        "request" | "run" | "generation" | "video" => Ok(1),
        "second" | "sec" | "s" => {
            let seconds = match input.get("duration") {
                Some(Value::Number(n)) => n.as_f64(),
                Some(Value::String(s)) => s.trim().parse().ok(),
                _ => None,
            };
            match seconds.filter(|s| s.is_finite() && *s > 0.0) {
                Some(seconds) => Ok(seconds.ceil() as u64),
                None => Err(UnitProblem::NoDuration),
            }
        }
        _ => Err(UnitProblem::Unknown(unit.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_counted_or_refused() {
        assert!(matches!(units("per_request", &json!({})), Ok(1)));
        assert!(matches!(
            units("per second", &json!({"duration": 10})),
            Ok(10)
        ));
        assert!(matches!(
            units("per_second", &json!({"duration": "5"})),
            Ok(5)
        ));
        assert!(matches!(
            units("per_second", &json!({})),
            Err(UnitProblem::NoDuration)
        ));
        assert!(matches!(
            units("per_megapixel", &json!({})),
            Err(UnitProblem::Unknown(_))
        ));
    }

    #[test]
    fn prices_are_numbers_or_numeric_strings() {
        assert_eq!(dollars(Some(&json!(0.6))), Usd::from_dollars(0.6));
        assert_eq!(dollars(Some(&json!("0.60"))), Usd::from_dollars(0.6));
        assert_eq!(dollars(Some(&json!(-1))), None);
        assert_eq!(dollars(Some(&json!(null))), None);
    }
}
