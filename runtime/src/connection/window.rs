//! Request bodies in flight on a connection, bounded by the HTTP/2 flow
//! control window every server grants.
//!
//! Why: on HTTP/2 every request of a connection shares the server's
//! connection-level window. When the bodies in flight outgrow it (10,000
//! submits of 1.5 KB against hyper's 1 MiB), each waiting request body
//! is sent in pieces as window trickles back: hyper claims one byte of
//! window for a body before sending it, and h2 sends whatever a stream
//! holds, so thousands of 1-byte DATA frames go out. Servers count small
//! DATA frames as an attack (h2 0.4.16+: budget of half the window, then
//! GOAWAY `ENHANCE_YOUR_CALM` "too_many_data_frames"), and a GOAWAY makes
//! every submit in flight "may or may not exist". Keeping the bodies in
//! flight within 65,535 bytes, the connection window before any
//! WINDOW_UPDATE (RFC 9113 §6.9.2), means a body never waits for window:
//! it goes in one DATA frame with END_STREAM. A body larger than that goes
//! alone. GETs have no body and are not bounded.

use tokio::sync::{Semaphore, SemaphorePermit};

/// The initial connection window of HTTP/2 (RFC 9113 §6.9.2), in bytes.
pub(crate) const BODY_BYTES_IN_FLIGHT: u32 = 65_535;

/// Shared by every copy of a connection that shares its HTTP client.
#[derive(Debug)]
pub(crate) struct BodyWindow {
    bytes: Semaphore,
}

impl Default for BodyWindow {
    fn default() -> Self {
        BodyWindow {
            bytes: Semaphore::new(BODY_BYTES_IN_FLIGHT as usize),
        }
    }
}

impl BodyWindow {
    /// Waits until a body of `len` bytes fits beside the bodies in flight;
    /// the permit is held until the request is answered.
    pub(crate) async fn room(&self, len: usize) -> SemaphorePermit<'_> {
        let want = len.clamp(1, BODY_BYTES_IN_FLIGHT as usize) as u32;
        self.bytes
            .acquire_many(want)
            .await
            .expect("the body window is never closed")
    }
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;

    use super::*;

    #[tokio::test]
    async fn bodies_in_flight_stay_within_the_initial_window() {
        let window = BodyWindow::default();
        let first = window.room(40_000).await;
        // 40,000 + 30,000 > 65,535: the second waits for the first.
        let mut second = std::pin::pin!(window.room(30_000));
        assert!(second.as_mut().now_or_never().is_none());
        drop(first);
        assert!(second.as_mut().now_or_never().is_some());
        // A body larger than the window goes alone, not never.
        let window = BodyWindow::default();
        let _huge = window.room(10_000_000).await;
        assert_eq!(window.bytes.available_permits(), 0);
    }
}
