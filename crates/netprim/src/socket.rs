//! The socket: one method per system call.

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::mem::MaybeUninit;
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::path::Path;
use std::time::Duration;

use crate::error::{annotate, invalid_input};
use crate::{Domain, MsgFlags, Protocol, SockAddr, Type};

/// A socket of any family (IPv4, IPv6, Unix) and style (stream, datagram,
/// raw, seqpacket).
///
/// Created close-on-exec. Blocking until [`Socket::set_nonblocking`] says
/// otherwise. Dropping it closes the descriptor; [`Socket::close`] does the
/// same and reports the error, if any.
///
/// Scheme: Guile's socket port (`socket`), SCM's socket (`make-stream-socket`).
///
/// ```
/// use netprim::{Domain, SockAddr, Socket, Type};
/// use std::io::{Read, Write};
///
/// let listener = Socket::new(Domain::IPV4, Type::STREAM, None)?;
/// listener.bind(&"127.0.0.1:0".parse()?)?;
/// listener.listen(16)?;
/// let client = Socket::new(Domain::IPV4, Type::STREAM, None)?;
/// client.connect(&listener.local_addr()?)?;
/// let (mut server_side, peer) = listener.accept()?;
/// assert_eq!(peer, client.local_addr()?);
/// (&client).write_all(b"hi")?;
/// let mut buf = [0; 2];
/// server_side.read_exact(&mut buf)?;
/// assert_eq!(&buf, b"hi");
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias("socket", "make-stream-socket"))]
pub struct Socket {
    inner: socket2::Socket,
}

/// What [`Socket::recv_from`] received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// How many bytes were written into the buffer.
    pub len: usize,
    /// Who sent them: the datagram's source, or the peer of a stream socket.
    /// A sender without an address (an unbound Unix datagram socket) is
    /// [`UnixAddr::Unnamed`](crate::UnixAddr::Unnamed); a stream peer that
    /// disconnected before it could be named is the unspecified address with
    /// port 0. Either way the bytes received are kept.
    pub from: SockAddr,
    /// Whether a datagram was longer than the buffer, its tail discarded.
    pub truncated: bool,
}

impl Socket {
    /// Creates a socket (`socket(2)`), close-on-exec.
    ///
    /// `protocol` `None` is the default protocol of the family and style
    /// (TCP for IPv4/IPv6 streams, UDP for datagrams).
    ///
    /// Scheme: `socket family style proto` (Guile), `make-stream-socket`
    /// (SCM; note SCM also sets `SO_REUSEADDR` for `AF_INET`: call
    /// [`Socket::set_reuse_address`] to do the same).
    ///
    /// # Errors
    ///
    /// The OS's error, for example `EAFNOSUPPORT` for a family the kernel
    /// lacks, or `EPERM` for a raw socket without `CAP_NET_RAW`.
    #[doc(alias("socket", "make-stream-socket", "SO_REUSEADDR", "AF_INET"))]
    pub fn new(domain: Domain, ty: Type, protocol: Option<Protocol>) -> io::Result<Socket> {
        socket2::Socket::new(domain, ty, protocol).map(Socket::from)
    }

    /// Creates a pair of connected, unnamed sockets (`socketpair(2)`).
    ///
    /// Linux supports this only for [`Domain::UNIX`].
    ///
    /// Scheme: `socketpair` (Guile), `make-stream-socketpair` (SCM).
    ///
    /// # Errors
    ///
    /// `EOPNOTSUPP` for families other than Unix; other OS errors.
    #[doc(alias("socketpair", "make-stream-socketpair"))]
    pub fn pair(
        domain: Domain,
        ty: Type,
        protocol: Option<Protocol>,
    ) -> io::Result<(Socket, Socket)> {
        socket2::Socket::pair(domain, ty, protocol).map(|(a, b)| (a.into(), b.into()))
    }

    /// Binds the socket to a local address (`bind(2)`).
    ///
    /// Binding a Unix socket to a path creates the socket file, and it stays
    /// after the socket is closed, as in SCM: remove it with
    /// [`remove_socket_file`] when it is no longer wanted.
    ///
    /// Scheme: `bind` (Guile), `socket:bind` (SCM).
    ///
    /// # Errors
    ///
    /// `AddrInUse` if the address is taken, `AddrNotAvailable` if it is not
    /// local, `PermissionDenied` for a privileged port; the error names the
    /// address.
    #[doc(alias = "socket:bind")]
    pub fn bind(&self, addr: &SockAddr) -> io::Result<()> {
        self.inner
            .bind(&addr.to_socket2()?)
            .map_err(|e| annotate(e, "bind to", addr))
    }

