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

impl IntoListener for TcpListener {
    fn into_listener(self) -> io::Result<TcpListener> {
        Ok(self)
    }
}

impl IntoListener for std::net::TcpListener {
    fn into_listener(self) -> io::Result<TcpListener> {
        // from_std panics outside a runtime; say so as an error instead.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(io::Error::other(
                "a tcp-server-async server must be made inside a tokio runtime (with I/O enabled)",
            ));
        }
        self.set_nonblocking(true)?;
        TcpListener::from_std(self)
    }
}

/// tcp-ports' listener: non-blocking already, with its burst-proof backlog.
impl IntoListener for tcp_ports::TcpListener {
    fn into_listener(self) -> io::Result<TcpListener> {
        std::net::TcpListener::from(self).into_listener()
    }
}
