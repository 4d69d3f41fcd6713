//! [`ClientBuilder`]: the one way to configure a client. It builds a typed
//! [`Client<V>`](crate::Client) (`Client::<V>::builder()`, whose `build`
//! is in `client.rs`) or an untyped [`Connection`]
//! (`Connection::builder(vendor)`); both take the same settings, each with
//! a documented default, so there is no second place to set them.

use std::{fmt, marker::PhantomData, time::Duration};

use crate::{
    budget::RateLimit,
    clock::Clock,
    connection::{Config, Connection, default_http_client},
    error::Error,
    model::VendorInfo,
    poll::PollPolicy,
    prober::ProbeConfig,
    retry::RetryPolicy,
    secret::Secret,
};

/// Builds a [`Client<V>`](crate::Client), or with `T = Connection` an untyped
/// [`Connection`]. Every setting is optional; the defaults are on each method.
///
/// ```no_run
/// # fn demo<V: seedance_runtime::Vendor>() -> Result<(), seedance_runtime::Error> {
/// use std::time::Duration;
/// let client = seedance_runtime::Client::<V>::builder()
///     .timeout(Duration::from_secs(10))
///     .max_retries(4)
///     .wait_timeout(Duration::from_secs(20 * 60))
///     .build()?; // the token from `V::TOKEN_ENV`
/// # Ok(()) }
/// ```
pub struct ClientBuilder<T> {
    vendor: VendorInfo,
    token: Option<Secret>,
    http: Option<reqwest::Client>,
    config: Config,
    clock: Clock,
    target: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for ClientBuilder<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("vendor", &self.vendor.name)
            .field("token", &self.token)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<T> ClientBuilder<T> {
    pub(crate) fn new(vendor: VendorInfo) -> Self {
        ClientBuilder {
            vendor,
            token: None,
            http: None,
            config: Config::new(vendor.base_url),
            clock: Clock::real(),
            target: PhantomData,
        }
    }

    /// The API token (default: read from the vendor's variable at `build`).
    pub fn token(mut self, token: impl Into<Secret>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Shares an existing HTTP client (default: a new rustls client with
    /// 10 s connect and 60 s read timeouts).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Sends requests here instead of the vendor (a proxy, the simulator);
    /// default: the vendor's base URL.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.config.base_url = url.into();
        self
    }

    /// Timeout of one API request, answer body included (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = timeout;
        self
    }

    /// Retries of idempotent requests on connect errors, 429 and
    /// 500/502/503/504 (default 2, after 0.5 s doubling to 8 s). A submit is
    /// never re-sent once it may have reached the vendor.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.config.retry.max_retries = retries;
        self
    }

    /// Polls `Job::wait` at this fixed interval instead of the default
    /// schedule (1.5 s growing to 2.5 s, 5 s after an hour).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.config.poll = PollPolicy::fixed(interval);
        self
    }

    /// Deadline of `Job::wait` (default 30 min: jobs take up to 10 min, and
    /// queues add to that).
    pub fn wait_timeout(mut self, timeout: Duration) -> Self {
        self.config.wait_timeout = timeout;
        self
    }

    /// Bound on one submit, 429 retries included (default 2 min).
    pub fn submit_timeout(mut self, timeout: Duration) -> Self {
        self.config.submit_timeout = timeout;
        self
    }

    /// Bound on one download, retries included (default 1 h); the read
    /// timeout alone lets a server sending a byte a second hold it forever.
    pub fn download_timeout(mut self, timeout: Duration) -> Self {
        self.config.download_timeout = timeout;
        self
    }

    /// Largest file `Output::download` accepts (default 2 GiB).
    pub fn max_download_bytes(mut self, limit: u64) -> Self {
        self.config.max_download_bytes = limit;
        self
    }

    /// Requests a second shared by every job of the client and its clones
    /// (default 50 after a burst of 50, halved on 429; `f64::INFINITY`
    /// turns the budget off).
    pub fn requests_per_second(mut self, rate: f64) -> Self {
        self.config.rate_limit.per_second = rate;
        self
    }

    /// Skips the image rules that need a network read (default false; data
    /// URIs are still checked). For images behind auth the prober lacks.
    pub fn skip_remote_image_checks(mut self, skip: bool) -> Self {
        self.config.skip_remote_image_checks = skip;
        self
    }

    /// Lets the image prober read loopback and private addresses (default
    /// false, so an input cannot make it probe an internal network).
    pub fn allow_private_image_addresses(mut self, allow: bool) -> Self {
        self.config.probe.allow_private_addresses = allow;
        self
    }

    /// Every retry knob (tests and benchmarks tune delays and jitter).
    #[doc(hidden)]
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.config.retry = retry;
        self
    }

    /// Every poll schedule knob.
    #[doc(hidden)]
    pub fn poll_policy(mut self, poll: PollPolicy) -> Self {
        self.config.poll = poll;
        self
    }

    /// Every request budget knob.
    #[doc(hidden)]
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.config.rate_limit = limit;
        self
    }

    /// The time source of waiting, of retry sleeps and of the request
    /// budget (default real time; tests pass [`Clock::virtual_time`]).
    #[doc(hidden)]
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Every image prober limit.
    #[doc(hidden)]
    pub fn probe_config(mut self, probe: ProbeConfig) -> Self {
        self.config.probe = probe;
        self
    }

    /// The untyped connection; reads the vendor's variable when no token
    /// was given.
    pub(crate) fn connect(self) -> Result<Connection, Error> {
        let token = match self.token {
            Some(token) => token,
            None => Secret::new(std::env::var(self.vendor.token_env).unwrap_or_default()),
        };
        if token.is_empty() {
            return Err(Error::MissingToken {
                var: self.vendor.token_env,
            });
        }
        let http = match self.http {
            Some(http) => http,
            None => default_http_client()?,
        };
        Ok(Connection::assemble(
            self.vendor,
            token,
            http,
            self.config,
            self.clock,
        ))
    }
}

impl Connection {
    /// The builder of a connection to `vendor` (its facts come from the
    /// generated `Vendor::INFO` or the catalog); settings as for a client.
    pub fn builder(vendor: &VendorInfo) -> ClientBuilder<Connection> {
        ClientBuilder::new(*vendor)
    }
}

impl ClientBuilder<Connection> {
    /// Builds the connection; reads the vendor's token variable when no
    /// token was given ([`Error::MissingToken`] when it is unset or empty).
    pub fn build(self) -> Result<Connection, Error> {
        self.connect()
    }
}
