//! What the tests share: a server running on the test's runtime, clients
//! with patient timeouts, and line helpers.
#![allow(dead_code)] // each test uses its own part

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tcp_server_async::{Input, Output, Peer, ServerBuilder, ServerHandle, ShutdownSummary};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

/// How long a test waits for something that should happen at once.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A server running on a task of the test's runtime.
pub struct Running {
    pub addr: SocketAddr,
    pub handle: ServerHandle,
    task: JoinHandle<io::Result<ShutdownSummary>>,
}

impl Running {
    /// Stops the server and returns what `run` returned.
    pub async fn stop(self) -> io::Result<ShutdownSummary> {
        self.handle.stop();
        self.join().await
    }

    /// Waits (bounded) for `run` to return.
    pub async fn join(self) -> io::Result<ShutdownSummary> {
        tokio::time::timeout(PATIENCE * 3, self.task)
            .await
            .expect("run returns")
            .expect("run does not panic")
    }
}

/// Starts `builder`'s server for `handler` on `host`.
pub fn start_on<H, F>(host: &str, builder: ServerBuilder, handler: H) -> Running
where
    H: Fn(Input, Output, Peer) -> F + Send + Sync + 'static,
    F: Future<Output = io::Result<()>> + Send + 'static,
{
    let listener = tcp_ports::listen_on(host, 0).expect("listen");
    let server = builder.build(listener, handler).expect("build");
    let addr = server.local_addr();
    let handle = server.handle();
    let task = tokio::spawn(server.run());
    Running { addr, handle, task }
}

/// [`start_on`] 127.0.0.1.
pub fn start<H, F>(builder: ServerBuilder, handler: H) -> Running
where
    H: Fn(Input, Output, Peer) -> F + Send + Sync + 'static,
    F: Future<Output = io::Result<()>> + Send + 'static,
{
    start_on("127.0.0.1", builder, handler)
}

/// A plain client connection, read through a buffer.
pub struct Client {
    pub reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    pub writer: tokio::net::tcp::OwnedWriteHalf,
}

pub async fn connect(addr: SocketAddr) -> Client {
    let stream = tokio::time::timeout(PATIENCE, TcpStream::connect(addr))
        .await
        .expect("connect in time")
        .expect("connect");
    let (r, w) = stream.into_split();
    Client {
        reader: BufReader::new(r),
        writer: w,
    }
}

impl Client {
    /// Sends `text` and a newline.
    pub async fn send(&mut self, text: &str) {
        self.writer
            .write_all(format!("{text}\n").as_bytes())
            .await
            .expect("send");
    }

    /// One line without its newline; an error at EOF or a reset.
    pub async fn line(&mut self) -> io::Result<String> {
        let mut line = String::new();
        let n = tokio::time::timeout(PATIENCE, self.reader.read_line(&mut line))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no line in time"))??;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "end of stream",
            ));
        }
        Ok(line.trim_end_matches('\n').to_string())
    }

    /// Everything up to the end of the stream (or the error that ends it).
    pub async fn rest(&mut self) -> io::Result<String> {
        let mut text = String::new();
        tokio::time::timeout(PATIENCE, self.reader.read_to_string(&mut text))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no end in time"))??;
        Ok(text)
    }
}

/// A handler's line: one line from the input, without its newline.
pub async fn read_line(input: &mut Input) -> io::Result<String> {
    let mut line = String::new();
    input.read_line(&mut line).await?;
    Ok(line.trim_end_matches('\n').to_string())
}
