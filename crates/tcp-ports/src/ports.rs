//! The two ports of a connection: a [`TcpReader`] (input port) and a
//! [`TcpWriter`] (output port) over one socket, each with its own timeout,
//! usable from different threads. The socket closes when both are closed or
//! dropped.
//!
//! Ending a port, three ways:
//!
//! | | the peer sees | a duplicate of the socket (`fork`, `dup`) |
//! |---|---|---|
//! | `close` / drop | writer: buffered output, then EOF (FIN); reader: nothing | its direction is shut down for every handle |
//! | `abandon` | nothing from this port; the connection goes on while any handle remains | keeps the connection |
//! | `abort` | `ConnectionReset` (RST), unsent output discarded | the connection is reset once every handle is closed |
//!
//! The socket itself closes when both ports are ended; an abort's reset
//! goes out then. A writer whose last send failed aborts when closed.

use std::fmt;
use std::io::{self, BufRead, BufReader, BufWriter, IoSlice, IoSliceMut, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use netprim::Socket;

use crate::TcpConfig;
use crate::error::network_error;
use crate::timeouts::{Direction, with_timeout};

/// What both halves share: the socket and what is known about it.
#[derive(Debug)]
struct Conn {
    socket: Socket,
    local: SocketAddr,
    peer: SocketAddr,
    /// Set by `abort`: the other half fails instead of using a connection
    /// about to be reset.
    aborted: AtomicBool,
}

impl Conn {
    fn check_not_aborted(&self, op: &'static str) -> io::Result<()> {
        if self.aborted.load(Ordering::Acquire) {
            return Err(network_error(
                io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "the connection was aborted by this side",
                ),
                op,
                &self.peer,
            ));
        }
        Ok(())
    }

    /// Shuts down one direction for every handle. A connection the peer
    /// already reset has nothing left to shut down; that is not an error.
    fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        match self.socket.shutdown(how) {
            Err(e) if e.kind() != io::ErrorKind::NotConnected => {
                Err(network_error(e, "shut down", &self.peer))
            }
            _ => Ok(()),
        }
    }
}

/// Makes the two ports of a freshly connected or accepted socket.
pub(crate) fn make_ports(
    socket: Socket,
    peer: SocketAddr,
    config: &TcpConfig,
) -> io::Result<(TcpReader, TcpWriter)> {
    socket.set_nonblocking(true)?;
    // Ports send what they are given when they are given it: Nagle's delay
    // would hold back a short reply until the previous one is acknowledged.
    socket.set_nodelay(true)?;
    let local = netprim_addr(socket.local_addr()?)?;
    let conn = Arc::new(Conn {
        socket,
        local,
        peer: canonical(peer),
        aborted: AtomicBool::new(false),
    });
    let reader = TcpReader {
        inner: BufReader::new(RecvHalf {
            conn: Arc::clone(&conn),
            timeout: config.read_timeout,
            finished: false,
        }),
    };
    let half = SendHalf {
        conn,
        timeout: config.write_timeout,
        finished: false,
        last_send_failed: false,
    };
    let out = match config.buffer_size {
        0 => Out::Direct(half),
        n => Out::Buffered(BufWriter::with_capacity(n, half)),
    };
    Ok((reader, TcpWriter { out }))
}

/// A socket address as std's type, IPv4-mapped IPv6 shown as IPv4.
pub(crate) fn netprim_addr(addr: netprim::SockAddr) -> io::Result<SocketAddr> {
    addr.as_socket().map(canonical).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{addr} is not an IP socket address"),
        )
    })
}

/// `::ffff:1.2.3.4` (a v4 peer of a dual-stack socket) as `1.2.3.4`.
pub(crate) fn canonical(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V6(v6) => match v6.ip().to_ipv4_mapped() {
            Some(v4) => SocketAddr::new(IpAddr::V4(v4), v6.port()),
            None => addr,
        },
        v4 => v4,
    }
}

/// How a half ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Finish {
    Close,
    Abandon,
    Abort,
}

