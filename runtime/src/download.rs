//! Streaming a file to disk: size checked up front (Content-Length) and
//! counted while streaming, written to a temporary file and renamed, retried
//! whole on transient failures.

use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::{
    connection::Connection,
    error::{ApiError, Error, excerpt},
    retry::{Verdict, retry_after_header, retrying},
};

/// Downloads `url` to `path`; returns the bytes written.
pub(crate) async fn download(
    conn: &Connection,
    job_id: Option<&str>,
    url: &str,
    path: &Path,
) -> Result<u64, Error> {
    let verdict = |outcome: &Result<u64, Error>| match outcome {
        Err(err) if err.is_transient() => Verdict::Retry(err.retry_after()),
        _ => Verdict::Final,
    };
    retrying(&conn.config().retry, verdict, || {
        attempt(conn, job_id, url, path)
    })
    .await
}

async fn attempt(
    conn: &Connection,
    job_id: Option<&str>,
    url: &str,
    path: &Path,
) -> Result<u64, Error> {
    let limit = conn.config().max_download_bytes;
    let transport = |source: reqwest::Error| Error::Transport {
        vendor: conn.vendor(),
        job_id: job_id.map(str::to_owned),
        source,
    };
    let too_large = |size: u64| Error::TooLarge {
        job_id: job_id.map(str::to_owned),
        url: url.to_owned(),
        size,
        limit,
    };
    let response = conn
        .http_client()
        .get(url)
        .send()
        .await
        .map_err(transport)?;
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        let retry_after = retry_after_header(response.headers());
        let body = response.bytes().await.unwrap_or_default();
        return Err(Error::Api(Box::new(ApiError {
            vendor: conn.vendor(),
            job_id: job_id.map(str::to_owned),
            status,
            code: None,
            message: format!("download of {url} refused: {}", excerpt(&body)),
            retry_after,
        })));
    }
    if let Some(size) = response.content_length().filter(|size| *size > limit) {
        return Err(too_large(size));
    }

    let temp = temp_path(path);
    let io = |source: std::io::Error| Error::Io {
        job_id: job_id.map(str::to_owned),
        path: path.to_owned(),
        source,
    };
    let mut file = tokio::fs::File::create(&temp).await.map_err(io)?;
    let result = async {
        let mut written = 0u64;
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(transport)?;
            written += chunk.len() as u64;
            if written > limit {
                return Err(too_large(written));
            }
            file.write_all(&chunk).await.map_err(io)?;
        }
        file.flush().await.map_err(io)?;
        file.sync_all().await.map_err(io)?;
        Ok(written)
    }
    .await;
    drop(file);
    match result {
        Ok(written) => match tokio::fs::rename(&temp, path).await {
            Ok(()) => Ok(written),
            Err(source) => {
                let _ = tokio::fs::remove_file(&temp).await;
                Err(io(source))
            }
        },
        Err(err) => {
            let _ = tokio::fs::remove_file(&temp).await;
            Err(err)
        }
    }
}

/// `.<name>.<random>.part` beside the destination, so the rename stays on
/// one file system.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "download".to_owned());
    path.with_file_name(format!(".{name}.{:016x}.part", fastrand::u64(..)))
}
