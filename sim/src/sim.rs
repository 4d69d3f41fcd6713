//! [`Sim`]: one simulator instance, its shared state and its handle.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::catalog::Catalog;
use crate::faults::{Fault, Faults, Route};
use crate::images::ImageSpec;
use crate::jobs::{JobTiming, Jobs};

/// State shared by every handler of one simulator.
#[derive(Debug)]
pub(crate) struct Shared {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base_url: String,
    /// The accepted bearer token.
    pub token: String,
    /// Timing given to newly submitted jobs.
    pub timing: Mutex<JobTiming>,
    pub jobs: Jobs,
    pub faults: Faults,
    /// The models this simulator knows, validates and serves.
    pub catalog: Catalog,
    /// Submit bodies seen and per-route delays (`/sim/admin`).
    pub admin: crate::admin::Admin,
    /// Client used to fetch input images.
    pub http: reqwest::Client,
    /// Files uploaded to WaveSpeed's media endpoint.
    pub uploads: crate::uploads::Uploads,
    /// Demo settings: request log, job duration, random failures and 429s.
    pub demo: crate::demo::Demo,
    /// TCP connections accepted so far.
    pub connections: Arc<AtomicU64>,
    /// How long a WaveSpeed sync-mode submit waits for its task.
    pub sync_timeout: Mutex<Duration>,
    /// What each job was billed, per token.
    pub ledger: crate::ledger::Ledger,
}

impl Shared {
    /// The timing of a new job (with any demo failure drawn).
    pub(crate) fn timing(&self) -> JobTiming {
        let timing = self
            .timing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        self.demo.timing(timing)
    }

    /// Demo settings (see [`Sim::set_demo`]); the job duration applies to
    /// jobs created from now on.
    pub(crate) fn set_demo(&self, settings: crate::DemoSettings) {
        self.jobs.set_min_duration(settings.job_duration);
        self.demo.set(settings);
    }

    /// Bills a job just accepted to the simulator's token, at its price.
    pub(crate) fn bill(&self, vendor: crate::Vendor, id: &str, input: &serde_json::Value) {
        let micros = crate::ledger::price_micros(vendor, input);
        self.ledger.bill(&self.token, id, micros);
    }

