//! Where to connect: a host and a port, from `"host:port"` (the port a
//! number or a service name), `"[v6addr]:port"`, a host and a port, or a
//! socket address.

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::str::FromStr;

use crate::error::{invalid_input, network_error, quoted, shortened};

/// A host (a name or an IP address) and a TCP port to connect to.
///
/// Parse one from `"host:port"`, where the port is a number or a service
/// name looked up in the services database (`"localhost:http"`), and an
/// IPv6 address is in brackets (`"[::1]:4242"`); or make one from a host
/// and a port ([`Target::new`]) or a socket address. Anything that becomes a
/// target ([`IntoTarget`]) can be given to [`crate::connect`].
///
/// ```
/// use tcp_ports::Target;
///
/// let t: Target = "localhost:http".parse()?;
/// assert_eq!((t.host(), t.port()), ("localhost", 80));
/// let v6: Target = "[::1]:4242".parse()?;
/// assert_eq!(v6.to_string(), "[::1]:4242");
/// assert!("::1:4242".parse::<Target>().is_err()); // brackets needed
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Scheme: the `HOSTNAME` and `TCPPORT` of `tcp-connect`, or its
/// `"HOSTNAME:PORT"` string (as documented; CHICKEN's own parser reads it
/// the wrong way round; see [the differences](https://github.com/scheme-sockets/scheme-sockets/blob/main/docs/differences.md#host-and-port-strings)).
#[doc(alias("HOSTNAME", "TCPPORT", "tcp-connect"))]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    host: String,
    port: u16,
    /// Set when the target is one or more addresses already: no lookup,
    /// and an IPv6 scope id survives.
    addrs: Vec<SocketAddr>,
}

impl Target {
    /// The target `port` on `host`: a name, an IPv4 address, or an IPv6
    /// address with or without brackets.
    ///
    /// Scheme: `(tcp-connect HOSTNAME TCPPORT)`.
    ///
    /// # Errors
    ///
    /// `InvalidInput`, quoting the value, for an empty host, a host with a
    /// NUL byte or with unbalanced brackets, and port 0.
    #[doc(alias = "tcp-connect")]
    pub fn new(host: &str, port: u16) -> io::Result<Target> {
        let host = unbracket(host)?;
        check_host(host, &format!("{host}:{port}"))?;
        if port == 0 {
            return Err(port_zero(&format!("{host}:{port}")));
        }
        let addr = host
            .parse::<IpAddr>()
            .ok()
            .map(|ip| SocketAddr::new(ip, port));
        Ok(Target {
            host: host.to_string(),
            port,
            addrs: addr.into_iter().collect(),
        })
    }

