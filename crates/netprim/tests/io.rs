//! Moving bytes: send/recv with each flag, sendto/recvfrom on datagrams and
//! streams, truncation, broken pipes, Read/Write, network-order integers.

mod util;

use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::thread;
use std::time::Duration;

use netprim::{
    Domain, MsgFlags, OpError, ReadNetworkExt, Socket, Type, WriteNetworkExt, wait_readable,
};
use rstest::rstest;
use util::{Family, expect_err};

#[rstest]
fn peek_leaves_the_data_queued(#[values(Family::V4, Family::V6, Family::Unix)] family: Family) {
    let dir = util::scratch();
    let (client, server, _) = util::connected(family, dir.path());
    client.send(b"peekaboo").unwrap();
    assert!(wait_readable(&server, Some(util::WAIT)).unwrap());
    let mut buf = [0; 4];
    assert_eq!(server.recv_with_flags(&mut buf, MsgFlags::PEEK).unwrap(), 4);
    assert_eq!(&buf, b"peek");
    assert_eq!(util::read_n(&server, 8), b"peekaboo", "still all there");
}

#[rstest]
fn dontwait_would_block_on_a_blocking_socket(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
) {
    let dir = util::scratch();
    let (client, server, _) = util::connected(family, dir.path());
    let mut buf = [0; 4];
    expect_err(
        server.recv_with_flags(&mut buf, MsgFlags::DONTWAIT),
        io::ErrorKind::WouldBlock,
    );
    assert!(!server.nonblocking().unwrap(), "the socket stays blocking");
    client.send(b"now").unwrap();
    assert!(wait_readable(&server, Some(util::WAIT)).unwrap());
    assert_eq!(
        server
            .recv_with_flags(&mut buf, MsgFlags::DONTWAIT)
            .unwrap(),
        3
    );
}

#[rstest]
fn waitall_fills_the_buffer_across_sends(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
) {
    let dir = util::scratch();
    let (client, server, _) = util::connected(family, dir.path());
    let writer = thread::spawn(move || {
        client.send(b"first ").unwrap();
        // Not a wait for anything: a pause so that the two halves usually
        // arrive apart, which is what MSG_WAITALL must join. If they arrive
        // together the test still holds.
        thread::sleep(Duration::from_millis(50));
        client.send(b"second").unwrap();
        client
    });
    let mut buf = [0; 12];
    let n = server.recv_with_flags(&mut buf, MsgFlags::WAITALL).unwrap();
    assert_eq!(n, 12);
    assert_eq!(&buf, b"first second");
    writer.join().unwrap();
}

#[rstest]
fn out_of_band_byte_on_tcp(#[values(Family::V4, Family::V6)] family: Family) {
    let dir = util::scratch();
    let (client, server, _) = util::connected(family, dir.path());
    client.send(b"a").unwrap();
    assert_eq!(client.send_with_flags(b"!", MsgFlags::OOB).unwrap(), 1);
    client.send(b"z").unwrap();
    // A read stops at the urgent mark, and reading past the mark would drop
    // the urgent byte: read up to it, peek until "z" (sent after the urgent
    // byte) is here, then take the urgent byte, then the rest.
    assert_eq!(util::read_n(&server, 1), b"a");
    let mut next = [0; 1];
    assert_eq!(
        server.recv_with_flags(&mut next, MsgFlags::PEEK).unwrap(),
        1
    );
    assert_eq!(&next, b"z", "the peek skips the urgent byte");
    let mut urgent = [0; 1];
    assert_eq!(
        server.recv_with_flags(&mut urgent, MsgFlags::OOB).unwrap(),
        1
    );
    assert_eq!(&urgent, b"!");
    assert_eq!(util::read_n(&server, 1), b"z");
}

#[test]
fn out_of_band_inline_keeps_the_byte_in_the_stream() {
    let dir = util::scratch();
    let (client, server, _) = util::connected(Family::V4, dir.path());
    server.set_out_of_band_inline(true).unwrap();
    client.send(b"a").unwrap();
    client.send_with_flags(b"!", MsgFlags::OOB).unwrap();
    client.send(b"z").unwrap();
    assert_eq!(util::read_n(&server, 3), b"a!z");
}

#[test]
fn dontroute_sends_on_loopback() {
    let dir = util::scratch();
    let (client, server, _) = util::connected(Family::V4, dir.path());
    client
        .send_with_flags(b"direct", MsgFlags::DONTROUTE)
        .unwrap();
    assert_eq!(util::read_n(&server, 6), b"direct");
}

