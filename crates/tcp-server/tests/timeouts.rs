//! Timeouts the server sets on every connection: an idle timeout (the read
//! timeout), and a whole-connection deadline that a client dripping bytes
//! just inside the idle timeout cannot escape.

mod util;

use std::io::{ErrorKind, Write};
use std::sync::mpsc;
use std::time::Duration;

use tcp_server::ServerBuilder;
use util::{PATIENCE, connect};

/// Runs a server whose handler reads lines until EOF and reports how its
/// connection ended.
fn reader_server(builder: ServerBuilder) -> (util::Running, mpsc::Receiver<std::io::Error>) {
    let (tx, rx) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let server = util::start(builder, move |conn| {
        loop {
            match util::line(conn) {
                Ok(l) if l.is_empty() => return Ok(()),
                Ok(_) => {}
                Err(e) => {
                    let _ = tx.lock().unwrap().send(io_copy(&e));
                    return Err(e);
                }
            }
        }
    });
    (server, rx)
}

fn io_copy(e: &std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), e.to_string())
}

#[test]
fn a_silent_client_is_closed_after_the_idle_timeout() {
    let (server, errors) =
        reader_server(ServerBuilder::new().idle_timeout(Some(Duration::from_millis(100))));
    let (_input, _output) = connect(server.addr);
    let err = errors.recv_timeout(PATIENCE).unwrap();
    assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
    server.stop().unwrap();
}

#[test]
fn a_dripping_client_is_closed_at_the_deadline() {
    let builder = ServerBuilder::new()
        .idle_timeout(Some(Duration::from_millis(400)))
        .deadline(Some(Duration::from_millis(300)));
    let (server, errors) = reader_server(builder);
    let (_input, mut output) = connect(server.addr);
    // A byte every 20 ms, never a newline: each read succeeds well inside
    // the idle timeout. Bounded: 500 drips at most.
    let mut closed = None;
    for _ in 0..500 {
        if let Ok(e) = errors.try_recv() {
            closed = Some(e);
            break;
        }
        if output.write_all(b"x").is_err() {
            break;
        }
        // The drip rate is the client's behaviour under test, not a wait.
        std::thread::sleep(Duration::from_millis(20));
    }
    let err = closed.unwrap_or_else(|| errors.recv_timeout(PATIENCE).unwrap());
    assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
    let stats = server.handle.stats();
    assert_eq!(stats.served, 0);
    server.stop().unwrap();
}
