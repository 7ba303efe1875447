//! Socket addresses of every family: IPv4, IPv6 and Unix (paths and Linux
//! abstract names), with the accessors of Guile's `sockaddr:*` procedures and
//! conversions to and from std's types and raw `struct sockaddr` bytes.

use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::mem::size_of;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::Domain;
use crate::error::{invalid_input, quoted};

/// The address of a socket: IPv4, IPv6 or Unix.
///
/// Scheme: the socket address object of Guile (`make-socket-address`, the
/// value of `accept`'s cdr, `getsockname`, `getpeername`, `recvfrom!`) and the
/// struct sockaddr bytevector of Vicare (see [`SockAddr::from_bytes`]).
///
/// ```
/// use netprim::SockAddr;
///
/// let v4: SockAddr = "127.0.0.1:4242".parse()?;
/// assert_eq!(v4.port(), Some(4242));
/// let unix = SockAddr::unix("/tmp/chat.sock")?;
/// assert_eq!(unix.to_string(), "/tmp/chat.sock");
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias(
    "make-socket-address",
    "accept",
    "getsockname",
    "getpeername",
    "recvfrom!"
))]
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum SockAddr {
    /// An IPv4 address and port (`AF_INET`).
    V4(SocketAddrV4),
    /// An IPv6 address, port, flow info and scope id (`AF_INET6`).
    V6(SocketAddrV6),
    /// A Unix-domain address (`AF_UNIX`).
    Unix(UnixAddr),
}

/// The address of a Unix-domain socket.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum UnixAddr {
    /// A socket file in the file system.
    Path(PathBuf),
    /// A Linux abstract name (no file; the leading NUL is not included).
    Abstract(Vec<u8>),
    /// An unbound socket, such as either end of a socket pair.
    Unnamed,
}

// Offsets and sizes of the Linux `struct sockaddr_*` layouts, which are
// fixed by the ABI; `from_bytes` reads them without any unsafe code.
const FAMILY_LEN: usize = size_of::<libc::sa_family_t>();
const IN_LEN: usize = size_of::<libc::sockaddr_in>();
const IN6_LEN: usize = size_of::<libc::sockaddr_in6>();
const UN_LEN: usize = size_of::<libc::sockaddr_un>();
const SUN_PATH_MAX: usize = UN_LEN - FAMILY_LEN;

impl SockAddr {
    /// A Unix-domain address for the socket file at `path`.
    ///
    /// Scheme: `(make-socket-address AF_UNIX path)`, SCM's `socket:bind` and
    /// `socket:connect` with a pathname.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if the path is empty, holds a NUL byte or does not fit
    /// in `sun_path` (107 bytes on Linux).
    #[doc(alias("make-socket-address", "socket:bind", "socket:connect"))]
    pub fn unix(path: impl AsRef<Path>) -> io::Result<SockAddr> {
        let path = path.as_ref();
        let bytes = path.as_os_str().as_bytes();
        if bytes.is_empty() || bytes.contains(&0) || bytes.len() >= SUN_PATH_MAX {
            return Err(invalid_input(format!(
                "unix socket path {} must be 1 to {} bytes without NUL",
                quoted(&path.to_string_lossy()),
                SUN_PATH_MAX - 1
            )));
        }
        Ok(SockAddr::Unix(UnixAddr::Path(path.to_path_buf())))
    }

    /// A Linux abstract Unix-domain address: no file is created, and the name
    /// disappears with the last socket bound to it.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if the name is longer than 107 bytes.
    pub fn abstract_name(name: impl AsRef<[u8]>) -> io::Result<SockAddr> {
        let name = name.as_ref();
        if name.len() >= SUN_PATH_MAX {
            return Err(invalid_input(format!(
                "abstract unix name of {} bytes is longer than {}",
                name.len(),
                SUN_PATH_MAX - 1
            )));
        }
        Ok(SockAddr::Unix(UnixAddr::Abstract(name.to_vec())))
    }

    /// The address family.
    ///
    /// Scheme: `sockaddr:fam`.
    #[doc(alias = "sockaddr:fam")]
    pub fn family(&self) -> Domain {
        match self {
            SockAddr::V4(_) => Domain::IPV4,
            SockAddr::V6(_) => Domain::IPV6,
            SockAddr::Unix(_) => Domain::UNIX,
        }
    }

    /// The IP address, for IPv4 and IPv6.
    ///
    /// Scheme: `sockaddr:addr`.
    #[doc(alias = "sockaddr:addr")]
    pub fn ip(&self) -> Option<IpAddr> {
        self.as_socket().map(|a| a.ip())
    }

