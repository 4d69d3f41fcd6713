//! `--sim`: the simulator instead of the vendors, so every command works
//! on a fresh machine with no token and no network. A `seedance sim`
//! running in another terminal is used when its state file names one that
//! answers (so jobs outlive the process that submitted them); otherwise
//! `run --sim` starts one inside the process, whose jobs end with it.

pub mod media;
pub mod pace;
pub mod state;

use std::path::PathBuf;
use std::time::Duration;

use seedance_runtime::{Connection, VendorInfo};
use seedance_sim::{ImageSpec, Sim};

use crate::cli::Global;
use crate::error::CliError;

/// How long reading a running simulator's demo settings may take: it is on
/// this machine and already answered the liveness probe.
const SETTINGS_TIMEOUT: Duration = Duration::from_secs(2);

/// The simulator `--sim` talks to.
#[derive(Debug)]
pub struct Simulator {
    base_url: String,
    /// The server, when it runs in this process: dropping it stops it.
    in_process: Option<Sim>,
    /// Its demo job duration (`seedance sim --job-duration`), which paces
    /// the polls ([`pace`]); `None` when jobs advance per poll.
    job_duration: Option<Duration>,
}

impl Simulator {
    /// The simulator a command talks to with `--sim` (none without it);
    /// `--sim` with `--base-url` is refused, since they name two servers.
    pub async fn for_global(global: &Global) -> Result<Option<Simulator>, CliError> {
        if global.sim && global.base_url.is_some() {
            return Err(CliError::SimWithBaseUrl);
        }
        match global.sim {
            true => Ok(Some(Simulator::find_or_start().await?)),
            false => Ok(None),
        }
    }

    /// For `run --sim`: the running `seedance sim`, else a new one in
    /// this process.
    pub async fn find_or_start() -> Result<Simulator, CliError> {
        if let Some(base_url) = state::running(&state::path()).await {
            return Ok(Simulator::external(base_url).await);
        }
        let sim = Sim::try_start().await.map_err(CliError::Sim)?;
        Ok(Simulator {
            base_url: sim.base_url().to_owned(),
            in_process: Some(sim),
            job_duration: None,
        })
    }

    /// For the commands that resume a job: only a running `seedance sim`
    /// can know it, since an in-process one would start empty.
    pub async fn running() -> Result<Simulator, CliError> {
        let path: PathBuf = state::path();
        match state::running(&path).await {
            Some(base_url) => Ok(Simulator::external(base_url).await),
            None => Err(CliError::SimNotRunning { state: path }),
        }
    }

    /// The `seedance sim` at `base_url`, with its demo job duration.
    async fn external(base_url: String) -> Simulator {
        let job_duration = job_duration(&base_url).await;
        Simulator {
            base_url,
            in_process: None,
            job_duration,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// True when the simulator (and so every job on it) ends with this process.
    pub fn is_in_process(&self) -> bool {
        self.in_process.is_some()
    }

    /// URL of a test image served by the simulator.
    pub fn image_url(&self, spec: &ImageSpec) -> String {
        format!("{}{}", self.base_url, spec.path())
    }

    /// A connection with the simulator's token, polls paced to its jobs
    /// ([`pace`]) unless --poll-interval says otherwise, no proxy and image
    /// checks allowed on 127.0.0.1 (where the simulator is).
    pub fn connection(&self, vendor: &VendorInfo, global: &Global) -> Result<Connection, CliError> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .map_err(|err| CliError::Http(err.to_string()))?;
        let mut builder = Connection::builder(vendor)
            .base_url(&self.base_url)
            .token(seedance_sim::TOKEN)
            .http_client(http)
            .poll_policy(pace::policy(self.job_duration))
            // The simulator's images are on 127.0.0.1, which the prober
            // refuses unless told otherwise.
            .allow_private_image_addresses(true);
        if let Some(interval) = global.poll_interval {
            builder = builder.poll_interval(interval);
        }
        if let Some(rate) = global.requests_per_second {
            builder = builder.requests_per_second(rate);
        }
        Ok(builder.build()?)
    }
}

/// The demo job duration of the simulator at `base_url`, from
/// `/sim/admin/demo`; `None` when it has none or does not say (an older
/// simulator): polls then stay fast, as before.
async fn job_duration(base_url: &str) -> Option<Duration> {
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(SETTINGS_TIMEOUT)
        .build()
        .ok()?;
    let settings: serde_json::Value = http
        .get(format!("{base_url}/sim/admin/demo"))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    settings["job_duration_ms"]
        .as_u64()
        .map(Duration::from_millis)
}
