//! The command line as clap types: nothing here knows a model, every model
//! and field comes from the generated catalog at run time. Below the
//! commands: it imports none of them, so each command takes its arguments
//! from here.

mod journal;
mod not_connecting;
mod run;
mod sim;
mod values;

use std::time::Duration;

use clap::{Args, Parser, Subcommand};

pub use journal::{BatchArgs, JobsArgs};
pub use not_connecting::NotConnecting;
pub use run::{JobArgs, ResultArgs, RunArgs, WaitArgs, WaitFlags};
pub use sim::SimArgs;
use values::{parse_duration, parse_rate};

use crate::error::EXIT_CODES_HELP;

/// Try the hosted Seedance video models (RunComfy, AI/ML API, WaveSpeed AI)
/// from the command line, or against the local simulator with --sim.
#[derive(Debug, Parser)]
#[command(name = "seedance", version, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Global options.
    #[command(flatten)]
    pub global: Global,
}

impl Cli {
    /// True when `--out -` sends the video to stdout (results then go to
    /// stderr).
    pub fn stdout_is_the_video(&self) -> bool {
        let out = match &self.command {
            Command::Run(args) => args.wait.out.as_deref(),
            Command::Wait(args) => args.wait.out.as_deref(),
            Command::Result(args) => args.out.as_deref(),
            _ => None,
        };
        out.is_some_and(|out| out.as_os_str() == "-")
    }
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Machine-readable output: one JSON object per line on stdout (the last
    /// one is the outcome, or {"error": ...}); messages go to stderr.
    #[arg(long, global = true)]
    pub json: bool,
    /// Run against the simulator: no token, no network. Uses the `seedance
    /// sim` running in another terminal if there is one (needed by status,
    /// result, wait and cancel); otherwise `run` starts one inside this
    /// process. Image, video and audio URLs on other hosts are replaced by
    /// the simulator's test files (a note says so), a missing required one
    /// is filled in, and a value starting with `/sim/` is taken relative to
    /// the simulator
    /// (e.g. `/sim/images/img.png?w=200&h=200` to see an image rule fail).
    #[arg(long, global = true)]
    pub sim: bool,
    /// Send requests to this base URL instead of the vendor's (a compatible
    /// server, or `cargo run -p seedance-sim`, whose token is `sim-token`;
    /// `seedance sim` with --sim needs neither).
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// Poll every DURATION while waiting (e.g. `10ms`, `2s`) instead of the
    /// runtime's schedule (1.5 s growing to 2.5 s). --sim polls every 10 ms.
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub poll_interval: Option<Duration>,
    /// Send at most N API requests a second, shared by every job of the
    /// command (default 50 after a burst of 50, halved on a 429). Raise it
    /// for a large batch when your vendor account allows; `inf` turns the
    /// budget off.
    #[arg(long, global = true, value_name = "N", value_parser = parse_rate)]
    pub requests_per_second: Option<f64>,
    /// Let the image checks read images on loopback, private, link-local
    /// and unique-local addresses (refused by default, so a URL cannot make
    /// this machine read its own network). --sim implies it.
    #[arg(long, global = true)]
    pub allow_private_image_urls: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every vendor/model with a one-line summary.
    Models(ModelsArgs),
    /// Show a model's fields: types, enum values, defaults, bounds, image rules.
    Describe {
        /// `vendor/model` (see `seedance models`), or the model's module name.
        model: String,
        /// The connection options, which do not apply here.
        #[command(flatten)]
        not_here: NotConnecting,
    },
    /// Validate, submit, wait for and download one generation (to
    /// `JOB_ID.mp4` unless --out says where).
    Run(RunArgs),
    /// Print a job's state once.
    Status(JobArgs),
    /// Print a finished job's output URLs (and download with --out).
    Result(ResultArgs),
    /// Wait for a job submitted earlier, then print or download its output.
    Wait(WaitArgs),
    /// Ask the vendor to cancel a job (only RunComfy can, and only while queued).
    Cancel(JobArgs),
    /// Run the simulator in the foreground until Ctrl-C, so that `--sim`
    /// in other terminals shares it and jobs can be resumed by id.
    Sim(SimArgs),
    /// Run many generations from a JSON Lines file through a journal that
    /// survives crashes: run the same command again to resume.
    Batch(BatchArgs),
    /// List or inspect the jobs recorded in a journal.
    Jobs(JobsArgs),
}

/// `seedance models`: only `--json` applies.
#[derive(Debug, Args)]
pub struct ModelsArgs {
    /// List the vendors' catalogs instead (compiled models marked, the
    /// others runnable "from catalog"); the connection options of `run`
    /// (the simulator, a base URL) apply.
    #[arg(long)]
    pub remote: bool,
    /// The connection options, which apply only with --remote.
    #[command(flatten)]
    pub not_here: NotConnecting,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
