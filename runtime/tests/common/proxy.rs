//! A fault proxy on 127.0.0.1 in front of the simulator, for the faults the
//! simulator has no switch for: an HTML page under HTTP 200, an answer over
//! the runtime's size cap. The next request whose path ends with a given
//! suffix gets a scripted answer ([`Script`]) and never reaches the
//! simulator; every other request is forwarded as it came (method, path,
//! token, body), so the simulator runs and counts it. One request per
//! connection, closed after its answer.

use std::collections::VecDeque;
use std::sync::{
    Arc, Mutex,
    atomic::{AtomicU64, Ordering},
};

use tokio::net::{TcpListener, TcpStream};

use super::raw::{Request, Script, answer, read_request};

/// Scripted answers waiting for a request whose path ends with their suffix.
type Faults = Arc<Mutex<VecDeque<(String, Script)>>>;

/// A running proxy; dropping it stops accepting.
pub struct Proxy {
    addr: std::net::SocketAddr,
    faults: Faults,
    faulted: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// A proxy forwarding to `upstream` (a base URL such as the simulator's).
    pub async fn start(upstream: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("http client");
        let faults = Faults::default();
        let faulted = Arc::new(AtomicU64::new(0));
        let (upstream, queue, count) = (upstream.to_owned(), faults.clone(), faulted.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let fault = Fault {
                    queue: queue.clone(),
                    count: count.clone(),
                };
                tokio::spawn(handle(stream, upstream.clone(), http.clone(), fault));
            }
        });
        Proxy {
            addr,
            faults,
            faulted,
            task,
        }
    }

    /// The base URL to point a client at.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers the next request whose path ends with `suffix` with `script`.
    pub fn fail_next(&self, suffix: &str, script: Script) {
        let mut queue = self.faults.lock().unwrap_or_else(|p| p.into_inner());
        queue.push_back((suffix.to_owned(), script));
    }

    /// Requests answered with a script instead of forwarded.
    pub fn faulted(&self) -> u64 {
        self.faulted.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The fault queue as one connection sees it.
struct Fault {
    queue: Faults,
    count: Arc<AtomicU64>,
}

impl Fault {
    /// The first script whose suffix `path` ends with, taken off the queue.
    fn take(&self, path: &str) -> Option<Script> {
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        let at = queue
            .iter()
            .position(|(suffix, _)| path.ends_with(suffix))?;
        self.count.fetch_add(1, Ordering::SeqCst);
        queue.remove(at).map(|(_, script)| script)
    }
}

async fn handle(mut stream: TcpStream, upstream: String, http: reqwest::Client, fault: Fault) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    let script = match fault.take(&request.path) {
        Some(script) => script,
        // Upstream unreachable: the connection closes unanswered.
        None => match forward(&http, &upstream, request).await {
            Some(script) => script,
            None => return,
        },
    };
    answer(stream, script, Arc::new(AtomicU64::new(0))).await;
}

/// Sends the request upstream; its answer as a script to write back.
async fn forward(http: &reqwest::Client, upstream: &str, request: Request) -> Option<Script> {
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).ok()?;
    let mut outgoing = http
        .request(method, format!("{upstream}{}", request.path))
        .body(request.body);
    for (name, value) in &request.headers {
        if matches!(name.as_str(), "authorization" | "content-type") {
            outgoing = outgoing.header(name.as_str(), value.as_str());
        }
    }
    let response = outgoing.send().await.ok()?;
    let status = response.status().as_u16();
    let mut headers = Vec::new();
    for name in ["content-type", "retry-after"] {
        if let Some(value) = response.headers().get(name).and_then(|v| v.to_str().ok()) {
            headers.push((name, value.to_owned()));
        }
    }
    let body = response.bytes().await.ok()?.to_vec();
    Some(Script::Answer {
        status,
        headers,
        body,
    })
}
