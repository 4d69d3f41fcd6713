//! A real PostgreSQL for tests: `SEEDANCE_TEST_POSTGRES_URL` when set (CI's
//! `.ci/run` starts one), else a throwaway cluster started once per test
//! binary by `.ci/postgres` and stopped when the binary exits. Never skips:
//! without PostgreSQL the test fails and says why. A test that stops or
//! restarts its server owns a private [`Cluster`] instead.

// Each test binary with `mod support` compiles all of this and uses a part.
#![allow(dead_code)]

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

/// A private PostgreSQL cluster owned by one test, which may stop, start
/// and restart its server at will (the shared server of [`server_url`]
/// must stay up for every other test). Same recipe as `.ci/postgres`:
/// Debian's binaries, a fresh cluster in a temporary folder, a free port on
/// 127.0.0.1, trust authentication, run as the `postgres` user when the
/// tests run as root (initdb refuses root). Stopped and deleted on drop.
/// Never skips: without PostgreSQL installed, [`Cluster::start`] panics
/// and names the package.
pub struct Cluster {
    bindir: std::path::PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    user: Option<&'static str>,
}

impl Cluster {
    /// A new cluster, running.
    pub fn start() -> Cluster {
        let bindir = bindir().unwrap_or_else(|| {
            panic!(
                "PostgreSQL is needed by this test and is not installed (initdb and pg_ctl not \
                 found by pg_config or under /usr/lib/postgresql): install Debian's `postgresql` \
                 package (apt-get install postgresql; .ci/run does)"
            )
        });
        let dir = tempfile::Builder::new()
            .prefix("seedance-pg-private-")
            .tempdir()
            .expect("temporary folder for the cluster");
        let user = running_as_root().then_some("postgres");
        let cluster = Cluster {
            bindir,
            dir,
            port: 0,
            user,
        };
        if let Some(user) = user {
            cluster.run_checked(Command::new("chown").arg(user).arg(cluster.dir.path()));
        }
        cluster.as_user("initdb", |c| {
            c.arg("-D")
                .arg(cluster.data())
                .args([
                    "-U",
                    "seedance",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                ])
                .arg("--no-sync");
        });
        cluster.first_start()
    }

    /// `postgres://seedance@127.0.0.1:<port>/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://seedance@127.0.0.1:{}/postgres", self.port)
    }

    /// The port the server listens on (the same across restarts).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server the way an operator does (`-m fast`: sessions are
    /// told `57P01 admin_shutdown` and closed).
    pub fn stop(&self) {
        self.as_user("pg_ctl", |c| {
            c.arg("-D")
                .arg(self.data())
                .args(["-m", "fast", "-w", "-t", "60", "stop"]);
        });
    }

    /// Starts the stopped server again, on the same port.
    pub fn start_again(&self) {
        assert!(self.try_start(), "{}", self.log_tail());
    }

    /// A restart: [`stop`](Self::stop), then [`start_again`](Self::start_again).
    pub fn restart(&self) {
        self.stop();
        self.start_again();
    }

    /// Size of the server log now: a mark for [`authorized_since`](Self::authorized_since).
    pub fn log_mark(&self) -> usize {
        self.log().len()
    }

    /// Connections the server let in since `mark` (it logs each one).
    pub fn authorized_since(&self, mark: usize) -> usize {
        self.log()
            .get(mark..)
            .unwrap_or_default()
            .matches("connection authorized")
            .count()
    }

    fn first_start(mut self) -> Cluster {
        for _ in 0..3 {
            self.port = free_port();
            if self.try_start() {
                return self;
            }
        }
        panic!("the private PostgreSQL did not start:\n{}", self.log_tail());
    }

    fn try_start(&self) -> bool {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off \
             -c log_connections=on",
            self.port,
            self.dir.path().display()
        );
        let mut command = self.command("pg_ctl");
        command
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.dir.path().join("server.log"))
            .args(["-w", "-t", "60", "-o", &options, "start"]);
        command
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    fn data(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn log_tail(&self) -> String {
        let log = self.log();
        let start = log.len().saturating_sub(4000);
        log.get(start..).unwrap_or(&log).to_owned()
    }

    /// `program` from the server's folder, as the cluster's user.
    fn command(&self, program: &str) -> Command {
        let path = self.bindir.join(program);
        match self.user {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(path);
                command
            }
            None => Command::new(path),
        }
    }

    fn as_user(&self, program: &str, args: impl FnOnce(&mut Command)) {
        let mut command = self.command(program);
        args(&mut command);
        self.run_checked(&mut command);
    }

    fn run_checked(&self, command: &mut Command) {
        let output = command
            .output()
            .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
        assert!(
            output.status.success(),
            "{command:?} failed: {}{}\nserver log:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            self.log_tail()
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // Immediate: nothing of a throwaway cluster is worth a checkpoint.
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

/// The folder of initdb and pg_ctl: `pg_config --bindir`, else the newest
/// /usr/lib/postgresql/<version>/bin (Debian does not put them on PATH).
fn bindir() -> Option<std::path::PathBuf> {
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| std::path::PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let mut debian: Vec<std::path::PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .collect();
    debian.sort_by_key(|p| version_of(p));
    from_pg_config
        .into_iter()
        .chain(debian.into_iter().rev())
        .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
}

/// 15 for /usr/lib/postgresql/15/bin (0 when not a number).
fn version_of(bin: &std::path::Path) -> u32 {
    bin.parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}
