//! One module per command; `dispatch` maps the parsed command line to them.

mod batch;
mod describe;
mod follow;
mod jobs;
mod models;
mod resume;
mod run;
mod serve;

use crate::cli::{Cli, Command};
use crate::error::CliError;
use crate::output::Printer;

/// Runs the chosen command.
pub async fn dispatch(cli: &Cli, printer: &Printer) -> Result<(), CliError> {
    let global = &cli.global;
    match &cli.command {
        Command::Models(args) if args.remote => models::remote(printer, global).await,
        Command::Models(args) => {
            args.not_here.refuse("models")?;
            models::run(printer);
            Ok(())
        }
        Command::Describe { model, not_here } => {
            describe::run(printer, global, model, not_here).await
        }
        Command::Run(args) => run::run(printer, global, args).await,
        Command::Status(args) => resume::status(printer, global, args).await,
        Command::Result(args) => resume::result(printer, global, args).await,
        Command::Wait(args) => resume::wait(printer, global, args).await,
        Command::Cancel(args) => resume::cancel(printer, global, args).await,
        Command::Sim(args) => serve::run(printer, args).await,
        Command::Batch(args) => batch::run(printer, global, args).await,
        Command::Jobs(args) => {
            args.not_here.refuse("jobs")?;
            jobs::run(printer, args).await
        }
    }
}
