//! Helpers of `tests/examples.rs`: starting the raw example programs on
//! each address family, talking to them over raw sockets, and waiting for
//! their output and exit, every wait with a deadline.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use netprim::{SockAddr, Socket, Type};
use tempfile::TempDir;
pub use test_support::Family;
use test_support::{Interactive, RunningServer, example_path, lines_of};

/// The longest any single step may take: generous, as CI runs the suite
/// on two loaded cores.
pub const DEADLINE: Duration = Duration::from_secs(20);

pub use Family::{Unix as UNIX, V4, V6};

/// The path of example `name` of this crate, built if need be.
pub fn example(name: &str) -> PathBuf {
    example_path(name).unwrap_or_else(|e| panic!("{e}"))
}

/// A raw example server, killed when dropped.
pub struct Server {
    pub running: RunningServer,
    stderr: Option<Receiver<String>>,
    /// The Unix socket's path, in a directory that lives as long as this.
    pub path: Option<PathBuf>,
    _dir: Option<TempDir>,
}

impl Server {
    /// Starts example `name` listening on `family`, with `args` added.
    pub fn start(name: &str, family: Family, args: &[&str]) -> Server {
        Server::launch(name, family, args, false)
    }

    /// [`Server::start`] with stderr captured, for [`Server::logged`].
    pub fn start_logging(name: &str, family: Family, args: &[&str]) -> Server {
        Server::launch(name, family, args, true)
    }

    /// Starts example `name` on a Unix socket at `path`.
    pub fn start_unix_at(name: &str, path: &Path, args: &[&str]) -> Server {
        Server::launch_with(name, Family::Unix, Some(path.to_path_buf()), args, false)
    }

    fn launch(name: &str, family: Family, args: &[&str], log: bool) -> Server {
        Server::launch_with(name, family, None, args, log)
    }

    fn launch_with(
        name: &str,
        family: Family,
        unix_path: Option<PathBuf>,
        args: &[&str],
        log: bool,
    ) -> Server {
        let mut cmd = Command::new(example(name));
        let (dir, path) = match (family, unix_path) {
            (Family::V4, _) => (None, None),
            (Family::V6, _) => {
                cmd.args(["--host", "::1"]);
                (None, None)
            }
            (Family::Unix, Some(path)) => {
                cmd.arg("--unix").arg(&path);
                (None, Some(path))
            }
            (Family::Unix, None) => {
                let dir = tempfile::tempdir().expect("tempdir");
                let path = dir.path().join("server.sock");
                cmd.arg("--unix").arg(&path);
                (Some(dir), Some(path))
            }
        };
        cmd.args(args);
        if log {
            cmd.stderr(Stdio::piped());
        }
        let mut running = RunningServer::start_command(cmd).unwrap_or_else(|e| panic!("{e}"));
        let stderr = running.child().stderr.take().map(lines_of);
        match (family, &path) {
            (Family::Unix, Some(p)) => assert_eq!(running.addr(), p.to_str().unwrap()),
            (Family::V4, _) => assert!(running.addr().starts_with("127.0.0.1:")),
            _ => assert!(running.addr().starts_with("[::1]:"), "{}", running.addr()),
        }
        Server {
            running,
            stderr,
            path,
            _dir: dir,
        }
    }

    /// The announced address, which is also what clients take as `--addr`.
    pub fn addr(&self) -> &str {
        self.running.addr()
    }

    /// A raw connection to the server; reads and writes give up after
    /// [`DEADLINE`].
    pub fn connect(&self) -> Socket {
        connect(self.addr()).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Whether the server has printed a line containing `needle` to stderr
    /// by now (started with [`Server::start_logging`]); does not wait.
    pub fn logged(&self, needle: &str) -> Option<String> {
        let lines = self.stderr.as_ref().expect("started with start_logging");
        lines.try_iter().find(|line| line.contains(needle))
    }

    /// Waits for the server to exit (its stdout closes when it does) and
    /// returns its status and the lines it printed meanwhile.
    pub fn exit(&mut self) -> (ExitStatus, Vec<String>) {
        let deadline = Instant::now() + DEADLINE;
        let mut printed = Vec::new();
        while let Some(line) = self
            .running
            .next_line(deadline.saturating_duration_since(Instant::now()))
        {
            printed.push(line);
        }
        assert!(
            Instant::now() < deadline,
            "the server did not exit within {DEADLINE:?}"
        );
        let status = self.running.child().wait().expect("wait");
        (status, printed)
    }

    /// Sends the server SIGTERM.
    pub fn terminate(&mut self) {
        use nix::sys::signal::{Signal, kill};
        use nix::unistd::Pid;
        let pid = Pid::from_raw(self.running.child().id() as i32);
        kill(pid, Signal::SIGTERM).expect("kill");
    }
}

/// A raw connection to `addr` (`127.0.0.1:P`, `[::1]:P` or a path) whose
/// reads and writes give up after [`DEADLINE`].
pub fn connect(addr: &str) -> std::io::Result<Socket> {
    connect_with_recv_buffer(addr, None)
}

/// [`connect`] with `SO_RCVBUF` set first (for TCP it also bounds the
/// window the peer is offered).
pub fn connect_with_recv_buffer(addr: &str, size: Option<usize>) -> std::io::Result<Socket> {
    let addr: SockAddr = addr.parse()?;
    let socket = Socket::new(addr.family(), Type::STREAM, None)?;
    if let Some(size) = size {
        socket.set_recv_buffer_size(size)?;
    }
    socket.set_read_timeout(Some(DEADLINE))?;
    socket.set_write_timeout(Some(DEADLINE))?;
    socket.connect(&addr)?;
    Ok(socket)
}

/// Reads one line (without the `\n`) from a raw connection.
pub fn read_line(conn: &Socket) -> String {
    // Byte by byte, so that nothing after the line is consumed.
    let mut line = Vec::new();
    let mut byte = [0];
    loop {
        match (&*conn).read(&mut byte) {
            Ok(0) => panic!("EOF after {:?}", String::from_utf8_lossy(&line)),
            Ok(_) if byte[0] == b'\n' => return String::from_utf8(line).expect("UTF-8"),
            Ok(_) => line.push(byte[0]),
            Err(e) => panic!("reading a line: {e}"),
        }
    }
}

/// Reads until EOF and returns what came.
pub fn read_to_eof(conn: &Socket) -> Vec<u8> {
    let mut all = Vec::new();
    (&*conn).read_to_end(&mut all).expect("read to EOF");
    all
}

/// Starts chat client `program` connected to `addr`.
pub fn chat_client(program: &Path, addr: &str) -> Interactive {
    let mut cmd = Command::new(program);
    cmd.args(["--addr", addr]);
    Interactive::spawn(cmd).expect("start the chat client")
}

/// Closes the client's stdin and waits (within [`DEADLINE`]) for its exit:
/// its status and what it printed meanwhile.
pub fn finish(mut client: Interactive) -> (ExitStatus, Vec<String>) {
    client.close_stdin();
    client
        .wait_exit(DEADLINE)
        .expect("the client did not exit in time")
}

/// The next line the client prints, within [`DEADLINE`].
pub fn next_line(client: &Interactive) -> String {
    client
        .next_line(DEADLINE)
        .expect("no line from the client in time")
}
