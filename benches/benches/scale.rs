//! Issue 13, items 4 and 9: many jobs from one process.
//!
//! 1. Connections: 1,000 RunComfy jobs submitted at once and followed to the
//!    end against an in-process TLS simulator (test CA, HTTP/2 offered by
//!    ALPN), with an HTTP/1.1-only client (the runtime before `http2`) and
//!    with the runtime's default client; TCP+TLS connections the simulator
//!    accepted for each.
//! 2. Scale: N jobs (1,000 / 2,500 / 10,000) against `seedance-sim --tls` in
//!    its own process, every job submitted at once (unbounded) or at most
//!    1,000 at a time (bounded); wall time, CPU time per job (this process),
//!    peak RSS (VmHWM, reset before each run), requests per second, most
//!    jobs in flight at once. Each job is submit + 3 status polls + result
//!    (the simulator's default job timing), on the default poll schedule,
//!    the request budget off (unbounded rows) so the figures are the
//!    runtime's own cost.
//! 3. Budget: 1,000 jobs at once under `RateLimit::per_second(200)`: the
//!    rate actually sent.
//!
//! Heap: a counting global allocator around the system one (glibc malloc,
//! default settings: no `MALLOC_ARENA_MAX`, no trimming) tracks the bytes
//! live at once; each row reports its peak live heap (reset before the row),
//! which, unlike RSS, does not depend on what glibc kept from earlier rows.
//!
//! Writes `target/seedance-benches/scale.json`. `-- --test` (CI) runs 50 jobs
//! once per phase and checks the outcomes only; `-- --only N` runs one
//! unbounded row of N jobs and writes nothing (to compare two builds).

