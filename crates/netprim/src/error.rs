//! Errors that say which operation failed and on which address.
//!
//! Every fallible call returns [`std::io::Error`], so `?` and
//! [`io::ErrorKind`] work as with std. Where an address is involved
//! (bind, connect, sendto, …) the error wraps an [`OpError`] that names the
//! operation and the address, while keeping the original kind and OS error.

use std::fmt;
use std::io;

/// An I/O error with the operation and the address it was attempted on.
///
/// It is carried inside an [`io::Error`] of the same [`io::ErrorKind`] as the
/// cause; reach it with [`OpError::find`]. tcp-ports re-exports it as
/// `NetworkError`: one type for every layer, so an error annotated by one
/// layer and again by the next keeps its original cause (OS error code
/// included) instead of a copy of its text.
///
/// Scheme: Guile's `system-error`, SCM's `#f` result; CHICKEN's condition
/// of kind `(exn i/o net)`, with timeout when [`OpError::is_timeout`].
///
/// ```
/// use std::io;
/// use netprim::{OpError, SockAddr};
///
/// let err = netprim::annotate(
///     io::Error::from(io::ErrorKind::ConnectionRefused),
///     "connect to",
///     &SockAddr::from(([127, 0, 0, 1], 9)),
/// );
/// assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
/// assert_eq!(OpError::find(&err).unwrap().op(), "connect to");
/// assert!(err.to_string().starts_with("connect to 127.0.0.1:9: "));
/// ```
#[doc(alias("system-error", "exn"))]
#[derive(Debug, thiserror::Error)]
#[error("{op} {target}: {source}")]
pub struct OpError {
    op: &'static str,
    target: String,
    #[source]
    source: io::Error,
}

impl OpError {
    /// What was attempted, as a phrase such as `"connect to"`, `"bind to"`,
    /// `"read from"`, `"accept on"`.
    ///
    /// Scheme: the `location` property of a CHICKEN condition (such as
    /// 'tcp-connect).
    #[doc(alias = "location")]
    pub fn op(&self) -> &'static str {
        self.op
    }

    /// The address (or other target) the operation was attempted on, as
    /// text: a socket address, or a connect target with the addresses tried.
    ///
    /// Scheme: the `arguments` of a CHICKEN condition.
    #[doc(alias = "arguments")]
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The underlying error, with its OS error code when there is one.
    ///
    /// Scheme: the `message` of a CHICKEN condition (the `strerror` text).
    #[doc(alias = "strerror")]
    #[doc(alias = "message")]
    pub fn cause(&self) -> &io::Error {
        &self.source
    }

    /// Whether the operation ran out of time (the cause's kind is
    /// [`io::ErrorKind::TimedOut`]).
    ///
    /// Scheme: the `timeout` kind of a CHICKEN condition, as in (exn i/o
    /// net timeout).
    #[doc(alias = "timeout")]
    pub fn is_timeout(&self) -> bool {
        self.source.kind() == io::ErrorKind::TimedOut
    }

    /// Finds the `OpError` inside an [`io::Error`] made by [`annotate`].
    ///
    /// Scheme: `((condition-property-accessor 'exn 'message) c)` and its
    /// kin, on a CHICKEN `(exn i/o net)` condition.
    #[doc(alias = "exn")]
    #[doc(alias = "condition-property-accessor")]
    pub fn find(err: &io::Error) -> Option<&OpError> {
        err.get_ref()?.downcast_ref::<OpError>()
    }
}

/// Wraps `err` so that its message names `op` and `target`; the kind is kept.
///
/// Annotating an already annotated error replaces the annotation and keeps
/// the innermost cause itself (not a copy of its text), so the message does
/// not repeat itself and the OS error code survives.
///
/// Scheme: none (what a Scheme condition's `location` and `arguments` hold).
pub fn annotate(err: io::Error, op: &'static str, target: &dyn fmt::Display) -> io::Error {
    io::Error::new(
        err.kind(),
        OpError {
            op,
            target: target.to_string(),
            source: innermost(err),
        },
    )
}

/// The cause under any number of annotations.
fn innermost(err: io::Error) -> io::Error {
    if OpError::find(&err).is_none() {
        return err;
    }
    let kind = err.kind();
    match err.into_inner().map(|e| e.downcast::<OpError>()) {
        // `annotate` never nests, but an `OpError` made elsewhere might.
        Some(Ok(inner)) => innermost(inner.source),
        // Unreachable: checked just above; keep at least the kind.
        _ => io::Error::from(kind),
    }
}

/// An `InvalidInput` error whose message quotes the bad value.
pub(crate) fn invalid_input(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg.into())
}

/// The longest text, in characters, that error messages quote whole.
const QUOTE_LIMIT: usize = 64;

/// `text` quoted as `{:?}` does, cut after [`QUOTE_LIMIT`] characters with
/// `…` and its full length, so a hostile 400 KB value does not become a
/// 400 KB message.
pub(crate) fn quoted(text: &str) -> String {
    match text.char_indices().nth(QUOTE_LIMIT) {
        None => format!("{text:?}"),
        Some((cut, _)) => format!("{:?}… ({} bytes)", &text[..cut], text.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotate_keeps_kind_and_os_error() {
        let err = annotate(
            io::Error::from_raw_os_error(libc::ECONNREFUSED),
            "connect to",
            &"127.0.0.1:9",
        );
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
        let op = OpError::find(&err).expect("annotated");
        assert_eq!(op.target(), "127.0.0.1:9");
        assert_eq!(op.cause().raw_os_error(), Some(libc::ECONNREFUSED));
    }

    #[test]
    fn annotate_twice_keeps_innermost_cause() {
        let once = annotate(io::Error::from(io::ErrorKind::TimedOut), "a", &"x");
        let twice = annotate(once, "b", &"y");
        assert_eq!(twice.kind(), io::ErrorKind::TimedOut);
        assert_eq!(
            twice.to_string(),
            format!("b y: {}", io::Error::from(io::ErrorKind::TimedOut))
        );
        assert!(OpError::find(&twice).unwrap().is_timeout());
    }

    #[test]
    fn annotating_again_keeps_the_cause_itself() {
        let once = annotate(
            io::Error::from_raw_os_error(libc::ECONNRESET),
            "read from",
            &"x",
        );
        let twice = annotate(once, "read from", &"y");
        let op = OpError::find(&twice).unwrap();
        assert_eq!(op.cause().raw_os_error(), Some(libc::ECONNRESET));
        assert_eq!(twice.to_string().matches("read from").count(), 1, "{twice}");
    }

    #[test]
    fn long_values_are_quoted_cut() {
        assert_eq!(quoted("a\"b"), r#""a\"b""#);
        let long = "h".repeat(400_000);
        let q = quoted(&long);
        assert!(q.len() < 100, "{q}");
        assert!(q.ends_with("… (400000 bytes)"), "{q}");
        let exact = "é".repeat(QUOTE_LIMIT);
        assert_eq!(quoted(&exact), format!("{exact:?}"));
    }
}
