//! The socket's life: creation of every family and style, socket pairs,
//! bind/connect/listen/accept, names, shutdown, non-blocking mode, close,
//! Unix socket files and abstract names.

mod util;

use std::io::{self, Read, Write};
use std::net::Shutdown;

use netprim::{
    Domain, Protocol, SockAddr, Socket, Type, UnixAddr, remove_socket_file, shutdown_how,
};
use rstest::rstest;
use util::{Family, expect_err};

#[rstest]
fn creates_every_family_and_style(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
    #[values(Type::STREAM, Type::DGRAM)] ty: Type,
) {
    let s = Socket::new(family.domain(), ty, None).unwrap();
    assert_eq!(s.r#type().unwrap(), ty);
    assert!(!s.nonblocking().unwrap(), "blocking by default");
    assert_eq!(s.local_addr().unwrap().family(), family.domain());
}

#[rstest]
#[case(Family::V4, Type::STREAM, Protocol::TCP)]
#[case(Family::V6, Type::STREAM, Protocol::TCP)]
#[case(Family::V4, Type::DGRAM, Protocol::UDP)]
#[case(Family::V6, Type::DGRAM, Protocol::UDP)]
fn creates_with_an_explicit_protocol(
    #[case] family: Family,
    #[case] ty: Type,
    #[case] protocol: Protocol,
) {
    let s = Socket::new(family.domain(), ty, Some(protocol)).unwrap();
    assert_eq!(s.r#type().unwrap(), ty);
}

#[test]
fn a_protocol_that_does_not_fit_the_style_is_refused() {
    let err = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::UDP)).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EPROTONOSUPPORT), "{err}");
}

#[test]
fn creates_a_unix_seqpacket_socket() {
    let s = Socket::new(Domain::UNIX, Type::SEQPACKET, None).unwrap();
    assert_eq!(s.r#type().unwrap(), Type::SEQPACKET);
}

/// Raw sockets need `CAP_NET_RAW`: with it, creation must succeed; without
/// it, it must fail with `PermissionDenied`. Either way something is checked.
#[rstest]
#[case(Family::V4, Protocol::ICMPV4)]
#[case(Family::V6, Protocol::ICMPV6)]
fn raw_sockets_follow_the_capability(#[case] family: Family, #[case] protocol: Protocol) {
    let result = Socket::new(family.domain(), Type::RAW, Some(protocol));
    if util::has_cap_net_raw() {
        assert_eq!(result.unwrap().r#type().unwrap(), Type::RAW);
    } else {
        expect_err(result, io::ErrorKind::PermissionDenied);
    }
}

#[rstest]
fn socket_pairs_talk_both_ways(#[values(Type::STREAM, Type::DGRAM, Type::SEQPACKET)] ty: Type) {
    let (a, b) = Socket::pair(Domain::UNIX, ty, None).unwrap();
    let (a, b) = (util::timed(a), util::timed(b));
    a.send(b"ping").unwrap();
    let mut buf = [0; 8];
    assert_eq!(b.recv(&mut buf).unwrap(), 4);
    assert_eq!(&buf[..4], b"ping");
    b.send(b"pong").unwrap();
    assert_eq!(a.recv(&mut buf).unwrap(), 4);
    assert_eq!(&buf[..4], b"pong");
    assert!(a.local_addr().unwrap().is_unnamed());
    assert!(a.peer_addr().unwrap().is_unnamed());
}

#[rstest]
fn socket_pairs_of_ip_families_are_unsupported(#[values(Family::V4, Family::V6)] family: Family) {
    let err = Socket::pair(family.domain(), Type::STREAM, None).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EOPNOTSUPP), "{err}");
}

#[rstest]
fn accept_returns_the_connection_and_the_peer_address(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
) {
    let dir = util::scratch();
    let (listener, addr) = util::listener(family, dir.path());
    // Bind the client too, so that its address is something to compare.
    let client = util::bound(family, Type::STREAM, dir.path());
    client.connect(&addr).unwrap();
    let (server, peer) = listener.accept().unwrap();

    assert_eq!(peer, client.local_addr().unwrap());
    assert_eq!(server.peer_addr().unwrap(), peer);
    assert_eq!(client.peer_addr().unwrap(), addr);
    assert_eq!(server.local_addr().unwrap(), addr);
    if family.is_ip() {
        assert_ne!(addr.port(), Some(0), "bind to port 0 picks a port");
    }
    (&client).write_all(b"over").unwrap();
    assert_eq!(util::read_n(&server, 4), b"over");
}

#[test]
fn an_unbound_unix_client_is_unnamed_to_the_server() {
    let dir = util::scratch();
    let (_client, server, peer) = util::connected(Family::Unix, dir.path());
    assert_eq!(peer, SockAddr::Unix(UnixAddr::Unnamed));
    assert!(server.peer_addr().unwrap().is_unnamed());
}

