//! The crash test: `seedance batch` over 240 lines against a simulator in
//! its own process, SIGKILLed at random moments at least 20 times (before
//! POSTs, between a POST and its record, while waiting, while downloading)
//! and resumed each time by running the same command. The simulator's own
//! count of POSTs per line stays at most 1, every created job ends
//! downloaded or uncertain, no output is fetched twice, no file is left
//! half written.

mod support;

use std::time::Duration;

use seedance_journal::{AnyJournal, Journal, SqliteJournal, State};
use serde_json::json;
use support::{SimProcess, batch, batch_file, check_promises};

const LINES: usize = 240;
const KILLS: usize = 22;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_points_never_loses_or_duplicates_a_job() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sim = SimProcess::start(dir.path());
    // Jobs take a few polls; submits and downloads take a little while, so
    // kills land in every phase.
    sim.admin("timing", json!({"queued_polls": 3, "running_polls": 4}))
        .await;
    sim.admin("delay", json!({"route": "submit", "ms": 15}))
        .await;
    sim.admin("delay", json!({"route": "video", "ms": 25}))
        .await;
    let file = batch_file(dir.path(), &sim.base_url, LINES);
    let db = dir.path().join("jobs.db");
    let journal_arg = db.display().to_string();
    let args = ["--concurrency", "4", "--lease", "600ms"];
    // Created before the first run, read between runs to time the kills.
    let watch = SqliteJournal::open(&db).await.expect("journal");

    let seed = fastrand::u64(..);
    let mut rng = fastrand::Rng::with_seed(seed);
    eprintln!("crash test seed {seed}");
    // How often each phase had entries in it at the moment of a kill.
    let mut phases = std::collections::BTreeMap::<&str, usize>::new();
    let mut kills = 0;
    let mut runs = 0;
    while kills < KILLS {
        runs += 1;
        assert!(
            runs < KILLS * 4,
            "the batch kept finishing before it could be killed"
        );
        let spawned = seedance_journal::now_ms();
        let mut child = batch(dir.path(), &sim.base_url, &file, &journal_arg, &args)
            .spawn()
            .expect("batch starts");
        // A random moment after this run's first write (however slowly a
        // loaded machine starts the process).
        let waiting = std::time::Instant::now();
        while !watch
            .list(None)
            .await
            .expect("list")
            .iter()
            .any(|e| e.updated_at >= spawned)
        {
            assert!(
                waiting.elapsed() < Duration::from_secs(60),
                "the batch never wrote"
            );
            if child.try_wait().expect("try_wait").is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis(rng.u64(0..250))).await;
        if child.try_wait().expect("try_wait").is_some() {
            break; // finished before this kill
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        kills += 1;
        let journal = SqliteJournal::open(&db)
            .await
            .expect("journal opens after a kill");
        let entries = journal.list(None).await.expect("list");
        for (phase, states) in [
            ("before a POST (pending)", &[State::Pending][..]),
            ("around a POST (submitting)", &[State::Submitting][..]),
            (
                "while waiting (queued/running)",
                &[State::Queued, State::Running][..],
            ),
            (
                "while downloading",
                &[State::Succeeded, State::Downloading][..],
            ),
        ] {
            if entries.iter().any(|e| states.contains(&e.state)) {
                *phases.entry(phase).or_default() += 1;
            }
        }
    }
    assert!(
        kills >= 20,
        "only {kills} kills landed before the batch finished"
    );

    // Resume to the end: the same command, not killed.
    let status = batch(dir.path(), &sim.base_url, &file, &journal_arg, &args)
        .status()
        .expect("batch runs");
    // Exit 5 when some lines are uncertain (listed in the summary).
    assert!(matches!(status.code(), Some(0 | 5)), "{status:?}");
    let posts_before = sim.submits_by_prompt().await.values().sum::<u64>();
    // Once more: nothing left to do, nothing sent.
    batch(dir.path(), &sim.base_url, &file, &journal_arg, &args)
        .status()
        .expect("batch runs");
    assert_eq!(
        sim.submits_by_prompt().await.values().sum::<u64>(),
        posts_before
    );

    let journal = AnyJournal::Sqlite(SqliteJournal::open(&db).await.expect("journal"));
    let tally = check_promises(&journal, &sim, &dir.path().join("out"), LINES).await;
    eprintln!("{kills} kills; phases hit: {phases:?}; outcome: {tally:?}");
    for phase in [
        "before a POST (pending)",
        "around a POST (submitting)",
        "while waiting (queued/running)",
        "while downloading",
    ] {
        assert!(
            phases.get(phase).copied().unwrap_or(0) > 0,
            "no kill landed {phase}: {phases:?} (seed {seed})"
        );
    }
    assert!(
        tally.get("downloaded").copied().unwrap_or(0) > LINES / 2,
        "{tally:?}"
    );
}
