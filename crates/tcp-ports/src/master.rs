//! Vicare's `(vicare posix tcp-server-sockets)`: a master server socket
//! (IPv4, `SO_REUSEADDR`, `SO_LINGER` of one second) and server sockets
//! accepted from it, each wrapped in a binary port.

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::time::Duration;

use netprim::{Domain, Protocol, SockAddr, Socket, Type};

use crate::conn::netprim_addr;
use crate::error::{invalid_input, network_error};
use crate::target::resolve_host;

/// How long a master socket, and every server socket accepted from it,
/// lingers on close to send what is unsent.
///
/// Scheme: the `SO_LINGER` of 1 second that `make-master-sock` sets.
#[doc(alias("SO_LINGER", "make-master-sock"))]
pub const MASTER_LINGER: Duration = Duration::from_secs(1);

/// A master server socket: IPv4, TCP, bound to an interface and a port,
/// listening. It becomes readable when a connection is pending; then
/// [`MasterSocket::accept`] takes it without waiting. The socket is
/// non-blocking, so accepting with nothing pending is a `WouldBlock` error
/// rather than a wait.
///
/// ```
/// use std::io::{Read, Write};
///
/// // (make-master-sock "localhost" 0 10)
/// let master = tcp_ports::MasterSocket::bind("localhost", 0, 10)?;
/// let (_i, mut o) = tcp_ports::connect(master.local_addr())?;
/// o.write_all(b"ping")?;
/// netprim::wait_readable(&master, Some(std::time::Duration::from_secs(5)))?;
/// // (make-server-sock-and-port master)
/// let (mut port, client) = master.accept()?;
/// assert!(netprim::wait_readable(&port, Some(std::time::Duration::from_secs(5)))?);
/// let mut buf = [0; 4];
/// port.read_exact(&mut buf)?;
/// assert_eq!(&buf, b"ping");
/// let client = netprim::SockAddr::from_bytes(&client)?;
/// assert_eq!(client.as_socket(), Some(o.local_addr()));
/// port.close()?;   // (close-server-port port)
/// master.close()?; // (close-master-sock master)
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Scheme: the master socket descriptor of `make-master-sock`.
#[doc(alias = "make-master-sock")]
pub struct MasterSocket {
    socket: Socket,
    local: SocketAddr,
}

impl MasterSocket {
    /// Opens a master socket: IPv4 and TCP, `SO_REUSEADDR` and an
    /// `SO_LINGER` of [`MASTER_LINGER`] (one second), bound to the first IPv4
    /// address of `interface` (a host name such as `"localhost"` or an IPv4
    /// address, looked up with `getaddrinfo`) and `port` (0: a free one,
    /// which Vicare refuses; see [the differences](https://github.com/scheme-sockets/scheme-sockets/blob/main/docs/differences.md#master-socket)),
    /// listening with
    /// `max_pending_connections` as its backlog.
    ///
    /// Scheme: `(make-master-sock interface port max-pending-connections)`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a backlog above `i32::MAX` or a malformed
    /// interface; `AddrNotAvailable` when the interface has no IPv4 address
    /// (the master socket is IPv4 only, as Vicare's); a failed lookup;
    /// `AddrInUse` when the port is taken. Network errors name the address.
    #[doc(alias = "make-master-sock")]
    pub fn bind(
        interface: &str,
        port: u16,
        max_pending_connections: u32,
    ) -> io::Result<MasterSocket> {
        let backlog = i32::try_from(max_pending_connections).map_err(|_| {
            invalid_input(format!(
                "max pending connections {max_pending_connections} is larger than {}",
                i32::MAX
            ))
        })?;
        let addrs = resolve_host(interface, port)?;
        let Some(addr) = addrs.iter().copied().find(SocketAddr::is_ipv4) else {
            return Err(network_error(
                io::Error::new(
                    io::ErrorKind::AddrNotAvailable,
                    "no IPv4 address (a master socket is IPv4 only)",
                ),
                "look up",
                &interface,
            ));
        };
        let socket = open(addr, backlog).map_err(|e| network_error(e, "listen on", &addr))?;
        let local = netprim_addr(socket.local_addr()?)?;
        Ok(MasterSocket { socket, local })
    }

    /// The address it is bound to (the port chosen when 0 was asked for).
    ///
    /// Scheme: `(getsockname master-sock)`.
    #[doc(alias = "getsockname")]
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The master socket itself, for options and readiness.
    ///
    /// Scheme: the master socket descriptor.
    pub fn socket(&self) -> &Socket {
        &self.socket
    }

