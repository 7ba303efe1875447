//! The input port.

use std::io::{self, BufRead, BufReader, IoSliceMut, Read};
use std::net::Shutdown;
use std::sync::Arc;
use std::time::{Duration, Instant};

use netprim::MsgFlags;

use crate::conn::{Conn, Finish, finish};
use crate::error::network_error;
use crate::lines::read_line_max;
use crate::port_io::{Side, Waits};

/// The input port of a connection: [`Read`] and [`BufRead`] with a read
/// timeout and an optional deadline.
///
/// Made by [`crate::connect`] and [`crate::TcpListener::accept`] with its
/// [`crate::TcpWriter`]. `Send` and `Sync`: read in one thread while another
/// writes. Dropping it is [`TcpReader::close`] without the error report.
///
/// Each wait for data lasts at most the read timeout; then the read fails
/// with [`io::ErrorKind::TimedOut`], consuming nothing, so the reader stays
/// usable: read again to wait again. (`read_line` and `read_until` keep what
/// they read before the timeout in your buffer.) EOF is `Ok(0)`.
///
/// A line read with `BufRead::read_line` has no length limit: a peer that
/// never sends a newline grows the buffer until memory runs out. Read lines
/// from untrusted peers with [`TcpReader::read_line_max`].
///
/// Scheme: the input port returned by `tcp-accept` and `tcp-connect`.
#[doc(alias("tcp-accept", "tcp-connect"))]
pub struct TcpReader {
    pub(crate) inner: BufReader<RecvHalf>,
}

#[derive(Debug)]
pub(crate) struct RecvHalf {
    pub(crate) conn: Arc<Conn>,
    pub(crate) waits: Waits,
    /// Ended by close, abandon, abort or a conversion: its drop does
    /// nothing more.
    pub(crate) finished: bool,
}

impl RecvHalf {
    pub(crate) fn new(conn: Arc<Conn>, timeout: Option<Duration>) -> RecvHalf {
        RecvHalf {
            conn,
            waits: Waits::fresh(Side::Recv, timeout),
            finished: false,
        }
    }

    fn finish(mut self, how: Finish) -> io::Result<()> {
        self.finished = true;
        let conn = Arc::clone(&self.conn);
        drop(self);
        finish(conn, how, Shutdown::Read, 0)
    }
}

impl Read for RecvHalf {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let conn = &*self.conn;
        self.waits
            .run(conn, |flags| conn.socket.recv_with_flags(buf, flags))
    }

    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        let conn = &*self.conn;
        self.waits.run(conn, |flags| match flags == MsgFlags::NONE {
            true => (&conn.socket).read_vectored(bufs),
            // No recvmsg with flags here: "don't wait" reads the first buffer.
            false => match bufs.iter_mut().find(|b| !b.is_empty()) {
                Some(b) => conn.socket.recv_with_flags(b, flags),
                None => Ok(0),
            },
        })
    }
}

impl Drop for RecvHalf {
    fn drop(&mut self) {
        if !self.finished {
            // This half still holds its own reference: `held` is 1.
            let _ = finish(Arc::clone(&self.conn), Finish::Close, Shutdown::Read, 1);
        }
    }
}

impl TcpReader {
    pub(crate) fn new(conn: Arc<Conn>, timeout: Option<Duration>) -> TcpReader {
        TcpReader {
            inner: BufReader::new(RecvHalf::new(conn, timeout)),
        }
    }

    pub(crate) fn conn(&self) -> &Arc<Conn> {
        &self.inner.get_ref().conn
    }

    /// The read timeout of this port (from the configuration it was made
    /// with, or as last set).
    ///
    /// Scheme: `tcp-read-timeout` as captured by this port.
    #[doc(alias = "tcp-read-timeout")]
    pub fn read_timeout(&self) -> Option<Duration> {
        self.inner.get_ref().waits.timeout
    }

