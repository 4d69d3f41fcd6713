//! The journal's promises, checked on both backends (SQLite file and a real
//! PostgreSQL) and, for the driver, against the simulator: one POST per
//! request whatever happens, every state change recorded, uncertain
//! outcomes never re-sent, leases exclusive and taken over when they lapse.

mod support;

use std::time::Duration;

use seedance_journal::{
    AnyJournal, Change, Claim, Driver, Enqueued, Journal, NewEntry, Outcome, PostgresJournal,
    SqliteJournal, State, body_hash, now_ms,
};
use seedance_runtime::{Clock, Connection, Vendor as _, VendorInfo};
use seedance_sim::{Fault, ImageFormat, ImageSpec, Route, Sim};

const MODEL: &str = "bytedance/seedance-1-0/pro/image-to-video";

async fn sqlite() -> (AnyJournal, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = SqliteJournal::open(dir.path().join("jobs.db"))
        .await
        .expect("open SQLite journal");
    (AnyJournal::Sqlite(journal), dir)
}

async fn postgres(hint: &str) -> AnyJournal {
    let url = support::postgres::fresh_database(hint);
    AnyJournal::Postgres(
        PostgresJournal::connect(&url)
            .await
            .expect("connect to the test PostgreSQL"),
    )
}

fn entry(batch: &str, line: i64, prompt: &str, image: &str, out_dir: Option<&str>) -> NewEntry {
    let body = serde_json::json!({"prompt": prompt, "first_frame_image_url": image}).to_string();
    NewEntry {
        key: format!("{batch}-{line}-{prompt}"),
        batch: batch.to_owned(),
        line,
        vendor: "runcomfy".to_owned(),
        model: MODEL.to_owned(),
        path: format!("/v1/models/{MODEL}"),
        body_hash: body_hash(body.as_bytes()),
        body,
        out_path: None,
        out_dir: out_dir.map(str::to_owned),
        quote: None,
        quote_note: None,
    }
}

fn claim(batch: &str, worker: &str, limit: usize, lease_ms: i64) -> Claim {
    Claim {
        batch: batch.to_owned(),
        worker: worker.to_owned(),
        now: now_ms(),
        until: now_ms() + lease_ms,
        vendors: vec!["runcomfy".to_owned()],
        limit,
    }
}

/// The vendor the journal's jobs go to (on the simulator).
const RUNCOMFY: VendorInfo = seedance::runcomfy::Vendor::INFO;

fn sim_connection(sim: &Sim) -> Connection {
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("http client");
    Connection::builder(&RUNCOMFY)
        .base_url(sim.base_url())
        .token(seedance_sim::TOKEN)
        .http_client(http)
        .poll_interval(Duration::from_millis(2))
        .build()
        .expect("connection")
}

fn image(sim: &Sim) -> String {
    sim.image_url(&ImageSpec::new(ImageFormat::Png, 640, 480))
}

async fn enqueue_is_idempotent_and_adopts_open_entries(journal: AnyJournal) {
    let first = [
        entry("a", 1, "fox", "x", None),
        entry("a", 2, "cat", "x", None),
    ];
    assert_eq!(
        journal.enqueue(&first).await.expect("enqueue"),
        [Enqueued::New, Enqueued::New]
    );
    // The same lines again (a resume): found open, nothing new.
    assert_eq!(
        journal.enqueue(&first).await.expect("enqueue"),
        [
            Enqueued::Open(State::Pending),
            Enqueued::Open(State::Pending)
        ]
    );
    // Another batch naming the same request adopts the open entry.
    let mut again = entry("a", 1, "fox", "x", None);
    again.batch = "b".to_owned();
    again.line = 7;
    journal.enqueue(&[again]).await.expect("enqueue");
    let moved = journal.get("a-1-fox").await.expect("get").expect("entry");
    assert_eq!((moved.batch.as_str(), moved.line), ("b", 7));
    let events = journal.events("a-1-fox").await.expect("events");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].state, State::Pending);
}

