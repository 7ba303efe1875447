//! TLS through the upgrade hook, end to end with a rustls client, and a
//! client that stalls its handshake while others are served.

mod util;

use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{
    ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection, StreamOwned,
};
use tcp_server::{ServerBuilder, TcpConnection, Upgrade};
use util::PATIENCE;

/// The TLS upgrade, as a user of the crate writes it.
struct Tls(Arc<ServerConfig>);

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

/// A certificate for `localhost` made now, and both sides' configurations.
fn configs() -> (Arc<ServerConfig>, Arc<ClientConfig>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let made = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let cert = CertificateDer::from(made.cert.der().to_vec());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.key_pair.serialize_der()));
    let server = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)
        .unwrap();
    let mut roots = RootCertStore::empty();
    roots.add(cert).unwrap();
    let client = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    (Arc::new(server), Arc::new(client))
}

fn tls_client(
    addr: std::net::SocketAddr,
    config: &Arc<ClientConfig>,
) -> StreamOwned<ClientConnection, TcpStream> {
    let name = ServerName::try_from("localhost").unwrap();
    let conn = ClientConnection::new(Arc::clone(config), name).unwrap();
    let sock = TcpStream::connect(addr).unwrap();
    sock.set_read_timeout(Some(PATIENCE)).unwrap();
    StreamOwned::new(conn, sock)
}

fn echo_line(conn: &mut tcp_server::Connection) -> io::Result<()> {
    let mut line = String::new();
    conn.read_line(&mut line)?;
    write!(conn, "tls says {line}")
}

#[test]
fn a_rustls_client_talks_to_the_upgraded_server() {
    let (server_config, client_config) = configs();
    let server = util::start(ServerBuilder::new().upgrade(Tls(server_config)), echo_line);
    let mut client = tls_client(server.addr, &client_config);
    client.write_all(b"hello\n").unwrap();
    let mut reply = String::new();
    // close_notify comes after the line: a clean end of the TLS stream.
    client.read_to_string(&mut reply).unwrap();
    assert_eq!(reply, "tls says hello\n");
    let handle = server.handle.clone();
    server.stop().unwrap();
    let stats = handle.stats();
    assert_eq!((stats.served, stats.rejected_handshakes), (1, 0));
}

#[test]
fn a_stalled_handshake_holds_one_slot_until_its_timeout() {
    let (server_config, client_config) = configs();
    let builder = ServerBuilder::new()
        .max_requests(2)
        .upgrade(Tls(server_config))
        .upgrade_timeout(Duration::from_millis(300));
    let server = util::start(builder, echo_line);
    // Connects and never says hello.
    let mut stalled = TcpStream::connect(server.addr).unwrap();
    stalled.set_read_timeout(Some(PATIENCE)).unwrap();
    // Meanwhile the other slot serves healthy clients one after another.
    for n in 0..3 {
        let mut client = tls_client(server.addr, &client_config);
        writeln!(client, "n{n}").unwrap();
        let mut reader = BufReader::new(client);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert_eq!(line, format!("tls says n{n}\n"));
    }
    // The stalled one is rejected at its deadline: reset.
    let err = stalled.read(&mut [0; 16]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    let handle = server.handle.clone();
    server.stop().unwrap();
    let stats = handle.stats();
    assert_eq!((stats.served, stats.rejected_handshakes), (3, 1));
}
