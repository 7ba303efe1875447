//! Hostile clients against both servers: silent and trickling clients,
//! clients that never read, that reset mid-reply, that send garbage or a
//! line past the limit. Meanwhile well-behaved clients keep being served,
//! and the server's resident memory stays within a stated bound.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use reliability::hostile::{closed_within, connect, fill_without_reading};
use reliability::{EchoRun, Layer, PATIENCE, Server, echo_load};
use rstest::rstest;

/// Closes a connection whose client sends nothing for this long.
const READ_TIMEOUT_MS: u64 = 500;
/// Closes any connection this long after its accept.
const DEADLINE_MS: u64 = 3000;
/// How much the server's resident memory may grow while hostile clients
/// come and go: far below what holding their bytes would take (megabytes
/// each), above allocator and thread-stack noise (up to 7 MiB seen).
const MEMORY_BOUND: u64 = 16 << 20;

fn echo_server(layer: Layer) -> Server {
    let (read, deadline) = (READ_TIMEOUT_MS.to_string(), DEADLINE_MS.to_string());
    layer
        .start("echo", &["--read-timeout", &read, "--deadline", &deadline])
        .unwrap()
}

/// Well-behaved echo clients, every byte checked.
fn good_clients(addr: SocketAddr, clients: usize) {
    let run = EchoRun {
        clients,
        concurrency: clients,
        hold: None,
        max_payload: 32 * 1024,
        deadline: PATIENCE,
    };
    let report = echo_load(addr, &run).unwrap();
    assert_eq!(report.clients, clients);
}

/// The server's memory now, after a first round of good clients: what the
/// first connections allocate for good is not growth.
fn baseline(server: &mut Server) -> u64 {
    good_clients(server.addr(), 40);
    server.rss().unwrap()
}

fn assert_memory_bounded(server: &mut Server, before: u64) {
    let after = server.rss().unwrap();
    eprintln!("{}: VmRSS {before} -> {after} bytes", server.name());
    assert!(
        after <= before + MEMORY_BOUND,
        "{}: VmRSS grew from {before} to {after} bytes (bound: {MEMORY_BOUND})",
        server.name()
    );
}

/// Sends a byte every `period` until the server closes the connection;
/// the time from connect to the close.
fn trickle(addr: SocketAddr, period: Duration) -> Duration {
    let started = Instant::now();
    let mut s = connect(addr);
    // Bounded: 100 bytes at most, at least 100 ms apart, is far past the
    // deadline that must close it.
    for _ in 0..100 {
        if s.write_all(b"x").is_err() {
            return started.elapsed();
        }
        // Pacing a deliberately slow client, not waiting for a condition.
        thread::sleep(period);
    }
    panic!("a client trickling a byte every {period:?} was never closed");
}

#[rstest]
fn silent_and_trickling_clients_are_closed_while_others_are_served(
    #[values(Layer::Threaded, Layer::Async)] layer: Layer,
) {
    let mut server = echo_server(layer);
    let addr = server.addr();
    let before = baseline(&mut server);
    let silent: Vec<TcpStream> = (0..100).map(|_| connect(addr)).collect();
    // Faster than the read timeout: only the deadline closes these. Slower
    // than it: the read timeout closes those.
    let tricklers: Vec<_> = [200, 200, 200, 200, 1000, 1000]
        .into_iter()
        .map(|ms| thread::spawn(move || trickle(addr, Duration::from_millis(ms))))
        .collect();
    good_clients(addr, 100);
    let limit = Duration::from_millis(DEADLINE_MS) + PATIENCE;
    for t in tricklers {
        let lasted = t.join().unwrap();
        assert!(lasted < limit, "a trickler lasted {lasted:?}");
    }
    for (n, s) in silent.into_iter().enumerate() {
        closed_within(s, PATIENCE, &format!("silent client {n}"));
    }
    good_clients(addr, 40);
    assert_memory_bounded(&mut server, before);
    server.alive().unwrap();
}

