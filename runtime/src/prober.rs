//! [`Prober`]: learns an image's width, height and size with as few bytes
//! as possible, so the schema's image rules can be checked before a paid job
//! is submitted.
//!
//! - Data URIs are decoded locally ([`data_uri`]).
//! - http(s) images: one GET with `Range: bytes=0-65535`; dimensions from
//!   the header bytes, total size from `Content-Range` (or `Content-Length`).
//!   A JPEG whose frame header lies past a large metadata block gets small
//!   follow-up Range reads, each starting exactly at the next segment marker,
//!   so segment bodies are skipped unread; when even the follow-up budget is
//!   spent, the rest is streamed from that marker, bounded, until the header.
//!   A server that ignores Range (200 with the full body) is streamed only
//!   until the header is parsed, then the response is dropped.
//! - When a file-size rule applies and those answers did not give the total
//!   size, one `HEAD` (`Content-Length`) and then a `Range: bytes=-1` read
//!   (`Content-Range` total) ask for it; if neither tells, the probe says so
//!   ([`ImageProbe::file_size_unknown`]) instead of refusing the image.
//! - Every image is probed concurrently, under one deadline, and the bytes and
//!   requests spent are counted ([`ProbeReport`]) so tests and benchmarks can
//!   hold the prober to its promise.
//! - It is not an SSRF tool: hosts that are or resolve to loopback, private,
//!   link-local, unique-local or unspecified addresses are refused, on
//!   redirects too ([`guard`]), unless
//!   [`ProbeConfig::allow_private_addresses`] is set.
//! - A network failure is told apart from a bad image ([`ProbeError`]): the
//!   first is worth a retry, only the second is a verdict on the input.

mod data_uri;
mod guard;
mod jpeg;
mod remote;
mod sniff;

use std::{
    sync::atomic::{AtomicU32, AtomicU64, Ordering},
    time::Duration,
};

use futures_util::StreamExt;
use sniff::{Sniffer, Step};

use crate::{
    deadline::Deadline,
    error::Error,
    validation::{ImageFacts, ImageInput, Rule, ValidationErrors, Violation},
};

/// Limits of the prober, each with a default that keeps a probe far below a
/// download.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProbeConfig {
    /// Bytes asked for by the first Range read (default 64 KiB: enough for
    /// any PNG, WebP, GIF, BMP header and nearly every JPEG).
    pub range_bytes: u64,
    /// Bytes asked for by each follow-up read of a JPEG segment (default
    /// 4 KiB: the next segment's marker and length, or a few small segments
    /// and the frame header).
    pub follow_up_bytes: u64,
    /// Follow-up reads allowed per image (default 64: one per segment, so
    /// 4 MB of metadata in 64 KB segments).
    pub max_follow_ups: u32,
    /// Bytes all follow-up reads of one image may ask for together (default
    /// 1 MiB).
    pub max_follow_up_bytes: u64,
    /// Bytes streamed at most from a server that ignores Range, or once the
    /// follow-up budget is spent (default 8 MiB); the stream stops as soon as
    /// the header is parsed.
    pub max_stream_bytes: u64,
    /// Deadline for probing all images of one input (default 20 s).
    pub timeout: Duration,
    /// Images probed at once (default 8).
    pub concurrency: usize,
    /// Read images from loopback, private, link-local, unique-local and
    /// unspecified addresses (default false: a user-supplied URL must not
    /// reach this machine's own network). Tests against the local
    /// simulator and `--sim` set it.
    pub allow_private_addresses: bool,
}

impl Default for ProbeConfig {
    fn default() -> Self {
        ProbeConfig {
            range_bytes: 64 * 1024,
            follow_up_bytes: 4 * 1024,
            max_follow_ups: 64,
            max_follow_up_bytes: 1 << 20,
            max_stream_bytes: 8 << 20,
            timeout: Duration::from_secs(20),
            concurrency: 8,
            allow_private_addresses: false,
        }
    }
}

