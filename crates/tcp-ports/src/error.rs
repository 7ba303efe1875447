//! Errors of network operations: which operation failed, on which address,
//! and CHICKEN's classification (`(exn i/o net)`, `(exn i/o net timeout)`)
//! beside the [`io::ErrorKind`].
//!
//! Every failure of a network operation in this crate is an [`io::Error`]
//! that carries a [`NetworkError`]; its kind is the cause's kind, so
//! `err.kind() == io::ErrorKind::TimedOut` and [`is_timeout`] agree. Bad
//! arguments (a malformed `"host:port"`, a port out of range) are plain
//! `InvalidInput` errors: CHICKEN signals those as type or domain errors,
//! not as network errors.

use std::fmt;
use std::io;
use std::time::Duration;

/// A failed network operation: what was attempted, on which address, and
/// why. It travels inside an [`io::Error`] of the same kind as its cause;
/// reach it with [`NetworkError::find`].
///
/// Scheme: the condition of kind `(exn i/o net)` that CHICKEN's Unit tcp
/// raises (its document says `(exn i/o network)`), and `(exn i/o net
/// timeout)` when [`NetworkError::is_timeout`].
///
/// ```
/// use std::time::Duration;
///
/// let listener = tcp_ports::listen_on("127.0.0.1", 0)?;
/// let config = tcp_ports::TcpConfig::new().with_accept_timeout(Some(Duration::from_millis(10)));
/// let err = listener.accept_with(&config).unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
/// assert!(tcp_ports::is_network_error(&err) && tcp_ports::is_timeout(&err));
/// let net = tcp_ports::NetworkError::find(&err).unwrap();
/// assert_eq!(net.op(), "accept on");
/// assert_eq!(net.target(), listener.local_addr().to_string());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{op} {target}: {source}")]
pub struct NetworkError {
    op: &'static str,
    target: String,
    #[source]
    source: io::Error,
}

impl NetworkError {
    /// What was attempted, as a phrase such as `"connect to"`, `"read from"`,
    /// `"accept on"`.
    ///
    /// Scheme: the `location` of the condition (`'tcp-connect`, …).
    pub fn op(&self) -> &'static str {
        self.op
    }

    /// The address the operation was attempted on, as text: a listener's
    /// or peer's socket address, or a connect target with the addresses tried.
    ///
    /// Scheme: the `arguments` of the condition.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The underlying error, with its OS error code when there is one.
    ///
    /// Scheme: the `message` of the condition (CHICKEN's `strerror` text).
    pub fn cause(&self) -> &io::Error {
        &self.source
    }

    /// Whether the operation ran out of time.
    ///
    /// Scheme: the `timeout` kind of `(exn i/o net timeout)`.
    pub fn is_timeout(&self) -> bool {
        self.source.kind() == io::ErrorKind::TimedOut
    }

    /// The `NetworkError` inside an [`io::Error`] returned by this crate.
    ///
    /// Scheme: `((condition-property-accessor 'exn 'message) c)` and its
    /// kin, on an `(exn i/o net)` condition.
    pub fn find(err: &io::Error) -> Option<&NetworkError> {
        err.get_ref()?.downcast_ref::<NetworkError>()
    }
}

/// Whether `err` is the failure of a network operation of this crate, as
/// opposed to a bad argument.
///
/// Scheme: `((condition-predicate 'net) c)`, i.e. a condition of kind
/// `(exn i/o net)` (`(exn i/o network)` in CHICKEN's document).
pub fn is_network_error(err: &io::Error) -> bool {
    NetworkError::find(err).is_some()
}

/// Whether `err` is a network operation of this crate that ran out of time
/// (its kind is then [`io::ErrorKind::TimedOut`]).
///
/// Scheme: `((condition-predicate 'timeout) c)` on `(exn i/o net timeout)`.
pub fn is_timeout(err: &io::Error) -> bool {
    NetworkError::find(err).is_some_and(NetworkError::is_timeout)
}

/// Wraps `err` as the failure of `op` on `target`, keeping its kind. An
/// error already annotated (here or by netprim) is unwrapped to its cause
/// first, so messages never repeat the address.
pub(crate) fn network_error(
    err: io::Error,
    op: &'static str,
    target: &dyn fmt::Display,
) -> io::Error {
    io::Error::new(
        err.kind(),
        NetworkError {
            op,
            target: target.to_string(),
            source: innermost(err),
        },
    )
}

/// A `TimedOut` network error saying how long `op` on `target` waited.
pub(crate) fn timed_out(op: &'static str, target: &dyn fmt::Display, after: Duration) -> io::Error {
    network_error(
        io::Error::new(
            io::ErrorKind::TimedOut,
            format!("timed out after {after:?}"),
        ),
        op,
        target,
    )
}

/// An `InvalidInput` error whose message quotes the bad value.
pub(crate) fn invalid_input(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg.into())
}

/// The cause under our own or netprim's annotation.
fn innermost(err: io::Error) -> io::Error {
    if NetworkError::find(&err).is_some() {
        if let Some(Ok(net)) = err.into_inner().map(|e| e.downcast::<NetworkError>()) {
            return net.source;
        }
        // Unreachable: checked just above.
        return io::Error::other("network error");
    }
    if let Some(op) = netprim::OpError::find(&err) {
        let cause = op.cause();
        return match cause.raw_os_error() {
            Some(code) => io::Error::from_raw_os_error(code),
            None => io::Error::new(cause.kind(), cause.to_string()),
        };
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_kind_and_names_op_and_target() {
        let err = network_error(
            io::Error::from(io::ErrorKind::ConnectionReset),
            "read from",
            &"127.0.0.1:9",
        );
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
        assert!(is_network_error(&err) && !is_timeout(&err));
        assert!(err.to_string().starts_with("read from 127.0.0.1:9: "));
    }

    #[test]
    fn unwraps_earlier_annotations() {
        let inner = netprim::annotate(
            io::Error::from_raw_os_error(111),
            "connect to",
            &"127.0.0.1:9",
        );
        let err = network_error(inner, "connect to", &"localhost:9");
        let net = NetworkError::find(&err).unwrap();
        assert_eq!(net.cause().raw_os_error(), Some(111));
        let again = network_error(err, "connect to", &"x:1");
        assert_eq!(
            again.to_string(),
            format!("connect to x:1: {}", io::Error::from_raw_os_error(111))
        );
    }

    #[test]
    fn timeouts_say_how_long() {
        let err = timed_out("read from", &"[::1]:7", Duration::from_millis(250));
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(is_timeout(&err));
        assert_eq!(err.to_string(), "read from [::1]:7: timed out after 250ms");
    }

    #[test]
    fn bad_arguments_are_not_network_errors() {
        let err = invalid_input("port \"x\"");
        assert!(!is_network_error(&err) && !is_timeout(&err));
        assert!(!is_timeout(&io::Error::from(io::ErrorKind::TimedOut)));
    }
}
