//! A connection's socket, shared by its input, its output and its task,
//! and registered with tokio's reactor only when one of them first has to
//! wait.
//!
//! tokio's `TcpStream` registers its socket with epoll when it is made and
//! removes it when dropped: two system calls per connection, and an
//! allocation for its readiness. A connection served without ever waiting
//! (a daytime server's: one write, then close) needs neither. Here a read or
//! write goes straight to the non-blocking socket until one would block;
//! only then is the socket registered, and from then on its reads and
//! writes follow the readiness tokio tracks, as a `TcpStream`'s do.

use std::fmt;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::OnceLock;
use std::task::{Context, Poll};

use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

/// The descriptor as the reactor sees it: borrowed from the [`Socket`]'s
/// stream, which outlives the registration (see its fields).
#[derive(Debug)]
pub(crate) struct Fd(RawFd);

impl AsRawFd for Fd {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

pub(crate) struct Socket {
    /// Declared before `stream`, so dropped first: the socket leaves epoll
    /// before its descriptor is closed. Made at most once; a failure to
    /// register is kept (its kind and message) and reported to every wait.
    registration: OnceLock<Result<AsyncFd<Fd>, (io::ErrorKind, String)>>,
    /// Non-blocking.
    stream: std::net::TcpStream,
}

impl Socket {
    /// The socket of `stream`, which must be non-blocking.
    pub(crate) fn new(stream: std::net::TcpStream) -> Socket {
        Socket {
            registration: OnceLock::new(),
            stream,
        }
    }

    /// The std stream, for its options and addresses and for the hooks.
    pub(crate) fn std(&self) -> &std::net::TcpStream {
        &self.stream
    }

    /// Whether the socket is registered with the reactor (it has had to
    /// wait, or something asked for its readiness).
    #[cfg(test)]
    pub(crate) fn is_registered(&self) -> bool {
        self.registration.get().is_some_and(Result::is_ok)
    }

    /// The registration, made now if it was not.
    ///
    /// # Errors
    ///
    /// Outside a tokio runtime with I/O enabled, or when epoll refuses the
    /// socket (`ENOMEM`, `ENOSPC`): the same error for every later call.
    pub(crate) fn registered(&self) -> io::Result<&AsyncFd<Fd>> {
        let registration = self.registration.get_or_init(|| {
            if tokio::runtime::Handle::try_current().is_err() {
                return Err((
                    io::ErrorKind::Other,
                    "a connection of tcp-server-async must wait inside a tokio runtime".into(),
                ));
            }
            let fd = Fd(self.stream.as_raw_fd());
            // SAFETY: the descriptor is `stream`'s, open for as long as the
            // registration lives: `registration` is dropped before `stream`
            // (field order), and nothing else closes it.
            unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE | Interest::WRITABLE) }
                .map_err(|e| {
                    let e = e.into_parts().1;
                    (e.kind(), format!("registering the socket with tokio: {e}"))
                })
        });
        match registration {
            Ok(fd) => Ok(fd),
            Err((kind, message)) => Err(io::Error::new(*kind, message.clone())),
        }
    }

    /// Whether a read would find data now, as far as the reactor knows
    /// (no system call): unregistered, it does not know, so yes.
    pub(crate) fn maybe_readable(&self) -> bool {
        match self.registration.get() {
            Some(Ok(fd)) => fd.try_io(Interest::READABLE, |_| Ok(())).is_ok(),
            _ => true,
        }
    }

    /// One read into `buf`, for a caller that has seen the socket maybe
    /// readable: the bytes read, and whether the read was short. A short
    /// read ends the readiness tokio holds: with edge-triggered epoll it
    /// shows that the socket is drained, and more data brings a new edge.
    /// (tokio's own `poll_read` does the same.) Without it, the next read
    /// would spend a system call to learn `EAGAIN`.
    pub(crate) fn try_read(&self, buf: &mut [u8]) -> io::Result<(usize, bool)> {
        let room = buf.len();
        let Some(Ok(fd)) = self.registration.get() else {
            let n = (&self.stream).read(buf)?;
            return Ok((n, 0 < n && n < room));
        };
        let mut short = None;
        let result = fd.try_io(Interest::READABLE, |_| {
            let n = (&self.stream).read(buf)?;
            if 0 < n && n < room {
                short = Some(n);
                // Makes try_io clear the readiness; the bytes are kept.
                return Err(io::ErrorKind::WouldBlock.into());
            }
            Ok(n)
        });
        match short {
            Some(n) => Ok((n, true)),
            None => result.map(|n| (n, false)),
        }
    }

    /// One write of `data`, without waiting (`WouldBlock` when the socket
    /// has no room, or tokio knows it has none).
    pub(crate) fn try_write(&self, data: &[u8]) -> io::Result<usize> {
        match self.registration.get() {
            Some(Ok(fd)) => fd.try_io(Interest::WRITABLE, |_| (&self.stream).write(data)),
            _ => (&self.stream).write(data),
        }
    }

    /// Waits until tokio sees the socket readable (registering it first).
    /// The readiness is kept: the next [`Socket::try_read`] tries.
    pub(crate) fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let fd = self.registered()?;
        fd.poll_read_ready(cx).map_ok(drop)
    }

    /// Waits until tokio sees the socket writable (registering it first).
    pub(crate) fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let fd = self.registered()?;
        fd.poll_write_ready(cx).map_ok(drop)
    }
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket")
            .field("stream", &self.stream)
            .field("registered", &self.registration.get().is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::poll_fn;
    use std::time::Duration;

    /// A connected pair on loopback: the server end as a non-blocking
    /// [`Socket`], the client end as a std stream.
    fn pair() -> (Socket, std::net::TcpStream) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        server.set_nonblocking(true).unwrap();
        (Socket::new(server), client)
    }

    #[tokio::test]
    async fn a_socket_that_never_waits_is_never_registered() {
        let (socket, mut client) = pair();
        assert_eq!(socket.try_write(b"hello\n").unwrap(), 6);
        assert!(!socket.is_registered());
        drop(socket);
        let mut got = String::new();
        client
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        client.read_to_string(&mut got).unwrap();
        assert_eq!(got, "hello\n");
    }

    #[tokio::test]
    async fn a_read_that_must_wait_registers_and_wakes_when_data_comes() {
        let (socket, mut client) = pair();
        let mut buf = [0; 16];
        let err = socket.try_read(&mut buf).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        assert!(!socket.is_registered());
        let waiting = tokio::time::timeout(
            Duration::from_secs(10),
            poll_fn(|cx| socket.poll_read_ready(cx)),
        );
        let sender = std::thread::spawn(move || {
            client.write_all(b"ping").unwrap();
            client
        });
        waiting.await.unwrap().unwrap();
        assert!(socket.is_registered());
        assert_eq!(socket.try_read(&mut buf).unwrap(), (4, true));
        assert_eq!(&buf[..4], b"ping");
        // The short read ended the readiness: tokio knows, without a read.
        assert!(!socket.maybe_readable());
        drop(sender.join().unwrap());
    }

    #[test]
    fn registering_outside_a_runtime_is_an_error_every_time() {
        let (socket, _client) = pair();
        for _ in 0..2 {
            let err = socket.registered().unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::Other);
            assert!(err.to_string().contains("tokio runtime"), "{err}");
        }
    }
}
