//! TLS with rustls through tcp-server's upgrade hook, and a certificate
//! made at run time with rcgen: what the TLS example and the TLS tests
//! share.
#![allow(dead_code)] // the example and the tests each use their own part

use std::io::{self, Write};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ClientConfig, RootCertStore, ServerConfig, ServerConnection, StreamOwned};
use tcp_server::{TcpConnection, Upgrade};

/// The TLS upgrade: the handshake on the worker thread, inside the
/// connection's slot and under the upgrade timeout; then the handler reads
/// and writes a `rustls::StreamOwned` over the tcp-ports connection.
pub struct Tls(pub Arc<ServerConfig>);

impl Upgrade for Tls {
    type Session = ServerConnection;
    type Stream = StreamOwned<ServerConnection, TcpConnection>;

    fn handshake(&self, conn: &mut TcpConnection) -> io::Result<ServerConnection> {
        let mut tls = ServerConnection::new(Arc::clone(&self.0)).map_err(io::Error::other)?;
        while tls.is_handshaking() {
            tls.complete_io(conn)?;
        }
        Ok(tls)
    }

    fn wrap(&self, tls: ServerConnection, conn: TcpConnection) -> Self::Stream {
        StreamOwned::new(tls, conn)
    }

    fn finish(&self, stream: &mut Self::Stream) -> io::Result<()> {
        stream.conn.send_close_notify();
        stream.flush()
    }
}

/// A self-signed certificate for `localhost`, made now.
pub struct Identity {
    /// The certificate, for the server and for clients to trust.
    pub cert: CertificateDer<'static>,
    /// The certificate as PEM text, to hand to other programs.
    pub pem: String,
    key: Vec<u8>,
}

impl Identity {
    /// A new key pair and certificate for `localhost`.
    pub fn localhost() -> Result<Identity, rcgen::Error> {
        let made = rcgen::generate_simple_self_signed(vec!["localhost".into()])?;
        Ok(Identity {
            cert: CertificateDer::from(made.cert.der().to_vec()),
            pem: made.cert.pem(),
            key: made.key_pair.serialize_der(),
        })
    }

    /// A server configuration presenting this certificate.
    pub fn server_config(&self) -> Result<Arc<ServerConfig>, rustls::Error> {
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone()));
        let config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![self.cert.clone()], key)?;
        Ok(Arc::new(config))
    }

    /// A client configuration trusting this certificate only.
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, rustls::Error> {
        client_trusting(self.cert.clone())
    }
}

/// A client configuration that trusts `cert` only.
pub fn client_trusting(cert: CertificateDer<'static>) -> Result<Arc<ClientConfig>, rustls::Error> {
    let mut roots = RootCertStore::empty();
    roots.add(cert)?;
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}
