//! The driver keeps every job id a vendor gives, whatever came with it: a
//! submit answer that carries an id next to an error is a job to follow,
//! not a request to forget. A raw HTTP server plays the vendor, so the
//! answer can be exactly what a real one sent once.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use seedance_journal::{
    Claim, Driver, Journal, NewEntry, Outcome, SqliteJournal, State, body_hash, now_ms,
};
use seedance_runtime::{Connection, Vendor as _};

/// Answers every request with `status` and `body`; counts the POSTs.
fn vendor(status: &'static str, body: &'static str) -> (String, Arc<AtomicU32>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let posts = Arc::new(AtomicU32::new(0));
    let counted = posts.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let (mut line, mut length) = (String::new(), 0usize);
            let _ = reader.read_line(&mut line);
            if line.starts_with("POST") {
                counted.fetch_add(1, Ordering::SeqCst);
            }
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) <= 2 {
                    break;
                }
                let lower = header.to_ascii_lowercase();
                if let Some(value) = lower.strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let _ = reader
                .by_ref()
                .take(length as u64)
                .read_to_end(&mut Vec::new());
            let answer = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = reader.get_mut().write_all(answer.as_bytes());
        }
    });
    (url, posts)
}

#[tokio::test]
async fn an_id_next_to_a_submit_error_is_recorded_and_followed() {
    let (url, posts) = vendor(
        "500 Internal Server Error",
        r#"{"request_id": "job-77", "error": "internal error after queueing"}"#,
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = SqliteJournal::open(dir.path().join("jobs.db"))
        .await
        .expect("journal");
    let body = r#"{"prompt": "fox"}"#.to_owned();
    let entry = NewEntry {
        key: "k1".into(),
        batch: "b".into(),
        line: 1,
        vendor: "runcomfy".into(),
        model: "m".into(),
        path: "/v1/models/bytedance/seedance-1-0/pro/image-to-video".into(),
        body_hash: body_hash(body.as_bytes()),
        body,
        out_path: None,
        out_dir: None,
        quote: None,
        quote_note: None,
    };
    journal.enqueue(&[entry]).await.expect("enqueue");
    let claimed = journal
        .claim(&Claim {
            batch: "b".into(),
            worker: "w".into(),
            now: now_ms(),
            until: now_ms() + 30_000,
            vendors: vec!["runcomfy".into()],
            limit: 1,
        })
        .await
        .expect("claim");
    let conn = Connection::builder(&seedance::runcomfy::Vendor::INFO)
        .base_url(&url)
        .token("t")
        .http_client(reqwest::Client::builder().no_proxy().build().expect("http"))
        .build()
        .expect("connection");
    let driver = Driver::new(journal.clone(), "w", Duration::from_secs(30));
    let outcome = driver
        .submit_only(&conn, claimed[0].clone())
        .await
        .expect("submit");
    assert_eq!(
        outcome,
        Outcome::Submitted {
            job_id: "job-77".into()
        }
    );
    let saved = journal.get("k1").await.expect("get").expect("entry");
    assert_eq!(saved.job_id.as_deref(), Some("job-77"));
    assert_eq!(saved.state, State::Queued, "followed, not given up");
    assert!(saved.error.is_some_and(|e| e.contains("internal error")));
    assert_eq!(posts.load(Ordering::SeqCst), 1);
}
