//! TEMPORARY stand-ins for the tcp-ports API that is landing on main
//! (stoppable accept, connection handles, joined connections, the accept
//! error policy). Deleted once main has it; nothing here is public.
#![allow(dead_code, missing_docs)]

use std::io::{self, BufRead, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use tcp_ports::{TcpConfig, TcpListener, TcpReader, TcpWriter};

#[derive(Clone, Debug)]
pub struct StopSignal {
    inner: Arc<(Mutex<bool>, Condvar, AtomicBool)>,
}

impl StopSignal {
    pub fn new() -> io::Result<StopSignal> {
        Ok(StopSignal {
            inner: Arc::new((Mutex::new(false), Condvar::new(), AtomicBool::new(false))),
        })
    }
    pub fn stop(&self) {
        self.inner.2.store(true, Ordering::SeqCst);
        *self.inner.0.lock().unwrap() = true;
        self.inner.1.notify_all();
    }
    pub fn is_stopped(&self) -> bool {
        self.inner.2.load(Ordering::SeqCst)
    }
    pub fn wait(&self, timeout: Option<Duration>) -> io::Result<bool> {
        let g = self.inner.0.lock().unwrap();
        match timeout {
            None => Ok(*self.inner.1.wait_while(g, |s| !*s).unwrap()),
            Some(t) => Ok(*self.inner.1.wait_timeout_while(g, t, |s| !*s).unwrap().0),
        }
    }
}

pub trait ListenerExt {
    fn accept_with_or_stop(
        &self,
        config: &TcpConfig,
        stop: &StopSignal,
    ) -> io::Result<Option<(TcpReader, TcpWriter)>>;
}

impl ListenerExt for TcpListener {
    fn accept_with_or_stop(
        &self,
        config: &TcpConfig,
        stop: &StopSignal,
    ) -> io::Result<Option<(TcpReader, TcpWriter)>> {
        let c = config.with_accept_timeout(Some(Duration::from_millis(20)));
        loop {
            if stop.is_stopped() {
                return Ok(None);
            }
            match self.accept_with(&c) {
                Err(e) if e.kind() == io::ErrorKind::TimedOut => continue,
                other => return other.map(Some),
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct ConnectionHandle {
    fd: Arc<OwnedFd>,
    local: SocketAddr,
    peer: SocketAddr,
}

impl ConnectionHandle {
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        let s = std::net::TcpStream::from(self.fd.try_clone()?);
        let r = s.shutdown(how);
        std::mem::forget(s.try_clone());
        r.or(Ok(()))
    }
    pub fn abort(&self) -> io::Result<()> {
        self.shutdown(Shutdown::Both)
    }
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }
}

pub trait ReaderExt {
    fn handle(&self) -> ConnectionHandle;
}
impl ReaderExt for TcpReader {
    fn handle(&self) -> ConnectionHandle {
        ConnectionHandle {
            fd: Arc::new(self.as_fd().try_clone_to_owned().unwrap()),
            local: self.local_addr(),
            peer: self.peer_addr(),
        }
    }
}

#[derive(Debug)]
pub struct TcpConnection {
    r: TcpReader,
    w: TcpWriter,
}

#[derive(Debug)]
pub struct JoinError;
impl std::fmt::Display for JoinError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not the ports of one connection")
    }
}

impl TcpConnection {
    pub fn join(r: TcpReader, w: TcpWriter) -> Result<TcpConnection, JoinError> {
        Ok(TcpConnection { r, w })
    }
    pub fn handle(&self) -> ConnectionHandle {
        self.r.handle()
    }
    pub fn local_addr(&self) -> SocketAddr {
        self.r.local_addr()
    }
    pub fn peer_addr(&self) -> SocketAddr {
        self.r.peer_addr()
    }
    pub fn set_read_timeout(&mut self, t: Option<Duration>) {
        self.r.set_read_timeout(t)
    }
    pub fn set_write_timeout(&mut self, t: Option<Duration>) {
        self.w.set_write_timeout(t)
    }
    pub fn set_deadline(&mut self, _at: Option<Instant>) {}
}

impl Read for TcpConnection {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.r.read(buf)
    }
}
impl BufRead for TcpConnection {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.r.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        self.r.consume(n)
    }
}
impl Write for TcpConnection {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.w.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}
impl AsFd for TcpConnection {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.r.as_fd()
    }
}

#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AcceptErrorClass {
    PerConnection,
    ResourceExhausted,
    Fatal,
}

pub fn classify_accept_error(err: &io::Error) -> AcceptErrorClass {
    use io::ErrorKind::*;
    if let Some(24 | 23 | 105 | 12) = err.raw_os_error() {
        return AcceptErrorClass::ResourceExhausted;
    }
    match err.kind() {
        ConnectionAborted | ConnectionReset | Interrupted | WouldBlock | TimedOut => {
            AcceptErrorClass::PerConnection
        }
        OutOfMemory => AcceptErrorClass::ResourceExhausted,
        _ => AcceptErrorClass::Fatal,
    }
}

#[derive(Debug, Default)]
pub struct AcceptBackoff {
    errors: u32,
}
impl AcceptBackoff {
    pub const MIN: Duration = Duration::from_millis(5);
    pub const MAX: Duration = Duration::from_secs(1);
    pub fn new() -> Self {
        Self::default()
    }
    pub fn next_delay(&mut self) -> Duration {
        let d = Self::MIN
            .checked_mul(1 << self.errors.min(16))
            .map_or(Self::MAX, |d| d.min(Self::MAX));
        self.errors += 1;
        d
    }
    pub fn reset(&mut self) {
        self.errors = 0;
    }
}
