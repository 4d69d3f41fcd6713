//! The batch path under ordinary faults: `seedance batch` runs as its own
//! process against a simulator in this one, whose fault queues and counts
//! are the witnesses. Whatever goes wrong on this side (a bad poll answer,
//! a failed download, a full disk, a signal, a worker stopped past its
//! lease), every line's job reaches its video once the fault is gone, with
//! at most one POST per line, no file outside `--out`, and every created
//! job's id in the journal.

#[path = "../../journal/tests/support/postgres.rs"]
mod postgres;
mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Output};
use std::time::{Duration, Instant};

use seedance_journal::{AnyJournal, Journal, SqliteJournal, State};
use seedance_sim::{Fault, JobTiming, Outcome, Route, Sim};
use support::{batch, batch_file, files};

/// A test's folder, simulator and batch file.
struct Setup {
    dir: tempfile::TempDir,
    sim: Sim,
    file: PathBuf,
    journal: String,
}

impl Setup {
    async fn new(lines: usize) -> Setup {
        let dir = tempfile::tempdir().expect("temp dir");
        let sim = Sim::start().await;
        sim.set_timing(JobTiming {
            queued_polls: 1,
            running_polls: 2,
            outcome: Outcome::Succeed,
        });
        let file = batch_file(dir.path(), sim.base_url(), lines);
        let journal = dir.path().join("jobs.db").display().to_string();
        Setup {
            dir,
            sim,
            file,
            journal,
        }
    }

