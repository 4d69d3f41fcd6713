//! [`Output`]: the finished job's URLs, typed, with the vendor's whole
//! answer kept for fields this runtime does not model.

use std::path::Path;

use serde_json::Value;

use crate::{connection::Connection, error::Error, protocol::OutputUrls};

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

    /// Downloads the first video (or, failing that, the first image) to
    /// `path`; returns the bytes written. See [`download_url`](Self::download_url).
    pub async fn download(&self, path: impl AsRef<Path>) -> Result<u64, Error> {
        let url = self
            .urls
            .videos
            .first()
            .or_else(|| self.urls.images.first())
            .ok_or_else(|| Error::NoOutput {
                job_id: self.job_id.clone(),
            })?;
        self.download_url(url, path).await
    }

    /// Streams `url` to `path` through a temporary file in the same folder,
    /// renamed into place only when complete, so a failed download never
    /// leaves a truncated video under the final name. Refuses files over
    /// `max_download_bytes`. The vendor token is not sent: output URLs are
    /// public (often on another host).
    pub async fn download_url(&self, url: &str, path: impl AsRef<Path>) -> Result<u64, Error> {
        crate::download::download(&self.conn, Some(&self.job_id), url, path.as_ref()).await
    }
}
