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
/// cause; reach it with [`OpError::find`].
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
#[derive(Debug, thiserror::Error)]
#[error("{op} {target}: {source}")]
pub struct OpError {
    op: &'static str,
    target: String,
    #[source]
    source: io::Error,
}

impl OpError {
    /// What was attempted, as a phrase such as `"connect to"` or `"bind to"`.
    pub fn op(&self) -> &'static str {
        self.op
    }

    /// The address (or other target) the operation was attempted on, as text.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The underlying error, with its OS error code when there is one.
    pub fn cause(&self) -> &io::Error {
        &self.source
    }

    /// Finds the `OpError` inside an [`io::Error`] made by [`annotate`].
    pub fn find(err: &io::Error) -> Option<&OpError> {
        err.get_ref()?.downcast_ref::<OpError>()
    }
}

/// Wraps `err` so that its message names `op` and `target`; the kind is kept.
///
/// Annotating an already annotated error keeps the innermost cause, so the
/// message does not repeat itself.
pub fn annotate(err: io::Error, op: &'static str, target: &dyn fmt::Display) -> io::Error {
    let kind = err.kind();
    let source = match err.get_ref().and_then(|e| e.downcast_ref::<OpError>()) {
        Some(_) => match err.into_inner().map(|e| e.downcast::<OpError>()) {
            Some(Ok(inner)) => inner.source,
            // Unreachable: checked just above; fall back to a plain error.
            _ => io::Error::from(kind),
        },
        None => err,
    };
    io::Error::new(
        kind,
        OpError {
            op,
            target: target.to_string(),
            source,
        },
    )
}

/// An `InvalidInput` error whose message quotes the bad value.
pub(crate) fn invalid_input(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg.into())
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
    }
}