    /// Connects the socket to a remote address (`connect(2)`), blocking until
    /// the connection is made or fails.
    ///
    /// Scheme: `connect` (Guile), `socket:connect` (SCM).
    ///
    /// # Errors
    ///
    /// `ConnectionRefused` when nothing listens there, `TimedOut` when the
    /// kernel gives up; the error names the address.
    #[doc(alias = "socket:connect")]
    pub fn connect(&self, addr: &SockAddr) -> io::Result<()> {
        self.inner
            .connect(&addr.to_socket2()?)
            .map_err(|e| annotate(e, "connect to", addr))
    }

    /// Connects with a deadline: a non-blocking connect, then a wait of at
    /// most `timeout` for it to complete. The socket is blocking again after.
    ///
    /// # Errors
    ///
    /// `TimedOut` when the deadline passes, `InvalidInput` for a zero
    /// timeout, and the errors of [`Socket::connect`].
    pub fn connect_timeout(&self, addr: &SockAddr, timeout: Duration) -> io::Result<()> {
        if timeout.is_zero() {
            return Err(invalid_input("connect timeout must be greater than zero"));
        }
        self.inner
            .connect_timeout(&addr.to_socket2()?, timeout)
            .map_err(|e| annotate(e, "connect to", addr))
    }

    /// Marks the socket as accepting connections (`listen(2)`), with at most
    /// `backlog` connections waiting in the kernel's queue (capped by
    /// `/proc/sys/net/core/somaxconn`).
    ///
    /// Scheme: `listen` (Guile), `socket:listen` (SCM).
    ///
    /// # Errors
    ///
    /// `EOPNOTSUPP` for a socket style that does not listen; other OS errors.
    #[doc(alias = "socket:listen")]
    pub fn listen(&self, backlog: i32) -> io::Result<()> {
        self.inner.listen(backlog)
    }

    /// Accepts a connection (`accept4(2)`, close-on-exec), returning the new
    /// socket and the peer's address. Blocks unless the socket is
    /// non-blocking, in which case no pending connection is `WouldBlock`.
    ///
    /// Scheme: `accept` (Guile: the pair of socket and address), `socket:accept`
    /// (SCM).
    ///
    /// # Errors
    ///
    /// `WouldBlock` (non-blocking, nothing pending). Errors that concern only
    /// the one connection (`ConnectionAborted`, `EPROTO`) and resource limits
    /// (`EMFILE`, `ENFILE`, `ENOBUFS`) leave the listener usable.
    #[doc(alias = "socket:accept")]
    pub fn accept(&self) -> io::Result<(Socket, SockAddr)> {
        let (sock, addr) = self.inner.accept()?;
        // An accepted stream from a Unix listener has an unnamed peer; that is
        // a valid address, so this conversion cannot fail for AF_UNIX/INET.
        Ok((sock.into(), SockAddr::from_socket2(&addr)?))
    }

    /// [`Socket::accept`] on a listener `fd` borrowed from another owner
    /// (a std or tokio listener), with the new socket non-blocking from the
    /// start (`accept4(2)` with `SOCK_NONBLOCK`): one system call where
    /// `accept` and `set_nonblocking` take two.
    ///
    /// Scheme: `accept`, `socket:accept` (a non-blocking variant).
    ///
    /// # Errors
    ///
    /// As [`Socket::accept`].
    #[doc(alias("accept", "socket:accept"))]
    pub fn accept_nonblocking(listener: BorrowedFd<'_>) -> io::Result<(Socket, SockAddr)> {
        let (sock, addr) =
            socket2::SockRef::from(&listener).accept4(libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK)?;
        Ok((sock.into(), SockAddr::from_socket2(&addr)?))
    }

    /// Makes the close of the socket `fd` (borrowed from another owner) an
    /// abortive one: `SO_LINGER` on with a time of zero, so `close(2)`
    /// sends a reset (RST) and drops what is unsent.
    ///
    /// Scheme: none (`tcp-abandon-port` followed by an abortive close).
    ///
    /// # Errors
    ///
    /// OS errors of `setsockopt(2)`.
    pub fn reset_on_close(fd: BorrowedFd<'_>) -> io::Result<()> {
        socket2::SockRef::from(&fd).set_linger(Some(std::time::Duration::ZERO))
    }

    /// The local address the socket is bound to (`getsockname(2)`).
    ///
    /// Scheme: `getsockname`.
    ///
    /// # Errors
    ///
    /// OS errors, e.g. `EBADF`; an unbound socket gives an unspecified or
    /// unnamed address, not an error.
    #[doc(alias = "getsockname")]
    pub fn local_addr(&self) -> io::Result<SockAddr> {
        SockAddr::from_socket2(&self.inner.local_addr()?)
    }

