//! [`Prober`]: learns an image's width, height and size with as few bytes
//! as possible, so the schema's image rules can be checked before a paid job
//! is submitted.
//!
//! - Data URIs are decoded locally.
//! - http(s) images: one GET with `Range: bytes=0-65535`; dimensions from
//!   the header bytes, total size from `Content-Range` (or `Content-Length`).
//!   A JPEG whose frame header lies past a large metadata block gets small
//!   follow-up Range reads starting exactly where the next segment begins.
//!   A server that ignores Range (200 with the full body) is streamed only
//!   until the header is parsed, then the response is dropped.
//! - Every image is probed concurrently, under one deadline, and the bytes and
//!   requests spent are counted ([`ProbeReport`]) so tests and benchmarks can
//!   hold the prober to its promise.

mod jpeg;
mod sniff;

use std::{
    sync::atomic::{AtomicU32, AtomicU64, Ordering},
    time::Duration,
};

use base64::Engine as _;
use futures_util::StreamExt;
use reqwest::{
    StatusCode,
    header::{CONTENT_RANGE, RANGE},
};
use sniff::{Sniffer, Step};

use crate::validation::{ImageFacts, ImageInput, Rule, Violation};

/// Limits of the prober, each with a default that keeps a probe far below a
/// download.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProbeConfig {
    /// Bytes asked for by the first Range read (default 64 KiB: enough for
    /// any PNG, WebP, GIF, BMP header and nearly every JPEG).
    pub range_bytes: u64,
    /// Bytes asked for by each follow-up read of a JPEG segment (default
    /// 4 KiB: a few small segments and the frame header).
    pub follow_up_bytes: u64,
    /// Follow-up reads allowed per image (default 8).
    pub max_follow_ups: u32,
    /// Bytes streamed at most from a server that ignores Range (default
    /// 8 MiB); the stream stops as soon as the header is parsed.
    pub max_stream_bytes: u64,
    /// Deadline for probing all images of one input (default 20 s).
    pub timeout: Duration,
    /// Images probed at once (default 8).
    pub concurrency: usize,
}

impl Default for ProbeConfig {
    fn default() -> Self {
        ProbeConfig {
            range_bytes: 64 * 1024,
            follow_up_bytes: 4 * 1024,
            max_follow_ups: 8,
            max_stream_bytes: 8 << 20,
            timeout: Duration::from_secs(20),
            concurrency: 8,
        }
    }
}

/// What probing one image found, and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageProbe {
    /// Field path of the image (`image_url`, `images[1]`).
    pub field: String,
    /// The facts, or why the image could not be read.
    pub facts: Result<ImageFacts, String>,
    /// Body bytes received.
    pub bytes_read: u64,
    /// HTTP requests sent (0 for a data URI).
    pub requests: u32,
}

/// All probes of one input.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProbeReport {
    /// One entry per probed image, in input order.
    pub images: Vec<ImageProbe>,
    /// Body bytes received in total.
    pub bytes_read: u64,
    /// HTTP requests sent in total.
    pub requests: u32,
}

/// Reads image headers over HTTP (without the vendor token: image URLs are
/// public) and from data URIs.
#[derive(Debug, Clone)]
pub struct Prober {
    http: reqwest::Client,
    config: ProbeConfig,
}

/// Bytes and requests spent by one probe (shared with its future).
#[derive(Default)]
struct Cost {
    bytes: AtomicU64,
    requests: AtomicU32,
}

impl Prober {
    /// A prober on a shared HTTP client.
    pub fn new(http: reqwest::Client, config: ProbeConfig) -> Self {
        Prober { http, config }
    }

