//! What a server listens on: tcp-ports' listener (its backlog and options),
//! or a tokio or std one.

use std::io;

/// A listening socket the async server can take, made ready for it: a
/// non-blocking std listener with tcp-ports' options, which the server
/// registers with the runtime's reactor itself (once: a tokio listener
/// handed over leaves the reactor first).
///
/// Scheme: the `tcp-listen` listener `make-tcp-server` takes.
#[doc(alias("tcp-listen", "make-tcp-server"))]
pub trait IntoListener {
    /// The listener, non-blocking, as the server serves it.
    ///
    /// Scheme: none.
    ///
    /// # Errors
    ///
    /// The errors of taking a tokio listener off its reactor, or of
    /// reading a std listener's options.
    fn into_listener(self) -> io::Result<std::net::TcpListener>;
}

/// A tokio listener: taken off the reactor and made ready as tcp-ports
/// makes its own (below).
impl IntoListener for tokio::net::TcpListener {
    fn into_listener(self) -> io::Result<std::net::TcpListener> {
        self.into_std()?.into_listener()
    }
}

/// A std listener: made ready as tcp-ports makes its own (below).
impl IntoListener for std::net::TcpListener {
    fn into_listener(self) -> io::Result<std::net::TcpListener> {
        tcp_ports::TcpListener::try_from(self)?.into_listener()
    }
}

/// tcp-ports' listener: non-blocking, with its burst-proof backlog, and
/// `TCP_NODELAY` on, which the connections it accepts inherit (so the
/// server sets nothing per connection).
impl IntoListener for tcp_ports::TcpListener {
    fn into_listener(self) -> io::Result<std::net::TcpListener> {
        Ok(std::net::TcpListener::from(self))
    }
}