    /// The port, for IPv4 and IPv6.
    ///
    /// Scheme: `sockaddr:port`.
    #[doc(alias = "sockaddr:port")]
    pub fn port(&self) -> Option<u16> {
        self.as_socket().map(|a| a.port())
    }

    /// The socket file's path, for a Unix address bound to a path.
    ///
    /// Scheme: `sockaddr:path`.
    #[doc(alias = "sockaddr:path")]
    pub fn path(&self) -> Option<&Path> {
        match self {
            SockAddr::Unix(UnixAddr::Path(p)) => Some(p),
            _ => None,
        }
    }

    /// The abstract name, for a Linux abstract Unix address.
    pub fn abstract_bytes(&self) -> Option<&[u8]> {
        match self {
            SockAddr::Unix(UnixAddr::Abstract(n)) => Some(n),
            _ => None,
        }
    }

    /// The IPv6 flow information, for IPv6.
    ///
    /// Scheme: `sockaddr:flowinfo`.
    #[doc(alias = "sockaddr:flowinfo")]
    pub fn flowinfo(&self) -> Option<u32> {
        match self {
            SockAddr::V6(a) => Some(a.flowinfo()),
            _ => None,
        }
    }

    /// The IPv6 scope id (interface index), for IPv6.
    ///
    /// Scheme: `sockaddr:scopeid`.
    #[doc(alias = "sockaddr:scopeid")]
    pub fn scope_id(&self) -> Option<u32> {
        match self {
            SockAddr::V6(a) => Some(a.scope_id()),
            _ => None,
        }
    }

    /// The address as std's [`SocketAddr`], for IPv4 and IPv6.
    pub fn as_socket(&self) -> Option<SocketAddr> {
        match self {
            SockAddr::V4(a) => Some(SocketAddr::V4(*a)),
            SockAddr::V6(a) => Some(SocketAddr::V6(*a)),
            SockAddr::Unix(_) => None,
        }
    }

    /// Whether this is an unnamed Unix address.
    pub fn is_unnamed(&self) -> bool {
        matches!(self, SockAddr::Unix(UnixAddr::Unnamed))
    }

    /// Parses the bytes of a `struct sockaddr` as the kernel lays it out
    /// (`sockaddr_in`, `sockaddr_in6` or `sockaddr_un`), the length of the
    /// slice being the address length.
    ///
    /// Scheme: the client address bytevector returned by Vicare's
    /// `make-server-sock-and-port`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` naming the problem for any slice that is not a valid
    /// address of a supported family: too short, too long, or an unknown
    /// family. Never panics, whatever the bytes.
    #[doc(alias = "make-server-sock-and-port")]
    pub fn from_bytes(bytes: &[u8]) -> io::Result<SockAddr> {
        let family = match bytes.get(..FAMILY_LEN) {
            Some(f) => libc::sa_family_t::from_ne_bytes([f[0], f[1]]),
            None => {
                return Err(invalid_input(format!(
                    "sockaddr of {} bytes is too short to hold a family",
                    bytes.len()
                )));
            }
        };
        let need = |len: usize, name: &str| {
            if bytes.len() < len {
                Err(invalid_input(format!(
                    "{name} needs {len} bytes, got {}",
                    bytes.len()
                )))
            } else {
                Ok(())
            }
        };
        let be16 = |at: usize| u16::from_be_bytes([bytes[at], bytes[at + 1]]);
        let arr4 = |at: usize| [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
        match i32::from(family) {
            libc::AF_INET => {
                need(IN_LEN, "sockaddr_in")?;
                let ip = Ipv4Addr::from(arr4(4));
                Ok(SockAddr::V4(SocketAddrV4::new(ip, be16(2))))
            }
            libc::AF_INET6 => {
                need(IN6_LEN, "sockaddr_in6")?;
                // std and socket2 copy `sin6_flowinfo` as a native integer,
                // not from network order; read it the same way so that these
                // bytes and the addresses sockets return agree.
                let flowinfo = u32::from_ne_bytes(arr4(4));
                let mut octets = [0u8; 16];
                octets.copy_from_slice(&bytes[8..24]);
                let scope_id = u32::from_ne_bytes(arr4(24));
                let ip = Ipv6Addr::from(octets);
                Ok(SockAddr::V6(SocketAddrV6::new(
                    ip,
                    be16(2),
                    flowinfo,
                    scope_id,
                )))
            }
            libc::AF_UNIX => {
                if bytes.len() > UN_LEN {
                    return Err(invalid_input(format!(
                        "sockaddr_un of {} bytes is longer than {UN_LEN}",
                        bytes.len()
                    )));
                }
                let path = &bytes[FAMILY_LEN..];
                Ok(SockAddr::Unix(match path.first() {
                    None => UnixAddr::Unnamed,
                    Some(0) => UnixAddr::Abstract(path[1..].to_vec()),
                    Some(_) => {
                        let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
                        UnixAddr::Path(PathBuf::from(OsStr::from_bytes(&path[..end])))
                    }
                }))
            }
            other => Err(invalid_input(format!(
                "sockaddr family {other} is not AF_INET, AF_INET6 or AF_UNIX"
            ))),
        }
    }

    /// The bytes of the `struct sockaddr` for this address, as the kernel
    /// takes them; [`SockAddr::from_bytes`] reads them back.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(IN6_LEN);
        match self {
            SockAddr::V4(a) => {
                out.extend_from_slice(&(libc::AF_INET as libc::sa_family_t).to_ne_bytes());
                out.extend_from_slice(&a.port().to_be_bytes());
                out.extend_from_slice(&a.ip().octets());
                out.resize(IN_LEN, 0);
            }
            SockAddr::V6(a) => {
                out.extend_from_slice(&(libc::AF_INET6 as libc::sa_family_t).to_ne_bytes());
                out.extend_from_slice(&a.port().to_be_bytes());
                out.extend_from_slice(&a.flowinfo().to_ne_bytes());
                out.extend_from_slice(&a.ip().octets());
                out.extend_from_slice(&a.scope_id().to_ne_bytes());
            }
            SockAddr::Unix(u) => {
                out.extend_from_slice(&(libc::AF_UNIX as libc::sa_family_t).to_ne_bytes());
                match u {
                    UnixAddr::Path(p) => {
                        out.extend_from_slice(p.as_os_str().as_bytes());
                        out.push(0);
                    }
                    UnixAddr::Abstract(n) => {
                        out.push(0);
                        out.extend_from_slice(n);
                    }
                    UnixAddr::Unnamed => {}
                }
            }
        }
        out
    }

