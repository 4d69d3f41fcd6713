//! The arguments of the commands that submit or follow one job: `run`,
//! `status`, `result`, `wait` and `cancel`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::values::parse_duration;
use crate::money;

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
    #[arg(long, value_name = "USD", value_parser = money::parse_usd)]
    pub max_cost: Option<seedance_runtime::Usd>,
    /// The price of one job of MODEL when its vendor publishes none
    /// (`aimlapi/bytedance/seedance-1-0-lite-i2v=0.25`); repeatable.
    #[arg(long = "assume-price", value_name = "MODEL=USD", value_parser = money::parse_assumed)]
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