    /// Parses `"host:port"` or `"[v6addr]:port"`; the port is a number or a
    /// TCP service name (`getservbyname`).
    ///
    /// Scheme: `(tcp-connect "HOSTNAME:PORT")`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` quoting `s` (cut after 64 characters): no `:PORT`, more
    /// than one, an empty host, an IPv6 address without brackets, a port out
    /// of range (1–65535) or signed, an unknown service name.
    #[doc(alias = "tcp-connect")]
    pub fn parse(s: &str) -> io::Result<Target> {
        if s.contains('\0') {
            return Err(invalid_input(format!("{} holds a NUL byte", quoted(s))));
        }
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let Some((host, after)) = rest.split_once(']') else {
                return Err(invalid_input(format!("{} has no closing ']'", quoted(s))));
            };
            let Some(port) = after.strip_prefix(':') else {
                return Err(invalid_input(format!(
                    "{} has no :PORT after the bracketed address",
                    quoted(s)
                )));
            };
            if !host.contains(':') {
                return Err(invalid_input(format!(
                    "{}: brackets are for IPv6 addresses only",
                    quoted(s)
                )));
            }
            (host, port)
        } else {
            let Some((host, port)) = s.rsplit_once(':') else {
                return Err(invalid_input(format!(
                    "{} has no :PORT (expected HOST:PORT or [IPv6]:PORT)",
                    quoted(s)
                )));
            };
            if host.contains(':') {
                return Err(invalid_input(if is_ipv6(host) {
                    format!(
                        "{}: an IPv6 address needs brackets, as in [::1]:4242",
                        quoted(s)
                    )
                } else {
                    too_many_colons(s)
                }));
            }
            (host, port)
        };
        check_host(host, s)?;
        let port = parse_port(port, s)?;
        // `[fe80::1%2]:80` keeps its scope id through std's parser.
        let addr = s.parse::<SocketAddr>().ok().or_else(|| {
            host.parse::<IpAddr>()
                .ok()
                .map(|ip| SocketAddr::new(ip, port))
        });
        Ok(Target {
            host: host.to_string(),
            port,
            addrs: addr.into_iter().collect(),
        })
    }

    /// A target of several addresses, tried in the order given within one
    /// connect deadline, as the addresses of a host name are: what std's
    /// `TcpStream::connect(&[a, b][..])` does. Its host and port are the
    /// first address's.
    ///
    /// ```
    /// let a: std::net::SocketAddr = "127.0.0.1:4242".parse().unwrap();
    /// let b: std::net::SocketAddr = "[::1]:4242".parse().unwrap();
    /// let t = tcp_ports::Target::from_addrs(vec![a, b])?;
    /// assert_eq!(t.resolve()?, vec![a, b]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// Scheme: none.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for an empty list or an address with port 0.
    pub fn from_addrs(addrs: Vec<SocketAddr>) -> io::Result<Target> {
        let Some(first) = addrs.first() else {
            return Err(invalid_input("an empty list of addresses to connect to"));
        };
        if let Some(zero) = addrs.iter().find(|a| a.port() == 0) {
            return Err(port_zero(&zero.to_string()));
        }
        Ok(Target {
            host: first.ip().to_string(),
            port: first.port(),
            addrs,
        })
    }

    /// The host: a name or an IP address (IPv6 without brackets).
    ///
    /// Scheme: `HOSTNAME` of `tcp-connect`.
    #[doc(alias("HOSTNAME", "tcp-connect"))]
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port number (a service name already looked up).
    ///
    /// Scheme: `TCPPORT` of `tcp-connect`.
    #[doc(alias("TCPPORT", "tcp-connect"))]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The socket addresses to try, in order: the addresses themselves, or
    /// what the host name resolves to (`getaddrinfo`, which may block for
    /// as long as the resolver takes). [`crate::connect_with`] tries them
    /// in this order within one deadline; an async connect does the same
    /// with these addresses, and reports failure with
    /// [`Target::connect_error`].
    ///
    /// Scheme: none (`tcp-connect` looks the host up itself).
    ///
    /// # Errors
    ///
    /// A failed lookup, as a network error naming the host.
    pub fn resolve(&self) -> io::Result<Vec<SocketAddr>> {
        match self.addrs.is_empty() {
            false => Ok(self.addrs.clone()),
            true => resolve_host(&self.host, self.port),
        }
    }

    /// The error of a connect to this target that failed: `last`, the error
    /// of the last address tried, its kind kept, with a message naming the
    /// target and every address `tried`:
    /// `connect to localhost:4242 (tried 127.0.0.1:4242): Connection refused`.
    ///
    /// Scheme: the `(exn i/o net)` condition of a failed `tcp-connect`.
    #[doc(alias("exn", "tcp-connect"))]
    pub fn connect_error(&self, tried: &[SocketAddr], last: io::Error) -> io::Error {
        network_error(
            last,
            "connect to",
            &Tried {
                target: self,
                addrs: tried,
            },
        )
    }
}

