//! Where a client connects: the value of `--addr`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::ClientArgs;

/// A server's address as a client's `--addr` gives it: `HOST:PORT`
/// (`127.0.0.1:4242`, `localhost:4242`), `[IPv6]:PORT` (`[::1]:4242`), or the
/// path of a Unix socket, which starts with `/`.
///
/// The host is kept as text: resolving it is the layer's business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerAddr {
    /// A host name or IP address (without brackets) and a port.
    Inet {
        /// The host name or IP address, IPv6 without its brackets.
        host: String,
        /// The port.
        port: u16,
    },
    /// The path of a Unix socket file.
    Unix(PathBuf),
}

impl FromStr for ServerAddr {
    type Err = String;

    /// # Errors
    ///
    /// A message naming the value when it is neither `HOST:PORT`,
    /// `[IPv6]:PORT` nor an absolute path.
    fn from_str(s: &str) -> Result<ServerAddr, String> {
        if s.starts_with('/') {
            return Ok(ServerAddr::Unix(PathBuf::from(s)));
        }
        let bad = |why: &str| {
            format!("error: invalid --addr {s:?}: {why} (expected HOST:PORT, [IPv6]:PORT or /path)")
        };
        let Some((host, port)) = s.rsplit_once(':') else {
            return Err(bad("no port"));
        };
        let port = port
            .parse::<u16>()
            .map_err(|e| bad(&format!("port {port:?}: {e}")))?;
        let host = match host.strip_prefix('[') {
            Some(v6) => v6.strip_suffix(']').ok_or_else(|| bad("unclosed '['"))?,
            None if host.contains(':') => return Err(bad("an IPv6 address needs brackets")),
            None => host,
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        Ok(ServerAddr::Inet {
            host: host.to_string(),
            port,
        })
    }
}

impl fmt::Display for ServerAddr {
    /// As it was given: `host:port`, `[v6]:port`, or the path.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerAddr::Inet { host, port } if host.contains(':') => write!(f, "[{host}]:{port}"),
            ServerAddr::Inet { host, port } => write!(f, "{host}:{port}"),
            ServerAddr::Unix(path) => path.display().fmt(f),
        }
    }
}

impl ClientArgs {
    /// `--addr` parsed, or exit with status 2 and a one-line message
    /// naming it (see [`crate::usage_exit`]).
    pub fn server_addr(&self) -> ServerAddr {
        self.addr.parse().unwrap_or_else(|e| crate::usage_exit(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inet(host: &str, port: u16) -> ServerAddr {
        ServerAddr::Inet {
            host: host.into(),
            port,
        }
    }

    #[test]
    fn parses_every_form() {
        assert_eq!("127.0.0.1:7".parse(), Ok(inet("127.0.0.1", 7)));
        assert_eq!("localhost:4242".parse(), Ok(inet("localhost", 4242)));
        assert_eq!("[::1]:7".parse(), Ok(inet("::1", 7)));
        assert_eq!(
            "/tmp/x.sock".parse(),
            Ok(ServerAddr::Unix("/tmp/x.sock".into()))
        );
    }

    #[test]
    fn displays_as_given() {
        for s in ["127.0.0.1:7", "localhost:4242", "[::1]:7", "/tmp/x.sock"] {
            assert_eq!(s.parse::<ServerAddr>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn rejects_bad_forms_naming_the_value() {
        for bad in [
            "", "host", "host:", ":80", "::1:80", "[::1:80", "h:99999", "h:x",
        ] {
            let err = bad.parse::<ServerAddr>().unwrap_err();
            assert!(err.contains(&format!("{bad:?}")), "{err}");
            assert!(!err.contains('\n'));
        }
    }
}
