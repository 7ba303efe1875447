//! How the example programs start and end: the announcement scripts wait
//! for, one-line failures with status 1, and a clean exit on SIGINT/SIGTERM.

use std::fmt::Display;
use std::io::Write;

/// Prints `listening on ADDR` as the first line of stdout and flushes it, so
/// that a script that started the server with `--port 0` can read the port.
pub fn announce(addr: impl Display) {
    let mut out = std::io::stdout().lock();
    // If stdout is gone there is nobody to tell; the server still serves.
    let _ = writeln!(out, "listening on {addr}");
    let _ = out.flush();
}

/// Makes SIGINT and SIGTERM end the process with status 0 after flushing
/// stdout, instead of the default abrupt death by signal.
///
/// Call it before [`announce`], so that a signal sent as soon as the
/// announcement is read finds the handler in place.
pub fn exit_cleanly_on_signals() {
    exit_cleanly_on_signals_then(|| {});
}

/// [`exit_cleanly_on_signals`], running `cleanup` (e.g. removing a Unix
/// socket file) before the exit.
///
/// If the handler cannot be registered (only for forbidden signals, not
/// these two) a warning goes to stderr and the default action stays.
pub fn exit_cleanly_on_signals_then(cleanup: impl FnOnce() + Send + 'static) {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = match signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("warning: cannot handle SIGINT/SIGTERM: {e}");
            return;
        }
    };
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            cleanup();
            let _ = std::io::stdout().flush();
            std::process::exit(0);
        }
    });
}

/// Ends the program with a one-line message on stderr and status 1 when a
/// result is an error: the examples' rule for connection failures (no
/// panics, no backtraces).
pub trait ExitOnError<T> {
    /// The value, or exit 1 printing `context: error`.
    fn or_exit(self, context: impl Display) -> T;
}

impl<T, E: Display> ExitOnError<T> for Result<T, E> {
    fn or_exit(self, context: impl Display) -> T {
        match self {
            Ok(v) => v,
            Err(e) => {
                let _ = std::io::stdout().flush();
                eprintln!("{}", failure_line(&context, &e));
                std::process::exit(1);
            }
        }
    }
}

/// `context: error`, or the error alone when it names the same operation
/// already (the layers' network errors read `read from ADDR: …`), so the
/// line never says it twice.
fn failure_line(context: &dyn Display, error: &dyn Display) -> String {
    let (context, error) = (context.to_string(), error.to_string());
    match error.starts_with(&context) {
        true => error,
        false => format!("{context}: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::failure_line;

    #[test]
    fn a_failure_line_does_not_repeat_its_context() {
        let err = "read from 127.0.0.1:7: Connection reset by peer";
        assert_eq!(failure_line(&"read from 127.0.0.1:7", &err), err);
        assert_eq!(
            failure_line(&"cannot connect", &"refused"),
            "cannot connect: refused"
        );
    }
}
