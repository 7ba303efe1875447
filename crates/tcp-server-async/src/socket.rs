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
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};

use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio::task::coop::RestoreOnPending;

/// The descriptor as the reactor sees it: borrowed from the [`Socket`]'s
/// stream, which outlives the registration (see its fields).
#[derive(Debug)]
pub(crate) struct Fd(RawFd);

impl AsRawFd for Fd {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

/// A connection's socket: see the module's doc.
pub(crate) struct Socket {
    /// Declared before `stream`, so dropped first: the socket leaves epoll
    /// before its descriptor is closed. Made at most once; a failure to
    /// register is kept (its kind and message) and reported to every wait.
    registration: OnceLock<Result<AsyncFd<Fd>, (io::ErrorKind, String)>>,
    /// Non-blocking.
    stream: std::net::TcpStream,
    /// Whether the last write found no room: the next waits for tokio to
    /// see room first. A hint only (a stale value costs a system call or
    /// a look at the readiness, never a lost wake), so `Relaxed`.
    full: AtomicBool,
}

impl Socket {
    /// The socket of `stream`, which must be non-blocking.
    pub(crate) fn new(stream: std::net::TcpStream) -> Socket {
        Socket {
            registration: OnceLock::new(),
            stream,
            full: AtomicBool::new(false),
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

    /// Waits (registered) for a connect in progress to end: `Ok` once
    /// connected, else the connect's error (`ConnectionRefused` …).
    pub(crate) fn poll_connected(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // The socket becomes writable when the connect ends, either way.
        ready!(self.registered()?.poll_write_ready(cx))?.retain_ready();
        Poll::Ready(match self.stream.take_error() {
            Ok(None) => Ok(()),
            Ok(Some(e)) | Err(e) => Err(e),
        })
    }

    /// Reads into the buffer `into` gives, waiting (registered) while
    /// there is nothing to read. The buffer is asked for only once tokio
    /// holds the socket readable (or, unregistered, for the one read that
    /// finds out), so a connection woken for nothing takes none.
    ///
    /// Each read that returns takes a unit of the task's budget, as tokio's
    /// own reads do. A short read ends the readiness tokio holds: with
    /// edge-triggered epoll it shows the socket drained (tokio's own
    /// `poll_read` does the same), so the next read waits without a system
    /// call to learn `EAGAIN`.
    #[inline]
    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        into: &mut (impl ReadInto + ?Sized),
    ) -> Poll<io::Result<usize>> {
        match self.registration.get() {
            Some(Ok(fd)) => self.poll_read_registered(fd, cx, into),
            _ => self.poll_read_unregistered(cx, into),
        }
    }

    /// [`Socket::poll_read`] before the socket is registered: nothing is
    /// known, so one read finds out; a `WouldBlock` registers the socket
    /// and waits. Out of line: a connection takes this path once or twice,
    /// and the registered path, on every request, stays small.
    #[inline(never)]
    fn poll_read_unregistered(
        &self,
        cx: &mut Context<'_>,
        into: &mut (impl ReadInto + ?Sized),
    ) -> Poll<io::Result<usize>> {
        let coop = ready!(tokio::task::coop::poll_proceed(cx));
        loop {
            match (&self.stream).read(into.buffer()) {
                Ok(n) => {
                    coop.made_progress();
                    return Poll::Ready(Ok(n));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
        let fd = self.registered()?;
        self.poll_read_registered(fd, cx, into)
    }

    /// [`Socket::poll_read`] of a registered socket. Bounded: a WouldBlock
    /// clears the readiness it came from, so the next wait is Pending
    /// unless data came since.
    #[inline]
    fn poll_read_registered(
        &self,
        fd: &AsyncFd<Fd>,
        cx: &mut Context<'_>,
        into: &mut (impl ReadInto + ?Sized),
    ) -> Poll<io::Result<usize>> {
        loop {
            let mut ready = ready!(fd.poll_read_ready(cx))?;
            let buf = into.buffer();
            match (&self.stream).read(buf) {
                Ok(n) => {
                    if 0 < n && n < buf.len() {
                        ready.clear_ready();
                    }
                    return Poll::Ready(Ok(n));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => ready.clear_ready(),
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    /// Writes `data` (some of it), waiting (registered) while the socket
    /// has no room. Each write that returns takes a unit of the task's
    /// budget, as tokio's own writes do.
    ///
    /// Straight to the socket unless the last write found it full: a
    /// socket with room (nearly always) costs the write alone, not a look
    /// at tokio's readiness as well.
    #[inline]
    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let coop = ready!(tokio::task::coop::poll_proceed(cx));
        loop {
            match self.try_write(data) {
                Ok(n) => {
                    coop.made_progress();
                    return Poll::Ready(Ok(n));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // Full (now, or since the last write): wait for room.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    return self.poll_write_waiting(cx, data, coop);
                }
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    /// [`Socket::poll_write`] once a write would block: registers the
    /// socket if it was not, and waits for room. Out of line: the
    /// write that finds room, on every request, stays small. Bounded: the
    /// write is made through tokio's readiness, which a `WouldBlock`
    /// clears, so the wait is Pending unless the socket became writable
    /// since.
    #[inline(never)]
    fn poll_write_waiting(
        &self,
        cx: &mut Context<'_>,
        data: &[u8],
        coop: RestoreOnPending,
    ) -> Poll<io::Result<usize>> {
        loop {
            let fd = self.registered()?;
            ready!(fd.poll_write_ready(cx))?.retain_ready();
            match fd.try_io(Interest::WRITABLE, |_| (&self.stream).write(data)) {
                Ok(n) => {
                    self.full.store(false, Ordering::Relaxed);
                    coop.made_progress();
                    return Poll::Ready(Ok(n));
                }
                Err(e) if would_retry(&e) => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    /// One write of `data` without waiting: `WouldBlock` when the socket
    /// has no room (or the last write found none, without a system call).
    #[inline]
    pub(crate) fn try_write(&self, data: &[u8]) -> io::Result<usize> {
        if self.full.load(Ordering::Relaxed) {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let written = (&self.stream).write(data);
        if written
            .as_ref()
            .is_err_and(|e| e.kind() == io::ErrorKind::WouldBlock)
        {
            self.full.store(true, Ordering::Relaxed);
        }
        written
    }
}

/// Whether a write that failed with `e` is to be tried again (after a
/// wait, for `WouldBlock`).
fn would_retry(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}

/// Where [`Socket::poll_read`] reads to: asked for its buffer only when a
/// read is about to be made.
pub(crate) trait ReadInto {
    fn buffer(&mut self) -> &mut [u8];
}

impl ReadInto for [u8] {
    fn buffer(&mut self) -> &mut [u8] {
        self
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
        let polled = poll_fn(|cx| Poll::Ready(socket.poll_read(cx, &mut buf[..]))).await;
        assert!(polled.is_pending());
        assert!(socket.is_registered());
        client.write_all(b"ping").unwrap();
        let read = poll_fn(|cx| socket.poll_read(cx, &mut buf[..]));
        let n = tokio::time::timeout(Duration::from_secs(10), read)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&buf[..n], b"ping");
        let polled = poll_fn(|cx| Poll::Ready(socket.poll_read(cx, &mut buf[..]))).await;
        assert!(polled.is_pending());
        drop(client);
        let read = poll_fn(|cx| socket.poll_read(cx, &mut buf[..]));
        let eof = tokio::time::timeout(Duration::from_secs(10), read).await;
        assert_eq!(eof.unwrap().unwrap(), 0);
    }

    #[tokio::test]
    async fn a_full_socket_waits_for_room_then_writes_straight_again() {
        let (socket, mut client) = pair();
        let chunk = [7u8; 64 * 1024];
        let mut sent = 0;
        // Bounded: loopback buffers hold a few MiB at most.
        for _ in 0..10_000 {
            match poll_fn(|cx| Poll::Ready(socket.poll_write(cx, &chunk))).await {
                Poll::Ready(Ok(n)) => sent += n,
                Poll::Ready(Err(e)) => panic!("write failed: {e}"),
                Poll::Pending => break,
            }
        }
        assert!(socket.full.load(Ordering::Relaxed), "never filled");
        assert!(socket.is_registered());
        assert_eq!(
            socket.try_write(b"x").unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        client
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let reader = std::thread::spawn(move || {
            let mut got = vec![0; sent + chunk.len()];
            client.read_exact(&mut got[..sent]).unwrap();
            (client, got)
        });
        let write = poll_fn(|cx| socket.poll_write(cx, &chunk));
        let n = tokio::time::timeout(Duration::from_secs(10), write)
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0);
        assert!(!socket.full.load(Ordering::Relaxed));
        let (mut client, _) = reader.join().unwrap();
        let mut rest = vec![0; n];
        client.read_exact(&mut rest).unwrap();
        assert_eq!(rest, &chunk[..n]);
    }

    #[tokio::test]
    async fn a_started_connect_ends_connected_or_refused() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let (stream, _) = tcp_ports::start_connect(listener.local_addr().unwrap()).unwrap();
        let socket = Socket::new(stream);
        let connected = poll_fn(|cx| socket.poll_connected(cx));
        tokio::time::timeout(Duration::from_secs(10), connected)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(socket.try_write(b"x").unwrap(), 1);

        let closed = listener.local_addr().unwrap();
        drop(listener);
        // Refused at once, or once the connect ends.
        let err = match tcp_ports::start_connect(closed) {
            Err(e) => e,
            Ok((stream, _)) => {
                let socket = Socket::new(stream);
                let connected = poll_fn(|cx| socket.poll_connected(cx));
                let ended = tokio::time::timeout(Duration::from_secs(10), connected).await;
                ended.unwrap().unwrap_err()
            }
        };
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused, "{err}");
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