#[rstest]
fn names_of_an_unconnected_socket(#[values(Family::V4, Family::V6, Family::Unix)] family: Family) {
    let dir = util::scratch();
    let s = util::bound(family, Type::STREAM, dir.path());
    let local = s.local_addr().unwrap();
    assert_eq!(local.family(), family.domain());
    if family == Family::Unix {
        assert!(local.path().unwrap().starts_with(dir.path()));
    }
    expect_err(s.peer_addr(), io::ErrorKind::NotConnected);
}

#[rstest]
fn shutdown_write_sends_eof_and_keeps_reading(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
) {
    let dir = util::scratch();
    let (client, server, _) = util::connected(family, dir.path());
    client.send(b"last").unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    assert_eq!(util::read_n(&server, 4), b"last");
    let mut buf = [0; 4];
    assert_eq!(server.recv(&mut buf).unwrap(), 0, "EOF after the data");
    // The other direction still works.
    server.send(b"back").unwrap();
    assert_eq!(util::read_n(&client, 4), b"back");
    expect_err(client.send(b"more"), io::ErrorKind::BrokenPipe);
}

#[rstest]
fn shutdown_read_gives_eof_at_once(#[values(Family::V4, Family::V6, Family::Unix)] family: Family) {
    let dir = util::scratch();
    let (client, server, _) = util::connected(family, dir.path());
    client.shutdown(Shutdown::Read).unwrap();
    let mut buf = [0; 4];
    assert_eq!(client.recv(&mut buf).unwrap(), 0);
    // Writing is still allowed.
    client.send(b"ok").unwrap();
    assert_eq!(util::read_n(&server, 2), b"ok");
}

#[rstest]
fn shutdown_both_stops_both_ways(#[values(Family::V4, Family::V6, Family::Unix)] family: Family) {
    let dir = util::scratch();
    let (client, server, _) = util::connected(family, dir.path());
    client.shutdown(Shutdown::Both).unwrap();
    let mut buf = [0; 4];
    assert_eq!(client.recv(&mut buf).unwrap(), 0);
    expect_err(client.send(b"x"), io::ErrorKind::BrokenPipe);
    assert_eq!(server.recv(&mut buf).unwrap(), 0, "the peer sees EOF");
}

#[test]
fn shutdown_of_an_unconnected_socket_is_not_connected() {
    let s = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    expect_err(s.shutdown(Shutdown::Both), io::ErrorKind::NotConnected);
}

#[rstest]
#[case(0, Shutdown::Read)]
#[case(1, Shutdown::Write)]
#[case(2, Shutdown::Both)]
fn shutdown_how_maps_scheme_integers(#[case] how: i32, #[case] expected: Shutdown) {
    assert_eq!(shutdown_how(how).unwrap(), expected);
}

#[rstest]
fn shutdown_how_refuses_other_integers(#[values(-1, 3, i32::MAX)] how: i32) {
    let err = expect_err(shutdown_how(how), io::ErrorKind::InvalidInput);
    util::assert_mentions(&err, &how.to_string());
}

#[rstest]
fn non_blocking_calls_would_block(#[values(Family::V4, Family::V6, Family::Unix)] family: Family) {
    let dir = util::scratch();
    let (listener, _) = util::listener(family, dir.path());
    listener.set_nonblocking(true).unwrap();
    assert!(listener.nonblocking().unwrap());
    expect_err(listener.accept(), io::ErrorKind::WouldBlock);

    let (client, _server, _) = util::connected(family, dir.path());
    client.set_nonblocking(true).unwrap();
    let mut buf = [0; 4];
    expect_err(client.recv(&mut buf), io::ErrorKind::WouldBlock);
    expect_err((&client).read(&mut buf), io::ErrorKind::WouldBlock);
    client.set_nonblocking(false).unwrap();
    assert!(!client.nonblocking().unwrap());
}

#[rstest]
fn non_blocking_send_fills_up_and_would_block(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
) {
    let dir = util::scratch();
    let (client, _server, _) = util::connected(family, dir.path());
    client.set_nonblocking(true).unwrap();
    let chunk = [7u8; 64 * 1024];
    // The kernel's buffers are a few MiB at most; 4096 chunks is 256 MiB.
    for _ in 0..4096 {
        match client.send(&chunk) {
            Ok(n) => assert!(n > 0),
            Err(e) => {
                assert_eq!(e.kind(), io::ErrorKind::WouldBlock, "{e}");
                return;
            }
        }
    }
    panic!("256 MiB went into a socket nobody reads");
}

