//! What a handler is given: the connection's input and output as one
//! `BufRead + Write` value, and what it needs to know about the peer and
//! the server.

use std::fmt;
use std::io::{self, BufRead, IoSlice, Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::hooks::Transport;
use crate::registry::{EntryState, Registry};
use crate::{ConnectionHandle, StopSignal, TcpConnection};

/// One client connection, as its handler sees it: `Read + BufRead + Write`
/// over the plain TCP connection or over what the upgrade hook made of it
/// (TLS). What the handler writes is flushed when it returns `Ok`.
///
/// Reads and writes fail with `TimedOut` after the read timeout (the
/// server's idle timeout), the write timeout, or once the connection's
/// deadline has passed.
///
/// # Stopping
///
/// A handler that serves several requests on one connection should not
/// hold a shutdown to its drain deadline while it waits for the next one:
/// call [`Connection::set_idle`]`(true)` before that wait and `false` once a
/// request has begun. When the server stops, an idle connection's input is
/// shut down, so the waiting read returns end-of-file (`Ok(0)`) and the
/// handler returns. [`Connection::is_stopping`] tells it between requests.
///
/// Scheme: the current input and output ports the egg binds for `THUNK`.
#[doc(alias = "THUNK")]
pub struct Connection {
    io: Io,
    id: u64,
    local: SocketAddr,
    peer: SocketAddr,
    handle: ConnectionHandle,
    entry: Arc<EntryState>,
    registry: Arc<Registry>,
    stop: StopSignal,
}

pub(crate) enum Io {
    /// Plain TCP: the connection's own buffered reader, no indirection.
    Plain(TcpConnection),
    Upgraded(Box<dyn Transport>),
    /// The handler took the plain connection ([`Connection::take_tcp`]).
    Taken,
}

fn taken() -> io::Error {
    io::Error::new(
        io::ErrorKind::NotConnected,
        "the handler took the connection out with take_tcp",
    )
}

pub(crate) struct Parts {
    pub(crate) io: Io,
    pub(crate) id: u64,
    pub(crate) local: SocketAddr,
    pub(crate) peer: SocketAddr,
    pub(crate) handle: ConnectionHandle,
    pub(crate) entry: Arc<EntryState>,
    pub(crate) registry: Arc<Registry>,
    pub(crate) stop: StopSignal,
}

impl Connection {
    pub(crate) fn new(p: Parts) -> Connection {
        Connection {
            io: p.io,
            id: p.id,
            local: p.local,
            peer: p.peer,
            handle: p.handle,
            entry: p.entry,
            registry: p.registry,
            stop: p.stop,
        }
    }

    /// The connection's number, unique within its server, counting from 1
    /// in accept order; the diagnostics and the span show it.
    ///
    /// Scheme: none.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The peer's address (from the addresses hook).
    ///
    /// Scheme: `tcp-addresses` (second value) through
    /// `tcp-server-get-addresses-procedure`.
    #[doc(alias("tcp-addresses", "tcp-server-get-addresses-procedure"))]
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    /// The local address (from the addresses hook).
    ///
    /// Scheme: `tcp-addresses` (first value).
    #[doc(alias = "tcp-addresses")]
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// A handle on the connection, to shut it down or abort it from another
    /// thread (a chat relay dropping a slow client, say).
    ///
    /// Scheme: none.
    pub fn handle(&self) -> &ConnectionHandle {
        &self.handle
    }

    /// Whether the server has been told to stop: finish the request in hand
    /// and return.
    ///
    /// Scheme: none.
    pub fn is_stopping(&self) -> bool {
        self.stop.is_stopped() || self.registry.is_stopping()
    }

    /// The server's stop signal, to wait on beside other things (it is
    /// `AsFd`).
    ///
    /// Scheme: none.
    pub fn stop_signal(&self) -> &StopSignal {
        &self.stop
    }

    /// Marks the connection idle (waiting for the client's next request) or
    /// busy. A stop shuts an idle connection's input down at once, so its
    /// waiting read returns end-of-file; a busy one is let finish until the
    /// drain deadline. Marking a connection idle after the stop shuts its
    /// input down at once.
    ///
    /// Scheme: none.
    pub fn set_idle(&mut self, idle: bool) {
        self.registry.set_idle(&self.entry, &self.handle, idle);
    }

    /// Takes the plain TCP connection out, to split it into its reader and
    /// writer (a chat relay that writes to a client from other threads,
    /// under that client's own lock). `None` for an upgraded (TLS)
    /// connection, which must stay in one thread's hands, or when already
    /// taken. The server then neither flushes nor closes it: dropping it
    /// closes it. Reads and writes on this `Connection` fail afterwards.
    ///
    /// Scheme: none.
    pub fn take_tcp(&mut self) -> Option<TcpConnection> {
        match std::mem::replace(&mut self.io, Io::Taken) {
            Io::Plain(c) => Some(c),
            other => {
                self.io = other;
                None
            }
        }
    }

    /// Flushes and, for an upgraded stream, ends it (TLS `close_notify`).
    pub(crate) fn finish(&mut self) -> io::Result<()> {
        match &mut self.io {
            Io::Plain(c) => c.flush(),
            Io::Upgraded(t) => t.finish(),
            Io::Taken => Ok(()),
        }
    }

    pub(crate) fn into_io(self) -> Io {
        self.io
    }
}

/// Reads from the client, waiting at most the read (idle) timeout.
///
/// Scheme: `read-char`, `read-string` … on the current input port.
impl Read for Connection {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.io {
            Io::Plain(c) => c.read(buf),
            Io::Upgraded(t) => t.read(buf),
            Io::Taken => Err(taken()),
        }
    }
}

/// Lines and delimited reads through the connection's input buffer.
///
/// Scheme: `read-line` on the current input port.
impl BufRead for Connection {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match &mut self.io {
            Io::Plain(c) => c.fill_buf(),
            Io::Upgraded(t) => t.fill_buf(),
            Io::Taken => Err(taken()),
        }
    }
    fn consume(&mut self, amt: usize) {
        match &mut self.io {
            Io::Plain(c) => c.consume(amt),
            Io::Upgraded(t) => t.consume(amt),
            Io::Taken => {}
        }
    }
}

/// Writes to the client, waiting at most the write timeout for room.
///
/// Scheme: `write-line`, `display` … on the current output port.
impl Write for Connection {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.io {
            Io::Plain(c) => c.write(buf),
            Io::Upgraded(t) => t.write(buf),
            Io::Taken => Err(taken()),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.io {
            Io::Plain(c) => c.write_all(buf),
            Io::Upgraded(t) => t.write_all(buf),
            Io::Taken => Err(taken()),
        }
    }
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        match &mut self.io {
            Io::Plain(c) => c.write_vectored(bufs),
            Io::Upgraded(t) => t.write_vectored(bufs),
            Io::Taken => Err(taken()),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.io {
            Io::Plain(c) => c.flush(),
            Io::Upgraded(t) => t.flush(),
            Io::Taken => Err(taken()),
        }
    }
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("id", &self.id)
            .field("local", &format_args!("{}", self.local))
            .field("peer", &format_args!("{}", self.peer))
            .field("upgraded", &matches!(self.io, Io::Upgraded(_)))
            .finish_non_exhaustive()
    }
}
