//! The output port.

use std::fmt;
use std::io::{self, BufWriter, IoSlice, Write};
use std::net::Shutdown;
use std::sync::Arc;
use std::time::{Duration, Instant};

use netprim::MsgFlags;

use crate::conn::{Conn, Finish, finish};
use crate::port_io::{Side, Waits};

/// The output port of a connection: [`Write`] with a write timeout, an
/// optional deadline and an optional output buffer.
///
/// Made by [`crate::connect`] and [`crate::TcpListener::accept`] with its
/// [`crate::TcpReader`]. `Send` and `Sync`: write in one thread while
/// another reads.
///
/// Without a buffer (the default, [`crate::TcpConfig::buffer_size`] 0) every
/// write is sent at once, and one `write!`/`writeln!` is one send (one
/// segment with `TCP_NODELAY`), however many pieces it formats. With a
/// buffer, writes collect in it and are sent when it fills, on
/// [`Write::flush`], and on close. Each wait for room in the kernel's send
/// buffer lasts at most the write timeout; then the write fails with
/// [`io::ErrorKind::TimedOut`]. A write that times out has sent nothing (an
/// unbuffered one) or keeps the unsent bytes in the buffer (a buffered
/// one), so the writer stays usable.
///
/// Closing it ([`TcpWriter::close`], or dropping it) sends what is buffered
/// and then EOF (FIN) to the peer: a half close, the reader can still read.
/// A drop cannot report a failure to send the buffer; call
/// [`TcpWriter::close`] (or flush first) to learn of it. If the last attempt
/// to send failed (a timeout, say, on a peer that stopped reading), closing
/// aborts the connection instead (see [`TcpWriter::abort`]): the peer gets a
/// reset rather than EOF, so it never takes a cut-off stream for a complete
/// one. A writer never raises `SIGPIPE`: writing to a connection the peer
/// closed fails with `BrokenPipe` (or `ConnectionReset`).
///
/// Scheme: the output port returned by `tcp-accept` and `tcp-connect`.
#[doc(alias("tcp-accept", "tcp-connect"))]
pub struct TcpWriter {
    pub(crate) out: Out,
}

#[derive(Debug)]
pub(crate) enum Out {
    Direct(SendHalf),
    Buffered(BufWriter<SendHalf>),
}

#[derive(Debug)]
pub(crate) struct SendHalf {
    pub(crate) conn: Arc<Conn>,
    pub(crate) waits: Waits,
    pub(crate) finished: bool,
    /// The last send failed, so what was written may not all have gone
    /// out: closing then resets the connection rather than sending EOF, so
    /// the peer cannot take a cut-off stream for a complete one.
    last_send_failed: bool,
}

impl SendHalf {
    fn send(&mut self, attempt: impl FnMut(MsgFlags) -> io::Result<usize>) -> io::Result<usize> {
        let result = self.waits.run(&self.conn, attempt);
        self.last_send_failed = result.is_err();
        result
    }

    fn finish(mut self, how: Finish) -> io::Result<()> {
        let how = match how {
            Finish::Close if self.last_send_failed => Finish::Abort,
            other => other,
        };
        self.finished = true;
        let conn = Arc::clone(&self.conn);
        drop(self);
        finish(conn, how, Shutdown::Write, 0)
    }
}

