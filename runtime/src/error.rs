//! The one [`Error`] type of the runtime. Every error that happens after a
//! job exists carries its id ([`Error::job_id`]), so a caller can always
//! resume, inspect or cancel the job it paid for.

use std::{fmt, path::PathBuf, time::Duration};

use crate::{state::JobState, validation::ValidationErrors};

/// Longest piece of an unparsed answer body kept in an error.
pub(crate) const BODY_EXCERPT: usize = 512;

/// Everything that can go wrong between building a client and saving a video.
///
/// `Debug` prints the message and its causes (like `Display` followed by a
/// "Caused by:" list), so `fn main() -> Result<(), seedance::Error>` reads
/// well; match on the variants for the data.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The environment variable holding the token is missing or empty.
    #[error("environment variable {var} is not set; it must hold the API token")]
    MissingToken {
        /// The variable's name, e.g. `RUNCOMFY_API_TOKEN`.
        var: &'static str,
    },
    /// An HTTP client (the API's or the image prober's) could not be built,
    /// e.g. no TLS backend.
    #[error("{0}")]
    HttpClient(String),
    /// The input could not be serialised to JSON; nothing was sent.
    #[error("cannot serialise the {model} input, nothing was sent: {source}")]
    Serialize {
        /// The model id.
        model: &'static str,
        /// What serde said.
        #[source]
        source: serde_json::Error,
    },
    /// A model chosen at run time was given to a connection of another
    /// vendor; nothing was sent.
    #[error("{model} is a {model_vendor} model; this connection is to {vendor}")]
    WrongVendor {
        /// The model id.
        model: &'static str,
        /// The model's vendor (display name).
        model_vendor: &'static str,
        /// The connection's vendor (display name).
        vendor: &'static str,
    },
    /// The input broke local or image rules; nothing was sent.
    #[error("input rejected before submit, nothing was sent: {0}")]
    Validation(ValidationErrors),
    /// The submit request left this machine but its answer was lost, was a
    /// server error (over HTTP or in the body), or carried a job id next to
    /// an error: the job may or may not exist. It is never re-sent
    /// automatically, because a second POST could create a second paid job.
    /// Everything known is kept, so a journal can record it and a person
    /// can look the job up.
    #[error(
        "{vendor} submit of {} failed after the request was sent; {}: {source}",
        attempt.what(),
        MayExist(job_id.as_deref())
    )]
    SubmitUncertain {
        /// Vendor display name.
        vendor: &'static str,
        /// A job id the answer carried despite what was wrong with it: the
        /// job exists, resume it by this id.
        job_id: Option<String>,
        /// What was sent and what came back.
        attempt: Box<SubmitAttempt>,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
    /// An image could not be checked because the network failed while
    /// reading it (refused, DNS, timeout, 5xx): nothing was sent, and
    /// nothing is known to be wrong with the input. Worth a retry.
    #[error(
        "could not check the image in {field} ({url}): {cause}; nothing was sent. This is a \
         network failure, not a verdict on the image: retry, or skip the remote image checks \
         (--skip-image-checks, `SubmitOptions::skip_remote_image_checks`)"
    )]
    ImageProbe {
        /// Field path of the image.
        field: String,
        /// The image URL.
        url: String,
        /// What failed, with its causes.
        cause: String,
    },
    /// The vendor answered with an error (HTTP status or error body).
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The request could not be completed (connection, timeout, TLS).
    #[error("{vendor} request failed{}: {source}", JobSuffix(job_id.as_deref()))]
    Transport {
        /// Vendor display name.
        vendor: &'static str,
        /// The job the request was about, if any.
        job_id: Option<String>,
        /// The underlying error (its URL never holds the token).
        #[source]
        source: reqwest::Error,
    },
    /// The vendor's answer could not be understood (malformed, truncated or
    /// missing a field this runtime needs).
    #[error("could not decode the {vendor} answer{}: {message}", JobSuffix(job_id.as_deref()))]
    Decode {
        /// Vendor display name.
        vendor: &'static str,
        /// The job the answer was about, if any.
        job_id: Option<String>,
        /// What was wrong, with an excerpt of the body.
        message: String,
    },
    /// The job finished and failed; the message is the vendor's.
    #[error("{vendor} job {job_id} failed: {message}")]
    JobFailed {
        /// Vendor display name.
        vendor: &'static str,
        /// The job.
        job_id: String,
        /// The vendor's error code, where it gave one.
        code: Option<String>,
        /// The vendor's error message (or the status word when it gave none).
        message: String,
    },
    /// The job was cancelled, so it has no output.
    #[error("{vendor} job {job_id} was cancelled")]
    JobCancelled {
        /// Vendor display name.
        vendor: &'static str,
        /// The job.
        job_id: String,
    },
    /// `result()` was asked for before the job finished.
    #[error("job {job_id} has not finished yet (state {state})")]
    NotFinished {
        /// The job.
        job_id: String,
        /// Its current state.
        state: JobState,
    },
    /// `wait()` reached its deadline; the job may still finish later. Also
    /// what `wait()` ends with when every poll failed (5xx, unreadable
    /// answers, network): only the vendor ends a job, so a failed poll is
    /// kept here as the reason rather than returned in its place.
    #[error(
        "gave up waiting for job {job_id} (last state {}{}); it may still finish, resume it by id",
        LastState(last_state.as_ref()),
        LastError(last_error.as_deref())
    )]
    Timeout {
        /// The job.
        job_id: String,
        /// The last state seen, if any poll succeeded.
        last_state: Option<JobState>,
        /// The last poll failure, if the last poll failed: why no newer
        /// state is known.
        #[source]
        last_error: Option<Box<Error>>,
    },
    /// A request was never sent: the connection's request budget (its rate
    /// limit, or a vendor's `Retry-After` on any job of the connection) had
    /// no slot for it before its deadline, or (`wait` zero) its turn among
    /// the connection's requests in flight did not come. Sending it late
    /// would break the caller's bound; for a submit, no job was created.
    #[error(
        "{vendor} request to {path}{} was not sent: {}; nothing reached the vendor",
        JobSuffix(job_id.as_deref()),
        NoSlot(*wait)
    )]
    BudgetTimeout {
        /// Vendor display name.
        vendor: &'static str,
        /// The job the request was about, if any.
        job_id: Option<String>,
        /// The API path that was not requested.
        path: String,
        /// How long the request would have had to wait for its slot.
        wait: Duration,
    },
    /// The vendor has no cancel endpoint.
    #[error("{vendor} has no cancel endpoint; job {job_id} keeps running and is billed")]
    CancelUnsupported {
        /// Vendor display name.
        vendor: &'static str,
        /// The job.
        job_id: String,
    },
    /// The job succeeded but its answer names no output URL.
    #[error("job {job_id} succeeded but its answer names no output URL")]
    NoOutput {
        /// The job.
        job_id: String,
    },
    /// A download (or image) is larger than the configured limit.
    #[error("{url} is {size} bytes, over the limit of {limit}{}", JobSuffix(job_id.as_deref()))]
    TooLarge {
        /// The job the file belongs to.
        job_id: Option<String>,
        /// The file's URL.
        url: String,
        /// Its size as announced or as counted so far.
        size: u64,
        /// The configured limit.
        limit: u64,
    },
    /// A download did not finish within its total timeout (a server can
    /// keep a connection alive with a byte now and then forever).
    #[error("download of {url} did not finish within {after:?} ({written} bytes received){}", JobSuffix(job_id.as_deref()))]
    DownloadTimedOut {
        /// The job the file belongs to.
        job_id: Option<String>,
        /// The file's URL.
        url: String,
        /// The timeout.
        after: Duration,
        /// Bytes received before giving up.
        written: u64,
    },
    /// Writing the download failed, or its destination was refused.
    #[error("could not write {}{}: {source}", path.display(), JobSuffix(job_id.as_deref()))]
    Io {
        /// The job the file belongs to.
        job_id: Option<String>,
        /// The destination.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// What is known about a submit whose outcome is unknown
/// ([`Error::SubmitUncertain`]): enough to record it in a journal and to
/// find the job at the vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SubmitAttempt {
    /// The model id, when the submit was typed (`Client::submit`,
    /// `Connection::submit_erased`).
    pub model: Option<&'static str>,
    /// The submit path the body was POSTed to.
    pub path: String,
    /// SHA-256 of the request body as sent ([`body_hash`](crate::body_hash)),
    /// the hash the journal records for the same request.
    pub body_hash: String,
    /// The HTTP status of the answer, when one arrived.
    pub http_status: Option<u16>,
    /// The start of the answer's body, when one arrived.
    pub answer_excerpt: Option<String>,
}