    /// The address of the connected peer (`getpeername(2)`).
    ///
    /// Scheme: `getpeername`.
    ///
    /// # Errors
    ///
    /// `NotConnected` if the socket is not connected.
    #[doc(alias = "getpeername")]
    pub fn peer_addr(&self) -> io::Result<SockAddr> {
        SockAddr::from_socket2(&self.inner.peer_addr()?)
    }

    /// Shuts down reading, writing or both (`shutdown(2)`). Shutting down
    /// writing sends FIN after the queued data; the peer reads EOF.
    ///
    /// Scheme: `shutdown sock how` (Guile), `socket:shutdown` (SCM); see
    /// [`shutdown_how`] for the integer `how`.
    ///
    /// # Errors
    ///
    /// `NotConnected` if the socket is not connected.
    #[doc(alias("socket:shutdown", "how"))]
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.shutdown(how)
    }

    /// Puts the socket in non-blocking mode (`O_NONBLOCK`) or takes it out.
    ///
    /// # Errors
    ///
    /// OS errors from `fcntl(2)`.
    pub fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        self.inner.set_nonblocking(nonblocking)
    }

    /// Whether the socket is in non-blocking mode.
    ///
    /// # Errors
    ///
    /// OS errors from `fcntl(2)`.
    pub fn nonblocking(&self) -> io::Result<bool> {
        self.inner.nonblocking()
    }

    /// A second handle on the same socket (`dup(2)` with close-on-exec). The
    /// connection lives until every handle is closed.
    ///
    /// # Errors
    ///
    /// `EMFILE`/`ENFILE` when out of descriptors.
    pub fn try_clone(&self) -> io::Result<Socket> {
        self.inner.try_clone().map(Socket::from)
    }

    /// Closes the socket (`close(2)`), reporting the error that dropping it
    /// would ignore.
    ///
    /// Scheme: `close-port` (Guile, SCM).
    ///
    /// # Errors
    ///
    /// The error of `close(2)`; the descriptor is released either way.
    #[doc(alias = "close-port")]
    pub fn close(self) -> io::Result<()> {
        let fd = self.inner.into_raw_fd();
        nix::unistd::close(fd).map_err(io::Error::from)
    }

    /// Sends bytes on a connected socket (`send(2)`), returning how many were
    /// sent. Never raises `SIGPIPE`: a closed peer is a `BrokenPipe` error.
    ///
    /// Scheme: `send sock message` (Guile).
    ///
    /// # Errors
    ///
    /// `BrokenPipe`, `ConnectionReset`, `WouldBlock` (non-blocking),
    /// `NotConnected`.
    pub fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.send_with_flags(buf, MsgFlags::NONE)
    }

    /// [`Socket::send`] with message flags (`MSG_OOB`, `MSG_DONTROUTE`, …).
    ///
    /// Scheme: `send sock message flags` (Guile).
    ///
    /// # Errors
    ///
    /// As [`Socket::send`].
    #[doc(alias = "send")]
    pub fn send_with_flags(&self, buf: &[u8], flags: MsgFlags) -> io::Result<usize> {
        self.inner
            .send_with_flags(buf, flags.bits() | libc::MSG_NOSIGNAL)
    }

    /// Receives bytes from a connected socket (`recv(2)`), returning how many
    /// were written into `buf`; 0 means EOF on a stream. A datagram longer than
    /// `buf` loses its tail: use [`Socket::recv_from`] to learn of it.
    ///
    /// Scheme: `recv! sock buf` (Guile).
    ///
    /// # Errors
    ///
    /// `WouldBlock` (non-blocking or receive timeout), `ConnectionReset`.
    #[doc(alias = "recv!")]
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.recv_with_flags(buf, MsgFlags::NONE)
    }

    /// [`Socket::recv`] with message flags (`MSG_PEEK`, `MSG_OOB`,
    /// `MSG_WAITALL`, …).
    ///
    /// Scheme: `recv! sock buf flags` (Guile).
    ///
    /// # Errors
    ///
    /// As [`Socket::recv`].
    #[doc(alias = "recv!")]
    pub fn recv_with_flags(&self, buf: &mut [u8], flags: MsgFlags) -> io::Result<usize> {
        self.inner.recv_with_flags(as_uninit(buf), flags.bits())
    }

    /// Sends a datagram (or stream bytes) to `addr` (`sendto(2)`). Never
    /// raises `SIGPIPE`.
    ///
    /// Scheme: `sendto sock message fam address` (Guile).
    ///
    /// # Errors
    ///
    /// `EMSGSIZE` for a datagram too large, `EISCONN`, and the errors of
    /// [`Socket::send`]; the error names the address.
    #[doc(alias = "sendto")]
    pub fn send_to(&self, buf: &[u8], addr: &SockAddr) -> io::Result<usize> {
        self.send_to_with_flags(buf, addr, MsgFlags::NONE)
    }

    /// [`Socket::send_to`] with message flags.
    ///
    /// Scheme: `sendto sock message fam address … flags` (Guile).
    ///
    /// # Errors
    ///
    /// As [`Socket::send_to`].
    #[doc(alias = "sendto")]
    pub fn send_to_with_flags(
        &self,
        buf: &[u8],
        addr: &SockAddr,
        flags: MsgFlags,
    ) -> io::Result<usize> {
        self.inner
            .send_to_with_flags(buf, &addr.to_socket2()?, flags.bits() | libc::MSG_NOSIGNAL)
            .map_err(|e| annotate(e, "send to", addr))
    }

    /// Receives a datagram (or stream bytes) and its sender (`recvmsg(2)`).
    /// Unlike Guile, a datagram longer than `buf` is reported:
    /// [`Received::truncated`] is set.
    ///
    /// Scheme: `recvfrom! sock buf` (Guile; its start and end arguments become
    /// a sub-slice, `&mut buf[start..end]`).
    ///
    /// # Errors
    ///
    /// As [`Socket::recv`].
    #[doc(alias = "recvfrom!")]
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<Received> {
        self.recv_from_with_flags(buf, MsgFlags::NONE)
    }

    /// [`Socket::recv_from`] with message flags.
    ///
    /// Scheme: `recvfrom! sock buf flags` (Guile).
    ///
    /// # Errors
    ///
    /// As [`Socket::recv`].
    #[doc(alias = "recvfrom!")]
    pub fn recv_from_with_flags(&self, buf: &mut [u8], flags: MsgFlags) -> io::Result<Received> {
        let mut bufs = [socket2::MaybeUninitSlice::new(as_uninit(buf))];
        let (len, rflags, addr) = self
            .inner
            .recv_from_vectored_with_flags(&mut bufs, flags.bits())?;
        // A connected stream reports no source address (length 0); its sender
        // is the peer. So does a Unix datagram from an unbound sender, which
        // has no address at all. The bytes are already taken from the
        // socket: failing now would lose them, so a sender that cannot be
        // named is reported as such rather than as an error.
        let from = if addr.len() == 0 || i32::from(addr.family()) == libc::AF_UNSPEC {
            match self.peer_addr() {
                Ok(peer) => peer,
                Err(_) => self.unknown_sender()?,
            }
        } else {
            SockAddr::from_socket2(&addr)?
        };
        Ok(Received {
            len,
            from,
            truncated: rflags.is_truncated(),
        })
    }

    /// The address standing for a sender that has none: unnamed for Unix,
    /// the unspecified address and port 0 for IP (a stream peer gone
    /// between the receive and `getpeername`).
    fn unknown_sender(&self) -> io::Result<SockAddr> {
        Ok(match self.local_addr()?.family() {
            d if d == Domain::IPV4 => SockAddr::from((std::net::Ipv4Addr::UNSPECIFIED, 0)),
            d if d == Domain::IPV6 => SockAddr::from((std::net::Ipv6Addr::UNSPECIFIED, 0)),
            _ => SockAddr::Unix(crate::UnixAddr::Unnamed),
        })
    }

    /// The socket2 socket underneath, for options this crate does not wrap.
    pub fn as_socket2(&self) -> &socket2::Socket {
        &self.inner
    }
}

