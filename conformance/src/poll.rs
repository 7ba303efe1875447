//! Waiting for many descriptors at once with `poll(2)`: the one system call
//! the runner needs beyond std. Made here (on nix), not taken from a layer,
//! because the runner judges the layers.

use std::io;
use std::os::fd::BorrowedFd;
use std::time::Duration;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

/// What a descriptor is watched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interest {
    /// Something to read, an end of stream, or a pending connection.
    Read,
    /// Room to write.
    Write,
}

/// Waits until a descriptor is ready as asked, or `timeout` passes; returns
/// the indices of the ready ones, in the order given (empty on timeout).
/// An error or hang-up counts as ready: the next read or write reports it.
/// A signal ends the wait early with nothing ready.
///
/// Scheme: none (the runner's own plumbing).
///
/// # Errors
///
/// Those of `poll(2)` other than `EINTR` (resource exhaustion).
pub fn ready(fds: &[(BorrowedFd<'_>, Interest)], timeout: Duration) -> io::Result<Vec<usize>> {
    let mut pollfds: Vec<PollFd<'_>> = fds
        .iter()
        .map(|(fd, interest)| {
            let flags = match interest {
                Interest::Read => PollFlags::POLLIN,
                Interest::Write => PollFlags::POLLOUT,
            };
            PollFd::new(*fd, flags)
        })
        .collect();
    // Rounded up, so that a short wait does not become a busy loop.
    let ms = timeout.as_nanos().div_ceil(1_000_000).min(i32::MAX as u128) as i32;
    match poll(
        &mut pollfds,
        PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX),
    ) {
        Ok(_) => {}
        Err(nix::errno::Errno::EINTR) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    }
    Ok(pollfds
        .iter()
        .enumerate()
        .filter(|(_, p)| p.revents().is_some_and(|r| !r.is_empty()))
        .map(|(i, _)| i)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixStream;

    #[test]
    fn reports_only_the_ready_ones_in_order() {
        let (a, mut b) = UnixStream::pair().unwrap();
        let (c, _d) = UnixStream::pair().unwrap();
        let fds = [(a.as_fd(), Interest::Read), (c.as_fd(), Interest::Read)];
        assert!(ready(&fds, Duration::from_millis(1)).unwrap().is_empty());
        b.write_all(b"x").unwrap();
        assert_eq!(ready(&fds, Duration::from_secs(10)).unwrap(), [0]);
        let fds = [(c.as_fd(), Interest::Read), (c.as_fd(), Interest::Write)];
        assert_eq!(ready(&fds, Duration::from_secs(10)).unwrap(), [1]);
        drop(b);
        let fds = [(a.as_fd(), Interest::Read)];
        assert_eq!(ready(&fds, Duration::from_secs(10)).unwrap(), [0]);
    }
}
