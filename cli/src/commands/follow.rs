//! Following a job to the end, shared by `run` and `wait`: the one wait
//! loop (`Job::wait_with`) with a progress display, Ctrl-C handling that
//! never loses the job id, and saving or printing the output.

#[cfg(not(unix))]
use std::future::Future;
use std::path::Path;
#[cfg(not(unix))]
use std::pin::Pin;

use seedance_runtime::{CancelOutcome, DownloadOptions, Job, Output, WaitOptions};
use serde_json::json;

use crate::cli::WaitFlags;
use crate::destination::{self, Folders};
use crate::error::{CliError, Exit};
use crate::output::Printer;
use crate::progress::Reporter;

/// How to tell the user to pick the job up again.
#[derive(Debug, Clone)]
pub enum Resume {
    /// The command that resumes it.
    Command(String),
    /// The job lived in the in-process simulator, which ends with us.
    InProcessSim,
}

impl Resume {
    /// `err` with the resume command attached (for `--json`), when there is one.
    fn attach(&self, err: CliError) -> CliError {
        match self {
            Resume::Command(command) => CliError::Resumable {
                error: Box::new(err),
                command: command.clone(),
            },
            Resume::InProcessSim => err,
        }
    }

    /// How to pick the job up again, as a sentence.
    pub fn sentence(&self) -> String {
        match self {
            Resume::Command(command) => format!("resume it with: {command}"),
            Resume::InProcessSim => "it lived in the in-process simulator (--sim), which stops \
                 with this command, so it cannot be resumed (start `seedance sim` in another \
                 terminal first to keep --sim jobs)"
                .to_owned(),
        }
    }
}

/// Waits for `job`, showing progress, then saves its output to `out` or
/// prints its URLs. Ctrl-C is caught until the very end, the download
/// included, so the job id and the command that resumes it are never lost.
pub async fn wait_and_save(
    printer: &Printer,
    job: &Job,
    flags: &WaitFlags,
    out: Option<&Path>,
    resume: &Resume,
    mut interrupt: Interrupt,
) -> Result<(), CliError> {
    let reporter = Reporter::new(*printer, job.id());
    let mut options = WaitOptions::new();
    if let Some(timeout) = flags.timeout {
        options = options.timeout(timeout);
    }
    let follow = async {
        let outcome = job
            .wait_with(options, |progress| reporter.show(progress))
            .await;
        reporter.finish();
        match outcome {
            Ok(output) => save(printer, &output, out, flags.force).await,
            Err(err) => {
                let err = CliError::from(err);
                if err.exit() == Exit::Timeout {
                    printer.note(&format!("job {}: {}", job.id(), resume.sentence()));
                }
                Err(match err.job_id() {
                    Some(_) if err.exit() != Exit::JobFailed => resume.attach(err),
                    _ => err,
                })
            }
        }
    };
    tokio::select! {
        result = follow => result,
        _ = interrupt.received() => {
            reporter.finish();
            Err(resume.attach(on_interrupt(job, flags.cancel_on_interrupt, resume).await))
        }
    }
}

/// Ctrl-C and SIGTERM, listened for from before the submit request is
/// sent: the handlers are installed at once (`listen`), so a signal at any
/// later moment is reported (never a silent exit) and the job id is never
/// lost. Each `received` waits for the next signal, so a second Ctrl-C can
/// cut a grace period short.
pub struct Interrupt {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
    #[cfg(not(unix))]
    ctrl_c: Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>>,
}

