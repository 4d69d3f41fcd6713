//! Every way a command can fail, and the exit code each maps to, so scripts
//! can tell "fix your input" from "the vendor said no" from "the job failed"
//! from "try again later" without parsing messages.

use std::path::PathBuf;

use crate::input::InputError;

/// The documented exit codes (also listed in `seedance --help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked.
    Success = 0,
    /// Anything else: no token, network set-up, writing a file.
    Other = 1,
    /// Bad arguments, unknown model or vendor (clap also exits 2).
    Usage = 2,
    /// The input was rejected locally (schema, rules, images); nothing was sent.
    Validation = 3,
    /// The vendor answered with an error or could not be reached.
    Vendor = 4,
    /// The job finished as failed or cancelled.
    JobFailed = 5,
    /// Gave up waiting; the job may still finish (resume it by id).
    Timeout = 6,
    /// `result` of a job that has not finished yet.
    NotFinished = 7,
    /// The submit request was sent but its outcome is unknown: the job may
    /// exist (and be billed). Look it up before submitting again.
    SubmitUncertain = 8,
    /// The job's price is above the limit, or unknown under one; nothing was
    /// sent (for a batch: lines held back by its budget).
    OverLimit = 9,
    /// Ctrl-C after submit; the job keeps running unless `--cancel-on-interrupt`.
    Interrupted = 130,
}

/// The `--help` text that documents [`Exit`].
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    success
  1    other error (missing token, network set-up, writing a file)
  2    usage error (bad arguments, unknown model or vendor, cancel on a vendor without cancel: nothing was sent)
  3    input rejected locally (unknown field, bad value, broken rule or image); nothing was sent
  4    vendor error (error answer, vendor or image host unreachable); nothing is known to
       have been created
  5    job failed or was cancelled
  6    timed out waiting; the job may still finish: resume it with `seedance wait`
  7    job not finished yet (`seedance result`)
  8    submit outcome unknown: the request was sent but its answer was lost, was a server
       error, or was interrupted; the job may exist (and be billed). The job id is given
       when the answer had one; otherwise check the vendor's dashboard before submitting
       again. JSON kind \"submit_uncertain\"
  9    refused for its price: above --max-cost, or unknown under a limit; nothing was sent
       (batch --budget: lines the budget could not cover were held back, never sent)
  130  interrupted by Ctrl-C or SIGTERM; the job keeps running unless --cancel-on-interrupt";

