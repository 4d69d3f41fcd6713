//! [`Job`]: a submitted (or resumed) job, known by its id alone, so it can be
//! polled, fetched and cancelled from any process that has the id.

use std::{path::Path, time::Instant};

use crate::{
    connection::Connection,
    deadline::Deadline,
    error::Error,
    output::Output,
    protocol::{self, CancelOutcome, Snapshot},
    state::{JobState, JobStatus},
};

/// A job at a vendor. Cheap to clone; every method sends its own request.
///
/// Its id is known as soon as the submit answers, before any polling, and
/// every error after that carries it ([`Error::job_id`](crate::Error::job_id)),
/// so a job that was paid for is never lost: resume it with
/// `Client::job(id)` or `Connection::job(id)` from any process.
///
/// ```
/// # use seedance_runtime::{Connection, JobState, Protocol, VendorInfo};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let sim = seedance_sim::Sim::start().await;
/// # let vendor = VendorInfo { name: "RunComfy", id: "runcomfy", protocol: Protocol::RunComfy,
/// #     base_url: "https://model-api.runcomfy.net", token_env: "RUNCOMFY_API_TOKEN" };
/// # let conn = Connection::builder(&vendor).base_url(sim.base_url()).token(seedance_sim::TOKEN).build()?;
/// # let image = sim.image_url(&seedance_sim::ImageSpec::new(seedance_sim::ImageFormat::Png, 800, 600));
/// # let body = serde_json::to_vec(&serde_json::json!({ "prompt": "a fox", "first_frame_image_url": image }))?;
/// # let job = conn.submit_raw("/v1/models/bytedance/seedance-1-0/pro/image-to-video", body).await?;
/// // `job` came from `client.submit(&input)`; its id can be stored at once.
/// let id = job.id().to_owned();
/// let status = job.status().await?;                 // one poll
/// assert!(!status.state.is_terminal());
/// let output = conn.job(id).wait().await?;          // resumed by id: polls until done
/// assert!(!output.video_urls().is_empty());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Job {
    conn: Connection,
    id: String,
    /// When this process submitted it; `None` for a resumed job.
    submitted_at: Option<Instant>,
}

impl Connection {
    /// Resumes a job from its id alone (no request is sent).
    pub fn job(&self, id: impl Into<String>) -> Job {
        Job::new(self.clone(), id.into(), None)
    }
}

impl Job {
    pub(crate) fn new(conn: Connection, id: String, submitted_at: Option<Instant>) -> Self {
        Job {
            conn,
            id,
            submitted_at,
        }
    }

    /// The vendor's job id: known as soon as `submit` returns, before any
    /// poll. Keep it to resume with `client.job(id)`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The connection this job talks through.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// When this process submitted the job (`None` when resumed by id).
    pub fn submitted_at(&self) -> Option<Instant> {
        self.submitted_at
    }

    /// Polls the job's state once.
    pub async fn status(&self) -> Result<JobStatus, Error> {
        Ok(self.poll(Deadline::never()).await?.status)
    }

    /// Fetches the output of a finished job. Errors: [`Error::NotFinished`]
    /// while it runs, [`Error::JobFailed`] with the vendor's message,
    /// [`Error::JobCancelled`], [`Error::NoOutput`].
    pub async fn result(&self) -> Result<Output, Error> {
        self.result_until(Deadline::never()).await
    }

    /// [`result`](Self::result), with no request or retry past `deadline`.
    pub(crate) async fn result_until(&self, deadline: Deadline) -> Result<Output, Error> {
        let conn = &self.conn;
        let path = conn.wire().result_path(&self.id);
        let answer = conn.get(&path, Some(&self.id), deadline).await?;
        let snapshot = protocol::parse_result(conn.protocol(), conn.vendor(), &answer, &self.id)?;
        self.finish(snapshot)
    }

    /// Asks the vendor to cancel the job. A running RunComfy job answers
    /// [`CancelOutcome::NotCancellable`] (not an error); AI/ML API and
    /// WaveSpeed have no cancel endpoint: [`Error::CancelUnsupported`].
    pub async fn cancel(&self) -> Result<CancelOutcome, Error> {
        let conn = &self.conn;
        let Some(path) = conn.wire().cancel_path(&self.id) else {
            return Err(Error::CancelUnsupported {
                vendor: conn.vendor(),
                job_id: self.id.clone(),
            });
        };
        let answer = conn
            .post(
                &path,
                b"{}".to_vec(),
                Some(&self.id),
                Deadline::never(),
                false,
            )
            .await
            .map_err(|(err, _)| err)?;
        protocol::parse_cancel(conn.protocol(), conn.vendor(), &answer, &self.id)
    }

    /// Fetches the result (does not wait: a running job is
    /// [`Error::NotFinished`]), then downloads its first video (or image) to
    /// `path` (`-` for stdout; an existing file is refused, see
    /// [`Output::download_with`]); returns the bytes written.
    pub async fn download(&self, path: impl AsRef<Path>) -> Result<u64, Error> {
        self.result().await?.download(path).await
    }

    /// One status poll as a snapshot (with outputs where the protocol's
    /// status answer carries them).
    pub(crate) async fn poll(&self, deadline: Deadline) -> Result<Snapshot, Error> {
        let conn = &self.conn;
        let path = conn.wire().status_path(&self.id);
        let answer = conn.get(&path, Some(&self.id), deadline).await?;
        protocol::parse_status(conn.protocol(), conn.vendor(), &answer, &self.id)
    }

    /// Turns a result snapshot into the output or the job's error.
    pub(crate) fn finish(&self, snapshot: Snapshot) -> Result<Output, Error> {
        let vendor = self.conn.vendor();
        match snapshot.status.state {
            JobState::Succeeded => {
                if snapshot.urls.videos.is_empty() && snapshot.urls.images.is_empty() {
                    return Err(Error::NoOutput {
                        job_id: self.id.clone(),
                    });
                }
                Ok(Output::new(
                    self.conn.clone(),
                    self.id.clone(),
                    snapshot.urls,
                    snapshot.raw,
                ))
            }
            JobState::Failed => {
                let (code, message) = snapshot
                    .failure
                    .unwrap_or_else(|| (None, format!("status {}", snapshot.status.raw)));
                Err(Error::JobFailed {
                    vendor,
                    job_id: self.id.clone(),
                    code,
                    message,
                })
            }
            JobState::Cancelled => Err(Error::JobCancelled {
                vendor,
                job_id: self.id.clone(),
            }),
            state => Err(Error::NotFinished {
                job_id: self.id.clone(),
                state,
            }),
        }
    }
}