    pub(crate) fn to_socket2(&self) -> io::Result<socket2::SockAddr> {
        match self {
            SockAddr::V4(a) => Ok((*a).into()),
            SockAddr::V6(a) => Ok((*a).into()),
            SockAddr::Unix(UnixAddr::Path(p)) => socket2::SockAddr::unix(p),
            SockAddr::Unix(UnixAddr::Abstract(n)) => {
                // socket2 treats a leading NUL as Linux's abstract namespace.
                let mut name = Vec::with_capacity(n.len() + 1);
                name.push(0);
                name.extend_from_slice(n);
                socket2::SockAddr::unix(OsStr::from_bytes(&name))
            }
            SockAddr::Unix(UnixAddr::Unnamed) => Err(invalid_input(
                "an unnamed unix address cannot be bound or connected to",
            )),
        }
    }

    pub(crate) fn from_socket2(addr: &socket2::SockAddr) -> io::Result<SockAddr> {
        if let Some(a) = addr.as_socket() {
            return Ok(a.into());
        }
        if addr.is_unnamed() {
            return Ok(SockAddr::Unix(UnixAddr::Unnamed));
        }
        if let Some(p) = addr.as_pathname() {
            return Ok(SockAddr::Unix(UnixAddr::Path(p.to_path_buf())));
        }
        if let Some(n) = addr.as_abstract_namespace() {
            return Ok(SockAddr::Unix(UnixAddr::Abstract(n.to_vec())));
        }
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("address family {} is not supported", addr.family()),
        ))
    }
}

impl fmt::Display for SockAddr {
    /// IP addresses print as std prints them (`127.0.0.1:80`, `[::1]:80`),
    /// Unix paths as the path, abstract names as `@name` (as `ss` shows them)
    /// and unnamed Unix addresses as `(unnamed)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SockAddr::V4(a) => a.fmt(f),
            SockAddr::V6(a) => a.fmt(f),
            SockAddr::Unix(UnixAddr::Path(p)) => p.display().fmt(f),
            SockAddr::Unix(UnixAddr::Abstract(n)) => {
                write!(f, "@{}", String::from_utf8_lossy(n))
            }
            SockAddr::Unix(UnixAddr::Unnamed) => f.write_str("(unnamed)"),
        }
    }
}

impl fmt::Debug for SockAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SockAddr::V4(_) | SockAddr::V6(_) => write!(f, "SockAddr({self})"),
            SockAddr::Unix(u) => write!(f, "SockAddr({u:?})"),
        }
    }
}

impl fmt::Debug for UnixAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnixAddr::Path(p) => write!(f, "Path({p:?})"),
            UnixAddr::Abstract(n) => write!(f, "Abstract({:?})", String::from_utf8_lossy(n)),
            UnixAddr::Unnamed => f.write_str("Unnamed"),
        }
    }
}

impl FromStr for SockAddr {
    type Err = io::Error;