/// Ends a half's use of the connection: shuts its direction down (close),
/// leaves it as it is (abandon), or arms the reset (abort).
fn finish(conn: &Arc<Conn>, how: Finish, direction: Shutdown) -> io::Result<()> {
    match how {
        Finish::Close if !conn.aborted.load(Ordering::Acquire) => conn.shutdown(direction),
        Finish::Close | Finish::Abandon => Ok(()),
        Finish::Abort => {
            conn.aborted.store(true, Ordering::Release);
            let linger = conn
                .socket
                .set_linger(Some(Duration::ZERO))
                .map_err(|e| network_error(e, "abort connection to", &conn.peer));
            // Wakes a reader blocked in another thread, which then reports
            // the abort; nothing is sent to the peer.
            let _ = conn.socket.shutdown(Shutdown::Read);
            linger
        }
    }
}

/// Closes the socket if `conn` is its last holder, reporting the error of
/// `close(2)` that a drop would ignore.
fn close_if_last(conn: Arc<Conn>) -> io::Result<()> {
    match Arc::into_inner(conn) {
        Some(Conn { socket, peer, .. }) => socket
            .close()
            .map_err(|e| network_error(e, "close connection to", &peer)),
        None => Ok(()),
    }
}

/// The input port of a connection: [`Read`] and [`BufRead`] with a read
/// timeout.
///
/// Made by [`crate::connect`] and [`crate::TcpListener::accept`] with its
/// [`TcpWriter`]. `Send` and `Sync`: read in one thread while another
/// writes. Dropping it is [`TcpReader::close`] without the error report.
///
/// Each wait for data lasts at most the read timeout; then the read fails
/// with [`io::ErrorKind::TimedOut`], consuming nothing, so the reader stays
/// usable: read again to wait again. (`read_line` and `read_until` keep what
/// they read before the timeout in your buffer.) EOF is `Ok(0)`.
///
/// Scheme: the input port returned by `tcp-accept` and `tcp-connect`.
pub struct TcpReader {
    inner: BufReader<RecvHalf>,
}

#[derive(Debug)]
struct RecvHalf {
    conn: Arc<Conn>,
    timeout: Option<Duration>,
    /// Ended by close, abandon or abort: its drop does nothing more.
    finished: bool,
}

impl Read for RecvHalf {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let conn = &*self.conn;
        conn.check_not_aborted("read from")?;
        let n = with_timeout(
            conn.socket.as_fd(),
            Direction::Read,
            self.timeout,
            "read from",
            &conn.peer,
            || conn.socket.recv(buf),
        )?;
        // An abort in the other half shuts reading down, which looks like EOF.
        if n == 0 && !buf.is_empty() {
            conn.check_not_aborted("read from")?;
        }
        Ok(n)
    }
}

impl RecvHalf {
    fn finish(mut self, how: Finish) -> io::Result<()> {
        self.finished = true;
        let conn = Arc::clone(&self.conn);
        drop(self);
        let ended = finish(&conn, how, Shutdown::Read);
        ended.and(close_if_last(conn))
    }
}

impl Drop for RecvHalf {
    fn drop(&mut self) {
        if !self.finished {
            let _ = finish(&self.conn, Finish::Close, Shutdown::Read);
        }
    }
}

impl TcpReader {
    fn conn(&self) -> &Conn {
        &self.inner.get_ref().conn
    }

    /// The read timeout of this port (from the configuration it was made
    /// with, or as last set).
    ///
    /// Scheme: `tcp-read-timeout` as captured by this port.
    pub fn read_timeout(&self) -> Option<Duration> {
        self.inner.get_ref().timeout
    }

