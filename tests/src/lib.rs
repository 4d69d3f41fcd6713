//! Shared helpers for the workspace integration tests: clients of every
//! vendor pointed at a fresh in-process simulator, polling in milliseconds.

use std::time::Duration;

use seedance::runtime::{Client, PollPolicy, RetryPolicy, Vendor};
use seedance_sim::Sim;

/// Poll every few milliseconds: the simulator's jobs advance per poll, not per second.
pub fn fast_polls() -> PollPolicy {
    PollPolicy::fixed(Duration::from_millis(2))
}

/// A client of vendor `V` talking to `sim`, with fast polls and retries.
pub fn client<V: Vendor>(sim: &Sim) -> Client<V> {
    Client::<V>::builder()
        .token(seedance_sim::TOKEN)
        .base_url(sim.base_url())
        // The simulator's images are on 127.0.0.1, which the prober refuses
        // unless told otherwise.
        .allow_private_image_addresses(true)
        .poll_policy(fast_polls())
        .retry_policy(RetryPolicy {
            initial_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(10),
            ..RetryPolicy::default()
        })
        .wait_timeout(Duration::from_secs(20))
        .build()
        .expect("a client")
}

/// A scratch file path unique to this test process.
pub fn scratch_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("seedance-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch dir");
    dir.join(name)
}

/// The README's usage example, compiled as a doc test so it stays true.
#[doc = include_str!("../../README.md")]
pub mod readme {}

/// The README's Rust examples, compiled as doc tests so they stay true
/// (and written without hidden `#` lines, which GitHub would show).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