async fn claims_are_exclusive_and_lapsed_leases_are_taken_over(journal: AnyJournal) {
    let entries: Vec<NewEntry> = (1..=6)
        .map(|i| entry("c", i, &format!("p{i}"), "x", None))
        .collect();
    journal.enqueue(&entries).await.expect("enqueue");
    let a = journal
        .claim(&claim("c", "wa", 4, 60_000))
        .await
        .expect("claim");
    let b = journal
        .claim(&claim("c", "wb", 4, 60_000))
        .await
        .expect("claim");
    assert_eq!(a.iter().map(|e| e.line).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(b.iter().map(|e| e.line).collect::<Vec<_>>(), [5, 6]);
    assert!(
        journal
            .claim(&claim("c", "wc", 4, 60_000))
            .await
            .expect("claim")
            .is_empty()
    );

    // wb's guarded write works; wa cannot write wb's entry.
    let change = Change::new(&[State::Pending], State::Submitting, "wb");
    assert!(
        journal
            .record("c-5-p5", "wb", &change)
            .await
            .expect("record")
    );
    let stolen = Change::new(&[State::Pending], State::Submitting, "wa");
    assert!(
        !journal
            .record("c-6-p6", "wa", &stolen)
            .await
            .expect("record")
    );

    // wb dies: once its lease lapses, wc takes its entries over.
    journal.renew("wb", now_ms() - 1).await.expect("renew");
    let c = journal
        .claim(&claim("c", "wc", 10, 60_000))
        .await
        .expect("claim");
    assert_eq!(c.iter().map(|e| e.line).collect::<Vec<_>>(), [5, 6]);
    assert_eq!(c[0].state, State::Submitting);
    // wb's late write is refused: the entry is wc's now.
    let late = Change::new(&[State::Submitting], State::Pending, "wb");
    assert!(!journal.record("c-5-p5", "wb", &late).await.expect("record"));
    assert_eq!(journal.open_count("c").await.expect("count"), 6);
}

async fn a_job_is_followed_to_its_saved_output_with_every_step_recorded(journal: AnyJournal) {
    let sim = Sim::start().await;
    let conn = sim_connection(&sim);
    let out = tempfile::tempdir().expect("temp dir");
    let dir = out.path().display().to_string();
    journal
        .enqueue(&[entry("d", 1, "fox", &image(&sim), Some(&dir))])
        .await
        .expect("enqueue");
    let driver = Driver::new(journal.clone(), "w1", Duration::from_secs(30));
    let claimed = journal
        .claim(&claim("d", "w1", 1, 30_000))
        .await
        .expect("claim");
    let outcome = driver
        .drive(&conn, claimed[0].clone(), &|_| {})
        .await
        .expect("drive");
    let Outcome::Downloaded { path, bytes } = outcome else {
        panic!("not downloaded: {outcome:?}");
    };
    assert_eq!(bytes, Some(seedance_sim::VIDEO_LEN as u64));
    assert_eq!(
        std::fs::read(&path).expect("video"),
        seedance_sim::video_bytes()
    );
    let saved = journal.get("d-1-fox").await.expect("get").expect("entry");
    assert_eq!(saved.state, State::Downloaded);
    assert_eq!(saved.lease_owner, None);
    let job_id = saved.job_id.clone().expect("job id recorded");
    assert_eq!(
        path.file_name().and_then(|n| n.to_str()),
        Some(format!("{job_id}.mp4").as_str())
    );
    assert_eq!(saved.output_urls, [sim.video_url()]);
    let states: Vec<State> = journal
        .events("d-1-fox")
        .await
        .expect("events")
        .iter()
        .map(|e| e.state)
        .collect();
    assert_eq!(
        states,
        [
            State::Pending,
            State::Submitting,
            State::Queued,
            State::Running,
            State::Succeeded,
            State::Downloading,
            // The lease confirmed just before the file is put in place.
            State::Downloading,
            State::Downloaded
        ]
    );
    assert_eq!(sim.count(Route::Submit), 1);
}

async fn lost_answers_become_uncertain_and_are_never_resent(journal: AnyJournal) {
    let sim = Sim::start().await;
    let conn = sim_connection(&sim);
    journal
        .enqueue(&[
            entry("e", 1, "lost", &image(&sim), None),
            entry("e", 2, "crashed", &image(&sim), None),
        ])
        .await
        .expect("enqueue");
    let driver = Driver::new(journal.clone(), "w1", Duration::from_secs(30));
    // Line 1: the job is created but its answer is lost.
    sim.inject(Route::Submit, Fault::DropConnection, 1);
    let claimed = journal
        .claim(&claim("e", "w1", 2, 30_000))
        .await
        .expect("claim");
    let outcome = driver
        .drive(&conn, claimed[0].clone(), &|_| {})
        .await
        .expect("drive");
    assert!(matches!(outcome, Outcome::Uncertain { .. }), "{outcome:?}");
    // Line 2: a process recorded `submitting` and died.
    let change = Change::new(&[State::Pending], State::Submitting, "w1");
    assert!(
        journal
            .record("e-2-crashed", "w1", &change)
            .await
            .expect("record")
    );
    journal.renew("w1", now_ms() - 1).await.expect("expire");
    let again = journal
        .claim(&claim("e", "w2", 5, 30_000))
        .await
        .expect("claim");
    assert_eq!(again.len(), 1, "uncertain entries are never taken up again");
    let driver2 = Driver::new(journal.clone(), "w2", Duration::from_secs(30));
    let outcome = driver2
        .drive(&conn, again[0].clone(), &|_| {})
        .await
        .expect("drive");
    assert!(matches!(outcome, Outcome::Uncertain { .. }), "{outcome:?}");
    for key in ["e-1-lost", "e-2-crashed"] {
        let e = journal.get(key).await.expect("get").expect("entry");
        assert_eq!(e.state, State::Uncertain, "{key}");
        assert!(e.error.is_some());
    }
    assert!(
        journal
            .claim(&claim("e", "w3", 5, 30_000))
            .await
            .expect("claim")
            .is_empty()
    );
    assert_eq!(journal.open_count("e").await.expect("count"), 0);
    assert_eq!(sim.count(Route::Submit), 1, "one POST in all");
}

async fn a_429_puts_the_request_back_without_a_job(journal: AnyJournal) {
    let sim = Sim::start().await;
    let conn = sim_connection(&sim);
    journal
        .enqueue(&[entry("f", 1, "busy", &image(&sim), None)])
        .await
        .expect("enqueue");
    sim.inject(
        Route::Submit,
        Fault::TooManyRequests {
            retry_after_secs: 2,
        },
        1,
    );
    let driver = Driver::new(journal.clone(), "w1", Duration::from_secs(30));
    let claimed = journal
        .claim(&claim("f", "w1", 1, 30_000))
        .await
        .expect("claim");
    let before = now_ms();
    let outcome = driver
        .drive(&conn, claimed[0].clone(), &|_| {})
        .await
        .expect("drive");
    match outcome {
        // The runtime may itself retry a 429 within its submit deadline: then
        // one job exists, from the one POST the vendor accepted.
        Outcome::Succeeded { .. } => {
            let created: u64 = sim.submits().iter().map(|(_, _, n)| n).sum();
            assert_eq!(created, 1);
        }
        Outcome::Later {
            not_before,
            throttled,
            ..
        } => {
            assert!(throttled);
            assert!(not_before >= before + 2000, "Retry-After honoured");
            let e = journal.get("f-1-busy").await.expect("get").expect("entry");
            assert_eq!(
                (e.state, e.job_id, e.lease_owner),
                (State::Pending, None, None)
            );
            // Not taken up again before Retry-After.
            assert!(
                journal
                    .claim(&claim("f", "w1", 1, 30_000))
                    .await
                    .expect("claim")
                    .is_empty()
            );
        }
        other => panic!("a 429 neither retried nor put back: {other:?}"),
    }
}

async fn a_download_renamed_before_the_record_is_not_fetched_again(journal: AnyJournal) {
    let sim = Sim::start().await;
    let conn = sim_connection(&sim);
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("fox.mp4");
    let mut new = entry("g", 1, "fox", &image(&sim), None);
    new.out_path = Some(target.display().to_string());
    journal.enqueue(&[new]).await.expect("enqueue");
    // Get the job to `downloading`, then play a process that renamed the
    // file into place and died before recording it.
    let driver = Driver::new(journal.clone(), "w1", Duration::from_secs(30));
    let claimed = journal
        .claim(&claim("g", "w1", 1, 30_000))
        .await
        .expect("claim");
    driver
        .drive(&conn, claimed[0].clone(), &|_| {})
        .await
        .expect("drive");
    let done = journal.get("g-1-fox").await.expect("get").expect("entry");
    assert_eq!(done.state, State::Downloaded);
    let videos = sim.count(Route::Video);
    assert_eq!(videos, 1);
    // Rewind the record to `downloading` (as if the last write was lost).
    let rewind = Change {
        owner: None,
        ..Change::new(&[State::Downloaded], State::Downloading, "w1")
    };
    assert!(
        journal
            .record("g-1-fox", "w1", &rewind)
            .await
            .expect("record")
    );
    std::fs::write(&target, seedance_sim::video_bytes()).expect("rewrite file after record");
    std::fs::write(out.path().join(".fox.mp4.00000000deadbeef.part"), b"half").expect("part");
    journal.renew("w1", 0).await.expect("expire");
    let claimed = journal
        .claim(&claim("g", "w2", 1, 30_000))
        .await
        .expect("claim");
    let driver2 = Driver::new(journal.clone(), "w2", Duration::from_secs(30));
    let outcome = driver2
        .drive(&conn, claimed[0].clone(), &|_| {})
        .await
        .expect("drive");
    assert_eq!(
        outcome,
        Outcome::Downloaded {
            path: target.clone(),
            bytes: None
        }
    );
    assert_eq!(sim.count(Route::Video), videos, "no second download");
}

async fn schema_version_is_recorded(journal: AnyJournal) {
    let version = match &journal {
        AnyJournal::Sqlite(j) => j.schema_version().await,
        AnyJournal::Postgres(j) => j.schema_version().await,
        // Nothing to migrate.
        _ => return,
    };
    assert_eq!(version.expect("version"), 3, "every migration applied");
}

/// A journal given a virtual clock stamps rows and events on it, not on
/// real time (here an hour and a minute ahead of it).
async fn rows_and_events_are_stamped_on_the_journals_clock(journal: AnyJournal) {
    let clock = Clock::manual(7);
    let journal = journal.with_clock(clock.clone());
    clock.advance(Duration::from_secs(3600)).await;
    let start = clock.unix_ms();
    let new = entry("clock", 1, "a", "https://example.com/a.png", None);
    journal.enqueue(&[new]).await.expect("enqueue");
    let key = "clock-1-a";
    let leased = journal.claim_key(key, "w", start, start + 30_000).await;
    assert_eq!(leased.expect("claim").expect("leased").created_at, start);
    clock.advance(Duration::from_secs(60)).await;
    let change = Change::new(&[State::Pending], State::Submitting, "w");
    assert!(journal.record(key, "w", &change).await.expect("record"));
    let row = journal.get(key).await.expect("get").expect("row");
    assert_eq!(row.updated_at, start + 60_000);
    let events = journal.events(key).await.expect("events");
    let at: Vec<i64> = events.iter().map(|e| e.at).collect();
    assert_eq!(at, [start, start + 60_000]);
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite_backend {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let (journal, _dir) = sqlite().await;
                    super::$name(journal).await;
                }
            )*
        }
        mod memory_backend {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(AnyJournal::Memory(seedance_journal::MemoryJournal::new())).await;
                }
            )*
        }
        mod postgres_backend {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(postgres(stringify!($name)).await).await;
                }
            )*
        }
    };
}