#[rstest]
fn datagrams_say_who_sent_them(#[values(Family::V4, Family::V6, Family::Unix)] family: Family) {
    let dir = util::scratch();
    let ((a, a_addr), (b, b_addr)) = util::datagram_pair(family, dir.path());
    assert_eq!(a.send_to(b"to b", &b_addr).unwrap(), 4);
    let mut buf = [0; 16];
    let got = b.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..got.len], b"to b");
    assert_eq!(got.from, a_addr);
    assert!(!got.truncated);

    b.send_to_with_flags(b"to a", &a_addr, MsgFlags::DONTWAIT)
        .unwrap();
    let got = a.recv_from_with_flags(&mut buf, MsgFlags::NONE).unwrap();
    assert_eq!((got.len, &got.from), (4, &b_addr));
}

#[rstest]
fn truncated_datagrams_are_reported(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
) {
    let dir = util::scratch();
    let ((a, a_addr), (b, b_addr)) = util::datagram_pair(family, dir.path());
    a.send_to(b"0123456789", &b_addr).unwrap();
    a.send_to(b"fits", &b_addr).unwrap();
    let mut small = [0; 4];
    let got = b.recv_from(&mut small).unwrap();
    assert_eq!((got.len, got.truncated), (4, true));
    assert_eq!(&small, b"0123");
    assert_eq!(got.from, a_addr);
    let got = b.recv_from(&mut small).unwrap();
    assert_eq!(
        (got.len, got.truncated),
        (4, false),
        "an exact fit is whole"
    );
    assert_eq!(&small, b"fits");
}

#[rstest]
fn peeking_a_datagram_keeps_it(#[values(Family::V4, Family::V6, Family::Unix)] family: Family) {
    let dir = util::scratch();
    let ((a, a_addr), (b, b_addr)) = util::datagram_pair(family, dir.path());
    a.send_to(b"twice", &b_addr).unwrap();
    let mut buf = [0; 8];
    let peeked = b.recv_from_with_flags(&mut buf, MsgFlags::PEEK).unwrap();
    assert_eq!((peeked.len, &peeked.from), (5, &a_addr));
    let got = b.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..got.len], b"twice");
}

#[test]
fn a_datagram_from_an_unbound_unix_sender_is_kept() {
    let dir = util::scratch();
    let receiver = util::bound(Family::Unix, Type::DGRAM, dir.path());
    let to = receiver.local_addr().unwrap();
    let sender = Socket::new(Domain::UNIX, Type::DGRAM, None).unwrap();
    sender.send_to(b"anon", &to).unwrap();
    let mut buf = [0; 8];
    let got = receiver.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..got.len], b"anon");
    assert!(got.from.is_unnamed(), "{:?}", got.from);
}

#[rstest]
fn connected_datagrams_use_send_and_recv(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
) {
    let dir = util::scratch();
    let ((a, a_addr), (b, b_addr)) = util::datagram_pair(family, dir.path());
    a.connect(&b_addr).unwrap();
    b.connect(&a_addr).unwrap();
    a.send(b"hey").unwrap();
    let mut buf = [0; 8];
    assert_eq!(b.recv(&mut buf).unwrap(), 3);
    assert_eq!(b.peer_addr().unwrap(), a_addr);
}

#[rstest]
fn recv_from_on_a_stream_names_the_peer(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
) {
    let dir = util::scratch();
    let (client, server, peer) = util::connected(family, dir.path());
    client.send(b"stream").unwrap();
    assert!(wait_readable(&server, Some(util::WAIT)).unwrap());
    let mut buf = [0; 16];
    let got = server.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..got.len], b"stream");
    assert_eq!(got.from, peer);
    assert!(!got.truncated);
}

#[rstest]
fn send_to_on_a_tcp_stream_goes_to_the_peer(#[values(Family::V4, Family::V6)] family: Family) {
    let dir = util::scratch();
    let (client, server, _) = util::connected(family, dir.path());
    // TCP ignores the address of a connected socket, as in C.
    let elsewhere = util::local_address(family, dir.path());
    client.send_to(b"tcp", &elsewhere).unwrap();
    assert_eq!(util::read_n(&server, 3), b"tcp");
}

