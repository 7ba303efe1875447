//! Resetting a connection at once, from any thread.

use std::io;

use crate::Socket;

impl Socket {
    /// Dissolves the connection of a stream socket at once (`connect(2)`
    /// with an `AF_UNSPEC` address): the kernel sends a reset (RST) to the
    /// peer and discards what is queued either way, and every thread
    /// blocked on the socket — in `recv`, `send` or `poll` — wakes at once
    /// with an error or EOF. The descriptor stays open; close it as usual.
    ///
    /// Unlike `SO_LINGER` of zero followed by `close`, it needs no close, so
    /// it can abort a connection whose descriptor other threads still use.
    ///
    /// Scheme: none (an abortive close that works while the port is in use).
    ///
    /// # Errors
    ///
    /// OS errors of `connect(2)`.
    pub fn disconnect(&self) -> io::Result<()> {
        let addr = libc::sockaddr {
            sa_family: libc::AF_UNSPEC as libc::sa_family_t,
            sa_data: [0; 14],
        };
        // SAFETY: passes a valid, fully initialised sockaddr of the size given.
        let rc = unsafe {
            libc::connect(
                std::os::fd::AsRawFd::as_raw_fd(self),
                &raw const addr,
                std::mem::size_of::<libc::sockaddr>() as libc::socklen_t,
            )
        };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}
