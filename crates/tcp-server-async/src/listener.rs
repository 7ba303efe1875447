//! What a server listens on: tcp-ports' listener (its backlog and options),
//! or a tokio or std one.

use std::io;

use tokio::net::TcpListener;

/// A listening socket the async server can take: made into a tokio
/// listener on the current runtime.
///
/// Scheme: the `tcp-listen` listener `make-tcp-server` takes.
#[doc(alias("tcp-listen", "make-tcp-server"))]
pub trait IntoListener {
    /// The tokio listener.
    ///
    /// Scheme: none.
    ///
    /// # Errors
    ///
    /// `Other` when called outside a tokio runtime (there is no reactor to
    /// register with); the errors of registering the socket.
    fn into_listener(self) -> io::Result<TcpListener>;
}

/// A tokio listener: taken off the reactor and made ready as tcp-ports
/// makes its own (below), then registered again.
impl IntoListener for TcpListener {
    fn into_listener(self) -> io::Result<TcpListener> {
        self.into_std()?.into_listener()
    }
}

/// A std listener: made ready as tcp-ports makes its own (below).
impl IntoListener for std::net::TcpListener {
    fn into_listener(self) -> io::Result<TcpListener> {
        tcp_ports::TcpListener::try_from(self)?.into_listener()
    }
}

/// tcp-ports' listener: non-blocking, with its burst-proof backlog, and
/// `TCP_NODELAY` on, which the connections it accepts inherit (so the
/// server sets nothing per connection).
impl IntoListener for tcp_ports::TcpListener {
    fn into_listener(self) -> io::Result<TcpListener> {
        // from_std panics outside a runtime; say so as an error instead.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(io::Error::other(
                "a tcp-server-async server must be made inside a tokio runtime (with I/O enabled)",
            ));
        }
        TcpListener::from_std(std::net::TcpListener::from(self))
    }
}
