//! Following a job to the end, shared by `run` and `wait`: the one wait
//! loop (`Job::wait_with`) with a progress display, Ctrl-C handling that
//! never loses the job id, and saving or printing the output.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;

use seedance_runtime::{CancelOutcome, Job, Output, WaitOptions};
use serde_json::json;

use crate::cli::WaitFlags;
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
    fn sentence(&self) -> String {
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
            Ok(output) => save(printer, &output, out).await,
            Err(err) => {
                let err = CliError::from(err);
                if err.exit() == Exit::Timeout {
                    printer.note(&format!("job {}: {}", job.id(), resume.sentence()));
                }
                Err(err)
            }
        }
    };
    tokio::select! {
        result = follow => result,
        () = interrupt.received() => {
            reporter.finish();
            Err(on_interrupt(job, flags.cancel_on_interrupt, resume).await)
        }
    }
}

/// Ctrl-C, listened for from before the job id is printed: tokio installs
/// the handler on the first poll, so a Ctrl-C that follows the id at once is
/// caught (and reported) instead of killing the process silently.
pub struct Interrupt(Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>>);

impl Interrupt {
    /// Installs the handler now.
    pub async fn listen() -> Self {
        let mut signal = Box::pin(tokio::signal::ctrl_c());
        tokio::select! {
            biased;
            _ = &mut signal => {}
            () = std::future::ready(()) => {}
        }
        Interrupt(signal)
    }

    /// Resolves on Ctrl-C; never, when the handler could not be installed.
    async fn received(&mut self) {
        if self.0.as_mut().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

async fn on_interrupt(job: &Job, cancel: bool, resume: &Resume) -> CliError {
    let what = if !cancel {
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

/// Downloads the output to `out`, or prints its URLs.
pub async fn save(printer: &Printer, output: &Output, out: Option<&Path>) -> Result<(), CliError> {
    let saved = match out {
        Some(path) => Some((path, output.download(path).await?)),
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
