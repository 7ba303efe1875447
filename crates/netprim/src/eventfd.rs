//! A one-shot wake-up that any number of threads can wait on beside their
//! sockets: an `eventfd(2)` that, once notified, stays readable.

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

/// An `eventfd(2)` used as a level-triggered, one-shot flag: after
/// [`EventFd::notify`] it reads as ready for input forever, so every
/// `poll(2)` that includes it returns, now and later, in every thread.
/// Nothing ever reads it back down.
///
/// ```
/// use std::time::Duration;
///
/// let wake = netprim::EventFd::new()?;
/// assert!(!netprim::wait_readable(&wake, Some(Duration::ZERO))?);
/// wake.notify();
/// assert!(netprim::wait_readable(&wake, Some(Duration::ZERO))?);
/// assert!(netprim::wait_readable(&wake, Some(Duration::ZERO))?); // stays ready
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Scheme: none (the basis of stopping a server's `tcp-accept` loop).
pub struct EventFd {
    fd: OwnedFd,
}

impl EventFd {
    /// Creates the event descriptor, close-on-exec and non-blocking
    /// (`eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)`).
    ///
    /// Scheme: none.
    ///
    /// # Errors
    ///
    /// `EMFILE`/`ENFILE` when out of descriptors.
    pub fn new() -> io::Result<EventFd> {
        // SAFETY: eventfd takes no pointers; the result is checked below.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` is a freshly created descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(EventFd { fd })
    }

    /// Makes the descriptor readable for good, waking every thread waiting
    /// on it. Async-signal-safe (one `write(2)`, no allocation, no lock), so
    /// it may be called from a signal handler. Notifying again is harmless.
    ///
    /// Scheme: none.
    pub fn notify(&self) {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a live u64 to a descriptor we own. The
        // only possible failure is EAGAIN once the counter is near u64::MAX,
        // when it is readable anyway, so the result can be ignored.
        unsafe {
            libc::write(
                self.fd.as_raw_fd(),
                (&raw const one).cast::<libc::c_void>(),
                std::mem::size_of::<u64>(),
            )
        };
    }
}

impl AsFd for EventFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for EventFd {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl fmt::Debug for EventFd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventFd")
            .field("fd", &self.fd.as_raw_fd())
            .finish()
    }
}
