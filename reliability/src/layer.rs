//! The two servers under test, started as their example programs.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

use test_support::{RunningServer, example_path};

/// Which server: the program `LAYER-NAME` of its package.
///
/// Scheme: none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    /// tcp-server: a thread per connection (`threaded-*-server`).
    Threaded,
    /// tcp-server-async: a task per connection (`async-*-server`).
    Async,
}

impl Layer {
    /// Both servers.
    pub const ALL: [Layer; 2] = [Layer::Threaded, Layer::Async];

    /// The prefix of its programs' names.
    pub fn prefix(self) -> &'static str {
        match self {
            Layer::Threaded => "threaded",
            Layer::Async => "async",
        }
    }

    /// Builds (once per process) and starts `LAYER-{server}-server` with
    /// `args` (its stderr discarded), and waits for its `listening on ADDR`.
    ///
    /// # Errors
    ///
    /// When it cannot be built or started, or announces no address.
    pub fn start(self, server: &str, args: &[&str]) -> io::Result<Server> {
        let name = format!("{}-{server}-server", self.prefix());
        let path = example_path(&name)?;
        let mut cmd = Command::new(path);
        // Its log of every connection would drown a test's own output.
        cmd.args(args).stderr(Stdio::null());
        let running = RunningServer::start_command(cmd)?;
        let addr = running
            .addr()
            .parse()
            .map_err(|e| io::Error::other(format!("{name} announced {:?}: {e}", running.addr())))?;
        Ok(Server {
            name,
            running,
            addr,
        })
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.prefix())
    }
}

/// A running example server; killed when dropped.
///
/// Scheme: none.
#[derive(Debug)]
pub struct Server {
    name: String,
    running: RunningServer,
    addr: SocketAddr,
}

impl Server {
    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its program's name (`async-echo-server`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its process id.
    pub fn pid(&mut self) -> u32 {
        self.running.child().id()
    }

    /// Its resident memory now, in bytes ([`crate::vm_rss`]).
    ///
    /// # Errors
    ///
    /// When /proc cannot tell (it exited).
    pub fn rss(&mut self) -> io::Result<u64> {
        crate::vm_rss(self.pid())
    }

    /// Fails if it has exited (crashed) already.
    ///
    /// # Errors
    ///
    /// `Other`, with its exit status, when it is no longer running.
    pub fn alive(&mut self) -> io::Result<()> {
        match self.running.child().try_wait()? {
            None => Ok(()),
            Some(status) => Err(io::Error::other(format!(
                "{} exited with {status}",
                self.name
            ))),
        }
    }

    /// The next line it prints, waiting at most `timeout`.
    pub fn next_line(&self, timeout: Duration) -> Option<String> {
        self.running.next_line(timeout)
    }
}
