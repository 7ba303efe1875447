//! TLS for the examples and tests: a self-signed certificate for
//! `localhost` made at run time, the server's acceptor as an [`Upgrade`],
//! and a client connector that trusts that certificate.
#![allow(dead_code)]

use std::future::Future;
use std::io;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tcp_server_async::{TcpIo, Upgrade};
use tokio_rustls::{TlsAcceptor, TlsConnector};

/// A server certificate and key for `localhost`, and a client that trusts
/// it.
pub struct TestPki {
    pub server: Arc<rustls::ServerConfig>,
    pub client: Arc<rustls::ClientConfig>,
    /// The certificate as PEM text, for other programs to trust.
    pub pem: String,
}

pub fn test_pki() -> io::Result<TestPki> {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".into()]).map_err(io::Error::other)?;
    let cert = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)
        .map_err(io::Error::other)?;
    Ok(TestPki {
        server: Arc::new(server),
        client: client_trusting(cert)?,
        pem: certified.cert.pem(),
    })
}

/// A client configuration that trusts `cert` only.
pub fn client_trusting(cert: CertificateDer<'static>) -> io::Result<Arc<rustls::ClientConfig>> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert).map_err(io::Error::other)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(client))
}

/// The server's TLS handshake, as the server's upgrade step.
pub struct Tls(pub TlsAcceptor);

impl Upgrade for Tls {
    type Stream = tokio_rustls::server::TlsStream<TcpIo>;

    fn upgrade(&self, io: TcpIo) -> impl Future<Output = io::Result<Self::Stream>> + Send {
        self.0.accept(io)
    }
}

/// A TLS client connection to `localhost` at `addr`.
pub async fn connect(
    client: &Arc<rustls::ClientConfig>,
    addr: std::net::SocketAddr,
) -> io::Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let name = rustls::pki_types::ServerName::try_from("localhost").map_err(io::Error::other)?;
    TlsConnector::from(Arc::clone(client))
        .connect(name, tcp)
        .await
}
