//! The non-generic half of submitting: local and image checks first, then
//! exactly one POST. Kept out of `Client<V>` so it is compiled once.

use std::time::Duration;

use crate::{
    body_hash::body_hash,
    connection::Connection,
    deadline::Deadline,
    error::{Error, SubmitAttempt, excerpt},
    job::Job,
    model::ErasedModel,
    prober::ProbeReport,
    protocol::{self, Answer, SubmitVerdict},
    validation::{ImageInput, ValidationErrors},
};

/// Per-call overrides of [`Client::submit_with`](crate::Client::submit_with).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SubmitOptions {
    /// Skip the image rules that need a network read (overrides the client
    /// setting when set). Data URIs are still checked locally.
    pub skip_remote_image_checks: Option<bool>,
    /// Bound on the POST, 429 retries included (default: the builder's
    /// [`submit_timeout`](crate::ClientBuilder::submit_timeout)).
    pub timeout: Option<Duration>,
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

    /// Sets [`timeout`](Self::timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
}

impl Connection {
    /// Combines a model's `validate()` outcome with its image rules, probing
    /// the images whose fields passed the local checks. `Err` lists every
    /// violation found.
    pub async fn preflight(
        &self,
        local: Result<(), ValidationErrors>,
        images: &[ImageInput<'_>],
        options: SubmitOptions,
    ) -> Result<ProbeReport, Error> {
        let skip = options
            .skip_remote_image_checks
            .unwrap_or(self.config().skip_remote_image_checks);
        self.prober()?.preflight(local, images, skip).await
    }

    /// Sends an already-checked JSON body to `path` with exactly one POST
    /// and returns the job. For tools that build bodies themselves; typed
    /// users call `Client::submit`, which validates first.
    ///
    /// The POST is re-sent only when the connection failed before it was
    /// written, or after a 429 (the vendor created nothing), waiting its
    /// `Retry-After` when that fits in the submit timeout. Any answer that
    /// leaves the job's existence open is [`Error::SubmitUncertain`].
    pub async fn submit_raw(&self, path: &str, body: Vec<u8>) -> Result<Job, Error> {
        let _turn = self.turns().submit().await;
        self.submit_body(path, None, body, SubmitOptions::default())
            .await
    }

    pub(crate) async fn submit_body(
        &self,
        path: &str,
        model: Option<&'static str>,
        body: Vec<u8>,
        options: SubmitOptions,
    ) -> Result<Job, Error> {
        let vendor = self.vendor();
        let body_hash = body_hash(&body);
        let uncertain = |source: Error, job_id: Option<String>, answer: Option<&Answer>| {
            Error::SubmitUncertain {
                vendor,
                job_id,
                attempt: Box::new(SubmitAttempt {
                    model,
                    path: path.to_owned(),
                    body_hash: body_hash.clone(),
                    http_status: answer.map(|answer| answer.status),
                    answer_excerpt: answer.map(|answer| excerpt(&answer.body)),
                }),
                source: Box::new(source),
            }
        };
        let deadline = Deadline::after(options.timeout.unwrap_or(self.config().submit_timeout));
        let sent_at = self.clock().now();
        let answer = match self.post(path, body, None, deadline, true).await {
            Ok(answer) => answer,
            Err((err, true)) => return Err(uncertain(err, None, None)),
            Err((err, false)) => return Err(err),
        };
        match protocol::judge_submit(self.protocol(), vendor, &answer) {
            SubmitVerdict::Created(id) => Ok(Job::new(self.clone(), id, Some(sent_at))),
            SubmitVerdict::Rejected(err) => Err(err),
            SubmitVerdict::Uncertain { job_id, cause } => {
                Err(uncertain(cause, job_id, Some(&answer)))
            }
        }
    }

    /// Checks and submits a model: local rules and image rules first
    /// (nothing is sent if any fails), then exactly one POST. The one submit
    /// flow: `Client::submit_with` calls it with its typed model. The
    /// model's vendor must be this connection's ([`Error::WrongVendor`]).
    pub async fn submit_erased(
        &self,
        input: &dyn ErasedModel,
        options: SubmitOptions,
    ) -> Result<Job, Error> {
        // Before the image probes: a wrong vendor is known without I/O.
        self.same_vendor(input)?;
        // Its turn first (`connection/streams.rs`): a submit waiting for it
        // holds no checks and no body.
        let _turn = self.turns().submit().await;
        // The checks and the POST on the heap, alive only while submitting:
        // a task that goes on to wait for the job does not carry their
        // (large) state for the job's whole life.
        Box::pin(async move {
            self.check_erased(input, options).await?;
            self.serialize_and_submit(input, options).await
        })
        .await
    }

    /// Submits a model chosen at run time whose checks the caller has
    /// already run ([`Prober::preflight`](crate::Prober::preflight), e.g. to report every violation
    /// before a token is known): one POST, no second probe.
    pub async fn submit_erased_prechecked(
        &self,
        input: &dyn ErasedModel,
        options: SubmitOptions,
    ) -> Result<Job, Error> {
        self.same_vendor(input)?;
        let _turn = self.turns().submit().await;
        self.serialize_and_submit(input, options).await
    }

    /// The body of `input` and its one POST, in a submit turn the caller
    /// holds (a turn is never taken twice: `connection/streams.rs`).
    async fn serialize_and_submit(
        &self,
        input: &dyn ErasedModel,
        options: SubmitOptions,
    ) -> Result<Job, Error> {
        let body = input.to_body().map_err(|source| Error::Serialize {
            model: input.model(),
            source,
        })?;
        self.submit_body(input.submit_path(), Some(input.model()), body, options)
            .await
    }

    fn same_vendor(&self, input: &dyn ErasedModel) -> Result<(), Error> {
        let model_vendor = input.vendor();
        if model_vendor.id == self.vendor_id() {
            return Ok(());
        }
        Err(Error::WrongVendor {
            model: input.model(),
            model_vendor: model_vendor.name,
            vendor: self.vendor(),
        })
    }

    /// Every check [`submit_erased`](Self::submit_erased) runs, nothing sent.
    pub async fn check_erased(
        &self,
        input: &dyn ErasedModel,
        options: SubmitOptions,
    ) -> Result<ProbeReport, Error> {
        self.same_vendor(input)?;
        self.preflight(input.validate(), &input.image_inputs(), options)
            .await
    }
}
