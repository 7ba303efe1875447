//! Readiness: waiting for input (or room for output) on many sockets or any
//! other file descriptors at once, with a timeout (`poll(2)`).

use std::io;
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use crate::Socket;
use crate::error::annotate;

/// Waits until at least one of `fds` has input (data, a pending connection on
/// a listener, EOF, or an error to report) or `timeout` passes, and returns
/// the indices of the ready ones, in the order given. An empty result means
/// the timeout passed. `None` waits without limit.
///
/// Mixed kinds of descriptor go in as `&dyn AsFd` or as
/// [`BorrowedFd`](std::os::fd::BorrowedFd)s: `&[socket.as_fd(),
/// input.as_fd()]`.
///
/// Wait on stdin only through an unbuffered handle. [`std::io::Stdin`]
/// reads up to 8 KiB into its own buffer, so after one line is taken from
/// it, the next lines may sit in that buffer while the descriptor has
/// nothing left: `wait_for_input` then waits for input that has already
/// arrived, and a faithful port of SCM's chat client stalls. Read from a
/// `File` on a duplicate of descriptor 0 instead, so what readiness
/// announces is exactly what the next read gets (the example
/// `raw-chat-client` does this):
///
/// ```no_run
/// use std::fs::File;
/// use std::io::{self, Read};
/// use std::os::fd::AsFd;
/// use std::time::Duration;
///
/// let (socket, _peer) = netprim::Socket::pair(netprim::Domain::UNIX, netprim::Type::STREAM, None)?;
/// // Not `io::stdin()` itself: an unbuffered handle on the same descriptor.
/// let mut input = File::from(io::stdin().as_fd().try_clone_to_owned()?);
/// let ready = netprim::wait_for_input(&[socket.as_fd(), input.as_fd()], Some(Duration::from_secs(1)))?;
/// if ready.contains(&1) {
///     let mut buf = [0; 4096];
///     let n = input.read(&mut buf)?; // all of it reaches `buf`, none hides in a buffer
///     # let _ = n;
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Scheme: SCM's `wait-for-input` (a [`Duration`] instead of whole seconds,
/// indices in the given order instead of ports in reverse, empty instead of
/// `#f`).
///
/// ```
/// use netprim::{wait_for_input, Domain, Socket, Type};
/// use std::time::Duration;
///
/// let (a, b) = Socket::pair(Domain::UNIX, Type::STREAM, None)?;
/// assert!(wait_for_input(&[&a, &b], Some(Duration::ZERO))?.is_empty());
/// a.send(b"x")?;
/// assert_eq!(wait_for_input(&[&a, &b], Some(Duration::from_secs(5)))?, vec![1]);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// OS errors of `poll(2)`. More descriptors than the process may open
/// (`RLIMIT_NOFILE`) is `InvalidInput` (`EINVAL`) saying so, with both
/// numbers. An interrupted wait is resumed for the time that remains.
#[doc(alias = "wait-for-input")]
pub fn wait_for_input<F: AsFd>(fds: &[F], timeout: Option<Duration>) -> io::Result<Vec<usize>> {
    wait(fds, PollFlags::POLLIN, timeout)
}

/// Waits until `fd` has input or `timeout` passes; returns whether it has.
///
/// # Errors
///
/// As [`wait_for_input`].
pub fn wait_readable(fd: impl AsFd, timeout: Option<Duration>) -> io::Result<bool> {
    Ok(!wait(&[fd], PollFlags::POLLIN, timeout)?.is_empty())
}

/// Waits until `fd` can take output without blocking, or `timeout` passes;
/// returns whether it can.
///
/// # Errors
///
/// As [`wait_for_input`].
pub fn wait_writable(fd: impl AsFd, timeout: Option<Duration>) -> io::Result<bool> {
    Ok(!wait(&[fd], PollFlags::POLLOUT, timeout)?.is_empty())
}

/// What to wait for on one descriptor in [`wait_for`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interest {
    /// Wait for input (data, a pending connection, EOF).
    pub read: bool,
    /// Wait for room to write.
    pub write: bool,
}

impl Interest {
    /// Input only.
    pub const READ: Interest = Interest {
        read: true,
        write: false,
    };
    /// Output only.
    pub const WRITE: Interest = Interest {
        read: false,
        write: true,
    };
    /// Either.
    pub const BOTH: Interest = Interest {
        read: true,
        write: true,
    };

    fn flags(self) -> PollFlags {
        let mut f = PollFlags::empty();
        if self.read {
            f |= PollFlags::POLLIN;
        }
        if self.write {
            f |= PollFlags::POLLOUT;
        }
        f
    }
}

/// One ready descriptor, as [`wait_for`] reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ready {
    /// Its index in the slice given to [`wait_for`].
    pub index: usize,
    /// It has input, EOF, or an error to report.
    pub readable: bool,
    /// It can take output, or has an error to report.
    pub writable: bool,
}

