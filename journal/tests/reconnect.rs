//! A PostgreSQL restart must not lose job ids: the journal opens its
//! connections again by itself, calls made while the server is away wait
//! for it (up to the journal's patience), and a group commit whose COMMIT
//! answer was lost is not mistaken for a refused change.
//!
//! Each test owns a private cluster ([`Cluster`]) so that it can stop and
//! restart the server without disturbing the other tests' server.

mod support;

use std::future::Future;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use seedance_journal::{
    Change, Claim, Entry, Journal, JournalError, NewEntry, PostgresJournal, State, body_hash,
    now_ms,
};
use support::postgres::Cluster;

const BATCH: &str = "restart";
const WORKER: &str = "worker-1";
const LEASE_MS: i64 = 10 * 60 * 1000;
/// Longest any single step may take before the test calls it a hang.
const HANG: Duration = Duration::from_secs(90);

fn key(line: i64) -> String {
    format!("{BATCH}-{line}")
}

fn new_entry(line: i64) -> NewEntry {
    let body = format!(r#"{{"prompt":"line {line}"}}"#);
    NewEntry {
        key: key(line),
        batch: BATCH.to_owned(),
        line,
        vendor: "runcomfy".to_owned(),
        model: "bytedance/seedance-1-0/pro/image-to-video".to_owned(),
        path: "/v1/models/bytedance/seedance-1-0/pro/image-to-video".to_owned(),
        body_hash: body_hash(body.as_bytes()),
        body,
        out_path: None,
        out_dir: None,
        quote: None,
        quote_note: None,
    }
}

fn claim(limit: usize) -> Claim {
    Claim {
        batch: BATCH.to_owned(),
        worker: WORKER.to_owned(),
        now: now_ms(),
        until: now_ms() + LEASE_MS,
        vendors: vec!["runcomfy".to_owned()],
        limit,
    }
}

/// The write that must never be lost: the vendor's job id.
fn job_id(id: &str) -> Change {
    Change {
        job_id: Some(id.to_owned()),
        ..Change::new(
            &[State::Submitting, State::Uncertain],
            State::Queued,
            WORKER,
        )
    }
}

fn lines(entries: &[Entry]) -> Vec<i64> {
    entries.iter().map(|e| e.line).collect()
}

/// Fails the test instead of letting it hang.
async fn within<T>(work: impl Future<Output = T>) -> T {
    tokio::time::timeout(HANG, work)
        .await
        .unwrap_or_else(|_| panic!("no answer within {HANG:?}: the journal hangs"))
}

/// A server command, run off the async workers (they keep the journal going).
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

/// `entries` enqueued, `claimed` of them leased to [`WORKER`], the first
/// one `submitting` (its POST is under way): the state a worker is in
/// when the server goes away.
async fn prepare(journal: &PostgresJournal, entries: i64, claimed: usize) {
    let new: Vec<NewEntry> = (1..=entries).map(new_entry).collect();
    journal.enqueue(&new).await.expect("enqueue");
    let taken = journal.claim(&claim(claimed)).await.expect("claim");
    assert_eq!(lines(&taken), (1..=claimed as i64).collect::<Vec<_>>());
    let submitting = Change::new(&[State::Pending], State::Submitting, WORKER);
    assert!(
        journal
            .record(&key(1), WORKER, &submitting)
            .await
            .expect("record submitting")
    );
}

/// The entry holds the job id, and exactly one `queued` event says so.
async fn assert_job_id_recorded(journal: &PostgresJournal, line: i64, id: &str) {
    let entry = journal
        .get(&key(line))
        .await
        .expect("get")
        .expect("the entry exists");
    assert_eq!(
        (entry.state, entry.job_id.as_deref()),
        (State::Queued, Some(id))
    );
    let events = journal.events(&key(line)).await.expect("events");
    let queued: Vec<_> = events.iter().filter(|e| e.state == State::Queued).collect();
    assert_eq!(queued.len(), 1, "one queued event: {events:?}");
    assert_eq!(queued[0].detail.as_deref(), Some(id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_claims_and_job_ids_work_after_a_restart_without_reopening() {
    let cluster = blocking(Cluster::start);
    let journal = PostgresJournal::connect(&cluster.url())
        .await
        .expect("connect");
    prepare(&journal, 4, 2).await;
    let mark = cluster.log_mark();
    let restart = Instant::now();
    blocking(|| cluster.restart());
    eprintln!("server restarted in {:?}", restart.elapsed());

    // Many calls meet the lost connection at once: one reconnect serves all.
    let after = Instant::now();
    let first = key(1);
    let gets = (0..16).map(|_| journal.get(&first));
    for got in within(futures_util::future::join_all(gets)).await {
        let entry = got.expect("a read after the restart").expect("entry");
        assert_eq!(entry.state, State::Submitting);
    }
    eprintln!(
        "first reads answered {:?} after the restart",
        after.elapsed()
    );
    let more = within(journal.claim(&claim(10))).await;
    assert_eq!(lines(&more.expect("a claim after the restart")), [3, 4]);
    let applied = within(journal.record(&key(1), WORKER, &job_id("job-1"))).await;
    assert!(applied.expect("the job id recorded after the restart"));
    assert_job_id_recorded(&journal, 1, "job-1").await;
    assert_eq!(
        journal
            .renew(WORKER, now_ms() + LEASE_MS)
            .await
            .expect("renew"),
        4
    );
    assert_eq!(journal.open_count(BATCH).await.expect("open count"), 4);
    assert_eq!(
        cluster.authorized_since(mark),
        2,
        "after the restart: one new connection for reads, one for the writer"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_made_while_the_server_is_down_lands_once_it_is_back() {
    let cluster = blocking(Cluster::start);
    let journal = PostgresJournal::connect(&cluster.url())
        .await
        .expect("connect");
    prepare(&journal, 2, 2).await;
    blocking(|| cluster.stop());
    let down = Instant::now();
    let write = tokio::spawn({
        let journal = journal.clone();
        async move { journal.record(&key(1), WORKER, &job_id("job-1")).await }
    });
    let read = tokio::spawn({
        let journal = journal.clone();
        async move { journal.get(&key(2)).await }
    });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!write.is_finished(), "the write waits for the server");
    assert!(!read.is_finished(), "the read waits for the server");
    blocking(|| cluster.start_again());
    let back = Instant::now();
    let applied = within(write).await.expect("the writer's caller");
    assert!(applied.expect("the job id lands once the server is back"));
    let entry = within(read).await.expect("the reader");
    assert_eq!(entry.expect("the read").expect("entry").line, 2);
    eprintln!(
        "server down {:?}; the write landed {:?} after it was back",
        back - down,
        back.elapsed()
    );
    assert_job_id_recorded(&journal, 1, "job-1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_stays_down_fails_calls_after_the_patience() {
    const PATIENCE: Duration = Duration::from_secs(2);
    let cluster = blocking(Cluster::start);
    let journal = PostgresJournal::connect_with_patience(&cluster.url(), PATIENCE)
        .await
        .expect("connect");
    prepare(&journal, 2, 2).await;
    blocking(|| cluster.stop());
    let start = Instant::now();
    let (read, write) = within(futures_util::future::join(
        journal.get(&key(1)),
        journal.record(&key(1), WORKER, &job_id("job-1")),
    ))
    .await;
    let waited = start.elapsed();
    eprintln!("calls failed after {waited:?} (patience {PATIENCE:?})");
    for outcome in [read.map(|_| ()), write.map(|_| ())] {
        let err = outcome.expect_err("no server: an error");
        assert!(
            matches!(err, JournalError::Unreachable { .. }),
            "unreachable, not {err:?}"
        );
        assert!(err.to_string().contains("unreachable"), "{err}");
    }
    assert!(waited >= PATIENCE, "gave up early: {waited:?}");
    assert!(
        waited < PATIENCE + Duration::from_secs(3),
        "late: {waited:?}"
    );

    // The writer task lives on: once the server is back, the write lands.
    blocking(|| cluster.start_again());
    let applied = within(journal.record(&key(1), WORKER, &job_id("job-1"))).await;
    assert!(applied.expect("the job id after the server came back"));
    assert_job_id_recorded(&journal, 1, "job-1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_commit_answer_is_not_taken_for_a_lost_lease() {
    let cluster = blocking(Cluster::start);
    let relay = Relay::start(cluster.port());
    let url = relay.url(&cluster.url(), cluster.port());
    let journal = PostgresJournal::connect(&url).await.expect("connect");
    prepare(&journal, 1, 1).await;
    relay.arm("COMMIT");
    let applied = within(journal.record(&key(1), WORKER, &job_id("job-1"))).await;
    assert_eq!(relay.cuts(), 1, "the relay cut the COMMIT's answer");
    assert!(
        applied.expect("the job id record"),
        "committed before its answer was lost: applied, not a lost lease"
    );
    assert_job_id_recorded(&journal, 1, "job-1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_whose_answer_was_lost_takes_its_rows_back() {
    let cluster = blocking(Cluster::start);
    let relay = Relay::start(cluster.port());
    let url = relay.url(&cluster.url(), cluster.port());
    let journal = PostgresJournal::connect(&url).await.expect("connect");
    let new: Vec<NewEntry> = (1..=3).map(new_entry).collect();
    journal.enqueue(&new).await.expect("enqueue");
    relay.arm("UPDATE ");
    let claimed = within(journal.claim(&claim(2))).await;
    assert_eq!(relay.cuts(), 1, "the relay cut the claim's answer");
    assert_eq!(
        lines(&claimed.expect("the claim, run again")),
        [1, 2],
        "the rows the lost answer leased, not the next ones"
    );
    let others = Claim {
        worker: "worker-2".to_owned(),
        ..claim(10)
    };
    let rest = journal
        .claim(&others)
        .await
        .expect("another worker's claim");
    assert_eq!(lines(&rest), [3], "nothing else is left leased");
}

/// A TCP relay between the journal and the server that, when armed with a
/// command tag, cuts the connection that carries the next answer with that
/// tag, once the server has committed it (at its ready-for-query) and
/// before the journal hears it: a lost answer, on demand.
struct Relay {
    port: u16,
    armed: Arc<Mutex<Option<&'static str>>>,
    cuts: Arc<AtomicUsize>,
}

impl Relay {
    fn start(server_port: u16) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("relay port");
        let port = listener.local_addr().expect("relay address").port();
        let relay = Relay {
            port,
            armed: Arc::default(),
            cuts: Arc::default(),
        };
        let (armed, cuts) = (Arc::clone(&relay.armed), Arc::clone(&relay.cuts));
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(("127.0.0.1", server_port)) else {
                    continue;
                };
                relay_one(client, server, Arc::clone(&armed), Arc::clone(&cuts));
            }
        });
        relay
    }

    /// `url` with the server's port replaced by the relay's.
    fn url(&self, url: &str, server_port: u16) -> String {
        url.replace(&format!(":{server_port}/"), &format!(":{}/", self.port))
    }

    /// Cuts the next answer whose tag starts with `tag` ("COMMIT", "UPDATE ").
    fn arm(&self, tag: &'static str) {
        *self.armed.lock().expect("relay lock") = Some(tag);
    }

    fn cuts(&self) -> usize {
        self.cuts.load(Ordering::SeqCst)
    }
}

/// Copies the journal's requests as they are; the server's answers message
/// by message (the journal uses no TLS, so every answer is a type byte and
/// a length), holding back an armed tag's answer and cutting at the
/// ready-for-query that follows it.
fn relay_one(
    client: TcpStream,
    server: TcpStream,
    armed: Arc<Mutex<Option<&'static str>>>,
    cuts: Arc<AtomicUsize>,
) {
    let (mut requests, mut to_server) = (
        client.try_clone().expect("socket"),
        server.try_clone().expect("socket"),
    );
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut requests, &mut to_server);
        let _ = to_server.shutdown(Shutdown::Both);
    });
    std::thread::spawn(move || {
        let (mut client, mut server) = (client, server);
        let mut holding = false;
        while let Some((header, body)) = message(&mut server) {
            holding = holding || (header[0] == b'C' && take_if_armed(&armed, &body));
            if holding && header[0] == b'Z' {
                cuts.fetch_add(1, Ordering::SeqCst);
                break;
            }
            if !holding
                && client
                    .write_all(&header)
                    .and(client.write_all(&body))
                    .is_err()
            {
                break;
            }
        }
        let _ = client.shutdown(Shutdown::Both);
        let _ = server.shutdown(Shutdown::Both);
    });
}

/// True (and disarmed) when the relay is armed for this command tag.
fn take_if_armed(armed: &Mutex<Option<&'static str>>, tag: &[u8]) -> bool {
    let mut armed = armed.lock().expect("relay lock");
    let hit = armed.is_some_and(|prefix| tag.starts_with(prefix.as_bytes()));
    if hit {
        *armed = None;
    }
    hit
}

/// One server message: its 5-byte header (type, length) and its body.
fn message(server: &mut TcpStream) -> Option<([u8; 5], Vec<u8>)> {
    let mut header = [0u8; 5];
    server.read_exact(&mut header).ok()?;
    let length = u32::from_be_bytes([header[1], header[2], header[3], header[4]]);
    let mut body = vec![0u8; usize::try_from(length).ok()?.checked_sub(4)?];
    server.read_exact(&mut body).ok()?;
    Some((header, body))
}
