//! Starting a connection without waiting for it. On stable Rust the
//! "in progress" answer of a non-blocking `connect(2)` (`EINPROGRESS`) has no
//! `io::ErrorKind`, so layers above cannot tell it from a failure without
//! libc; this names it once, here.

use std::io;

use crate::error::annotate;
use crate::{SockAddr, Socket};

impl Socket {
    /// Starts connecting a non-blocking socket to `addr` (`connect(2)`) and
    /// returns at once: `Ok(true)` if the connection was made at once,
    /// `Ok(false)` if it is in progress (`EINPROGRESS`, or `EINTR`, after
    /// which the kernel carries on). Wait for it with [`crate::wait_writable`]
    /// and read its outcome with [`Socket::take_error`].
    ///
    /// On a blocking socket this is [`Socket::connect`] returning `Ok(true)`.
    ///
    /// Scheme: the `connect` of a non-blocking socket (Guile's `connect`
    /// after `(fcntl sock F_SETFL O_NONBLOCK)`); the basis of CHICKEN's
    /// `tcp-connect-timeout`.
    ///
    /// ```
    /// use netprim::{wait_writable, Domain, Socket, Type};
    /// use std::time::Duration;
    ///
    /// let listener = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    /// listener.bind(&"127.0.0.1:0".parse()?)?;
    /// listener.listen(1)?;
    /// let s = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    /// s.set_nonblocking(true)?;
    /// if !s.start_connect(&listener.local_addr()?)? {
    ///     assert!(wait_writable(&s, Some(Duration::from_secs(5)))?);
    ///     assert!(s.take_error()?.is_none());
    /// }
    /// assert_eq!(s.peer_addr()?, listener.local_addr()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Failures known at once (`ConnectionRefused`, `AddrNotAvailable`,
    /// `NetworkUnreachable`, `EAFNOSUPPORT` for an address of another family);
    /// the error names the address.
    #[doc(alias("connect", "fcntl", "tcp-connect-timeout"))]
    pub fn start_connect(&self, addr: &SockAddr) -> io::Result<bool> {
        match self.as_socket2().connect(&addr.to_socket2()?) {
            Ok(()) => Ok(true),
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => Ok(false),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(false),
            Err(e) => Err(annotate(e, "connect to", addr)),
        }
    }
}
