//! Reading a remote image's header with Range requests (see the module docs
//! of [`super`]): the first read, JPEG follow-ups from segment marker to
//! segment marker, the bounded stream, and the size asked for separately.

use std::sync::atomic::Ordering;

use futures_util::StreamExt;
use reqwest::{
    StatusCode,
    header::{CONTENT_LENGTH, CONTENT_RANGE, RANGE},
};

use super::{
    Cost, ProbeError, Prober, facts, guard,
    sniff::{Sniffer, Step},
};
use crate::validation::ImageFacts;

type Probed<T> = Result<T, ProbeError>;

/// A failed request: refused by the address guard, or a network failure
/// named with its whole cause chain ("connection refused" included).
fn request_error(err: &reqwest::Error) -> ProbeError {
    if let Some(refused) = guard::find_refusal(err) {
        return ProbeError::Refused(refused.to_string());
    }
    let mut text = format!("cannot read image: {err}");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    ProbeError::Network(text)
}

/// An error status: 5xx, 429 and 408 may pass (network); any other is the
/// server's word that the image is not there.
fn status_error(status: StatusCode, what: &str) -> ProbeError {
    let text = format!("{what} HTTP {status}");
    if status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
    {
        ProbeError::Network(text)
    } else {
        ProbeError::Unreadable(text)
    }
}

impl Prober {
    pub(super) async fn remote(
        &self,
        url: reqwest::Url,
        want_size: bool,
        cost: &Cost,
    ) -> Probed<ImageFacts> {
        let url = url.as_str();
        let (width, height, total) = self.header(url, cost).await?;
        let total = match total {
            None if want_size => self.total_size(url, cost).await,
            total => total,
        };
        Ok(facts(width, height, total))
    }

    /// Width, height and, when the answers told it, the total size.
    async fn header(&self, url: &str, cost: &Cost) -> Probed<(u32, u32, Option<u64>)> {
        let mut sniffer = Sniffer::new();
        let len = self.config.range_bytes;
        let response = self.range(url, 0, Some(len), cost).await?;
        match response.status() {
            StatusCode::PARTIAL_CONTENT => {
                let total = content_range(&response).and_then(|(_, total)| total);
                read_range(response, 0, len, &mut sniffer, cost).await?;
                let (width, height) = self.follow_segments(url, sniffer, total, cost).await?;
                Ok((width, height, total))
            }
            StatusCode::OK => {
                let total = response.content_length();
                let (width, height) = self.stream(response, 0, sniffer, cost).await?;
                Ok((width, height, total))
            }
            status => Err(status_error(status, "answered")),
        }
    }

    /// After the first Range read: while the sniffer (a JPEG) needs more, one
    /// small Range read from the next segment marker, skipping every segment
    /// body unread; once `max_follow_ups` or `max_follow_up_bytes` is spent,
    /// one stream from that marker, bounded by `max_stream_bytes`.
    async fn follow_segments(
        &self,
        url: &str,
        mut sniffer: Sniffer,
        total: Option<u64>,
        cost: &Cost,
    ) -> Probed<(u32, u32)> {
        let len = self.config.follow_up_bytes.max(SOF_READ_BYTES);
        let (mut reads, mut asked) = (0u32, 0u64);
        loop {
            let at = match sniffer.step() {
                Step::Done(width, height) => return Ok((width, height)),
                Step::Fail(why) => return Err(ProbeError::Unreadable(why)),
                Step::NeedFrom(at) => at,
            };
            if total.is_some_and(|total| at >= total) {
                return Err(ProbeError::Unreadable(
                    "the file ends before its image header".to_owned(),
                ));
            }
            let budget_left = reads < self.config.max_follow_ups
                && asked + len <= self.config.max_follow_up_bytes;
            let response = self
                .range(url, at, budget_left.then_some(len), cost)
                .await?;
            let starts_at_marker = content_range(&response).map(|(start, _)| start) == Some(at);
            match response.status() {
                StatusCode::PARTIAL_CONTENT if starts_at_marker && budget_left => {
                    reads += 1;
                    asked += len;
                    read_range(response, at, len, &mut sniffer, cost).await?;
                }
                StatusCode::PARTIAL_CONTENT if starts_at_marker => {
                    return self.stream(response, at, sniffer, cost).await;
                }
                StatusCode::OK => return self.stream(response, 0, Sniffer::new(), cost).await,
                status => return Err(status_error(status, "follow-up read answered")),
            }
        }
    }