impl SubmitAttempt {
    fn what(&self) -> &str {
        self.model.unwrap_or(&self.path)
    }
}

/// An error answer from a vendor, with its body parsed where the vendor's
/// error shape is known and kept as (truncated) text otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// Vendor display name.
    pub vendor: &'static str,
    /// The job the request was about, if any.
    pub job_id: Option<String>,
    /// HTTP status code.
    pub status: u16,
    /// The vendor's error code (`error_code`, `statusCode`, `code`), as text.
    pub code: Option<String>,
    /// The vendor's message, or an excerpt of the raw body.
    pub message: String,
    /// `Retry-After`, when the answer had one.
    pub retry_after: Option<Duration>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} answered HTTP {}", self.vendor, self.status)?;
        if let Some(code) = &self.code {
            write!(f, " (code {code})")?;
        }
        write!(f, "{}: {}", JobSuffix(self.job_id.as_deref()), self.message)
    }
}

impl std::error::Error for ApiError {}

impl Error {
    /// The job this error is about: set on every error after a job exists.
    pub fn job_id(&self) -> Option<&str> {
        match self {
            Error::MissingToken { .. }
            | Error::HttpClient(_)
            | Error::Serialize { .. }
            | Error::WrongVendor { .. }
            | Error::Validation(_)
            | Error::ImageProbe { .. } => None,
            Error::SubmitUncertain { job_id, .. } => job_id.as_deref(),
            Error::Api(api) => api.job_id.as_deref(),
            Error::Transport { job_id, .. }
            | Error::Decode { job_id, .. }
            | Error::TooLarge { job_id, .. }
            | Error::DownloadTimedOut { job_id, .. }
            | Error::BudgetTimeout { job_id, .. }
            | Error::Io { job_id, .. } => job_id.as_deref(),
            Error::JobFailed { job_id, .. }
            | Error::JobCancelled { job_id, .. }
            | Error::NotFinished { job_id, .. }
            | Error::Timeout { job_id, .. }
            | Error::CancelUnsupported { job_id, .. }
            | Error::NoOutput { job_id } => Some(job_id),
        }
    }