/// The stream socket addresses of `host` (a name, or an IP address with or
/// without brackets) at `port`, in the order `getaddrinfo` gives them.
pub(crate) fn resolve_host(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    let bare = unbracket(host)?;
    check_host(bare, host)?;
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    netprim::resolve(bare, port).map_err(|e| match e.kind() {
        // A host no name can be (too long): a bad argument, not a network error.
        io::ErrorKind::InvalidInput => e,
        _ => network_error(e, "look up", &shortened(bare)),
    })
}

fn unbracket(host: &str) -> io::Result<&str> {
    match (host.strip_prefix('['), host.ends_with(']')) {
        (Some(inner), true) if inner.contains(':') => Ok(&inner[..inner.len() - 1]),
        (Some(_), true) => Err(invalid_input(format!(
            "host {}: brackets are for IPv6 addresses only",
            quoted(host)
        ))),
        (None, false) => Ok(host),
        _ => Err(invalid_input(format!(
            "host {} has unbalanced brackets",
            quoted(host)
        ))),
    }
}

fn check_host(host: &str, whole: &str) -> io::Result<()> {
    if host.is_empty() {
        return Err(invalid_input(format!(
            "{} has an empty host",
            quoted(whole)
        )));
    }
    // A colon only ever appears in an IPv6 address, maybe with a zone
    // (`fe80::1%eth0`); anything else with one is a mistyped `host:port`.
    if host.contains(':') && !is_ipv6(host) {
        return Err(invalid_input(format!(
            "host {} in {} has a ':' but is not an IPv6 address (give the port apart)",
            quoted(host),
            quoted(whole)
        )));
    }
    if host.contains(['\0', '[', ']']) || host.chars().any(char::is_whitespace) {
        return Err(invalid_input(format!(
            "host {} in {} is not a host name or address",
            quoted(host),
            quoted(whole)
        )));
    }
    Ok(())
}

/// An IPv6 address, maybe with a zone (`fe80::1%eth0`).
fn is_ipv6(host: &str) -> bool {
    let addr = host.split_once('%').map_or(host, |(a, _)| a);
    addr.parse::<Ipv6Addr>().is_ok()
}

/// `a:b:c`, `[::1]:80:90`: a colon too many, whichever side it is on.
fn too_many_colons(whole: &str) -> String {
    format!(
        "{} has more than one ':' (expected HOST:PORT, or [IPv6]:PORT for an IPv6 address)",
        quoted(whole)
    )
}

fn parse_port(port: &str, whole: &str) -> io::Result<u16> {
    if port.is_empty() {
        return Err(invalid_input(format!(
            "{} has an empty port",
            quoted(whole)
        )));
    }
    if port.contains(':') {
        return Err(invalid_input(too_many_colons(whole)));
    }
    // A sign makes no port: `-1` is out of range, not a service name.
    let digits = port.strip_prefix(['-', '+']).unwrap_or(port);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return match port.parse::<u16>() {
            Ok(0) => Err(port_zero(whole)),
            Ok(n) if digits.len() == port.len() => Ok(n),
            _ => Err(invalid_input(format!(
                "port {} in {} is not a number from 1 to 65535",
                quoted(port),
                quoted(whole)
            ))),
        };
    }
    match netprim::service_by_name(port, Some("tcp")) {
        Ok(entry) if entry.port != 0 => Ok(entry.port),
        Ok(_) => Err(port_zero(whole)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(invalid_input(format!(
            "unknown TCP service {} in {}",
            quoted(port),
            quoted(whole)
        ))),
        Err(e) => Err(network_error(
            e,
            "look up service",
            &format_args!("{} in {}", quoted(port), quoted(whole)),
        )),
    }
}

fn port_zero(whole: &str) -> io::Error {
    invalid_input(format!("{}: port 0 cannot be connected to", quoted(whole)))
}

impl fmt::Display for Target {
    /// `host:port`, `[v6addr]:port`; a list of addresses as they print,
    /// separated by commas.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.addrs.len() > 1 {
            for (i, a) in self.addrs.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{a}")?;
            }
            return Ok(());
        }
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl FromStr for Target {
    type Err = io::Error;

    /// [`Target::parse`].
    fn from_str(s: &str) -> io::Result<Target> {
        Target::parse(s)
    }
}