impl ProbeConfig {
    /// Sets [`allow_private_addresses`](Self::allow_private_addresses).
    pub fn allow_private_addresses(mut self, allow: bool) -> Self {
        self.allow_private_addresses = allow;
        self
    }
}

/// Why an image could not be measured.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProbeError {
    /// It was read but is not an image this prober knows, or its server
    /// said it is not there (4xx): a verdict on the input.
    Unreadable(String),
    /// The URL is refused unread: not http(s), or its host is (or resolves
    /// to) a non-public address.
    Refused(String),
    /// The network failed (connection refused, DNS, timeout, 5xx, 429):
    /// says nothing about the image; worth a retry.
    Network(String),
}

impl ProbeError {
    /// True for [`ProbeError::Network`].
    pub fn is_network(&self) -> bool {
        matches!(self, ProbeError::Network(_))
    }
}

impl std::fmt::Display for ProbeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProbeError::Unreadable(why) | ProbeError::Network(why) => f.write_str(why),
            ProbeError::Refused(why) => write!(f, "refused: {why}"),
        }
    }
}

impl std::error::Error for ProbeError {}

/// What probing one image found, and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageProbe {
    /// Field path of the image (`image_url`, `images[1]`).
    pub field: String,
    /// The URL or data URI probed.
    pub uri: String,
    /// The facts, or why the image could not be read.
    pub facts: Result<ImageFacts, ProbeError>,
    /// True when the file size was wanted (a file-size rule applies) but no
    /// answer told it, so that rule could not be checked.
    pub file_size_unknown: bool,
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

impl ProbeReport {
    /// The first probe that failed for a network reason, if any.
    pub fn network_failure(&self) -> Option<&ImageProbe> {
        self.images
            .iter()
            .find(|probe| probe.facts.as_ref().is_err_and(ProbeError::is_network))
    }

    /// Fields whose file-size rule could not be checked: the server told the
    /// size neither in its answers nor to a `HEAD` or a suffix Range read.
    pub fn file_size_unknown(&self) -> impl Iterator<Item = &str> {
        self.images
            .iter()
            .filter(|probe| probe.file_size_unknown)
            .map(|probe| probe.field.as_str())
    }
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
    /// A prober with its own HTTP client: no proxy, no token, and the
    /// address guard of [`ProbeConfig::allow_private_addresses`] on DNS
    /// answers and redirects.
    pub fn new(config: ProbeConfig) -> Result<Self, Error> {
        let http =
            guard::client(config.allow_private_addresses, CONNECT_TIMEOUT).map_err(|err| {
                Error::HttpClient(format!("cannot build the prober's HTTP client: {err}"))
            })?;
        Ok(Prober { http, config })
    }

    /// The limits in force.
    pub fn config(&self) -> &ProbeConfig {
        &self.config
    }

