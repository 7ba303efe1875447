//! One measurement: start a server, point the load generator at it, read
//! both processes' CPU time and the kernel's listen-drop counters, stop it.

use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::plan::LoadSpec;
use super::servers::Launch;
use crate::cpu::CpuTime;
use crate::netstat::ListenDrops;
use crate::stats::Report;
use crate::target::Target;

/// How long a server may take to print `listening on ADDR`.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
/// What a load run may take beyond its duration (connects, the last
/// operations, their timeouts) before it is killed.
const RUN_GRACE: Duration = Duration::from_secs(60);
/// The load generator's operation timeout.
const OP_TIMEOUT: &str = "5s";

/// What one run of one load against one server gave.
///
/// Scheme: none.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The load generator's report, or why there is none.
    pub report: Result<Report, String>,
    /// The server's CPU time during the run (its whole life: it is started
    /// for the run); `None` for an outside server.
    pub server_cpu: Option<CpuTime>,
    /// Growth of the listen-drop counters during the run; `None` when they
    /// cannot be read.
    pub drops: Option<ListenDrops>,
}

/// A server started for one run; killed when dropped.
#[derive(Debug)]
struct Started {
    child: Child,
}

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(program: &Path, args: &[String]) -> io::Result<(Started, Target)> {
    let mut child = Command::new(program)
        .args(args)
        .args(["--host", "127.0.0.1", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        // Chat servers log every connect to stderr; nobody reads it here,
        // and an unread pipe would stall them.
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| io::Error::new(e.kind(), format!("starting {}: {e}", program.display())))?;
    let stdout = child.stdout.take();
    let started = Started { child };
    let (tx, rx) = mpsc::channel();
    if let Some(stdout) = stdout {
        // Keeps reading after the first line: hello servers print every
        // line they receive, and a full pipe would stall them.
        thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = tx.send(lines.next());
            for _ in lines {}
        });
    }
    let shown = program.display();
    let line = match rx.recv_timeout(STARTUP_TIMEOUT) {
        Ok(Some(Ok(line))) => line,
        Ok(_) | Err(mpsc::RecvTimeoutError::Disconnected) => {
            return Err(io::Error::other(format!(
                "{shown} exited before `listening on ADDR`"
            )));
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("{shown} printed nothing within {STARTUP_TIMEOUT:?}"),
            ));
        }
    };
    let addr = line.strip_prefix("listening on ").ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{shown}: first line {line:?}"),
        )
    })?;
    let target = Target::parse(addr)?;
    Ok((started, target))
}

/// Runs `load` for `duration` against the server `launch` describes, with
/// the `loadgen` binary at `loadgen`.
///
/// Scheme: none.
pub fn run_one(loadgen: &Path, launch: &Launch, load: &LoadSpec, duration: Duration) -> Outcome {
    let (started, target) = match launch {
        Launch::Running(t) => (None, *t),
        Launch::Program { program, args } => match start(program, args) {
            Ok((s, t)) => (Some(s), t),
            Err(e) => {
                return Outcome {
                    report: Err(e.to_string()),
                    server_cpu: None,
                    drops: None,
                };
            }
        },
    };
    let mut args = vec![
        "run".to_string(),
        "--json".into(),
        "--target".into(),
        target.to_string(),
        "--scenario".into(),
        load.scenario.name().into(),
        "--connections".into(),
        load.connections.to_string(),
        "--duration".into(),
        format!("{}ms", duration.as_millis()),
        "--timeout".into(),
        OP_TIMEOUT.into(),
    ];
    if load.payload > 0 {
        args.extend(["--payload".into(), load.payload.to_string()]);
    }
    if let Some(rate) = load.rate {
        args.extend(["--rate".into(), rate.to_string()]);
    }
    let before = ListenDrops::read().ok();
    let report = run_loadgen(loadgen, &args, duration + RUN_GRACE);
    let after = ListenDrops::read().ok();
    let server_cpu = started
        .as_ref()
        .and_then(|s| CpuTime::of_pid(s.child.id()).ok());
    drop(started);
    Outcome {
        report,
        server_cpu,
        drops: before.zip(after).map(|(b, a)| a.since(b)),
    }
}

/// Runs the load generator with `args`, killing it after `limit`, and
/// parses its JSON report.
pub(crate) fn run_loadgen(
    loadgen: &Path,
    args: &[String],
    limit: Duration,
) -> Result<Report, String> {
    let mut child = Command::new(loadgen)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting {}: {e}", loadgen.display()))?;
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    thread::spawn(move || {
        let mut out = String::new();
        let mut err = String::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.read_to_string(&mut out);
        }
        if let Some(s) = stderr.as_mut() {
            let _ = s.read_to_string(&mut err);
        }
        let _ = tx.send((child.wait(), out, err));
    });
    let (status, out, err) = match rx.recv_timeout(limit) {
        Ok(r) => r,
        Err(_) => {
            if let Ok(pid) = i32::try_from(pid) {
                let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
            }
            return Err(format!("loadgen ran past {limit:?} and was killed"));
        }
    };
    match status {
        Ok(s) if s.success() => serde_json::from_str(out.trim())
            .map_err(|e| format!("loadgen printed no report ({e}): {out:?}")),
        Ok(s) => Err(format!("loadgen failed ({s}): {}", err.trim())),
        Err(e) => Err(format!("waiting for loadgen: {e}")),
    }
}
