//! Running the example programs from tests and the conformance runner:
//! building one on demand, starting a server and reading its announced
//! address, and reading its output with a deadline.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::Receiver;
use std::time::Duration;

/// How long a server may take to print `listening on ADDR`.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// The path of example program `example` of this workspace.
///
/// Every example of the workspace is built together, once per process,
/// with `cargo build --workspace --examples` (the cargo that runs the
/// tests): always the same selection, so that the build's features are
/// those of the full test build and, once CI or nextest has built the
/// examples, the call only confirms they are fresh. Building one package
/// alone (`-p P --example E`) would unify features differently, rebuild
/// shared dependencies while other tests run, and relink programs that
/// other tests are running.
///
/// Scheme: none.
///
/// # Errors
///
/// When cargo cannot build the examples (the message carries cargo's
/// diagnostics), or the workspace has no example of that name.
pub fn example_path(example: &str) -> io::Result<PathBuf> {
    static BUILT: OnceLock<Result<HashMap<String, PathBuf>, String>> = OnceLock::new();
    let built = BUILT
        .get_or_init(crate::workspace_examples)
        .as_ref()
        .map_err(|e| io::Error::other(e.clone()))?;
    built.get(example).cloned().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("the workspace has no example named {example:?}"),
        )
    })
}

/// A running example server: killed when dropped.
///
/// Scheme: none.
#[derive(Debug)]
pub struct RunningServer {
    child: Child,
    addr: String,
    lines: Receiver<String>,
}

impl RunningServer {
    /// Starts `program` with `args`, stdout piped, and waits for its first
    /// line, `listening on ADDR`.
    ///
    /// # Errors
    ///
    /// If it cannot start, exits, or prints anything else first, or does not
    /// announce itself within [`STARTUP_TIMEOUT`].
    pub fn start<I, S>(program: impl AsRef<OsStr>, args: I) -> io::Result<RunningServer>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(program);
        cmd.args(args);
        RunningServer::start_command(cmd)
    }

    /// [`RunningServer::start`] for a prepared command (stdout is replaced
    /// by a pipe; stdin defaults to null).
    ///
    /// # Errors
    ///
    /// As [`RunningServer::start`].
    pub fn start_command(mut cmd: Command) -> io::Result<RunningServer> {
        let shown = format!("{cmd:?}");
        let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).spawn()?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other(format!("{shown}: no stdout")));
        };
        let lines = crate::lines_of(stdout);
        let first = match lines.recv_timeout(STARTUP_TIMEOUT) {
            Ok(line) => line,
            Err(e) => {
                let _ = child.kill();
                let status = child.wait()?;
                return Err(io::Error::other(format!(
                    "{shown} did not announce itself ({e}); it exited with {status}"
                )));
            }
        };
        let Some(addr) = first.strip_prefix("listening on ") else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other(format!(
                "{shown} printed {first:?} instead of `listening on ADDR`"
            )));
        };
        Ok(RunningServer {
            addr: addr.to_string(),
            child,
            lines,
        })
    }

    /// The address it announced, as it printed it (`127.0.0.1:4242`).
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// The next line it prints to stdout (without the newline), waiting at
    /// most `timeout`; `None` if nothing came or it closed stdout.
    pub fn next_line(&self, timeout: Duration) -> Option<String> {
        self.lines.recv_timeout(timeout).ok()
    }

    /// The child process, e.g. to send it a signal or wait for its exit.
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Starts a TLS example program (`threaded-tls-echo-server`,
    /// `async-tls-echo-server`), which writes the certificate it made at
    /// start to `--cert-out`: the running program, and that certificate as
    /// PEM for a client to trust.
    ///
    /// Scheme: none.
    ///
    /// # Errors
    ///
    /// As [`example_path`] and [`RunningServer::start`], or when the
    /// certificate cannot be read.
    pub fn start_tls_example(example: &str) -> io::Result<(RunningServer, Vec<u8>)> {
        let dir = tempfile::tempdir()?;
        let cert = dir.path().join("cert.pem");
        let server = RunningServer::start(
            example_path(example)?,
            ["--cert-out".as_ref(), cert.as_os_str()],
        )?;
        // Written before the program announced itself.
        let pem = std::fs::read(&cert)?;
        Ok((server, pem))
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