    fn journal(&self) -> String {
        self.journal.clone()
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn run(&self, extra: &[&str]) -> Output {
        self.command(extra).output().expect("batch runs")
    }

    fn spawn(&self, extra: &[&str]) -> Child {
        self.command(extra).spawn().expect("batch starts")
    }

    fn command(&self, extra: &[&str]) -> std::process::Command {
        let mut command = batch(
            self.dir.path(),
            self.sim.base_url(),
            &self.file,
            &self.journal(),
            extra,
        );
        command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        command
    }

    async fn entries(&self) -> Vec<seedance_journal::Entry> {
        let journal = AnyJournal::open(&self.journal).await.expect("journal");
        journal.list(None).await.expect("list")
    }

    /// The promises, from the simulator's counts and the disk: one POST
    /// per line, every line downloaded whole, nothing else on disk.
    async fn assert_all_saved(&self, lines: usize) {
        let submits = self.sim.submits();
        assert_eq!(
            submits.len(),
            lines,
            "one distinct body per line was POSTed"
        );
        for (path, body, count) in &submits {
            assert_eq!(*count, 1, "{path} {body} was POSTed {count} times");
        }
        let entries = self.entries().await;
        let mut saved = Vec::new();
        for entry in &entries {
            assert_eq!(
                entry.state,
                State::Downloaded,
                "line {}: {:?}",
                entry.line,
                entry.error
            );
            let path = PathBuf::from(entry.saved_path.clone().expect("saved path"));
            assert!(path.starts_with(self.out()), "{}", path.display());
            assert_eq!(
                std::fs::read(&path).expect("video"),
                seedance_sim::video_bytes()
            );
            saved.push(path);
        }
        let mut on_disk = files(&self.out());
        on_disk.sort();
        saved.sort();
        assert_eq!(on_disk, saved, "only the videos, no staging or part files");
    }
}

fn text(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_poll_answers_and_failed_downloads_never_end_a_paid_job() {
    let setup = Setup::new(6).await;
    let sim = &setup.sim;
    sim.inject(Route::Status, Fault::Status(500), 3);
    sim.inject(Route::Status, Fault::MalformedJson, 3);
    sim.inject(Route::Result, Fault::Status(500), 2);
    sim.inject(Route::Result, Fault::MalformedJson, 2);
    // More than the runtime retries within one download.
    sim.inject(Route::Video, Fault::Status(500), 12);
    let output = setup.run(&[]);
    assert!(output.status.success(), "{}", text(&output));
    for route in [Route::Status, Route::Result, Route::Video] {
        assert_eq!(
            sim.pending_faults(route),
            0,
            "{route:?} faults all happened"
        );
    }
    setup.assert_all_saved(6).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_and_sigterm_during_posts_keep_every_job_id() {
    for signal in ["INT", "TERM"] {
        let setup = Setup::new(4).await;
        let sim = &setup.sim;
        // The answers to the four POSTs take a while: the signal lands
        // while all four are in flight.
        sim.inject(Route::Submit, Fault::Delay(Duration::from_millis(1500)), 4);
        let child = setup.spawn(&["--concurrency", "4"]);
        wait_for(|| sim.count(Route::Submit) >= 4, "four POSTs in flight").await;
        send(&child, signal);
        let output = child.wait_with_output().expect("batch exits");
        assert_eq!(output.status.code(), Some(130), "{}", text(&output));
        let entries = setup.entries().await;
        let created = sim.submits().len();
        assert_eq!(created, 4, "SIG{signal}: four jobs exist at the vendor");
        let ids = entries.iter().filter(|e| e.job_id.is_some()).count();
        assert_eq!(ids, created, "SIG{signal}: {entries:#?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("every job id the vendor gave is in the journal"),
            "{stderr}"
        );
        let output = setup.run(&[]);
        assert!(output.status.success(), "{}", text(&output));
        setup.assert_all_saved(4).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_stopped_past_its_lease_does_not_put_its_file_in_place() {
    let setup = Setup::new(2).await;
    let sim = &setup.sim;
    // The first worker's two video answers come after 1.5 s, the second
    // worker's after 4 s: the first, stopped meanwhile and continued once
    // the second has taken over, has its whole videos first.
    sim.inject(Route::Video, Fault::Delay(Duration::from_millis(1500)), 2);
    sim.inject(Route::Video, Fault::Delay(Duration::from_millis(4000)), 2);
    let lease = ["--lease", "1s", "--concurrency", "2"];
    let first = setup.spawn(&lease);
    wait_for(
        || sim.count(Route::Video) >= 2,
        "the first worker downloading",
    )
    .await;
    send(&first, "STOP");
    // The second worker takes over once the lease lapses.
    let second = setup.spawn(&lease);
    wait_for(
        || sim.count(Route::Video) >= 4,
        "the second worker downloading",
    )
    .await;
    send(&first, "CONT");
    let first = first.wait_with_output().expect("first worker exits");
    let second = second.wait_with_output().expect("second worker exits");
    assert!(second.status.success(), "{}", text(&second));
    assert!(first.status.success(), "{}", text(&first));
    setup.assert_all_saved(2).await;
    let journal = SqliteJournal::open(setup.journal()).await.expect("journal");
    for entry in setup.entries().await {
        let events = journal.events(&entry.key).await.expect("events");
        assert!(
            events.iter().all(|e| e.state != State::Failed),
            "{events:#?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_leaves_jobs_waiting_and_a_rerun_saves_them() {
    let setup = Setup::new(3).await;
    let Some(disk) = TinyDisk::mount(&setup.out()) else {
        // Mounting a file system needs root (CI runs as root).
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    };
    disk.fill();
    let output = setup.run(&[]);
    assert_eq!(output.status.code(), Some(5), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("3 waiting for the next run"), "{stdout}");
    for entry in setup.entries().await {
        assert_eq!(entry.state, State::Succeeded, "{entry:?}");
        let error = entry.error.unwrap_or_default();
        assert!(error.contains("No space left"), "{error}");
    }
    disk.free();
    let output = setup.run(&[]);
    assert!(output.status.success(), "{}", text(&output));
    setup.assert_all_saved(3).await;
}

/// A 256 KiB tmpfs mounted on a folder (root only), unmounted on drop.
struct TinyDisk(PathBuf);

impl TinyDisk {
    fn mount(at: &Path) -> Option<TinyDisk> {
        std::fs::create_dir_all(at).expect("mount point");
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs"])
            .arg(at)
            .status()
            .is_ok_and(|s| s.success());
        mounted.then(|| TinyDisk(at.to_owned()))
    }

    fn filler(&self) -> PathBuf {
        self.0.join("filler")
    }

    /// Writes until the disk is full.
    fn fill(&self) {
        use std::io::Write;
        let mut file = std::fs::File::create(self.filler()).expect("filler");
        while file.write_all(&[0u8; 4096]).is_ok() {}
    }

    fn free(&self) {
        std::fs::remove_file(self.filler()).expect("filler removed");
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

fn send(child: &Child, signal: &str) {
    let status = std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{signal}");
}

async fn wait_for(done: impl Fn() -> bool, what: &str) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(30), "never: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_line_keeps_its_earlier_paid_job_followed_to_the_video() {
    let setup = Setup::new(0).await;
    let sim = &setup.sim;
    sim.set_timing(JobTiming {
        queued_polls: 1,
        running_polls: 40,
        outcome: Outcome::Succeed,
    });
    let line = |prompt: &str, out: Option<&str>| {
        let image = format!("{}/sim/images/img.png?w=640&h=480", sim.base_url());
        let mut line = serde_json::json!({"model": support::PRO,
            "input": {"prompt": prompt, "first_frame_image_url": image}});
        if let Some(out) = out {
            line["out"] = out.into();
        }
        line.to_string()
    };
    let write = |second: &str| {
        let text = [
            line("a", None),
            line(second, Some("two.mp4")),
            line("c", None),
        ];
        std::fs::write(&setup.file, text.join("\n")).expect("batch file");
    };
    write("b");
    // The first run is killed once every line has its job; its leases
    // lapse after a second.
    let lease = ["--lease", "1s"];
    let mut first = setup.spawn(&lease);
    let started = Instant::now();
    while setup
        .entries()
        .await
        .iter()
        .filter(|e| e.job_id.is_some())
        .count()
        < 3
    {
        assert!(started.elapsed() < Duration::from_secs(30), "no job ids");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.kill().expect("SIGKILL");
    first.wait().expect("reaped");
    let earlier = setup.entries().await;
    let old_job = earlier
        .iter()
        .find(|e| e.line == 2)
        .and_then(|e| e.job_id.clone())
        .expect("line 2's job");

    write("b, edited");
    let output = setup.run(&lease);
    assert!(output.status.success(), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "line 2 was edited since an earlier run: the earlier request's job {old_job}"
        )),
        "{stderr}"
    );
    // Four jobs, each POSTed once, each saved: the edited line's earlier
    // job as JOB_ID.mp4, since its line now names two.mp4 for the new one.
    setup.assert_all_saved(4).await;
    assert!(setup.out().join(format!("{old_job}.mp4")).is_file());
    let entries = setup.entries().await;
    let new_two = entries
        .iter()
        .find(|e| {
            e.saved_path
                .as_deref()
                .is_some_and(|p| p.ends_with("two.mp4"))
        })
        .expect("two.mp4 saved");
    assert_ne!(new_two.job_id.as_deref(), Some(old_job.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgresql_restart_mid_batch_loses_no_job_id() {
    let cluster = postgres::Cluster::start();
    let mut setup = Setup::new(6).await;
    setup.journal = cluster.url();
    let sim = &setup.sim;
    sim.set_timing(JobTiming {
        queued_polls: 1,
        running_polls: 100,
        outcome: Outcome::Succeed,
    });
    // Half the answers to the POSTs come while the server is down.
    sim.inject(Route::Submit, Fault::Delay(Duration::from_millis(1500)), 3);
    let child = setup.spawn(&["--concurrency", "6"]);
    wait_for(|| sim.count(Route::Submit) >= 6, "six POSTs sent").await;
    cluster.stop();
    tokio::time::sleep(Duration::from_secs(3)).await;
    cluster.start_again();
    let output = child.wait_with_output().expect("batch exits");
    assert!(output.status.success(), "{}", text(&output));
    setup.assert_all_saved(6).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn image_rules_are_checked_before_a_line_is_recorded_or_paid() {
    let setup = Setup::new(0).await;
    let image = |size: &str| format!("{}/sim/images/img.png?{size}", setup.sim.base_url());
    let line = |prompt: &str, size: &str| {
        serde_json::json!({"model": support::PRO,
            "input": {"prompt": prompt, "first_frame_image_url": image(size)}})
        .to_string()
    };
    let lines = [
        line("fits", "w=640&h=480"),
        line("too small", "w=200&h=200"),
    ];
    std::fs::write(&setup.file, lines.join("\n")).expect("batch file");
    let output = setup.run(&[]);
    // Only a line refused before anything was sent is missing: exit 3.
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("invalid (not recorded): line 2") && stdout.contains("width"),
        "{stdout}"
    );
    let submits = setup.sim.submits();
    assert_eq!(submits.len(), 1, "only the line that fits was POSTed");
    assert!(submits[0].1.contains("fits"));
    assert_eq!(
        setup.entries().await.len(),
        1,
        "the refused line is not recorded"
    );
}
