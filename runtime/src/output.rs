//! [`Output`]: the finished job's URLs, typed, with the vendor's whole
//! answer kept for fields this runtime does not model.

use std::path::Path;

use serde_json::Value;

use crate::{
    connection::Connection,
    download::DownloadOptions,
    error::Error,
    outfile::Destination,
    price::{Usd, reported_cost},
    protocol::OutputUrls,
};

/// The output of a succeeded job.
#[derive(Debug, Clone)]
pub struct Output {
    conn: Connection,
    job_id: String,
    urls: OutputUrls,
    raw: Value,
}

impl Output {
    pub(crate) fn new(conn: Connection, job_id: String, urls: OutputUrls, raw: Value) -> Self {
        Output {
            conn,
            job_id,
            urls,
            raw,
        }
    }

    /// The job this output belongs to.
    pub fn job_id(&self) -> &str {
        &self.job_id
    }

    /// The first video URL (Seedance jobs produce one video).
    pub fn video_url(&self) -> Option<&str> {
        self.urls.videos.first().map(String::as_str)
    }

    /// Every video URL: RunComfy `output.video`/`output.videos`, AI/ML API
    /// `video.url`, WaveSpeed `data.outputs`.
    pub fn video_urls(&self) -> &[String] {
        &self.urls.videos
    }

    /// Image URLs (RunComfy `output.image`/`output.images`), for models whose
    /// output schema has them.
    pub fn image_urls(&self) -> &[String] {
        &self.urls.images
    }

    /// The vendor's whole result answer.
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// What the vendor reported this job cost ([`reported_cost`] of its
    /// answer).
    pub fn reported_cost(&self) -> Option<Usd> {
        reported_cost(&self.raw)
    }

    /// Downloads the first video (or, failing that, the first image) to
    /// `path` (`-` for standard output); returns the bytes written. An
    /// existing file is refused: see [`download_with`](Self::download_with).
    pub async fn download(&self, path: impl AsRef<Path>) -> Result<u64, Error> {
        self.download_with(path, DownloadOptions::default()).await
    }

    /// [`download`](Self::download) with options (`force` to replace an
    /// existing file, a total timeout).
    pub async fn download_with(
        &self,
        path: impl AsRef<Path>,
        options: DownloadOptions,
    ) -> Result<u64, Error> {
        let url = self
            .urls
            .videos
            .first()
            .or_else(|| self.urls.images.first())
            .ok_or_else(|| Error::NoOutput {
                job_id: self.job_id.clone(),
            })?;
        self.download_url(url, path, options).await
    }

    /// Streams `url` to `path` through a temporary file in the same folder,
    /// put in place only when complete, so a failed or cancelled download
    /// never leaves a truncated video under the final name nor a `.part`
    /// file. Only a missing path or a regular file (with `force`) is ever
    /// replaced; a symlink is written through to its target; `-` is
    /// standard output. Refuses files over `max_download_bytes` and stops at
    /// the download timeout. The vendor token is not sent: output URLs are
    /// public (often on another host).
    pub async fn download_url(
        &self,
        url: &str,
        path: impl AsRef<Path>,
        options: DownloadOptions,
    ) -> Result<u64, Error> {
        let dest = Destination::new(path);
        crate::download::download(&self.conn, Some(&self.job_id), url, &dest, options).await
    }
}