#[rstest]
fn close_reports_success_and_releases_the_address(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
) {
    let dir = util::scratch();
    let (listener, addr, _holder) = if family.is_ip() {
        // A second socket on the same port (SO_REUSEPORT), bound but not
        // listening, keeps any other test from listening on the port once
        // the listener is gone, so "refused" can only come from the close.
        let listener = util::timed(Socket::new(family.domain(), Type::STREAM, None).unwrap());
        listener.set_reuse_port(true).unwrap();
        listener
            .bind(&util::local_address(family, dir.path()))
            .unwrap();
        listener.listen(8).unwrap();
        let addr = listener.local_addr().unwrap();
        let holder = Socket::new(family.domain(), Type::STREAM, None).unwrap();
        holder.set_reuse_port(true).unwrap();
        holder.bind(&addr).unwrap();
        (listener, addr, Some(holder))
    } else {
        let (listener, addr) = util::listener(family, dir.path());
        (listener, addr, None)
    };
    let before = Socket::new(family.domain(), Type::STREAM, None).unwrap();
    before.connect(&addr).unwrap();

    listener.close().unwrap();
    let after = Socket::new(family.domain(), Type::STREAM, None).unwrap();
    let err = expect_err(after.connect(&addr), io::ErrorKind::ConnectionRefused);
    util::assert_mentions(&err, &addr.to_string());
}

#[test]
fn a_unix_socket_file_stays_after_close_until_removed() {
    let dir = util::scratch();
    let (listener, addr) = util::listener(Family::Unix, dir.path());
    let path = addr.path().unwrap().to_path_buf();
    listener.close().unwrap();
    assert!(path.exists(), "the socket file outlives the socket");

    let client = Socket::new(Domain::UNIX, Type::STREAM, None).unwrap();
    expect_err(client.connect(&addr), io::ErrorKind::ConnectionRefused);
    // Binding again needs the old file gone.
    let again = Socket::new(Domain::UNIX, Type::STREAM, None).unwrap();
    expect_err(again.bind(&addr), io::ErrorKind::AddrInUse);

    assert!(remove_socket_file(&path).unwrap());
    assert!(!path.exists());
    assert!(
        !remove_socket_file(&path).unwrap(),
        "nothing left to remove"
    );
    again.bind(&addr).unwrap();
}

#[test]
fn remove_socket_file_refuses_anything_but_a_socket() {
    let dir = util::scratch();
    let file = dir.path().join("precious.txt");
    std::fs::write(&file, b"keep me").unwrap();
    let err = expect_err(remove_socket_file(&file), io::ErrorKind::InvalidInput);
    util::assert_mentions(&err, "precious.txt");
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");

    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    expect_err(remove_socket_file(&sub), io::ErrorKind::InvalidInput);
    assert!(sub.is_dir());
}

#[test]
fn abstract_names_bind_connect_and_leave_no_file() {
    let addr = util::abstract_address();
    let listener = util::timed(Socket::new(Domain::UNIX, Type::STREAM, None).unwrap());
    listener.bind(&addr).unwrap();
    listener.listen(8).unwrap();
    assert_eq!(listener.local_addr().unwrap(), addr);
    assert!(addr.path().is_none());
    assert!(addr.to_string().starts_with("@netprim-test-"));

    let client = util::timed(Socket::new(Domain::UNIX, Type::STREAM, None).unwrap());
    client.connect(&addr).unwrap();
    assert_eq!(client.peer_addr().unwrap(), addr);
    let (server, _) = listener.accept().unwrap();
    client.send(b"abs").unwrap();
    assert_eq!(util::read_n(&server, 3), b"abs");

    // The name is taken while bound, and free once closed.
    let rival = Socket::new(Domain::UNIX, Type::STREAM, None).unwrap();
    expect_err(rival.bind(&addr), io::ErrorKind::AddrInUse);
    listener.close().unwrap();
    rival.bind(&addr).unwrap();
}

#[test]
fn try_clone_shares_the_connection() {
    let dir = util::scratch();
    let (client, server, _) = util::connected(Family::V4, dir.path());
    let twin = client.try_clone().unwrap();
    drop(client);
    twin.send(b"still").unwrap();
    assert_eq!(util::read_n(&server, 5), b"still");
}

#[test]
fn std_conversions_keep_the_descriptor() {
    let dir = util::scratch();
    let (client, server, _) = util::connected(Family::V4, dir.path());
    let mut std_client = std::net::TcpStream::from(client);
    std_client.write_all(b"std").unwrap();
    assert_eq!(util::read_n(&server, 3), b"std");
    let back = Socket::from(std_client);
    back.send(b"!").unwrap();
    assert_eq!(util::read_n(&server, 1), b"!");
}
