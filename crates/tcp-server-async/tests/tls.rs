//! TLS through the upgrade hook (tokio-rustls): the handshake runs on the
//! connection's task, inside its slot, under the upgrade timeout, so a
//! stalled handshake neither blocks other clients nor holds a slot for
//! ever.

mod util;

#[path = "../examples/common/tls.rs"]
mod tls;

use std::time::Duration;

use tcp_server_async::ServerBuilder;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio_rustls::TlsAcceptor;
use util::read_line;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_echo_while_a_stalled_handshake_waits_out_its_deadline() {
    let pki = tls::test_pki().unwrap();
    // Two slots: the stalled client holds one, a TLS client uses the other.
    let builder = ServerBuilder::new()
        .max_requests(2)
        .upgrade_timeout(Duration::from_millis(500))
        .upgrade(tls::Tls(TlsAcceptor::from(pki.server.clone())));
    let server = util::start(builder, |mut input, mut output, _| async move {
        let line = read_line(&mut input).await?;
        output.write_all(format!("tls {line}\n").as_bytes()).await
    });
    // Connects and says nothing: its handshake stalls.
    let mut stalled = tokio::net::TcpStream::connect(server.addr).await.unwrap();

    let stream = tls::connect(&pki.client, server.addr).await.unwrap();
    let (r, mut w) = tokio::io::split(stream);
    w.write_all(b"hello\n").await.unwrap();
    w.flush().await.unwrap();
    let mut r = BufReader::new(r);
    let mut line = String::new();
    r.read_line(&mut line).await.unwrap();
    assert_eq!(line, "tls hello\n");
    // The server ends the TLS stream cleanly (close_notify): a clean EOF.
    let mut rest = String::new();
    r.read_to_string(&mut rest).await.unwrap();
    assert_eq!(rest, "");

    // The stalled one is rejected at its deadline: a reset.
    let err = tokio::time::timeout(util::PATIENCE, stalled.read(&mut [0; 16]))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
    let stats = server.handle.stats();
    assert_eq!(
        (stats.served, stats.rejected_handshakes, stats.active),
        (1, 1, 0)
    );
    server.stop().await.unwrap();
}

/// The example program: its certificate, written to `--cert-out`, is all a
/// rustls client needs to trust it; it echoes over TLS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tls_example_serves_a_rustls_client() {
    use rustls::pki_types::{CertificateDer, pem::PemObject};

    let (server, pem) =
        test_support::RunningServer::start_tls_example("async-tls-echo-server").unwrap();
    let client = tls::client_trusting(CertificateDer::from_pem_slice(&pem).unwrap()).unwrap();
    let addr = server.addr().parse().unwrap();
    let stream = tokio::time::timeout(util::PATIENCE, tls::connect(&client, addr))
        .await
        .unwrap()
        .unwrap();
    let (r, mut w) = tokio::io::split(stream);
    let mut r = BufReader::new(r);
    for text in ["first\n", "second\n"] {
        w.write_all(text.as_bytes()).await.unwrap();
        w.flush().await.unwrap();
        let mut back = String::new();
        tokio::time::timeout(util::PATIENCE, r.read_line(&mut back))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back, text);
    }
    // The client's close_notify ends the handler; the server ends its side
    // cleanly too.
    w.shutdown().await.unwrap();
    let mut rest = String::new();
    tokio::time::timeout(util::PATIENCE, r.read_to_string(&mut rest))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rest, "");
}
