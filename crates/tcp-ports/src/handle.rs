//! A handle on a connection that another thread keeps, to shut it down or
//! abort it while its ports are busy.

use std::fmt;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::sync::{Arc, Weak};

use crate::conn::Conn;

/// A cloneable handle on a connection, from [`crate::TcpReader::handle`],
/// [`crate::TcpWriter::handle`] or [`crate::TcpConnection::handle`]: shuts
/// the connection down or aborts it from any thread, waking a reader or a
/// writer blocked on it at once (not after its timeout).
///
/// It holds no descriptor open: once both ports are closed, the handle's
/// operations do nothing and succeed, so a server can keep handles to every
/// connection without keeping a closed one alive.
///
/// ```
/// use std::io::Read;
/// use std::thread;
///
/// let listener = tcp_ports::listen_on("127.0.0.1", 0)?;
/// let _client = tcp_ports::connect(listener.local_addr())?;
/// let (mut input, _output) = listener.accept()?;
/// let handle = input.handle();
/// let reader = thread::spawn(move || input.read(&mut [0; 16]));
/// handle.abort()?; // the blocked read returns now
/// let err = reader.join().unwrap().unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::ConnectionAborted);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Scheme: none (the tcp-server egg's hook for closing a connection
/// abruptly is built on it).
#[derive(Clone)]
pub struct ConnectionHandle {
    conn: Weak<Conn>,
    local: SocketAddr,
    peer: SocketAddr,
}

impl ConnectionHandle {
    pub(crate) fn new(conn: &Arc<Conn>) -> ConnectionHandle {
        ConnectionHandle {
            conn: Arc::downgrade(conn),
            local: conn.local(),
            peer: conn.peer,
        }
    }

    /// Shuts down reading, writing or both for every handle on the socket
    /// (`shutdown(2)`): a blocked read returns EOF, a blocked write fails
    /// with `BrokenPipe`, and shutting down writing sends FIN after the
    /// queued output.
    ///
    /// Scheme: none (Guile's `shutdown` on the socket of a port).
    ///
    /// # Errors
    ///
    /// Errors of `shutdown(2)` other than the connection being gone.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        match self.conn.upgrade() {
            Some(conn) => conn.shutdown(how),
            None => Ok(()),
        }
    }

    /// Aborts the connection now: the peer gets a reset (RST), queued output
    /// is discarded, and every read or write on the connection, blocked or
    /// later, fails at once with `ConnectionAborted`. The ports still have to
    /// be closed (or dropped) to release the descriptor.
    ///
    /// Scheme: none (the tcp-server egg's `tcp-server-close-connection`
    /// hook, used abruptly).
    ///
    /// # Errors
    ///
    /// Errors of dissolving the connection other than its being gone.
    pub fn abort(&self) -> io::Result<()> {
        match self.conn.upgrade() {
            Some(conn) => conn.abort(),
            None => Ok(()),
        }
    }

    /// Whether both ports of the connection are closed.
    ///
    /// Scheme: none.
    pub fn is_closed(&self) -> bool {
        self.conn.strong_count() == 0
    }

    /// The local address of the connection.
    ///
    /// Scheme: `tcp-addresses` and `tcp-port-numbers` (first values).
    #[doc(alias("tcp-addresses", "tcp-port-numbers"))]
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The address of the peer.
    ///
    /// Scheme: `tcp-addresses` and `tcp-port-numbers` (second values).
    #[doc(alias("tcp-addresses", "tcp-port-numbers"))]
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }
}

impl fmt::Debug for ConnectionHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionHandle")
            .field("local", &format_args!("{}", self.local))
            .field("peer", &format_args!("{}", self.peer))
            .field("closed", &self.is_closed())
            .finish()
    }
}
