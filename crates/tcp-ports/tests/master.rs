//! Vicare's master socket: IPv4, reuse and linger, port 0, accepting into a
//! non-blocking server socket and port, raw client address bytes, and
//! `WouldBlock` when nothing is pending.

mod util;

use std::io::{self, Read, Write};
use std::time::Duration;

use netprim::SockAddr;
use rstest::rstest;
use tcp_ports::{MASTER_LINGER, MasterSocket};
use util::{PATIENCE, patient};

#[rstest]
#[case::name("localhost")]
#[case::address("127.0.0.1")]
fn a_master_socket_listens_on_an_interface(#[case] interface: &str) {
    let master = MasterSocket::bind(interface, 0, 10).unwrap();
    let addr = master.local_addr();
    assert_eq!(addr.ip().to_string(), "127.0.0.1");
    assert_ne!(addr.port(), 0);
    let s = master.socket();
    assert!(s.reuse_address().unwrap());
    assert_eq!(s.linger().unwrap(), Some(MASTER_LINGER));
    assert!(s.nonblocking().unwrap());
}

#[test]
fn nothing_pending_is_would_block() {
    let master = MasterSocket::bind("127.0.0.1", 0, 1).unwrap();
    let err = master.accept().unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    assert!(
        err.to_string().contains(&master.local_addr().to_string()),
        "{err}"
    );
}

#[test]
fn accepting_gives_a_non_blocking_port_and_the_client_address_bytes() {
    let master = MasterSocket::bind("localhost", 0, 4).unwrap();
    let (mut ci, mut co) = tcp_ports::connect_with(master.local_addr(), &patient()).unwrap();
    assert!(netprim::wait_readable(&master, Some(PATIENCE)).unwrap());
    let (mut port, client) = master.accept().unwrap();

    let parsed = SockAddr::from_bytes(&client).unwrap();
    assert_eq!(parsed.as_socket(), Some(co.local_addr()));
    assert_eq!(port.peer_addr(), co.local_addr());
    assert!(port.socket().nonblocking().unwrap());
    // Inherited from the master socket, as in Vicare.
    assert_eq!(port.socket().linger().unwrap(), Some(MASTER_LINGER));

    let err = port.read(&mut [0; 8]).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    co.write_all(b"ping").unwrap();
    assert!(netprim::wait_readable(&port, Some(PATIENCE)).unwrap());
    let mut buf = [0; 4];
    port.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"ping");
    port.write_all(b"pong").unwrap();
    ci.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"pong");

    // Closing the port closes the socket: the client sees EOF.
    port.close().unwrap();
    assert_eq!(ci.read(&mut buf).unwrap(), 0);
    master.close().unwrap();
}

#[test]
fn port_zero_picks_a_port_and_a_busy_one_is_addr_in_use() {
    let master = MasterSocket::bind("127.0.0.1", 0, 1).unwrap();
    let err = MasterSocket::bind("127.0.0.1", master.local_addr().port(), 1).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AddrInUse, "{err}");
}

#[test]
fn ipv4_only_and_bad_arguments() {
    let err = MasterSocket::bind("::1", 0, 1).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AddrNotAvailable, "{err}");
    assert!(err.to_string().contains("::1"), "{err}");
    let err = MasterSocket::bind("127.0.0.1", 0, u32::MAX).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
    let err = MasterSocket::bind("", 0, 1).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
}

#[test]
fn the_master_socket_is_readable_when_a_connection_is_pending() {
    let master = MasterSocket::bind("127.0.0.1", 0, 1).unwrap();
    assert!(!netprim::wait_readable(&master, Some(Duration::ZERO)).unwrap());
    let _c = tcp_ports::connect(master.local_addr()).unwrap();
    assert!(netprim::wait_readable(&master, Some(PATIENCE)).unwrap());
    master.accept().unwrap();
}
