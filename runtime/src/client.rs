//! [`Client<V>`]: the typed client generated code aliases per vendor
//! (`pub type Client = seedance_runtime::Client<Vendor>;`). It is a thin
//! wrapper over [`Connection`] whose only job is the type parameter: a model
//! of another vendor does not compile.

use std::{fmt, marker::PhantomData, time::Duration};

use crate::{
    budget::RateLimit,
    connection::{Config, Connection, default_http_client},
    error::Error,
    job::Job,
    model::{Model, Vendor},
    poll::PollPolicy,
    prober::{ProbeConfig, ProbeReport, Prober},
    retry::RetryPolicy,
    secret::Secret,
    submit::{SubmitOptions, submit_path},
};

/// A client of vendor `V`. Cheap to clone; clones share one HTTP client.
pub struct Client<V: Vendor> {
    conn: Connection,
    vendor: PhantomData<fn() -> V>,
}

impl<V: Vendor> Clone for Client<V> {
    fn clone(&self) -> Self {
        Client {
            conn: self.conn.clone(),
            vendor: PhantomData,
        }
    }
}

impl<V: Vendor> fmt::Debug for Client<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Client").field(&self.conn).finish()
    }
}

impl<V: Vendor> Client<V> {
    /// A client with the token from `V::TOKEN_ENV` (e.g. `RUNCOMFY_API_TOKEN`);
    /// a missing or empty variable is [`Error::MissingToken`] naming it.
    pub fn from_env() -> Result<Self, Error> {
        Self::builder().build()
    }

    /// A client with this token and default settings.
    pub fn new(token: impl Into<Secret>) -> Result<Self, Error> {
        Self::builder().token(token).build()
    }

    /// A builder, for settings that need a new HTTP client or a shared one.
    pub fn builder() -> ClientBuilder<V> {
        ClientBuilder {
            token: None,
            http: None,
            config: Config::new(V::BASE_URL),
            vendor: PhantomData,
        }
    }

    fn map(self, change: impl FnOnce(&mut Config)) -> Self {
        Client {
            conn: self.conn.reconfigure(change),
            vendor: PhantomData,
        }
    }

    /// Sends requests to `url` instead of the vendor (a proxy, the simulator).
    pub fn with_base_url(self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.map(|c| c.base_url = url)
    }

    /// Timeout of each API request.
    pub fn with_timeout(self, timeout: Duration) -> Self {
        self.map(|c| c.timeout = timeout)
    }

    /// Retry policy of idempotent requests.
    pub fn with_retry_policy(self, retry: RetryPolicy) -> Self {
        self.map(|c| c.retry = retry)
    }

    /// Poll schedule of `Job::wait`.
    pub fn with_poll_policy(self, poll: PollPolicy) -> Self {
        self.map(|c| c.poll = poll)
    }

    /// Deadline of `Job::wait`.
    pub fn with_wait_timeout(self, timeout: Duration) -> Self {
        self.map(|c| c.wait_timeout = timeout)
    }

    /// Largest download accepted.
    pub fn with_max_download_bytes(self, limit: u64) -> Self {
        self.map(|c| c.max_download_bytes = limit)
    }

    /// Skip image rules that need a network read.
    pub fn with_skip_remote_image_checks(self, skip: bool) -> Self {
        self.map(|c| c.skip_remote_image_checks = skip)
    }

    /// Request budget shared by every job of this client (and its clones):
    /// e.g. `RateLimit::per_second(10.0)`; lowered on 429 by itself.
    pub fn with_rate_limit(self, limit: RateLimit) -> Self {
        self.map(|c| c.rate_limit = limit)
    }

    /// Limits of the image prober.
    pub fn with_probe_config(self, probe: ProbeConfig) -> Self {
        self.map(|c| c.probe = probe)
    }

