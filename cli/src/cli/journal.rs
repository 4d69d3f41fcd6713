//! The arguments of the commands that keep a journal: `seedance batch`
//! and `seedance jobs`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::not_connecting::NotConnecting;
use super::values::parse_duration;
use crate::money;

/// `seedance batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// JSON Lines, one job per line: {"model": "<name from seedance models>",
    /// "input": {...}, "out": "optional/path.mp4"}; `-` reads stdin.
    pub file: String,
    /// The journal: an SQLite file (created if missing), or a
    /// postgres://user@host/db URL that many workers share; `:memory:`
    /// keeps nothing (a benchmark baseline: no resume).
    #[arg(long, value_name = "PATH|URL", default_value = "seedance-jobs.db")]
    pub journal: String,
    /// Folder for the outputs (default: the current folder): a line's "out"
    /// is relative to it, and lines without one are saved as JOB_ID.mp4.
    /// A line never writes outside it: an absolute "out", one with `..`, or
    /// one through a symlink leading out of it is refused before anything
    /// is sent, as is one that cannot be saved (a folder, `x/`, a dangling
    /// symlink, an existing file unless the journal has the line).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Jobs in flight at once in this process (submitted, not yet saved).
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// At most N jobs of VENDOR in flight (repeatable), e.g. `wavespeed=2`
    /// for WaveSpeed's entry tier.
    #[arg(long = "vendor-cap", value_name = "VENDOR=N", value_parser = parse_cap)]
    pub vendor_caps: Vec<(String, usize)>,
    /// Submit a line identical to an earlier one as another job (by default
    /// it is reported as a duplicate and skipped).
    #[arg(long)]
    pub allow_duplicates: bool,
    /// Do not read remote images to check their rules before lines are
    /// recorded (data URIs are still checked; lines the journal already has
    /// are never re-checked).
    #[arg(long)]
    pub skip_image_checks: bool,
    /// Print the price of the lines, per model and overall, and stop:
    /// nothing is recorded or submitted (each distinct input is quoted once).
    #[arg(long)]
    pub estimate: bool,
    /// Never spend more than USD on this batch's jobs: each line's quote is
    /// reserved in the journal before it is sent, so every worker sharing
    /// the journal keeps to it; lines that do not fit are held back (never
    /// sent) and listed, exit code 9. A line of unknown price is held back
    /// unless --assume-price prices it. The budget stays with the batch.
    #[arg(long, value_name = "USD", value_parser = money::parse_usd)]
    pub budget: Option<seedance_runtime::Usd>,
    /// The price of one job of MODEL when its vendor publishes none
    /// (`aimlapi/bytedance/seedance-1-0-lite-i2v=0.25`); repeatable.
    #[arg(long = "assume-price", value_name = "MODEL=USD", value_parser = money::parse_assumed)]
    pub assume_price: Vec<(String, seedance_runtime::Usd)>,
    /// How long a worker's hold on a job lasts unless renewed: a dead
    /// worker's jobs are taken over by others after this.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub lease: Duration,
}

/// `VENDOR=N`.
fn parse_cap(text: &str) -> Result<(String, usize), String> {
    let (vendor, n) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?}: expected VENDOR=N, e.g. wavespeed=2"))?;
    let n: usize = n
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("{text:?}: N must be a positive number"))?;
    Ok((vendor.trim().to_owned(), n))
}

/// `seedance jobs`.
#[derive(Debug, Args)]
pub struct JobsArgs {
    /// Show one entry and its history: its key, a unique key prefix, or its job id.
    pub key: Option<String>,
    /// The journal (an SQLite file or a postgres:// URL).
    #[arg(long, value_name = "PATH|URL", default_value = "seedance-jobs.db")]
    pub journal: String,
    /// Only entries of this batch (the id `seedance batch` prints).
    #[arg(long)]
    pub batch: Option<String>,
    /// The connection options, which do not apply here.
    #[command(flatten)]
    pub not_here: NotConnecting,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_parse() {
        assert_eq!(parse_cap("wavespeed=2"), Ok(("wavespeed".to_owned(), 2)));
        assert!(parse_cap("wavespeed").is_err());
        assert!(parse_cap("wavespeed=0").is_err());
    }
}
