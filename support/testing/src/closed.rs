//! An address where a connect is refused, without racing other tests.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use socket2::{SockAddr, Socket, Type};
use tempfile::TempDir;

use crate::Family;

/// An address of some family where nothing listens, for as long as this
/// guard lives; made by [`closed_address`].
///
/// A socket bound there that never listens holds it: a connect is refused
/// (`ECONNREFUSED`), and no other test or process can start listening
/// there meanwhile, as one could on a port whose listener was just dropped.
///
/// Scheme: none.
#[derive(Debug)]
pub struct ClosedAddress {
    /// Holds the port (or the socket file) while the test runs.
    _holder: Socket,
    at: At,
    /// The Unix socket's directory, removed when the guard is dropped.
    _dir: Option<TempDir>,
}

#[derive(Debug)]
enum At {
    Ip(SocketAddr),
    Unix(PathBuf),
}

/// An address of `family` on loopback (or a Unix socket in a new
/// temporary directory) where a connect is refused.
///
/// Scheme: none.
///
/// # Errors
///
/// When the socket cannot be made or bound, or the directory created.
pub fn closed_address(family: Family) -> io::Result<ClosedAddress> {
    let holder = Socket::new(family.domain(), Type::STREAM, None)?;
    if family.is_ip() {
        holder.bind(&SockAddr::from(SocketAddr::new(family.ip(), 0)))?;
        let addr = holder
            .local_addr()?
            .as_socket()
            .ok_or_else(|| io::Error::other("a socket bound to an IP address has no IP address"))?;
        return Ok(ClosedAddress {
            _holder: holder,
            at: At::Ip(addr),
            _dir: None,
        });
    }
    // A short prefix leaves room in `sun_path` (108 bytes).
    let dir = tempfile::Builder::new().prefix("closed").tempdir()?;
    let path = dir.path().join("nobody.sock");
    holder.bind(&SockAddr::unix(&path)?)?;
    Ok(ClosedAddress {
        _holder: holder,
        at: At::Unix(path),
        _dir: Some(dir),
    })
}

impl ClosedAddress {
    /// The IP address and port, for an IP family; `None` for a Unix socket.
    pub fn socket_addr(&self) -> Option<SocketAddr> {
        match &self.at {
            At::Ip(addr) => Some(*addr),
            At::Unix(_) => None,
        }
    }

    /// The socket file's path, for a Unix socket; `None` for IP.
    pub fn path(&self) -> Option<&Path> {
        match &self.at {
            At::Ip(_) => None,
            At::Unix(path) => Some(path),
        }
    }
}

impl fmt::Display for ClosedAddress {
    /// As a client's `--addr` takes it: `127.0.0.1:P`, `[::1]:P`, or the
    /// path.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            At::Ip(addr) => addr.fmt(f),
            At::Unix(path) => path.display().fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_connect_is_refused_on_every_family() {
        for family in Family::ALL {
            if family == Family::V6 && std::net::TcpListener::bind("[::1]:0").is_err() {
                continue; // no IPv6 loopback on this machine
            }
            let closed = closed_address(family).unwrap();
            let target = match (closed.socket_addr(), closed.path()) {
                (Some(addr), _) => SockAddr::from(addr),
                (None, Some(path)) => SockAddr::unix(path).unwrap(),
                (None, None) => unreachable!(),
            };
            let s = Socket::new(family.domain(), Type::STREAM, None).unwrap();
            let err = s
                .connect_timeout(&target, Duration::from_secs(10))
                .unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused, "{family}");
        }
    }

    #[test]
    fn displays_as_an_addr_argument() {
        let v6 = closed_address(Family::V6);
        if let Ok(v6) = v6 {
            assert!(v6.to_string().starts_with("[::1]:"), "{v6}");
        }
        let unix = closed_address(Family::Unix).unwrap();
        assert!(unix.to_string().ends_with("nobody.sock"), "{unix}");
    }
}
