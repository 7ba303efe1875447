//! Helpers of `tests/examples.rs`: starting the raw example programs on
//! each address family, talking to them over raw sockets, and waiting for
//! their output and exit, every wait with a deadline.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use example_support::{RunningServer, example_path};
use netprim::{SockAddr, Socket, Type};
use tempfile::TempDir;

/// The longest any single step may take: generous, as CI runs the suite
/// on two loaded cores.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// Where a server listens and a client connects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// TCP on 127.0.0.1.
    V4,
    /// TCP on ::1.
    V6,
    /// A Unix socket in a temporary directory.
    Unix,
}

pub use Family::{Unix as UNIX, V4, V6};

/// The path of example `name` of this crate, built if need be.
pub fn example(name: &str) -> PathBuf {
    example_path("netprim", name).unwrap_or_else(|e| panic!("{e}"))
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

/// An address where nothing listens, on `family`.
pub fn closed_addr(family: Family) -> String {
    let (host, domain) = match family {
        Family::V4 => ("127.0.0.1:0", netprim::Domain::IPV4),
        Family::V6 => ("[::1]:0", netprim::Domain::IPV6),
        Family::Unix => {
            let dir = tempfile::tempdir().expect("tempdir");
            // Gone with the directory when this returns.
            return dir.path().join("nobody.sock").display().to_string();
        }
    };
    // A port the kernel just handed out, closed again when this returns.
    let socket = Socket::new(domain, Type::STREAM, None).expect("socket");
    socket.bind(&host.parse().unwrap()).expect("bind");
    socket.local_addr().expect("local_addr").to_string()
}

/// A program with piped stdin and stdout (a chat client), killed when
/// dropped.
pub struct Interactive {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
}

impl Interactive {
    /// Starts `program` with `args`.
    pub fn spawn(program: PathBuf, args: &[&str]) -> Interactive {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn");
        let stdin = child.stdin.take();
        let lines = lines_of(child.stdout.take().expect("stdout"));
        Interactive {
            child,
            stdin,
            lines,
        }
    }

    /// Writes `line` and a newline to its stdin.
    pub fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{line}").expect("write to stdin");
        stdin.flush().expect("flush stdin");
    }

    /// The next line it prints.
    pub fn next_line(&self) -> String {
        match self.lines.recv_timeout(DEADLINE) {
            Ok(line) => line,
            Err(e) => panic!("no line from the client: {e}"),
        }
    }

    /// Closes its stdin, waits for its exit, and returns its status and
    /// anything it printed meanwhile.
    pub fn finish(mut self) -> (ExitStatus, Vec<String>) {
        self.stdin = None;
        let deadline = Instant::now() + DEADLINE;
        let mut printed = Vec::new();
        loop {
            match self
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(line) => printed.push(line),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => panic!("the client did not exit"),
            }
        }
        (self.child.wait().expect("wait"), printed)
    }
}

impl Drop for Interactive {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines of `stream`, read on a thread, so they can be awaited with a
/// deadline.
fn lines_of(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}
