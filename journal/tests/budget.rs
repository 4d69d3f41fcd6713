//! A budget that holds across workers and crashes, on both backends (an
//! SQLite file shared by several journal handles, as processes share it,
//! and a real PostgreSQL), asserted from the simulator's own ledger: what
//! it billed never exceeds the budget, and the budget is used.

mod support;

use std::time::Duration;

use seedance_journal::{
    AnyJournal, Change, Claim, CostChange, Driver, Journal, NewEntry, Outcome, State, body_hash,
    now_ms,
};
use seedance_runtime::{Connection, Usd, Vendor as _, VendorInfo};
use seedance_sim::{Fault, ImageFormat, ImageSpec, Route, Sim, Vendor, price_micros};
use serde_json::json;

const MODEL: &str = "bytedance/seedance-1-0/pro/image-to-video";
const RUNCOMFY: VendorInfo = seedance::runcomfy::Vendor::INFO;
const AIMLAPI: VendorInfo = seedance::aimlapi::Vendor::INFO;
const AIML_MODEL: &str = "bytedance/seedance-1-0-lite-t2v";

fn connection(sim: &Sim, vendor: &VendorInfo) -> Connection {
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("http client");
    Connection::builder(vendor)
        .base_url(sim.base_url())
        .token(seedance_sim::TOKEN)
        .http_client(http)
        .poll_interval(Duration::from_millis(2))
        .max_retries(0)
        .build()
        .expect("connection")
}

/// A RunComfy line quoted at what the simulator will bill for it.
fn entry(batch: &str, line: i64, image: &str, out_dir: &std::path::Path) -> NewEntry {
    let input = json!({"prompt": format!("line {line}"), "first_frame_image_url": image});
    let body = input.to_string();
    let quote = Usd::from_micros(price_micros(Vendor::RunComfy, &input));
    NewEntry {
        key: format!("{batch}-{line}"),
        batch: batch.to_owned(),
        line,
        vendor: "runcomfy".to_owned(),
        model: MODEL.to_owned(),
        path: format!("/v1/models/{MODEL}"),
        body_hash: body_hash(body.as_bytes()),
        body,
        out_path: None,
        out_dir: Some(out_dir.display().to_string()),
        quote: Some(quote),
        quote_note: Some(format!("{quote} (estimate, simulator catalog)")),
    }
}

fn image(sim: &Sim) -> String {
    sim.image_url(&ImageSpec::new(ImageFormat::Png, 640, 480))
}

fn claim(batch: &str, worker: &str, limit: usize, vendor: &str) -> Claim {
    Claim {
        batch: batch.to_owned(),
        worker: worker.to_owned(),
        now: now_ms(),
        until: now_ms() + 30_000,
        vendors: vec![vendor.to_owned()],
        limit,
    }
}

async fn sqlite_target() -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("jobs.db").display().to_string();
    (path, dir)
}

