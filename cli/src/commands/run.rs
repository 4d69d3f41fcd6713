//! `seedance run MODEL`: build the input (`crate::body`, as `batch` does:
//! local `@path` images read), check it locally, send local images the vendor's way, submit, print the job id
//! at once, then follow the job to its output; or, with `--dry-run`, print
//! what would be sent and stop.

use std::path::{Path, PathBuf};
use std::time::Duration;

use seedance::catalog::ModelInfo;
use seedance_runtime::media::{MediaOptions, WAVESPEED_UPLOAD_PATH};
use seedance_runtime::{Connection, ErasedModel, Error, Job, Pricer, Quote, SubmitOptions};
use serde_json::{Map, Value, json};

use crate::advisories;
use crate::body::{self, Prepared};
use crate::cli::{Global, RunArgs};
use crate::commands::follow::{self, Interrupt, Resume};
use crate::connect;
use crate::error::CliError;
use crate::input;
use crate::local;
use crate::money;
use crate::output::Printer;
use crate::schema::{self, full_name};
use crate::sim::Simulator;

/// Runs one generation.
pub async fn run(printer: &Printer, global: &Global, args: &RunArgs) -> Result<(), CliError> {
    // Kept alive until the job is followed: dropping an in-process
    // simulator stops it.
    let sim = start_sim(printer, global).await?;
    let info = crate::remote::resolve(printer, global, &args.model, sim.as_ref()).await?;
    let mut prepared = prepare(printer, args, info, sim.as_ref()).await?;
    // Where the video goes is checked before anything is paid for.
    if !args.no_wait && !args.dry_run {
        follow::check_out(args.wait.out.as_deref(), args.wait.force)?;
    }
    // From here on a signal is reported, never a silent exit.
    let mut interrupt = Interrupt::listen();
    let conn =
        checked_connection(global, args, info, sim.as_ref(), &prepared, &mut interrupt).await?;
    let quote = quote(&conn, &prepared, args).await?;
    if args.dry_run {
        let skipped = skipped_checks(args, &conn, &prepared);
        return dry_run(printer, &conn, &prepared, quote.as_ref(), &skipped);
    }
    // Every rule held on the local files themselves: now send them the
    // vendor's way (an upload for WaveSpeed) and build the final input.
    let delivered = tokio::select! {
        delivered = prepared.deliver(&conn) => delivered?,
        signal = interrupt.received() => {
            return Err(CliError::InterruptedBeforeSubmit { signal });
        }
    };
    for (field, url) in delivered {
        printer.note(&format!("uploaded {field}: {url}"));
    }
    let name = prepared.name().to_owned();
    let model = prepared.model.as_ref();
    let vendor = info.vendor.name;
    let job = match submit(printer, &conn, model, &name, &mut interrupt, vendor).await? {
        Submitted::Job(job) => job,
        Submitted::Interrupted(job, signal) => {
            announce(printer, &job, &name, info.vendor.id);
            let resume = resume(sim.as_ref(), &name, &job, global, args.wait.out.as_deref());
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
    follow_job(printer, global, args, sim.as_ref(), &job, &name, interrupt).await
}

/// The simulator, with `--sim`, named when it is another process.
async fn start_sim(printer: &Printer, global: &Global) -> Result<Option<Simulator>, CliError> {
    let sim = Simulator::for_global(global).await?;
    if let Some(sim) = sim.as_ref().filter(|sim| !sim.is_in_process()) {
        printer.note(&format!(
            "--sim: using `seedance sim` at {}",
            sim.base_url()
        ));
    }
    Ok(sim)
}

/// The body, built as `batch` builds it (`crate::body`), with its notes and
/// advisories printed. Local files are read here, so an unreadable one or a
/// vendor that takes none fails before a token is looked for.
async fn prepare(
    printer: &Printer,
    args: &RunArgs,
    info: &'static ModelInfo,
    sim: Option<&Simulator>,
) -> Result<Prepared, CliError> {
    let fields = schema::fields(info);
    let input = input::build(&full_name(info), &fields, args.input.as_deref(), &args.sets)?;
    let sources = body::Sources {
        media_root: None,
        media: MediaOptions {
            allow_data_uri: args.allow_data_uri,
        },
        sim,
    };
    let prepared = body::prepare(info, &fields, input, &sources).await?;
    for note in &prepared.sim_notes {
        printer.note(note);
    }
    for advisory in advisories::applying(prepared.name(), &prepared.body) {
        printer.note(&format!("warning: {}", advisory.text));
    }
    Ok(prepared)
}

/// The connection, once the local rules and the image rules held
/// together (every violation at once).
async fn checked_connection(
    global: &Global,
    args: &RunArgs,
    info: &'static ModelInfo,
    sim: Option<&Simulator>,
    prepared: &Prepared,
    interrupt: &mut Interrupt,
) -> Result<Connection, CliError> {
    let local = prepared.model.validate();
    let conn = match sim {
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
    let images = prepared.model.image_inputs();
    tokio::select! {
        checked = prober.preflight(local, &images, skip) => { checked?; }
        signal = interrupt.received() => {
            return Err(CliError::InterruptedBeforeSubmit { signal });
        }
    }
    Ok(conn)
}

/// The quote: asked for a dry run (to show it) and under `--max-cost`
/// (refused above it or when unknown); `None` otherwise, so a plain run
/// asks the vendor nothing more.
async fn quote(
    conn: &Connection,
    prepared: &Prepared,
    args: &RunArgs,
) -> Result<Option<Quote>, CliError> {
    if !args.dry_run && args.max_cost.is_none() {
        return Ok(None);
    }
    let (_, bytes) = prepared.request()?;
    let body: Value = serde_json::from_slice(&bytes)
        .map_err(|err| CliError::Http(format!("cannot serialise the input: {err}")))?;
    let assumed = connect::assumed_by_model_id(&args.assume_price)?;
    let quote = Pricer::new(conn.clone())
        .with_assumed(assumed)
        .quote(prepared.model.model(), &body)
        .await;
    if let Some(max) = args.max_cost {
        money::check_max(prepared.name(), &quote, max)?;
    }
    Ok(Some(quote))
}

/// After the job id is printed: follow the job to its output, or (with
/// `--no-wait`) say how to pick it up.
async fn follow_job(
    printer: &Printer,
    global: &Global,
    args: &RunArgs,
    sim: Option<&Simulator>,
    job: &Job,
    name: &str,
    interrupt: Interrupt,
) -> Result<(), CliError> {
    if args.no_wait {
        printer.note(&match sim {
            Some(sim) if sim.is_in_process() => {
                "not waiting; note that the in-process simulator (--sim) stops now, taking \
                 the job with it (start `seedance sim` in another terminal to keep --sim jobs)"
                    .to_owned()
            }
            _ => format!(
                "not waiting; resume with: {}",
                connect::resume_command(name, job.id(), global, None)
            ),
        });
        return Ok(());
    }
    let out = args
        .wait
        .out
        .clone()
        .unwrap_or_else(|| default_out(job.id()));
    let resume = resume(sim, name, job, global, Some(&out));
    follow::wait_and_save(printer, job, &args.wait, Some(&out), &resume, interrupt).await
}

/// How the job is picked up again.
fn resume(
    sim: Option<&Simulator>,
    name: &str,
    job: &Job,
    global: &Global,
    out: Option<&Path>,
) -> Resume {
    match sim {
        Some(sim) if sim.is_in_process() => Resume::InProcessSim,
        _ => Resume::Command(connect::resume_command(name, job.id(), global, out)),
    }
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

/// `--dry-run`: what would be sent, after every check passed.
fn dry_run(
    printer: &Printer,
    conn: &Connection,
    prepared: &Prepared,
    quote: Option<&seedance_runtime::Quote>,
    skipped: &[Value],
) -> Result<(), CliError> {
    let (path, bytes) = prepared.request()?;
    let url = format!("{}{path}", conn.base_url());
    let mut body: Map<String, Value> = serde_json::from_slice(&bytes)
        .map_err(|err| CliError::Http(format!("cannot serialise the input: {err}")))?;
    let mut uploads = Vec::new();
    for local in &prepared.locals {
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
            let mut text = checks_line(skipped);
            for upload in &uploads {
                text.push_str(&format!(
                    "would upload {} ({} bytes) for {}: POST {}\n",
                    upload["file"].as_str().unwrap_or_default(),
                    upload["bytes"],
                    upload["field"].as_str().unwrap_or_default(),
                    upload["url"].as_str().unwrap_or_default(),
                ));
            }
            if let Some(quote) = quote {
                text.push_str(&format!("price: {quote}\n"));
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
                "skipped_checks": skipped,
                "quote": quote.map(money::quote_json),
            })
        },
    );
    Ok(())
}

/// The checks a dry run did not make: the image rules of each remote image
/// with --skip-image-checks (data URIs are still checked), as
/// `{"check", "field", "reason"}`.
fn skipped_checks(args: &RunArgs, conn: &Connection, prepared: &Prepared) -> Vec<Value> {
    if !(args.skip_image_checks || conn.skips_remote_image_checks()) {
        return Vec::new();
    }
    prepared
        .model
        .image_inputs()
        .iter()
        .filter(|image| !image.rules.is_empty() && !image.uri.starts_with("data:"))
        .map(|image| {
            json!({
                "check": "image_rules",
                "field": image.field.to_string(),
                "reason": "--skip-image-checks: the image was not read",
            })
        })
        .collect()
}

/// The dry run's first line: every check passed, or which were skipped.
fn checks_line(skipped: &[Value]) -> String {
    if skipped.is_empty() {
        return String::from("dry run: every check passed; nothing was sent\n");
    }
    let fields: Vec<&str> = skipped
        .iter()
        .filter_map(|check| check["field"].as_str())
        .collect();
    format!(
        "dry run: every other check passed; skipped (--skip-image-checks): the image rules of \
         {} (not read); nothing was sent\n",
        fields.join(", ")
    )
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

/// `JOB_ID.mp4` in the current folder, the vendor's id made safe as a file
/// name the way a batch names its outputs.
fn default_out(job_id: &str) -> PathBuf {
    PathBuf::from(format!("{}.mp4", seedance_journal::safe_file_name(job_id)))
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
