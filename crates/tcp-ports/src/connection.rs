//! Both ports of a connection as one value, and the way out to std, tokio
//! and TLS libraries.

use std::error::Error;
use std::fmt;
use std::io::{self, BufRead, IoSlice, IoSliceMut, Read, Write};
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::conn::Conn;
use crate::{TcpReader, TcpWriter};

/// The two ports of one connection joined: [`Read`] + [`BufRead`] +
/// [`Write`] in one value, for code that wants a single stream (a TLS
/// library's `StreamOwned`, a protocol parser). [`TcpConnection::split`]
/// gives the ports back; [`TcpConnection::into_std`] hands the socket to
/// std (and from there to tokio).
///
/// ```
/// use std::io::{BufRead, Write};
///
/// let listener = tcp_ports::listen_on("127.0.0.1", 0)?;
/// let (i, o) = tcp_ports::connect(listener.local_addr())?;
/// let mut client = tcp_ports::TcpConnection::join(i, o)?;
/// let (si, mut so) = listener.accept()?;
/// writeln!(so, "Hello!")?;
/// let mut line = String::new();
/// client.read_line(&mut line)?;
/// assert_eq!(line, "Hello!\n");
/// let (_i, _o) = client.split();
/// # drop(si);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Scheme: none (a CHICKEN port pair used as one bidirectional port).
pub struct TcpConnection {
    reader: TcpReader,
    writer: TcpWriter,
}

impl TcpConnection {
    /// Joins a reader and a writer of the same connection.
    ///
    /// Scheme: none.
    ///
    /// # Errors
    ///
    /// [`JoinError`], which gives both ports back, when they belong to
    /// different connections.
    // The error gives the two ports back, as tokio's `reunite` does; it is a
    // programming error, rare enough that its size does not matter.
    #[allow(clippy::result_large_err)]
    pub fn join(reader: TcpReader, writer: TcpWriter) -> Result<TcpConnection, JoinError> {
        match Arc::ptr_eq(reader.conn(), writer.conn()) {
            true => Ok(TcpConnection { reader, writer }),
            false => Err(JoinError { reader, writer }),
        }
    }

    /// The two ports again, as [`crate::TcpListener::accept`] gives them.
    ///
    /// Scheme: none.
    pub fn split(self) -> (TcpReader, TcpWriter) {
        (self.reader, self.writer)
    }

    /// The input port.
    ///
    /// Scheme: none.
    pub fn reader(&mut self) -> &mut TcpReader {
        &mut self.reader
    }

    /// The output port.
    ///
    /// Scheme: none.
    pub fn writer(&mut self) -> &mut TcpWriter {
        &mut self.writer
    }

    pub(crate) fn conn(&self) -> &Arc<Conn> {
        self.reader.conn()
    }

    /// Sets the read timeout ([`TcpReader::set_read_timeout`]).
    ///
    /// Scheme: none.
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) {
        self.reader.set_read_timeout(timeout);
    }

    /// Sets the write timeout ([`TcpWriter::set_write_timeout`]).
    ///
    /// Scheme: none.
    pub fn set_write_timeout(&mut self, timeout: Option<Duration>) {
        self.writer.set_write_timeout(timeout);
    }

    /// Sets the deadline of both ports ([`TcpReader::set_deadline`]).
    ///
    /// Scheme: none.
    pub fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.reader.set_deadline(deadline);
        self.writer.set_deadline(deadline);
    }

    /// Reads a line of at most `max` bytes ([`TcpReader::read_line_max`]).
    ///
    /// Scheme: `read-line` with a limit.
    ///
    /// # Errors
    ///
    /// As [`TcpReader::read_line_max`].
    #[doc(alias = "read-line")]
    pub fn read_line_max(&mut self, buf: &mut String, max: usize) -> io::Result<usize> {
        self.reader.read_line_max(buf, max)
    }

    /// Hands the socket over as a std [`std::net::TcpStream`], with the
    /// input the reader had buffered but not yet consumed (read it before
    /// reading the stream). Buffered output is sent first. The stream is
    /// blocking with no timeouts, as std makes them; for tokio, call
    /// `set_nonblocking(true)` and then `tokio::net::TcpStream::from_std`.
    ///
    /// Scheme: none.
    ///
    /// # Errors
    ///
    /// A failure to send the buffered output or to clear the socket's
    /// timeouts; the connection is then closed.
    pub fn into_std(self) -> io::Result<(std::net::TcpStream, Vec<u8>)> {
        let (fd, unread) = self.into_owned_fd()?;
        Ok((std::net::TcpStream::from(fd), unread))
    }

    /// As [`TcpConnection::into_std`], giving the descriptor itself.
    ///
    /// Scheme: none.
    ///
    /// # Errors
    ///
    /// As [`TcpConnection::into_std`].
    pub fn into_owned_fd(self) -> io::Result<(OwnedFd, Vec<u8>)> {
        let TcpConnection { reader, writer } = self;
        let (mut send, flushed) = writer.into_half(false);
        let unread = reader.inner.buffer().to_vec();
        let mut recv = reader.inner.into_inner();
        // On failure, dropping the halves closes the connection (with a
        // reset, since the send failed).
        flushed?;
        let conn = Arc::clone(&recv.conn);
        recv.waits.disarm(&conn)?;
        send.waits.disarm(&conn)?;
        recv.finished = true;
        send.finished = true;
        drop((recv, send));
        let conn = into_only(conn)?;
        Ok((OwnedFd::from(conn.socket), unread))
    }
}

/// The `Conn` out of its `Arc` once the ports are gone. A
/// [`crate::ConnectionHandle`] holds it only for the length of one call, so
/// waiting a little for it to let go is enough.
fn into_only(mut conn: Arc<Conn>) -> io::Result<Conn> {
    for _ in 0..1000 {
        match Arc::try_unwrap(conn) {
            Ok(c) => return Ok(c),
            Err(shared) => {
                conn = shared;
                std::thread::yield_now();
            }
        }
    }
    Err(io::Error::new(
        io::ErrorKind::ResourceBusy,
        "a connection handle is using the connection",
    ))
}

/// Reads through the reader's buffer, as [`TcpReader`] does.
///
/// Scheme: `read-char`, `read-string` … on the input port.
impl Read for TcpConnection {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read(buf)
    }
    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.reader.read_vectored(bufs)
    }
}

/// Lines and delimited reads, as [`TcpReader`] does.
///
/// Scheme: `read-line` on the input port.
impl BufRead for TcpConnection {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.reader.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.reader.consume(amt);
    }
}

/// Writes as [`TcpWriter`] does.
///
/// Scheme: `write-string`, `write-line` … on the output port.
impl Write for TcpConnection {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer.write_all(buf)
    }
    fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> io::Result<()> {
        self.writer.write_fmt(args)
    }
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.writer.write_vectored(bufs)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// The ports given to [`TcpConnection::join`], returned because they belong
/// to different connections.
///
/// Scheme: none.
pub struct JoinError {
    /// The reader given.
    pub reader: TcpReader,
    /// The writer given.
    pub writer: TcpWriter,
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinError")
            .field("reader", &self.reader)
            .field("writer", &self.writer)
            .finish()
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot join the reader of {} with the writer of {}: different connections",
            self.reader.peer_addr(),
            self.writer.peer_addr()
        )
    }
}

impl Error for JoinError {}

impl From<JoinError> for io::Error {
    fn from(e: JoinError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidInput, e.to_string())
    }
}
