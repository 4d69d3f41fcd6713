//! `seedance status|result|wait|cancel MODEL-OR-VENDOR ID`: any job picked
//! up again from its id alone, from any process.

use seedance_runtime::Job;
use serde_json::json;

use crate::cli::{Global, JobArgs, ResultArgs, WaitArgs};
use crate::commands::follow::{self, Interrupt, Resume};
use crate::connect;
use crate::error::CliError;
use crate::output::Printer;
use crate::sim::Simulator;

/// The job named on the command line, on a connection to its vendor, or
/// with `--sim` to the running `seedance sim` (the only simulator that can
/// know a job submitted by another process).
async fn job(global: &Global, args: &JobArgs) -> Result<Job, CliError> {
    let vendor = connect::vendor(&args.target)?;
    let conn = if global.sim {
        if global.base_url.is_some() {
            return Err(CliError::SimWithBaseUrl);
        }
        Simulator::running().await?.connection(vendor, global)?
    } else {
        connect::remote(vendor, global)?
    };
    Ok(conn.job(args.id.clone()))
}

/// Prints the job's state once.
pub async fn status(printer: &Printer, global: &Global, args: &JobArgs) -> Result<(), CliError> {
    let job = job(global, args).await?;
    let status = job.status().await?;
    printer.result(
        || format!("job {}: {status}", job.id()),
        || {
            json!({
                "job_id": job.id(),
                "state": status.state.as_str(),
                "vendor_state": status.raw,
                "queue_position": status.queue_position,
                "finished": status.state.is_terminal(),
            })
        },
    );
    Ok(())
}

/// Prints (or saves) a finished job's output.
pub async fn result(printer: &Printer, global: &Global, args: &ResultArgs) -> Result<(), CliError> {
    if let Some(out) = &args.out {
        follow::check_out(Some(out), args.force)?;
    }
    let job = job(global, &args.job).await?;
    let output = job.result().await?;
    follow::save(printer, &output, args.out.as_deref(), args.force).await
}

/// Waits for the job, then prints or saves its output.
pub async fn wait(printer: &Printer, global: &Global, args: &WaitArgs) -> Result<(), CliError> {
    if let Some(out) = &args.wait.out {
        follow::check_out(Some(out), args.wait.force)?;
    }
    let job = job(global, &args.job).await?;
    let resume = Resume::Command(connect::resume_command(
        &args.job.target,
        job.id(),
        global,
        args.wait.out.as_deref(),
    ));
    let interrupt = Interrupt::listen();
    let out = args.wait.out.as_deref();
    follow::wait_and_save(printer, &job, &args.wait, out, &resume, interrupt).await
}

/// Asks the vendor to cancel the job.
pub async fn cancel(printer: &Printer, global: &Global, args: &JobArgs) -> Result<(), CliError> {
    let job = job(global, args).await?;
    let outcome = job.cancel().await?;
    printer.result(
        || format!("job {}: {}", job.id(), follow::cancel_text(outcome)),
        || json!({ "job_id": job.id(), "outcome": follow::cancel_name(outcome) }),
    );
    Ok(())
}
