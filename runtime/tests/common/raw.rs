//! A scripted HTTP/1.1 server on 127.0.0.1 for the answers the simulator
//! does not give: exact bodies under any status, a body dripped a byte at a
//! time, an error page of hundreds of megabytes. Every connection gets the
//! same script and is closed after one answer.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server answers.
#[derive(Debug, Clone)]
pub enum Script {
    /// This status, these extra headers, this body.
    Answer {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// 200 announcing `total` bytes, then one byte every `every`.
    Drip { every: Duration, total: u64 },
    /// This status announcing `len` bytes, then zeros as fast as they are read.
    Flood { status: u16, len: u64 },
    /// 200 announcing no length (the body ends when the connection closes),
    /// then `len` zeros as fast as they are read.
    Unsized { len: u64 },
}

/// A running scripted server; dropping it stops accepting.
pub struct Raw {
    addr: std::net::SocketAddr,
    written: Arc<AtomicU64>,
    requests: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Raw {
    pub async fn start(script: Script) -> Raw {
        Raw::start_at("127.0.0.1:0", script).await
    }

    /// On `addr` (the address of a server stopped before: the same URLs).
    pub async fn start_at(addr: &str, script: Script) -> Raw {
        let listener = TcpListener::bind(addr).await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let written = Arc::new(AtomicU64::new(0));
        let requests = Arc::new(AtomicU64::new(0));
        let (w, r) = (written.clone(), requests.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                r.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, script.clone(), w.clone()));
            }
        });
        Raw {
            addr,
            written,
            requests,
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Body bytes the server managed to write.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::SeqCst)
    }

    /// Connections accepted.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        _ => "Whatever",
    }
}

/// One request as read off the wire.
pub struct Request {
    pub method: String,
    pub path: String,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Reads a request line, its headers and a `Content-Length` body.
pub async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).into_owned();
    let mut lines = head.lines();
    let mut first = lines.next()?.split_whitespace();
    let (method, path) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = buf[header_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

async fn serve(mut stream: TcpStream, script: Script, written: Arc<AtomicU64>) {
    if read_request(&mut stream).await.is_none() {
        return;
    }
    answer(stream, script, written).await;
}

/// Writes `script` as the answer to a request already read, then closes.
pub async fn answer(mut stream: TcpStream, script: Script, written: Arc<AtomicU64>) {
    match script {
        Script::Answer {
            status,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} {}\r\ncontent-length: {}\r\nconnection: close\r\n",
                reason(status),
                body.len()
            );
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes()).await;
            if stream.write_all(&body).await.is_ok() {
                written.fetch_add(body.len() as u64, Ordering::SeqCst);
            }
        }
        Script::Drip { every, total } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {total}\r\ncontent-type: video/mp4\r\nconnection: close\r\n\r\n"
            );
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            for _ in 0..total {
                tokio::time::sleep(every).await;
                if stream.write_all(b"x").await.is_err() || stream.flush().await.is_err() {
                    return;
                }
                written.fetch_add(1, Ordering::SeqCst);
            }
        }
        Script::Flood { status, len } => {
            let head = format!(
                "HTTP/1.1 {status} {}\r\ncontent-length: {len}\r\nconnection: close\r\n\r\n",
                reason(status)
            );
            flood(stream, &head, len, written).await;
        }
        Script::Unsized { len } => {
            flood(
                stream,
                "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n",
                len,
                written,
            )
            .await;
        }
    }
}

/// `head`, then `len` zeros as fast as they are read.
async fn flood(mut stream: TcpStream, head: &str, len: u64, written: Arc<AtomicU64>) {
    if stream.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let zeros = vec![0u8; 64 * 1024];
    let mut sent = 0u64;
    while sent < len {
        let n = zeros.len().min((len - sent) as usize);
        if stream.write_all(&zeros[..n]).await.is_err() {
            return;
        }
        sent += n as u64;
        written.fetch_add(n as u64, Ordering::SeqCst);
    }
}