    /// The HTTP status of a vendor error answer.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Transport { source, .. } => source.status().map(|s| s.as_u16()),
            _ => None,
        }
    }

    /// True when a submit's request was sent but its outcome is unknown:
    /// the job may exist (see [`Error::SubmitUncertain`]). Never re-send such
    /// a submit blindly; look the job up first.
    pub fn is_submit_uncertain(&self) -> bool {
        matches!(self, Error::SubmitUncertain { .. })
    }

    /// True for failures that may go away by themselves (connection trouble,
    /// 429, 500/502/503/504, a request the budget could not send in time):
    /// worth another poll, never a reason to re-submit. Always false for
    /// [`Error::SubmitUncertain`], whose job may exist.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transport { source, .. } => !source.is_builder(),
            Error::Api(api) => crate::retry::is_retryable_status(api.status),
            Error::ImageProbe { .. } | Error::BudgetTimeout { .. } => true,
            _ => false,
        }
    }

    /// True when the vendor itself ended the job: it failed
    /// ([`Error::JobFailed`]), was cancelled ([`Error::JobCancelled`]), or
    /// succeeded with no output to fetch ([`Error::NoOutput`]). Only these
    /// may mark a job as over; after any other error the job may still be
    /// running or already done, so keep it and wait again later.
    pub fn is_job_outcome(&self) -> bool {
        matches!(
            self,
            Error::JobFailed { .. } | Error::JobCancelled { .. } | Error::NoOutput { .. }
        )
    }

    /// True when this client cannot talk to the vendor as configured: no
    /// token, a token the vendor refuses (HTTP 401/403), an HTTP client or
    /// request that cannot be built. Retrying without a fix gets the same
    /// answer, so `wait()` stops on these at once; they say nothing about
    /// any job (see [`is_job_outcome`](Self::is_job_outcome)).
    pub fn is_setup_error(&self) -> bool {
        match self {
            Error::MissingToken { .. } | Error::HttpClient(_) => true,
            Error::Transport { source, .. } => source.is_builder(),
            Error::Api(api) => matches!(api.status, 401 | 403),
            _ => false,
        }
    }

    /// How long to wait before trying again, when the error says: the
    /// vendor's `Retry-After`, or the wait for a request budget slot.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api(api) => api.retry_after,
            Error::BudgetTimeout { wait, .. } => Some(*wait),
            _ => None,
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")?;
        let causes = causes(self);
        if !causes.is_empty() {
            f.write_str("\n\nCaused by:")?;
            for cause in causes {
                write!(f, "\n    {cause}")?;
            }
        }
        Ok(())
    }
}