    /// Probes every image of `inputs` concurrently and checks its rules.
    /// Remote images are skipped when `skip_remote` is set (data URIs are
    /// always checked: that costs no request).
    pub async fn check(
        &self,
        inputs: &[ImageInput<'_>],
        skip_remote: bool,
    ) -> (Vec<Violation>, ProbeReport) {
        let deadline = Deadline::after(self.config.timeout);
        let wanted: Vec<&ImageInput<'_>> = inputs
            .iter()
            .filter(|input| !skip_remote || input.uri.starts_with("data:"))
            .collect();
        // The futures are built first: a stream of a closure over borrowed
        // inputs would make this future not `Send`.
        let probes: Vec<_> = wanted
            .iter()
            .map(|input| {
                let want_size = input.rules.iter().any(|rule| rule.kind.needs_file_size());
                self.probe_until(input.uri, input.field.to_string(), want_size, deadline)
            })
            .collect();
        let probes: Vec<ImageProbe> = futures_util::stream::iter(probes)
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
                // Not a verdict on the image: the caller reports it apart.
                Err(ProbeError::Network(_)) => {}
                Err(ProbeError::Refused(why)) => violations.push(Violation {
                    field: probe.field.clone(),
                    rule: Rule::ImageAddress,
                    limit: "an http(s) URL on a public address".to_owned(),
                    actual: why.clone(),
                    message: None,
                }),
                Err(ProbeError::Unreadable(why)) => violations.push(Violation {
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

    /// Combines a model's `validate()` outcome with its image rules: every
    /// image whose field passed the local checks is probed, so a bad prompt
    /// and a too-small image are reported together, and a malformed URL is
    /// never fetched. Needs no token. `Err` is [`Error::Validation`] with
    /// every violation, else [`Error::ImageProbe`] when the network failed
    /// while reading an image.
    pub async fn preflight(
        &self,
        local: Result<(), ValidationErrors>,
        images: &[ImageInput<'_>],
        skip_remote: bool,
    ) -> Result<ProbeReport, Error> {
        let mut violations: Vec<Violation> = local.err().map(|e| e.violations).unwrap_or_default();
        // An image whose URI already broke a local rule is not fetched.
        let probe: Vec<ImageInput<'_>> = images
            .iter()
            .filter(|input| {
                let field = input.field.to_string();
                !violations.iter().any(|v| v.field == field)
            })
            .copied()
            .collect();
        let (image_violations, report) = self.check(&probe, skip_remote).await;
        violations.extend(image_violations);
        if !violations.is_empty() {
            return Err(Error::Validation(ValidationErrors { violations }));
        }
        if let Some(failed) = report.network_failure() {
            return Err(Error::ImageProbe {
                field: failed.field.clone(),
                url: failed.uri.clone(),
                cause: failed
                    .facts
                    .as_ref()
                    .err()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            });
        }
        Ok(report)
    }

    /// Probes one image (URL or data URI) under the configured deadline,
    /// learning its file size too (see the module docs for what that costs).
    pub async fn probe(&self, uri: &str) -> ImageProbe {
        let deadline = Deadline::after(self.config.timeout);
        self.probe_until(uri, String::new(), true, deadline).await
    }

    async fn probe_until(
        &self,
        uri: &str,
        field: String,
        want_size: bool,
        deadline: Deadline,
    ) -> ImageProbe {
        let cost = Cost::default();
        let facts = if uri.starts_with("data:") {
            data_uri_facts(uri).map_err(ProbeError::Unreadable)
        } else {
            match guard::check_url(uri, self.config.allow_private_addresses) {
                Err(why) => Err(ProbeError::Refused(why)),
                Ok(url) => match deadline.run(self.remote(url, want_size, &cost)).await {
                    Some(facts) => facts,
                    None => Err(ProbeError::Network(format!(
                        "no image header within {:?}",
                        self.config.timeout
                    ))),
                },
            }
        };
        ImageProbe {
            field,
            uri: uri.to_owned(),
            file_size_unknown: want_size
                && facts.as_ref().is_ok_and(|facts| facts.file_size.is_none()),
            facts,
            bytes_read: cost.bytes.load(Ordering::Relaxed),
            requests: cost.requests.load(Ordering::Relaxed),
        }
    }
}

/// Connect timeout of the prober's client.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

fn facts(width: u32, height: u32, file_size: Option<u64>) -> ImageFacts {
    ImageFacts {
        width,
        height,
        file_size,
    }
}

/// Decodes a data URI (base64 or percent-encoded) and reads its header.
fn data_uri_facts(uri: &str) -> Result<ImageFacts, String> {
    let bytes = data_uri::decode(uri)?;
    let mut sniffer = Sniffer::new();
    sniffer.feed(0, &bytes);
    match sniffer.step() {
        Step::Done(width, height) => Ok(facts(width, height, Some(bytes.len() as u64))),
        Step::Fail(why) => Err(why),
        Step::NeedFrom(_) => Err("the data URI ends before its image header".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_uri_png_is_read_locally() {
        let png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAHsAAAFBCAYAAACaOMQ";
        let facts = data_uri_facts(png).unwrap();
        assert_eq!((facts.width, facts.height), (123, 321));
        assert!(data_uri_facts("data:image/png;base64,!!!").is_err());
    }
}
