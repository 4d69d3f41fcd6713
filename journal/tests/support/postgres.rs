//! A real PostgreSQL for tests: `SEEDANCE_TEST_POSTGRES_URL` when set (CI's
//! `.ci/run` starts one), else a throwaway cluster started once per test
//! binary by `.ci/postgres` and stopped when the binary exits. Never skips:
//! without PostgreSQL the test fails and says why.

use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// Names the server URL tests use.
pub const ENV: &str = "SEEDANCE_TEST_POSTGRES_URL";

fn script() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(".ci")
        .join("postgres")
}

/// The server's URL (ending in `/postgres`).
pub fn server_url() -> String {
    static URL: OnceLock<Result<String, String>> = OnceLock::new();
    let url = URL.get_or_init(|| {
        if let Some(url) = std::env::var(ENV).ok().filter(|u| !u.is_empty()) {
            return Ok(url);
        }
        let output = Command::new("bash")
            .arg(script())
            .arg(std::process::id().to_string())
            .output()
            .map_err(|e| format!("cannot run .ci/postgres: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "PostgreSQL is needed by this test and could not be started by .ci/postgres \
                 (set {ENV} to use a running server): {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    });
    match url {
        Ok(url) => url.clone(),
        Err(message) => panic!("{message}"),
    }
}

/// A new, empty database on the server, for one test; returns its URL.
pub fn fresh_database(hint: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let server = server_url();
    let hint: String = hint.chars().take(24).collect();
    let name = format!(
        "t_{hint}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let status = Command::new("psql")
        .args([server.as_str(), "-q", "-v", "ON_ERROR_STOP=1", "-c"])
        .arg(format!("CREATE DATABASE {name}"))
        .status()
        .unwrap_or_else(|e| panic!("psql is needed to create a test database: {e}"));
    assert!(
        status.success(),
        "CREATE DATABASE {name} failed on {server}"
    );
    let base = server
        .rsplit_once('/')
        .map_or(server.as_str(), |(base, _)| base);
    format!("{base}/{name}")
}
