//! The ports of a connection: buffering, half close, the three ways to end
//! a port as the peer sees them, addresses, and use from two threads.

mod util;

use std::io::{self, BufRead, Read, Write};
use std::os::fd::{AsFd, AsRawFd};
use std::time::Duration;

use netprim::Socket;
use rstest::rstest;
use tcp_ports::TcpConfig;
use util::{Family, PATIENCE, pair, patient, raw_peer, raw_read, raw_read_exact};

/// How long a test watches for bytes that must not arrive.
const QUIET: Duration = Duration::from_millis(150);

#[rstest]
fn unbuffered_writes_go_out_at_once(#[values(Family::V4, Family::V6)] family: Family) {
    let (raw, (_r, mut w)) = raw_peer(family, &patient());
    assert_eq!(w.buffer_size(), 0);
    w.write_all(b"now").unwrap();
    assert_eq!(raw_read_exact(&raw, 3).unwrap(), b"now");
}

#[rstest]
#[case::small(16)]
#[case::large(1 << 20)]
fn buffered_writes_wait_for_flush_or_close(
    #[values(Family::V4, Family::V6)] family: Family,
    #[case] size: usize,
) {
    let (raw, (_r, mut w)) = raw_peer(family, &patient().with_buffer_size(size));
    assert_eq!(w.buffer_size(), size);
    w.write_all(b"held").unwrap();
    assert_eq!(w.buffered(), 4);
    assert_eq!(raw_read(&raw, QUIET).unwrap(), None, "sent before flush");
    w.flush().unwrap();
    assert_eq!(w.buffered(), 0);
    assert_eq!(raw_read_exact(&raw, 4).unwrap(), b"held");

    // More than the buffer holds goes out without a flush, in order.
    let big: Vec<u8> = (0..size * 3 + 5).map(|i| (i % 251) as u8).collect();
    w.write_all(&big).unwrap();
    w.write_all(b"end").unwrap();
    w.close().unwrap();
    let mut expected = big.clone();
    expected.extend_from_slice(b"end");
    let got = raw_read_exact(&raw, expected.len() + 1).unwrap();
    assert_eq!(got.len(), expected.len(), "then EOF");
    assert!(got == expected);
}

#[rstest]
fn dropping_a_buffered_writer_flushes_it(#[values(Family::V4, Family::V6)] family: Family) {
    let (raw, (_r, mut w)) = raw_peer(family, &patient().with_buffer_size(1024));
    w.write_all(b"last words").unwrap();
    drop(w);
    assert_eq!(raw_read_exact(&raw, 100).unwrap(), b"last words");
}

#[rstest]
fn closing_the_writer_is_a_half_close(#[values(Family::V4, Family::V6)] family: Family) {
    let (raw, (mut r, mut w)) = raw_peer(family, &patient().with_buffer_size(64));
    w.write_all(b"request").unwrap();
    w.close().unwrap();
    // The peer gets the bytes, then EOF, and can still answer.
    assert_eq!(raw_read_exact(&raw, 100).unwrap(), b"request");
    raw.send(b"answer\n").unwrap();
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    assert_eq!(line, "answer\n");
    raw.shutdown(std::net::Shutdown::Write).unwrap();
    assert_eq!(r.read(&mut [0; 8]).unwrap(), 0);
    r.close().unwrap();
}

/// What the peer sees after the test ends our side.
#[derive(Debug, PartialEq, Eq)]
enum Seen {
    Eof,
    Nothing,
    Reset,
}

fn seen_by(raw: &Socket) -> Seen {
    match raw_read(raw, QUIET.max(Duration::from_millis(300))) {
        Ok(Some(b)) if b.is_empty() => Seen::Eof,
        Ok(None) => Seen::Nothing,
        Err(e) if e.kind() == io::ErrorKind::ConnectionReset => Seen::Reset,
        other => panic!("unexpected: {other:?}"),
    }
}

#[rstest]
fn close_abandon_abort_as_the_peer_sees_them(#[values(Family::V4, Family::V6)] family: Family) {
    // close: EOF, even with a duplicate of the socket still open.
    let (raw, (r, w)) = raw_peer(family, &patient());
    let dup = w.as_fd().try_clone_to_owned().unwrap();
    w.close().unwrap();
    r.close().unwrap();
    assert_eq!(seen_by(&raw), Seen::Eof);
    drop(dup);

    // abandon: the duplicate keeps the connection; it can still write.
    let (raw, (r, w)) = raw_peer(family, &patient());
    let dup = Socket::from(w.as_fd().try_clone_to_owned().unwrap());
    r.abandon().unwrap();
    w.abandon().unwrap();
    assert_eq!(seen_by(&raw), Seen::Nothing);
    dup.send(b"via the duplicate").unwrap();
    assert_eq!(raw_read_exact(&raw, 17).unwrap(), b"via the duplicate");
    dup.close().unwrap();
    assert_eq!(seen_by(&raw), Seen::Eof);

    // abort: a reset, and buffered output is discarded.
    let (raw, (r, mut w)) = raw_peer(family, &patient().with_buffer_size(64));
    w.write_all(b"never sent").unwrap();
    w.abort().unwrap();
    r.close().unwrap();
    assert_eq!(seen_by(&raw), Seen::Reset);
}