/// Waits until the server has dropped `s` without reading from it: the
/// server closed with our bytes unread, so its close was a reset, which
/// the kernel records as the socket's pending error and reports to poll(2)
/// as an error and hang-up. No events are asked for, so the unread replies
/// already waiting do not wake it.
fn reset_within(s: &TcpStream, within: Duration, what: &str) {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::os::fd::AsFd;

    let deadline = Instant::now() + within;
    loop {
        if s.take_error().unwrap().is_some() {
            return;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "{what}: not dropped in {within:?}");
        let mut fds = [PollFd::new(s.as_fd(), PollFlags::empty())];
        // Bounded by the deadline; EINTR or a hang-up without a reset
        // loops to the check above.
        let _ = poll(
            &mut fds,
            PollTimeout::try_from(left).unwrap_or(PollTimeout::MAX),
        );
    }
}

#[rstest]
fn clients_that_never_read_are_dropped_and_stall_nobody(
    #[values(Layer::Threaded, Layer::Async)] layer: Layer,
) {
    let mut server = echo_server(layer);
    let addr = server.addr();
    let before = baseline(&mut server);
    let started = Instant::now();
    let stuck: Vec<_> = (0..16)
        .map(|_| thread::spawn(move || fill_without_reading(addr)))
        .collect();
    let stuck: Vec<TcpStream> = stuck.into_iter().map(|t| t.join().unwrap()).collect();
    // The server is blocked writing to each of them now; the others go on.
    good_clients(addr, 100);
    let limit = Duration::from_millis(DEADLINE_MS) + PATIENCE;
    for (n, s) in stuck.iter().enumerate() {
        let left = limit.saturating_sub(started.elapsed());
        reset_within(s, left, &format!("never-reading client {n}"));
    }
    drop(stuck);
    good_clients(addr, 40);
    assert_memory_bounded(&mut server, before);
    server.alive().unwrap();
}

#[rstest]
fn clients_that_reset_mid_reply_end_only_their_own_connection(
    #[values(Layer::Threaded, Layer::Async)] layer: Layer,
) {
    let mut server = echo_server(layer);
    let addr = server.addr();
    let before = baseline(&mut server);
    let rude: Vec<_> = (0..50)
        .map(|n| {
            thread::spawn(move || {
                let mut s = connect(addr);
                let sent = reliability_payload(n);
                s.write_all(&sent).unwrap();
                let mut first = vec![0; 1000];
                s.read_exact(&mut first).unwrap();
                assert_eq!(first, sent[..1000], "rude client {n}: its echo");
                // Gone mid-reply, with most of it still in flight.
                socket2::SockRef::from(&s)
                    .set_linger(Some(Duration::ZERO))
                    .unwrap();
            })
        })
        .collect();
    good_clients(addr, 100);
    for t in rude {
        t.join().unwrap();
    }
    good_clients(addr, 40);
    assert_memory_bounded(&mut server, before);
    server.alive().unwrap();
}

/// 256 KiB that a client sends before it resets.
fn reliability_payload(n: u8) -> Vec<u8> {
    (0..256 * 1024u32).map(|i| (i as u8) ^ n).collect()
}

#[rstest]
fn garbage_where_a_line_is_due_ends_that_connection_only(
    #[values(Layer::Threaded, Layer::Async)] layer: Layer,
) {
    let mut server = layer.start("hello", &[]).unwrap();
    let addr = server.addr();
    let before = server.rss().unwrap();
    let garbage: Vec<u8> = (0..200 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .filter(|b| *b != b'\n')
        .collect();
    let hostile: Vec<_> = (0..20)
        .map(|_| {
            let garbage = garbage.clone();
            thread::spawn(move || {
                let mut s = connect(addr);
                // It may close (even reset) before all is sent.
                let _ = s.write_all(&garbage);
                closed_within(s, PATIENCE, "a client sending garbage");
            })
        })
        .collect();
    for _ in 0..20 {
        let mut s = connect(addr);
        s.write_all(b"Good Bye!\n").unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        assert_eq!(text, "Hello!\n");
    }
    for t in hostile {
        t.join().unwrap();
    }
    assert_memory_bounded(&mut server, before);
    server.alive().unwrap();
}
