//! The steps on the server itself rather than on a connection: `signal`,
//! `expect refused` and `expect exit`. They act on whatever plays the
//! server: a server program gets the signal and is watched; the scripted
//! server stops listening when signalled, as a server stopping gracefully
//! does, and has no exit to check.

use std::io;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal as NixSignal, kill};
use nix::unistd::Pid;

use super::{ServerSide, Session};
use crate::script::{Action, ExitCheck, Expectation, Signal, Step};

/// The longest one probe connection of `expect refused` may take: a
/// listener that is open but not accepting can leave a connect waiting.
const PROBE_TIMEOUT: Duration = Duration::from_millis(200);

impl Session<'_> {
    /// Runs a step on the server itself.
    pub(super) fn server_itself(
        &mut self,
        step: &Step,
        until: Instant,
    ) -> Result<(), (String, String)> {
        match &step.action {
            Action::Signal(signal) => self.signal(*signal),
            Action::Expect(Expectation::Refused) => self.expect_refused(until),
            Action::Expect(Expectation::Exit(check)) => self.expect_server_exit(*check, until),
            other => Err((
                format!("a step on the server itself, not `{}`", other.verb()),
                "an internal error: the parser let it through".into(),
            )),
        }
    }

    fn signal(&mut self, signal: Signal) -> Result<(), (String, String)> {
        let what = format!("to send the server {}", signal.name());
        match &mut self.server {
            ServerSide::Scripted(listener) => {
                *listener = None;
                Ok(())
            }
            ServerSide::Program(server, _) => {
                let child = server.child();
                if let Ok(Some(status)) = child.try_wait() {
                    return Err((what, format!("it had already exited with {status}")));
                }
                let pid = i32::try_from(child.id()).map(Pid::from_raw).map_err(|_| {
                    (
                        what.clone(),
                        format!("process id {} is out of range", child.id()),
                    )
                })?;
                let sig = match signal {
                    Signal::Int => NixSignal::SIGINT,
                    Signal::Term => NixSignal::SIGTERM,
                };
                kill(pid, sig).map_err(|e| (what, e.desc().to_string()))
            }
            ServerSide::External => Err((
                what,
                "a server the runner did not start cannot be signalled".into(),
            )),
        }
    }

    /// Tries new connections until one is refused. There is no event that
    /// says a server closed its listener, so this probes, every tick,
    /// until the step's time limit; meanwhile the open connections are
    /// read as usual. A probe that gets in is closed at once.
    fn expect_refused(&mut self, until: Instant) -> Result<(), (String, String)> {
        if matches!(self.server, ServerSide::External) {
            return Err((
                Expectation::Refused.to_string(),
                "a server the runner did not start cannot be watched".into(),
            ));
        }
        let addr = self.addr;
        let mut accepted = 0usize;
        let mut other: Option<io::Error> = None;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match TcpStream::connect_timeout(
                &addr,
                left.clamp(Duration::from_millis(1), PROBE_TIMEOUT),
            ) {
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => return Ok(()),
                Ok(probe) => {
                    accepted += 1;
                    drop(probe);
                }
                Err(e) => other = Some(e),
            }
            if Instant::now() >= until {
                let mut actual = format!("{accepted} connection(s) to {addr} accepted");
                if let Some(e) = other {
                    actual.push_str(&format!(", the last other failure: {e}"));
                }
                return Err((
                    format!("{} within {}", Expectation::Refused, self.limit(until)),
                    actual,
                ));
            }
            self.pump(until, &mut [], false, true);
        }
    }

    fn expect_server_exit(
        &mut self,
        check: ExitCheck,
        until: Instant,
    ) -> Result<(), (String, String)> {
        loop {
            let status = match &mut self.server {
                ServerSide::Scripted(_) => return Ok(()),
                ServerSide::External => {
                    return Err((
                        format!("the server's {check}"),
                        "a server the runner did not start cannot be watched".into(),
                    ));
                }
                ServerSide::Program(server, _) => server.child().try_wait(),
            };
            match status {
                Ok(Some(status)) => {
                    let ok = match check {
                        ExitCheck::Code(c) => status.code() == Some(c),
                        ExitCheck::Failure => !status.success(),
                    };
                    return match ok {
                        true => Ok(()),
                        false => Err((
                            format!("the server's {check}"),
                            format!("it exited with {status}"),
                        )),
                    };
                }
                Ok(None) => {}
                Err(e) => {
                    return Err((format!("the server's {check}"), e.to_string()));
                }
            }
            if Instant::now() >= until {
                return Err((
                    format!("the server's {check} within {}", self.limit(until)),
                    "it is still running".into(),
                ));
            }
            // Waking every tick: nothing but the process says it ended.
            self.pump(until, &mut [], false, true);
        }
    }
}