#[rstest]
fn abort_wakes_a_reader_blocked_in_another_thread(
    #[values(Family::V4, Family::V6)] family: Family,
) {
    let (raw, (mut r, w)) = raw_peer(family, &patient());
    let reader = std::thread::spawn(move || r.read(&mut [0; 8]));
    // Whether the reader is already waiting or not, it must fail.
    w.abort().unwrap();
    let err = reader.join().unwrap().unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::ConnectionAborted, "{err}");
    assert_eq!(seen_by(&raw), Seen::Reset);
}

#[rstest]
fn writing_to_a_closed_peer_is_an_error_not_a_signal(
    #[values(Family::V4, Family::V6)] family: Family,
) {
    let (raw, (mut r, mut w)) = raw_peer(family, &patient());
    raw.set_linger(Some(Duration::ZERO)).unwrap();
    drop(raw);
    // The reset arrives: reading reports it (or EOF, then writing fails).
    let err = (0..100)
        .find_map(|_| match r.read(&mut [0; 8]) {
            Ok(0) => w.write_all(b"x").err(),
            Ok(_) => panic!("no data was sent"),
            Err(e) => Some(e),
        })
        .expect("the reset is noticed");
    assert!(
        matches!(
            err.kind(),
            io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
        ),
        "{err}"
    );
    assert!(tcp_ports::is_network_error(&err) && !tcp_ports::is_timeout(&err));
    let err = w.write_all(b"more").unwrap_err();
    assert!(err.to_string().starts_with("write to "), "{err}");
}

#[rstest]
fn addresses_and_port_numbers(#[values(Family::V4, Family::V6)] family: Family) {
    let p = pair(family, &patient());
    let (cr, cw) = &p.client;
    let (sr, sw) = &p.server;
    assert_eq!(cr.addresses(), (family.ip(), family.ip()));
    assert_eq!(cw.addresses(), sr.addresses());
    let (client_port, server_port) = cr.port_numbers();
    assert_eq!(sw.port_numbers(), (server_port, client_port));
    assert_eq!(cr.peer_addr(), sr.local_addr());
    assert_eq!(cw.local_addr(), sw.peer_addr());
    assert!(format!("{cr:?}").contains(&cr.peer_addr().to_string()));
}

#[test]
fn a_dual_stack_listener_shows_ipv4_clients_as_ipv4() {
    let l = tcp_ports::ListenOptions::new(0)
        .host("::")
        .dual_stack(true)
        .listen()
        .unwrap();
    let (cr, _cw) = tcp_ports::connect(("127.0.0.1", l.port())).unwrap();
    let (sr, _sw) = l.accept_with(&patient()).unwrap();
    assert_eq!(sr.peer_addr(), cr.local_addr());
    assert_eq!(sr.addresses().1.to_string(), "127.0.0.1");
    assert_eq!(
        sr.local_addr().to_string(),
        format!("127.0.0.1:{}", l.port())
    );
}

#[rstest]
fn one_thread_reads_while_another_writes(#[values(Family::V4, Family::V6)] family: Family) {
    let p = pair(family, &patient().with_buffer_size(4096));
    let (mut cr, mut cw) = p.client;
    let (mut sr, mut sw) = p.server;
    // An echo on the server side: its reader and writer in two threads.
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let echo_in = std::thread::spawn(move || {
        let mut buf = [0; 1000];
        loop {
            match sr.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => tx.send(buf[..n].to_vec()).unwrap(),
            }
        }
    });
    let echo_out = std::thread::spawn(move || {
        for chunk in rx {
            sw.write_all(&chunk).unwrap();
            sw.flush().unwrap();
        }
        sw.close().unwrap();
    });
    let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let sent = data.clone();
    let writer = std::thread::spawn(move || {
        cw.write_all(&sent).unwrap();
        cw.close().unwrap();
    });
    let mut back = Vec::new();
    cr.read_to_end(&mut back).unwrap();
    writer.join().unwrap();
    echo_in.join().unwrap();
    echo_out.join().unwrap();
    assert!(
        back == data,
        "echoed {} of {} bytes",
        back.len(),
        data.len()
    );
}

#[test]
fn a_huge_buffer_size_is_refused_before_connecting() {
    let l = util::listener(Family::V4);
    let config = TcpConfig::new().with_buffer_size(usize::MAX);
    let err = tcp_ports::connect_with(l.local_addr(), &config).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains(&usize::MAX.to_string()), "{err}");
    assert!(!l.accept_ready().unwrap());
    let _c = tcp_ports::connect(l.local_addr()).unwrap();
    assert!(netprim::wait_readable(&l, Some(PATIENCE)).unwrap());
    let err = l.accept_with(&config).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
}