/// A failed command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A model name that is not in the generated catalog.
    #[error("unknown model {name:?}{} (`seedance models` lists them all)", hint(suggestion.as_deref()))]
    UnknownModel {
        /// What was typed.
        name: String,
        /// The closest catalog name.
        suggestion: Option<String>,
    },
    /// Neither a vendor id nor a model name.
    #[error("{name:?} is neither a vendor ({vendors}) nor a model{} (`seedance models` lists the models)", hint(suggestion.as_deref()))]
    UnknownTarget {
        /// What was typed.
        name: String,
        /// Every vendor id.
        vendors: String,
        /// The closest vendor id or model name.
        suggestion: Option<String>,
    },
    /// `--sim` on a command that resumes a job, with no `seedance sim`
    /// running: an in-process simulator would start empty.
    #[error(
        "--sim: no `seedance sim` is running (none answers at the URL in {}); \
         start `seedance sim` in another terminal, submit with `seedance run --sim ...`, \
         then run this command again (a job of `run --sim` without it lived in that \
         command's own simulator and ended with it)",
        state.display()
    )]
    SimNotRunning {
        /// The state file that was looked at.
        state: PathBuf,
    },
    /// `seedance sim` while another one answers at the state file's URL.
    #[error(
        "a `seedance sim` is already running at {url} (state file {}); \
         use it, or stop it first",
        state.display()
    )]
    SimAlreadyRunning {
        /// Its base URL.
        url: String,
        /// The state file naming it.
        state: PathBuf,
    },
    /// The state file of `seedance sim` could not be written.
    #[error("cannot write the simulator state file {}: {source}", path.display())]
    SimState {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// `seedance sim` given an option of the commands that use a simulator.
    #[error(
        "--sim, --base-url, --poll-interval and --allow-private-image-urls do not apply to `seedance sim` (see `seedance sim --help`)"
    )]
    NotForSim,
    /// A connection option given to a command that connects to nothing.
    #[error(
        "{flags}: not an option of `seedance {command}`, which talks to no vendor or \
         simulator (see `seedance {command} --help`)"
    )]
    DoesNotApply {
        /// The flags given, comma separated.
        flags: String,
        /// The command.
        command: &'static str,
    },
    /// `seedance jobs KEY` matching no entry.
    #[error("no entry of the journal has key or job id {wanted:?} (`seedance jobs` lists them)")]
    NoSuchEntry {
        /// What was typed.
        wanted: String,
    },
    /// `seedance jobs KEY` matching several entries.
    #[error("{wanted:?} is the start of {count} keys; give more of the key")]
    AmbiguousEntry {
        /// What was typed.
        wanted: String,
        /// How many keys start with it.
        count: usize,
    },
    /// `--sim` and `--base-url` together.
    #[error("--sim and --base-url exclude each other: --sim finds or starts its own simulator")]
    SimWithBaseUrl,
    /// `models --remote` with `--base-url`: three vendors' tokens to one host.
    #[error(
        "models --remote reads the three vendors' catalogs, each at its own host with its own token; \
         --base-url names one host (use --sim, or `describe VENDOR/MODEL --base-url URL`)"
    )]
    RemoteWithBaseUrl,
    /// No token in the environment.
    #[error(
        "{var} is not set: it must hold your {vendor} API token \
         (or try the simulator with --sim, which needs none)"
    )]
    MissingToken {
        /// The vendor's `token_env`.
        var: &'static str,
        /// Vendor display name.
        vendor: &'static str,
    },
    /// The input could not be built or was rejected by the schema.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The in-process simulator could not start.
    #[error("the simulator could not start: {0}")]
    Sim(#[source] std::io::Error),
    /// A model not compiled in could not be loaded from its vendor's
    /// catalog (the runtime's message names the vendor, URL or pointer).
    #[error("{0}")]
    Catalog(String),
    /// The HTTP client for the simulator could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Http(String),
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Startup(#[source] std::io::Error),
    /// Anything the runtime reports (its messages are the library's; see
    /// the `From` impl for the ones told in the command line's terms).
    #[error(transparent)]
    Runtime(seedance_runtime::Error),
    /// An image could not be read to check its rules: a network failure
    /// (the runtime's `Error::ImageProbe`), with the flag that skips it.
    #[error(
        "could not check the image in {field} ({url}): {cause}; nothing was sent. This is a \
         network failure, not a verdict on the image: retry, or skip the remote image checks \
         with --skip-image-checks"
    )]
    ImageUnreachable {
        /// Field path of the image.
        field: String,
        /// The image URL.
        url: String,
        /// What failed, with its causes.
        cause: String,
    },
    /// A local file (`@path`) for a vendor that documents public URLs only.
    #[error(
        "{vendor} takes images as public HTTPS URLs, not local files: put {name} online and \
         pass its URL, or add --allow-data-uri to `seedance run` to send it as a data URI \
         (undocumented for {vendor}: it may be refused after the job is billed)"
    )]
    DataUriNotAllowed {
        /// Vendor display name.
        vendor: &'static str,
        /// The file.
        name: String,
    },
    /// A job refused for its price.
    #[error(transparent)]
    Money(#[from] crate::money::MoneyError),
    /// `--out` cannot be written: found before anything is submitted.
    #[error("cannot write --out {path}: {source}; nothing was submitted")]
    Out {
        /// The destination as given.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The journal could not be opened, read or written.
    #[error("journal: {0}")]
    Journal(#[from] seedance_journal::JournalError),
    /// The batch file could not be read.
    #[error("cannot read {path}: {source}")]
    BatchFile {
        /// The file (`-` for stdin).
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Ctrl-C or SIGTERM before the submit request was sent.
    #[error("{signal}: stopped before anything was sent; no job was created")]
    InterruptedBeforeSubmit {
        /// `Ctrl-C` or `SIGTERM`.
        signal: &'static str,
    },
    /// Ctrl-C or SIGTERM while the submit request was in flight, and its
    /// answer did not come in the grace period: the job may exist.
    #[error(
        "{signal} while the {vendor} submit of {model} was in flight: the job may or may not \
         exist (and be billed); check the vendor's dashboard before submitting again"
    )]
    SubmitInterrupted {
        /// `Ctrl-C` or `SIGTERM`.
        signal: &'static str,
        /// Vendor display name.
        vendor: &'static str,
        /// The model's `vendor/model` name.
        model: String,
    },
    /// A local image (`@path`) could not be read or sent the vendor's way.
    #[error(transparent)]
    Media(#[from] seedance_runtime::media::MediaError),
    /// A failure after submit, with the command that resumes the job.
    #[error("{error}")]
    Resumable {
        /// The failure.
        error: Box<CliError>,
        /// `seedance wait ...`.
        command: String,
    },
    /// A batch ended with lines not downloaded (the summary lists them).
    #[error("{0}")]
    BatchIncomplete(String),
    /// A batch whose only lines not downloaded were held back by its
    /// budget: never sent (the summary lists them).
    #[error(
        "{count} line(s) held back by the budget {budget}: never sent (see the summary; a \
         larger --budget on the same command lets them go)"
    )]
    BudgetHeldBack {
        /// Lines held back.
        count: usize,
        /// The budget.
        budget: String,
    },
    /// A batch whose only lines not downloaded were refused before
    /// anything was sent (the summary lists them and why).
    #[error(
        "{count} line(s) refused before anything was sent (see the summary); every other line \
         was downloaded: fix them and run the same command again"
    )]
    BatchInvalidLines {
        /// How many.
        count: usize,
    },
    /// A batch stopped early (Ctrl-C, SIGTERM, a journal that stayed
    /// down); the message says what the journal holds and how to resume.
    #[error("{0}")]
    BatchInterrupted(String),
    /// Ctrl-C after submit (while waiting or downloading).
    #[error("interrupted while following job {job_id}; {what}")]
    Interrupted {
        /// The job.
        job_id: String,
        /// What happened to it and how to resume it.
        what: String,
    },
}