impl Write for SendHalf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let conn = Arc::clone(&self.conn);
        self.send(|flags| conn.socket.send_with_flags(buf, flags))
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let conn = Arc::clone(&self.conn);
        self.send(|flags| match flags == MsgFlags::NONE {
            true => (&conn.socket).write_vectored(bufs),
            // "Don't wait" sends the first buffer with MSG_DONTWAIT.
            false => match bufs.iter().find(|b| !b.is_empty()) {
                Some(b) => conn.socket.send_with_flags(b, flags),
                None => Ok(0),
            },
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for SendHalf {
    fn drop(&mut self) {
        if !self.finished {
            let how = match self.last_send_failed {
                true => Finish::Abort,
                false => Finish::Close,
            };
            // This half still holds its own reference: `held` is 1.
            let _ = finish(Arc::clone(&self.conn), how, Shutdown::Write, 1);
        }
    }
}

impl TcpWriter {
    pub(crate) fn new(conn: Arc<Conn>, timeout: Option<Duration>, buffer_size: usize) -> TcpWriter {
        let half = SendHalf {
            conn,
            waits: Waits::fresh(Side::Send, timeout),
            finished: false,
            last_send_failed: false,
        };
        let out = match buffer_size {
            0 => Out::Direct(half),
            n => Out::Buffered(BufWriter::with_capacity(n, half)),
        };
        TcpWriter { out }
    }

    pub(crate) fn conn(&self) -> &Arc<Conn> {
        &self.half().conn
    }

    fn half(&self) -> &SendHalf {
        match &self.out {
            Out::Direct(h) => h,
            Out::Buffered(b) => b.get_ref(),
        }
    }

    pub(crate) fn half_mut(&mut self) -> &mut SendHalf {
        match &mut self.out {
            Out::Direct(h) => h,
            Out::Buffered(b) => b.get_mut(),
        }
    }

    /// Sends what is buffered and takes the half out, or gives the error and
    /// the half with the unsent bytes dropped.
    pub(crate) fn into_half(self, discard: bool) -> (SendHalf, io::Result<()>) {
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
    #[doc(alias = "tcp-write-timeout")]
    pub fn write_timeout(&self) -> Option<Duration> {
        self.half().waits.timeout
    }

    /// Changes the write timeout of this port; see [`crate::TcpConfig`] for
    /// what `None` and zero mean.
    ///
    /// Scheme: none (CHICKEN's ports keep the value they were made with);
    /// a fix, see the differences from the originals in the guide.
    pub fn set_write_timeout(&mut self, timeout: Option<Duration>) {
        self.half_mut().waits.timeout = timeout;
    }

    /// The deadline of this port, if one is set.
    ///
    /// Scheme: none.
    pub fn deadline(&self) -> Option<Instant> {
        self.half().waits.deadline
    }

    /// Sets (or with `None`, removes) a deadline for the whole exchange:
    /// each wait for room to write lasts at most until then (and at most
    /// the write timeout), and once it has passed every write fails at once
    /// with `TimedOut`. See [`crate::TcpReader::set_deadline`].
    ///
    /// Scheme: none.
    pub fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.half_mut().waits.deadline = deadline;
    }

    /// The size of the output buffer; 0 when every write is sent at once.
    ///
    /// Scheme: `tcp-buffer-size` as captured by this port.
    #[doc(alias = "tcp-buffer-size")]
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
    #[doc(alias = "close-output-port")]
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
    #[doc(alias("tcp-abandon-port", "close-output-port"))]
    pub fn abandon(self) -> io::Result<()> {
        let (half, flushed) = self.into_half(false);
        let ended = half.finish(Finish::Abandon);
        flushed.and(ended)
    }

    /// Aborts the connection: discards buffered output and resets the
    /// connection now: the peer gets RST instead of EOF. The reader, and a
    /// read or write blocked in another thread, fail at once with
    /// `ConnectionAborted`, as do later ones.
    ///
    /// Scheme: none (an abortive close).
    ///
    /// # Errors
    ///
    /// Errors of resetting the connection and, when this closes the socket,
    /// of `close(2)`.
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

    /// Formats into memory first when unbuffered, so that `writeln!(o,
    /// "{x}")` is one send (one segment with `TCP_NODELAY`), not one per
    /// piece.
    fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> io::Result<()> {
        match &mut self.out {
            Out::Direct(h) => match args.as_str() {
                Some(s) => h.write_all(s.as_bytes()),
                None => h.write_all(fmt::format(args).as_bytes()),
            },
            Out::Buffered(b) => b.write_fmt(args),
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
    #[doc(alias = "flush-output")]
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.out {
            Out::Direct(_) => Ok(()),
            Out::Buffered(b) => b.flush(),
        }
    }
}
