//! Where the load goes: a loopback socket address, and nothing else.

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;

/// A server to load: a loopback IP address and a port.
///
/// Parsed from `IP:PORT`, `[IPv6]:PORT` or `localhost:PORT` (which is
/// `127.0.0.1`, as `/etc/hosts` says, without asking a resolver). Any
/// address outside `127.0.0.0/8` and `::1` is refused: a load generator
/// pointed at a real host by a typo would be an attack, not a benchmark.
///
/// ```
/// let t: loadgen::Target = "[::1]:4242".parse()?;
/// assert_eq!(t.addr().port(), 4242);
/// assert!("192.0.2.1:80".parse::<loadgen::Target>().is_err());
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Scheme: none (the `"HOSTNAME:PORT"` of `tcp-connect`, restricted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Target(SocketAddr);

impl Target {
    /// Parses `s`; see [`Target`] for the accepted forms.
    ///
    /// Scheme: none.
    ///
    /// # Errors
    ///
    /// `InvalidInput`, quoting `s`: not `HOST:PORT`, a host that is neither
    /// an IP address nor `localhost`, a non-loopback address, port 0.
    pub fn parse(s: &str) -> io::Result<Target> {
        let bad =
            |why: &str| io::Error::new(io::ErrorKind::InvalidInput, format!("target {s:?}: {why}"));
        let addr = match s.parse::<SocketAddr>() {
            Ok(addr) => addr,
            Err(_) => {
                let Some((host, port)) = s.rsplit_once(':') else {
                    return Err(bad("expected IP:PORT, [IPv6]:PORT or localhost:PORT"));
                };
                if !host.eq_ignore_ascii_case("localhost") {
                    return Err(bad(
                        "the host must be a loopback IP address or localhost (no name lookup)",
                    ));
                }
                let port = port
                    .parse::<u16>()
                    .map_err(|_| bad("the port is not a number from 1 to 65535"))?;
                SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
            }
        };
        if !addr.ip().is_loopback() {
            return Err(bad(&format!(
                "{} is not a loopback address; only 127.0.0.0/8 and ::1 may be loaded",
                addr.ip()
            )));
        }
        if addr.port() == 0 {
            return Err(bad("port 0 cannot be connected to"));
        }
        Ok(Target(addr))
    }

    /// The socket address to connect to.
    ///
    /// Scheme: none.
    pub fn addr(&self) -> SocketAddr {
        self.0
    }
}

impl TryFrom<SocketAddr> for Target {
    type Error = io::Error;

    /// The address if it is a loopback one with a port.
    fn try_from(addr: SocketAddr) -> io::Result<Target> {
        Target::parse(&addr.to_string())
    }
}

impl FromStr for Target {
    type Err = io::Error;

    /// [`Target::parse`].
    fn from_str(s: &str) -> io::Result<Target> {
        Target::parse(s)
    }
}

impl fmt::Display for Target {
    /// As a [`SocketAddr`] prints: `127.0.0.1:4242`, `[::1]:4242`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn loopback_forms_parse() {
        for (s, want) in [
            ("127.0.0.1:1", "127.0.0.1:1"),
            ("127.8.9.10:65535", "127.8.9.10:65535"),
            ("[::1]:4242", "[::1]:4242"),
            ("localhost:80", "127.0.0.1:80"),
            ("LOCALHOST:80", "127.0.0.1:80"),
        ] {
            assert_eq!(Target::parse(s).unwrap().to_string(), want, "{s}");
        }
    }

    #[test]
    fn everything_else_is_invalid_input_quoting_the_value() {
        for bad in [
            "",
            "127.0.0.1",
            "127.0.0.1:0",
            "127.0.0.1:70000",
            "10.0.0.1:80",
            "0.0.0.0:80",
            "[::]:80",
            "[2001:db8::1]:80",
            "example.org:80",
            "vm:80",
            "localhost:",
            "localhost:http",
            "::1:80",
            "[::ffff:127.0.0.1]:80",
        ] {
            let err = Target::parse(bad).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad:?}");
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
    }

    proptest! {
        // The parser sees command lines and `--server` values: any string
        // gives a target or an error, never a panic, and what it accepts is
        // loopback.
        #[test]
        fn any_string_parses_or_fails_cleanly(s in ".{0,40}") {
            if let Ok(t) = Target::parse(&s) {
                prop_assert!(t.addr().ip().is_loopback());
                prop_assert_ne!(t.addr().port(), 0);
            }
        }

        #[test]
        fn printed_targets_parse_back(a in 0u8.., b in 0u8.., c in 1u8.., port in 1u16..) {
            let t = Target::parse(&format!("127.{a}.{b}.{c}:{port}")).unwrap();
            prop_assert_eq!(Target::parse(&t.to_string()).unwrap(), t);
        }
    }
}
