//! The state file through which `seedance sim` (a simulator in its own
//! process) is found by `--sim` in later processes: it holds the
//! simulator's base URL. Only a loopback URL is ever accepted from it, and
//! the probe that tells a live simulator from a stale file connects to
//! 127.0.0.1 only, so a planted file can never send requests elsewhere.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Overrides where the state file lives (tests, several simulators).
pub const ENV: &str = "SEEDANCE_SIM_STATE";

/// The state file's name in the runtime (or temporary) folder.
const FILE: &str = "seedance-sim.url";

/// How long the probe waits for the simulator to accept a connection: it
/// is on this machine, so a live one answers at once.
const PROBE_TIMEOUT: Duration = Duration::from_millis(500);

/// `$SEEDANCE_SIM_STATE`, else `$XDG_RUNTIME_DIR/seedance-sim.url` (private
/// to the user), else the same name in the temporary folder.
pub fn path() -> PathBuf {
    if let Some(path) = std::env::var_os(ENV).filter(|path| !path.is_empty()) {
        return PathBuf::from(path);
    }
    std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|dir| !dir.is_empty())
        .map_or_else(std::env::temp_dir, PathBuf::from)
        .join(FILE)
}

/// The base URL of a `seedance sim` that answers now, if any.
pub async fn running(path: &Path) -> Option<String> {
    let text = tokio::fs::read_to_string(path).await.ok()?;
    let port = loopback_port(text.trim())?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    match tokio::time::timeout(PROBE_TIMEOUT, tokio::net::TcpStream::connect(addr)).await {
        Ok(Ok(_)) => Some(base_url(port)),
        _ => None,
    }
}

/// The port of `http://127.0.0.1:PORT`; anything else is refused.
fn loopback_port(url: &str) -> Option<u16> {
    let port = url.strip_prefix("http://127.0.0.1:")?;
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    port.parse().ok().filter(|port| *port != 0)
}

fn base_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

/// The state file of the running `seedance sim`: written on creation,
/// removed on drop if it still names this simulator (a later `seedance sim`
/// may have taken it over after this one was found dead).
#[derive(Debug)]
pub struct Record {
    path: PathBuf,
    url: String,
}

impl Record {
    /// Writes `url` to `path` (through a temporary file, so a reader never
    /// sees half a URL).
    pub fn write(path: PathBuf, url: &str) -> io::Result<Record> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut partial = path.clone().into_os_string();
        partial.push(format!(".{}.tmp", std::process::id()));
        std::fs::write(&partial, format!("{url}\n"))?;
        std::fs::rename(&partial, &path)?;
        Ok(Record {
            path,
            url: url.to_owned(),
        })
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Record {
    fn drop(&mut self) {
        let ours = std::fs::read_to_string(&self.path)
            .map(|text| text.trim() == self.url)
            .unwrap_or(false);
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_urls_are_accepted() {
        assert_eq!(loopback_port("http://127.0.0.1:8080"), Some(8080));
        assert_eq!(loopback_port("http://127.0.0.1:0"), None);
        assert_eq!(loopback_port("http://10.0.0.1:8080"), None);
        assert_eq!(loopback_port("http://127.0.0.1:80/x"), None);
        assert_eq!(loopback_port("http://127.0.0.1:+80"), None);
        assert_eq!(loopback_port("https://127.0.0.1:80"), None);
    }

    #[tokio::test]
    async fn a_stale_or_missing_file_finds_nothing() {
        let dir = std::env::temp_dir().join(format!("seedance-state-{}", std::process::id()));
        let path = dir.join("seedance-sim.url");
        assert_eq!(running(&path).await, None);
        // A port nothing listens on: bind one, note it, free it.
        let port = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|listener| listener.local_addr())
            .map(|addr| addr.port())
            .expect("free port");
        let record = Record::write(path.clone(), &base_url(port)).expect("write");
        assert_eq!(running(&path).await, None);
        drop(record);
        assert!(!path.exists());
        let _ = std::fs::remove_dir(&dir);
    }

    #[tokio::test]
    async fn a_live_simulator_is_found() {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind");
        let url = base_url(listener.local_addr().expect("addr").port());
        let dir = std::env::temp_dir().join(format!("seedance-live-{}", std::process::id()));
        let path = dir.join("state.url");
        let record = Record::write(path.clone(), &url).expect("write");
        assert_eq!(running(&path).await, Some(url));
        drop(record);
        let _ = std::fs::remove_dir(&dir);
    }
}
