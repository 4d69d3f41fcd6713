//! `seedance run MODEL`: build the input, check it locally, submit, print
//! the job id at once, then follow the job to its output.

use std::path::PathBuf;

use seedance_runtime::SubmitOptions;
use serde_json::{Value, json};

use crate::cli::{Global, RunArgs};
use crate::commands::follow::{self, Interrupt, Resume};
use crate::connect;
use crate::error::CliError;
use crate::input::{self, InputError};
use crate::output::Printer;
use crate::schema::{self, full_name};
use crate::sim::{Simulator, images};

/// Runs one generation.
pub async fn run(printer: &Printer, global: &Global, args: &RunArgs) -> Result<(), CliError> {
    if global.sim && global.base_url.is_some() {
        return Err(CliError::SimWithBaseUrl);
    }
    let info = connect::model(&args.model)?;
    let name = full_name(info);
    let fields = schema::fields(info);
    let mut body = input::build(&name, &fields, args.input.as_deref(), &args.sets)?;

    // Kept alive until the job is followed: dropping an in-process
    // simulator stops it.
    let sim = match global.sim {
        true => Some(Simulator::find_or_start().await?),
        false => None,
    };
    if let Some(sim) = &sim {
        if !sim.is_in_process() {
            printer.note(&format!(
                "--sim: using `seedance sim` at {}",
                sim.base_url()
            ));
        }
        for note in images::prepare(sim, &fields, &mut body) {
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
        Some(sim) => sim.connection(info.vendor, global.poll_interval)?,
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

    if args.no_wait {
        printer.note(&match &sim {
            Some(sim) if sim.is_in_process() => {
                "not waiting; note that the in-process simulator (--sim) stops now, taking \
                 the job with it (start `seedance sim` in another terminal to keep --sim jobs)"
                    .to_owned()
            }
            _ => format!(
                "not waiting; resume with: {}",
                connect::resume_command(&name, job.id(), global, None)
            ),
        });
        return Ok(());
    }
    let out = args
        .wait
        .out
        .clone()
        .unwrap_or_else(|| default_out(job.id()));
    let resume = match &sim {
        Some(sim) if sim.is_in_process() => Resume::InProcessSim,
        _ => Resume::Command(connect::resume_command(&name, job.id(), global, Some(&out))),
    };
    follow::wait_and_save(printer, &job, &args.wait, Some(&out), &resume, interrupt).await
}

/// `JOB_ID.mp4` in the current folder, the id made safe as a file name:
/// ids are the vendor's, so anything but letters, digits, `-`, `_` and `.`
/// becomes `_`, and a leading `.` too (no hidden file, no `..`).
fn default_out(job_id: &str) -> PathBuf {
    let mut name: String = job_id
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' => c,
            _ => '_',
        })
        .collect();
    if name.starts_with('.') {
        name.replace_range(..1, "_");
    }
    if name.is_empty() {
        name.push_str("video");
    }
    PathBuf::from(format!("{name}.mp4"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_file_name_is_the_safe_job_id() {
        assert_eq!(default_out("abc-123_x"), PathBuf::from("abc-123_x.mp4"));
        assert_eq!(default_out("a/b\\c d"), PathBuf::from("a_b_c_d.mp4"));
        assert_eq!(default_out("../etc"), PathBuf::from("_._etc.mp4"));
        assert_eq!(default_out(""), PathBuf::from("video.mp4"));
    }
}