/// What [`crate::connect`] takes: anything that names a host and a port.
///
/// Implemented for `"host:port"` strings (`&str`, `String`), `(host, port)`
/// pairs with a string or IP address host, std's socket addresses, and
/// [`Target`] itself.
///
/// Scheme: the arguments of `tcp-connect`.
#[doc(alias = "tcp-connect")]
pub trait IntoTarget {
    /// The target, or why it is not one.
    ///
    /// Scheme: how `tcp-connect` reads its `HOSTNAME [TCPPORT]` arguments.
    ///
    /// # Errors
    ///
    /// `InvalidInput` as for [`Target::parse`] and [`Target::new`].
    #[doc(alias("tcp-connect", "HOSTNAME"))]
    fn into_target(self) -> io::Result<Target>;
}

impl IntoTarget for Target {
    fn into_target(self) -> io::Result<Target> {
        Ok(self)
    }
}

impl IntoTarget for &Target {
    fn into_target(self) -> io::Result<Target> {
        Ok(self.clone())
    }
}

impl IntoTarget for &str {
    fn into_target(self) -> io::Result<Target> {
        Target::parse(self)
    }
}

impl IntoTarget for String {
    fn into_target(self) -> io::Result<Target> {
        Target::parse(&self)
    }
}

impl IntoTarget for &String {
    fn into_target(self) -> io::Result<Target> {
        Target::parse(self)
    }
}

impl IntoTarget for (&str, u16) {
    fn into_target(self) -> io::Result<Target> {
        Target::new(self.0, self.1)
    }
}

impl IntoTarget for (String, u16) {
    fn into_target(self) -> io::Result<Target> {
        Target::new(&self.0, self.1)
    }
}

impl IntoTarget for SocketAddr {
    fn into_target(self) -> io::Result<Target> {
        if self.port() == 0 {
            return Err(port_zero(&self.to_string()));
        }
        Ok(Target {
            host: self.ip().to_string(),
            port: self.port(),
            addrs: vec![self],
        })
    }
}

impl IntoTarget for &[SocketAddr] {
    /// [`Target::from_addrs`].
    fn into_target(self) -> io::Result<Target> {
        Target::from_addrs(self.to_vec())
    }
}

impl IntoTarget for Vec<SocketAddr> {
    /// [`Target::from_addrs`].
    fn into_target(self) -> io::Result<Target> {
        Target::from_addrs(self)
    }
}

/// The target and the addresses tried, for error messages:
/// `localhost:4242 (tried [::1]:4242, 127.0.0.1:4242)`.
struct Tried<'a> {
    target: &'a Target,
    addrs: &'a [SocketAddr],
}

impl fmt::Display for Tried<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.target)?;
        // An address target needs no list of itself.
        if self.addrs.is_empty() || self.addrs == self.target.addrs.as_slice() {
            return Ok(());
        }
        f.write_str(" (tried ")?;
        for (i, a) in self.addrs.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{a}")?;
        }
        f.write_str(")")
    }
}

/// Conversions that go through [`SocketAddr`].
macro_rules! via_socket_addr {
    ($($t:ty),+ $(,)?) => {$(
        impl IntoTarget for $t {
            fn into_target(self) -> io::Result<Target> {
                SocketAddr::from(self).into_target()
            }
        }
    )+};
}

