//! The configuration of connections: CHICKEN's four timeout parameters and
//! `tcp-buffer-size`, as one value.

use std::io;
use std::time::Duration;

use crate::error::invalid_input;

/// The default read timeout: one minute, as CHICKEN's `tcp-read-timeout`.
///
/// Scheme: the default value of `tcp-read-timeout` (60000).
#[doc(alias = "tcp-read-timeout")]
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// The default write timeout: one minute, as CHICKEN's `tcp-write-timeout`.
///
/// Scheme: the default value of `tcp-write-timeout` (60000).
#[doc(alias = "tcp-write-timeout")]
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// The largest output buffer a port may ask for (64 MiB): the buffer is
/// allocated when the port is made, so an absurd size is refused as
/// `InvalidInput` instead of exhausting memory.
///
/// Scheme: none (CHICKEN sets no limit on `tcp-buffer-size`).
pub const MAX_BUFFER_SIZE: usize = 64 << 20;

/// How connections are made and used: the timeouts of accept, connect,
/// read and write, and the size of the output buffer.
///
/// A port takes its read and write timeouts and its buffer size from the
/// configuration in force when it is made (by [`crate::connect_with`],
/// [`crate::TcpListener::accept_with`], or their shortcuts, which use
/// [`TcpConfig::current`]); changing the configuration later does not affect
/// ports already made, but each port's timeouts can be changed on the port
/// ([`crate::TcpReader::set_read_timeout`],
/// [`crate::TcpWriter::set_write_timeout`]).
///
/// What a timeout means, for every operation:
///
/// - `None`: no limit; the operation waits as long as it takes.
/// - `Some(d)`: each wait of the operation (for a connection to accept, for
///   a connect to complete, for data to read, for room to write) lasts at
///   most `d`; then the operation fails with
///   [`std::io::ErrorKind::TimedOut`], naming the operation, the address and
///   `d`.
/// - `Some(Duration::ZERO)`: do not wait at all. The operation succeeds if
///   it can complete at once (data already received, a connection already
///   pending, room in the send buffer) and fails with `TimedOut` otherwise.
///   It never means "no limit". A connect needs a round trip, so with zero
///   it practically always times out.
///
/// The defaults are CHICKEN's, spelled out:
///
/// ```
/// use std::time::Duration;
/// use tcp_ports::TcpConfig;
///
/// let config = TcpConfig::new();
/// assert_eq!(config, TcpConfig::default());
/// assert_eq!(config.read_timeout, Some(Duration::from_secs(60)));
/// assert_eq!(config.write_timeout, Some(Duration::from_secs(60)));
/// assert_eq!(config.connect_timeout, None);
/// assert_eq!(config.accept_timeout, None);
/// assert_eq!(config.buffer_size, 0); // every write is sent at once
/// ```
///
/// Set fields directly or chain the `with_*` methods:
///
/// ```
/// use std::time::Duration;
/// use tcp_ports::TcpConfig;
///
/// let config = TcpConfig::new()
///     .with_connect_timeout(Some(Duration::from_secs(5)))
///     .with_buffer_size(8192);
/// let mut same = TcpConfig::new();
/// same.connect_timeout = Some(Duration::from_secs(5));
/// same.buffer_size = 8192;
/// assert_eq!(config, same);
/// ```
///
/// Scheme: the parameters `tcp-read-timeout`, `tcp-write-timeout`,
/// `tcp-connect-timeout`, `tcp-accept-timeout` and `tcp-buffer-size`
/// (milliseconds become [`Duration`]s, `#f` becomes [`None`]).
#[doc(alias(
    "tcp-read-timeout",
    "tcp-write-timeout",
    "tcp-connect-timeout",
    "tcp-accept-timeout",
    "tcp-buffer-size"
))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TcpConfig {
    /// How long a read waits for data. Default: [`DEFAULT_READ_TIMEOUT`].
    ///
    /// Scheme: `tcp-read-timeout`.
    #[doc(alias = "tcp-read-timeout")]
    pub read_timeout: Option<Duration>,
    /// How long a write (or flush) waits for room in the send buffer.
    /// Default: [`DEFAULT_WRITE_TIMEOUT`].
    ///
    /// Scheme: `tcp-write-timeout`.
    #[doc(alias = "tcp-write-timeout")]
    pub write_timeout: Option<Duration>,
    /// How long a connect may take in all, over every address the host
    /// resolves to. Default: `None`.
    ///
    /// Scheme: `tcp-connect-timeout`.
    #[doc(alias = "tcp-connect-timeout")]
    pub connect_timeout: Option<Duration>,
    /// How long an accept waits for a connection. Default: `None`.
    ///
    /// Scheme: `tcp-accept-timeout`.
    #[doc(alias = "tcp-accept-timeout")]
    pub accept_timeout: Option<Duration>,
    /// The output buffer of a writer, in bytes; 0 (the default) sends every
    /// write at once. With a buffer, writes are sent when it fills, on
    /// [`std::io::Write::flush`], and on close; at most [`MAX_BUFFER_SIZE`].
    ///
    /// Scheme: `tcp-buffer-size` (`#f` or 0: no buffering).
    #[doc(alias = "tcp-buffer-size")]
    pub buffer_size: usize,
}

