//! [`Pricer`]: quotes for many jobs, each distinct (model, input) asked of
//! the vendor once, with prices the user assumed for models the vendor
//! does not price.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use serde_json::Value;

use super::{Price, PriceSource, Quote, Usd};
use crate::{connection::Connection, model::Protocol};

/// Quotes through one connection, cached per model and input (a batch of
/// a thousand lines with ten distinct inputs asks ten times; RunComfy's
/// catalog entry, whose price does not depend on the input, once per
/// model). Answers that
/// may change on asking again (the source did not answer) are not kept.
/// Cheap to clone; clones share the cache.
#[derive(Debug, Clone)]
pub struct Pricer {
    conn: Connection,
    assumed: Arc<HashMap<String, Usd>>,
    cache: Arc<Mutex<HashMap<(String, String), Quote>>>,
    /// RunComfy's catalog entries by model: its price does not depend on
    /// the whole input, so one entry prices every line of a model.
    entries: Arc<Mutex<HashMap<String, Value>>>,
}

impl Pricer {
    /// A pricer asking `conn`'s vendor.
    pub fn new(conn: Connection) -> Self {
        Pricer {
            conn,
            assumed: Arc::default(),
            cache: Arc::default(),
            entries: Arc::default(),
        }
    }

    /// Prices the user gives per model (`--assume-price MODEL=USD`), used
    /// only when the vendor's own source gives no price.
    pub fn with_assumed(mut self, assumed: HashMap<String, Usd>) -> Self {
        self.assumed = Arc::new(assumed);
        self
    }

    /// The connection asked.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The quote of one job of `model` with `input` (see
    /// [`Connection::quote_raw`]), or the assumed price when the vendor
    /// gives none.
    pub async fn quote(&self, model: &str, input: &Value) -> Quote {
        let key = (model.to_owned(), input.to_string());
        if let Some(known) = self.lock().get(&key) {
            return known.clone();
        }
        let quote = match self.vendor_quote(model, input).await {
            Quote::Unknown(reason) => match self.assumed.get(model) {
                Some(usd) => Quote::Known(Price {
                    usd: *usd,
                    source: PriceSource::Assumed,
                }),
                None => Quote::Unknown(reason),
            },
            known => known,
        };
        let keep = !matches!(&quote, Quote::Unknown(reason) if reason.is_transient());
        if keep {
            self.lock().insert(key, quote.clone());
        }
        quote
    }

    /// The vendor's own quote, RunComfy's from a catalog entry fetched
    /// once per model.
    async fn vendor_quote(&self, model: &str, input: &Value) -> Quote {
        if self.conn.protocol() != Protocol::RunComfy {
            return self.conn.quote_raw(model, input).await;
        }
        let cached = self.entries_lock().get(model).cloned();
        let entry = match cached {
            Some(entry) => entry,
            None => match self.conn.runcomfy_entry(model).await {
                Ok(entry) => {
                    self.entries_lock().insert(model.to_owned(), entry.clone());
                    entry
                }
                Err(unknown) => return unknown,
            },
        };
        self.conn.runcomfy_price(model, &entry, input)
    }

    fn entries_lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Value>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Quote>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }
}