    /// The untyped connection (for code that handles any vendor).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        self.conn.config()
    }

    /// Resumes a job from its id alone.
    pub fn job(&self, id: impl Into<String>) -> Job {
        self.conn.job(id)
    }

    /// The image prober of this client (its limits and address guard).
    pub fn prober(&self) -> Result<Prober, Error> {
        self.conn.prober()
    }

    /// Runs every check `submit` runs (local rules, image rules) without
    /// submitting; returns what probing the images cost.
    pub async fn check<M: Model<Vendor = V>>(&self, input: &M) -> Result<ProbeReport, Error> {
        self.check_with(input, SubmitOptions::default()).await
    }

    async fn check_with<M: Model<Vendor = V>>(
        &self,
        input: &M,
        options: SubmitOptions,
    ) -> Result<ProbeReport, Error> {
        self.conn
            .preflight(input.validate(), &input.image_inputs(), options)
            .await
    }

    /// Checks `input` (nothing is sent if any rule fails, and every
    /// violation is reported), then submits it with exactly one POST.
    /// The returned job's id is known at once.
    pub async fn submit<M: Model<Vendor = V>>(&self, input: &M) -> Result<Job, Error> {
        self.submit_with(input, SubmitOptions::default()).await
    }

    /// [`submit`](Self::submit) with per-call options.
    pub async fn submit_with<M: Model<Vendor = V>>(
        &self,
        input: &M,
        options: SubmitOptions,
    ) -> Result<Job, Error> {
        self.check_with(input, options).await?;
        let body = serde_json::to_vec(input)
            .map_err(|err| Error::Config(format!("cannot serialise the input: {err}")))?;
        self.conn
            .submit_body(
                &submit_path(M::SUBMIT_PATH, M::MODEL),
                Some(M::MODEL),
                body,
                options,
            )
            .await
    }
}

impl<V: Vendor> From<Client<V>> for Connection {
    fn from(client: Client<V>) -> Self {
        client.conn
    }
}

/// Builds a [`Client`]; every setting has the default documented on [`Config`].
pub struct ClientBuilder<V: Vendor> {
    token: Option<Secret>,
    http: Option<reqwest::Client>,
    config: Config,
    vendor: PhantomData<fn() -> V>,
}

impl<V: Vendor> fmt::Debug for ClientBuilder<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("vendor", &V::NAME)
            .field("token", &self.token)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<V: Vendor> ClientBuilder<V> {
    /// The token (default: read from `V::TOKEN_ENV` at `build`).
    pub fn token(mut self, token: impl Into<Secret>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Shares an existing HTTP client (default: a new rustls client).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Every setting at once.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Base URL (default `V::BASE_URL`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.config.base_url = url.into();
        self
    }

    /// Timeout of each API request.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = timeout;
        self
    }

    /// Retry policy of idempotent requests.
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.config.retry = retry;
        self
    }

    /// Poll schedule of `Job::wait`.
    pub fn poll_policy(mut self, poll: PollPolicy) -> Self {
        self.config.poll = poll;
        self
    }

    /// Deadline of `Job::wait`.
    pub fn wait_timeout(mut self, timeout: Duration) -> Self {
        self.config.wait_timeout = timeout;
        self
    }

    /// Largest download accepted.
    pub fn max_download_bytes(mut self, limit: u64) -> Self {
        self.config.max_download_bytes = limit;
        self
    }

    /// Skip image rules that need a network read.
    pub fn skip_remote_image_checks(mut self, skip: bool) -> Self {
        self.config.skip_remote_image_checks = skip;
        self
    }

    /// Limits of the image prober.
    pub fn probe_config(mut self, probe: ProbeConfig) -> Self {
        self.config.probe = probe;
        self
    }

    /// Request budget shared by every job of the client.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.config.rate_limit = limit;
        self
    }

    /// Builds the client; reads `V::TOKEN_ENV` when no token was given.
    pub fn build(self) -> Result<Client<V>, Error> {
        let token = match self.token {
            Some(token) => token,
            None => Secret::new(std::env::var(V::TOKEN_ENV).unwrap_or_default()),
        };
        if token.is_empty() {
            return Err(Error::MissingToken { var: V::TOKEN_ENV });
        }
        let http = match self.http {
            Some(http) => http,
            None => default_http_client()?,
        };
        Ok(Client {
            conn: Connection::with_parts(V::PROTOCOL, V::NAME, token, http, self.config),
            vendor: PhantomData,
        })
    }
}
