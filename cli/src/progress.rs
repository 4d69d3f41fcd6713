//! Showing `Job::wait_with` progress: a spinner (state, queue position,
//! elapsed) when stderr is a terminal, one plain line per change otherwise
//! (logs, CI), and JSON events with `--json`.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use seedance_runtime::Progress;
use serde_json::json;

use crate::output::Printer;
use crate::terminal::safe;

/// One way of showing progress, chosen once per wait.
#[derive(Debug)]
pub enum Reporter {
    /// A spinner on a terminal.
    Spinner(ProgressBar),
    /// Plain lines on stderr.
    Lines,
    /// JSON events on stdout.
    Json(Printer),
}

impl Reporter {
    /// Picks the display for this process's stderr and output format.
    pub fn new(printer: Printer, job_id: &str) -> Self {
        if printer.is_json() {
            Reporter::Json(printer)
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
                bar.set_style(style);
            }
            bar.set_message(
                safe(&format!("job {job_id}: waiting for the first poll")).into_owned(),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            Reporter::Spinner(bar)
        } else {
            Reporter::Lines
        }
    }

    /// Shows one change reported by the wait loop.
    pub fn show(&self, progress: &Progress<'_>) {
        let (job_id, text, elapsed) = match progress {
            Progress::State {
                job_id,
                status,
                elapsed,
                ..
            } => (*job_id, status.to_string(), *elapsed),
            Progress::QueuePosition {
                job_id,
                position,
                elapsed,
            } => (
                *job_id,
                match position {
                    Some(position) => format!("queued (queue position {position})"),
                    None => "queued".to_owned(),
                },
                *elapsed,
            ),
            Progress::PollFailed {
                job_id,
                error,
                elapsed,
            } => (*job_id, format!("poll failed, retrying: {error}"), *elapsed),
            _ => return,
        };
        match self {
            Reporter::Spinner(bar) => {
                bar.set_message(safe(&format!("job {job_id}: {text}")).into_owned());
            }
            Reporter::Lines => {
                let line = format!("[{:>6.1}s] job {job_id}: {text}", elapsed.as_secs_f64());
                eprintln!("{}", safe(&line));
            }
            Reporter::Json(printer) => printer.event(|| event(progress, elapsed)),
        }
    }

    /// Removes the spinner (so the next line starts clean).
    pub fn finish(&self) {
        if let Reporter::Spinner(bar) = self {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Reporter {
    /// The spinner never outlives the wait, however it ends (an error, a
    /// Ctrl-C, a panic): its line is cleared before anything else prints.
    fn drop(&mut self) {
        self.finish();
    }
}

fn event(progress: &Progress<'_>, elapsed: Duration) -> serde_json::Value {
    let elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
    match progress {
        Progress::State { job_id, status, .. } => json!({
            "event": "state",
            "job_id": job_id,
            "state": status.state.as_str(),
            "vendor_state": status.raw,
            "queue_position": status.queue_position,
            "elapsed_ms": elapsed_ms,
        }),
        Progress::QueuePosition {
            job_id, position, ..
        } => json!({
            "event": "queue_position",
            "job_id": job_id,
            "queue_position": position,
            "elapsed_ms": elapsed_ms,
        }),
        Progress::PollFailed { job_id, error, .. } => json!({
            "event": "poll_failed",
            "job_id": job_id,
            "message": error.to_string(),
            "elapsed_ms": elapsed_ms,
        }),
        _ => json!({ "event": "progress", "elapsed_ms": elapsed_ms }),
    }
}
