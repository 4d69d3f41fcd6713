//! [`Connection`]: everything a request needs (protocol, base URL, token,
//! shared HTTP client, policies) behind one `Arc`, without a vendor type
//! parameter. All request logic lives here so it is compiled once, not per
//! vendor; `Client<V>` is a typed wrapper around it, and tools that pick a
//! vendor at run time (a CLI resuming `seedance status runcomfy ID`) use it
//! directly. It knows nothing of its builder, jobs, images or prices: the
//! layers above add those methods (`builder.rs`, `job.rs`, `submit.rs`,
//! `media.rs`, `price/`), so imports only point down to it.

mod streams;
pub(crate) mod transport;
mod warm;
mod window;

use std::{
    fmt,
    sync::{Arc, OnceLock},
    time::Duration,
};

use streams::Turns;
use warm::WarmUp;
use window::BodyWindow;

use crate::{
    budget::{Budget, RateLimit},
    clock::Clock,
    error::Error,
    model::{Protocol, VendorInfo},
    poll::PollPolicy,
    prober::{ProbeConfig, Prober},
    protocol::{self, Wire},
    retry::RetryPolicy,
    secret::Secret,
};

/// Every knob of a client; set through
/// [`ClientBuilder`](crate::ClientBuilder), whose methods document the
/// defaults.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Config {
    /// Base URL of the API, without a trailing slash (default: the vendor's).
    pub base_url: String,
    /// Timeout of one API request, answer body included (default 30 s).
    pub timeout: Duration,
    /// Retries of idempotent requests (default: 2 retries, 0.5 s doubling to 8 s).
    pub retry: RetryPolicy,
    /// Poll schedule of `Job::wait` (default: see [`PollPolicy`]).
    pub poll: PollPolicy,
    /// Deadline of `Job::wait` (default 30 min: jobs take up to 10 min, and
    /// queues add to that).
    pub wait_timeout: Duration,
    /// Bound on one submit, 429 retries included (default 2 min).
    pub submit_timeout: Duration,
    /// Bound on one download, retries included (default 1 h: 2 GiB at
    /// 600 KB/s). The read timeout alone lets a server sending a byte a
    /// second hold a download forever.
    pub download_timeout: Duration,
    /// Largest file `Output::download` accepts (default 2 GiB; a 10 s 1080p
    /// video is tens of MB).
    pub max_download_bytes: u64,
    /// Largest API answer body read into memory (default 8 MiB).
    pub max_answer_bytes: u64,
    /// Skip the image rules that need a network read (data URIs are still
    /// checked). For users whose images are behind auth the prober lacks.
    pub skip_remote_image_checks: bool,
    /// Limits of the image prober.
    pub probe: ProbeConfig,
    /// Request budget shared by every job on this connection (default 50
    /// requests a second after a burst of 50, halved on 429).
    pub rate_limit: RateLimit,
}

impl Config {
    /// Defaults for a base URL.
    pub(crate) fn new(base_url: impl Into<String>) -> Self {
        Config {
            base_url: trim_base(base_url.into()),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            poll: PollPolicy::default(),
            wait_timeout: Duration::from_secs(30 * 60),
            submit_timeout: Duration::from_secs(120),
            download_timeout: Duration::from_secs(60 * 60),
            max_download_bytes: 2 << 30,
            max_answer_bytes: 8 << 20,
            skip_remote_image_checks: false,
            probe: ProbeConfig::default(),
            rate_limit: RateLimit::default(),
        }
    }
}

/// `Bearer <token>` as a header value marked sensitive (kept out of logs
/// and from HTTP/2 header compression), as `bearer_auth` makes it.
fn authorization(token: &Secret) -> Option<reqwest::header::HeaderValue> {
    let mut value =
        reqwest::header::HeaderValue::try_from(format!("Bearer {}", token.expose_secret())).ok()?;
    value.set_sensitive(true);
    Some(value)
}

fn trim_base(base: String) -> String {
    base.trim_end_matches('/').to_owned()
}

/// Connect timeout of the shared HTTP client.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest silence while reading an answer or a download.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// Builds the HTTP client every connection shares unless given one: rustls,
/// connect and read timeouts, our user agent.
pub(crate) fn default_http_client() -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT)
        .user_agent(concat!("seedance-runtime/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|err| Error::HttpClient(format!("cannot build the HTTP client: {err}")))
}

/// An untyped client of one vendor: cheap to clone (one `Arc`), safe to
/// share across tasks. See the module docs for why it exists.
///
/// # Choosing a vendor at run time
///
/// The vendor is a value (from a config file, a command line), not a type.
/// Here against the simulator; for real, leave the base URL at the vendor's
/// and the token to its variable (`VendorInfo::token_env`). With the
/// generated crate, `seedance::catalog::find(name)` gives the vendor's
/// facts and parses the input into its typed model for
/// [`submit_erased`](Self::submit_erased).
///
/// ```
/// use seedance_runtime::{Connection, Protocol, VendorInfo};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let sim = seedance_sim::Sim::start().await;
/// # let base_url = sim.base_url().to_owned();
/// # let token = seedance_sim::TOKEN;
/// # let image = sim.image_url(&seedance_sim::ImageSpec::new(seedance_sim::ImageFormat::Png, 800, 600));
/// // With the generated crate: `seedance::runcomfy::Vendor::INFO`, or the catalog's.
/// let vendor = VendorInfo {
///     name: "RunComfy",
///     id: "runcomfy",
///     protocol: Protocol::RunComfy,
///     base_url: "https://model-api.runcomfy.net",
///     token_env: "RUNCOMFY_API_TOKEN",
/// };
/// let conn = Connection::builder(&vendor).base_url(base_url).token(token).build()?;
/// let body = serde_json::json!({ "prompt": "a red fox", "first_frame_image_url": image });
/// let job = conn
///     .submit_raw("/v1/models/bytedance/seedance-1-0/pro/image-to-video", serde_json::to_vec(&body)?)
///     .await?;
/// // Any process can pick the job up again from its id alone.
/// let status = conn.job(job.id()).status().await?;
/// println!("job {}: {status}", job.id());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Connection {
    inner: Arc<Inner>,
}

