//! `tcp-connect`: every address of the target tried in order, within one
//! connect deadline.

use std::io;
use std::net::SocketAddr;
use std::os::fd::AsFd;
use std::time::Duration;

use netprim::{Domain, Protocol, SockAddr, Socket, Type};

use crate::error::timed_out;
use crate::ports::make_ports;
use crate::timeouts::{Deadline, wait_writable};
use crate::{IntoTarget, TcpConfig, TcpReader, TcpWriter};

/// Connects to `target` and returns the input and output ports of the
/// connection, configured by the calling thread's current configuration
/// ([`TcpConfig::current`]).
///
/// `target` is `"host:port"` (the port a number or a service name:
/// `"localhost:http"`), `"[::1]:4242"`, a `(host, port)` pair, or a socket
/// address; see [`crate::Target`].
///
/// Calling `connect(target)` is equivalent to:
///
/// ```
/// # let listener = tcp_ports::listen_on("127.0.0.1", 0)?;
/// # let target = listener.local_addr();
/// let (input, output) = tcp_ports::connect_with(target, &tcp_ports::TcpConfig::current())?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Scheme: `tcp-connect` (`(tcp-connect HOSTNAME TCPPORT)`,
/// `(tcp-connect "HOSTNAME:PORT")`).
///
/// # Errors
///
/// As [`connect_with`].
#[doc(alias = "tcp-connect")]
pub fn connect(target: impl IntoTarget) -> io::Result<(TcpReader, TcpWriter)> {
    connect_with(target, &TcpConfig::current())
}

/// Connects to `target` with the configuration `config`: the host is looked
/// up, and each of its addresses tried in order until one connects, all
/// within `config.connect_timeout` (which starts before the lookup; the
/// lookup itself cannot be cut short). The ports take `config`'s read and
/// write timeouts and buffer size, and the connection has `TCP_NODELAY` on.
///
/// ```
/// use std::io::{BufRead, Write};
/// use std::time::Duration;
/// use tcp_ports::TcpConfig;
///
/// let listener = tcp_ports::listen_on("::1", 0)?;
/// let config = TcpConfig::new().with_connect_timeout(Some(Duration::from_secs(5)));
/// let (mut i, mut o) = tcp_ports::connect_with(format!("[::1]:{}", listener.port()), &config)?;
/// writeln!(o, "Good Bye!")?;
/// let (mut si, _so) = listener.accept()?;
/// let mut line = String::new();
/// si.read_line(&mut line)?;
/// assert_eq!(line, "Good Bye!\n");
/// # let _ = &mut i;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Scheme: `(parameterize ((tcp-connect-timeout …) …) (tcp-connect …))`.
///
/// # Errors
///
/// `InvalidInput` for a malformed target, a port out of range, an unknown
/// service, or a buffer size above [`crate::MAX_BUFFER_SIZE`]. A failed
/// lookup. When no address connects: the error of the last one tried
/// (`ConnectionRefused`, `TimedOut` when the deadline passed, …), its kind
/// kept, its message naming the target and the addresses tried:
/// `connect to localhost:4242 (tried 127.0.0.1:4242): Connection refused
/// (os error 111)`.
#[doc(alias = "parameterize")]
pub fn connect_with(
    target: impl IntoTarget,
    config: &TcpConfig,
) -> io::Result<(TcpReader, TcpWriter)> {
    config.validate()?;
    let target = target.into_target()?;
    let deadline = Deadline::after(config.connect_timeout);
    let addrs = target.resolve()?;
    let mut tried = Vec::with_capacity(addrs.len());
    let mut last = None;
    for addr in addrs {
        if !tried.is_empty() && deadline.remaining() == Some(Duration::ZERO) {
            break;
        }
        tried.push(addr);
        match connect_one(addr, &deadline) {
            Ok(socket) => return Ok(make_ports(socket, None, addr, config)),
            Err(e) => last = Some(e),
        }
    }
    // Made only on failure: a connect that succeeds allocates no error.
    let last =
        last.unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "the host has no address"));
    Err(target.connect_error(&tried, last))
}

/// Starts a connect to `addr` on a new non-blocking socket with
/// `TCP_NODELAY` on, for an async runtime to wait on: the std stream, and
/// whether it is connected already. Still connecting, the stream becomes
/// writable when the connect ends; then its `take_error` tells whether it
/// failed. An async client can so connect without registering the socket
/// with its reactor twice (tokio's `TcpStream::connect` registers it, and
/// taking the stream off the reactor removes it again).
///
/// Scheme: `tcp-connect` (a non-blocking variant, one address).
///
/// # Errors
///
/// Failures known at once (`ConnectionRefused`, `AddrNotAvailable`,
/// `NetworkUnreachable`), naming the address; OS errors of `socket(2)` and
/// `setsockopt(2)`.
#[doc(alias = "tcp-connect")]
pub fn start_connect(addr: SocketAddr) -> io::Result<(std::net::TcpStream, bool)> {
    let (socket, connected) = start(addr, Type::STREAM.nonblocking())?;
    Ok((socket.into(), connected))
}

/// A new socket of type `ty` (blocking or not) with `TCP_NODELAY` on, its
/// connect to `addr` started: the socket, and whether it is connected
/// already.
fn start(addr: SocketAddr, ty: Type) -> io::Result<(Socket, bool)> {
    let socket = Socket::new(Domain::for_address(addr), ty, Some(Protocol::TCP))?;
    socket.set_nodelay(true)?;
    let connected = socket.start_connect(&SockAddr::from(addr))?;
    Ok((socket, connected))
}

/// One attempt, ready for the ports: a blocking socket with `TCP_NODELAY`
/// on (ports send what they are given when they are given it: Nagle's delay
/// would hold back a short reply until the previous one is acknowledged).
/// Without a deadline it is std's blocking connect; with one, a
/// non-blocking connect waited for until `deadline`.
fn connect_one(addr: SocketAddr, deadline: &Deadline) -> io::Result<Socket> {
    let blocking = deadline.timeout().is_none();
    let ty = match blocking {
        true => Type::STREAM,
        false => Type::STREAM.nonblocking(),
    };
    let (socket, connected) = start(addr, ty)?;
    // Blocking, only EINTR leaves the connect going on in the kernel: it
    // is waited for as a non-blocking one is.
    if !connected {
        await_connect(&socket, addr, deadline)?;
    }
    if !blocking {
        socket.set_nonblocking(false)?;
    }
    Ok(socket)
}

/// Waits for a connect in progress until `deadline`, and reports how it
/// ended.
fn await_connect(socket: &Socket, addr: SocketAddr, deadline: &Deadline) -> io::Result<()> {
    if !wait_writable(socket.as_fd(), deadline)? {
        return Err(timed_out(
            "connect to",
            &addr,
            deadline.timeout().unwrap_or_default(),
        ));
    }
    match socket.take_error()? {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
