//! The arguments of `seedance sim`, which serves instead of connecting.

use std::time::Duration;

use clap::{Args, Subcommand};

use super::values::{parse_duration, parse_probability};

/// `seedance sim [serve] [--port PORT] [--log] [--job-duration D] ...`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Listen on 127.0.0.1:PORT (0 picks a free port).
    #[arg(long, global = true, default_value_t = 0)]
    pub port: u16,
    /// Print one line per request on stderr (method, path, status, time).
    #[arg(long, global = true)]
    pub log: bool,
    /// Every job takes at least DURATION of wall-clock time (e.g. `5s`);
    /// by default jobs finish after a few polls.
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub job_duration: Option<Duration>,
    /// Probability (0 to 1) that a job fails (e.g. `0.2`).
    #[arg(long, global = true, value_name = "P", default_value_t = 0.0, value_parser = parse_probability)]
    pub failure_rate: f64,
    /// Probability (0 to 1) that a status or result poll answers HTTP 429
    /// with Retry-After: 1 (the client retries it).
    #[arg(long, global = true, value_name = "P", default_value_t = 0.0, value_parser = parse_probability)]
    pub rate_limit_rate: f64,
    /// How long a WaveSpeed submit with `"enable_sync_mode": true` waits
    /// for its job before answering the sync-mode timeout (code 5004) while
    /// the job goes on (e.g. `2s`; default 60s).
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub sync_timeout: Option<Duration>,
    // The global options that mean nothing here, hidden from its --help
    // (and refused if given): they have the global ids, so clap does not
    // add the global ones to this command.
    #[doc(hidden)]
    #[arg(id = "sim", long = "sim", hide = true)]
    pub not_sim: bool,
    #[doc(hidden)]
    #[arg(id = "base_url", long = "base-url", hide = true)]
    pub not_base_url: Option<String>,
    // Each hidden twin has its global's type and parser: clap also stores
    // the value under the global's id, where `Global` reads it back (a
    // String here made `seedance sim --poll-interval 1s` panic).
    #[doc(hidden)]
    #[arg(id = "poll_interval", long = "poll-interval", hide = true, value_parser = parse_duration)]
    pub not_poll_interval: Option<Duration>,
    // A client's request budget: the simulator sends no API requests (its
    // server-side 429s are --rate-limit-rate), so the option is refused
    // here, with a parser that says why.
    #[doc(hidden)]
    #[arg(
        id = "requests_per_second",
        long = "requests-per-second",
        hide = true,
        value_parser = refuse_request_budget
    )]
    pub not_requests_per_second: Option<f64>,
    #[doc(hidden)]
    #[arg(
        id = "allow_private_image_urls",
        long = "allow-private-image-urls",
        hide = true
    )]
    pub not_allow_private_image_urls: bool,
    /// `serve` is the only action, and the default.
    #[command(subcommand)]
    pub action: Option<SimAction>,
}

/// What `seedance sim` does.
#[derive(Debug, Clone, Copy, Subcommand)]
pub enum SimAction {
    /// Run the simulator (the same as plain `seedance sim`).
    Serve,
}

/// `seedance sim --requests-per-second`: always an error, saying why.
fn refuse_request_budget(_: &str) -> Result<f64, String> {
    Err(
        "--requests-per-second bounds the requests a client sends, and `seedance sim` \
         sends none (--rate-limit-rate makes the simulator answer 429s)"
            .to_owned(),
    )
}