    /// Parses `1.2.3.4:80` and `[::1]:80` as IP addresses, a string starting
    /// with `/` or `.` as a Unix path, and `@name` as a Linux abstract name.
    fn from_str(s: &str) -> io::Result<SockAddr> {
        if let Ok(a) = s.parse::<SocketAddr>() {
            return Ok(a.into());
        }
        if s.starts_with('/') || s.starts_with('.') {
            return SockAddr::unix(s);
        }
        if let Some(name) = s.strip_prefix('@') {
            return SockAddr::abstract_name(name);
        }
        Err(invalid_input(format!(
            "{} is not a socket address (expected IP:PORT, [IPv6]:PORT, /path or @name)",
            quoted(s)
        )))
    }
}

impl From<SocketAddr> for SockAddr {
    fn from(a: SocketAddr) -> SockAddr {
        match a {
            SocketAddr::V4(a) => SockAddr::V4(a),
            SocketAddr::V6(a) => SockAddr::V6(a),
        }
    }
}

impl From<SocketAddrV4> for SockAddr {
    fn from(a: SocketAddrV4) -> SockAddr {
        SockAddr::V4(a)
    }
}

impl From<SocketAddrV6> for SockAddr {
    fn from(a: SocketAddrV6) -> SockAddr {
        SockAddr::V6(a)
    }
}

impl<I: Into<IpAddr>> From<(I, u16)> for SockAddr {
    fn from((ip, port): (I, u16)) -> SockAddr {
        SocketAddr::new(ip.into(), port).into()
    }
}

impl TryFrom<SockAddr> for SocketAddr {
    type Error = io::Error;

    /// # Errors
    ///
    /// `InvalidInput` for a Unix address.
    fn try_from(a: SockAddr) -> io::Result<SocketAddr> {
        a.as_socket()
            .ok_or_else(|| invalid_input(format!("unix address {a} is not an IP socket address")))
    }
}

impl TryFrom<&SockAddr> for SocketAddr {
    type Error = io::Error;

    fn try_from(a: &SockAddr) -> io::Result<SocketAddr> {
        SocketAddr::try_from(a.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_every_family() {
        let addrs: Vec<SockAddr> = vec![
            "192.0.2.1:80".parse().unwrap(),
            SockAddr::V6(SocketAddrV6::new(Ipv6Addr::LOCALHOST, 443, 7, 3)),
            SockAddr::unix("/tmp/x.sock").unwrap(),
            SockAddr::abstract_name("chat").unwrap(),
            SockAddr::Unix(UnixAddr::Unnamed),
        ];
        for a in addrs {
            assert_eq!(SockAddr::from_bytes(&a.to_bytes()).unwrap(), a);
        }
    }

    /// One address of each kind socket2 can hold, with non-zero flow info
    /// and scope id so that byte order mistakes show.
    fn socket2_samples() -> [SockAddr; 4] {
        [
            SockAddr::from(([10, 1, 2, 3], 8080)),
            SockAddr::V6(SocketAddrV6::new(Ipv6Addr::LOCALHOST, 443, 0x12345, 9)),
            SockAddr::unix("/tmp/y.sock").unwrap(),
            SockAddr::abstract_name("abc").unwrap(),
        ]
    }

    #[test]
    fn bytes_agree_with_socket2() {
        for a in socket2_samples() {
            let s2 = a.to_socket2().unwrap();
            assert_eq!(SockAddr::from_socket2(&s2).unwrap(), a, "{a}");
        }
    }

    #[test]
    fn bytes_are_the_kernel_layout_socket2_uses() {
        for a in socket2_samples() {
            let s2 = a.to_socket2().unwrap();
            // SAFETY: `s2` holds `len()` initialised bytes of its storage.
            let raw =
                unsafe { std::slice::from_raw_parts(s2.as_ptr().cast::<u8>(), s2.len() as usize) };
            assert_eq!(a.to_bytes(), raw, "{a}");
            assert_eq!(SockAddr::from_bytes(raw).unwrap(), a, "{a}");
        }
    }

    #[test]
    fn short_and_unknown_bytes_are_errors() {
        assert!(SockAddr::from_bytes(&[]).is_err());
        assert!(SockAddr::from_bytes(&[2]).is_err());
        let mut v4 = SockAddr::from(([1, 2, 3, 4], 5)).to_bytes();
        v4.truncate(7);
        let err = SockAddr::from_bytes(&v4).unwrap_err();
        assert!(
            err.to_string()
                .contains("sockaddr_in needs 16 bytes, got 7"),
            "{err}"
        );
        let err = SockAddr::from_bytes(&[0xff, 0x7f, 0, 0]).unwrap_err();
        assert!(err.to_string().contains("family"), "{err}");
    }
}