use std::{
    alloc::{GlobalAlloc, Layout, System},
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use futures_util::{StreamExt, future::join_all, stream};
use seedance::runcomfy::{self, seedance_1_0_pro_image_to_video as pro};
use seedance::runtime::RateLimit;
use seedance_sim::{ImageFormat, ImageSpec, Sim};
use serde_json::{Value, json};

/// Requests of one job: submit, 3 status polls, result.
const REQUESTS_PER_JOB: u64 = 5;

/// The system allocator, counting the bytes live at once and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

impl Counting {
    fn grew(size: usize) {
        let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
        PEAK.fetch_max(live, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counters are atomics that never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as ours.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            Counting::grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as ours.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            Counting::grew(layout.size());
        }
        ptr
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as ours.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            Counting::grew(new_size);
        }
        new
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Resets the heap peak to what is live now; returns that.
fn reset_peak_heap() -> usize {
    let live = LIVE.load(Ordering::Relaxed);
    PEAK.store(live, Ordering::Relaxed);
    live
}

fn tls_http(http1_only: bool) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(seedance_sim::TLS_CA_PEM.as_bytes()).expect("ca");
    let builder = reqwest::Client::builder()
        .no_proxy()
        .add_root_certificate(ca);
    let builder = if http1_only {
        builder.http1_only()
    } else {
        builder
    };
    builder.build().expect("http client")
}

fn client(base: &str, http: reqwest::Client, limit: RateLimit) -> runcomfy::Client {
    runcomfy::Client::builder()
        .token(seedance_sim::TOKEN)
        .http_client(http)
        .base_url(base)
        .rate_limit(limit)
        .build()
        .expect("client")
}

fn input(image: &str) -> pro::Input {
    pro::Input::new(seedance_benches::fixtures::PROMPT, image)
        .resolution(pro::Resolution::P720)
        .duration(pro::DurationValue::S5)
}

/// One job to its end; counts it in flight meanwhile. The wait is spawned,
/// so the jobs' polling runs on both worker threads. (Spawning submit and
/// wait as one task per job sends the 10,000 submit bodies at once over the
/// one HTTP/2 connection, in DATA frames so small that the simulator's h2
/// server ends the connection with `ENHANCE_YOUR_CALM` "too_many_data_frames";
/// submitting from this one future keeps the bodies whole.)
async fn job(client: runcomfy::Client, input: Arc<pro::Input>, live: Arc<InFlight>) {
    live.enter();
    let job = client.submit(&*input).await.expect("submit");
    tokio::spawn(async move {
        let output = job.wait().await.expect("wait");
        assert!(output.video_url().is_some());
        live.leave();
    })
    .await
    .expect("wait task");
}

#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl InFlight {
    fn enter(&self) {
        let now = self.now.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }
    fn leave(&self) {
        self.now.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn run_jobs(client: &runcomfy::Client, jobs: usize, bound: Option<usize>) -> usize {
    let image = ImageSpec::new(ImageFormat::Png, 1280, 720).data_uri();
    let input = Arc::new(input(&image));
    let live = Arc::new(InFlight::default());
    let tasks = (0..jobs).map(|_| job(client.clone(), input.clone(), live.clone()));
    match bound {
        None => {
            join_all(tasks).await;
        }
        Some(bound) => {
            stream::iter(tasks)
                .buffer_unordered(bound)
                .collect::<Vec<()>>()
                .await;
        }
    }
    live.peak.load(Ordering::Relaxed)
}

/// Sizes of the futures one job keeps: its submit and its wait.
fn future_sizes(client: &runcomfy::Client) -> Value {
    let image = ImageSpec::new(ImageFormat::Png, 1280, 720).data_uri();
    let input = input(&image);
    let submit = std::mem::size_of_val(&client.submit(&input));
    let job = client.connection().job("sizes");
    let wait = std::mem::size_of_val(&job.wait());
    let task = std::mem::size_of_val(&job_future(client, &input));
    let body = serde_json::to_vec(&input).expect("body").len();
    println!(
        "future sizes: submit {submit} B, wait {wait} B, the bench's job future {task} B; submit body {body} B"
    );
    json!({ "submit": submit, "wait": wait, "job_task": task, "submit_body": body })
}

/// The future a job's task runs (only built for its size).
fn job_future(
    client: &runcomfy::Client,
    input: &pro::Input,
) -> impl std::future::Future<Output = ()> {
    job(client.clone(), Arc::new(input.clone()), Arc::default())
}

/// Phase 1: connections opened for `jobs` jobs, HTTP/1.1-only vs default.
async fn connections(jobs: usize) -> Value {
    let mut rows = Vec::new();
    for (name, http1_only) in [("http1_only", true), ("default_http2", false)] {
        let sim = Sim::start_tls().await.expect("tls sim");
        let client = client(sim.base_url(), tls_http(http1_only), RateLimit::unlimited());
        let peak = run_jobs(&client, jobs, None).await;
        let opened = sim.connections();
        println!(
            "connections: {jobs} jobs, {name}: {opened} TCP+TLS connections (peak {peak} jobs in flight)"
        );
        rows.push(json!({ "client": name, "jobs": jobs, "connections": opened }));
    }
    json!(rows)
}

/// `seedance-sim --tls` in its own process; its base URL.
struct SimProcess {
    child: Child,
    base_url: String,
}

impl SimProcess {
    fn start() -> SimProcess {
        let root = seedance_benches::workspace_root();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "--release", "-p", "seedance-sim"])
            .current_dir(&root)
            .status()
            .expect("cargo build seedance-sim");
        assert!(status.success(), "building seedance-sim failed");
        let bin = seedance_benches::target_dir().join("release/seedance-sim");
        let mut child = Command::new(bin)
            .arg("--tls")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start seedance-sim");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("sim stdout");
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
            .expect("sim base URL");
        SimProcess {
            child,
            base_url: line.trim().to_owned(),
        }
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// CPU time (user + system) of this process so far.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields, in clock ticks (100 per second on Linux).
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<u64> = after
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    let ticks = fields.get(11).copied().unwrap_or(0) + fields.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

/// Peak resident set size (VmHWM) in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Resets VmHWM to the current RSS (Linux `clear_refs` 5).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn scale_row(base: &str, jobs: usize, bound: Option<usize>, limit: RateLimit) -> Value {
    let client = client(base, tls_http(false), limit);
    reset_peak_rss();
    let heap_before = reset_peak_heap();
    let cpu = cpu_time();
    let started = Instant::now();
    let peak = run_jobs(&client, jobs, bound).await;
    let wall = started.elapsed().as_secs_f64();
    let cpu = (cpu_time() - cpu).as_secs_f64();
    let rss = peak_rss_kib();
    let heap = PEAK.load(Ordering::Relaxed).saturating_sub(heap_before);
    let requests = jobs as u64 * REQUESTS_PER_JOB;
    let row = json!({
        "jobs": jobs,
        "bound": bound,
        "rate_limit": if limit.per_second.is_finite() { json!(limit.per_second) } else { Value::Null },
        "wall_secs": wall,
        "cpu_ms_per_job": cpu * 1000.0 / jobs as f64,
        "peak_rss_mib": rss as f64 / 1024.0,
        "peak_heap_mib": heap as f64 / (1024.0 * 1024.0),
        "heap_bytes_per_job": heap as f64 / peak.max(1) as f64,
        "requests": requests,
        "requests_per_sec": requests as f64 / wall,
        "peak_in_flight": peak,
    });
    println!("scale: {row}");
    row
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let test_mode = args.iter().any(|arg| arg == "--test");
    let only: Option<usize> = args
        .iter()
        .position(|arg| arg == "--only")
        .and_then(|at| args.get(at + 1))
        .map(|n| n.parse().expect("--only N: a number of jobs"));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let sim = SimProcess::start();
    let base = sim.base_url.clone();
    if let Some(jobs) = only {
        rt.block_on(async {
            future_sizes(&client(&base, tls_http(false), RateLimit::unlimited()));
            scale_row(&base, jobs, None, RateLimit::unlimited()).await
        });
        return;
    }
    let (connection_jobs, sizes, budget_jobs) = if test_mode {
        (50, vec![50], 50)
    } else {
        (1_000, vec![1_000, 2_500, 10_000], 1_000)
    };
    let result = rt.block_on(async {
        let sizes_of = future_sizes(&client(&base, tls_http(false), RateLimit::unlimited()));
        let connections = connections(connection_jobs).await;
        let mut rows = Vec::new();
        for &jobs in &sizes {
            for bound in [None, Some(1_000)] {
                rows.push(scale_row(&base, jobs, bound, RateLimit::unlimited()).await);
            }
        }
        let budget = scale_row(&base, budget_jobs, None, RateLimit::per_second(200.0)).await;
        json!({ "connections": connections, "rows": rows, "budget": budget, "future_sizes": sizes_of })
    });
    if test_mode {
        println!("scale: --test run, figures not written");
    } else {
        seedance_benches::write_extra("scale", &result);
    }
}
