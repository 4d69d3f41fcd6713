//! The disk cache of catalog answers: one file per URL, named by the
//! SHA-256 of the URL (never by the model id, so no id reaches a file
//! path), holding the answer's text, its `ETag` and when it was fetched.
//! Files are written whole (temporary file, then rename): a crash leaves
//! the old answer or the new one, never half of one.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Environment variable that moves the cache.
pub const CACHE_DIR_ENV: &str = "SEEDANCE_CACHE_DIR";

/// One cached answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Cached {
    /// The URL it answers.
    pub url: String,
    /// The answer's `ETag`, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// Seconds since the Unix epoch when the answer was last fetched or
    /// confirmed (a 304).
    pub fetched_at: u64,
    /// The answer's text.
    pub body: String,
}

impl Cached {
    /// How long ago it was fetched or confirmed.
    pub fn age(&self) -> Duration {
        Duration::from_secs(unix_now().saturating_sub(self.fetched_at))
    }

    /// When it was fetched or confirmed.
    pub fn fetched(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.fetched_at)
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The platform's cache folder for this crate: `SEEDANCE_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/seedance`, `~/Library/Caches/seedance` (macOS),
/// `%LOCALAPPDATA%\seedance` (Windows) or `~/.cache/seedance`.
pub fn default_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = var(CACHE_DIR_ENV) {
        return Some(dir);
    }
    if let Some(dir) = var("XDG_CACHE_HOME") {
        return Some(dir.join("seedance"));
    }
    if cfg!(windows) {
        return var("LOCALAPPDATA").map(|d| d.join("seedance"));
    }
    let home = var("HOME")?;
    if cfg!(target_os = "macos") {
        return Some(home.join("Library/Caches/seedance"));
    }
    Some(home.join(".cache/seedance"))
}

/// The cache folder (`None`: no cache, every load fetches).
#[derive(Debug, Clone)]
pub(crate) struct Cache {
    dir: Option<PathBuf>,
}

impl Cache {
    pub fn new(dir: Option<PathBuf>) -> Self {
        Cache { dir }
    }

    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    fn file(&self, url: &str) -> Option<PathBuf> {
        let digest = Sha256::digest(url.as_bytes());
        let name: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        Some(
            self.dir
                .as_ref()?
                .join("catalog")
                .join(format!("{name}.json")),
        )
    }

    /// The cached answer of `url`, if one is there and whole. A file that
    /// does not parse, or answers another URL, is as good as none.
    pub fn get(&self, url: &str) -> Option<Cached> {
        let text = std::fs::read(self.file(url)?).ok()?;
        let cached: Cached = serde_json::from_slice(&text).ok()?;
        (cached.url == url).then_some(cached)
    }

    /// Stores `cached`; a cache that cannot be written only costs a fetch
    /// next time, so the error is the caller's to show or not.
    pub fn put(&self, cached: &Cached) -> std::io::Result<()> {
        let Some(file) = self.file(&cached.url) else {
            return Ok(());
        };
        let folder = file.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(folder)?;
        // One temporary name per write, even between tasks of one process.
        static WRITES: AtomicU64 = AtomicU64::new(0);
        let write = WRITES.fetch_add(1, Ordering::Relaxed);
        let temporary = file.with_extension(format!("tmp{}-{write}", std::process::id()));
        std::fs::write(&temporary, serde_json::to_vec(cached)?)?;
        std::fs::rename(&temporary, &file).inspect_err(|_| {
            let _ = std::fs::remove_file(&temporary);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_round_trip_by_url_and_never_by_id() {
        let dir = std::env::temp_dir().join(format!("seedance-cache-test-{}", std::process::id()));
        let cache = Cache::new(Some(dir.clone()));
        let url = "http://127.0.0.1:1/v1/models/../../etc/passwd";
        assert!(cache.get(url).is_none());
        let cached = Cached {
            url: url.to_owned(),
            etag: Some("\"x\"".to_owned()),
            fetched_at: unix_now(),
            body: "{}".to_owned(),
        };
        cache.put(&cached).expect("put");
        let back = cache.get(url).expect("cached");
        assert_eq!(back.etag.as_deref(), Some("\"x\""));
        assert!(back.age() < Duration::from_secs(5));
        let files: Vec<_> = std::fs::read_dir(dir.join("catalog"))
            .expect("folder")
            .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
            .collect();
        assert_eq!(files.len(), 1);
        assert!(
            files[0]
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == '.' || c.is_ascii_lowercase())
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
