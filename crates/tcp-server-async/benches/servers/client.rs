//! The load generator's connections, of two kinds.
//!
//! [`ClientKind::Own`] (the default): a non-blocking std stream under
//! tokio's `AsyncFd`, read and written through its readiness by code of its
//! own. [`ClientKind::Tokio`]: tokio's `TcpStream`, split, with a
//! `BufReader`. Server and load generator share one process, and with
//! tokio's stream the baseline's reads and writes are the very code its
//! clients run: they share instruction-cache lines, which no real server
//! gets from its clients, and ours, whose socket code is its own, does not
//! get here either. With clients of their own, neither server does.

use std::future::poll_fn;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::task::{Poll, ready};

use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// Which clients load the servers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientKind {
    Own,
    Tokio,
}

/// One client connection.
pub enum Client {
    Own(AsyncFd<std::net::TcpStream>),
    Tokio(BufReader<OwnedReadHalf>, OwnedWriteHalf),
}

impl Client {
    /// Connects to `addr` (loopback), `TCP_NODELAY` on.
    pub async fn connect(kind: ClientKind, addr: SocketAddr) -> Client {
        match kind {
            ClientKind::Own => {
                // A loopback connect completes in the kernel at once.
                let stream = std::net::TcpStream::connect(addr).unwrap();
                stream.set_nodelay(true).unwrap();
                stream.set_nonblocking(true).unwrap();
                // SAFETY: the stream owns its descriptor, open until it is
                // dropped with the AsyncFd.
                Client::Own(
                    unsafe { AsyncFd::register(stream) }
                        .map_err(|e| e.into_parts().1)
                        .unwrap(),
                )
            }
            ClientKind::Tokio => {
                let stream = TcpStream::connect(addr).await.unwrap();
                stream.set_nodelay(true).unwrap();
                let (r, w) = stream.into_split();
                Client::Tokio(BufReader::new(r), w)
            }
        }
    }

    pub async fn write_all(&mut self, mut data: &[u8]) {
        match self {
            Client::Own(fd) => {
                while !data.is_empty() {
                    let n = poll_fn(|cx| {
                        loop {
                            let mut ready = ready!(fd.poll_write_ready(cx)).unwrap();
                            if let Ok(n) = ready.try_io(|s| s.get_ref().write(data)) {
                                return Poll::Ready(n.unwrap());
                            }
                        }
                    })
                    .await;
                    data = &data[n..];
                }
            }
            Client::Tokio(_, w) => w.write_all(data).await.unwrap(),
        }
    }

    /// Reads some bytes into `buf`: how many (0 at end-of-file).
    async fn read_some(fd: &AsyncFd<std::net::TcpStream>, buf: &mut [u8]) -> usize {
        poll_fn(|cx| {
            loop {
                let mut ready = ready!(fd.poll_read_ready(cx)).unwrap();
                if let Ok(n) = ready.try_io(|s| s.get_ref().read(buf)) {
                    return Poll::Ready(n.unwrap());
                }
            }
        })
        .await
    }

    pub async fn read_exact(&mut self, mut buf: &mut [u8]) {
        match self {
            Client::Own(fd) => {
                while !buf.is_empty() {
                    let n = Self::read_some(fd, buf).await;
                    assert!(n > 0, "{}", io::ErrorKind::UnexpectedEof);
                    buf = &mut buf[n..];
                }
            }
            Client::Tokio(r, _) => {
                r.read_exact(buf).await.unwrap();
            }
        }
    }

    /// Reads a line (a chat server's greeting).
    pub async fn read_line(&mut self) {
        match self {
            Client::Own(fd) => {
                // A byte at a time: nothing past the line is taken.
                let mut byte = [0];
                while byte[0] != b'\n' {
                    let n = Self::read_some(fd, &mut byte).await;
                    assert!(n > 0, "{}", io::ErrorKind::UnexpectedEof);
                }
            }
            Client::Tokio(r, _) => {
                r.read_line(&mut String::new()).await.unwrap();
            }
        }
    }

    /// Reads to end-of-file: how many bytes came.
    pub async fn read_to_end(&mut self) -> usize {
        match self {
            Client::Own(fd) => {
                let mut buf = [0; 256];
                let mut total = 0;
                loop {
                    match Self::read_some(fd, &mut buf).await {
                        0 => return total,
                        n => total += n,
                    }
                }
            }
            Client::Tokio(r, _) => {
                let mut text = Vec::new();
                r.read_to_end(&mut text).await.unwrap()
            }
        }
    }
}
