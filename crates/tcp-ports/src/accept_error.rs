//! One accept-error policy for every server built on these ports: which
//! errors concern one connection, which mean the process ran out of
//! something, and which mean the listener is broken.

use std::io;
use std::time::Duration;

/// What an error of `accept` means for a server's accept loop.
///
/// Scheme: none (the `tcp-server` egg ends on any accept error; this is the
/// fix).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AcceptErrorClass {
    /// It concerns one connection only (reset or aborted before it was
    /// accepted, a protocol error, an interrupted call, an accept timeout):
    /// accept again at once.
    PerConnection,
    /// The process or system ran out of descriptors or memory (`EMFILE`,
    /// `ENFILE`, `ENOBUFS`, `ENOMEM`): pause ([`AcceptBackoff`]) and try
    /// again; connections that close free what is missing. Never a reason
    /// to spin or to give up.
    ResourceExhausted,
    /// The listener itself is unusable (not listening, a bad descriptor,
    /// …): stop serving and report it.
    Fatal,
}

/// Classifies an error returned by [`crate::TcpListener::accept`] (or any
/// `accept(2)`, std's and tokio's included).
///
/// ```
/// use std::io;
/// use tcp_ports::{AcceptErrorClass, classify_accept_error};
///
/// let emfile = io::Error::from_raw_os_error(24);
/// assert_eq!(classify_accept_error(&emfile), AcceptErrorClass::ResourceExhausted);
/// let reset = io::Error::from(io::ErrorKind::ConnectionAborted);
/// assert_eq!(classify_accept_error(&reset), AcceptErrorClass::PerConnection);
/// let broken = io::Error::from(io::ErrorKind::InvalidInput);
/// assert_eq!(classify_accept_error(&broken), AcceptErrorClass::Fatal);
/// ```
///
/// Scheme: none.
pub fn classify_accept_error(err: &io::Error) -> AcceptErrorClass {
    use io::ErrorKind::*;
    // By OS code first: the kinds of EMFILE and ENFILE are not stable.
    let cause = crate::NetworkError::find(err).map_or(err, |n| n.cause());
    if let Some(code) = cause.raw_os_error() {
        match code {
            netprim::errno::EMFILE
            | netprim::errno::ENFILE
            | netprim::errno::ENOBUFS
            | netprim::errno::ENOMEM => return AcceptErrorClass::ResourceExhausted,
            netprim::errno::EPROTO
            | netprim::errno::EPERM
            | netprim::errno::ENETDOWN
            | netprim::errno::ENOPROTOOPT
            | netprim::errno::EHOSTDOWN
            | netprim::errno::EHOSTUNREACH
            | netprim::errno::EOPNOTSUPP
            | netprim::errno::ENETUNREACH => return AcceptErrorClass::PerConnection,
            _ => {}
        }
    }
    match cause.kind() {
        ConnectionAborted | ConnectionReset | ConnectionRefused | Interrupted | WouldBlock
        | TimedOut => AcceptErrorClass::PerConnection,
        OutOfMemory => AcceptErrorClass::ResourceExhausted,
        _ => AcceptErrorClass::Fatal,
    }
}

/// The pause after each [`AcceptErrorClass::ResourceExhausted`] error in a
/// row: 5 ms, doubling up to 1 s, back to 5 ms after a successful accept.
/// Short enough to serve again soon after descriptors free up, long enough
/// that a starved server costs next to no CPU; a server should also wake
/// early when one of its own connections closes.
///
/// ```
/// use std::time::Duration;
/// use tcp_ports::AcceptBackoff;
///
/// let mut backoff = AcceptBackoff::new();
/// assert_eq!(backoff.next_delay(), Duration::from_millis(5));
/// assert_eq!(backoff.next_delay(), Duration::from_millis(10));
/// for _ in 0..20 {
///     assert!(backoff.next_delay() <= AcceptBackoff::MAX);
/// }
/// backoff.reset();
/// assert_eq!(backoff.next_delay(), AcceptBackoff::MIN);
/// ```
///
/// Scheme: none.
#[derive(Debug, Clone, Default)]
pub struct AcceptBackoff {
    errors: u32,
}

impl AcceptBackoff {
    /// The first pause.
    pub const MIN: Duration = Duration::from_millis(5);
    /// The longest pause.
    pub const MAX: Duration = Duration::from_secs(1);

    /// A backoff with no error seen yet.
    pub fn new() -> AcceptBackoff {
        AcceptBackoff::default()
    }

    /// The pause before the next accept, after one more error.
    pub fn next_delay(&mut self) -> Duration {
        let delay = Self::MIN
            .checked_mul(1 << self.errors.min(16))
            .map_or(Self::MAX, |d| d.min(Self::MAX));
        self.errors = self.errors.saturating_add(1);
        delay
    }

    /// How many errors in a row it has seen since the last reset.
    pub fn errors(&self) -> u32 {
        self.errors
    }

    /// Back to the first pause: call after a successful accept.
    pub fn reset(&mut self) {
        self.errors = 0;
    }
}