#[test]
fn send_to_on_a_unix_stream_is_already_connected() {
    let dir = util::scratch();
    let (client, _server, _) = util::connected(Family::Unix, dir.path());
    let target = util::local_address(Family::Unix, dir.path());
    let err = client.send_to(b"x", &target).unwrap_err();
    let op = OpError::find(&err).expect("the error names the address");
    assert_eq!(op.cause().raw_os_error(), Some(libc::EISCONN), "{err}");
    util::assert_mentions(&err, &target.to_string());
    util::assert_mentions(&err, "send to");
}

#[rstest]
fn writing_to_a_closed_peer_is_a_broken_pipe(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
) {
    let dir = util::scratch();
    let (client, server, _) = util::connected(family, dir.path());
    drop(server);
    // TCP: the first write after the peer closed is accepted and answered
    // with a reset, reported once as ConnectionReset; after that, every
    // write is BrokenPipe. Unix: BrokenPipe at once. Bounded: the reset
    // comes back over loopback within a few writes.
    let mut kinds = Vec::new();
    for _ in 0..1000 {
        match client.send(b"anyone there?") {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                expect_err((&client).write_all(b"x"), io::ErrorKind::BrokenPipe);
                return;
            }
            Err(e) => {
                assert_eq!(e.kind(), io::ErrorKind::ConnectionReset, "{e}");
                kinds.push(e.kind());
            }
        }
    }
    panic!("no BrokenPipe after 1000 writes to a closed peer ({kinds:?})");
}

#[rstest]
fn sending_after_shutdown_write_is_a_broken_pipe(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
) {
    let dir = util::scratch();
    let (client, _server, _) = util::connected(family, dir.path());
    client.shutdown(Shutdown::Write).unwrap();
    expect_err(client.send(b"x"), io::ErrorKind::BrokenPipe);
    expect_err((&client).write(b"x"), io::ErrorKind::BrokenPipe);
    let bufs = [io::IoSlice::new(b"a"), io::IoSlice::new(b"b")];
    expect_err((&client).write_vectored(&bufs), io::ErrorKind::BrokenPipe);
}

#[test]
fn a_unix_pair_with_its_other_end_gone_is_a_broken_pipe() {
    let (a, b) = Socket::pair(Domain::UNIX, Type::STREAM, None).unwrap();
    drop(b);
    expect_err(a.send(b"x"), io::ErrorKind::BrokenPipe);
}

#[rstest]
fn read_and_write_traits(#[values(Family::V4, Family::V6, Family::Unix)] family: Family) {
    let dir = util::scratch();
    let (mut client, mut server, _) = util::connected(family, dir.path());
    client.write_all(b"owned ").unwrap();
    (&client).write_all(b"borrowed").unwrap();
    client.flush().unwrap();
    let mut buf = [0; 14];
    server.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"owned borrowed");
    client.shutdown(Shutdown::Write).unwrap();
    let mut rest = Vec::new();
    server.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
}

#[rstest]
fn network_order_integers_over_a_socket(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
) {
    let dir = util::scratch();
    let (client, server, _) = util::connected(family, dir.path());
    let mut w = &client;
    w.write_network_u32(0xdead_beef).unwrap();
    w.write_network_u16(80).unwrap();
    w.write_network_i64(-5).unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    let mut r = &server;
    assert_eq!(r.read_network_u32().unwrap(), 0xdead_beef);
    assert_eq!(r.read_network_u16().unwrap(), 80);
    assert_eq!(r.read_network_i64().unwrap(), -5);
    expect_err(r.read_network_u32(), io::ErrorKind::UnexpectedEof);
}

#[test]
fn the_bytes_on_the_wire_are_big_endian() {
    let (a, b) = Socket::pair(Domain::UNIX, Type::STREAM, None).unwrap();
    (&a).write_network_u32(0x0102_0304).unwrap();
    assert_eq!(util::read_n(&b, 4), [1, 2, 3, 4]);
    a.send(&netprim::htonl(0x0a0b_0c0d).to_ne_bytes()).unwrap();
    assert_eq!((&b).read_network_u32().unwrap(), 0x0a0b_0c0d);
    a.send(&netprim::htons(0x0102).to_ne_bytes()).unwrap();
    let mut two = [0; 2];
    (&b).read_exact(&mut two).unwrap();
    assert_eq!(netprim::ntohs(u16::from_ne_bytes(two)), 0x0102);
    assert_eq!(two, [1, 2]);
}