    /// Changes the read timeout of this port; see [`TcpConfig`] for what
    /// `None` and zero mean.
    ///
    /// Scheme: none (CHICKEN's ports keep the value they were made with);
    /// the fix of decision 3.
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) {
        self.inner.get_mut().timeout = timeout;
    }

    /// Whether a read would return at once: input is buffered or has
    /// arrived, or the peer closed (EOF) or reset the connection. Does not
    /// wait.
    ///
    /// Scheme: `char-ready?` on the input port.
    ///
    /// # Errors
    ///
    /// Errors of `poll(2)`.
    pub fn input_ready(&self) -> io::Result<bool> {
        if !self.inner.buffer().is_empty() {
            return Ok(true);
        }
        let conn = self.conn();
        netprim::wait_readable(conn.socket.as_fd(), Some(Duration::ZERO))
            .map_err(|e| network_error(e, "poll", &conn.peer))
    }

    /// Closes the input port: shuts down reading (for every handle on the
    /// socket; nothing is sent to the peer), and closes the socket if the
    /// writer is closed too. Unread input is discarded.
    ///
    /// Scheme: `close-input-port`.
    ///
    /// # Errors
    ///
    /// The error of `close(2)` when this closes the socket.
    pub fn close(self) -> io::Result<()> {
        self.inner.into_inner().finish(Finish::Close)
    }

    /// Lets go of the input port without shutting anything down, so that
    /// another handle on the socket (a duplicate made with `dup` or across
    /// `fork`) keeps reading. Closes the socket if the writer is gone too.
    ///
    /// Scheme: `tcp-abandon-port` then `close-input-port`.
    ///
    /// # Errors
    ///
    /// The error of `close(2)` when this closes the socket.
    pub fn abandon(self) -> io::Result<()> {
        self.inner.into_inner().finish(Finish::Abandon)
    }

    /// Aborts the connection: the peer gets a reset (RST) instead of EOF,
    /// once the writer is closed too (its buffered output is then
    /// discarded). The writer fails with `ConnectionAborted` from now on,
    /// and a read blocked in another thread returns that error.
    ///
    /// Scheme: none (an abortive close: `SO_LINGER` of zero, then close).
    ///
    /// # Errors
    ///
    /// Errors of `setsockopt(2)` and, when this closes the socket, `close(2)`.
    pub fn abort(self) -> io::Result<()> {
        self.inner.into_inner().finish(Finish::Abort)
    }
}

/// Reads what arrived, waiting at most the read timeout for something to
/// arrive; `Ok(0)` at EOF.
///
/// Scheme: `read-char`, `read-string`, `read-u8` … on the input port.
impl Read for TcpReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.inner.read_vectored(bufs)
    }
}

/// Lines and delimited reads, through the port's input buffer.
///
/// Scheme: `read-line` on the input port (`BufRead::read_line`, which keeps
/// the newline).
impl BufRead for TcpReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
    }
}

/// The output port of a connection: [`Write`] with a write timeout and an
/// optional output buffer.
///
/// Made by [`crate::connect`] and [`crate::TcpListener::accept`] with its
/// [`TcpReader`]. `Send` and `Sync`: write in one thread while another reads.
///
/// Without a buffer (the default, [`TcpConfig::buffer_size`] 0) every write
/// is sent at once. With one, writes collect in it and are sent when it
/// fills, on [`Write::flush`], and on close. Each wait for room in the
/// kernel's send buffer lasts at most the write timeout; then the write
/// fails with [`io::ErrorKind::TimedOut`]. A write that times out has sent
/// nothing (an unbuffered one) or keeps the unsent bytes in the buffer (a
/// buffered one), so the writer stays usable.
///
/// Closing it ([`TcpWriter::close`], or dropping it) sends what is buffered
/// and then EOF (FIN) to the peer: a half close, the reader can still read.
/// A drop cannot report a failure to send the buffer; call
/// [`TcpWriter::close`] (or flush first) to learn of it. If the last attempt
/// to send failed (a timeout, say, on a peer that stopped reading), closing
/// aborts the connection instead (see [`TcpWriter::abort`]): the peer gets a
/// reset rather than EOF, so it never takes a cut-off stream for a complete
/// one. A writer never
/// raises `SIGPIPE`: writing to a connection the peer closed fails with
/// `BrokenPipe` (or `ConnectionReset`).
///
/// Scheme: the output port returned by `tcp-accept` and `tcp-connect`.
pub struct TcpWriter {
    out: Out,
}

#[derive(Debug)]
enum Out {
    Direct(SendHalf),
    Buffered(BufWriter<SendHalf>),
}

#[derive(Debug)]
struct SendHalf {
    conn: Arc<Conn>,
    timeout: Option<Duration>,
    finished: bool,
    /// The last send failed, so what was written may not all have gone
    /// out: closing then resets the connection rather than sending EOF, so
    /// the peer cannot take a cut-off stream for a complete one.
    last_send_failed: bool,
}

impl Write for SendHalf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let conn = &*self.conn;
        let result = conn.check_not_aborted("write to").and_then(|()| {
            with_timeout(
                conn.socket.as_fd(),
                Direction::Write,
                self.timeout,
                "write to",
                &conn.peer,
                || conn.socket.send(buf),
            )
        });
        self.last_send_failed = result.is_err();
        result
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let conn = &*self.conn;
        let result = conn.check_not_aborted("write to").and_then(|()| {
            with_timeout(
                conn.socket.as_fd(),
                Direction::Write,
                self.timeout,
                "write to",
                &conn.peer,
                || (&conn.socket).write_vectored(bufs),
            )
        });
        self.last_send_failed = result.is_err();
        result
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl SendHalf {
    fn finish(mut self, how: Finish) -> io::Result<()> {
        let how = match how {
            Finish::Close if self.last_send_failed => Finish::Abort,
            other => other,
        };
        self.finished = true;
        let conn = Arc::clone(&self.conn);
        drop(self);
        let ended = finish(&conn, how, Shutdown::Write);
        ended.and(close_if_last(conn))
    }
}