/// Waits until at least one descriptor is ready the way its [`Interest`]
/// asks, or `timeout` passes; returns the ready ones in the order given
/// (empty when the timeout passed). The general form of [`wait_for_input`],
/// for servers that also wait for room to write to slow peers.
///
/// Scheme: none (SCM's `wait-for-input` waits for input only).
///
/// # Errors
///
/// As [`wait_for_input`].
pub fn wait_for<F: AsFd>(
    fds: &[(F, Interest)],
    timeout: Option<Duration>,
) -> io::Result<Vec<Ready>> {
    let mut pollfds: Vec<PollFd<'_>> = fds
        .iter()
        .map(|(f, i)| PollFd::new(f.as_fd(), i.flags()))
        .collect();
    poll_until(&mut pollfds, timeout)?;
    let failed = PollFlags::POLLERR | PollFlags::POLLHUP | PollFlags::POLLNVAL;
    Ok(pollfds
        .iter()
        .zip(fds)
        .enumerate()
        .filter_map(|(index, (p, (_, interest)))| {
            let r = p.revents().unwrap_or(PollFlags::empty());
            let readable = interest.read && r.intersects(PollFlags::POLLIN | failed);
            let writable = interest.write && r.intersects(PollFlags::POLLOUT | failed);
            (readable || writable).then_some(Ready {
                index,
                readable,
                writable,
            })
        })
        .collect())
}

impl Socket {
    /// Whether a connection is pending on this listening socket, so that
    /// [`Socket::accept`] would not block. Does not wait.
    ///
    /// Scheme: SCM's `char-ready?` on a listening socket (which really tells,
    /// unlike SCM 5f3's), CHICKEN's `tcp-accept-ready?`.
    ///
    /// # Errors
    ///
    /// OS errors of `poll(2)`.
    #[doc(alias("char-ready?", "tcp-accept-ready?"))]
    pub fn accept_ready(&self) -> io::Result<bool> {
        wait_readable(self, Some(Duration::ZERO))
    }
}

fn wait<F: AsFd>(
    fds: &[F],
    interest: PollFlags,
    timeout: Option<Duration>,
) -> io::Result<Vec<usize>> {
    // Errors and hang-ups count as ready: the next read or write reports them.
    let ready = interest | PollFlags::POLLERR | PollFlags::POLLHUP | PollFlags::POLLNVAL;
    let mut pollfds: Vec<PollFd<'_>> = fds
        .iter()
        .map(|f| PollFd::new(f.as_fd(), interest))
        .collect();
    poll_until(&mut pollfds, timeout)?;
    Ok(pollfds
        .iter()
        .enumerate()
        .filter(|(_, p)| p.revents().is_some_and(|r| r.intersects(ready)))
        .map(|(i, _)| i)
        .collect())
}

/// `poll(2)` until something is ready or the deadline passes, resuming after
/// a signal for the time that remains.
fn poll_until(pollfds: &mut [PollFd<'_>], timeout: Option<Duration>) -> io::Result<()> {
    // A timeout too long to add to now (`Duration::MAX`) is no limit at all.
    let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
    loop {
        let wait_for = match deadline {
            None => PollTimeout::NONE,
            Some(d) => poll_timeout(d.saturating_duration_since(Instant::now())),
        };
        match poll(pollfds, wait_for) {
            Ok(_) => return Ok(()),
            Err(nix::errno::Errno::EINTR) => continue,
            Err(nix::errno::Errno::EINVAL) => return Err(too_many(pollfds.len())),
            Err(e) => return Err(e.into()),
        }
    }
}

/// `poll(2)`'s bare `EINVAL`, explained when the cause is the one a caller
/// can run into: more descriptors than `RLIMIT_NOFILE`.
fn too_many(count: usize) -> io::Error {
    let einval = io::Error::from_raw_os_error(libc::EINVAL);
    match open_files_limit() {
        Some(limit) if count as u64 > limit => annotate(
            einval,
            "wait on",
            &format_args!(
                "{count} descriptors, more than the {limit} this process may open \
                 (RLIMIT_NOFILE)"
            ),
        ),
        _ => annotate(einval, "wait on", &format_args!("{count} descriptors")),
    }
}

/// The soft `RLIMIT_NOFILE`, which is also the most descriptors `poll(2)`
/// takes; `None` if it cannot be read or is unlimited.
fn open_files_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable `rlimit` for the whole call.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    (rc == 0 && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur)
}

/// Milliseconds for `poll(2)`, rounded up so that a short timeout still
/// waits rather than spinning, and capped at the largest `poll` accepts.
fn poll_timeout(left: Duration) -> PollTimeout {
    let ms = left.as_nanos().div_ceil(1_000_000);
    PollTimeout::try_from(ms.min(i32::MAX as u128) as i32).unwrap_or(PollTimeout::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Domain, Type};

    #[test]
    fn more_descriptors_than_the_process_may_open_says_so() {
        // Before: a bare "Invalid argument (os error 22)".
        let limit = open_files_limit().expect("RLIMIT_NOFILE is set");
        let (a, _b) = Socket::pair(Domain::UNIX, Type::STREAM, None).unwrap();
        let many = usize::try_from(limit + 1).unwrap();
        let err = wait_for_input(&vec![&a; many], Some(Duration::ZERO)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(
            crate::OpError::find(&err).unwrap().cause().raw_os_error(),
            Some(libc::EINVAL)
        );
        let msg = err.to_string();
        assert!(msg.contains(&format!("{many} descriptors")), "{msg}");
        assert!(
            msg.contains(&format!("the {limit} this process may open")),
            "{msg}"
        );
    }

    #[test]
    fn a_timeout_too_long_to_add_to_now_waits_without_limit() {
        let (a, b) = Socket::pair(Domain::UNIX, Type::STREAM, None).unwrap();
        a.send(b"x").unwrap();
        assert_eq!(wait_for_input(&[&b], Some(Duration::MAX)).unwrap(), vec![0]);
        assert!(wait_writable(&a, Some(Duration::MAX)).unwrap());
    }
}
