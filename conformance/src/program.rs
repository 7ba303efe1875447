//! A client program under test: started when its participant connects, fed
//! on stdin with what the participant sends, watched on stdout (what it
//! prints is what the script's expectations see) and through its exit
//! status. Its stderr is kept for the report.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};

use crate::inbox::Inbox;

/// How much of a process's stderr a report shows (its end).
const LOG_TAIL: u64 = 4096;

/// An anonymous file that collects a process's stderr, for the report.
#[derive(Debug)]
pub struct StderrFile(File);

impl StderrFile {
    /// A new one, and the handle to give the process as its stderr.
    ///
    /// # Errors
    ///
    /// When no temporary file can be made.
    pub fn new() -> io::Result<(StderrFile, Stdio)> {
        let f = tempfile::tempfile()?;
        let child_end = f.try_clone()?;
        Ok((StderrFile(f), Stdio::from(child_end)))
    }

    /// Its last 4 KiB, trimmed; empty if nothing was written.
    pub fn tail(&self) -> String {
        let mut f = &self.0;
        let len = f.seek(SeekFrom::End(0)).unwrap_or(0);
        let _ = f.seek(SeekFrom::Start(len.saturating_sub(LOG_TAIL)));
        let mut s = Vec::new();
        let _ = f.read_to_end(&mut s);
        String::from_utf8_lossy(&s).trim().to_string()
    }
}

/// A running client program.
#[derive(Debug)]
pub struct Program {
    /// The command line, for reports.
    pub shown: String,
    child: Child,
    /// Its stdin until the participant half-closes.
    pub stdin: Option<ChildStdin>,
    /// Its stdout until EOF.
    pub stdout: Option<ChildStdout>,
    /// What it printed and the script has not consumed yet.
    pub inbox: Inbox,
    /// What the participant sent since its last `expect echo`.
    pub sent: Vec<u8>,
    stderr: StderrFile,
    status: Option<ExitStatus>,
}

impl Program {
    /// Starts `argv`.
    ///
    /// # Errors
    ///
    /// When it cannot be started; the message names it.
    pub fn start(argv: &[String]) -> Result<Program, String> {
        let shown = argv.join(" ");
        let (prog, args) = argv.split_first().ok_or("an empty command")?;
        let (stderr, child_stderr) =
            StderrFile::new().map_err(|e| format!("cannot make a file for its stderr: {e}"))?;
        let mut child = Command::new(prog)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(child_stderr)
            .spawn()
            .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
        Ok(Program {
            shown,
            stdin: child.stdin.take(),
            stdout: child.stdout.take(),
            child,
            inbox: Inbox::default(),
            sent: Vec::new(),
            stderr,
            status: None,
        })
    }

    /// Its exit status, if it has exited (does not wait).
    pub fn status(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status
    }

    /// What a report says about it: its command, exit status, and stderr.
    pub fn notes(&mut self) -> Vec<String> {
        let mut notes = vec![match self.status() {
            Some(s) => format!("client program `{}` exited with {s}", self.shown),
            None => format!("client program `{}` still running", self.shown),
        }];
        let tail = self.stderr.tail();
        if !tail.is_empty() {
            notes.push(format!("its stderr: {tail}"));
        }
        notes
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        if self.status().is_none() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}
