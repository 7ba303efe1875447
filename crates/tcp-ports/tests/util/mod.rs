//! What the tests of tcp-ports share: address families, connected pairs,
//! a listener that never completes a connect, and timing assertions.
#![allow(dead_code)] // each test file uses its own subset

use std::io::{self, Read};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use netprim::{Domain, SockAddr, Socket, Type};
use tcp_ports::{TcpConfig, TcpListener, TcpReader, TcpWriter};

/// The timeout the timeout tests use.
pub const SHORT: Duration = Duration::from_millis(200);

/// How much later than its timeout an operation may fail on a loaded
/// two-core machine.
pub const SLACK: Duration = Duration::from_secs(2);

/// How long a test waits for something that should happen at once.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// The address families, shared by every crate's tests (tcp-ports uses
/// the IP ones).
pub use test_support::Family;

/// A listener on loopback of `family`, on a free port.
pub fn listener(family: Family) -> TcpListener {
    tcp_ports::listen_on(family.host(), 0).expect("listen on loopback")
}

/// Both ends of one connection.
#[derive(Debug)]
pub struct Pair {
    pub client: (TcpReader, TcpWriter),
    pub server: (TcpReader, TcpWriter),
}

/// A connection over loopback of `family`, both ends made with `config`.
pub fn pair(family: Family, config: &TcpConfig) -> Pair {
    let l = listener(family);
    let client = tcp_ports::connect_with(l.local_addr(), config).expect("connect");
    let server = l.accept_with(config).expect("accept");
    Pair { client, server }
}

/// A raw peer for the ports under test: a netprim socket connected to an
/// accepted port, so that the test sees exactly what arrives.
pub fn raw_peer(family: Family, config: &TcpConfig) -> (Socket, (TcpReader, TcpWriter)) {
    let l = listener(family);
    let raw = Socket::new(Domain::for_address(l.local_addr()), Type::STREAM, None).unwrap();
    raw.connect(&SockAddr::from(l.local_addr())).unwrap();
    let ports = l.accept_with(config).unwrap();
    (raw, ports)
}

/// An address where connects hang: a listener whose one-place queue is
/// full, so the kernel drops further SYNs. Keep it alive while using the
/// address.
#[derive(Debug)]
pub struct Unresponsive {
    pub addr: SocketAddr,
    _listener: Socket,
    _queued: Vec<Socket>,
}

pub fn unresponsive(family: Family) -> Unresponsive {
    let listener = Socket::new(
        Domain::for_address(SocketAddr::new(family.ip(), 0)),
        Type::STREAM,
        None,
    )
    .unwrap();
    listener
        .bind(&SockAddr::from(SocketAddr::new(family.ip(), 0)))
        .unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    let mut queued = Vec::new();
    // Fill the queue until a connect no longer completes; the queue of a
    // backlog 0 listener holds one or two connections.
    for _ in 0..8 {
        let s = Socket::new(Domain::for_address(addr), Type::STREAM, None).unwrap();
        match s.connect_timeout(&SockAddr::from(addr), Duration::from_millis(300)) {
            Ok(()) => queued.push(s),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                return Unresponsive {
                    addr,
                    _listener: listener,
                    _queued: queued,
                };
            }
            Err(e) => panic!("filling the queue of {addr}: {e}"),
        }
    }
    panic!("the queue of {addr} never filled");
}

/// Asserts that `result` is a timeout of `op` that took at least `timeout`
/// (since `started`) and not much longer.
pub fn assert_timed_out<T: std::fmt::Debug>(
    result: io::Result<T>,
    op: &str,
    started: Instant,
    timeout: Duration,
) {
    let elapsed = started.elapsed();
    let err = result.expect_err("expected a timeout");
    assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{err}");
    assert!(tcp_ports::is_timeout(&err), "{err}");
    assert!(tcp_ports::is_network_error(&err), "{err}");
    assert!(
        err.to_string().starts_with(op),
        "{err:?} should start with {op:?}"
    );
    assert!(
        err.to_string().contains(&format!("{timeout:?}")),
        "{err} should say how long"
    );
    assert!(
        elapsed >= timeout,
        "{op} failed after {elapsed:?} < {timeout:?}"
    );
    assert!(
        elapsed < timeout + SLACK,
        "{op} failed after {elapsed:?}, far beyond {timeout:?}"
    );
}

/// Reads from `r` until EOF (within PATIENCE) and returns what came.
pub fn read_to_eof(r: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut all = Vec::new();
    r.read_to_end(&mut all)?;
    Ok(all)
}

/// A raw socket's next read, waiting at most `wait`: `Ok(None)` when
/// nothing came in time.
pub fn raw_read(s: &Socket, wait: Duration) -> io::Result<Option<Vec<u8>>> {
    if !netprim::wait_readable(s, Some(wait))? {
        return Ok(None);
    }
    let mut buf = vec![0; 64 * 1024];
    let n = s.recv(&mut buf)?;
    buf.truncate(n);
    Ok(Some(buf))
}

/// Reads from a raw socket until `want` bytes came or EOF, within PATIENCE.
pub fn raw_read_exact(s: &Socket, want: usize) -> io::Result<Vec<u8>> {
    let deadline = Instant::now() + PATIENCE;
    let mut all = Vec::new();
    while all.len() < want {
        let left = deadline.saturating_duration_since(Instant::now());
        match raw_read(s, left)? {
            None => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("got {} of {want} bytes", all.len()),
                ));
            }
            Some(b) if b.is_empty() => break,
            Some(b) => all.extend_from_slice(&b),
        }
    }
    Ok(all)
}

/// A config whose timeouts never fire during a test but still bound it.
pub fn patient() -> TcpConfig {
    TcpConfig::new()
        .with_read_timeout(Some(PATIENCE))
        .with_write_timeout(Some(PATIENCE))
        .with_accept_timeout(Some(PATIENCE))
        .with_connect_timeout(Some(PATIENCE))
}