/// The runtime's errors, with the ones that name a library API told in
/// the command line's terms.
impl From<seedance_runtime::Error> for CliError {
    fn from(err: seedance_runtime::Error) -> Self {
        match err {
            seedance_runtime::Error::ImageProbe { field, url, cause } => {
                CliError::ImageUnreachable { field, url, cause }
            }
            other => CliError::Runtime(other),
        }
    }
}

fn hint(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!("; did you mean {s:?}?"))
}

impl CliError {
    /// The exit code of this failure (see [`Exit`]).
    pub fn exit(&self) -> Exit {
        use seedance_runtime::Error as E;
        match self {
            CliError::UnknownModel { .. }
            | CliError::UnknownTarget { .. }
            | CliError::SimNotRunning { .. }
            | CliError::SimAlreadyRunning { .. }
            | CliError::SimWithBaseUrl
            | CliError::RemoteWithBaseUrl
            | CliError::NotForSim
            | CliError::DoesNotApply { .. }
            | CliError::NoSuchEntry { .. }
            | CliError::AmbiguousEntry { .. } => Exit::Usage,
            CliError::DataUriNotAllowed { .. } | CliError::BatchInvalidLines { .. } => {
                Exit::Validation
            }
            CliError::ImageUnreachable { .. } => Exit::Vendor,
            CliError::Input(InputError::NotAssignment(_)) => Exit::Usage,
            CliError::Input(_) => Exit::Validation,
            CliError::Interrupted { .. }
            | CliError::InterruptedBeforeSubmit { .. }
            | CliError::BatchInterrupted(_) => Exit::Interrupted,
            CliError::SubmitInterrupted { .. } => Exit::SubmitUncertain,
            CliError::Media(seedance_runtime::media::MediaError::Upload { .. }) => Exit::Vendor,
            CliError::Media(_) => Exit::Validation,
            CliError::Resumable { error, .. } => error.exit(),
            CliError::BatchIncomplete(_) => Exit::JobFailed,
            CliError::BudgetHeldBack { .. } => Exit::OverLimit,
            CliError::Money(_) => Exit::OverLimit,
            CliError::Journal(_) | CliError::BatchFile { .. } => Exit::Other,
            CliError::Out { .. }
            | CliError::MissingToken { .. }
            | CliError::Sim(_)
            | CliError::SimState { .. }
            | CliError::Http(_)
            | CliError::Catalog(_)
            | CliError::Startup(_) => Exit::Other,
            CliError::Runtime(err) => match err {
                E::Validation(_) => Exit::Validation,
                E::SubmitUncertain { .. } => Exit::SubmitUncertain,
                E::Api(_)
                | E::Transport { .. }
                | E::Decode { .. }
                | E::ImageProbe { .. }
                | E::NoOutput { .. } => Exit::Vendor,
                // Nothing was sent: the vendor has no cancel to ask.
                E::CancelUnsupported { .. } => Exit::Usage,
                E::JobFailed { .. } | E::JobCancelled { .. } => Exit::JobFailed,
                E::Timeout { .. } | E::BudgetTimeout { .. } => Exit::Timeout,
                E::NotFinished { .. } => Exit::NotFinished,
                _ => Exit::Other,
            },
        }
    }

