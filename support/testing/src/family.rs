//! The address families the tests run over.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use socket2::Domain;

/// Where a test's server listens and its client connects: TCP on a
/// loopback address, or a Unix socket in a temporary directory.
///
/// Use [`Family::IP`] or [`Family::ALL`] (or the variants) as rstest
/// values, so that one test body runs over each.
///
/// Scheme: none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// TCP on `127.0.0.1`.
    V4,
    /// TCP on `::1`.
    V6,
    /// A Unix socket (a path in a temporary directory).
    Unix,
}

impl Family {
    /// The two IP families, IPv4 first.
    pub const IP: [Family; 2] = [Family::V4, Family::V6];

    /// Every family, IPv4 first.
    pub const ALL: [Family; 3] = [Family::V4, Family::V6, Family::Unix];

    /// The socket domain of the family.
    pub fn domain(self) -> Domain {
        match self {
            Family::V4 => Domain::IPV4,
            Family::V6 => Domain::IPV6,
            Family::Unix => Domain::UNIX,
        }
    }

    /// Whether it is an IP family.
    pub fn is_ip(self) -> bool {
        self != Family::Unix
    }

    /// The loopback address of an IP family.
    ///
    /// # Panics
    ///
    /// For [`Family::Unix`], which has none: a mistake in the test.
    pub fn ip(self) -> IpAddr {
        match self {
            Family::V4 => Ipv4Addr::LOCALHOST.into(),
            Family::V6 => Ipv6Addr::LOCALHOST.into(),
            Family::Unix => panic!("a Unix socket has no IP address"),
        }
    }

    /// The loopback address as a server's `--host` takes it (`127.0.0.1`,
    /// `::1`).
    ///
    /// # Panics
    ///
    /// For [`Family::Unix`], as [`Family::ip`].
    pub fn host(self) -> &'static str {
        match self {
            Family::V4 => "127.0.0.1",
            Family::V6 => "::1",
            Family::Unix => panic!("a Unix socket has no host"),
        }
    }

    /// `HOST:PORT` on the loopback address, with brackets for IPv6, as a
    /// client's `--addr` takes it.
    ///
    /// # Panics
    ///
    /// For [`Family::Unix`], as [`Family::ip`].
    pub fn host_port(self, port: u16) -> String {
        SocketAddr::new(self.ip(), port).to_string()
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::V4 => "ipv4",
            Family::V6 => "ipv6",
            Family::Unix => "unix",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_brackets_ipv6() {
        assert_eq!(Family::V4.host_port(7), "127.0.0.1:7");
        assert_eq!(Family::V6.host_port(7), "[::1]:7");
        assert!(
            Family::ALL
                .iter()
                .all(|f| f.is_ip() == Family::IP.contains(f))
        );
    }
}
