//! Turns on a connection: at most [`REQUESTS_IN_FLIGHT`] requests sent
//! and unanswered at once, and at most [`SUBMITS_IN_FLIGHT`] submits being
//! checked or sent at once.
//!
//! Why: a request that has started holds its URL, headers, body and, on
//! HTTP/2, a stream with its buffers, though servers serve only so many
//! streams at once (hyper's default is 200, nginx's 128) and queue the
//! rest in the client. A submit that has started holds its checks and its
//! serialized body (a few kilobytes). Thousands of jobs submitted or
//! polling at once would each hold all of that while waiting for the
//! server. Here they wait for their turn before anything is built, holding
//! nothing but a small future: 10,000 jobs in flight cost what their
//! futures cost. The caps are above what servers serve at once, so they
//! never slow a connection down.
//!
//! Two semaphores, never one: a submit holds its submit turn while its
//! POST waits for a request turn, and requests never wait for submits, so
//! no turn waits on itself.

use tokio::sync::{Semaphore, SemaphorePermit};

/// Most requests of one connection in flight at once.
pub(crate) const REQUESTS_IN_FLIGHT: usize = 256;
/// Most submits of one connection being checked or sent at once.
pub(crate) const SUBMITS_IN_FLIGHT: usize = 256;

/// Shared by every copy of a connection.
#[derive(Debug)]
pub(crate) struct Turns {
    requests: Semaphore,
    submits: Semaphore,
}

impl Default for Turns {
    fn default() -> Self {
        Turns {
            requests: Semaphore::new(REQUESTS_IN_FLIGHT),
            submits: Semaphore::new(SUBMITS_IN_FLIGHT),
        }
    }
}

impl Turns {
    /// A request's turn, held until its answer has been read.
    pub(crate) async fn request(&self) -> SemaphorePermit<'_> {
        self.requests
            .acquire()
            .await
            .expect("turns are never closed")
    }

    /// A submit's turn, held through its checks and its POST; taken once
    /// per submit by the public submit calls, never again inside one.
    pub(crate) async fn submit(&self) -> SemaphorePermit<'_> {
        self.submits
            .acquire()
            .await
            .expect("turns are never closed")
    }
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;

    use super::*;

    #[test]
    fn past_the_cap_a_request_waits_and_a_submit_still_goes() {
        let turns = Turns::default();
        let held: Vec<_> = (0..REQUESTS_IN_FLIGHT)
            .map(|_| turns.request().now_or_never().expect("free"))
            .collect();
        let mut next = std::pin::pin!(turns.request());
        assert!(next.as_mut().now_or_never().is_none());
        assert!(turns.submit().now_or_never().is_some(), "separate turns");
        drop(held);
        assert!(next.as_mut().now_or_never().is_some());
    }
}