    /// A stable one-word name of the failure, for `--json`.
    pub fn kind(&self) -> &'static str {
        match self {
            CliError::Resumable { error, .. } => return error.kind(),
            CliError::Runtime(seedance_runtime::Error::CancelUnsupported { .. }) => {
                return "cancel_unsupported";
            }
            CliError::ImageUnreachable { .. } => return "image_unreachable",
            _ => {}
        }
        match self.exit() {
            Exit::Success => "ok",
            Exit::Other => "error",
            Exit::Usage => "usage",
            Exit::Validation => "validation",
            Exit::Vendor => "vendor",
            Exit::JobFailed => "job_failed",
            Exit::Timeout => "timeout",
            Exit::NotFinished => "not_finished",
            Exit::SubmitUncertain => "submit_uncertain",
            Exit::OverLimit => "over_limit",
            Exit::Interrupted => "interrupted",
        }
    }

    /// What `--json` adds to the error object: every violation (rule,
    /// limit, actual, the sentence, the vendor's message) and everything
    /// known about an uncertain submit.
    pub fn details(&self) -> Option<serde_json::Map<String, serde_json::Value>> {
        use seedance_runtime::Error as E;
        use serde_json::json;
        let value = match self {
            CliError::Resumable { error, command } => {
                let mut details = error.details().unwrap_or_default();
                details.insert("resume_command".to_owned(), json!(command));
                return Some(details);
            }
            CliError::Runtime(E::Validation(errors)) => json!({
                "violations": errors.violations.iter().map(|v| json!({
                    "field": v.field,
                    "rule": v.rule.to_string(),
                    "limit": v.limit,
                    "actual": v.actual,
                    "explanation": v.explain(),
                    "vendor_message": v.message,
                })).collect::<Vec<_>>(),
            }),
            CliError::Input(err) => match err.violations() {
                violations if violations.is_empty() => return None,
                violations => json!({ "violations": violations }),
            },
            CliError::Runtime(E::SubmitUncertain {
                vendor, attempt, ..
            }) => json!({
                "vendor": vendor,
                "model": attempt.model,
                "path": attempt.path,
                "body_hash": attempt.body_hash,
                "http_status": attempt.http_status,
                "answer_excerpt": attempt.answer_excerpt,
            }),
            CliError::SubmitInterrupted { vendor, model, .. } => json!({
                "vendor": vendor,
                "model": model,
            }),
            _ => return None,
        };
        match value {
            serde_json::Value::Object(map) => Some(map),
            _ => None,
        }
    }

    /// The job the failure is about, when one exists.
    pub fn job_id(&self) -> Option<&str> {
        match self {
            CliError::Resumable { error, .. } => error.job_id(),
            CliError::Runtime(err) => err.job_id(),
            CliError::Interrupted { job_id, .. } => Some(job_id),
            _ => None,
        }
    }
}
