//! TLS through the upgrade hook, end to end with a rustls client, and a
//! client that stalls its handshake while others are served.

mod util;

use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, ServerName, pem::PemObject};
use rustls::{ClientConfig, ClientConnection, StreamOwned};
use tcp_server::ServerBuilder;
use util::PATIENCE;

/// The upgrade and the certificate, shared with the TLS example.
#[path = "../examples/common/tls.rs"]
mod tls;

use tls::{Identity, Tls};

/// A certificate for `localhost` made now, and both sides' configurations.
fn configs() -> (Arc<rustls::ServerConfig>, Arc<ClientConfig>) {
    let id = Identity::localhost().unwrap();
    (id.server_config().unwrap(), id.client_config().unwrap())
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

#[test]
fn the_tls_example_serves_a_rustls_client() {
    let (server, pem) =
        test_support::RunningServer::start_tls_example("threaded-tls-echo-server").unwrap();
    let client_config =
        tls::client_trusting(CertificateDer::from_pem_slice(&pem).unwrap()).unwrap();
    let addr = server.addr().parse().unwrap();
    let mut client = BufReader::new(tls_client(addr, &client_config));
    for line in ["first\n", "second\n"] {
        client.get_mut().write_all(line.as_bytes()).unwrap();
        let mut back = String::new();
        client.read_line(&mut back).unwrap();
        assert_eq!(back, line);
    }
}
