//! `seedance run MODEL`: build the input (local `@path` images read), check
//! it locally, send local images the vendor's way, submit, print the job id
//! at once, then follow the job to its output; or, with `--dry-run`, print
//! what would be sent and stop.

use std::path::PathBuf;
use std::time::Duration;

use seedance::catalog::ModelInfo;
use seedance_runtime::media::{MediaOptions, WAVESPEED_UPLOAD_PATH};
use seedance_runtime::{Connection, ErasedModel, Error, Job, SubmitOptions};
use serde_json::{Map, Value, json};

use crate::advisories;
use crate::cli::{Global, RunArgs};
use crate::commands::follow::{self, Interrupt, Resume};
use crate::connect;
use crate::error::CliError;
use crate::input::{self, InputError};
use crate::local::{self, Local};
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
    let media = MediaOptions {
        allow_data_uri: args.allow_data_uri,
    };
    // Local files first: an unreadable file or a vendor that takes none
    // fails before a simulator starts or a token is looked for.
    let files = input::local_files(&fields, &body)?;
    let locals = local::read(
        files,
        info.vendor.protocol,
        info.vendor.name,
        media,
        &mut body,
    )
    .await?;

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
    for advisory in advisories::applying(&name, &body) {
        printer.note(&format!("warning: {}", advisory.text));
    }
    let model = parse(info, &name, &body)?;
    // Where the video goes is checked before anything is paid for. Without
    // --out the name is the job id, unknown yet: the folder is checked.
    if !args.no_wait && !args.dry_run {
        let out = args
            .wait
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from(".seedance-write-check.mp4"));
        follow::check_out(&out, args.wait.force)?;
    }
    // From here on a signal is reported, never a silent exit.
    let mut interrupt = Interrupt::listen();
    let local = model.validate();

    let conn = match &sim {
        Some(sim) => sim.connection(info.vendor, global)?,
        // A dry run sends nothing that needs a token.
        None if args.dry_run => connect::remote_or_anonymous(info.vendor, global)?,
        None => match connect::remote(info.vendor, global) {
            Ok(conn) => conn,
            // The local rules first, so a bad input fails the same way with
            // or without a token (images are only read once one is known).
            Err(err) => return Err(local.map_or_else(|e| Error::Validation(e).into(), |()| err)),
        },
    };
    let skip = args.skip_image_checks || conn.skips_remote_image_checks();
    let prober = conn.prober()?;
    // Local rules and image rules together: every violation at once.
    let images = model.image_inputs();
    tokio::select! {
        checked = prober.preflight(local, &images, skip) => { checked?; }
        signal = interrupt.received() => {
            return Err(CliError::InterruptedBeforeSubmit { signal });
        }
    }
    if args.dry_run {
        return dry_run(printer, &conn, model.as_ref(), &locals);
    }
    // Every rule held on the local files themselves: now send them the
    // vendor's way (an upload for WaveSpeed) and build the final input.
    let model = if locals.is_empty() {
        model
    } else {
        let delivered = tokio::select! {
            delivered = local::deliver(&conn, &locals, media, &mut body) => delivered?,
            signal = interrupt.received() => {
                return Err(CliError::InterruptedBeforeSubmit { signal });
            }
        };
        for (field, url) in delivered {
            printer.note(&format!("uploaded {field}: {url}"));
        }
        parse(info, &name, &body)?
    };
    let job = submit(
        printer,
        &conn,
        model.as_ref(),
        &name,
        &mut interrupt,
        info.vendor.name,
    )
    .await?;
    let job = match job {
        Submitted::Job(job) => job,
        Submitted::Interrupted(job, signal) => {
            announce(printer, &job, &name, info.vendor.id);
            let resume = match &sim {
                Some(sim) if sim.is_in_process() => Resume::InProcessSim,
                _ => Resume::Command(connect::resume_command(
                    &name,
                    job.id(),
                    global,
                    args.wait.out.as_deref(),
                )),
            };
            return Err(CliError::Interrupted {
                job_id: job.id().to_owned(),
                what: format!(
                    "{signal} during the submit; the job was created and keeps running; {}",
                    resume.sentence()
                ),
            });
        }
    };
    announce(printer, &job, &name, info.vendor.id);

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

/// How long a signal during the submit POST waits for its answer, so the
/// job id of a job the vendor created is not lost.
const SUBMIT_GRACE: Duration = Duration::from_secs(10);

