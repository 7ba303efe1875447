//! Stopping threads that wait in `accept`: a one-shot signal they wait on
//! beside the listener.

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use netprim::EventFd;

/// A one-shot stop signal: once [`StopSignal::stop`] is called, every
/// [`crate::TcpListener::accept_or_stop`] waiting on it returns `Ok(None)`
/// at once, in every thread, and so does every later one.
///
/// Clones share the signal. [`StopSignal::stop`] is async-signal-safe, so a
/// `SIGTERM` handler may call it (with `signal-hook`'s
/// `low_level::register`, for instance). It is backed by an `eventfd(2)`:
/// one descriptor, whatever the number of clones.
///
/// ```
/// use std::thread;
///
/// let listener = tcp_ports::listen_on("127.0.0.1", 0)?;
/// let stop = tcp_ports::StopSignal::new()?;
/// let server = {
///     let stop = stop.clone();
///     thread::spawn(move || -> std::io::Result<u32> {
///         let mut served = 0;
///         while let Some((_input, _output)) = listener.accept_or_stop(&stop)? {
///             served += 1;
///         }
///         Ok(served) // stopped
///     })
/// };
/// stop.stop();
/// assert_eq!(server.join().unwrap()?, 0);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Scheme: none (CHICKEN stops a `tcp-accept` loop by killing its thread).
#[derive(Clone)]
pub struct StopSignal {
    inner: Arc<Inner>,
}

struct Inner {
    stopped: AtomicBool,
    wake: EventFd,
}

impl StopSignal {
    /// A new signal, not yet stopped.
    ///
    /// Scheme: none.
    ///
    /// # Errors
    ///
    /// `EMFILE`/`ENFILE` when the process is out of descriptors.
    pub fn new() -> io::Result<StopSignal> {
        Ok(StopSignal {
            inner: Arc::new(Inner {
                stopped: AtomicBool::new(false),
                wake: EventFd::new()?,
            }),
        })
    }

    /// Fires the signal: wakes every thread waiting on it, now and later.
    /// Calling it again does nothing more. Async-signal-safe: an atomic
    /// store and one `write(2)`.
    ///
    /// Scheme: none.
    pub fn stop(&self) {
        self.inner.stopped.store(true, Ordering::Release);
        self.inner.wake.notify();
    }

    /// Whether [`StopSignal::stop`] has been called.
    ///
    /// Scheme: none.
    pub fn is_stopped(&self) -> bool {
        self.inner.stopped.load(Ordering::Acquire)
    }

    /// Waits until the signal fires or `timeout` passes (`None`: no limit);
    /// returns whether it fired.
    ///
    /// Scheme: none.
    ///
    /// # Errors
    ///
    /// Errors of `poll(2)`.
    pub fn wait(&self, timeout: Option<Duration>) -> io::Result<bool> {
        if self.is_stopped() {
            return Ok(true);
        }
        netprim::wait_readable(&self.inner.wake, timeout)
    }
}

/// The event descriptor that becomes readable when the signal fires, to
/// wait on beside other descriptors (`netprim::wait_for_input`).
impl AsFd for StopSignal {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.wake.as_fd()
    }
}

impl fmt::Debug for StopSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StopSignal")
            .field("fd", &self.inner.wake.as_raw_fd())
            .field("stopped", &self.is_stopped())
            .finish()
    }
}
