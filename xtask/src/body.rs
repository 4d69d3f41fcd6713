//! HTTP answers read with a ceiling: a body is refused as soon as its
//! `Content-Length` or its running count passes the limit, so what `pull`
//! holds in memory stays bounded whatever a catalog sends (a 600 MB catalog
//! read whole once took 1.24 GB).

/// The most one answer may hold, and what kind of answer it is (for the error).
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// The ceiling, in bytes.
    pub bytes: u64,
    /// What the answer is, as the error says it (`"a catalog"`).
    pub what: &'static str,
}

const MIB: u64 = 1024 * 1024;

/// A whole catalog (WaveSpeed's `GET /api/v3/models`: every model of the
/// vendor, each with its schema): room for thousands of schemas the size of
/// those in `schemas/` (the largest is about 10 kB).
pub const CATALOG: Limit = Limit {
    bytes: 32 * MIB,
    what: "a catalog",
};

/// One model's answer (a RunComfy model with its `input_schema`, an AI/ML API
/// OpenAPI document): hundreds of times the largest schema in `schemas/`.
pub const SCHEMA: Limit = Limit {
    bytes: 8 * MIB,
    what: "one schema",
};

/// The body of `response` (from `GET url`), refused past `limit`.
pub async fn read(
    mut response: reqwest::Response,
    url: &str,
    limit: Limit,
) -> Result<Vec<u8>, String> {
    if let Some(length) = response.content_length().filter(|&n| n > limit.bytes) {
        return Err(too_large(
            url,
            limit,
            &format!("it announces {length} bytes"),
        ));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("GET {url}: {e}"))?
    {
        let total = bytes.len() as u64 + chunk.len() as u64;
        if total > limit.bytes {
            return Err(too_large(url, limit, &format!("{total} bytes read so far")));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn too_large(url: &str, limit: Limit, found: &str) -> String {
    format!(
        "GET {url}: the answer is larger than the {} MiB limit for {} ({found}); refused",
        limit.bytes / MIB,
        limit.what
    )
}