/// Several workers, each with its own journal handle (own connections,
/// own group-commit writer), drive one batch whose budget fits `fits` of
/// `lines` jobs.
async fn workers_race_for_a_budget(target: &str, workers: usize) {
    const LINES: i64 = 40;
    const FITS: u64 = 7;
    let sim = Sim::start().await;
    let journal = AnyJournal::open(target).await.expect("journal");
    let price = price_micros(Vendor::RunComfy, &json!({}));
    // Room for FITS jobs and half of one more: never a FITS+1-th.
    let limit = Usd::from_micros(price * FITS + price / 2);
    assert_eq!(
        journal.set_budget("race", limit).await.expect("budget"),
        None
    );
    let out = tempfile::tempdir().expect("out dir");
    let entries: Vec<NewEntry> = (1..=LINES)
        .map(|i| entry("race", i, &image(&sim), out.path()))
        .collect();
    journal.enqueue(&entries).await.expect("enqueue");
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..workers {
        let (target, conn) = (target.to_owned(), connection(&sim, &RUNCOMFY));
        tasks.spawn(async move {
            let journal = AnyJournal::open(&target).await.expect("worker journal");
            let driver = Driver::new(journal.clone(), format!("w{w}"), Duration::from_secs(30));
            let mut held = 0;
            loop {
                let claimed = journal
                    .claim(&claim("race", driver.worker(), 2, "runcomfy"))
                    .await
                    .expect("claim");
                if claimed.is_empty() {
                    return held;
                }
                for e in claimed {
                    let outcome = driver.drive(&conn, e, &|_| {}).await.expect("drive");
                    held += usize::from(matches!(outcome, Outcome::HeldBack { .. }));
                }
            }
        });
    }
    let held: usize = tasks.join_all().await.into_iter().sum();
    let billed = sim.billed();
    assert_eq!(billed.jobs, FITS, "{billed:?}");
    assert!(billed.usd_micros <= limit.micros(), "{billed:?} > {limit}");
    assert_eq!(sim.count(Route::Submit), FITS, "no held-back job was sent");
    let budget = journal.budget("race").await.expect("budget").expect("set");
    assert_eq!(budget.reserved.micros(), price * FITS);
    let list = journal.list(Some("race")).await.expect("list");
    let succeeded = list.iter().filter(|e| e.state == State::Downloaded).count();
    let held_back = list.iter().filter(|e| e.is_held_back()).count();
    assert_eq!(succeeded as u64, FITS, "{list:#?}");
    assert_eq!(held_back as i64, LINES - FITS as i64);
    assert!(held >= held_back, "{held} held-back outcomes");
    for e in &list {
        let expected = if e.state == State::Downloaded {
            price
        } else {
            0
        };
        assert_eq!(e.reserved.micros(), expected, "{e:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_handles_sharing_a_file_never_overspend() {
    let (target, _dir) = sqlite_target().await;
    workers_race_for_a_budget(&target, 6).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_workers_never_overspend() {
    let url = support::postgres::fresh_database("budget_race");
    workers_race_for_a_budget(&url, 8).await;
}

/// One entry claimed by key and driven once.
async fn drive_one(driver: &Driver<AnyJournal>, conn: &Connection, key: &str) -> Outcome {
    let entry = driver
        .journal()
        .claim_key(key, driver.worker(), now_ms(), driver.lease_until())
        .await
        .expect("claim")
        .unwrap_or_else(|| panic!("{key} not claimable"));
    driver.drive(conn, entry, &|_| {}).await.expect("drive")
}

async fn reserved(journal: &AnyJournal, key: &str) -> u64 {
    let e = journal.get(key).await.expect("get").expect("entry");
    e.reserved.micros()
}

async fn budget_used(journal: &AnyJournal) -> u64 {
    let budget = journal.budget("f").await.expect("budget").expect("set");
    budget.reserved.micros()
}

/// A 429 and a rejection release the reservation; an uncertain submit and
/// a crash after the reservation keep it; a job that no longer fits is
/// held back, never sent.
async fn reservations_follow_what_was_sent(target: &str) {
    let sim = Sim::start().await;
    let conn = connection(&sim, &RUNCOMFY);
    let journal = AnyJournal::open(target).await.expect("journal");
    let price = price_micros(Vendor::RunComfy, &json!({}));
    journal
        .set_budget("f", Usd::from_micros(price * 2 + price / 2))
        .await
        .expect("budget");
    let out = tempfile::tempdir().expect("out dir");
    let entries: Vec<NewEntry> = (1..=4)
        .map(|i| entry("f", i, &image(&sim), out.path()))
        .collect();
    journal.enqueue(&entries).await.expect("enqueue");
    let driver = Driver::new(journal.clone(), "w", Duration::from_secs(30));
    released_or_kept_by_the_answer(&sim, &conn, &driver, price).await;
    kept_by_a_crash_and_then_full(target, &sim, &conn, price).await;
}

/// A 429 and a rejection release the reservation; a lost answer keeps it.
async fn released_or_kept_by_the_answer(
    sim: &Sim,
    conn: &Connection,
    driver: &Driver<AnyJournal>,
    price: u64,
) {
    let journal = driver.journal();
    // With no retries of its own, the runtime hands the 429 back.
    sim.inject(
        Route::Submit,
        Fault::TooManyRequests {
            retry_after_secs: 1,
        },
        1,
    );
    let outcome = drive_one(driver, conn, "f-1").await;
    assert!(
        matches!(
            outcome,
            Outcome::Later {
                throttled: true,
                ..
            }
        ),
        "{outcome:?}"
    );
    assert_eq!(
        (reserved(journal, "f-1").await, budget_used(journal).await),
        (0, 0)
    );

    sim.inject(Route::Submit, Fault::DropConnection, 1);
    let outcome = drive_one(driver, conn, "f-2").await;
    assert!(
        matches!(outcome, Outcome::Uncertain { .. }),
        "{outcome:?} {:?} {}",
        sim.billed(),
        sim.count(Route::Submit)
    );
    assert_eq!(reserved(journal, "f-2").await, price);
    assert_eq!(budget_used(journal).await, price);

    sim.inject(Route::Submit, Fault::Status(400), 1);
    let outcome = drive_one(driver, conn, "f-3").await;
    assert!(matches!(outcome, Outcome::Rejected { .. }), "{outcome:?}");
    assert_eq!(reserved(journal, "f-3").await, 0);
    assert_eq!(budget_used(journal).await, price);
}

/// A process records `submitting` with its reservation, then dies before
/// the POST: the reservation outlives it. The budget is then full.
async fn kept_by_a_crash_and_then_full(target: &str, sim: &Sim, conn: &Connection, price: u64) {
    let journal = AnyJournal::open(target).await.expect("journal");
    let entry = journal
        .claim_key("f-4", "dead", now_ms(), now_ms() + 50)
        .await
        .expect("claim")
        .expect("claimable");
    let start = Change::new(&[State::Pending], State::Submitting, "dead").cost(CostChange::Reserve);
    assert!(
        journal
            .record(&entry.key, "dead", &start)
            .await
            .expect("record")
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    let reopened = AnyJournal::open(target).await.expect("reopen");
    let survivor = Driver::new(reopened.clone(), "survivor", Duration::from_secs(30));
    let outcome = drive_one(&survivor, conn, "f-4").await;
    assert!(matches!(outcome, Outcome::Uncertain { .. }), "{outcome:?}");
    assert_eq!(reserved(&reopened, "f-4").await, price);
    assert_eq!(budget_used(&reopened).await, price * 2);

    // The 429'd line is taken up again (by key, its Retry-After aside),
    // and no longer fits: held back, not sent.
    let submits = sim.count(Route::Submit);
    let outcome = drive_one(&survivor, conn, "f-1").await;
    assert!(matches!(outcome, Outcome::HeldBack { .. }), "{outcome:?}");
    assert_eq!(
        sim.count(Route::Submit),
        submits,
        "a held-back line was sent"
    );
    let held = reopened.get("f-1").await.expect("get").expect("entry");
    assert!(
        held.is_held_back() && held.lease_owner.is_none(),
        "{held:?}"
    );
    let billed = sim.billed();
    assert_eq!(
        (billed.jobs, billed.usd_micros),
        (1, price),
        "only the dropped answer's job"
    );

    // A larger budget lets the held-back line go, and it says so no more.
    let before = reopened
        .set_budget("f", Usd::from_micros(price * 3))
        .await
        .expect("raise");
    assert_eq!(before, Some(Usd::from_micros(price * 2 + price / 2)));
    let outcome = drive_one(&survivor, conn, "f-1").await;
    assert!(matches!(outcome, Outcome::Downloaded { .. }), "{outcome:?}");
    let done = reopened.get("f-1").await.expect("get").expect("entry");
    assert_eq!((done.error, done.reserved.micros()), (None, price));
    assert_eq!(budget_used(&reopened).await, price * 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_reservations_follow_what_was_sent() {
    let (target, _dir) = sqlite_target().await;
    reservations_follow_what_was_sent(&target).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_reservations_follow_what_was_sent() {
    let url = support::postgres::fresh_database("budget_faults");
    reservations_follow_what_was_sent(&url).await;
}

/// An AI/ML API job quoted by the user at $0.50 reports its cost: the
/// reservation becomes what the vendor billed. A job of unknown price is
/// held back under a budget.
async fn reported_cost_settles_and_unknown_is_held(target: &str) {
    let sim = Sim::start().await;
    let conn = connection(&sim, &AIMLAPI);
    let journal = AnyJournal::open(target).await.expect("journal");
    journal
        .set_budget("f", Usd::from_micros(1_000_000))
        .await
        .expect("budget");
    let input = json!({"model": AIML_MODEL, "prompt": "a fox", "duration": 10});
    let out = tempfile::tempdir().expect("out dir");
    let mut priced = entry("f", 1, &image(&sim), out.path());
    priced.vendor = "aimlapi".to_owned();
    priced.model = AIML_MODEL.to_owned();
    priced.path = "/v2/video/generations".to_owned();
    priced.body = input.to_string();
    priced.quote = Some(Usd::from_micros(500_000));
    let mut unknown = priced.clone();
    unknown.key = "f-2".to_owned();
    unknown.line = 2;
    unknown.body = json!({"model": AIML_MODEL, "prompt": "a cat"}).to_string();
    unknown.quote = None;
    journal.enqueue(&[priced, unknown]).await.expect("enqueue");
    let driver = Driver::new(journal.clone(), "w", Duration::from_secs(30));
    let outcome = drive_one(&driver, &conn, "f-1").await;
    assert!(matches!(outcome, Outcome::Downloaded { .. }), "{outcome:?}");
    let billed = sim.billed();
    assert_eq!(billed.usd_micros, price_micros(Vendor::AimlApi, &input));
    let done = journal.get("f-1").await.expect("get").expect("entry");
    assert_eq!(done.reported.map(Usd::micros), Some(billed.usd_micros));
    assert_eq!(done.reserved.micros(), billed.usd_micros);
    assert_eq!(budget_used(&journal).await, billed.usd_micros);

    let outcome = drive_one(&driver, &conn, "f-2").await;
    let Outcome::HeldBack { reason } = outcome else {
        panic!("{outcome:?}");
    };
    assert!(reason.contains("--assume-price"), "{reason}");
    assert_eq!(sim.billed().jobs, 1, "the unknown-price job was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_reported_cost_settles_and_unknown_is_held() {
    let (target, _dir) = sqlite_target().await;
    reported_cost_settles_and_unknown_is_held(&target).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_reported_cost_settles_and_unknown_is_held() {
    let url = support::postgres::fresh_database("budget_settle");
    reported_cost_settles_and_unknown_is_held(&url).await;
}