impl TcpConfig {
    /// The defaults (CHICKEN's): read and write timeouts of 60 s, no connect
    /// or accept timeout, no output buffering.
    ///
    /// Scheme: the parameters' initial values.
    pub const fn new() -> TcpConfig {
        TcpConfig {
            read_timeout: Some(DEFAULT_READ_TIMEOUT),
            write_timeout: Some(DEFAULT_WRITE_TIMEOUT),
            connect_timeout: None,
            accept_timeout: None,
            buffer_size: 0,
        }
    }

    /// This configuration with `read_timeout` set.
    ///
    /// Scheme: `(tcp-read-timeout MS)`.
    #[must_use]
    #[doc(alias = "tcp-read-timeout")]
    pub const fn with_read_timeout(mut self, timeout: Option<Duration>) -> TcpConfig {
        self.read_timeout = timeout;
        self
    }

    /// This configuration with `write_timeout` set.
    ///
    /// Scheme: `(tcp-write-timeout MS)`.
    #[must_use]
    #[doc(alias = "tcp-write-timeout")]
    pub const fn with_write_timeout(mut self, timeout: Option<Duration>) -> TcpConfig {
        self.write_timeout = timeout;
        self
    }

    /// This configuration with `connect_timeout` set.
    ///
    /// Scheme: `(tcp-connect-timeout MS)`.
    #[must_use]
    #[doc(alias = "tcp-connect-timeout")]
    pub const fn with_connect_timeout(mut self, timeout: Option<Duration>) -> TcpConfig {
        self.connect_timeout = timeout;
        self
    }

    /// This configuration with `accept_timeout` set.
    ///
    /// Scheme: `(tcp-accept-timeout MS)`.
    #[must_use]
    #[doc(alias = "tcp-accept-timeout")]
    pub const fn with_accept_timeout(mut self, timeout: Option<Duration>) -> TcpConfig {
        self.accept_timeout = timeout;
        self
    }

    /// This configuration with `buffer_size` set (0: no buffering).
    ///
    /// Scheme: `(tcp-buffer-size N)`.
    #[must_use]
    #[doc(alias = "tcp-buffer-size")]
    pub const fn with_buffer_size(mut self, bytes: usize) -> TcpConfig {
        self.buffer_size = bytes;
        self
    }

    /// Checks what cannot be checked by the types, before any socket is made.
    pub(crate) fn validate(&self) -> io::Result<()> {
        if self.buffer_size > MAX_BUFFER_SIZE {
            return Err(invalid_input(format!(
                "buffer size {} is larger than the maximum of {MAX_BUFFER_SIZE} bytes",
                self.buffer_size
            )));
        }
        Ok(())
    }
}

impl Default for TcpConfig {
    /// [`TcpConfig::new`]: CHICKEN's defaults.
    fn default() -> TcpConfig {
        TcpConfig::new()
    }
}
