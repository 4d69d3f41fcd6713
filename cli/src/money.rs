//! Money on the command line: `--max-cost`, `--budget` and
//! `--assume-price` values, quotes shown as JSON, and the refusal of a job
//! whose price is above the limit or unknown under one. A leaf: the
//! argument types parse with it and `CliError` carries its refusal.

use seedance_runtime::{Quote, Usd};
use serde_json::{Value, json};

/// A job refused for its price; nothing was sent.
#[derive(Debug, thiserror::Error)]
pub enum MoneyError {
    /// The quote is above `--max-cost`.
    #[error("{model} is quoted at {quote}, above --max-cost {max}; nothing was sent")]
    AboveMax {
        /// The model's `vendor/model` name.
        model: String,
        /// The quote, with its source.
        quote: String,
        /// The limit.
        max: Usd,
    },
    /// No price is known and a limit applies.
    #[error(
        "{model} has no known price ({reason}), so {limit} cannot be kept; nothing was sent \
         (pass --assume-price {model}=USD to price it yourself)"
    )]
    Unknown {
        /// The model's `vendor/model` name.
        model: String,
        /// Why it is unknown.
        reason: String,
        /// The flag that set the limit (`--max-cost 1.50`).
        limit: String,
    },
}

/// `1.50` or `$1.50`, for clap.
pub fn parse_usd(text: &str) -> Result<Usd, String> {
    text.parse::<Usd>().map_err(|err| err.to_string())
}

/// `MODEL=USD` (`vendor/model` as `seedance models` names it), for clap.
pub fn parse_assumed(text: &str) -> Result<(String, Usd), String> {
    let (model, usd) = text.rsplit_once('=').ok_or_else(|| {
        format!("{text:?}: expected MODEL=USD, e.g. aimlapi/bytedance/seedance-1-0-lite-i2v=0.25")
    })?;
    Ok((model.trim().to_owned(), parse_usd(usd)?))
}

/// Refuses a job whose quote is above `max`, or unknown.
pub fn check_max(model: &str, quote: &Quote, max: Usd) -> Result<(), MoneyError> {
    match quote {
        Quote::Known(price) if price.usd <= max => Ok(()),
        Quote::Known(_) => Err(MoneyError::AboveMax {
            model: model.to_owned(),
            quote: quote.to_string(),
            max,
        }),
        Quote::Unknown(reason) => Err(MoneyError::Unknown {
            model: model.to_owned(),
            reason: reason.to_string(),
            limit: format!("--max-cost {max}"),
        }),
    }
}

/// A quote as JSON: `{"usd", "exact", "source"}` or `{"usd": null,
/// "unknown": reason}`.
pub fn quote_json(quote: &Quote) -> Value {
    match quote {
        Quote::Known(price) => json!({
            "usd": price.usd.dollars(),
            "usd_micros": price.usd.micros(),
            "exact": price.is_exact(),
            "source": price.source.to_string(),
        }),
        Quote::Unknown(reason) => json!({ "usd": null, "unknown": reason.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse() {
        assert_eq!(parse_usd("1.50").unwrap().micros(), 1_500_000);
        assert!(parse_usd("-1").is_err());
        let (model, usd) = parse_assumed("aimlapi/a/b=0.25").unwrap();
        assert_eq!((model.as_str(), usd.micros()), ("aimlapi/a/b", 250_000));
        assert!(parse_assumed("aimlapi/a/b").is_err());
    }
}
