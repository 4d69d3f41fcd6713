//! Where output goes: results on stdout (text, or one JSON object per line
//! with `--json`), notes and progress on stderr, so `--json` output can be
//! piped into `jq` untouched.

use std::io::Write;

use serde_json::{Value, json};

use crate::error::CliError;

/// Prints results in the chosen format.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    json: bool,
}

impl Printer {
    /// Text or JSON Lines.
    pub fn new(json: bool) -> Self {
        Printer { json }
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
            text()
        };
        let mut out = std::io::stdout().lock();
        // A closed pipe (`| head`) is not worth a panic.
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }

    /// A JSON event line (only with `--json`).
    pub fn event(&self, value: impl FnOnce() -> Value) {
        if self.json {
            self.result(String::new, value);
        }
    }

    /// A note for people, always on stderr.
    pub fn note(&self, text: &str) {
        eprintln!("{text}");
    }

    /// Reports a failed command: the message on stderr, and with `--json`
    /// an `{"error": ...}` line on stdout.
    pub fn error(&self, err: &CliError) {
        eprintln!("error: {err}");
        self.event(|| {
            json!({
                "error": {
                    "kind": err.kind(),
                    "exit_code": err.exit() as i32,
                    "message": err.to_string(),
                    "job_id": err.job_id(),
                }
            })
        });
    }
}
