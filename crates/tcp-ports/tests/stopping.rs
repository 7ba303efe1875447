//! Stopping and waking: the stop signal that ends accept loops, connection
//! handles that wake a blocked reader or writer at once, and deadlines.

mod util;

use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use rstest::rstest;
use tcp_ports::{StopSignal, TcpConfig};
use util::{Family, PATIENCE, SLACK, listener, pair, patient, raw_peer};

#[rstest]
fn every_accepting_thread_wakes_when_stopped(#[values(Family::V4, Family::V6)] family: Family) {
    let l = Arc::new(listener(family));
    let stop = StopSignal::new().unwrap();
    let ready = Arc::new(Barrier::new(5));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (l, stop, ready) = (Arc::clone(&l), stop.clone(), Arc::clone(&ready));
            thread::spawn(move || {
                ready.wait();
                // No accept timeout: only the signal can end this.
                l.accept_with_or_stop(&TcpConfig::new(), &stop)
                    .map(|accepted| accepted.is_none())
            })
        })
        .collect();
    ready.wait();
    stop.stop();
    assert!(stop.is_stopped());
    for t in threads {
        assert!(
            t.join().unwrap().unwrap(),
            "accept_or_stop gave a connection"
        );
    }
}

#[rstest]
fn a_stopped_signal_wins_over_waiting_connections(
    #[values(Family::V4, Family::V6)] family: Family,
) {
    let l = listener(family);
    let _client = tcp_ports::connect_with(l.local_addr(), &patient()).unwrap();
    let stop = StopSignal::new().unwrap();
    assert!(l.accept_or_stop(&stop).unwrap().is_some());
    let _again = tcp_ports::connect_with(l.local_addr(), &patient()).unwrap();
    stop.stop();
    stop.stop(); // harmless
    assert!(l.accept_or_stop(&stop).unwrap().is_none());
    assert!(stop.wait(Some(Duration::ZERO)).unwrap());
}

#[test]
fn a_signal_handler_can_stop_an_accept_loop() {
    let l = listener(Family::V4);
    let stop = StopSignal::new().unwrap();
    let in_handler = stop.clone();
    // SAFETY: the handler only calls StopSignal::stop, which is
    // async-signal-safe (an atomic store and one write(2)).
    let id = unsafe {
        signal_hook::low_level::register(signal_hook::consts::SIGUSR2, move || in_handler.stop())
    }
    .unwrap();
    let (started_tx, started_rx) = mpsc::channel();
    let acceptor = thread::spawn(move || {
        started_tx.send(()).unwrap();
        l.accept_with_or_stop(&TcpConfig::new(), &stop)
            .map(|a| a.is_none())
    });
    started_rx.recv().unwrap();
    signal_hook::low_level::raise(signal_hook::consts::SIGUSR2).unwrap();
    assert!(acceptor.join().unwrap().unwrap());
    signal_hook::low_level::unregister(id);
}

#[test]
fn an_unstopped_wait_times_out() {
    let stop = StopSignal::new().unwrap();
    assert!(!stop.wait(Some(Duration::from_millis(20))).unwrap());
    assert!(!stop.is_stopped());
}

/// Writes from another thread until a write fails, and says when it failed.
fn blocked_writer(
    mut w: tcp_ports::TcpWriter,
) -> (mpsc::Receiver<()>, thread::JoinHandle<(io::Error, Instant)>) {
    let (progress_tx, progress_rx) = mpsc::channel();
    let writer = thread::spawn(move || {
        let chunk = vec![7u8; 64 * 1024];
        // Bounded: the kernel's buffers hold a few MiB at most.
        for _ in 0..100_000 {
            if let Err(e) = w.write_all(&chunk) {
                return (e, Instant::now());
            }
            let _ = progress_tx.send(());
        }
        panic!("writes to a peer that never reads kept succeeding");
    });
    (progress_rx, writer)
}

/// Waits until the socket's send buffer is full, so the writer blocks.
fn until_send_buffer_full(fd: &impl std::os::fd::AsFd, progress: &mpsc::Receiver<()>) {
    let deadline = Instant::now() + PATIENCE;
    while netprim::wait_writable(fd, Some(Duration::ZERO)).unwrap() {
        assert!(Instant::now() < deadline, "the send buffer never filled");
        let _ = progress.recv_timeout(Duration::from_millis(50));
    }
}

#[rstest]
fn an_abort_ends_a_blocked_write_within_100_ms(#[values(Family::V4, Family::V6)] family: Family) {
    let (raw, (r, w)) = raw_peer(family, &patient());
    let handle = w.handle();
    let (progress, writer) = blocked_writer(w);
    until_send_buffer_full(&r, &progress);
    let aborted_at = Instant::now();
    handle.abort().unwrap();
    let (err, failed_at) = writer.join().unwrap();
    assert_eq!(err.kind(), io::ErrorKind::ConnectionAborted, "{err}");
    let took = failed_at.duration_since(aborted_at);
    assert!(
        took < Duration::from_millis(100),
        "the write ended {took:?} after the abort"
    );
    // The peer that never read gets a reset, not EOF.
    let mut buf = vec![0; 1 << 20];
    let seen = (0..1000).find_map(|_| match raw.recv(&mut buf) {
        Ok(0) => Some(Ok(())),
        Ok(_) => None,
        Err(e) => Some(Err(e)),
    });
    assert_eq!(
        seen.expect("bounded").unwrap_err().kind(),
        io::ErrorKind::ConnectionReset
    );
    assert!(!handle.is_closed());
    drop(r);
    assert!(handle.is_closed());
}

