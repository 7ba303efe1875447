//! A handler that panics or fails ends only its own connection: closed
//! abruptly, counted, logged; its slot comes back and its thread survives.

mod util;

use std::io::{self, ErrorKind, Write};
use std::sync::{Arc, Mutex};
use std::thread;

use tcp_server::{Diagnostics, ServerBuilder};
use util::{connect, line, rest, send};

#[test]
fn panics_and_errors_end_only_their_connection() {
    let log: Arc<Mutex<Vec<u8>>> = Arc::default();
    let threads = Arc::new(Mutex::new(Vec::new()));
    // One slot, one thread: a lost slot or a dead thread would stall the
    // healthy clients after the faults.
    let builder = ServerBuilder::new()
        .max_requests(1)
        .diagnostics(Diagnostics::with_prefix("t").to_writer(log.clone()));
    let server = {
        let threads = Arc::clone(&threads);
        util::start(builder, move |conn| {
            threads.lock().unwrap().push(thread::current().id());
            match util::line(conn)?.as_str() {
                "panic" => panic!("asked to panic"),
                "fail" => Err(io::Error::other("asked to fail")),
                other => writeln!(conn, "ok {other}"),
            }
        })
    };
    for (i, request) in ["a", "panic", "b", "fail", "c"].iter().enumerate() {
        let (mut input, mut output) = connect(server.addr);
        send(&mut output, request);
        match *request {
            "panic" | "fail" => {
                // Closed abruptly: a reset, not a clean end.
                let err = rest(&mut input).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{request}");
            }
            _ => assert_eq!(line(&mut input).unwrap(), format!("ok {request}"), "#{i}"),
        }
    }
    let summary = server.stop().unwrap();
    assert_eq!(summary.served, 3);
    let threads = threads.lock().unwrap();
    assert!(
        threads.iter().all(|t| *t == threads[0]),
        "the thread survived"
    );
    let log = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("t: #2 panicked after") && log.contains("asked to panic"),
        "{log}"
    );
    assert!(
        log.contains("t: #4 failed after") && log.contains("asked to fail"),
        "{log}"
    );
}

#[test]
fn faults_are_counted() {
    // Each reads a line first: a reset that came before the client's
    // connect returned would fail the connect itself.
    let server = util::start(ServerBuilder::new(), |conn| {
        util::line(conn)?;
        match conn.id() % 3 {
            0 => panic!("third"),
            1 => Err(io::Error::other("first")),
            _ => Ok(()),
        }
    });
    for _ in 0..6 {
        let (mut input, mut output) = connect(server.addr);
        send(&mut output, "go");
        let _ = rest(&mut input);
    }
    let handle = server.handle.clone();
    server.stop().unwrap();
    let stats = handle.stats();
    assert_eq!(
        (
            stats.accepted,
            stats.served,
            stats.failed,
            stats.panicked,
            stats.active
        ),
        (6, 2, 2, 2, 0)
    );
}
