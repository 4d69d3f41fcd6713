//! The simulator's TLS mode: HTTPS on loopback with a test certificate
//! checked into `sim/tls/` (see its README), offering HTTP/2 and HTTP/1.1
//! by ALPN as the vendors' servers do. Clients trust [`TLS_CA_PEM`]
//! explicitly; nothing turns certificate verification off.

use std::io;
use std::sync::Arc;

use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{
    self, ServerConfig,
    pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
};

/// The test certificate authority that signed the simulator's certificate
/// (PEM). Add it as a root of the client (`reqwest::Certificate::from_pem`).
pub const TLS_CA_PEM: &str = include_str!("../tls/ca.pem");

const CERT_PEM: &[u8] = include_bytes!("../tls/cert.pem");
const KEY_PEM: &[u8] = include_bytes!("../tls/key.pem");

/// The acceptor of a TLS simulator: the test certificate, ALPN `h2` first.
pub(crate) fn acceptor() -> io::Result<TlsAcceptor> {
    let certs = CertificateDer::pem_slice_iter(CERT_PEM)
        .collect::<Result<Vec<_>, _>>()
        .map_err(io::Error::other)?;
    let key = PrivateKeyDer::from_pem_slice(KEY_PEM).map_err(io::Error::other)?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(io::Error::other)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