    /// How long a WaveSpeed sync-mode submit waits for its task.
    pub(crate) fn sync_timeout(&self) -> Duration {
        *self.sync_timeout.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The default of [`Sim::set_sync_timeout`]. WaveSpeed publishes no figure;
/// a minute is longer than any poll-driven simulated job takes, and short
/// enough that a demo job of several minutes shows the timeout answer.
pub const DEFAULT_SYNC_TIMEOUT: Duration = Duration::from_secs(60);

/// A running simulator. Dropping it stops the server and its connections.
#[derive(Debug)]
pub struct Sim {
    shared: Arc<Shared>,
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Sim {
    /// Starts a simulator on `127.0.0.1` at a random port, on the current
    /// tokio runtime.
    ///
    /// # Panics
    /// When no port can be bound (use [`Sim::try_start`] to handle that).
    pub async fn start() -> Sim {
        match Sim::try_start().await {
            Ok(sim) => sim,
            Err(error) => panic!("seedance-sim could not start: {error}"),
        }
    }

    /// Like [`Sim::start`], reporting failure.
    pub async fn try_start() -> io::Result<Sim> {
        Sim::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a simulator on `addr` (port 0 picks a free port).
    pub async fn bind(addr: SocketAddr) -> io::Result<Sim> {
        Sim::bind_with(addr, false).await
    }

    /// Starts an HTTPS simulator on `127.0.0.1` at a random port: the test
    /// certificate of [`TLS_CA_PEM`](crate::TLS_CA_PEM), HTTP/2 and HTTP/1.1
    /// offered by ALPN, as the vendors' servers do.
    pub async fn start_tls() -> io::Result<Sim> {
        Sim::bind_with(SocketAddr::from(([127, 0, 0, 1], 0)), true).await
    }

    /// Starts a simulator on `addr`, over TLS when `tls` is set.
    pub async fn bind_with(addr: SocketAddr, tls: bool) -> io::Result<Sim> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let mut http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(60));
        let (acceptor, scheme) = if tls {
            // The simulator fetches its own images for validation.
            let ca = reqwest::Certificate::from_pem(crate::TLS_CA_PEM.as_bytes())
                .map_err(io::Error::other)?;
            http = http.add_root_certificate(ca);
            (Some(crate::tls::acceptor()?), "https")
        } else {
            (None, "http")
        };
        let http = http.build().map_err(io::Error::other)?;
        let connections = Arc::new(AtomicU64::new(0));
        let shared = Arc::new(Shared {
            base_url: format!("{scheme}://{addr}"),
            token: crate::TOKEN.to_owned(),
            timing: Mutex::new(JobTiming::default()),
            jobs: Jobs::default(),
            faults: Faults::default(),
            catalog: Catalog::from_embedded(),
            admin: crate::admin::Admin::default(),
            http,
            uploads: Default::default(),
            demo: Default::default(),
            connections: connections.clone(),
            sync_timeout: Mutex::new(DEFAULT_SYNC_TIMEOUT),
            ledger: Default::default(),
        });
        let router = crate::server::router(shared.clone());
        let task = tokio::spawn(crate::server::serve(
            listener,
            router,
            acceptor,
            connections,
        ));
        Ok(Sim { shared, addr, task })
    }

    /// `http://127.0.0.1:PORT` (no trailing slash): the base URL of all three
    /// vendors.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The accepted bearer token ([`crate::TOKEN`]).
    pub fn token(&self) -> &str {
        &self.shared.token
    }

    /// URL of a served test image.
    pub fn image_url(&self, spec: &ImageSpec) -> String {
        format!("{}{}", self.shared.base_url, spec.path())
    }

    /// URL of the result video (what succeeded jobs point at).
    pub fn video_url(&self) -> String {
        format!("{}{}", self.shared.base_url, crate::video::PATH)
    }

    /// Timing of the jobs submitted from now on (default
    /// [`JobTiming::default`]: one queued poll, one running poll, success).
    pub fn set_timing(&self, timing: JobTiming) {
        *self.shared.timing.lock().unwrap_or_else(|p| p.into_inner()) = timing;
    }

    /// Queues `fault` for the next `times` requests of `route` (after any
    /// faults already queued there).
    pub fn inject(&self, route: Route, fault: Fault, times: u32) {
        self.shared.faults.inject(route, fault, times);
    }

    /// The schemas this simulator validates submits against and serves from
    /// its catalog endpoints; change them to simulate a vendor that changed
    /// a schema (`sim.catalog().set_schema(Vendor::RunComfy, id, schema)`).
    pub fn catalog(&self) -> &Catalog {
        &self.shared.catalog
    }

    /// Settings for demos (`seedance sim --log --job-duration ...`): every
    /// job takes at least `duration` of wall-clock time, fails with
    /// probability `failure_rate`, each poll answers 429 with probability
    /// `rate_limit_rate`, and with `log` every request is printed on stderr.
    pub fn set_demo(&self, settings: crate::DemoSettings) {
        self.shared.set_demo(settings);
    }

    /// Reads "now" from `now` instead of the system clock, for the job
    /// duration of [`set_demo`](Self::set_demo) and job timestamps: a test
    /// on virtual time passes its clock, and a job of an hour ends when that
    /// clock says so, not after an hour of waiting.
    pub fn set_clock(&self, now: impl Fn() -> std::time::SystemTime + Send + Sync + 'static) {
        self.shared.jobs.set_clock(std::sync::Arc::new(now));
    }

    /// How long a WaveSpeed submit with `"enable_sync_mode": true` waits
    /// for its task before answering the sync-mode timeout (code 5004) while
    /// the task goes on (default [`DEFAULT_SYNC_TIMEOUT`]).
    pub fn set_sync_timeout(&self, timeout: Duration) {
        *self
            .shared
            .sync_timeout
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = timeout;
    }

    /// Faults still queued for `route`.
    pub fn pending_faults(&self, route: Route) -> usize {
        self.shared.faults.pending(route)
    }

    /// Requests that reached `route` so far, rejected ones included.
    pub fn count(&self, route: Route) -> u64 {
        self.shared.faults.count(route)
    }

    /// TCP connections accepted so far (each a TLS handshake on a TLS
    /// simulator): what connection reuse saves.
    pub fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::Relaxed)
    }

    /// Every submit body that reached a vendor handler, with how many
    /// times: `(path, exact body, count)`. Also served at `/sim/admin/submits`.
    pub fn submits(&self) -> Vec<(String, String, u64)> {
        self.shared.admin.submits()
    }

    /// What the vendors billed so far, all tokens together: every job whose
    /// submit was accepted, at the simulator's prices
    /// ([`price_micros`](crate::price_micros)). Also served at
    /// `/sim/admin/ledger`, per token.
    pub fn billed(&self) -> crate::Billed {
        self.shared.ledger.total()
    }

    /// Waits until the server stops (it only stops when aborted): for the
    /// binary.
    pub async fn wait(&mut self) {
        let _ = (&mut self.task).await;
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.task.abort();
    }
}