/// An edited batch file: the line's old request, already paid, joins the
/// new batch (followed, never lost); an unpaid one stays behind; lines
/// still in the file are only marked with their source.
async fn an_edited_lines_paid_job_joins_the_new_batch(journal: AnyJournal) {
    let old: Vec<NewEntry> = (1..=3)
        .map(|i| entry("old", i, &format!("v{i}"), "x", None))
        .collect();
    journal.enqueue(&old).await.expect("enqueue");
    let keys: Vec<String> = old.iter().map(|e| e.key.clone()).collect();
    let adopted = journal
        .adopt_replaced("old", "jobs.jsonl", &keys)
        .await
        .expect("mark");
    assert!(adopted.is_empty(), "{adopted:?}");
    // Line 2 was submitted and has a job; line 3 was never sent.
    journal
        .claim(&claim("old", "w", 3, 60_000))
        .await
        .expect("claim");
    let paid = Change {
        job_id: Some("job-2".to_owned()),
        ..Change::new(&[State::Pending], State::Queued, "w")
    };
    assert!(
        journal
            .record("old-2-v2", "w", &paid)
            .await
            .expect("record")
    );
    // The file now has line 1 unchanged and lines 2 and 3 edited.
    let edited = vec![keys[0].clone(), "new-2".to_owned(), "new-3".to_owned()];
    let adopted = journal
        .adopt_replaced("new", "jobs.jsonl", &edited)
        .await
        .expect("adopt");
    assert_eq!(
        adopted.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(),
        ["old-2-v2"]
    );
    let moved = journal.get("old-2-v2").await.expect("get").expect("entry");
    assert_eq!(
        (moved.batch.as_str(), moved.job_id.as_deref()),
        ("new", Some("job-2"))
    );
    let unpaid = journal.get("old-3-v3").await.expect("get").expect("entry");
    assert_eq!(unpaid.batch, "old");
    let sources = journal.keys_from("jobs.jsonl").await.expect("sources");
    assert!(sources.contains(&keys[0]) && sources.contains("old-2-v2"));
}

on_both_backends!(
    an_edited_lines_paid_job_joins_the_new_batch,
    enqueue_is_idempotent_and_adopts_open_entries,
    claims_are_exclusive_and_lapsed_leases_are_taken_over,
    a_job_is_followed_to_its_saved_output_with_every_step_recorded,
    lost_answers_become_uncertain_and_are_never_resent,
    a_429_puts_the_request_back_without_a_job,
    a_download_renamed_before_the_record_is_not_fetched_again,
    schema_version_is_recorded,
    rows_and_events_are_stamped_on_the_journals_clock,
);

#[tokio::test]
async fn reopening_an_sqlite_journal_keeps_its_entries() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("jobs.db");
    let first = SqliteJournal::open(&path).await.expect("open");
    first
        .enqueue(&[entry("h", 1, "fox", "x", None)])
        .await
        .expect("enqueue");
    drop(first);
    let second = SqliteJournal::open(&path).await.expect("reopen");
    assert_eq!(second.schema_version().await.expect("version"), 3);
    assert!(second.get("h-1-fox").await.expect("get").is_some());
}
