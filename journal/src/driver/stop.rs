//! [`Stop`]: asks every driver of a process to wind down gracefully (Ctrl-C,
//! SIGTERM, a journal that stays unreachable).
//!
//! A stopped driver starts nothing new and gives back the entries it holds
//! so the next run or another worker takes them up at once, but a POST that
//! has left is always followed to its answer and the job id recorded: the
//! one moment that must never be cut short.

use std::sync::Arc;

use tokio::sync::watch;

/// A shared stop flag; clones see the same flag.
#[derive(Debug, Clone)]
pub struct Stop {
    flag: Arc<watch::Sender<bool>>,
}

impl Default for Stop {
    fn default() -> Self {
        Stop {
            flag: Arc::new(watch::Sender::new(false)),
        }
    }
}

impl Stop {
    /// A flag that is not raised.
    pub fn new() -> Self {
        Self::default()
    }

    /// Raises the flag (idempotent).
    pub fn stop(&self) {
        self.flag.send_replace(true);
    }

    /// True once raised.
    pub fn is_stopped(&self) -> bool {
        *self.flag.borrow()
    }

    /// Completes when the flag is raised.
    pub async fn stopped(&self) {
        let mut seen = self.flag.subscribe();
        // The sender lives in `self`, so the channel cannot close.
        let _ = seen.wait_for(|raised| *raised).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn clones_share_the_flag() {
        let stop = Stop::new();
        let other = stop.clone();
        assert!(!other.is_stopped());
        let waiter = tokio::spawn(async move { other.stopped().await });
        stop.stop();
        waiter.await.unwrap_or_else(|e| panic!("{e}"));
        assert!(stop.is_stopped());
        stop.stopped().await;
    }
}
