//! The hostile clients the tests and soaks share: a patient connect, a
//! client that writes until the server's buffers are full and never reads,
//! and waiting for the server to close one.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::PATIENCE;

/// A plain connection whose reads give up after [`PATIENCE`].
///
/// # Panics
///
/// When the connect fails: a test's server must accept.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    s
}

/// A client that sends a lot and never reads what comes back: it returns
/// once a write cannot go on (the buffers both ways are full), after 8 MiB
/// at most.
///
/// # Panics
///
/// When the connect fails.
pub fn fill_without_reading(addr: SocketAddr) -> TcpStream {
    let mut s = connect(addr);
    s.set_write_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let chunk = vec![b'n'; 64 * 1024];
    for _ in 0..128 {
        if s.write_all(&chunk).is_err() {
            break;
        }
    }
    s
}

/// Reads and drops whatever comes until the server closes (EOF or reset).
///
/// # Panics
///
/// If it is still open after `within`, or silent for [`PATIENCE`];
/// `what` names the client in the message.
pub fn closed_within(mut s: TcpStream, within: Duration, what: &str) {
    let deadline = Instant::now() + within;
    let mut buf = vec![0; 64 * 1024];
    // Bounded by the deadline; each read by the socket's read timeout.
    loop {
        assert!(
            Instant::now() < deadline,
            "{what}: still open after {within:?}"
        );
        match s.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::TimedOut => {
                panic!("{what}: still open after {PATIENCE:?} of silence")
            }
            Err(_) => return, // reset: closed too
        }
    }
}
