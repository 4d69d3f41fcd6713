//! Connection warm-up: until one request of a connection has been answered,
//! its requests go one at a time.
//!
//! Why: whether a vendor speaks HTTP/2 is only known from the first TLS
//! handshake (ALPN). Until then the HTTP client cannot tell that one
//! connection would carry every request, so 1,000 jobs submitted at once
//! would open 1,000 TLS connections, each kept for their polls. Letting one
//! request through first costs one round trip once; after it every request
//! goes at once and, on HTTP/2, over that one connection.

use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::{Mutex, MutexGuard};

/// Shared by every copy of a connection that shares its HTTP client.
#[derive(Debug, Default)]
pub(crate) struct WarmUp {
    warm: AtomicBool,
    first: Mutex<()>,
}

/// Held by a request sent while the connection is cold; dropping it lets
/// the next request go.
pub(crate) struct Turn<'a> {
    _first: Option<MutexGuard<'a, ()>>,
}

impl WarmUp {
    /// Waits for this request's turn while the connection is cold; at once
    /// when warm.
    pub(crate) async fn turn(&self) -> Turn<'_> {
        if self.warm.load(Ordering::Acquire) {
            return Turn { _first: None };
        }
        let guard = self.first.lock().await;
        if self.warm.load(Ordering::Acquire) {
            return Turn { _first: None };
        }
        Turn {
            _first: Some(guard),
        }
    }

    /// A request got an answer: the connection's protocol is known.
    pub(crate) fn answered(&self) {
        self.warm.store(true, Ordering::Release);
    }
}
