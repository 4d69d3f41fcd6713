//! Fleet mode: three `seedance batch` processes share one PostgreSQL
//! journal (a real server: `.ci/postgres` starts one when none is given).
//! One is SIGKILLed mid-batch while it holds jobs that have ids; the two
//! survivors take its jobs over when its leases lapse and finish the batch
//! with no second POST of any line.

#[path = "../../journal/tests/support/postgres.rs"]
mod postgres_support;
mod support;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use seedance_journal::{AnyJournal, Journal, PostgresJournal, State};
use serde_json::json;
use support::{SimProcess, batch, batch_file, check_promises};

const LINES: usize = 150;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_share_a_postgres_journal_and_survive_one_being_killed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sim = SimProcess::start(dir.path());
    sim.admin("timing", json!({"queued_polls": 4, "running_polls": 6}))
        .await;
    sim.admin("delay", json!({"route": "status", "ms": 3}))
        .await;
    sim.admin("delay", json!({"route": "video", "ms": 20}))
        .await;
    let file = batch_file(dir.path(), &sim.base_url, LINES);
    let url = postgres_support::fresh_database("fleet");
    let args = ["--concurrency", "6", "--lease", "1s"];
    let mut workers: Vec<_> = (0..3)
        .map(|i| {
            let log = std::fs::File::create(dir.path().join(format!("worker-{i}.log")))
                .expect("worker log");
            batch(dir.path(), &sim.base_url, &file, &url, &args)
                .stderr(log)
                .spawn()
                .expect("worker starts")
        })
        .collect();
    let victim = workers[0].id();
    let journal = AnyJournal::Postgres(PostgresJournal::connect(&url).await.expect("journal"));

    // Kill worker 0 once it holds jobs that have ids and others are done.
    let mark = format!("-{victim}-");
    let started = Instant::now();
    let held = loop {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "worker 0 never held a running job"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
        let Ok(entries) = journal.list(None).await else {
            continue; // the schema may not exist yet
        };
        let downloaded = entries
            .iter()
            .filter(|e| e.state == State::Downloaded)
            .count();
        let held: Vec<_> = entries
            .iter()
            .filter(|e| e.lease_owner.as_deref().is_some_and(|o| o.contains(&mark)))
            .cloned()
            .collect();
        let with_job = held
            .iter()
            .filter(|e| matches!(e.state, State::Queued | State::Running))
            .count();
        if downloaded >= 15 && with_job >= 2 {
            break held;
        }
    };
    workers[0].kill().expect("SIGKILL worker 0");
    workers[0].wait().expect("reaped");
    // What it still held when it died (it may have finished some of `held`
    // between the look and the kill); its leases last 1 s, so none is taken yet.
    let held: Vec<_> = journal
        .list(None)
        .await
        .expect("list")
        .into_iter()
        .filter(|e| held.iter().any(|h| h.key == e.key))
        .filter(|e| {
            !e.state.is_final() && e.lease_owner.as_deref().is_some_and(|o| o.contains(&mark))
        })
        .collect();
    for (i, worker) in workers.iter_mut().enumerate().skip(1) {
        let status = worker.wait().expect("survivor ends");
        let log = std::fs::read_to_string(dir.path().join(format!("worker-{i}.log")));
        assert!(
            matches!(status.code(), Some(0 | 5)),
            "worker {i}: {status:?}\n{}",
            log.unwrap_or_default()
        );
    }

    let tally = check_promises(&journal, &sim, &dir.path().join("out"), LINES).await;
    let posts = sim.submits_by_prompt().await;
    let mut took_over = 0;
    for entry in held.iter().filter(|e| e.job_id.is_some()) {
        let now = journal.get(&entry.key).await.expect("get").expect("entry");
        assert_eq!(
            now.state,
            State::Downloaded,
            "line {} (job {:?}) was left behind",
            entry.line,
            entry.job_id
        );
        assert_eq!(now.job_id, entry.job_id, "same job, not a new one");
        let body: serde_json::Value = serde_json::from_str(&now.body).expect("body");
        assert_eq!(
            posts.get(body["prompt"].as_str().unwrap_or_default()),
            Some(&1)
        );
        let events = journal.events(&entry.key).await.expect("events");
        let last_worker = events
            .last()
            .and_then(|e| e.worker.clone())
            .unwrap_or_default();
        assert!(
            !last_worker.contains(&mark),
            "line {} finished by the dead worker?",
            entry.line
        );
        took_over += 1;
    }
    assert!(took_over >= 1, "{took_over}");
    // Both survivors did work.
    let mut by_worker: HashMap<String, usize> = HashMap::new();
    for entry in journal.list(None).await.expect("list") {
        for event in journal.events(&entry.key).await.expect("events") {
            if event.state == State::Downloaded {
                *by_worker
                    .entry(event.worker.unwrap_or_default())
                    .or_default() += 1;
            }
        }
    }
    let survivors: HashSet<_> = by_worker.keys().filter(|w| !w.contains(&mark)).collect();
    assert_eq!(survivors.len(), 2, "{by_worker:?}");
    eprintln!("took over {took_over} jobs with ids; downloads per worker {by_worker:?}; {tally:?}");
}
