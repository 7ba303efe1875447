//! Ownership and interoperation: listeners to and from std and raw
//! descriptors, the two ports joined into one connection and split again,
//! and a connection handed to std with nothing left behind in a buffer.

mod util;

use std::io::{self, BufRead, Read, Write};
use std::os::fd::OwnedFd;

use rstest::rstest;
use tcp_ports::{TcpConnection, TcpListener};
use util::{Family, listener, pair, patient};

#[rstest]
fn a_listener_goes_to_std_and_comes_back(#[values(Family::V4, Family::V6)] family: Family) {
    let l = listener(family);
    let addr = l.local_addr();
    let std_listener = std::net::TcpListener::from(l);
    assert_eq!(std_listener.local_addr().unwrap(), addr);
    // Non-blocking, as tokio's from_std wants it.
    assert_eq!(
        std_listener.accept().unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );
    std_listener.set_nonblocking(false).unwrap();
    let _client = tcp_ports::connect_with(addr, &patient()).unwrap();
    let (_s, peer) = std_listener.accept().unwrap();
    assert_eq!(peer.ip(), family.ip());

    let back = TcpListener::try_from(std_listener).unwrap();
    assert_eq!(back.local_addr(), addr);
    let (i, _o) = tcp_ports::connect_with(addr, &patient()).unwrap();
    let (si, _so) = back.accept_with(&patient()).unwrap();
    assert_eq!(si.peer_addr(), i.local_addr());
}

#[test]
fn a_listener_goes_through_a_raw_descriptor() {
    let l = listener(Family::V4);
    let addr = l.local_addr();
    let fd = OwnedFd::from(l);
    let l = TcpListener::try_from(fd).unwrap();
    assert_eq!(l.local_addr(), addr);
    // Not a socket at all: refused, not panicking.
    let file = std::fs::File::open("/dev/null").unwrap();
    assert!(TcpListener::try_from(OwnedFd::from(file)).is_err());
}

#[rstest]
fn ports_join_into_one_connection_and_split_again(
    #[values(Family::V4, Family::V6)] family: Family,
) {
    let p = pair(family, &patient());
    let (ci, co) = p.client;
    let mut client = TcpConnection::join(ci, co).unwrap();
    let (si, so) = p.server;
    let mut server = TcpConnection::join(si, so).unwrap();
    assert_eq!(client.peer_addr(), server.local_addr());
    writeln!(client, "ping").unwrap();
    let mut line = String::new();
    server.read_line(&mut line).unwrap();
    assert_eq!(line, "ping\n");
    server.write_all(b"pong\n").unwrap();
    line.clear();
    client.read_line_max(&mut line, 16).unwrap();
    assert_eq!(line, "pong\n");
    let (ci, mut co) = client.split();
    co.write_all(b"again\n").unwrap();
    line.clear();
    server.read_line(&mut line).unwrap();
    assert_eq!(line, "again\n");
    drop(ci);
}

#[rstest]
fn ports_of_different_connections_do_not_join(#[values(Family::V4, Family::V6)] family: Family) {
    let a = pair(family, &patient());
    let b = pair(family, &patient());
    let err = TcpConnection::join(a.client.0, b.client.1).unwrap_err();
    assert!(err.to_string().contains("different connections"), "{err}");
    // The ports come back, still usable.
    let mut writer = err.writer;
    writer.write_all(b"still here\n").unwrap();
    let mut line = String::new();
    let (mut bi, _bo) = b.server;
    bi.read_line(&mut line).unwrap();
    assert_eq!(line, "still here\n");
}

#[rstest]
fn into_std_hands_back_the_unread_input(#[values(Family::V4, Family::V6)] family: Family) {
    let p = pair(family, &patient());
    let (_ci, mut co) = p.client;
    co.write_all(b"first\nsecond\n").unwrap();
    let (si, so) = p.server;
    let mut server = TcpConnection::join(si, so).unwrap();
    let mut line = String::new();
    server.read_line(&mut line).unwrap();
    assert_eq!(line, "first\n");
    let (mut stream, unread) = server.into_std().unwrap();
    assert_eq!(unread, b"second\n");
    // Blocking with no timeout, as std makes them.
    assert_eq!(stream.read_timeout().unwrap(), None);
    co.write_all(b"third\n").unwrap();
    let mut buf = [0; 6];
    stream.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"third\n");
    stream.write_all(b"reply\n").unwrap();
    let (mut ci, _co) = (_ci, co);
    line.clear();
    ci.read_line(&mut line).unwrap();
    assert_eq!(line, "reply\n");
}

#[rstest]
fn into_std_sends_buffered_output_first(#[values(Family::V4, Family::V6)] family: Family) {
    let config = patient().with_buffer_size(4096);
    let p = pair(family, &config);
    let (si, mut so) = p.server;
    so.write_all(b"buffered\n").unwrap();
    assert_eq!(so.buffered(), 9);
    let server = TcpConnection::join(si, so).unwrap();
    let (stream, unread) = server.into_std().unwrap();
    assert!(unread.is_empty());
    drop(stream);
    let (mut ci, _co) = p.client;
    let mut all = String::new();
    ci.read_to_string(&mut all).unwrap();
    assert_eq!(all, "buffered\n");
}
