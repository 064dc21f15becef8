//! TLS for `https://` and `wss://` on the main port (`--tls-cert`, `--tls-key`): loads a
//! PEM certificate chain and private key into a rustls acceptor, with the ring provider.
//!
//! Only setup lives here; the handshake itself runs in `front`, under the handshake
//! timeout, like the rest of a connection's start.

use std::io;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

/// An acceptor for the certificate chain in `cert` and the key in `key` (both PEM; the key
/// PKCS#8, PKCS#1 or SEC1). Offers HTTP/1.1 only: WebSockets need it.
pub fn acceptor(cert: &Path, key: &Path) -> io::Result<TlsAcceptor> {
    let bad = |what: &str, path: &Path, err: &dyn std::fmt::Display| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{what} {}: {err}", path.display()),
        )
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|err| bad("TLS certificate", cert, &err))?;
    if chain.is_empty() {
        return Err(bad("TLS certificate", cert, &"no certificate in the file"));
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|err| bad("TLS key", key, &err))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| bad("TLS setup for", cert, &err))?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|err| bad("TLS certificate and key", cert, &err))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