impl Interrupt {
    /// Installs the handlers now.
    pub fn listen() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let signals = signal(SignalKind::interrupt())
                .and_then(|int| Ok((int, signal(SignalKind::terminate())?)))
                .ok();
            Interrupt { signals }
        }
        #[cfg(not(unix))]
        {
            let mut ctrl_c = Box::pin(tokio::signal::ctrl_c());
            // Polling once installs the handler.
            let waker = std::task::Waker::noop();
            let _ = ctrl_c
                .as_mut()
                .poll(&mut std::task::Context::from_waker(&waker));
            Interrupt { ctrl_c }
        }
    }

    /// Resolves on the next Ctrl-C (`"Ctrl-C"`) or SIGTERM (`"SIGTERM"`);
    /// never, when the handlers could not be installed.
    pub async fn received(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            let Some((int, term)) = &mut self.signals else {
                return std::future::pending().await;
            };
            tokio::select! {
                Some(()) = int.recv() => "Ctrl-C",
                Some(()) = term.recv() => "SIGTERM",
                else => std::future::pending().await,
            }
        }
        #[cfg(not(unix))]
        {
            if self.ctrl_c.as_mut().await.is_err() {
                std::future::pending::<()>().await;
            }
            self.ctrl_c = Box::pin(tokio::signal::ctrl_c());
            "Ctrl-C"
        }
    }
}

async fn on_interrupt(job: &Job, cancel: bool, resume: &Resume) -> CliError {
    let what = if let Resume::InProcessSim = resume {
        // The simulator (and the job) end with this process: say so, not
        // that the job keeps running.
        "the job ended with the in-process simulator (--sim) that ran it; start `seedance sim` \
         in another terminal to keep --sim jobs across Ctrl-C"
            .to_owned()
    } else if !cancel {
        format!("the job keeps running; {}", resume.sentence())
    } else {
        match job.cancel().await {
            Ok(outcome) => cancel_text(outcome).to_owned(),
            Err(err) => format!("cancelling failed ({err}); {}", resume.sentence()),
        }
    };
    CliError::Interrupted {
        job_id: job.id().to_owned(),
        what,
    }
}

/// What a cancel achieved, in words.
pub fn cancel_text(outcome: CancelOutcome) -> &'static str {
    match outcome {
        CancelOutcome::Cancelled => "the job was cancelled",
        CancelOutcome::NotCancellable => {
            "the job is already running and the vendor will not stop it; it will finish and be billed"
        }
        CancelOutcome::AlreadyFinished => "the job had already finished; nothing changed",
    }
}

/// The stable name of a cancel outcome, for `--json`.
pub fn cancel_name(outcome: CancelOutcome) -> &'static str {
    match outcome {
        CancelOutcome::Cancelled => "cancelled",
        CancelOutcome::NotCancellable => "not_cancellable",
        CancelOutcome::AlreadyFinished => "already_finished",
    }
}

/// Checks before anything is paid for or waited on that the video can be
/// saved: at `--out`, else (its name being the job id) in the current
/// folder. The one check of `run`, `wait`, `result` and each batch line's
/// `out` (`crate::destination`).
pub fn check_out(out: Option<&Path>, force: bool) -> Result<(), CliError> {
    let checked = match out {
        Some(out) => destination::check(out, force, Folders::MustExist),
        None => destination::check_folder(Path::new("."), Folders::MustExist),
    };
    checked.map_err(|source| CliError::Out {
        path: out.unwrap_or(Path::new(".")).display().to_string(),
        source,
    })
}

/// Downloads the output to `out` (`-` for stdout), or prints its URLs.
pub async fn save(
    printer: &Printer,
    output: &Output,
    out: Option<&Path>,
    force: bool,
) -> Result<(), CliError> {
    let options = DownloadOptions::new().force(force);
    let saved = match out {
        Some(path) => Some((path, output.download_with(path, options).await?)),
        None => None,
    };
    printer.result(
        || match saved {
            Some((path, bytes)) => format!(
                "saved {} ({bytes} bytes) from job {}",
                path.display(),
                output.job_id()
            ),
            None => output
                .video_urls()
                .iter()
                .map(|url| format!("video {url}"))
                .chain(output.image_urls().iter().map(|url| format!("image {url}")))
                .collect::<Vec<_>>()
                .join("\n"),
        },
        || {
            json!({
                "event": "succeeded",
                "job_id": output.job_id(),
                "video_urls": output.video_urls(),
                "image_urls": output.image_urls(),
                "saved_to": saved.map(|(path, _)| path.display().to_string()),
                "bytes": saved.map(|(_, bytes)| bytes),
            })
        },
    );
    Ok(())
}
