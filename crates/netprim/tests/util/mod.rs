//! What netprim's integration tests share: local addresses of every family,
//! ready-made listeners, connections and datagram pairs, and assertions.
//!
//! Every socket made here has read and write timeouts, so a test that goes
//! wrong fails with `WouldBlock` instead of hanging the suite.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use netprim::{SockAddr, Socket, Type};
use tempfile::TempDir;

/// How long a test waits for something that should happen at once on
/// loopback; long, because CI runs the suite on two loaded cores.
pub const WAIT: Duration = Duration::from_secs(10);

/// The address families the calls apply to: one list for every crate's
/// tests.
pub use test_support::Family;

/// A directory for Unix socket files, removed with its contents when
/// dropped. Its path is short, to leave room in `sun_path`.
pub fn scratch() -> TempDir {
    tempfile::Builder::new()
        .prefix("np")
        .tempdir()
        .expect("create a temporary directory")
}

/// A fresh local address of `family`: loopback with port 0 for IP, a new
/// socket file name in `dir` for Unix.
pub fn local_address(family: Family, dir: &Path) -> SockAddr {
    match family {
        Family::V4 => "127.0.0.1:0".parse().unwrap(),
        Family::V6 => "[::1]:0".parse().unwrap(),
        Family::Unix => SockAddr::unix(dir.join(format!("s{}.sock", unique()))).unwrap(),
    }
}

/// A Linux abstract Unix address no other test (or process) uses.
pub fn abstract_address() -> SockAddr {
    SockAddr::abstract_name(format!("netprim-test-{}-{}", std::process::id(), unique())).unwrap()
}

fn unique() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Gives a socket the suite's timeouts, and returns it.
pub fn timed(s: Socket) -> Socket {
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.set_write_timeout(Some(WAIT)).unwrap();
    s
}

/// A new socket of `family` and `ty`, bound to a fresh local address.
pub fn bound(family: Family, ty: Type, dir: &Path) -> Socket {
    let s = timed(Socket::new(family.domain(), ty, None).unwrap());
    s.bind(&local_address(family, dir)).unwrap();
    s
}

/// A listening stream socket of `family` and the address to connect to.
pub fn listener(family: Family, dir: &Path) -> (Socket, SockAddr) {
    let l = bound(family, Type::STREAM, dir);
    l.listen(128).unwrap();
    let addr = l.local_addr().unwrap();
    (l, addr)
}

/// A connected stream: the client, the server's side, and the client's
/// address as `accept` reported it.
pub fn connected(family: Family, dir: &Path) -> (Socket, Socket, SockAddr) {
    let (l, addr) = listener(family, dir);
    let client = timed(Socket::new(family.domain(), Type::STREAM, None).unwrap());
    client.connect(&addr).unwrap();
    let (server, peer) = l.accept().unwrap();
    (client, timed(server), peer)
}

/// Two bound datagram sockets of `family`, each with its own address.
pub fn datagram_pair(family: Family, dir: &Path) -> ((Socket, SockAddr), (Socket, SockAddr)) {
    let a = bound(family, Type::DGRAM, dir);
    let b = bound(family, Type::DGRAM, dir);
    let (a_addr, b_addr) = (a.local_addr().unwrap(), b.local_addr().unwrap());
    ((a, a_addr), (b, b_addr))
}

/// An address of `family` where connects are refused, and the guard that
/// keeps it so (see [`test_support::closed_address`]).
pub fn closed_address(family: Family) -> (test_support::ClosedAddress, SockAddr) {
    let closed = test_support::closed_address(family).expect("a closed address");
    let addr = closed.to_string().parse().expect("a closed address parses");
    (closed, addr)
}

/// Reads exactly `n` bytes from a stream socket.
pub fn read_n(s: &Socket, n: usize) -> Vec<u8> {
    use std::io::Read;
    let mut buf = vec![0; n];
    let mut reader = s;
    reader
        .read_exact(&mut buf)
        .expect("read the expected bytes");
    buf
}

/// Whether this process may open raw sockets: `CAP_NET_RAW` (bit 13) in its
/// effective capabilities.
pub fn has_cap_net_raw() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .is_some_and(|caps| caps & (1 << 13) != 0)
}

/// Asserts that a result is an error of the given kind, and returns it.
#[track_caller]
pub fn expect_err<T: std::fmt::Debug>(result: io::Result<T>, kind: io::ErrorKind) -> io::Error {
    match result {
        Ok(v) => panic!("expected a {kind:?} error, got Ok({v:?})"),
        Err(e) => {
            assert_eq!(e.kind(), kind, "unexpected error: {e}");
            e
        }
    }
}

/// Asserts that an error's message contains `needle`.
#[track_caller]
pub fn assert_mentions(err: &io::Error, needle: &str) {
    let msg = err.to_string();
    assert!(msg.contains(needle), "{msg:?} does not mention {needle:?}");
}
