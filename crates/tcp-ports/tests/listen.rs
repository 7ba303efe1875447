//! Listening: port 0, busy ports, hosts and families, dual stack, backlog,
//! readiness, close.

mod util;

use std::io::{self, Read};
use std::os::fd::AsRawFd;

use rstest::rstest;
use tcp_ports::{ListenOptions, TcpConfig};
use util::{Family, PATIENCE, patient};

#[rstest]
fn port_zero_picks_a_free_port(#[values(Family::V4, Family::V6)] family: Family) {
    let l = util::listener(family);
    assert_ne!(l.port(), 0);
    assert_eq!(l.local_addr().ip(), family.ip());
    assert_eq!(l.local_addr().port(), l.port());
    assert_eq!(l.local_addr().to_string(), family.host_port(l.port()));
}

#[rstest]
fn a_busy_port_is_addr_in_use(#[values(Family::V4, Family::V6)] family: Family) {
    let l = util::listener(family);
    let err = tcp_ports::listen_on(family.host(), l.port()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AddrInUse, "{err}");
    assert!(tcp_ports::is_network_error(&err));
    assert!(
        err.to_string()
            .starts_with(&format!("listen on {}", l.local_addr())),
        "{err}"
    );
}

#[rstest]
#[case::ipv4("127.0.0.1", Family::V4)]
#[case::name("localhost", Family::V4)]
#[case::ipv6("::1", Family::V6)]
#[case::bracketed_ipv6("[::1]", Family::V6)]
fn hosts_by_name_or_address(#[case] host: &str, #[case] family: Family) {
    let l = tcp_ports::listen_on(host, 0).unwrap();
    assert_eq!(l.local_addr().ip(), family.ip());
}

#[test]
fn without_a_host_every_ipv4_interface() {
    let l = tcp_ports::listen(0).unwrap();
    assert_eq!(l.local_addr().to_string(), format!("0.0.0.0:{}", l.port()));
    let _c = tcp_ports::connect(("127.0.0.1", l.port())).unwrap();
    l.accept_with(&patient()).unwrap();
}

#[test]
fn ipv6_any_is_ipv6_only_unless_asked() {
    let v6 = tcp_ports::listen_on("::", 0).unwrap();
    // IPv6 only: the same port is still free on IPv4.
    let v4 = tcp_ports::listen_on("0.0.0.0", v6.port()).unwrap();
    assert_eq!(v4.port(), v6.port());
    drop((v4, v6));

    let both = ListenOptions::new(0)
        .host("::")
        .dual_stack(true)
        .listen()
        .unwrap();
    let err = tcp_ports::listen_on("0.0.0.0", both.port()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
    let _c = tcp_ports::connect(("127.0.0.1", both.port())).unwrap();
    let (r, _w) = both.accept_with(&patient()).unwrap();
    assert_eq!(r.peer_addr().ip(), Family::V4.ip());
}

#[rstest]
#[case::empty_host(ListenOptions::new(0).host(""))]
#[case::spaces(ListenOptions::new(0).host("no such host"))]
#[case::half_bracket(ListenOptions::new(0).host("[::1"))]
#[case::dual_stack_on_ipv4(ListenOptions::new(0).host("127.0.0.1").dual_stack(true))]
#[case::huge_backlog(ListenOptions::new(0).host("127.0.0.1").backlog(u32::MAX))]
fn bad_arguments_are_invalid_input(#[case] options: ListenOptions) {
    let err = options.listen().unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
    assert!(!tcp_ports::is_network_error(&err), "{err}");
}

#[test]
fn a_backlog_can_be_given() {
    let l = ListenOptions::new(0)
        .host("127.0.0.1")
        .backlog(1)
        .listen()
        .unwrap();
    let _c = tcp_ports::connect(l.local_addr()).unwrap();
    l.accept_with(&patient()).unwrap();
    assert!(tcp_ports::default_backlog() >= tcp_ports::MIN_DEFAULT_BACKLOG);
}

#[test]
fn a_burst_of_connections_waits_in_the_default_queue() {
    let l = util::listener(Family::V4);
    // More than CHICKEN's documented (4) and real (100) defaults.
    let config = TcpConfig::new().with_connect_timeout(Some(PATIENCE));
    let clients: Vec<_> = (0..200)
        .map(|_| tcp_ports::connect_with(l.local_addr(), &config).unwrap())
        .collect();
    for _ in &clients {
        l.accept_with(&patient()).unwrap();
    }
}

#[rstest]
fn accept_ready_before_and_after_a_connect(#[values(Family::V4, Family::V6)] family: Family) {
    let l = util::listener(family);
    assert!(!l.accept_ready().unwrap());
    let _c = tcp_ports::connect(l.local_addr()).unwrap();
    // The handshake ends on the server side a moment after connect returns.
    assert!(netprim::wait_readable(&l, Some(PATIENCE)).unwrap());
    assert!(l.accept_ready().unwrap());
    l.accept_with(&patient()).unwrap();
    assert!(!l.accept_ready().unwrap());
}

#[test]
fn fileno_and_close() {
    let l = util::listener(Family::V4);
    assert!(l.as_raw_fd() >= 0);
    // A connection still in the queue shows the close: it is reset. (A
    // connect after the close could race with another test taking the
    // freed port.)
    let (mut waiting, _w) = tcp_ports::connect_with(l.local_addr(), &patient()).unwrap();
    l.close().unwrap();
    let err = waiting.read(&mut [0; 1]).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::ConnectionReset, "{err}");
}

#[test]
fn many_threads_accept_on_one_listener() {
    let l = std::sync::Arc::new(util::listener(Family::V4));
    let acceptors: Vec<_> = (0..3)
        .map(|_| {
            let l = std::sync::Arc::clone(&l);
            std::thread::spawn(move || l.accept_with(&patient()).map(|(r, _w)| r.peer_addr()))
        })
        .collect();
    let clients: Vec<_> = (0..3)
        .map(|_| tcp_ports::connect(l.local_addr()).unwrap())
        .collect();
    let mut accepted: Vec<_> = acceptors
        .into_iter()
        .map(|t| t.join().unwrap().unwrap())
        .collect();
    let mut connected: Vec<_> = clients.iter().map(|(r, _)| r.local_addr()).collect();
    accepted.sort();
    connected.sort();
    assert_eq!(accepted, connected);
}

#[test]
fn listeners_reuse_addresses() {
    use std::os::fd::AsFd;
    let l = util::listener(Family::V6);
    let s = netprim::Socket::from(l.as_fd().try_clone_to_owned().unwrap());
    assert!(s.reuse_address().unwrap());
    assert!(s.only_v6().unwrap());
}

#[rstest]
fn accept_nonblocking_gives_a_nonblocking_stream_and_its_peer(
    #[values(Family::V4, Family::V6)] family: Family,
) {
    let listener = std::net::TcpListener::from(util::listener(family));
    let nothing = tcp_ports::accept_nonblocking(&listener).unwrap_err();
    assert_eq!(nothing.kind(), io::ErrorKind::WouldBlock, "{nothing}");
    let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    assert!(netprim::wait_readable(&listener, Some(PATIENCE)).unwrap());
    let (mut accepted, peer) = tcp_ports::accept_nonblocking(&listener).unwrap();
    assert_eq!(peer, client.local_addr().unwrap());
    // Nothing sent yet: a blocking stream would wait here.
    let err = accepted.read(&mut [0; 8]).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock, "{err}");
}