impl Drop for SendHalf {
    fn drop(&mut self) {
        if !self.finished {
            let how = match self.last_send_failed {
                true => Finish::Abort,
                false => Finish::Close,
            };
            let _ = finish(&self.conn, how, Shutdown::Write);
        }
    }
}

impl TcpWriter {
    fn conn(&self) -> &Conn {
        &self.half().conn
    }

    fn half(&self) -> &SendHalf {
        match &self.out {
            Out::Direct(h) => h,
            Out::Buffered(b) => b.get_ref(),
        }
    }

    fn half_mut(&mut self) -> &mut SendHalf {
        match &mut self.out {
            Out::Direct(h) => h,
            Out::Buffered(b) => b.get_mut(),
        }
    }

    /// Sends what is buffered and takes the half out, or gives the error and
    /// the half with the unsent bytes dropped.
    fn into_half(self, discard: bool) -> (SendHalf, io::Result<()>) {
        match self.out {
            Out::Direct(h) => (h, Ok(())),
            Out::Buffered(b) if discard => (b.into_parts().0, Ok(())),
            Out::Buffered(b) => match b.into_inner() {
                Ok(h) => (h, Ok(())),
                Err(e) => {
                    let (err, b) = e.into_parts();
                    let mut half = b.into_parts().0;
                    half.last_send_failed = true;
                    (half, Err(err))
                }
            },
        }
    }

    /// The write timeout of this port (from the configuration it was made
    /// with, or as last set).
    ///
    /// Scheme: `tcp-write-timeout` as captured by this port.
    pub fn write_timeout(&self) -> Option<Duration> {
        self.half().timeout
    }

    /// Changes the write timeout of this port; see [`TcpConfig`] for what
    /// `None` and zero mean.
    ///
    /// Scheme: none (CHICKEN's ports keep the value they were made with);
    /// the fix of decision 3.
    pub fn set_write_timeout(&mut self, timeout: Option<Duration>) {
        self.half_mut().timeout = timeout;
    }

    /// The size of the output buffer; 0 when every write is sent at once.
    ///
    /// Scheme: `tcp-buffer-size` as captured by this port.
    pub fn buffer_size(&self) -> usize {
        match &self.out {
            Out::Direct(_) => 0,
            Out::Buffered(b) => b.capacity(),
        }
    }

    /// How many bytes wait in the output buffer for a flush.
    ///
    /// Scheme: none.
    pub fn buffered(&self) -> usize {
        match &self.out {
            Out::Direct(_) => 0,
            Out::Buffered(b) => b.buffer().len(),
        }
    }

    /// Closes the output port: sends what is buffered, then EOF (FIN) to
    /// the peer (for every handle on the socket); closes the socket if the
    /// reader is closed too. The reader can still read what the peer sends:
    /// a half close.
    ///
    /// Scheme: `close-output-port`.
    ///
    /// # Errors
    ///
    /// A failure to send the buffer (then the rest of it is lost, the port
    /// is closed all the same, and the peer gets a reset rather than EOF),
    /// to shut down, or of `close(2)`.
    pub fn close(self) -> io::Result<()> {
        let (half, flushed) = self.into_half(false);
        let ended = half.finish(Finish::Close);
        flushed.and(ended)
    }

    /// Sends what is buffered, then lets go of the output port without
    /// sending EOF, so that another handle on the socket (a duplicate made
    /// with `dup` or across `fork`) keeps writing. Closes the socket if the
    /// reader is gone too.
    ///
    /// Scheme: `tcp-abandon-port` then `close-output-port`.
    ///
    /// # Errors
    ///
    /// As [`TcpWriter::close`].
    pub fn abandon(self) -> io::Result<()> {
        let (half, flushed) = self.into_half(false);
        let ended = half.finish(Finish::Abandon);
        flushed.and(ended)
    }

