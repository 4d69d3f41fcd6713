//! `seedance run MODEL`: build the input, check it locally, submit, print
//! the job id at once, then follow the job to its output.

use seedance_runtime::SubmitOptions;
use serde_json::{Value, json};

use crate::cli::{Global, RunArgs};
use crate::commands::follow::{self, Interrupt, Resume};
use crate::error::CliError;
use crate::input::{self, InputError};
use crate::output::Printer;
use crate::schema::{self, full_name};
use crate::{connect, sim};

/// Runs one generation.
pub async fn run(printer: &Printer, global: &Global, args: &RunArgs) -> Result<(), CliError> {
    if global.sim && global.base_url.is_some() {
        return Err(CliError::SimWithBaseUrl);
    }
    let info = connect::model(&args.model)?;
    let name = full_name(info);
    let fields = schema::fields(info);
    let mut body = input::build(&name, &fields, args.input.as_deref(), &args.sets)?;

    // Kept alive until the job is followed: dropping it stops the server.
    let sim = match global.sim {
        true => Some(sim::start().await?),
        false => None,
    };
    if let Some(sim) = &sim {
        for note in sim::prepare_images(sim, &fields, &mut body) {
            printer.note(&note);
        }
    }
    input::check_required(&name, &fields, &body)?;
    let model = (info.parse)(Value::Object(body)).map_err(|source| InputError::Rejected {
        model: name.clone(),
        source,
    })?;
    // The local rules first, so a bad input fails the same way with or
    // without a token.
    model
        .validate()
        .map_err(seedance_runtime::Error::Validation)?;

    let conn = match &sim {
        Some(sim) => sim::connection(sim, info.vendor, global.poll_interval)?,
        None => connect::remote(info.vendor, global)?,
    };
    let mut options = SubmitOptions::new();
    if args.skip_image_checks {
        options = options.skip_remote_image_checks(true);
    }
    let job = conn.submit_erased(model.as_ref(), options).await?;
    let interrupt = Interrupt::listen().await;
    printer.result(
        || format!("job {}", job.id()),
        || {
            json!({
                "event": "submitted",
                "job_id": job.id(),
                "model": name,
                "vendor": info.vendor.id,
            })
        },
    );

    let resume = match &sim {
        Some(_) => Resume::InProcessSim,
        None => Resume::Command(connect::resume_command(&name, job.id(), global)),
    };
    if args.no_wait {
        match &resume {
            Resume::Command(command) => {
                printer.note(&format!("not waiting; resume with: {command}"))
            }
            Resume::InProcessSim => printer.note(
                "not waiting; note that the in-process simulator (--sim) stops now, \
                 taking the job with it",
            ),
        }
        return Ok(());
    }
    follow::wait_and_save(printer, &job, &args.wait, &resume, interrupt).await
}
