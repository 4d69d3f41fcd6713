//! The non-generic half of submitting: local and image checks first, then
//! exactly one POST. Kept out of `Client<V>` so it is compiled once.

use std::time::Instant;

use crate::{
    connection::Connection,
    error::Error,
    job::Job,
    model::ErasedModel,
    prober::{ProbeReport, Prober},
    protocol,
    validation::{ImageInput, ValidationErrors, Violation},
};

/// Per-call overrides of [`Client::submit_with`](crate::Client::submit_with).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SubmitOptions {
    /// Skip the image rules that need a network read (overrides the client
    /// setting when set). Data URIs are still checked locally.
    pub skip_remote_image_checks: Option<bool>,
}

impl SubmitOptions {
    /// All defaults (the client's settings).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`skip_remote_image_checks`](Self::skip_remote_image_checks).
    pub fn skip_remote_image_checks(mut self, skip: bool) -> Self {
        self.skip_remote_image_checks = Some(skip);
        self
    }
}

impl Connection {
    /// A prober sharing this connection's HTTP client and limits.
    pub fn prober(&self) -> Prober {
        Prober::new(self.http_client().clone(), self.config().probe)
    }

    /// Combines a model's `validate()` outcome with its image rules, probing
    /// the images whose fields passed the local checks. `Err` lists every
    /// violation found.
    pub async fn preflight(
        &self,
        local: Result<(), ValidationErrors>,
        images: &[ImageInput<'_>],
        options: SubmitOptions,
    ) -> Result<ProbeReport, Error> {
        let mut violations: Vec<Violation> = local.err().map(|e| e.violations).unwrap_or_default();
        // An image whose URI already broke a local rule is not fetched.
        let probe: Vec<ImageInput<'_>> = images
            .iter()
            .filter(|input| {
                let field = input.field.to_string();
                !violations.iter().any(|v| v.field == field)
            })
            .copied()
            .collect();
        let skip = options
            .skip_remote_image_checks
            .unwrap_or(self.config().skip_remote_image_checks);
        let (image_violations, report) = self.prober().check(&probe, skip).await;
        violations.extend(image_violations);
        if violations.is_empty() {
            Ok(report)
        } else {
            Err(Error::Validation(ValidationErrors { violations }))
        }
    }

    /// Sends an already-checked JSON body to `path` with exactly one POST
    /// (re-sent only if the connection failed before it was written) and
    /// returns the job. For tools that build bodies themselves; typed users
    /// call `Client::submit`, which validates first.
    pub async fn submit_raw(&self, path: &str, body: Vec<u8>) -> Result<Job, Error> {
        let vendor = self.vendor();
        let uncertain = |source: Error| Error::SubmitUncertain {
            vendor,
            source: Box::new(source),
        };
        let sent_at = Instant::now();
        let answer = match self.post(path, body, None).await {
            Ok(answer) => answer,
            Err((err, true)) => return Err(uncertain(err)),
            Err((err, false)) => return Err(err),
        };
        match protocol::parse_submit(self.protocol(), vendor, &answer) {
            Ok(id) => Ok(Job::new(self.clone(), id, Some(sent_at))),
            // The vendor said no: the job was not created.
            Err(err @ Error::Api(_)) if answer.status < 500 => Err(err),
            // A server error or an unreadable success: it may exist.
            Err(err) => Err(uncertain(err)),
        }
    }
}

impl Connection {
    /// Checks and submits a model chosen at run time, exactly like
    /// `Client::submit_with` does for a typed one. The model's vendor must
    /// speak this connection's protocol.
    pub async fn submit_erased(
        &self,
        input: &dyn ErasedModel,
        options: SubmitOptions,
    ) -> Result<Job, Error> {
        self.check_erased(input, options).await?;
        let body = input
            .to_body()
            .map_err(|err| Error::Config(format!("cannot serialise the input: {err}")))?;
        self.submit_raw(&submit_path(input.submit_path(), input.model()), body)
            .await
    }

    /// Every check [`submit_erased`](Self::submit_erased) runs, nothing sent.
    pub async fn check_erased(
        &self,
        input: &dyn ErasedModel,
        options: SubmitOptions,
    ) -> Result<ProbeReport, Error> {
        let protocol = input.vendor().protocol;
        if protocol != self.protocol() {
            return Err(Error::Config(format!(
                "{} is a {} model; this connection speaks {}",
                input.model(),
                input.vendor().name,
                self.protocol()
            )));
        }
        self.preflight(input.validate(), &input.image_inputs(), options)
            .await
    }
}

/// The submit path of a model: `SUBMIT_PATH` with any `{model}` filled in.
pub(crate) fn submit_path(template: &str, model: &str) -> String {
    template.replace("{model}", model)
}