#[rstest]
fn a_reader_abort_wakes_the_writer_blocked_in_another_thread(
    #[values(Family::V4, Family::V6)] family: Family,
) {
    let (_raw, (r, w)) = raw_peer(family, &patient());
    let (progress, writer) = blocked_writer(w);
    until_send_buffer_full(&r, &progress);
    let aborted_at = Instant::now();
    r.abort().unwrap();
    let (err, failed_at) = writer.join().unwrap();
    assert_eq!(err.kind(), io::ErrorKind::ConnectionAborted, "{err}");
    assert!(failed_at.duration_since(aborted_at) < Duration::from_millis(100));
}

#[rstest]
fn a_writer_abort_wakes_the_reader_blocked_in_another_thread(
    #[values(Family::V4, Family::V6)] family: Family,
) {
    let p = pair(family, &patient());
    let (mut r, w) = p.server;
    let (started_tx, started_rx) = mpsc::channel();
    let reader = thread::spawn(move || {
        started_tx.send(()).unwrap();
        let result = r.read(&mut [0; 16]);
        (result, Instant::now())
    });
    started_rx.recv().unwrap();
    let aborted_at = Instant::now();
    w.abort().unwrap();
    let (result, failed_at) = reader.join().unwrap();
    assert_eq!(result.unwrap_err().kind(), io::ErrorKind::ConnectionAborted);
    // Whether the reader was in recv yet or not, it never waits its
    // ten-second timeout.
    assert!(failed_at.duration_since(aborted_at) < SLACK);
}

#[rstest]
fn a_handle_shutdown_wakes_a_blocked_reader_with_eof(
    #[values(Family::V4, Family::V6)] family: Family,
) {
    let p = pair(family, &patient());
    let (mut r, _w) = p.server;
    let handle = r.handle();
    assert_eq!(handle.peer_addr(), p.client.0.local_addr());
    assert_eq!(handle.local_addr(), p.client.0.peer_addr());
    let reader = thread::spawn(move || r.read(&mut [0; 16]));
    handle.shutdown(Shutdown::Read).unwrap();
    assert_eq!(reader.join().unwrap().unwrap(), 0);
}

#[rstest]
fn a_handle_does_not_keep_a_closed_connection(#[values(Family::V4, Family::V6)] family: Family) {
    let p = pair(family, &patient());
    let (r, w) = p.server;
    let handle = w.handle();
    assert!(!handle.is_closed());
    drop((r, w));
    assert!(handle.is_closed());
    handle.abort().unwrap();
    handle.shutdown(Shutdown::Both).unwrap();
    // The peer saw a normal close, not the abort of a closed connection.
    let (mut cr, _cw) = p.client;
    assert_eq!(cr.read(&mut [0; 1]).unwrap(), 0);
}

#[rstest]
fn a_deadline_ends_a_read_long_before_its_timeout(
    #[values(Family::V4, Family::V6)] family: Family,
) {
    let p = pair(family, &patient());
    let (mut r, _w) = p.server;
    let at = Instant::now() + Duration::from_millis(100);
    r.set_deadline(Some(at));
    assert_eq!(r.deadline(), Some(at));
    let err = r.read(&mut [0; 1]).unwrap_err();
    assert!(Instant::now() >= at);
    assert!(Instant::now() < at + SLACK);
    assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    assert!(tcp_ports::is_timeout(&err));
    assert!(err.to_string().contains("deadline"), "{err}");
    // Once passed, it fails at once, even with data waiting.
    let (_cr, mut cw) = p.client;
    cw.write_all(b"late\n").unwrap();
    assert!(netprim::wait_readable(&r, Some(PATIENCE)).unwrap());
    assert_eq!(
        r.read(&mut [0; 8]).unwrap_err().kind(),
        io::ErrorKind::TimedOut
    );
    r.set_deadline(None);
    assert_eq!(r.read(&mut [0; 8]).unwrap(), 5);
}

#[rstest]
fn a_dripping_peer_cannot_outlast_the_deadline(#[values(Family::V4, Family::V6)] family: Family) {
    let (raw, (mut r, _w)) = raw_peer(family, &patient());
    let timeout = Duration::from_millis(300);
    r.set_read_timeout(Some(timeout));
    let deadline = Instant::now() + Duration::from_millis(500);
    r.set_deadline(Some(deadline));
    let stop = StopSignal::new().unwrap();
    let dripping = stop.clone();
    let dripper = thread::spawn(move || {
        // A byte every 50 ms, well inside the read timeout, until told to
        // stop (bounded: 200 bytes at most).
        for _ in 0..200 {
            if raw.send(b"x").is_err() || dripping.wait(Some(Duration::from_millis(50))).unwrap() {
                break;
            }
        }
    });
    let mut got = 0;
    let err = loop {
        match r.read(&mut [0; 16]) {
            Ok(0) => panic!("EOF from a dripping peer"),
            Ok(n) => got += n,
            Err(e) => break e,
        }
    };
    stop.stop();
    dripper.join().unwrap();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{err}");
    assert!(got > 0, "the drip never arrived");
    assert!(Instant::now() >= deadline);
    assert!(Instant::now() < deadline + SLACK);
}

#[rstest]
fn a_passed_write_deadline_fails_at_once(#[values(Family::V4, Family::V6)] family: Family) {
    let p = pair(family, &patient());
    let (_r, mut w) = p.server;
    w.set_deadline(Some(Instant::now()));
    let err = w.write_all(b"x").unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    w.set_deadline(None);
    w.write_all(b"x").unwrap();
}
