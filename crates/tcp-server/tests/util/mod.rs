//! What the tests share: a server running on a thread of its own, clients,
//! and a gate that holds handlers until the test lets them go.
#![allow(dead_code)] // each test uses its own part

use std::io::{self, BufRead, Read, Write};
use std::net::SocketAddr;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use tcp_ports::{TcpConfig, TcpReader, TcpWriter};
use tcp_server::{Connection, ServerBuilder, ServerHandle, ShutdownSummary};

/// How long a test waits for something that should happen at once.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A server running on its own thread.
pub struct Running {
    pub addr: SocketAddr,
    pub handle: ServerHandle,
    thread: Option<JoinHandle<io::Result<ShutdownSummary>>>,
}

impl Running {
    /// Stops the server and returns what `run` returned.
    pub fn stop(self) -> io::Result<ShutdownSummary> {
        self.handle.stop();
        self.join()
    }

    /// Waits for `run` to return (after a stop from elsewhere).
    pub fn join(mut self) -> io::Result<ShutdownSummary> {
        self.thread
            .take()
            .expect("joined once")
            .join()
            .expect("run does not panic")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            self.handle.force();
            let _ = thread.join();
        }
    }
}

/// Starts `builder`'s server for `handler` on 127.0.0.1 (or `host`).
pub fn start_on<H>(host: &str, builder: ServerBuilder, handler: H) -> Running
where
    H: Fn(&mut Connection) -> io::Result<()> + Send + Sync + 'static,
{
    let listener = tcp_ports::listen_on(host, 0).expect("listen");
    let server = builder.build(listener, handler).expect("build");
    let addr = server.local_addr();
    let handle = server.handle();
    let thread = Some(thread::spawn(move || server.run()));
    Running {
        addr,
        handle,
        thread,
    }
}

/// [`start_on`] 127.0.0.1.
pub fn start<H>(builder: ServerBuilder, handler: H) -> Running
where
    H: Fn(&mut Connection) -> io::Result<()> + Send + Sync + 'static,
{
    start_on("127.0.0.1", builder, handler)
}

/// A client connection with a patient read timeout.
pub fn connect(addr: SocketAddr) -> (TcpReader, TcpWriter) {
    let config = TcpConfig::new()
        .with_read_timeout(Some(PATIENCE))
        .with_connect_timeout(Some(PATIENCE));
    tcp_ports::connect_with(addr, &config).expect("connect")
}

/// Reads one line (without its newline).
pub fn line(reader: &mut impl BufRead) -> io::Result<String> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    Ok(line.trim_end_matches('\n').to_string())
}

/// Reads to the end of the stream.
pub fn rest(reader: &mut impl Read) -> io::Result<String> {
    let mut s = String::new();
    reader.read_to_string(&mut s)?;
    Ok(s)
}

/// Writes a line.
pub fn send(writer: &mut impl Write, line: &str) {
    writeln!(writer, "{line}").expect("send");
}

/// Holds handlers until the test opens it, one handler per permit, and
/// tells the test when each handler has arrived.
#[derive(Clone)]
pub struct Gate {
    permits: Arc<(Mutex<usize>, Condvar)>,
    arrived: Sender<u64>,
}

impl Gate {
    pub fn new() -> (Gate, Receiver<u64>) {
        let (arrived, rx) = mpsc::channel();
        let gate = Gate {
            permits: Arc::new((Mutex::new(0), Condvar::new())),
            arrived,
        };
        (gate, rx)
    }

    /// Called by a handler: announces itself as `id`, then waits for a permit.
    pub fn pass(&self, id: u64) {
        let _ = self.arrived.send(id);
        let (lock, cond) = &*self.permits;
        let permits = lock.lock().unwrap();
        let mut permits = cond
            .wait_timeout_while(permits, PATIENCE, |p| *p == 0)
            .unwrap()
            .0;
        *permits = permits.saturating_sub(1);
    }

    /// Lets `n` more handlers through.
    pub fn open(&self, n: usize) {
        let (lock, cond) = &*self.permits;
        *lock.lock().unwrap() += n;
        cond.notify_all();
    }
}