/// The [`Shutdown`] for the integer `how` of Guile's `shutdown` and SCM's
/// `socket:shutdown`: 0 stops receiving, 1 stops sending, 2 stops both.
///
/// Scheme: the how argument of `shutdown` / `socket:shutdown`.
///
/// # Errors
///
/// `InvalidInput` naming the value for anything but 0, 1 or 2.
#[doc(alias("shutdown", "socket:shutdown"))]
pub fn shutdown_how(how: i32) -> io::Result<Shutdown> {
    match how {
        0 => Ok(Shutdown::Read),
        1 => Ok(Shutdown::Write),
        2 => Ok(Shutdown::Both),
        other => Err(invalid_input(format!(
            "shutdown how {other} is not 0 (read), 1 (write) or 2 (both)"
        ))),
    }
}

/// Removes the socket file a Unix socket was bound to, if it exists.
/// Refuses to remove anything that is not a socket, so a mistaken path cannot
/// delete a regular file. Returns whether a file was removed.
///
/// Scheme: SCM's advice to `delete-file` the socket's path once done.
///
/// # Errors
///
/// `InvalidInput` if the path exists but is not a socket; errors of
/// `unlink(2)` other than not-found.
#[doc(alias = "delete-file")]
pub fn remove_socket_file(path: impl AsRef<Path>) -> io::Result<bool> {
    use std::os::unix::fs::FileTypeExt;
    let path = path.as_ref();
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
        Ok(meta) if !meta.file_type().is_socket() => Err(invalid_input(format!(
            "{} is not a socket file; not removing it",
            path.display()
        ))),
        Ok(_) => match std::fs::remove_file(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            other => other.map(|()| true),
        },
    }
}

