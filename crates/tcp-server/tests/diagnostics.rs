//! Diagnostics: one line per accepted connection, per finished connection
//! and per error, with the prefix; none when off; spans for tracing.

mod util;

use std::io::Write;
use std::sync::{Arc, Mutex};

use rstest::rstest;
use tcp_server::{Diagnostics, ServerBuilder};
use util::{connect, line, send};

fn run_two_connections(diagnostics: Diagnostics) {
    let server = util::start(ServerBuilder::new().diagnostics(diagnostics), |conn| {
        // A line first: a reset before the client's connect returned would
        // fail the connect itself.
        util::line(conn)?;
        if conn.id() == 2 {
            return Err(std::io::Error::other("refused by the test"));
        }
        writeln!(conn, "hi")
    });
    let (mut i, mut o) = connect(server.addr);
    send(&mut o, "1");
    assert_eq!(line(&mut i).unwrap(), "hi");
    assert_eq!(util::rest(&mut i).unwrap(), "");
    let (mut i, mut o) = connect(server.addr);
    send(&mut o, "2");
    let _ = util::rest(&mut i);
    server.stop().unwrap();
}

#[rstest]
#[case::default_prefix(Some("yes"), "tcp-server")]
#[case::own_prefix(Some("web"), "web")]
fn lines_carry_the_prefix(#[case] arg: Option<&str>, #[case] prefix: &str) {
    let sink: Arc<Mutex<Vec<u8>>> = Arc::default();
    run_two_connections(Diagnostics::from_arg(arg).to_writer(sink.clone()));
    let text = String::from_utf8(sink.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.iter().all(|l| l.starts_with(&format!("{prefix}: "))),
        "{text}"
    );
    let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
    assert!(has("#1 accepted from 127.0.0.1:"), "{text}");
    assert!(has("#1 served in"), "{text}");
    assert!(has("#2 accepted from"), "{text}");
    assert!(
        has("#2 failed after") && has("refused by the test"),
        "{text}"
    );
    assert!(has("stopped: served 1, drained 0, forced 0"), "{text}");
}

#[test]
fn off_writes_nothing() {
    let sink: Arc<Mutex<Vec<u8>>> = Arc::default();
    run_two_connections(Diagnostics::from_arg(None).to_writer(sink.clone()));
    assert!(sink.lock().unwrap().is_empty());
}

/// Collects what a tracing subscriber prints.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn each_connection_has_a_span_with_id_peer_and_outcome() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    // Only this test's threads: the server's run and workers are spawned
    // inside, and inherit nothing, so the subscriber is set globally here.
    tracing::subscriber::set_global_default(subscriber).unwrap();
    run_two_connections(Diagnostics::off());
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("tcp_server.connection{id=1 peer=127.0.0.1:"),
        "{text}"
    );
    assert!(text.contains("outcome=\"served\""), "{text}");
    assert!(text.contains("outcome=\"failed\""), "{text}");
    assert!(text.contains("duration_ms="), "{text}");
}
