//! WaveSpeed's media upload: `POST /api/v3/media/upload/binary` with the
//! file as multipart field `file`; the answer's `data.download_url` is what
//! image fields take. The multipart body is written here (one part, a
//! random boundary) rather than with reqwest's `multipart` feature, which
//! would add crates for twenty lines.

use reqwest::header::CONTENT_TYPE;

use super::{LocalImage, MediaError};
use crate::{
    connection::Connection,
    error::Error,
    protocol::{self, Answer},
};

/// The upload endpoint, relative to the base URL.
pub const UPLOAD_PATH: &str = "/api/v3/media/upload/binary";

/// Uploads `image` and returns its download URL. Never retried: a lost
/// answer costs only an unused upload, but the caller decides.
pub(super) async fn wavespeed(conn: &Connection, image: &LocalImage) -> Result<String, MediaError> {
    let failed = |source: Error| MediaError::Upload {
        name: image.name.clone(),
        source: Box::new(source),
    };
    let boundary = format!("seedance-{:016x}", fastrand::u64(..));
    let body = multipart(&boundary, image);
    let response = conn
        .http_client()
        .post(conn.url(UPLOAD_PATH))
        .bearer_auth(conn.token().expose_secret())
        .timeout(
            conn.config()
                .timeout
                .max(std::time::Duration::from_secs(120)),
        )
        .header(
            CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .map_err(|source| {
            failed(Error::Transport {
                vendor: conn.vendor(),
                job_id: None,
                source,
            })
        })?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(|source| {
        failed(Error::Transport {
            vendor: conn.vendor(),
            job_id: None,
            source,
        })
    })?;
    let answer = Answer {
        status,
        retry_after: None,
        body: body.to_vec(),
    };
    let value =
        protocol::checked_json(conn.protocol(), conn.vendor(), &answer, None).map_err(failed)?;
    match value.pointer("/data/download_url").and_then(|v| v.as_str()) {
        Some(url) if !url.is_empty() => Ok(url.to_owned()),
        _ => Err(failed(Error::Decode {
            vendor: conn.vendor(),
            job_id: None,
            message: format!(
                "upload answer names no data.download_url: {}",
                crate::error::excerpt(&answer.body)
            ),
        })),
    }
}

/// One `file` part holding the image.
fn multipart(boundary: &str, image: &LocalImage) -> Vec<u8> {
    let name: String = image
        .name
        .chars()
        .map(|c| {
            if c == '"' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: {}\r\n\r\n",
        image.mime
    )
    .into_bytes();
    body.extend_from_slice(&image.bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_has_one_file_part() {
        let image = LocalImage::new(b"GIF89a".to_vec(), "a\"b.gif").expect("gif");
        let body = String::from_utf8(multipart("B", &image)).expect("text");
        assert_eq!(
            body,
            "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a_b.gif\"\r\n\
             Content-Type: image/gif\r\n\r\nGIF89a\r\n--B--\r\n"
        );
    }
}
