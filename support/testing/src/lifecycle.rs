//! Watching a server program from outside: its exit (awaited), its
//! listener closing and the CPU it spends (no event tells these: polled,
//! bounded by a deadline).

use std::io::ErrorKind;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::RunningServer;

impl RunningServer {
    /// Waits for the program to exit, at most `within`; kills it and
    /// panics if it is still running then.
    pub fn exit_within(&mut self, within: Duration) -> ExitStatus {
        let child = self.child();
        let pid = Pid::from_raw(i32::try_from(child.id()).expect("a pid fits an i32"));
        let (exited, exit) = mpsc::channel();
        std::thread::scope(|scope| {
            // Blocked in waitpid(2) until the exit itself, not polling.
            scope.spawn(move || {
                let _ = exited.send(child.wait());
            });
            match exit.recv_timeout(within) {
                Ok(status) => status.expect("wait for the server"),
                Err(_) => {
                    // Ends the wait above, so the scope can end.
                    let _ = kill(pid, Signal::SIGKILL);
                    panic!("the server did not exit within {within:?}");
                }
            }
        })
    }
}

/// Waits until connections to `addr` are refused, at most `within`; panics
/// if it still accepts then. No event says when a listener closed.
pub fn refused_within(addr: &str, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        match std::net::TcpStream::connect(addr) {
            Err(e) if e.kind() == ErrorKind::ConnectionRefused => return,
            Ok(_) | Err(_) => assert!(Instant::now() < deadline, "still accepting"),
        }
        std::thread::yield_now();
    }
}

/// The CPU time process `pid` has spent, user and system, in clock ticks
/// (`/proc/PID/stat`).
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read /proc/PID/stat");
    // The name may hold spaces and parentheses: fields start after the last ')'.
    let after_name = &stat[stat.rfind(')').expect("a stat line") + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields[i].parse::<u64>().expect("a tick count");
    ticks(11) + ticks(12)
}

/// Makes `cmd`'s process start with at most `limit` open descriptors
/// (`RLIMIT_NOFILE`, soft and hard), to drive a server into `EMFILE`.
pub fn limit_descriptors(cmd: &mut Command, limit: u64) {
    use nix::sys::resource::{Resource, setrlimit};
    // SAFETY: setrlimit is async-signal-safe and touches no memory of the
    // parent; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            setrlimit(Resource::RLIMIT_NOFILE, limit, limit).map_err(std::io::Error::from)
        });
    }
}
