//! Where output goes: results on stdout (text, or one JSON object per line
//! with `--json`), notes and progress on stderr, so `--json` output can be
//! piped into `jq` untouched. With `--out -` the video owns stdout, and
//! results go to stderr too. Text for people is escaped for the terminal
//! (`terminal::safe`); errors show their causes like cargo ("Caused by:").

use std::io::Write;

use serde_json::{Value, json};

use crate::error::CliError;
use crate::terminal::safe;

/// Prints results in the chosen format.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    json: bool,
    /// Stdout carries a downloaded file (`--out -`).
    stdout_taken: bool,
}

impl Printer {
    /// Text or JSON Lines, on stdout unless a download owns it.
    pub fn new(json: bool, stdout_taken: bool) -> Self {
        Printer { json, stdout_taken }
    }

    /// True with `--json`.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// One result: `text` for people, `value` as one JSON line with `--json`.
    pub fn result(&self, text: impl FnOnce() -> String, value: impl FnOnce() -> Value) {
        let line = if self.json {
            value().to_string()
        } else {
            safe(&text()).into_owned()
        };
        // A closed pipe (`| head`) is not worth a panic.
        if self.stdout_taken {
            let mut out = std::io::stderr().lock();
            let _ = writeln!(out, "{line}");
        } else {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    }

    /// A JSON event line (only with `--json`).
    pub fn event(&self, value: impl FnOnce() -> Value) {
        if self.json {
            self.result(String::new, value);
        }
    }

    /// A usage error found by clap: the message on stderr, or with
    /// `--json` the `{"error": ...}` line on stdout (the same shape as any
    /// other failure's), not both.
    pub fn usage_error(&self, message: &str) {
        if !self.json {
            eprint!("{message}");
            return;
        }
        self.event(|| {
            json!({
                "error": {
                    "kind": "usage",
                    "exit_code": crate::error::Exit::Usage as i32,
                    "message": message.trim_end(),
                    "causes": [],
                    "job_id": null,
                }
            })
        });
    }

    /// A note for people, always on stderr.
    pub fn note(&self, text: &str) {
        eprintln!("{}", safe(text));
    }

    /// Reports a failed command: the message and its causes on stderr, or
    /// with `--json` an `{"error": ...}` line on stdout (once: not both).
    pub fn error(&self, err: &CliError) {
        let causes = seedance_runtime::causes(err);
        if !self.json {
            let mut text = format!("error: {err}");
            if !causes.is_empty() {
                text.push_str("\n\nCaused by:");
                for cause in &causes {
                    text.push_str("\n  ");
                    text.push_str(cause);
                }
            }
            eprintln!("{}", safe(&text));
            return;
        }
        self.event(|| {
            let mut error = json!({
                "kind": err.kind(),
                "exit_code": err.exit() as i32,
                "message": err.to_string(),
                "causes": causes,
                "job_id": err.job_id(),
            });
            if let (Value::Object(map), Some(details)) = (&mut error, err.details()) {
                map.extend(details);
            }
            json!({ "error": error })
        });
    }
}