struct Inner {
    protocol: Protocol,
    vendor: &'static str,
    /// The vendor's id (`runcomfy`): what a model's vendor must match.
    vendor_id: &'static str,
    token: Secret,
    /// `Authorization: Bearer <token>`, built once (a clone shares its
    /// bytes) rather than formatted and checked for every request; `None`
    /// when the token is not a valid header value, so each request reports
    /// that as reqwest's `bearer_auth` does.
    authorization: Option<reqwest::header::HeaderValue>,
    http: reqwest::Client,
    config: Config,
    /// Built on first use: the prober has its own guarded client.
    prober: OnceLock<Result<Prober, String>>,
    /// Shared by clones (and so by every job of the connection).
    budget: Arc<Budget>,
    /// Shared by clones, which share `http`.
    warm: Arc<WarmUp>,
    /// Request bodies in flight, within the initial HTTP/2 window
    /// (`window.rs`); shared by clones, which share `http`.
    bodies: Arc<BodyWindow>,
    /// Requests and submits in flight (`streams.rs`); shared by clones.
    turns: Arc<Turns>,
    /// Time of waiting and of the budget: real unless a test set one.
    clock: Clock,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("vendor", &self.inner.vendor)
            .field("protocol", &self.inner.protocol)
            .field("base_url", &self.inner.config.base_url)
            .field("token", &self.inner.token)
            .finish_non_exhaustive()
    }
}

impl Connection {
    pub(crate) fn assemble(
        vendor: VendorInfo,
        token: Secret,
        http: reqwest::Client,
        mut config: Config,
        clock: Clock,
    ) -> Self {
        config.base_url = trim_base(config.base_url);
        Connection {
            inner: Arc::new(Inner {
                budget: Arc::new(Budget::new(config.rate_limit, config.retry.max_retry_after)),
                warm: Arc::new(WarmUp::default()),
                bodies: Arc::new(BodyWindow::default()),
                turns: Arc::new(Turns::default()),
                protocol: vendor.protocol,
                vendor: vendor.name,
                vendor_id: vendor.id,
                authorization: authorization(&token),
                token,
                http,
                config,
                prober: OnceLock::new(),
                clock,
            }),
        }
    }

    /// The wire protocol.
    pub fn protocol(&self) -> Protocol {
        self.inner.protocol
    }

    /// The wire protocol's paths and answers.
    pub(crate) fn wire(&self) -> &'static dyn Wire {
        protocol::wire(self.inner.protocol)
    }

    /// The vendor's display name (used in errors).
    pub fn vendor(&self) -> &'static str {
        self.inner.vendor
    }

    /// The vendor's id (`runcomfy`).
    pub(crate) fn vendor_id(&self) -> &'static str {
        self.inner.vendor_id
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.config.base_url
    }

    /// The configuration in force.
    pub(crate) fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The image prober of this connection, with the builder's limits and
    /// address guard (its own HTTP client, built once).
    #[doc(hidden)]
    pub fn prober(&self) -> Result<Prober, Error> {
        self.inner
            .prober
            .get_or_init(|| Prober::new(self.inner.config.probe).map_err(|err| err.to_string()))
            .clone()
            .map_err(Error::HttpClient)
    }

    /// Whether the builder said to skip the image rules that need a network
    /// read (a tool running the checks itself honours it).
    #[doc(hidden)]
    pub fn skips_remote_image_checks(&self) -> bool {
        self.inner.config.skip_remote_image_checks
    }

    /// The shared HTTP client (no token attached: use it for public URLs).
    pub(crate) fn http_client(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Requests per second the budget allows now: the configured limit, or
    /// less while it recovers from a 429.
    pub fn request_rate(&self) -> f64 {
        self.inner.budget.rate(self.clock().now())
    }

    pub(crate) fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    pub(crate) fn budget(&self) -> &Budget {
        &self.inner.budget
    }

    pub(crate) fn warm_up(&self) -> &WarmUp {
        &self.inner.warm
    }

    pub(crate) fn turns(&self) -> &Turns {
        &self.inner.turns
    }

    pub(crate) fn body_window(&self) -> &BodyWindow {
        &self.inner.bodies
    }

    pub(crate) fn token(&self) -> &Secret {
        &self.inner.token
    }

    /// The token as a sensitive `Authorization` value, if it is a valid one.
    pub(crate) fn authorization(&self) -> Option<&reqwest::header::HeaderValue> {
        self.inner.authorization.as_ref()
    }

    /// Absolute URL of an API path.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{}", self.inner.config.base_url, path)
    }
}
