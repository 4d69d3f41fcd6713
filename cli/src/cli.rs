//! The command line as clap types: nothing here knows a model, every model
//! and field comes from the generated catalog at run time.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::error::{CliError, EXIT_CODES_HELP};

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
    Batch(crate::commands::batch::BatchArgs),
    /// List or inspect the jobs recorded in a journal.
    Jobs(crate::commands::jobs::JobsArgs),
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

/// The global options of the commands that talk to a vendor, as hidden
/// twins for the commands that talk to none (`models`, `describe`,
/// `jobs`): each twin has its global's id, type and parser, so clap leaves
/// the global out of the command's --help (and stores a value given anyway
/// under the global's id, where `Global` reads it back); [`Self::refuse`]
/// turns one given anyway into a usage error.
#[derive(Debug, Args)]
pub struct NotConnecting {
    #[doc(hidden)]
    #[arg(id = "sim", long = "sim", hide = true)]
    pub sim: bool,
    #[doc(hidden)]
    #[arg(id = "base_url", long = "base-url", hide = true)]
    pub base_url: Option<String>,
    #[doc(hidden)]
    #[arg(id = "poll_interval", long = "poll-interval", hide = true, value_parser = parse_duration)]
    pub poll_interval: Option<Duration>,
    #[doc(hidden)]
    #[arg(id = "requests_per_second", long = "requests-per-second", hide = true, value_parser = parse_rate)]
    pub requests_per_second: Option<f64>,
    #[doc(hidden)]
    #[arg(
        id = "allow_private_image_urls",
        long = "allow-private-image-urls",
        hide = true
    )]
    pub allow_private_image_urls: bool,
}

impl NotConnecting {
    /// The flags given, as typed.
    fn given(&self) -> Vec<&'static str> {
        [
            (self.sim, "--sim"),
            (self.base_url.is_some(), "--base-url"),
            (self.poll_interval.is_some(), "--poll-interval"),
            (self.requests_per_second.is_some(), "--requests-per-second"),
            (self.allow_private_image_urls, "--allow-private-image-urls"),
        ]
        .into_iter()
        .filter_map(|(given, flag)| given.then_some(flag))
        .collect()
    }

    /// `Err` naming the flags given to `seedance COMMAND`, which connects
    /// to nothing.
    pub fn refuse(&self, command: &'static str) -> Result<(), CliError> {
        let flags = self.given();
        match flags.is_empty() {
            true => Ok(()),
            false => Err(CliError::DoesNotApply {
                flags: flags.join(", "),
                command,
            }),
        }
    }
}

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

/// `seedance run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// `vendor/model` (see `seedance models`), or the model's module name.
    pub model: String,
    /// Set a field: `--set prompt="a cat"`. Values are typed by the model's
    /// schema; a list takes repeated --set (one item each) or a JSON array
    /// (`--set 'images=["https://a/1.png","https://a/2.png"]'`). An image
    /// field takes a local file as `@path` (`--set image_url=@photo.png`):
    /// uploaded for WaveSpeed, a data URI for the AI/ML API, refused for
    /// RunComfy unless --allow-data-uri. Applied over --input.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub sets: Vec<String>,
    /// A JSON file holding the request body (an object of fields); `-`
    /// reads it from standard input. Image fields may hold `@path` too.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Run every check (local rules, images), then print the endpoint and
    /// the JSON body that would be sent, and stop: nothing is sent, no
    /// file is uploaded, no token is needed.
    #[arg(long, conflicts_with_all = ["no_wait", "out"])]
    pub dry_run: bool,
    /// Refuse to submit when the job's quote is above USD (e.g. `1.50`),
    /// or unknown (see --assume-price); nothing is sent then (exit 9).
    #[arg(long, value_name = "USD", value_parser = crate::money::parse_usd)]
    pub max_cost: Option<seedance_runtime::Usd>,
    /// The price of one job of MODEL when its vendor publishes none
    /// (`aimlapi/bytedance/seedance-1-0-lite-i2v=0.25`); repeatable.
    #[arg(long = "assume-price", value_name = "MODEL=USD", value_parser = crate::money::parse_assumed)]
    pub assume_price: Vec<(String, seedance_runtime::Usd)>,
    /// Send local images (`@path`) to RunComfy as data URIs. Its pages ask
    /// for public HTTPS URLs, so it may refuse them (after billing).
    #[arg(long)]
    pub allow_data_uri: bool,
    /// Print the job id and stop, without waiting.
    #[arg(long, conflicts_with_all = ["out", "cancel_on_interrupt"])]
    pub no_wait: bool,
    /// Do not fetch remote images to check their rules before submit
    /// (data URIs are still checked).
    #[arg(long)]
    pub skip_image_checks: bool,
    /// Waiting options.
    #[command(flatten)]
    pub wait: WaitFlags,
}