fn as_uninit(buf: &mut [u8]) -> &mut [MaybeUninit<u8>] {
    // SAFETY: `MaybeUninit<u8>` has the layout of `u8`, and the socket calls
    // only ever write initialised bytes into the slice, so it stays valid
    // as `[u8]` for the caller.
    unsafe { &mut *(buf as *mut [u8] as *mut [MaybeUninit<u8>]) }
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Socket");
        d.field("fd", &self.as_raw_fd());
        if let Ok(addr) = self.local_addr() {
            d.field("local", &format_args!("{addr}"));
        }
        if let Ok(addr) = self.peer_addr() {
            d.field("peer", &format_args!("{addr}"));
        }
        d.finish()
    }
}

impl Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self).read(buf)
    }
    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        (&*self).read_vectored(bufs)
    }
}

impl Read for &Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&self.inner).read(buf)
    }
    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        (&self.inner).read_vectored(bufs)
    }
}

impl Write for Socket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self).write(buf)
    }
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        (&*self).write_vectored(bufs)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Write for &Socket {
    /// Sends with `MSG_NOSIGNAL`, like [`Socket::send`].
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.send(buf)
    }
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.inner
            .send_vectored_with_flags(bufs, libc::MSG_NOSIGNAL)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl From<socket2::Socket> for Socket {
    fn from(inner: socket2::Socket) -> Socket {
        Socket { inner }
    }
}

impl From<Socket> for socket2::Socket {
    fn from(s: Socket) -> socket2::Socket {
        s.inner
    }
}

impl AsFd for Socket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl AsRawFd for Socket {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl IntoRawFd for Socket {
    fn into_raw_fd(self) -> RawFd {
        self.inner.into_raw_fd()
    }
}

impl FromRawFd for Socket {
    /// # Safety
    ///
    /// `fd` must be an open socket descriptor that nothing else owns.
    unsafe fn from_raw_fd(fd: RawFd) -> Socket {
        // SAFETY: the caller upholds the ownership contract above.
        Socket::from(unsafe { socket2::Socket::from_raw_fd(fd) })
    }
}

impl From<OwnedFd> for Socket {
    fn from(fd: OwnedFd) -> Socket {
        Socket::from(socket2::Socket::from(fd))
    }
}

impl From<Socket> for OwnedFd {
    fn from(s: Socket) -> OwnedFd {
        s.inner.into()
    }
}

/// Conversions both ways between `Socket` and std's socket types, which own
/// their descriptor the same way.
macro_rules! std_conversions {
    ($($std:ty),+ $(,)?) => {$(
        impl From<$std> for Socket {
            fn from(s: $std) -> Socket {
                Socket::from(socket2::Socket::from(s))
            }
        }
        impl From<Socket> for $std {
            fn from(s: Socket) -> $std {
                s.inner.into()
            }
        }
    )+};
}

std_conversions!(
    std::net::TcpStream,
    std::net::TcpListener,
    std::net::UdpSocket,
    std::os::unix::net::UnixStream,
    std::os::unix::net::UnixListener,
    std::os::unix::net::UnixDatagram,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recv_from_an_unbound_unix_datagram_sender_is_unnamed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dgram.sock");
        let receiver = Socket::new(Domain::UNIX, Type::DGRAM, None).unwrap();
        receiver.bind(&SockAddr::unix(&path).unwrap()).unwrap();
        let sender = Socket::new(Domain::UNIX, Type::DGRAM, None).unwrap();
        sender
            .send_to(b"hi", &SockAddr::unix(&path).unwrap())
            .unwrap();
        let mut buf = [0; 8];
        let got = receiver.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..got.len], b"hi");
        assert!(got.from.is_unnamed(), "{:?}", got.from);
    }
}
