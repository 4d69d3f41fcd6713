//! `seedance`: the generated Seedance models from the command line, built
//! on the generated catalog and the runtime (never on a hand-kept list of
//! models or fields), with an in-process simulator behind `--sim`.

mod advisories;
mod body;
mod catalog_models;
mod cli;
mod commands;
mod confine;
mod connect;
mod destination;
mod error;
mod input;
mod journal_text;
mod local;
mod money;
mod output;
mod progress;
mod remote;
mod schema;
mod sim;
mod terminal;

use std::process::ExitCode;

use clap::Parser;

use crate::error::{CliError, Exit};
use crate::output::Printer;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version print as usual; usage errors honour --json.
        Err(err) if !err.use_stderr() => err.exit(),
        Err(err) => {
            let json = std::env::args_os().any(|arg| arg == "--json");
            Printer::new(json, false).usage_error(&err.render().to_string());
            return ExitCode::from(Exit::Usage as u8);
        }
    };
    let printer = Printer::new(cli.global.json, cli.stdout_is_the_video());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            printer.error(&CliError::Startup(err));
            return ExitCode::from(Exit::Other as u8);
        }
    };
    match runtime.block_on(commands::dispatch(&cli, &printer)) {
        Ok(()) => ExitCode::from(Exit::Success as u8),
        Err(err) => {
            printer.error(&err);
            ExitCode::from(err.exit() as u8)
        }
    }
}
