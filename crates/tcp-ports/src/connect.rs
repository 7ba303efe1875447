//! `tcp-connect`: every address of the target tried in order, within one
//! connect deadline.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::AsFd;
use std::time::Duration;

use netprim::{Domain, Protocol, SockAddr, Socket, Type};

use crate::error::{network_error, timed_out};
use crate::ports::make_ports;
use crate::timeouts::{Deadline, Direction, wait};
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
pub fn connect_with(
    target: impl IntoTarget,
    config: &TcpConfig,
) -> io::Result<(TcpReader, TcpWriter)> {
    config.validate()?;
    let target = target.into_target()?;
    let deadline = Deadline::after(config.connect_timeout);
    let addrs = target.resolve()?;
    let mut tried = Tried {
        target: &target,
        addrs: Vec::with_capacity(addrs.len()),
    };
    let mut last = io::Error::new(io::ErrorKind::NotFound, "the host has no address");
    for addr in addrs {
        if !tried.addrs.is_empty() && deadline.remaining() == Some(Duration::ZERO) {
            break;
        }
        tried.addrs.push(addr);
        match connect_one(addr, &deadline) {
            Ok(socket) => {
                return make_ports(socket, addr, config)
                    .map_err(|e| network_error(e, "connect to", &tried));
            }
            Err(e) => last = e,
        }
    }
    Err(network_error(last, "connect to", &tried))
}

/// One attempt on a non-blocking socket, waiting for it until `deadline`.
fn connect_one(addr: SocketAddr, deadline: &Deadline) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_nonblocking(true)?;
    if socket.start_connect(&SockAddr::from(addr))? {
        return Ok(socket);
    }
    if !wait(socket.as_fd(), Direction::Write, deadline)? {
        return Err(timed_out(
            "connect to",
            &addr,
            deadline.timeout().unwrap_or_default(),
        ));
    }
    if let Some(e) = socket.take_error()? {
        return Err(e);
    }
    // Writable without a pending error but not connected cannot happen on
    // Linux; ask the socket rather than trust it.
    socket.peer_addr()?;
    Ok(socket)
}

/// The target and the addresses tried, for error messages:
/// `localhost:4242 (tried [::1]:4242, 127.0.0.1:4242)`.
struct Tried<'a> {
    target: &'a crate::Target,
    addrs: Vec<SocketAddr>,
}

impl fmt::Display for Tried<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.target)?;
        // An address target needs no list of one.
        if self.addrs.len() == 1 && self.addrs[0].to_string() == self.target.to_string() {
            return Ok(());
        }
        if !self.addrs.is_empty() {
            f.write_str(" (tried ")?;
            for (i, a) in self.addrs.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{a}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}
