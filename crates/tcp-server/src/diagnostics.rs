//! Diagnostics: the egg's optional argument of the server procedure (a
//! prefix string, or `#t` for a default prefix) turns on one line on
//! standard error per accepted connection, per finished connection and per
//! error. The same events always go to `tracing`, inside one span per
//! connection, for applications that install a subscriber.
//!
//! Shared with `tcp-server-async`: same prefix rules, same lines, same span.

use std::fmt;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tracing::Span;

use crate::Outcome;

/// The prefix `--diagnostics` with no value (the egg's `#t`) gives.
///
/// Scheme: the egg's default prefix for `#t`.
pub const DEFAULT_PREFIX: &str = "tcp-server";

/// Where the diagnostic lines go, if anywhere, and with which prefix.
///
/// ```
/// use tcp_server::Diagnostics;
///
/// assert!(!Diagnostics::from_arg(None).is_on());                  // no argument
/// assert_eq!(Diagnostics::from_arg(Some("yes")).prefix(), Some("tcp-server")); // #t
/// assert_eq!(Diagnostics::from_arg(Some("web")).prefix(), Some("web"));        // "web"
/// ```
///
/// Lines look like `PREFIX: #7 accepted from 127.0.0.1:50312`,
/// `PREFIX: #7 served in 1.2ms`, `PREFIX: #7 failed after 3ms: read from
/// 127.0.0.1:50312: timed out after 60s`, `PREFIX: accept error: …`.
///
/// Scheme: the optional argument of the procedure `make-tcp-server`
/// returns (`#f`, `#t` or a prefix string).
#[derive(Clone, Default)]
#[doc(alias = "make-tcp-server")]
pub struct Diagnostics {
    prefix: Option<Arc<str>>,
    sink: Option<Arc<Mutex<dyn Write + Send>>>,
}

impl Diagnostics {
    /// No lines on standard error (tracing events still happen).
    ///
    /// Scheme: `#f` (or no argument).
    pub fn off() -> Diagnostics {
        Diagnostics::default()
    }

    /// Lines on standard error, each starting with `prefix: `.
    ///
    /// Scheme: a string argument.
    pub fn with_prefix(prefix: impl Into<String>) -> Diagnostics {
        Diagnostics {
            prefix: Some(Arc::from(prefix.into())),
            sink: None,
        }
    }

    /// The argument as the examples' `--diagnostics [PREFIX]` gives it:
    /// `None` is off, `"yes"` (or an empty string) the default prefix
    /// [`DEFAULT_PREFIX`], anything else that prefix.
    ///
    /// Scheme: `#f`, `#t` and a string.
    pub fn from_arg(arg: Option<&str>) -> Diagnostics {
        match arg {
            None => Diagnostics::off(),
            Some("yes" | "") => Diagnostics::with_prefix(DEFAULT_PREFIX),
            Some(prefix) => Diagnostics::with_prefix(prefix),
        }
    }

    /// The same lines, written to `sink` instead of standard error (a log
    /// file, or a buffer in a test). Each line is written whole, under the
    /// sink's lock.
    ///
    /// Scheme: none (the egg writes to `(current-error-port)`).
    pub fn to_writer(mut self, sink: Arc<Mutex<dyn Write + Send>>) -> Diagnostics {
        self.sink = Some(sink);
        self
    }

    /// Whether lines are written.
    ///
    /// Scheme: none.
    pub fn is_on(&self) -> bool {
        self.prefix.is_some()
    }

    /// The prefix of the lines, when they are written.
    ///
    /// Scheme: none.
    pub fn prefix(&self) -> Option<&str> {
        self.prefix.as_deref()
    }

    /// Writes `PREFIX: message` as one line, if diagnostics are on. A line
    /// that cannot be written is dropped: diagnostics never fail a server.
    ///
    /// Scheme: none.
    pub fn line(&self, message: fmt::Arguments<'_>) {
        let Some(prefix) = &self.prefix else { return };
        // Formatted first, so that the line goes out in one write and lines
        // of concurrent connections never interleave.
        let text = format!("{prefix}: {message}\n");
        match &self.sink {
            Some(sink) => {
                let mut sink = sink.lock().unwrap_or_else(PoisonError::into_inner);
                let _ = sink.write_all(text.as_bytes());
                let _ = sink.flush();
            }
            None => {
                let _ = io::stderr().lock().write_all(text.as_bytes());
            }
        }
    }

    /// A connection was accepted.
    ///
    /// Scheme: none.
    pub fn accepted(&self, id: u64, peer: SocketAddr) {
        tracing::debug!(target: "tcp_server", "accepted");
        self.line(format_args!("#{id} accepted from {peer}"));
    }

    /// A connection ended with `outcome` after `elapsed`; `error` says why
    /// when it was not served. Also records the outcome and duration in the
    /// connection's span.
    ///
    /// Scheme: none.
    pub fn finished(
        &self,
        span: &Span,
        id: u64,
        outcome: Outcome,
        elapsed: Duration,
        error: Option<&dyn fmt::Display>,
    ) {
        span.record("outcome", outcome.as_str());
        span.record("duration_ms", elapsed.as_secs_f64() * 1e3);
        match error {
            None => {
                tracing::debug!(target: "tcp_server", %outcome, ?elapsed, "finished");
                self.line(format_args!("#{id} {outcome} in {elapsed:.1?}"));
            }
            Some(error) => {
                tracing::warn!(target: "tcp_server", %outcome, ?elapsed, %error, "finished");
                self.line(format_args!("#{id} {outcome} after {elapsed:.1?}: {error}"));
            }
        }
    }

    /// An error that is not one connection's: of accept, of starting a
    /// thread, of the server itself.
    ///
    /// Scheme: none.
    pub fn error(&self, what: &str, error: &dyn fmt::Display) {
        tracing::warn!(target: "tcp_server", %error, "{what}");
        self.line(format_args!("{what}: {error}"));
    }

    /// A notice about the server as a whole (stopping, its summary).
    ///
    /// Scheme: none.
    pub fn notice(&self, message: fmt::Arguments<'_>) {
        tracing::info!(target: "tcp_server", "{message}");
        self.line(message);
    }
}

/// The span of one connection: `tcp_server.connection` with its `id` and
/// `peer`; `outcome` and `duration_ms` are recorded when it ends
/// ([`Diagnostics::finished`]). Enter it (threads) or instrument the
/// connection's future with it (async).
///
/// Scheme: none.
pub fn connection_span(id: u64, peer: SocketAddr) -> Span {
    tracing::info_span!(
        target: "tcp_server",
        "tcp_server.connection",
        id,
        peer = %peer,
        outcome = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    )
}

impl fmt::Debug for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Diagnostics")
            .field("prefix", &self.prefix)
            .field("to_writer", &self.sink.is_some())
            .finish()
    }
}
