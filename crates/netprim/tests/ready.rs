//! Readiness: SCM's `wait-for-input` (order kept, empty on timeout, a
//! `Duration`), the general `wait_for`, and `accept_ready` before and after a
//! connection arrives (docs/differences.md: "Readiness of a listener",
//! "Waiting for input").

mod util;

use std::io::{self, Write};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use netprim::{
    Domain, Interest, Ready, Socket, Type, wait_for, wait_for_input, wait_readable, wait_writable,
};
use rstest::rstest;
use util::Family;

fn pairs(n: usize) -> Vec<(Socket, Socket)> {
    (0..n)
        .map(|_| Socket::pair(Domain::UNIX, Type::STREAM, None).unwrap())
        .collect()
}

#[test]
fn ready_sockets_come_back_in_the_order_given() {
    let pairs = pairs(4);
    // Data for the last and the first, written in that order.
    pairs[3].0.send(b"x").unwrap();
    pairs[0].0.send(b"x").unwrap();
    let readers: Vec<&Socket> = pairs.iter().map(|(_, r)| r).collect();
    assert_eq!(
        wait_for_input(&readers, Some(util::WAIT)).unwrap(),
        vec![0, 3]
    );
    let reversed: Vec<&Socket> = readers.iter().rev().copied().collect();
    assert_eq!(
        wait_for_input(&reversed, Some(util::WAIT)).unwrap(),
        vec![0, 3]
    );
}

#[test]
fn nothing_ready_is_empty_after_the_timeout() {
    let pairs = pairs(2);
    let readers: Vec<&Socket> = pairs.iter().map(|(_, r)| r).collect();
    let timeout = Duration::from_millis(200);
    let started = Instant::now();
    assert!(wait_for_input(&readers, Some(timeout)).unwrap().is_empty());
    let waited = started.elapsed();
    assert!(waited >= timeout, "returned early: {waited:?}");
    assert!(waited < Duration::from_secs(2), "returned late: {waited:?}");
    // Zero polls without waiting.
    assert!(
        wait_for_input(&readers, Some(Duration::ZERO))
            .unwrap()
            .is_empty()
    );
    assert!(!wait_readable(&pairs[0].1, Some(Duration::ZERO)).unwrap());
}

#[test]
fn no_descriptors_wait_out_the_timeout() {
    let none: [&Socket; 0] = [];
    let started = Instant::now();
    assert!(
        wait_for_input(&none, Some(Duration::from_millis(50)))
            .unwrap()
            .is_empty()
    );
    assert!(started.elapsed() >= Duration::from_millis(50));
}

#[test]
fn eof_counts_as_input() {
    let (a, b) = Socket::pair(Domain::UNIX, Type::STREAM, None).unwrap();
    drop(a);
    assert_eq!(wait_for_input(&[&b], Some(util::WAIT)).unwrap(), vec![0]);
}

#[test]
fn mixed_descriptors_go_in_as_dyn_as_fd() {
    let (a, b) = Socket::pair(Domain::UNIX, Type::STREAM, None).unwrap();
    let (mut std_a, std_b) = std::os::unix::net::UnixStream::pair().unwrap();
    std_a.write_all(b"x").unwrap();
    let fds: [&dyn AsFd; 2] = [&b, &std_b];
    assert_eq!(wait_for_input(&fds, Some(util::WAIT)).unwrap(), vec![1]);
    a.send(b"y").unwrap();
    assert_eq!(wait_for_input(&fds, Some(util::WAIT)).unwrap(), vec![0, 1]);
}

#[rstest]
fn accept_ready_before_and_after_a_connect(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
) {
    let dir = util::scratch();
    let (listener, addr) = util::listener(family, dir.path());
    assert!(!listener.accept_ready().unwrap(), "nothing pending yet");
    assert!(
        wait_for_input(&[&listener], Some(Duration::ZERO))
            .unwrap()
            .is_empty()
    );

    let client = Socket::new(family.domain(), Type::STREAM, None).unwrap();
    client.connect(&addr).unwrap();
    // The handshake may finish a moment after connect returns: wait for it.
    assert_eq!(
        wait_for_input(&[&listener], Some(util::WAIT)).unwrap(),
        vec![0]
    );
    assert!(listener.accept_ready().unwrap());
    let (_conn, _) = listener.accept().unwrap();
    assert!(!listener.accept_ready().unwrap(), "taken");
}

#[rstest]
fn a_listener_and_its_connections_in_one_wait(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
) {
    // The SCM chat server's loop: the listener and the connections together.
    let dir = util::scratch();
    let (listener, addr) = util::listener(family, dir.path());
    let (client, server, _) = util::connected(family, dir.path());
    client.send(b"hi").unwrap();
    let other = Socket::new(family.domain(), Type::STREAM, None).unwrap();
    other.connect(&addr).unwrap();
    let mut ready = Vec::new();
    // Both become ready independently; gather until both are (bounded).
    let deadline = Instant::now() + util::WAIT;
    while ready != [0, 1] && Instant::now() < deadline {
        ready = wait_for_input(&[&listener, &server], Some(util::WAIT)).unwrap();
    }
    assert_eq!(ready, vec![0, 1]);
}

#[test]
fn wait_for_reports_each_interest() {
    let (a, b) = Socket::pair(Domain::UNIX, Type::STREAM, None).unwrap();
    a.send(b"x").unwrap();
    let got = wait_for(
        &[
            (&a, Interest::READ),
            (&b, Interest::BOTH),
            (&a, Interest::WRITE),
        ],
        Some(util::WAIT),
    )
    .unwrap();
    assert_eq!(
        got,
        vec![
            Ready {
                index: 1,
                readable: true,
                writable: true
            },
            Ready {
                index: 2,
                readable: false,
                writable: true
            },
        ]
    );
    let started = Instant::now();
    let none = wait_for(&[(&a, Interest::READ)], Some(Duration::from_millis(200))).unwrap();
    assert!(none.is_empty());
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[test]
fn a_full_socket_is_not_writable_until_read() {
    let (a, b) = Socket::pair(Domain::UNIX, Type::STREAM, None).unwrap();
    a.set_nonblocking(true).unwrap();
    let chunk = [0u8; 64 * 1024];
    let mut sent = 0usize;
    // Bounded: the kernel's buffers are far smaller than 4096 chunks.
    for _ in 0..4096 {
        match a.send(&chunk) {
            Ok(n) => sent += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(!wait_writable(&a, Some(Duration::ZERO)).unwrap());
    let mut sink = vec![0u8; sent];
    b.set_nonblocking(true).unwrap();
    let mut drained = 0;
    while drained < sent {
        match b.recv(&mut sink[drained..]) {
            Ok(n) => drained += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(wait_writable(&a, Some(util::WAIT)).unwrap());
}

#[test]
fn duration_max_means_no_limit() {
    let (a, b) = Socket::pair(Domain::UNIX, Type::STREAM, None).unwrap();
    a.send(b"x").unwrap();
    assert_eq!(wait_for_input(&[&b], Some(Duration::MAX)).unwrap(), vec![0]);
    assert_eq!(wait_for_input(&[&b], None).unwrap(), vec![0]);
}