    /// Aborts the connection: discards buffered output and makes the peer
    /// get a reset (RST) instead of EOF, once the reader is closed too. A
    /// read blocked in another thread returns `ConnectionAborted`, as do
    /// later reads.
    ///
    /// Scheme: none (an abortive close: `SO_LINGER` of zero, then close).
    ///
    /// # Errors
    ///
    /// Errors of `setsockopt(2)` and, when this closes the socket, `close(2)`.
    pub fn abort(self) -> io::Result<()> {
        let (half, _) = self.into_half(true);
        half.finish(Finish::Abort)
    }
}

/// Writes, buffered or sent at once as the port's buffer size says.
///
/// Scheme: `write-string`, `write-line`, `display` … on the output port;
/// `flush-output` is [`Write::flush`].
impl Write for TcpWriter {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.out {
            Out::Direct(h) => h.write(buf),
            Out::Buffered(b) => b.write(buf),
        }
    }

    // Forwarded rather than left to the default loop over `write`, so that
    // small writes into the buffer take `BufWriter`'s inlined fast path:
    // without it a buffered `TcpWriter` measured 1.2-1.4 times slower than a
    // `BufWriter` of the same size (BENCHMARKS.md, small_writes).
    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.out {
            Out::Direct(h) => h.write_all(buf),
            Out::Buffered(b) => b.write_all(buf),
        }
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        match &mut self.out {
            Out::Direct(h) => h.write_vectored(bufs),
            Out::Buffered(b) => b.write_vectored(bufs),
        }
    }

    /// Sends what is buffered; waits at most the write timeout for each
    /// chunk of room in the send buffer.
    ///
    /// Scheme: `flush-output`.
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.out {
            Out::Direct(_) => Ok(()),
            Out::Buffered(b) => b.flush(),
        }
    }
}

/// The queries both ports answer about their connection.
macro_rules! connection_queries {
    ($port:ty) => {
        impl $port {
            /// The local address of the connection (IPv4-mapped IPv6
            /// addresses shown as IPv4).
            ///
            /// Scheme: `tcp-addresses` and `tcp-port-numbers` (first values).
            pub fn local_addr(&self) -> SocketAddr {
                self.conn().local
            }

            /// The address of the peer (IPv4-mapped IPv6 addresses shown as
            /// IPv4).
            ///
            /// Scheme: `tcp-addresses` and `tcp-port-numbers` (second values).
            pub fn peer_addr(&self) -> SocketAddr {
                self.conn().peer
            }

            /// The IP addresses of the local and the remote end, in that
            /// order. Print them with `to_string()` for CHICKEN's
            /// `"XXX.XXX.XXX.XXX"` strings; IPv6 works too.
            ///
            /// Scheme: `tcp-addresses`.
            pub fn addresses(&self) -> (IpAddr, IpAddr) {
                let c = self.conn();
                (c.local.ip(), c.peer.ip())
            }

            /// The TCP port numbers of the local and the remote end, in that
            /// order.
            ///
            /// Scheme: `tcp-port-numbers`.
            pub fn port_numbers(&self) -> (u16, u16) {
                let c = self.conn();
                (c.local.port(), c.peer.port())
            }
        }

        /// The socket's descriptor, shared by both ports of the connection.
        ///
        /// Scheme: `port->fileno` (Unit posix) on a TCP port.
        impl AsFd for $port {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.conn().socket.as_fd()
            }
        }

        /// The socket's descriptor, shared by both ports of the connection.
        ///
        /// Scheme: `port->fileno` (Unit posix) on a TCP port.
        impl AsRawFd for $port {
            fn as_raw_fd(&self) -> RawFd {
                self.conn().socket.as_raw_fd()
            }
        }

        impl fmt::Debug for $port {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let c = self.conn();
                f.debug_struct(stringify!($port))
                    .field("fd", &c.socket.as_raw_fd())
                    .field("local", &format_args!("{}", c.local))
                    .field("peer", &format_args!("{}", c.peer))
                    .finish_non_exhaustive()
            }
        }
    };
}

connection_queries!(TcpReader);
connection_queries!(TcpWriter);

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn mapped_addresses_show_as_ipv4() {
        let mapped = SocketAddr::new(IpAddr::V6(Ipv4Addr::new(10, 1, 2, 3).to_ipv6_mapped()), 7);
        assert_eq!(canonical(mapped), "10.1.2.3:7".parse().unwrap());
        let v6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 7);
        assert_eq!(canonical(v6), v6);
    }
}
