//! [`Pricer`]: quotes for many jobs, each distinct (model, input) asked of
//! the vendor once, with prices the user assumed for models the vendor
//! does not price.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use serde_json::Value;

use super::{Price, PriceSource, Quote, Usd};
use crate::connection::Connection;

/// Quotes through one connection, cached per model and input (a batch of
/// a thousand lines with ten distinct inputs asks ten times). Answers that
/// may change on asking again (the source did not answer) are not kept.
/// Cheap to clone; clones share the cache.
#[derive(Debug, Clone)]
pub struct Pricer {
    conn: Connection,
    assumed: Arc<HashMap<String, Usd>>,
    cache: Arc<Mutex<HashMap<(String, String), Quote>>>,
}

impl Pricer {
    /// A pricer asking `conn`'s vendor.
    pub fn new(conn: Connection) -> Self {
        Pricer {
            conn,
            assumed: Arc::default(),
            cache: Arc::default(),
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
        let quote = match self.conn.quote_raw(model, input).await {
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

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Quote>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }
}
