//! Shutdown: new connections refused at once, idle connections end at
//! once, busy ones finish within the drain deadline, slow ones are closed
//! abruptly at it; the summary says which.

mod util;

use std::io::{ErrorKind, Write};
use std::sync::Arc;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use tcp_server::{ServerBuilder, ShutdownSummary};
use util::{Gate, PATIENCE, connect, line, rest, send};

#[test]
fn idle_end_at_once_busy_drain_slow_are_forced() {
    let (gate, busy_arrived) = Gate::new();
    let (ready_tx, ready) = mpsc::channel::<String>();
    let ready_tx = Arc::new(std::sync::Mutex::new(ready_tx));
    let builder = ServerBuilder::new().drain_timeout(Duration::from_millis(500));
    let server = {
        let gate = gate.clone();
        util::start(builder, move |conn| {
            let kind = util::line(conn)?;
            match kind.as_str() {
                "busy" => {
                    gate.pass(conn.id());
                    writeln!(conn, "done")
                }
                "idle" => loop {
                    // A keep-alive connection between requests.
                    conn.set_idle(true);
                    let _ = ready_tx.lock().unwrap().send(kind.clone());
                    let request = util::line(conn)?;
                    if request.is_empty() {
                        return Ok(()); // end of input: the server is stopping
                    }
                    conn.set_idle(false);
                    writeln!(conn, "{request}")?;
                },
                _ => {
                    // Slow: waits for more input in the middle of a request.
                    let _ = ready_tx.lock().unwrap().send(kind.clone());
                    util::line(conn).map(drop)
                }
            }
        })
    };
    let (mut busy, mut busy_out) = connect(server.addr);
    let (mut idle, mut idle_out) = connect(server.addr);
    let (mut slow, mut slow_out) = connect(server.addr);
    send(&mut busy_out, "busy");
    send(&mut idle_out, "idle");
    send(&mut slow_out, "slow");
    busy_arrived.recv_timeout(PATIENCE).unwrap();
    let mut kinds = vec![
        ready.recv_timeout(PATIENCE).unwrap(),
        ready.recv_timeout(PATIENCE).unwrap(),
    ];
    kinds.sort();
    assert_eq!(kinds, ["idle", "slow"]);

    let stopper = {
        let handle = server.handle.clone();
        thread::spawn(move || handle.stop())
    };
    // The idle connection ends at once, without waiting for the deadline.
    assert_eq!(rest(&mut idle).unwrap(), "");
    // By then the listener is closed: new connections are refused.
    let refused = tcp_ports::connect(server.addr).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::ConnectionRefused, "{refused}");
    // The busy one finishes.
    gate.open(1);
    assert_eq!(line(&mut busy).unwrap(), "done");
    assert_eq!(rest(&mut busy).unwrap(), "");
    // The slow one is reset at the deadline.
    let err = rest(&mut slow).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    stopper.join().unwrap();
    let handle = server.handle.clone();
    let summary = server.join().unwrap();
    assert_eq!(summary, ShutdownSummary::new(2, 2, 1));
    let stats = handle.stats();
    assert_eq!((stats.forced, stats.active), (1, 0));
    assert_eq!(stats.shutdown, Some(summary));
}

#[test]
fn stopped_before_it_runs_it_returns_at_once() {
    let listener = tcp_ports::listen_on("127.0.0.1", 0).unwrap();
    let server = tcp_server::Server::new(listener, |_| Ok(())).unwrap();
    server.handle().stop();
    assert_eq!(server.run().unwrap(), ShutdownSummary::default());
}

#[test]
fn force_cuts_the_drain_short() {
    let (ready_tx, ready) = mpsc::channel::<u64>();
    let ready_tx = std::sync::Mutex::new(ready_tx);
    let builder = ServerBuilder::new().drain_timeout(Duration::from_secs(3600));
    let server = util::start(builder, move |conn| {
        let _ = ready_tx.lock().unwrap().send(conn.id());
        util::line(conn).map(drop)
    });
    let (mut input, _output) = connect(server.addr);
    ready.recv_timeout(PATIENCE).unwrap();
    server.handle.stop();
    server.handle.force();
    assert_eq!(
        rest(&mut input).unwrap_err().kind(),
        ErrorKind::ConnectionReset
    );
    assert_eq!(server.join().unwrap(), ShutdownSummary::new(0, 0, 1));
}