via_socket_addr!(
    SocketAddrV4,
    SocketAddrV6,
    (IpAddr, u16),
    (Ipv4Addr, u16),
    (Ipv6Addr, u16),
    ([u8; 4], u16),
    ([u16; 8], u16),
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_that_parse() {
        let t = Target::parse("example.org:4242").unwrap();
        assert_eq!(
            (t.host(), t.port(), t.addrs.is_empty()),
            ("example.org", 4242, true)
        );
        let t = Target::parse("127.0.0.1:1").unwrap();
        assert_eq!(t.addrs, ["127.0.0.1:1".parse().unwrap()]);
        let t = Target::parse("[::1]:65535").unwrap();
        assert_eq!((t.host(), t.port()), ("::1", 65535));
        let t = Target::parse("[fe80::1%2]:80").unwrap();
        assert!(matches!(t.addrs[..], [SocketAddr::V6(a)] if a.scope_id() == 2));
        assert_eq!(Target::new("[::1]", 7).unwrap().to_string(), "[::1]:7");
        assert_eq!(Target::new("::1", 7).unwrap().to_string(), "[::1]:7");
    }

    #[test]
    fn bad_forms_are_invalid_input_quoting_the_value() {
        for bad in [
            "localhost",
            "localhost:",
            ":80",
            "[::1]",
            "[::1:80",
            "[::1]80",
            "::1:80",
            "localhost:70000",
            "localhost:0",
            "localhost:-1",
            "localhost:no-such-service-here",
            "a:b:c",
            "[::1]:80:90",
            "localhost:+80",
            "local host:80",
            "a\0b:80",
            "[]:80",
            "[localhost]:80",
            "[1.2.3.4]:80",
            "[zz:zz]:80",
        ] {
            let err = Target::parse(bad).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad:?}");
            let quoted = format!("{bad:?}");
            assert!(
                err.to_string().contains(&quoted[1..quoted.len() - 1]),
                "{bad:?}: {err}"
            );
        }
        for (host, port) in [("", 80), ("h", 0), ("[::1", 80), ("a b", 80), ("h:80", 81)] {
            let err = Target::new(host, port).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{host:?}");
        }
        let err = SocketAddr::from(([127, 0, 0, 1], 0))
            .into_target()
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn bad_forms_say_what_is_wrong() {
        let msg = |s: &str| Target::parse(s).unwrap_err().to_string();
        // Before: "an IPv6 address needs brackets", though "a:b" is none.
        assert!(
            msg("a:b:c").contains("more than one ':'"),
            "{}",
            msg("a:b:c")
        );
        assert!(
            msg("::1:80").contains("needs brackets"),
            "{}",
            msg("::1:80")
        );
        // Before: "unknown TCP service" for both.
        let m = msg("host:-1");
        assert!(
            m.contains(r#"port "-1""#) && m.contains("1 to 65535"),
            "{m}"
        );
        let m = msg("[::1]:80:90");
        assert!(m.contains("more than one ':'"), "{m}");
        let m = Target::new("h:80", 81).unwrap_err().to_string();
        assert!(m.contains("not an IPv6 address"), "{m}");
    }

    #[test]
    fn huge_values_are_not_quoted_whole() {
        let huge = "h".repeat(400_000);
        for bad in [
            format!("{huge} x:80"),
            format!("{huge}:nope"),
            format!("{huge}:99999"),
        ] {
            let err = Target::parse(&bad).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
            assert!(
                err.to_string().len() < 400,
                "{} bytes",
                err.to_string().len()
            );
        }
        // A well-formed target whose host is too long for any name: refused
        // by the lookup before any query, quoted cut, and not a network error.
        let err = Target::new(&huge, 80).unwrap().resolve().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
        assert!(
            err.to_string().len() < 400,
            "{} bytes",
            err.to_string().len()
        );
        assert!(!crate::is_network_error(&err));
    }

    #[test]
    fn service_names_are_looked_up() {
        assert_eq!(Target::parse("localhost:http").unwrap().port(), 80);
        assert_eq!(Target::parse("[::1]:https").unwrap().port(), 443);
        // Straight from the services database, not a table of our own.
        let ftp = netprim::service_by_name("ftp", Some("tcp")).unwrap().port;
        assert_eq!(Target::parse("localhost:ftp").unwrap().port(), ftp);
        assert_eq!(Target::parse("localhost:domain").unwrap().port(), 53);
    }
}