/// The messages of `err`'s sources, without those already part of an
/// earlier message (many errors repeat their source's text).
pub fn causes(err: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut shown = err.to_string();
    let mut causes = Vec::new();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !text.is_empty() && !shown.contains(&text) {
            shown.push_str(&text);
            causes.push(text);
        }
        source = cause.source();
    }
    causes
}

impl From<ValidationErrors> for Error {
    fn from(errors: ValidationErrors) -> Self {
        Error::Validation(errors)
    }
}

/// What an uncertain submit leaves the caller with.
struct MayExist<'a>(Option<&'a str>);

impl fmt::Display for MayExist<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(id) => write!(
                f,
                "the answer named job {id}, which may exist: look it up by that id \
                 before submitting again"
            ),
            None => f.write_str(
                "the job may or may not exist, check the vendor's dashboard before \
                 submitting again",
            ),
        }
    }
}

/// Why a request had no slot: the budget's wait, or (zero) no free turn.
struct NoSlot(Duration);

impl fmt::Display for NoSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.is_zero() {
            true => f.write_str(
                "no free turn among the connection's requests in flight came before the \
                 request's deadline (the server is answering slowly)",
            ),
            false => write!(
                f,
                "the connection's request budget has no slot for {:.1?}, past the request's \
                 deadline (rate limit or Retry-After)",
                self.0
            ),
        }
    }
}

/// ` for job ID` when there is a job.
struct JobSuffix<'a>(Option<&'a str>);

impl fmt::Display for JobSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(id) => write!(f, " for job {id}"),
            None => Ok(()),
        }
    }
}

struct LastState<'a>(Option<&'a JobState>);

impl fmt::Display for LastState<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(state) => write!(f, "{state}"),
            None => f.write_str("never seen"),
        }
    }
}

/// `; last poll failed: ...` when there is a last poll failure.
struct LastError<'a>(Option<&'a Error>);

impl fmt::Display for LastError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(err) => write!(f, "; last poll failed: {err}"),
            None => Ok(()),
        }
    }
}

/// The first [`BODY_EXCERPT`] characters of a body, lossily decoded, for
/// error messages.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match text.char_indices().nth(BODY_EXCERPT) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}... ({} bytes)", &text[..cut], body.len()),
    }
}
