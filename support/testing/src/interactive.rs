//! A program driven through its stdin and watched through its stdout, such
//! as a chat client.

use std::io::Write;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::lines_of;

/// A running program with piped stdin and stdout, killed when dropped.
///
/// Scheme: none.
#[derive(Debug)]
pub struct Interactive {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
}

impl Interactive {
    /// Starts `cmd` with stdin and stdout piped (stderr is inherited).
    ///
    /// # Errors
    ///
    /// When it cannot be started.
    pub fn spawn(mut cmd: Command) -> std::io::Result<Interactive> {
        let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
        let stdin = child.stdin.take();
        let lines = match child.stdout.take() {
            Some(stdout) => lines_of(stdout),
            None => std::sync::mpsc::channel().1,
        };
        Ok(Interactive {
            child,
            stdin,
            lines,
        })
    }

    /// Writes `line` and a newline to its stdin.
    ///
    /// # Errors
    ///
    /// When its stdin is closed or the write fails.
    pub fn send_line(&mut self, line: &str) -> std::io::Result<()> {
        let Some(stdin) = self.stdin.as_mut() else {
            return Err(std::io::ErrorKind::BrokenPipe.into());
        };
        writeln!(stdin, "{line}")?;
        stdin.flush()
    }

    /// The next line it prints, waiting at most `timeout`; `None` if none
    /// came in time or its stdout closed.
    pub fn next_line(&self, timeout: Duration) -> Option<String> {
        self.lines.recv_timeout(timeout).ok()
    }

    /// Closes its stdin: the program sees the end of its input.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits at most `timeout` for it to close its stdout, then for its
    /// exit; returns its status and what it printed meanwhile, or `None`
    /// if its stdout stayed open that long (it is killed when dropped).
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<(ExitStatus, Vec<String>)> {
        let deadline = Instant::now() + timeout;
        let mut printed = Vec::new();
        loop {
            match self
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(line) => printed.push(line),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => return None,
            }
        }
        // Its stdout closes when it exits.
        let status = self.child.wait().ok()?;
        Some((status, printed))
    }
}

impl Drop for Interactive {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