    /// Probes every image of `inputs` concurrently and checks its rules.
    /// Remote images are skipped when `skip_remote` is set (data URIs are
    /// always checked: that costs no request).
    pub async fn check(
        &self,
        inputs: &[ImageInput<'_>],
        skip_remote: bool,
    ) -> (Vec<Violation>, ProbeReport) {
        let deadline = tokio::time::Instant::now() + self.config.timeout;
        let wanted: Vec<&ImageInput<'_>> = inputs
            .iter()
            .filter(|input| !skip_remote || input.uri.starts_with("data:"))
            .collect();
        let probes: Vec<ImageProbe> = futures_util::stream::iter(wanted.iter().map(|input| {
            let field = input.field.to_string();
            self.probe_until(input.uri, field, deadline)
        }))
        .buffered(self.config.concurrency.max(1))
        .collect()
        .await;

        let mut violations = Vec::new();
        for (input, probe) in wanted.iter().zip(&probes) {
            match &probe.facts {
                Ok(facts) => violations.extend(
                    input
                        .rules
                        .iter()
                        .filter_map(|rule| rule.check(input.field, facts)),
                ),
                Err(why) => violations.push(Violation {
                    field: probe.field.clone(),
                    rule: Rule::ImageReadable,
                    limit: "a readable jpeg, png, webp, bmp, tiff or gif image".to_owned(),
                    actual: why.clone(),
                    message: None,
                }),
            }
        }
        let report = ProbeReport {
            bytes_read: probes.iter().map(|p| p.bytes_read).sum(),
            requests: probes.iter().map(|p| p.requests).sum(),
            images: probes,
        };
        (violations, report)
    }

    /// Probes one image (URL or data URI) under the configured deadline.
    pub async fn probe(&self, uri: &str) -> ImageProbe {
        let deadline = tokio::time::Instant::now() + self.config.timeout;
        self.probe_until(uri, String::new(), deadline).await
    }

    async fn probe_until(
        &self,
        uri: &str,
        field: String,
        deadline: tokio::time::Instant,
    ) -> ImageProbe {
        let cost = Cost::default();
        let facts = if uri.starts_with("data:") {
            data_uri_facts(uri)
        } else {
            match tokio::time::timeout_at(deadline, self.remote(uri, &cost)).await {
                Ok(facts) => facts,
                Err(_) => Err(format!("no image header within {:?}", self.config.timeout)),
            }
        };
        ImageProbe {
            field,
            facts,
            bytes_read: cost.bytes.load(Ordering::Relaxed),
            requests: cost.requests.load(Ordering::Relaxed),
        }
    }

    async fn remote(&self, url: &str, cost: &Cost) -> Result<ImageFacts, String> {
        let mut sniffer = Sniffer::new();
        let response = self.range(url, 0, self.config.range_bytes, cost).await?;
        match response.status() {
            StatusCode::PARTIAL_CONTENT => {
                let total = content_range(&response).and_then(|(_, total)| total);
                read_range(response, 0, self.config.range_bytes, &mut sniffer, cost).await?;
                let mut follow_ups = 0;
                loop {
                    match sniffer.step() {
                        Step::Done(width, height) => {
                            return Ok(facts(width, height, total));
                        }
                        Step::Fail(why) => return Err(why),
                        Step::NeedFrom(at) => {
                            if total.is_some_and(|total| at >= total) {
                                return Err("the file ends before its image header".to_owned());
                            }
                            if follow_ups >= self.config.max_follow_ups {
                                return Err(format!(
                                    "no image header after {} range reads",
                                    follow_ups + 1
                                ));
                            }
                            follow_ups += 1;
                            let len = self.config.follow_up_bytes;
                            let response = self.range(url, at, len, cost).await?;
                            match response.status() {
                                StatusCode::PARTIAL_CONTENT
                                    if content_range(&response).map(|(start, _)| start)
                                        == Some(at) =>
                                {
                                    read_range(response, at, len, &mut sniffer, cost).await?;
                                }
                                StatusCode::OK => {
                                    let (width, height) =
                                        self.stream(response, Sniffer::new(), cost).await?;
                                    return Ok(facts(width, height, total));
                                }
                                status => return Err(format!("follow-up read answered {status}")),
                            }
                        }
                    }
                }
            }
            StatusCode::OK => {
                let total = response.content_length();
                let (width, height) = self.stream(response, sniffer, cost).await?;
                Ok(facts(width, height, total))
            }
            status => Err(format!("HTTP {status}")),
        }
    }

    /// One Range GET of `len` bytes from `start`.
    async fn range(
        &self,
        url: &str,
        start: u64,
        len: u64,
        cost: &Cost,
    ) -> Result<reqwest::Response, String> {
        cost.requests.fetch_add(1, Ordering::Relaxed);
        let end = start + len.max(1) - 1;
        self.http
            .get(url)
            .header(RANGE, format!("bytes={start}-{end}"))
            .send()
            .await
            .map_err(|err| format!("cannot read image: {err}"))
    }

    /// Streams a whole-file answer until the sniffer has the header, then
    /// drops it (closing the connection) without reading further.
    async fn stream(
        &self,
        response: reqwest::Response,
        mut sniffer: Sniffer,
        cost: &Cost,
    ) -> Result<(u32, u32), String> {
        let mut at = 0u64;
        let mut body = response.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|err| format!("cannot read image: {err}"))?;
            cost.bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            sniffer.feed(at, &chunk);
            at += chunk.len() as u64;
            match sniffer.step() {
                Step::Done(width, height) => return Ok((width, height)),
                Step::Fail(why) => return Err(why),
                Step::NeedFrom(_) if at >= self.config.max_stream_bytes => {
                    return Err(format!(
                        "no image header in the first {} bytes",
                        self.config.max_stream_bytes
                    ));
                }
                Step::NeedFrom(_) => {}
            }
        }
        Err("the file ends before its image header".to_owned())
    }
}

