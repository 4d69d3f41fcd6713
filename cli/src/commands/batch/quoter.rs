//! A batch's price quotes: one `Pricer` per vendor of its lines (each
//! distinct model and input asked once, the `Pricer`'s cache), with the
//! prices `--assume-price` gives. Shared by `--estimate` and `--budget`.

use std::collections::HashMap;

use seedance_journal::NewEntry;
use seedance_runtime::{Connection, Pricer, Quote, Usd};
use serde_json::Value;

use crate::connect;
use crate::error::CliError;

pub struct Quoter<'a> {
    pricers: HashMap<&'a str, Pricer>,
}

impl<'a> Quoter<'a> {
    /// A pricer per connection (by vendor id); `assumed` by model name.
    pub fn new(
        conns: &'a HashMap<String, Connection>,
        assumed: &[(String, Usd)],
    ) -> Result<Self, CliError> {
        let assumed = connect::assumed_by_model_id(assumed)?;
        let pricers = conns
            .iter()
            .map(|(vendor, conn)| {
                let pricer = Pricer::new(conn.clone()).with_assumed(assumed.clone());
                (vendor.as_str(), pricer)
            })
            .collect();
        Ok(Quoter { pricers })
    }

    /// The quote of one line's body; `None` when its vendor or model is
    /// not this batch's (nothing to ask).
    pub async fn quote(&self, entry: &NewEntry) -> Option<Quote> {
        let pricer = self.pricers.get(entry.vendor.as_str())?;
        let info = connect::model(&entry.model).ok()?;
        let input: Value = serde_json::from_str(&entry.body).unwrap_or(Value::Null);
        Some(pricer.quote(info.model, &input).await)
    }
}
