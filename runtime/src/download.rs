//! Streaming a file to its [`Destination`]: size checked up front
//! (Content-Length) and counted while streaming, written through a `.part`
//! file put in place only when complete (see `outfile`), retried whole on
//! transient failures, and bounded by one total deadline besides the idle
//! read timeout.

use std::{
    path::PathBuf,
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::{
    connection::{
        Connection,
        transport::{ERROR_BODY_BYTES, read_prefix},
    },
    deadline::Deadline,
    error::{ApiError, Error, excerpt},
    outfile::{self, Destination, PartFile},
    retry::{Verdict, retry_after_header, retrying},
};

/// Per-call options of [`Output::download_with`](crate::Output::download_with).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DownloadOptions {
    /// Replace an existing regular file (default: refuse it).
    pub force: bool,
    /// Bound on the whole download, retries included (default: the
    /// builder's [`download_timeout`](crate::ClientBuilder::download_timeout)).
    pub timeout: Option<Duration>,
}

impl DownloadOptions {
    /// All defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`force`](Self::force).
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// Sets [`timeout`](Self::timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
}

/// What one download is about, for its errors.
struct Ctx<'a> {
    conn: &'a Connection,
    job_id: Option<&'a str>,
    url: &'a str,
    dest: &'a Destination,
    options: DownloadOptions,
    deadline: Deadline,
    timeout: Duration,
}

impl Ctx<'_> {
    fn job(&self) -> Option<String> {
        self.job_id.map(str::to_owned)
    }

    fn io(&self, source: std::io::Error) -> Error {
        Error::Io {
            job_id: self.job(),
            path: PathBuf::from(self.dest.display()),
            source,
        }
    }

    fn transport(&self, source: reqwest::Error) -> Error {
        Error::Transport {
            vendor: self.conn.vendor(),
            job_id: self.job(),
            source,
        }
    }

    fn too_large(&self, size: u64) -> Error {
        Error::TooLarge {
            job_id: self.job(),
            url: self.url.to_owned(),
            size,
            limit: self.conn.config().max_download_bytes,
        }
    }

    fn timed_out(&self, written: u64) -> Error {
        Error::DownloadTimedOut {
            job_id: self.job(),
            url: self.url.to_owned(),
            after: self.timeout,
            written,
        }
    }
}

/// Downloads `url` to `dest`; returns the bytes written.
pub(crate) async fn download(
    conn: &Connection,
    job_id: Option<&str>,
    url: &str,
    dest: &Destination,
    options: DownloadOptions,
) -> Result<u64, Error> {
    let timeout = options.timeout.unwrap_or(conn.config().download_timeout);
    let ctx = Ctx {
        conn,
        job_id,
        url,
        dest,
        options,
        deadline: Deadline::after(timeout),
        timeout,
    };
    // Refused destinations fail before any byte is fetched.
    let target = match dest {
        Destination::File(path) => {
            Some(outfile::resolve(path, options.force).map_err(|err| ctx.io(err))?)
        }
        Destination::Stdout => None,
    };
    let streamed = AtomicBool::new(false);
    let verdict = |outcome: &Result<u64, Error>| match outcome {
        // Bytes already on stdout cannot be taken back: no second attempt.
        Err(err) if err.is_transient() && !streamed.load(Ordering::Relaxed) => {
            Verdict::Retry(err.retry_after())
        }
        _ => Verdict::Final,
    };
    retrying(
        conn.clock(),
        &conn.config().retry,
        ctx.deadline,
        verdict,
        || attempt(&ctx, target.as_deref(), &streamed),
    )
    .await
}

async fn attempt(
    ctx: &Ctx<'_>,
    target: Option<&std::path::Path>,
    streamed: &AtomicBool,
) -> Result<u64, Error> {
    let limit = ctx.conn.config().max_download_bytes;
    let request = ctx.conn.http_client().get(ctx.url).send();
    let response = match ctx.deadline.run(request).await {
        None => return Err(ctx.timed_out(0)),
        Some(response) => response.map_err(|err| ctx.transport(err))?,
    };
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        let retry_after = retry_after_header(response.headers());
        let body = ctx
            .deadline
            .run(read_prefix(response, ERROR_BODY_BYTES))
            .await
            .unwrap_or_default();
        return Err(Error::Api(Box::new(ApiError {
            vendor: ctx.conn.vendor(),
            job_id: ctx.job(),
            status,
            code: None,
            message: format!("download of {} refused: {}", ctx.url, excerpt(&body)),
            retry_after,
        })));
    }
    if let Some(size) = response.content_length().filter(|size| *size > limit) {
        return Err(ctx.too_large(size));
    }

    let mut stream = response.bytes_stream();
    let mut written = 0u64;
    match target {
        Some(target) => {
            // Dropped (and so removed) on every early return and on cancel.
            let (part, mut file) = PartFile::create(target).await.map_err(|e| ctx.io(e))?;
            loop {
                let chunk = match ctx.deadline.run(stream.next()).await {
                    None => return Err(ctx.timed_out(written)),
                    Some(None) => break,
                    Some(Some(chunk)) => chunk.map_err(|err| ctx.transport(err))?,
                };
                written += chunk.len() as u64;
                if written > limit {
                    return Err(ctx.too_large(written));
                }
                file.write_all(&chunk).await.map_err(|e| ctx.io(e))?;
            }
            file.flush().await.map_err(|e| ctx.io(e))?;
            file.sync_all().await.map_err(|e| ctx.io(e))?;
            drop(file);
            part.persist(target, ctx.options.force)
                .map_err(|e| ctx.io(e))?;
        }
        None => {
            let mut out = tokio::io::stdout();
            loop {
                let chunk = match ctx.deadline.run(stream.next()).await {
                    None => return Err(ctx.timed_out(written)),
                    Some(None) => break,
                    Some(Some(chunk)) => chunk.map_err(|err| ctx.transport(err))?,
                };
                written += chunk.len() as u64;
                if written > limit {
                    return Err(ctx.too_large(written));
                }
                streamed.store(true, Ordering::Relaxed);
                out.write_all(&chunk).await.map_err(|e| ctx.io(e))?;
            }
            out.flush().await.map_err(|e| ctx.io(e))?;
        }
    }
    Ok(written)
}
