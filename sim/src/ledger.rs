//! What the simulated vendors charge and what they billed.
//!
//! Prices come from one table ([`PRICES`]), read the way each vendor
//! publishes it: RunComfy's catalog lists a `base_price_usd` with
//! `price_unit: "per_request"`; WaveSpeed's catalog lists the `base_price`
//! of a default 5 s video and its pricing route quotes any input; the AI/ML
//! API reports `usd_spent` per job. A job is billed once, when the vendor
//! accepts its submit, to the token that submitted it; the ledger keeps the
//! bill per job and per token (served at `/sim/admin/ledger`), so tests
//! assert what was spent, not what a client believes it spent.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;

use crate::protocols::Vendor;

/// Micro-dollars in one US dollar.
pub(crate) const MICROS_PER_USD: u64 = 1_000_000;

/// How a vendor's base price scales with the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// One price per job, whatever the input.
    PerRequest,
    /// The base price buys this many seconds of video (`duration`,
    /// default [`DEFAULT_SECONDS`]); longer videos cost proportionally more.
    PerSeconds(u64),
}

/// The duration a video has when the input names none.
pub(crate) const DEFAULT_SECONDS: f64 = 5.0;

/// The simulator's price table: base price in micro-dollars and its unit,
/// per vendor (made up: the schemas carry no prices).
pub(crate) const PRICES: [(Vendor, u64, Unit); 3] = [
    (Vendor::RunComfy, 100_000, Unit::PerRequest),
    (Vendor::AimlApi, 100_000, Unit::PerSeconds(5)),
    (Vendor::WaveSpeed, 100_000, Unit::PerSeconds(5)),
];

/// The base price and unit of `vendor`.
pub(crate) fn base(vendor: Vendor) -> (u64, Unit) {
    PRICES
        .iter()
        .find(|(v, _, _)| *v == vendor)
        .map_or((0, Unit::PerRequest), |(_, micros, unit)| (*micros, *unit))
}

/// The price of one job of `vendor` with `input`, in micro-dollars.
pub fn price_micros(vendor: Vendor, input: &Value) -> u64 {
    let (micros, unit) = base(vendor);
    match unit {
        Unit::PerRequest => micros,
        Unit::PerSeconds(per) => {
            let seconds = duration(input).unwrap_or(DEFAULT_SECONDS);
            (micros as f64 * seconds / per as f64).round() as u64
        }
    }
}

/// The input's `duration` in seconds: a number, or a numeric string (the
/// AI/ML API's documents use both).
fn duration(input: &Value) -> Option<f64> {
    match input.get("duration")? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().trim_end_matches('s').parse().ok(),
        _ => None,
    }
    .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
}

/// Micro-dollars as a dollar amount.
pub(crate) fn usd(micros: u64) -> f64 {
    micros as f64 / MICROS_PER_USD as f64
}

/// What one token was billed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Billed {
    /// Jobs billed.
    pub jobs: u64,
    /// Their total, in micro-dollars.
    pub usd_micros: u64,
}

/// Bills per job and per token.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    jobs: Mutex<HashMap<String, u64>>,
    tokens: Mutex<HashMap<String, Billed>>,
}

impl Ledger {
    /// Bills job `id` to `token`.
    pub(crate) fn bill(&self, token: &str, id: &str, micros: u64) {
        self.jobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_owned(), micros);
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        let billed = tokens.entry(token.to_owned()).or_default();
        billed.jobs += 1;
        billed.usd_micros += micros;
    }

    /// What job `id` was billed.
    pub(crate) fn of_job(&self, id: &str) -> Option<u64> {
        let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        jobs.get(id).copied()
    }

    /// Every token's bill, sorted by token.
    pub(crate) fn tokens(&self) -> Vec<(String, Billed)> {
        let tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        let mut list: Vec<(String, Billed)> = tokens.iter().map(|(t, b)| (t.clone(), *b)).collect();
        list.sort_by(|a, b| a.0.cmp(&b.0));
        list
    }

    /// The sum over every token.
    pub(crate) fn total(&self) -> Billed {
        self.tokens()
            .into_iter()
            .fold(Billed::default(), |sum, (_, b)| Billed {
                jobs: sum.jobs + b.jobs,
                usd_micros: sum.usd_micros + b.usd_micros,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prices_follow_the_unit() {
        let ten = json!({"duration": 10});
        assert_eq!(price_micros(Vendor::RunComfy, &ten), 100_000);
        assert_eq!(price_micros(Vendor::WaveSpeed, &ten), 200_000);
        assert_eq!(price_micros(Vendor::WaveSpeed, &json!({})), 100_000);
        assert_eq!(
            price_micros(Vendor::AimlApi, &json!({"duration": "10"})),
            200_000
        );
        assert_eq!(
            price_micros(Vendor::WaveSpeed, &json!({"duration": 2})),
            40_000
        );
    }

    #[test]
    fn the_ledger_sums_per_token() {
        let ledger = Ledger::default();
        ledger.bill("a", "1", 10);
        ledger.bill("a", "2", 20);
        ledger.bill("b", "3", 5);
        assert_eq!(ledger.of_job("2"), Some(20));
        assert_eq!(
            ledger.total(),
            Billed {
                jobs: 3,
                usd_micros: 35
            }
        );
        assert_eq!(ledger.tokens()[0].1.usd_micros, 30);
    }
}