    /// The total size when the header reads did not tell it: a `HEAD`
    /// (`Content-Length`), then a one-byte suffix Range (`Content-Range`
    /// total). Neither answer's body is downloaded.
    async fn total_size(&self, url: &str, cost: &Cost) -> Option<u64> {
        cost.requests.fetch_add(1, Ordering::Relaxed);
        if let Ok(response) = self.http.head(url).send().await {
            let length = response
                .status()
                .is_success()
                .then(|| header_u64(&response, CONTENT_LENGTH))
                .flatten();
            // A HEAD without a body may be labelled `Content-Length: 0`.
            if let Some(length) = length.filter(|&length| length > 0) {
                return Some(length);
            }
        }
        cost.requests.fetch_add(1, Ordering::Relaxed);
        let response = self
            .http
            .get(url)
            .header(RANGE, "bytes=-1")
            .send()
            .await
            .ok()?;
        match response.status() {
            StatusCode::PARTIAL_CONTENT => {
                let total = content_range(&response).and_then(|(_, total)| total);
                // Read the one byte asked for (at most a few), so the
                // connection can be reused.
                let mut body = response.bytes_stream();
                let mut got = 0u64;
                while got < SUFFIX_READ_BYTES {
                    let Some(Ok(chunk)) = body.next().await else {
                        break;
                    };
                    got += chunk.len() as u64;
                    cost.bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                }
                total
            }
            // Range ignored: the length of the whole file, which is dropped
            // unread.
            StatusCode::OK => header_u64(&response, CONTENT_LENGTH).filter(|&length| length > 0),
            _ => None,
        }
    }

    /// One Range GET from `start`: `len` bytes, or to the end for `None`.
    async fn range(
        &self,
        url: &str,
        start: u64,
        len: Option<u64>,
        cost: &Cost,
    ) -> Probed<reqwest::Response> {
        cost.requests.fetch_add(1, Ordering::Relaxed);
        let range = match len {
            Some(len) => format!("bytes={start}-{}", start + len.max(1) - 1),
            None => format!("bytes={start}-"),
        };
        self.http
            .get(url)
            .header(RANGE, range)
            .send()
            .await
            .map_err(|err| request_error(&err))
    }

    /// Streams an answer holding the file from offset `start` on until the
    /// sniffer has the header, then drops it (closing the connection)
    /// without reading further; at most `max_stream_bytes`.
    async fn stream(
        &self,
        response: reqwest::Response,
        start: u64,
        mut sniffer: Sniffer,
        cost: &Cost,
    ) -> Probed<(u32, u32)> {
        let mut at = start;
        let mut body = response.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|err| request_error(&err))?;
            cost.bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            sniffer.feed(at, &chunk);
            at += chunk.len() as u64;
            match sniffer.step() {
                Step::Done(width, height) => return Ok((width, height)),
                Step::Fail(why) => return Err(ProbeError::Unreadable(why)),
                Step::NeedFrom(_) if at - start >= self.config.max_stream_bytes => {
                    return Err(ProbeError::Unreadable(format!(
                        "no image header in {} bytes streamed from offset {start}",
                        self.config.max_stream_bytes
                    )));
                }
                Step::NeedFrom(_) => {}
            }
        }
        Err(ProbeError::Unreadable(
            "the file ends before its image header".to_owned(),
        ))
    }
}

/// Smallest follow-up read: a JPEG frame header's marker, length, precision
/// and dimensions.
const SOF_READ_BYTES: u64 = 9;

/// Body bytes read at most from the answer to `Range: bytes=-1`.
const SUFFIX_READ_BYTES: u64 = 64;

/// A header holding a decimal number.
fn header_u64(response: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<u64> {
    response
        .headers()
        .get(name)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Reads at most `len` bytes of a 206 body into the sniffer. Once the header
/// is parsed the rest of the answer (bounded by `len`) is still read, not
/// fed: dropping an unfinished HTTP/1.1 answer closes its connection, and
/// the next probe would pay a new TCP and TLS handshake for bytes that were
/// mostly in flight already.
async fn read_range(
    response: reqwest::Response,
    start: u64,
    len: u64,
    sniffer: &mut Sniffer,
    cost: &Cost,
) -> Probed<()> {
    let mut got = 0u64;
    let mut parsed = false;
    let mut body = response.bytes_stream();
    while got < len {
        let Some(chunk) = body.next().await else {
            break;
        };
        let chunk = match chunk {
            Ok(chunk) => chunk,
            // The header is known: a failure in the unread rest is not ours.
            Err(_) if parsed => break,
            Err(err) => return Err(request_error(&err)),
        };
        cost.bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        let keep = usize::try_from(len - got)
            .unwrap_or(usize::MAX)
            .min(chunk.len());
        if !parsed {
            sniffer.feed(start + got, &chunk[..keep]);
            parsed = matches!(sniffer.step(), Step::Done(..));
        }
        got += keep as u64;
    }
    Ok(())
}

/// `Content-Range: bytes START-END/TOTAL` as (START, TOTAL); TOTAL is
/// `None` for `*`.
fn content_range(response: &reqwest::Response) -> Option<(u64, Option<u64>)> {
    parse_content_range(response.headers().get(CONTENT_RANGE)?.to_str().ok()?)
}

fn parse_content_range(value: &str) -> Option<(u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let (start, _end) = range.split_once('-')?;
    let start = start.trim().parse().ok()?;
    let total = match total.trim() {
        "*" => None,
        total => Some(total.parse().ok()?),
    };
    Some((start, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_forms() {
        assert_eq!(
            parse_content_range("bytes 0-65535/1234567"),
            Some((0, Some(1_234_567)))
        );
        assert_eq!(parse_content_range("bytes 100-200/*"), Some((100, None)));
        assert_eq!(parse_content_range("bytes */1000"), None);
        assert_eq!(parse_content_range("items 0-1/2"), None);
    }
}