/// What the submit came to.
enum Submitted {
    Job(Job),
    /// The answer came in the grace period after a signal.
    Interrupted(Job, &'static str),
}

/// One POST of the checked input. A signal while it is in flight does not
/// drop it: the answer is awaited for [`SUBMIT_GRACE`] (a second signal
/// stops at once), so a created job is reported with its id; otherwise the
/// job may exist and the error says so.
async fn submit(
    printer: &Printer,
    conn: &Connection,
    model: &dyn ErasedModel,
    name: &str,
    interrupt: &mut Interrupt,
    vendor: &'static str,
) -> Result<Submitted, CliError> {
    let request = conn.submit_erased_prechecked(model, SubmitOptions::new());
    tokio::pin!(request);
    let signal = tokio::select! {
        job = &mut request => return Ok(Submitted::Job(job?)),
        signal = interrupt.received() => signal,
    };
    printer.note(&format!(
        "{signal}: the submit request is in flight; waiting up to {}s for its answer so the \
         job id is not lost ({signal} again to stop now)",
        SUBMIT_GRACE.as_secs()
    ));
    let gone = CliError::SubmitInterrupted {
        signal,
        vendor,
        model: name.to_owned(),
    };
    tokio::select! {
        job = &mut request => Ok(Submitted::Interrupted(job?, signal)),
        _ = interrupt.received() => Err(gone),
        () = tokio::time::sleep(SUBMIT_GRACE) => Err(gone),
    }
}

/// Prints the job id (the first thing a script reads).
fn announce(printer: &Printer, job: &Job, name: &str, vendor: &str) {
    printer.result(
        || format!("job {}", job.id()),
        || {
            json!({
                "event": "submitted",
                "job_id": job.id(),
                "model": name,
                "vendor": vendor,
            })
        },
    );
}

/// The body as the model's generated type (serde names the field at fault).
fn parse(
    info: &ModelInfo,
    name: &str,
    body: &Map<String, Value>,
) -> Result<Box<dyn ErasedModel>, CliError> {
    (info.parse)(Value::Object(body.clone())).map_err(|source| {
        CliError::from(InputError::Rejected {
            model: name.to_owned(),
            source,
        })
    })
}

/// `--dry-run`: what would be sent, after every check passed.
fn dry_run(
    printer: &Printer,
    conn: &Connection,
    model: &dyn ErasedModel,
    locals: &[Local],
) -> Result<(), CliError> {
    let url = format!(
        "{}{}",
        conn.base_url(),
        model.submit_path().replace("{model}", model.model())
    );
    let bytes = model
        .to_body()
        .map_err(|err| CliError::Http(format!("cannot serialise the input: {err}")))?;
    let mut body: Map<String, Value> = serde_json::from_slice(&bytes)
        .map_err(|err| CliError::Http(format!("cannot serialise the input: {err}")))?;
    let mut uploads = Vec::new();
    for local in locals {
        if let Some(placeholder) = local::placeholder(local, conn.protocol()) {
            input::set_at(&mut body, &local.field, Value::String(placeholder));
            uploads.push(json!({
                "field": local.field,
                "file": local.path.display().to_string(),
                "bytes": local.image.bytes.len(),
                "method": "POST",
                "url": format!("{}{}", conn.base_url(), WAVESPEED_UPLOAD_PATH),
            }));
        }
    }
    printer.result(
        || {
            let mut text = String::from("dry run: every check passed; nothing was sent\n");
            for upload in &uploads {
                text.push_str(&format!(
                    "would upload {} ({} bytes) for {}: POST {}\n",
                    upload["file"].as_str().unwrap_or_default(),
                    upload["bytes"],
                    upload["field"].as_str().unwrap_or_default(),
                    upload["url"].as_str().unwrap_or_default(),
                ));
            }
            text.push_str(&format!("POST {url}\n"));
            let shown = Value::Object(shorten_data_uris(body.clone()));
            text.push_str(&serde_json::to_string_pretty(&shown).unwrap_or_default());
            text
        },
        || {
            json!({
                "event": "dry_run",
                "method": "POST",
                "url": url,
                "body": body,
                "uploads": uploads,
            })
        },
    );
    Ok(())
}

/// Data URIs cut to their start and length, for reading on a terminal
/// (`--json` keeps the body exact).
fn shorten_data_uris(mut body: Map<String, Value>) -> Map<String, Value> {
    fn shorten(value: &mut Value) {
        match value {
            Value::String(text) if text.starts_with("data:") && text.len() > 80 => {
                *text = format!("{}... ({} characters)", &text[..48], text.len());
            }
            Value::Array(items) => items.iter_mut().for_each(shorten),
            _ => {}
        }
    }
    body.values_mut().for_each(shorten);
    body
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
