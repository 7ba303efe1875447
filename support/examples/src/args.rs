//! The command line of the example programs, as the scenarios fix
//! it. clap exits with status 2 and a usage message on bad arguments.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// The arguments every example server takes:
/// `[--host H] [--port P] [--max-connections N] [--read-timeout MS]`.
#[derive(Debug, Clone, Parser)]
#[command(about = "An example server of the scheme-sockets workspace")]
pub struct ServerArgs {
    /// The host or IP address to listen on (`::1` for IPv6).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,

    /// The port to listen on; 0 picks a free one (printed on the first line).
    #[arg(long, default_value_t = 0)]
    pub port: u16,

    /// Exit after serving this many connections (default: run until killed).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: Option<u64>,

    /// Close a connection whose peer sends nothing for this many
    /// milliseconds while the server waits to read (default: the layer's own
    /// default). An extension for the conformance suite's timeout scenario.
    #[arg(long, value_name = "MS", value_parser = parse_millis)]
    pub read_timeout: Option<Duration>,
}

/// The arguments of the servers of the two server layers (tcp-server,
/// tcp-server-async): every server's, plus `--max-requests N`,
/// `--diagnostics [PREFIX]` and `--deadline MS`.
#[derive(Debug, Clone, Parser)]
#[command(about = "An example server of the scheme-sockets workspace")]
pub struct ModelServerArgs {
    /// Where and how long to serve.
    #[command(flatten)]
    pub server: ServerArgs,

    /// Handle at most N connections at once; others wait in the kernel's
    /// queue (the egg's MAXREQUESTS).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_requests: Option<u64>,

    /// One line per connection and error on stderr, with PREFIX (default
    /// `tcp-server`).
    #[arg(long, value_name = "PREFIX", num_args = 0..=1, default_missing_value = "yes")]
    pub diagnostics: Option<String>,

    /// Close a connection once it has lasted MS milliseconds, however
    /// lively (default: the server's own, 300 s; chat: none). Bounds a
    /// client that trickles bytes or never reads, as tests need it.
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
    pub deadline: Option<u64>,
}

impl ModelServerArgs {
    /// `--deadline`, as a duration.
    pub fn deadline(&self) -> Option<Duration> {
        self.deadline.map(Duration::from_millis)
    }

    /// `--max-requests`, as the servers' builders take it.
    pub fn max_requests(&self) -> Option<usize> {
        self.max_requests
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    }
}

/// The arguments every example client takes: `--addr H:P`.
#[derive(Debug, Clone, Parser)]
#[command(about = "An example client of the scheme-sockets workspace")]
pub struct ClientArgs {
    /// The server's address: `HOST:PORT`, or `[IPv6]:PORT`.
    #[arg(long, value_name = "H:P")]
    pub addr: String,
}

/// `[--unix PATH]`: serve on a Unix socket instead of TCP. Flatten it into
/// the arguments of a server that can do so (`#[command(flatten)]`), or use
/// [`UnixServerArgs`].
#[derive(Debug, Clone, clap::Args)]
pub struct UnixArgs {
    /// Serve on a Unix socket at this path instead of TCP (a socket file
    /// there that no server answers on is replaced; one a live server
    /// answers on is not; the file is removed on a clean exit).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["host", "port"])]
    pub unix: Option<PathBuf>,
}

/// [`ServerArgs`] plus [`UnixArgs`]: the command line of a server that can
/// also serve on a Unix socket.
#[derive(Debug, Clone, Parser)]
#[command(about = "An example server of the scheme-sockets workspace")]
pub struct UnixServerArgs {
    /// Where and how long to serve over TCP.
    #[command(flatten)]
    pub server: ServerArgs,
    /// Or a Unix socket instead.
    #[command(flatten)]
    pub unix: UnixArgs,
}

fn parse_millis(s: &str) -> Result<Duration, String> {
    match s.parse::<u64>() {
        Ok(0) => Err("must be at least 1 millisecond".into()),
        Ok(ms) => Ok(Duration::from_millis(ms)),
        Err(e) => Err(format!("{s:?} is not a number of milliseconds: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_defaults_match_scenarios_md() {
        let a = ServerArgs::try_parse_from(["srv"]).unwrap();
        assert_eq!((a.host.as_str(), a.port), ("127.0.0.1", 0));
        assert_eq!(a.max_connections, None);
    }

    #[test]
    fn bad_server_arguments_are_usage_errors() {
        for bad in [
            &["srv", "--port", "70000"][..],
            &["srv", "--max-connections", "0"],
            &["srv", "--read-timeout", "0"],
            &["srv", "--bogus"],
        ] {
            let err = ServerArgs::try_parse_from(bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad:?}");
        }
    }

    #[test]
    fn unix_replaces_host_and_port() {
        let a = UnixServerArgs::try_parse_from(["srv", "--unix", "/tmp/s", "--read-timeout", "5"])
            .unwrap();
        assert_eq!(a.unix.unix.as_deref(), Some(std::path::Path::new("/tmp/s")));
        assert_eq!(a.server.read_timeout, Some(Duration::from_millis(5)));
        let err =
            UnixServerArgs::try_parse_from(["srv", "--unix", "/tmp/s", "--port", "1"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn client_needs_addr() {
        assert!(ClientArgs::try_parse_from(["cli"]).is_err());
        let a = ClientArgs::try_parse_from(["cli", "--addr", "[::1]:7"]).unwrap();
        assert_eq!(a.addr, "[::1]:7");
    }
}
