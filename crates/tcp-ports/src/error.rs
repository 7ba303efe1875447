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
//!
//! [`NetworkError`] is netprim's [`netprim::OpError`] under CHICKEN's name:
//! one type for both layers, so an error netprim annotated and this crate
//! annotates again keeps its original cause, OS error code included.

use std::fmt;
use std::io;
use std::time::Duration;

/// A failed network operation: what was attempted, on which address, and
/// why. It travels inside an [`io::Error`] of the same kind as its cause;
/// reach it with [`NetworkError::find`]. (It is netprim's `OpError`.)
///
/// Scheme: the condition of kind `(exn i/o net)` that CHICKEN's Unit tcp
/// raises (its document says (exn i/o network)), and (exn i/o net timeout)
/// when [`NetworkError::is_timeout`].
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
#[doc(inline)]
#[doc(alias = "exn")]
pub use netprim::OpError as NetworkError;

/// Whether `err` is the failure of a network operation, as opposed to a bad
/// argument.
///
/// Scheme: `((condition-predicate 'net) c)`, i.e. a condition of kind
/// (exn i/o net) ((exn i/o network) in CHICKEN's document).
#[doc(alias = "condition-predicate")]
pub fn is_network_error(err: &io::Error) -> bool {
    NetworkError::find(err).is_some()
}

/// Whether `err` is a network operation that ran out of time (its kind is
/// then [`io::ErrorKind::TimedOut`]).
///
/// Scheme: `((condition-predicate 'timeout) c)` on (exn i/o net timeout).
#[doc(alias = "condition-predicate")]
pub fn is_timeout(err: &io::Error) -> bool {
    NetworkError::find(err).is_some_and(NetworkError::is_timeout)
}

/// The operation a read reports in its errors: `read from ADDR: …`.
///
/// Scheme: none.
pub const READ_OP: &str = "read from";

/// The operation a write reports in its errors: `write to ADDR: …`.
///
/// Scheme: none.
pub const WRITE_OP: &str = "write to";

/// Whether `err` is a read that ran out of time or met its deadline: the
/// peer went silent, or dripped too slowly. A server closes such a
/// connection normally (nothing it wrote was cut off), where a failed write
/// calls for a reset.
///
/// Scheme: `(exn i/o net timeout)` raised by a read.
#[doc(alias = "exn")]
pub fn is_read_timeout(err: &io::Error) -> bool {
    NetworkError::find(err).is_some_and(|e| e.is_timeout() && e.op() == READ_OP)
}

/// The failure of the network operation `op` (such as [`READ_OP`]) on
/// `target`, as this crate reports it: an [`io::Error`] of `err`'s kind
/// carrying a [`NetworkError`]. An error already annotated keeps its
/// innermost cause, so messages never repeat the address. For layers above
/// that do their own I/O (the async server) and report the same way.
///
/// ```
/// use std::io;
///
/// let err = tcp_ports::network_error(
///     io::Error::new(io::ErrorKind::TimedOut, "timed out after 5s"),
///     tcp_ports::READ_OP,
///     &"127.0.0.1:7",
/// );
/// assert!(tcp_ports::is_read_timeout(&err));
/// assert_eq!(err.to_string(), "read from 127.0.0.1:7: timed out after 5s");
/// ```
///
/// Scheme: the `(exn i/o net)` condition.
#[doc(alias = "exn")]
pub fn network_error(err: io::Error, op: &'static str, target: &dyn fmt::Display) -> io::Error {
    netprim::annotate(err, op, target)
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

/// The longest text, in characters, that error messages quote whole.
const QUOTE_LIMIT: usize = 64;

/// `text` quoted as `{:?}` does, cut after [`QUOTE_LIMIT`] characters with
/// `…` and its full length, so a hostile 400 KB host name does not become a
/// 400 KB message.
pub(crate) fn quoted(text: &str) -> String {
    match text.char_indices().nth(QUOTE_LIMIT) {
        None => format!("{text:?}"),
        Some((cut, _)) => format!("{:?}… ({} bytes)", &text[..cut], text.len()),
    }
}

/// `text` as is, or cut like [`quoted`] (without quotes), for an address
/// or host in the target of a [`NetworkError`].
pub(crate) fn shortened(text: &str) -> String {
    match text.char_indices().nth(QUOTE_LIMIT) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}… ({} bytes)", &text[..cut], text.len()),
    }
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
    fn a_cause_without_an_os_code_is_kept_itself_not_its_text() {
        // Before netprim's and this crate's errors were one type, a cause
        // without an OS code came back as a new error holding its text.
        #[derive(Debug, thiserror::Error)]
        #[error("custom")]
        struct Custom;
        let inner = netprim::annotate(io::Error::other(Custom), "look up", &"h");
        let err = network_error(inner, "look up", &"h");
        let cause = NetworkError::find(&err).unwrap().cause();
        assert!(cause.get_ref().unwrap().downcast_ref::<Custom>().is_some());
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

    #[test]
    fn long_values_are_cut() {
        let host = "h".repeat(400_000);
        assert!(quoted(&host).len() < 100);
        assert!(shortened(&host).len() < 100);
        assert_eq!(shortened("localhost"), "localhost");
        assert_eq!(quoted("localhost"), "\"localhost\"");
    }
}
