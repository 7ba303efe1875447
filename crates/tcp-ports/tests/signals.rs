//! Timeouts hold under a stream of signals: with a kernel timeout set,
//! Linux never restarts an interrupted `recv`/`send`, so each `EINTR` must
//! re-arm the wait with the time that remains, neither failing early nor
//! starting the full timeout again.

mod util;

use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::pthread::{pthread_kill, pthread_self};
use nix::sys::signal::Signal;
use rstest::rstest;
use util::{Family, assert_timed_out, pair, patient, raw_peer};

/// Interrupts thread `target` with SIGUSR1 every millisecond until `done`
/// fires, at most 10,000 times; returns how many signals were sent.
fn pester(
    target: nix::sys::pthread::Pthread,
    done: tcp_ports::StopSignal,
) -> thread::JoinHandle<usize> {
    thread::spawn(move || {
        let mut sent = 0;
        for _ in 0..10_000 {
            if done.wait(Some(Duration::from_millis(1))).unwrap() {
                break;
            }
            if pthread_kill(target, Signal::SIGUSR1).is_err() {
                break;
            }
            sent += 1;
        }
        sent
    })
}

fn count_sigusr1() -> (Arc<AtomicUsize>, signal_hook::SigId) {
    let caught = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&caught);
    // signal-hook installs the handler with SA_RESTART, the case where a
    // naive retry would restart the whole timeout.
    let id =
        signal_hook::flag::register_usize(signal_hook::consts::SIGUSR1, Arc::clone(&counter), 1)
            .unwrap();
    (caught, id)
}

#[rstest]
fn a_read_timeout_holds_under_a_stream_of_signals(
    #[values(Family::V4, Family::V6)] family: Family,
) {
    let (caught, id) = count_sigusr1();
    let p = pair(family, &patient());
    let (mut r, _w) = p.server;
    let timeout = Duration::from_millis(300);
    r.set_read_timeout(Some(timeout));
    let (tx, rx) = mpsc::channel();
    let reader = thread::spawn(move || {
        tx.send(pthread_self()).unwrap();
        let started = Instant::now();
        (r.read(&mut [0; 8]), started)
    });
    let done = tcp_ports::StopSignal::new().unwrap();
    let pesterer = pester(rx.recv().unwrap(), done.clone());
    let (result, started) = reader.join().unwrap();
    done.stop();
    let sent = pesterer.join().unwrap();
    signal_hook::low_level::unregister(id);
    assert!(sent > 10, "only {sent} signals sent");
    assert!(caught.load(Ordering::Relaxed) > 0);
    assert_timed_out(result, "read from", started, timeout);
}

#[rstest]
fn a_write_timeout_holds_under_a_stream_of_signals(
    #[values(Family::V4, Family::V6)] family: Family,
) {
    let (_caught, id) = count_sigusr1();
    let (_raw, (_r, mut w)) = raw_peer(family, &patient());
    let timeout = Duration::from_millis(300);
    w.set_write_timeout(Some(timeout));
    let (tx, rx) = mpsc::channel();
    let writer = thread::spawn(move || {
        tx.send(pthread_self()).unwrap();
        let chunk = vec![1u8; 64 * 1024];
        // Fill the buffers (bounded), then time the write that waits.
        for _ in 0..100_000 {
            let started = Instant::now();
            if let Err(e) = w.write_all(&chunk) {
                return (Err::<(), _>(e), started);
            }
        }
        panic!("the peer never stopped taking data");
    });
    let done = tcp_ports::StopSignal::new().unwrap();
    let pesterer = pester(rx.recv().unwrap(), done.clone());
    let (result, started) = writer.join().unwrap();
    done.stop();
    pesterer.join().unwrap();
    signal_hook::low_level::unregister(id);
    assert_timed_out(result, "write to", started, timeout);
}