    /// Accepts a pending connection: the server socket, non-blocking, wrapped
    /// in a binary input/output port ([`ServerPort::socket`] is the socket),
    /// and the client's address as the bytes of a `struct sockaddr_in`
    /// (parse them with [`netprim::SockAddr::from_bytes`]).
    ///
    /// The server socket inherits the master socket's one-second linger: its
    /// close waits up to a second for unsent data to go out.
    ///
    /// Scheme: `(make-server-sock-and-port master-sock)`, its three values
    /// as a port (holding the socket) and the address bytes.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when no connection is pending (Vicare fails an
    /// assertion; see [the differences][nothing-pending]);
    /// `ConnectionAborted` for a connection reset before it was accepted,
    /// and resource limits (`EMFILE`), which leave the master socket usable.
    ///
    /// [nothing-pending]: https://github.com/scheme-sockets/scheme-sockets/blob/main/docs/differences.md#accept-with-nothing-pending
    #[doc(alias = "make-server-sock-and-port")]
    pub fn accept(&self) -> io::Result<(ServerPort, Vec<u8>)> {
        let (socket, peer) = match self.socket.accept() {
            Ok(accepted) => accepted,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                return Err(io::Error::new(
                    io::ErrorKind::WouldBlock,
                    format!("no connection is pending on {}", self.local),
                ));
            }
            Err(e) => return Err(network_error(e, "accept on", &self.local)),
        };
        socket
            .set_nonblocking(true)
            .map_err(|e| network_error(e, "accept on", &self.local))?;
        let client = peer.to_bytes();
        let peer = netprim_addr(peer)?;
        Ok((ServerPort { socket, peer }, client))
    }

    /// Closes the master socket. Accepted server sockets stay open.
    ///
    /// Scheme: `(close-master-sock master-sock)`.
    ///
    /// # Errors
    ///
    /// The error of `close(2)`, which a drop would ignore.
    #[doc(alias = "close-master-sock")]
    pub fn close(self) -> io::Result<()> {
        let local = self.local;
        self.socket
            .close()
            .map_err(|e| network_error(e, "close master socket on", &local))
    }
}

fn open(addr: SocketAddr, backlog: i32) -> io::Result<Socket> {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    socket.set_linger(Some(MASTER_LINGER))?;
    socket.bind(&SockAddr::from(addr))?;
    socket.listen(backlog)?;
    socket.set_nonblocking(true)?;
    Ok(socket)
}

impl fmt::Debug for MasterSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterSocket")
            .field("fd", &self.socket.as_raw_fd())
            .field("local", &format_args!("{}", self.local))
            .finish()
    }
}

/// The master socket's descriptor: readable when a connection is pending.
///
/// Scheme: the master socket descriptor.
impl AsFd for MasterSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

/// The master socket's descriptor number.
///
/// Scheme: the master socket descriptor.
impl AsRawFd for MasterSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.socket.as_raw_fd()
    }
}

/// A binary input/output port over a non-blocking server socket accepted
/// from a [`MasterSocket`]. Reads and writes never wait: with nothing to
/// read, or no room to write, they fail with `WouldBlock` (wait for
/// readiness with `netprim::wait_readable` / `wait_writable` on the port).
/// Closing it, or dropping it, closes the socket (with the inherited
/// one-second linger).
///
/// Scheme: the binary port of `make-server-sock-and-port`.
#[doc(alias = "make-server-sock-and-port")]
pub struct ServerPort {
    socket: Socket,
    peer: SocketAddr,
}

impl ServerPort {
    /// The server socket the port wraps.
    ///
    /// Scheme: the first value of `make-server-sock-and-port`.
    #[doc(alias = "make-server-sock-and-port")]
    pub fn socket(&self) -> &Socket {
        &self.socket
    }

    /// The socket, taking it out of the port.
    ///
    /// Scheme: none.
    pub fn into_socket(self) -> Socket {
        self.socket
    }

    /// The client's address.
    ///
    /// Scheme: the third value of `make-server-sock-and-port`, parsed.
    #[doc(alias = "make-server-sock-and-port")]
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    /// Closes the port and with it the server socket.
    ///
    /// Scheme: `(close-server-port server-port)`.
    ///
    /// # Errors
    ///
    /// The error of `close(2)`, which a drop would ignore.
    #[doc(alias = "close-server-port")]
    pub fn close(self) -> io::Result<()> {
        let peer = self.peer;
        self.socket
            .close()
            .map_err(|e| network_error(e, "close connection to", &peer))
    }

    /// `WouldBlock` passes through untouched (it is the normal answer of a
    /// non-blocking port); other errors name the peer.
    fn annotate(&self, op: &'static str, result: io::Result<usize>) -> io::Result<usize> {
        result.map_err(|e| match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => e,
            _ => network_error(e, op, &self.peer),
        })
    }
}

/// Reads what arrived; `WouldBlock` when nothing did.
///
/// Scheme: `get-bytevector-n`, `get-bytevector-some` … on the binary port.
impl Read for ServerPort {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let r = (&self.socket).read(buf);
        self.annotate("read from", r)
    }
    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        let r = (&self.socket).read_vectored(bufs);
        self.annotate("read from", r)
    }
}

/// Writes what the send buffer takes; `WouldBlock` when it is full.
///
/// Scheme: `put-bytevector` … on the binary port.
impl Write for ServerPort {
    /// Sends at once (never raising `SIGPIPE`).
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = self.socket.send(buf);
        self.annotate("write to", r)
    }
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let r = (&self.socket).write_vectored(bufs);
        self.annotate("write to", r)
    }
    /// Nothing to do: the port does not buffer.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl fmt::Debug for ServerPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerPort")
            .field("fd", &self.socket.as_raw_fd())
            .field("peer", &format_args!("{}", self.peer))
            .finish()
    }
}

/// The server socket's descriptor.
///
/// Scheme: the server socket descriptor (`make-server-sock-and-port`'s
/// first value).
impl AsFd for ServerPort {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

/// The server socket's descriptor number.
///
/// Scheme: the server socket descriptor.
impl AsRawFd for ServerPort {
    fn as_raw_fd(&self) -> RawFd {
        self.socket.as_raw_fd()
    }
}
