//! Routing and the connection loop.
//!
//! The loop serves each connection with hyper directly (not `axum::serve`) so
//! that a [`DropMarker`] response can close the connection without writing
//! anything: the client sees a real connection error.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower_service::Service as _;

use crate::faults::{self, DropMarker};
use crate::protocols::{self, Vendor};
use crate::sim::Shared;

/// Largest accepted request body (data URIs of big images).
const BODY_LIMIT: usize = 128 << 20;

/// All routes of one simulator.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .merge(protocols::runcomfy::routes())
        .merge(protocols::aimlapi::routes())
        .merge(protocols::wavespeed::routes())
        .merge(crate::uploads::routes())
        .merge(crate::catalog::serve::routes(&shared.catalog))
        .merge(crate::catalog::admin::routes())
        .route("/sim/images/{name}", get(crate::images::serve))
        .route(crate::video::PATH, get(crate::video::serve))
        .route(crate::audio::AUDIO_PATH, get(crate::audio::serve))
        .merge(crate::admin::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            crate::admin::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            faults::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            crate::demo::log,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(shared)
}

async fn not_found(State(_): State<Arc<Shared>>, request: Request) -> Response {
    let path = request.uri().path();
    protocols::error_response(
        Vendor::of_path(path),
        StatusCode::NOT_FOUND,
        &format!("Cannot {} {path}", request.method()),
        path,
    )
}

/// The error a connection service returns to make hyper close the
/// connection without answering.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for Dropped {}

/// Accepts connections until the task is aborted; aborting it also ends
/// every open connection. Each accepted TCP connection is counted in
/// `accepted`; with `tls`, each is a TLS handshake first. HTTP/1.1 and
/// HTTP/2 are both served (ALPN on TLS, the preface on plain TCP).
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<TlsAcceptor>,
    accepted: Arc<AtomicU64>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            incoming = listener.accept() => {
                let Ok((stream, _)) = incoming else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                accepted.fetch_add(1, Ordering::Relaxed);
                let router = router.clone();
                let tls = tls.clone();
                connections.spawn(async move {
                    match tls {
                        Some(tls) => {
                            if let Ok(stream) = tls.accept(stream).await {
                                serve_connection(TokioIo::new(stream), router).await;
                            }
                        }
                        None => serve_connection(TokioIo::new(stream), router).await,
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Serves one connection (HTTP/1.1 or HTTP/2) until it closes.
async fn serve_connection<I>(io: I, router: Router)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let mut router = router.clone();
        async move {
            let response: Response = match router.call(request.map(Body::new)).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            if response.extensions().get::<DropMarker>().is_some() {
                Err(Dropped)
            } else {
                Ok::<_, Dropped>(response)
            }
        }
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new());
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(None);
    let _ = builder.serve_connection(io, service).await;
}
