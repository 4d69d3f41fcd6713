//! The connection options of the commands that mostly connect to nothing
//! (`models`, `describe`, `jobs`): refused there, except where such a
//! command reads a vendor's catalog (`models --remote`, `describe` of a
//! model that is not compiled in), which takes `--sim` and `--base-url`.

use std::time::Duration;

use clap::Args;

use super::values::{parse_duration, parse_rate};
use crate::error::CliError;

/// The global options of the commands that talk to a vendor, as hidden
/// twins for the commands that mostly talk to none (`models`, `describe`,
/// `jobs`; see the module docs): each twin has its global's id, type and parser, so clap leaves
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
