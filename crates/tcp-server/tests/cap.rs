//! MAXREQUESTS: at most N connections handled at once; the others wait in
//! the kernel's queue, unaccepted, and are served in order as slots free.

mod util;

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rstest::rstest;
use tcp_server::ServerBuilder;
use util::{Gate, PATIENCE, connect, line, start_on};

#[rstest]
#[case::ipv4("127.0.0.1")]
#[case::ipv6("::1")]
fn never_more_than_the_cap_and_the_rest_in_order(#[case] host: &str) {
    const CAP: usize = 2;
    const EXTRA: usize = 3;
    let (gate, arrived) = Gate::new();
    let running_now = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let server = {
        let (gate, running_now, most) = (gate.clone(), Arc::clone(&running_now), Arc::clone(&most));
        start_on(host, ServerBuilder::new().max_requests(CAP), move |conn| {
            let now = running_now.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            gate.pass(u64::from(conn.peer_addr().port()));
            running_now.fetch_sub(1, Ordering::SeqCst);
            writeln!(conn, "served")
        })
    };
    // One after the other, so the kernel queues them in this order.
    let mut clients: Vec<_> = (0..CAP + EXTRA).map(|_| connect(server.addr)).collect();
    let ports: Vec<u64> = clients
        .iter()
        .map(|(i, _)| u64::from(i.local_addr().port()))
        .collect();

    let mut first: Vec<u64> = (0..CAP)
        .map(|_| arrived.recv_timeout(PATIENCE).expect("a handler"))
        .collect();
    first.sort();
    let mut expected_first = ports[..CAP].to_vec();
    expected_first.sort();
    assert_eq!(first, expected_first);
    // The others were not even accepted: no slot, no accept.
    assert_eq!(server.handle.stats().accepted, CAP as u64);

    // Each freed slot lets exactly the next waiting client in, in order.
    for &port in &ports[CAP..] {
        gate.open(1);
        assert_eq!(arrived.recv_timeout(PATIENCE).expect("the next one"), port);
    }
    gate.open(CAP);
    for (i, _) in &mut clients {
        assert_eq!(line(i).unwrap(), "served");
    }
    assert_eq!(most.load(Ordering::SeqCst), CAP);
    let summary = server.stop().unwrap();
    assert_eq!(summary.served, (CAP + EXTRA) as u64);
}

#[test]
fn a_cap_of_zero_is_invalid_input_naming_it() {
    let listener = tcp_ports::listen_on("127.0.0.1", 0).unwrap();
    let err = ServerBuilder::new()
        .max_requests(0)
        .build(listener, |_| Ok(()))
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("max_requests 0"), "{err}");
}

#[test]
fn without_a_cap_the_pool_maximum_limits() {
    let (gate, arrived) = Gate::new();
    let server = {
        let gate = gate.clone();
        util::start(ServerBuilder::new().max_threads(1), move |conn| {
            gate.pass(conn.id());
            writeln!(conn, "{}", conn.id())
        })
    };
    let (mut a, _wa) = connect(server.addr);
    let (mut b, _wb) = connect(server.addr);
    assert_eq!(arrived.recv_timeout(PATIENCE).unwrap(), 1);
    assert_eq!(server.handle.stats().accepted, 1);
    gate.open(2);
    assert_eq!(line(&mut a).unwrap(), "1");
    assert_eq!(line(&mut b).unwrap(), "2");
    assert!(server.handle.stats().threads <= 1);
}