/// How to wait and where to save.
#[derive(Debug, Args)]
pub struct WaitFlags {
    /// Save the video here once the job succeeds (`run` saves to
    /// `JOB_ID.mp4` in the current folder without it; `wait` prints the
    /// output URLs instead). `-` writes it to stdout. Checked before the
    /// job is submitted: only a new file, or a regular file with --force,
    /// is ever written (a symlink is written through).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Give up waiting after DURATION (e.g. `90s`, `20m`); the job keeps running.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// On Ctrl-C, also ask the vendor to cancel the job (by default it keeps
    /// running and the command that resumes it is printed).
    #[arg(long)]
    pub cancel_on_interrupt: bool,
}

/// A job named by its vendor (or one of the vendor's models) and its id.
#[derive(Debug, Args)]
pub struct JobArgs {
    /// A vendor id (`runcomfy`, `aimlapi`, `wavespeed`) or any of its models.
    #[arg(value_name = "MODEL-OR-VENDOR")]
    pub target: String,
    /// The job id printed by `seedance run`.
    pub id: String,
}

/// `seedance result`.
#[derive(Debug, Args)]
pub struct ResultArgs {
    /// The job.
    #[command(flatten)]
    pub job: JobArgs,
    /// Save the video here (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// `seedance wait`.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The job.
    #[command(flatten)]
    pub job: JobArgs,
    /// Waiting options.
    #[command(flatten)]
    pub wait: WaitFlags,
}

/// A probability: a number from 0 to 1.
pub fn parse_probability(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("{text:?} is not a probability from 0 to 1")),
    }
}

/// `500ms`, `2s`, `3m`, `1h`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 500ms, 30s, 5m"))?;
    let seconds = match unit.trim() {
        "ms" => number / 1000.0,
        "" | "s" => number,
        "m" => number * 60.0,
        "h" => number * 3600.0,
        other => return Err(format!("unknown unit {other:?} (use ms, s, m or h)")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|err| format!("{text:?}: {err}"))
}

/// `seedance sim --requests-per-second`: always an error, saying why.
fn refuse_request_budget(_: &str) -> Result<f64, String> {
    Err(
        "--requests-per-second bounds the requests a client sends, and `seedance sim` \
         sends none (--rate-limit-rate makes the simulator answer 429s)"
            .to_owned(),
    )
}

/// A request rate: a positive number of requests a second, or `inf`.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) if rate > 0.0 => Ok(rate),
        _ => Err(format!(
            "{text:?} is not a rate: give requests a second above 0 (e.g. 200), or inf"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn rates_parse() {
        assert_eq!(parse_rate("200"), Ok(200.0));
        assert_eq!(parse_rate("0.5"), Ok(0.5));
        assert_eq!(parse_rate("inf"), Ok(f64::INFINITY));
        for bad in ["0", "-3", "NaN", "fast"] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("10ms"), Ok(Duration::from_millis(10)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert!(parse_duration("soon").is_err());
    }
}