    /// Changes the read timeout of this port; see [`crate::TcpConfig`] for
    /// what `None` and zero mean.
    ///
    /// Scheme: none (CHICKEN's ports keep the value they were made with);
    /// a fix, see the differences from the originals in the guide.
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) {
        self.inner.get_mut().waits.timeout = timeout;
    }

    /// The deadline of this port, if one is set.
    ///
    /// Scheme: none.
    pub fn deadline(&self) -> Option<Instant> {
        self.inner.get_ref().waits.deadline
    }

    /// Sets (or with `None`, removes) a deadline for the whole exchange:
    /// each wait for data lasts at most until then (and at most the read
    /// timeout), and once it has passed every read fails at once with
    /// `TimedOut`, even if data is waiting. Input already in the port's
    /// buffer is still returned. A per-read timeout alone lets a peer that
    /// sends a byte just inside it hold the connection forever; a deadline
    /// does not.
    ///
    /// ```
    /// use std::io::Read;
    /// use std::time::{Duration, Instant};
    ///
    /// let listener = tcp_ports::listen_on("127.0.0.1", 0)?;
    /// let (_i, _o) = tcp_ports::connect(listener.local_addr())?;
    /// let (mut input, _output) = listener.accept()?;
    /// input.set_deadline(Some(Instant::now() + Duration::from_millis(50)));
    /// let err = input.read(&mut [0; 1]).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// Scheme: none.
    pub fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.inner.get_mut().waits.deadline = deadline;
    }

    /// Reads a line, as [`BufRead::read_line`] does (appending it to `buf`,
    /// newline included; `Ok(0)` at EOF), but fails with `InvalidData`
    /// once `max` bytes have come without a newline, so a peer cannot make
    /// the reader allocate without bound. `max` counts the newline; lines
    /// from this crate's examples are at most [`crate::DEFAULT_MAX_LINE`].
    ///
    /// After that error the bytes read are consumed (the rest of the long
    /// line is still to come): close the connection rather than go on.
    ///
    /// ```
    /// use std::io::Write;
    ///
    /// let listener = tcp_ports::listen_on("127.0.0.1", 0)?;
    /// let (_i, mut o) = tcp_ports::connect(listener.local_addr())?;
    /// let (mut input, _output) = listener.accept()?;
    /// o.write_all(b"short\nfar too long a line\n")?;
    /// let mut line = String::new();
    /// input.read_line_max(&mut line, 10)?;
    /// assert_eq!(line, "short\n");
    /// let err = input.read_line_max(&mut line, 10).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// Scheme: `read-line` (CHICKEN's takes an optional LIMIT too).
    ///
    /// # Errors
    ///
    /// `InvalidData` for a line longer than `max` or not UTF-8; the errors
    /// of [`Read::read`] (a timeout keeps what was read in `buf`, as
    /// `read_line` does).
    #[doc(alias = "read-line")]
    pub fn read_line_max(&mut self, buf: &mut String, max: usize) -> io::Result<usize> {
        let peer = self.conn().peer;
        read_line_max(self, buf, max).map_err(|e| match e.kind() {
            io::ErrorKind::InvalidData => network_error(e, "read a line from", &peer),
            _ => e,
        })
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
    #[doc(alias = "char-ready?")]
    pub fn input_ready(&self) -> io::Result<bool> {
        if !self.inner.buffer().is_empty() {
            return Ok(true);
        }
        let conn = self.conn();
        netprim::wait_readable(&conn.socket, Some(Duration::ZERO))
            .map_err(|e| network_error(e, "poll", &conn.peer))
    }

    /// Closes the input port: reading is shut down for every handle on the
    /// socket (nothing is sent to the peer) — at once if the writer is
    /// closed, else together with the writer's close, in one system call —
    /// and the socket closes if the writer is closed too. Unread input is
    /// discarded.
    ///
    /// Scheme: `close-input-port`.
    ///
    /// # Errors
    ///
    /// The error of `close(2)` when this closes the socket.
    #[doc(alias = "close-input-port")]
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
    #[doc(alias("tcp-abandon-port", "close-input-port"))]
    pub fn abandon(self) -> io::Result<()> {
        self.inner.into_inner().finish(Finish::Abandon)
    }

    /// Aborts the connection: the peer gets a reset (RST) now instead of
    /// EOF, and unsent output is discarded. The writer, and a read or write
    /// blocked in another thread, fail at once with `ConnectionAborted`, as
    /// do later ones. Same as [`crate::ConnectionHandle::abort`] followed by
    /// closing this port.
    ///
    /// Scheme: none (an abortive close).
    ///
    /// # Errors
    ///
    /// Errors of resetting the connection and, when this closes the socket,
    /// of `close(2)`.
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
/// the newline; see [`TcpReader::read_line_max`] for a bounded one).
impl BufRead for TcpReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
    }
}
