//! What a batch shows while it runs: a live line on a terminal (counts per
//! state, throughput, ETA), a count line every few seconds in logs, or one
//! JSON event per state change with `--json`.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use seedance_journal::{DriverEvent, State};
use serde_json::json;

use crate::output::Printer;

/// One state change, owned, as sent from a job's task to the display.
#[derive(Debug, Clone)]
pub struct Step {
    /// The entry.
    pub key: String,
    /// Its line.
    pub line: i64,
    /// The state entered.
    pub state: State,
    /// The job id, once known.
    pub job_id: Option<String>,
    /// Error, path or URLs.
    pub detail: Option<String>,
}

impl From<DriverEvent<'_>> for Step {
    fn from(event: DriverEvent<'_>) -> Self {
        Step {
            key: event.entry.key.clone(),
            line: event.entry.line,
            state: event.state,
            job_id: event.job_id.map(str::to_owned),
            detail: event.detail.map(str::to_owned),
        }
    }
}

/// How often the count line is printed when stderr is not a terminal.
const LOG_EVERY: Duration = Duration::from_secs(5);

enum Mode {
    Bar(ProgressBar),
    Lines(Instant),
    Json,
}

/// Counts per state and how they are shown.
pub struct Display {
    printer: Printer,
    mode: Mode,
    states: HashMap<String, State>,
    started: Instant,
    finished_at_start: usize,
}

impl Display {
    /// A display for a batch whose entries are in `states` (key -> state).
    pub fn new(printer: Printer, states: HashMap<String, State>) -> Self {
        let total = states.len() as u64;
        let mode = if printer.is_json() {
            Mode::Json
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total);
            if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}") {
                bar.set_style(style);
            }
            Mode::Bar(bar)
        } else {
            Mode::Lines(Instant::now())
        };
        let finished_at_start = states.values().filter(|s| s.is_final()).count();
        let mut display = Display {
            printer,
            mode,
            states,
            started: Instant::now(),
            finished_at_start,
        };
        display.tick();
        display
    }

    /// Records a step, printing it with `--json` (and failures in logs).
    pub fn step(&mut self, step: Step) {
        self.states.insert(step.key.clone(), step.state);
        match &self.mode {
            Mode::Json => self.printer.event(|| {
                json!({
                    "event": "state",
                    "line": step.line,
                    "key": step.key,
                    "state": step.state.as_str(),
                    "job_id": step.job_id,
                    "detail": step.detail,
                })
            }),
            Mode::Lines(_)
                if matches!(
                    step.state,
                    State::Failed | State::Uncertain | State::Rejected
                ) =>
            {
                self.printer.note(&format!(
                    "line {}: {}: {}",
                    step.line,
                    step.state,
                    step.detail.as_deref().unwrap_or("")
                ));
            }
            Mode::Bar(bar)
                if matches!(
                    step.state,
                    State::Failed | State::Uncertain | State::Rejected
                ) =>
            {
                bar.println(format!(
                    "line {}: {}: {}",
                    step.line,
                    step.state,
                    step.detail.as_deref().unwrap_or("")
                ));
            }
            _ => {}
        }
    }

    /// A message that must be seen now (a job id the journal could not
    /// take, a stop): above the live line, or as a `warning` event.
    pub fn warn(&self, text: &str) {
        match &self.mode {
            Mode::Json => self
                .printer
                .event(|| json!({"event": "warning", "message": text})),
            Mode::Bar(bar) => bar.println(text),
            Mode::Lines(_) => self.printer.note(text),
        }
    }

    fn finished(&self) -> usize {
        self.states.values().filter(|s| s.is_final()).count()
    }

    /// The counts line: states, throughput, ETA.
    pub fn summary_line(&self) -> String {
        let mut counts: Vec<(State, usize)> = State::ALL.iter().map(|s| (*s, 0)).collect();
        for state in self.states.values() {
            if let Some(slot) = counts.iter_mut().find(|(s, _)| s == state) {
                slot.1 += 1;
            }
        }
        let mut parts: Vec<String> = counts
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{s} {n}"))
            .collect();
        let done_now = self.finished().saturating_sub(self.finished_at_start);
        let elapsed = self.started.elapsed().as_secs_f64();
        if done_now > 0 && elapsed > 0.0 {
            let rate = done_now as f64 / elapsed;
            let left = self.states.len().saturating_sub(self.finished());
            parts.push(format!("{rate:.1} jobs/s"));
            if left > 0 {
                parts.push(format!("ETA {:.0}s", left as f64 / rate));
            }
        }
        parts.join(" · ")
    }

    /// Refreshes the live line (or prints the periodic one).
    pub fn tick(&mut self) {
        let line = self.summary_line();
        let finished = self.finished() as u64;
        match &mut self.mode {
            Mode::Bar(bar) => {
                bar.set_position(finished);
                bar.set_message(line);
            }
            Mode::Lines(last) if last.elapsed() >= LOG_EVERY => {
                *last = Instant::now();
                self.printer
                    .note(&format!("{finished}/{}: {line}", self.states.len()));
            }
            _ => {}
        }
    }

    /// Clears the live line.
    pub fn finish(&mut self) {
        if let Mode::Bar(bar) = &self.mode {
            bar.finish_and_clear();
        }
    }

    /// Time since the display started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}