#[rstest]
fn a_writer_that_could_not_send_everything_resets_instead_of_eof(
    #[values(Family::V4, Family::V6)] family: Family,
    #[values(0, 64 * 1024)] buffer_size: usize,
) {
    let config = patient()
        .with_write_timeout(Some(util::SHORT))
        .with_buffer_size(buffer_size);
    let (raw, (r, mut w)) = raw_peer(family, &config);
    let chunk = vec![1u8; 16 * 1024];
    let mut accepted = 0;
    let failed = (0..64 * 1024).find_map(|_| match w.write(&chunk) {
        Ok(n) => {
            accepted += n;
            None
        }
        Err(e) => Some(e),
    });
    let err = failed.expect("the peer's buffers filled");
    assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{err}");
    // Unbuffered, the failed write was the last send: closing resets. A
    // buffer may still get out on close (then EOF), or not (then close
    // reports it, and resets).
    let closed = w.close();
    r.close().unwrap();
    let mut got = 0;
    let end = (0..100_000).find_map(|_| match raw_read(&raw, PATIENCE) {
        Ok(Some(b)) if b.is_empty() => Some(Seen::Eof),
        Ok(Some(b)) => {
            got += b.len();
            None
        }
        Ok(None) => Some(Seen::Nothing),
        Err(e) if e.kind() == io::ErrorKind::ConnectionReset => Some(Seen::Reset),
        Err(e) => panic!("{e}"),
    });
    match closed {
        // The failure was reported by the write; close has nothing to add.
        Ok(()) if buffer_size == 0 => assert_eq!(end, Some(Seen::Reset)),
        Ok(()) => {
            assert_eq!(end, Some(Seen::Eof));
            assert_eq!(got, accepted, "everything accepted arrived");
        }
        Err(e) => {
            assert_eq!(e.kind(), io::ErrorKind::TimedOut, "{e}");
            assert_eq!(end, Some(Seen::Reset));
        }
    }
}

#[rstest]
fn connected_ports_have_nodelay_on(#[values(Family::V4, Family::V6)] family: Family) {
    let p = pair(family, &patient());
    for fd in [p.client.0.as_fd(), p.server.1.as_fd()] {
        let s = Socket::from(fd.try_clone_to_owned().unwrap());
        assert!(s.nodelay().unwrap());
        // Waiting happens in the kernel (SO_RCVTIMEO/SO_SNDTIMEO), so the
        // socket blocks, as std's does.
        assert!(!s.nonblocking().unwrap());
    }
}

#[rstest]
fn input_ready_before_and_after_data(#[values(Family::V4, Family::V6)] family: Family) {
    let (raw, (mut r, _w)) = raw_peer(family, &patient());
    assert!(!r.input_ready().unwrap());
    raw.send(b"ab\ncd").unwrap();
    assert!(netprim::wait_readable(&r, Some(PATIENCE)).unwrap());
    assert!(r.input_ready().unwrap());
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    // "cd" came in the same segment and waits in the port's buffer, where
    // poll(2) cannot see it.
    assert!(r.input_ready().unwrap());
    let mut rest = [0; 2];
    r.read_exact(&mut rest).unwrap();
    assert_eq!(&rest, b"cd");
    assert!(!r.input_ready().unwrap());
    raw.shutdown(std::net::Shutdown::Write).unwrap();
    assert!(netprim::wait_readable(&r, Some(PATIENCE)).unwrap());
    assert!(r.input_ready().unwrap(), "EOF is ready");
}

/// How many segments the socket has sent (`TCP_INFO`'s `tcpi_segs_out`).
fn segments_out(fd: &impl AsFd) -> u32 {
    // SAFETY: tcp_info is plain integers, for which zero is a valid value.
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    // SAFETY: a valid descriptor and a tcp_info buffer of the length given.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_fd().as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            (&raw mut info).cast(),
            &mut len,
        )
    };
    assert_eq!(rc, 0, "{}", io::Error::last_os_error());
    info.tcpi_segs_out
}

#[rstest]
fn one_formatted_write_is_one_segment(#[values(Family::V4, Family::V6)] family: Family) {
    let p = pair(family, &patient());
    let (_si, mut so) = p.server;
    let (mut ci, _co) = p.client;
    let before = segments_out(&so);
    let (name, n) = ("line", 3);
    for i in 0..n {
        writeln!(so, "{name} {i} of {n}").unwrap();
    }
    let mut got = String::new();
    for _ in 0..n {
        ci.read_line(&mut got).unwrap();
    }
    assert_eq!(got, "line 0 of 3\nline 1 of 3\nline 2 of 3\n");
    assert_eq!(segments_out(&so) - before, n, "one segment per writeln!");
}

#[rstest]
fn closing_both_ports_ends_the_connection_for_a_duplicate_too(
    #[values(Family::V4, Family::V6)] family: Family,
) {
    let p = pair(family, &patient());
    let (si, so) = p.server;
    // A second handle on the socket, as `dup` or a child process holds it.
    let dup = si.as_fd().try_clone_to_owned().unwrap();
    drop((si, so));
    // The duplicate keeps the socket open, yet the peer sees EOF: closing
    // the ports shut the connection down for every handle.
    let (mut ci, _co) = p.client;
    assert_eq!(ci.read(&mut [0; 1]).unwrap(), 0);
    drop(dup);
}