/// Reads at most `len` bytes of a 206 body into the sniffer.
async fn read_range(
    response: reqwest::Response,
    start: u64,
    len: u64,
    sniffer: &mut Sniffer,
    cost: &Cost,
) -> Result<(), String> {
    let mut got = 0u64;
    let mut body = response.bytes_stream();
    while got < len {
        let Some(chunk) = body.next().await else {
            break;
        };
        let chunk = chunk.map_err(|err| format!("cannot read image: {err}"))?;
        cost.bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        let keep = usize::try_from(len - got)
            .unwrap_or(usize::MAX)
            .min(chunk.len());
        sniffer.feed(start + got, &chunk[..keep]);
        got += keep as u64;
        // Stop (dropping the rest of the answer) once the header is parsed.
        if matches!(sniffer.step(), Step::Done(..)) {
            break;
        }
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

fn facts(width: u32, height: u32, file_size: Option<u64>) -> ImageFacts {
    ImageFacts {
        width,
        height,
        file_size,
    }
}

/// Decodes a data URI (base64 or percent-encoded) and reads its header.
fn data_uri_facts(uri: &str) -> Result<ImageFacts, String> {
    let bytes = decode_data_uri(uri)?;
    let mut sniffer = Sniffer::new();
    sniffer.feed(0, &bytes);
    match sniffer.step() {
        Step::Done(width, height) => Ok(facts(width, height, Some(bytes.len() as u64))),
        Step::Fail(why) => Err(why),
        Step::NeedFrom(_) => Err("the data URI ends before its image header".to_owned()),
    }
}

fn decode_data_uri(uri: &str) -> Result<Vec<u8>, String> {
    let rest = uri.strip_prefix("data:").ok_or("not a data URI")?;
    let (header, payload) = rest.split_once(',').ok_or("data URI without a comma")?;
    if header.ends_with(";base64") {
        let engine = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        );
        engine
            .decode(payload.trim())
            .map_err(|err| format!("invalid base64 in data URI: {err}"))
    } else {
        percent_decode(payload)
    }
}

fn percent_decode(text: &str) -> Result<Vec<u8>, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or("invalid percent escape in data URI")?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
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

    #[test]
    fn data_uri_png_is_read_locally() {
        let png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAHsAAAFBCAYAAACaOMQ";
        let facts = data_uri_facts(png).unwrap();
        assert_eq!((facts.width, facts.height), (123, 321));
        assert!(data_uri_facts("data:image/png;base64,!!!").is_err());
    }
}
