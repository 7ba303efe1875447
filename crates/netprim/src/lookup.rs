//! Name, service and protocol lookups: `getaddrinfo(3)` and the network
//! databases (`/etc/services`, `/etc/protocols`, hosts), thread-safe.
//!
//! Every lookup here is reentrant: the host calls go through
//! `getaddrinfo`/`getnameinfo`, the service and protocol calls through
//! glibc's `get*_r` functions with a buffer that grows until the entry fits.
//! A name that is not known is an [`io::ErrorKind::NotFound`] error quoting
//! it; text that cannot be a name at all (a NUL byte, a bad address) is
//! [`io::ErrorKind::InvalidInput`].

use std::ffi::{CStr, CString};
use std::io;
use std::mem::MaybeUninit;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::raw::{c_char, c_int};
use std::ptr;

use crate::error::{annotate, invalid_input, quoted};
use crate::sys::{
    EAI_ADDRFAMILY, getprotobyname_r, getprotobynumber_r, getservbyname_r, getservbyport_r,
};
use crate::{Domain, Protocol, SockAddr, Type};

/// Flags for [`getaddrinfo`]: a bitwise OR of `AI_*` constants.
///
/// Scheme: Guile's `AI_PASSIVE`, `AI_CANONNAME`, `AI_NUMERICHOST`,
/// `AI_NUMERICSERV`, `AI_ADDRCONFIG`, `AI_V4MAPPED`, `AI_ALL`.
///
/// ```
/// use netprim::AiFlags;
/// let flags = AiFlags::PASSIVE | AiFlags::NUMERICSERV;
/// assert!(flags.contains(AiFlags::PASSIVE));
/// assert_eq!(format!("{flags:?}"), "AiFlags(PASSIVE | NUMERICSERV)");
/// ```
#[doc(alias(
    "AI_PASSIVE",
    "AI_CANONNAME",
    "AI_NUMERICHOST",
    "AI_NUMERICSERV",
    "AI_ADDRCONFIG",
    "AI_V4MAPPED",
    "AI_ALL"
))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AiFlags(i32);

impl AiFlags {
    /// No flags.
    pub const NONE: AiFlags = AiFlags(0);
    /// `AI_PASSIVE`: with no host, return the wildcard address (for `bind`)
    /// rather than loopback (for `connect`).
    pub const PASSIVE: AiFlags = AiFlags(libc::AI_PASSIVE);
    /// `AI_CANONNAME`: fill in [`AddrInfo::canonname`] of the first answer.
    pub const CANONNAME: AiFlags = AiFlags(libc::AI_CANONNAME);
    /// `AI_NUMERICHOST`: the host must be a numeric address; no name lookup.
    pub const NUMERICHOST: AiFlags = AiFlags(libc::AI_NUMERICHOST);
    /// `AI_NUMERICSERV`: the service must be a port number; no service lookup.
    pub const NUMERICSERV: AiFlags = AiFlags(libc::AI_NUMERICSERV);
    /// `AI_ADDRCONFIG`: only families for which the machine has a
    /// non-loopback address configured.
    pub const ADDRCONFIG: AiFlags = AiFlags(libc::AI_ADDRCONFIG);
    /// `AI_V4MAPPED`: with family IPv6 and no IPv6 answer, return IPv4
    /// addresses mapped into IPv6 (`::ffff:a.b.c.d`).
    pub const V4MAPPED: AiFlags = AiFlags(libc::AI_V4MAPPED);
    /// `AI_ALL`: with `V4MAPPED`, return IPv6 and mapped IPv4 addresses.
    pub const ALL: AiFlags = AiFlags(libc::AI_ALL);
}

c_flags!(AiFlags {
    PASSIVE,
    CANONNAME,
    NUMERICHOST,
    NUMERICSERV,
    ADDRCONFIG,
    V4MAPPED,
    ALL,
});

/// What [`getaddrinfo`] should look for; `None` fields accept anything.
///
/// Scheme: the optional `hint_flags`, `hint_family`, `hint_socktype` and
/// `hint_protocol` arguments of Guile's `getaddrinfo`. Unlike Guile, the
/// protocol hint is honoured.
///
/// ```
/// use netprim::{AddrInfoHints, AiFlags, Domain, Type};
/// let hints = AddrInfoHints {
///     flags: AiFlags::NUMERICHOST,
///     family: Some(Domain::IPV6),
///     socktype: Some(Type::STREAM),
///     ..Default::default()
/// };
/// # let _ = hints;
/// ```
#[doc(alias(
    "hint_flags",
    "hint_family",
    "hint_socktype",
    "hint_protocol",
    "getaddrinfo"
))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AddrInfoHints {
    /// `ai_flags`.
    pub flags: AiFlags,
    /// `ai_family`: `None` is `AF_UNSPEC` (any family).
    pub family: Option<Domain>,
    /// `ai_socktype`: `None` is 0 (any style).
    pub socktype: Option<Type>,
    /// `ai_protocol`: `None` is 0 (any protocol).
    pub protocol: Option<Protocol>,
}

/// One answer of [`getaddrinfo`]: every field of a `struct addrinfo`.
///
/// Scheme: Guile's `addrinfo` object, read with `addrinfo:flags`,
/// `addrinfo:fam`, `addrinfo:socktype`, `addrinfo:protocol`, `addrinfo:addr`
/// and `addrinfo:canonname`.
#[doc(alias(
    "addrinfo",
    "addrinfo:flags",
    "addrinfo:fam",
    "addrinfo:socktype",
    "addrinfo:protocol",
    "addrinfo:addr",
    "addrinfo:canonname"
))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrInfo {
    /// `ai_flags` as the resolver returned them.
    pub flags: AiFlags,
    /// `ai_family`: [`Domain::IPV4`] or [`Domain::IPV6`].
    pub family: Domain,
    /// `ai_socktype`: stream, datagram or raw.
    pub socktype: Type,
    /// `ai_protocol`: TCP, UDP, or 0 for raw.
    pub protocol: Protocol,
    /// `ai_addr`: the address and port.
    pub addr: SockAddr,
    /// `ai_canonname`: the host's canonical name, on the first answer when
    /// [`AiFlags::CANONNAME`] was asked for.
    pub canonname: Option<String>,
}

/// Looks up the addresses of `host` and the port of `service`
/// (`getaddrinfo(3)`), returning every answer in the resolver's order.
///
/// `host` is a name or a numeric address; `None` means the wildcard address
/// with [`AiFlags::PASSIVE`], else loopback. `service` is a service name
/// (`"http"`) or a port number (`"80"`); `None` leaves the port 0. Every hint
/// is honoured.
///
/// Scheme: Guile's `getaddrinfo name service hint_flags hint_family
/// hint_socktype hint_protocol`.
///
/// ```
/// use netprim::{getaddrinfo, AddrInfoHints, AiFlags, Type};
///
/// let hints = AddrInfoHints {
///     flags: AiFlags::NUMERICHOST,
///     socktype: Some(Type::STREAM),
///     ..Default::default()
/// };
/// let answers = getaddrinfo(Some("127.0.0.1"), Some("http"), &hints)?;
/// assert_eq!(answers[0].addr.to_string(), "127.0.0.1:80");
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// - `InvalidInput` if both `host` and `service` are `None`, either holds
///   a NUL byte, or `host` is longer than a host name can be (253
///   characters; refused before any lookup); also for `EAI_BADFLAGS`.
/// - `NotFound` when the host or service is not known (`EAI_NONAME`,
///   `EAI_SERVICE`, `EAI_NODATA`, `EAI_ADDRFAMILY`).
/// - `TimedOut` for `EAI_AGAIN`: the name server did not answer for now;
///   retrying may help.
/// - `Unsupported` for a family or style the resolver does not support
///   (`EAI_FAMILY`, `EAI_SOCKTYPE`); `OutOfMemory` for `EAI_MEMORY`.
/// - `EAI_SYSTEM` is the `errno` behind it; anything else is `Other`.
///
/// The message quotes the host and service and carries `gai_strerror`'s text.
pub fn getaddrinfo(
    host: Option<&str>,
    service: Option<&str>,
    hints: &AddrInfoHints,
) -> io::Result<Vec<AddrInfo>> {
    let target = describe_query(host, service);
    if host.is_none() && service.is_none() {
        return Err(invalid_input(
            "getaddrinfo needs a host, a service or both; both are None",
        ));
    }
    if let Some(h) = host {
        check_host_length(h)?;
    }
    let c_host = host.map(|h| c_string(h, "host name")).transpose()?;
    let c_service = service.map(|s| c_string(s, "service")).transpose()?;

    // SAFETY: `addrinfo` is plain old data for which all zeros (null
    // pointers, zero lengths) is the documented "no hints" value.
    let mut c_hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    c_hints.ai_flags = hints.flags.bits();
    c_hints.ai_family = hints.family.map_or(libc::AF_UNSPEC, c_int::from);
    c_hints.ai_socktype = hints.socktype.map_or(0, c_int::from);
    c_hints.ai_protocol = hints.protocol.map_or(0, c_int::from);

    let mut list = AddrInfoList(ptr::null_mut());
    // SAFETY: the strings are NUL-terminated and outlive the call (or are
    // null, which getaddrinfo accepts), the hints are initialised, and the
    // list pointer is written only on success; `AddrInfoList` frees it on
    // every path out of this function.
    let rc = unsafe {
        libc::getaddrinfo(
            c_host.as_ref().map_or(ptr::null(), |c| c.as_ptr()),
            c_service.as_ref().map_or(ptr::null(), |c| c.as_ptr()),
            &c_hints,
            &mut list.0,
        )
    };
    if rc != 0 {
        return Err(gai_error(rc, &target));
    }
    Ok(list.entries())
}

/// The stream (TCP) addresses of `host` with `port`, in `getaddrinfo`'s
/// order (the order to try them in), without duplicates.
///
/// The host may be a name or a numeric IPv4 or IPv6 address (without
/// brackets).
///
/// Scheme: what Guile code does with `(getaddrinfo host (number->string
/// port))` before `connect`; SCM's `inet:string->address` for a name.
///
/// ```
/// let addrs = netprim::resolve("127.0.0.1", 7)?;
/// assert_eq!(addrs, vec!["127.0.0.1:7".parse().unwrap()]);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`getaddrinfo`]: `NotFound` for an unknown host, `InvalidInput` for a
/// NUL byte, …
#[doc(alias("getaddrinfo", "connect", "inet:string->address"))]
pub fn resolve(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    let hints = AddrInfoHints {
        flags: AiFlags::NUMERICSERV,
        socktype: Some(Type::STREAM),
        ..AddrInfoHints::default()
    };
    let answers = getaddrinfo(Some(host), Some(&port.to_string()), &hints)?;
    let mut out: Vec<SocketAddr> = Vec::with_capacity(answers.len());
    for addr in answers.iter().filter_map(|a| a.addr.as_socket()) {
        if !out.contains(&addr) {
            out.push(addr);
        }
    }
    Ok(out)
}

/// A service from the services database (`/etc/services`).
///
/// Scheme: the vector returned by Guile's and SCM's `getserv`, read in Guile
/// with `servent:name`, `servent:aliases`, `servent:port`, `servent:proto`.
#[doc(alias(
    "getserv",
    "servent:name",
    "servent:aliases",
    "servent:port",
    "servent:proto"
))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceEntry {
    /// The official name, e.g. `"http"`.
    pub name: String,
    /// Other names, e.g. `["www"]`.
    pub aliases: Vec<String>,
    /// The port, in host order.
    pub port: u16,
    /// The protocol, e.g. `"tcp"`.
    pub protocol: String,
}

/// Looks up a service by name (`getservbyname_r(3)`), for `protocol`
/// (`"tcp"`, `"udp"`) or, with `None`, the first protocol listed.
///
/// Scheme: `(getserv name protocol)` (Guile, SCM).
///
/// ```
/// let http = netprim::service_by_name("http", Some("tcp"))?;
/// assert_eq!((http.port, http.protocol.as_str()), (80, "tcp"));
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// `NotFound` quoting the name (`unknown service "nope" for tcp`),
/// `InvalidInput` for a NUL byte, and OS errors of the lookup.
#[doc(alias = "getserv")]
pub fn service_by_name(name: &str, protocol: Option<&str>) -> io::Result<ServiceEntry> {
    let c_name = c_string(name, "service name")?;
    let c_proto = protocol.map(|p| c_string(p, "protocol name")).transpose()?;
    let proto_ptr = c_proto.as_ref().map_or(ptr::null(), |c| c.as_ptr());
    let found = reentrant(
        |entry, buf, len, result| {
            // SAFETY: the strings are NUL-terminated and live across the call;
            // `entry`, `buf` (of `len` bytes) and `result` are valid for writes,
            // as `reentrant` guarantees.
            unsafe { getservbyname_r(c_name.as_ptr(), proto_ptr, entry, buf, len, result) }
        },
        service_entry,
    )?;
    found.ok_or_else(|| {
        not_found(format!(
            "unknown service {}{}",
            quoted(name),
            for_protocol(protocol)
        ))
    })
}

/// Looks up the service on a port (`getservbyport_r(3)`), for `protocol` or,
/// with `None`, the first protocol listed. Unlike SCM 5f3's `getserv`, a port
/// number works.
///
/// Scheme: `(getserv port protocol)` (Guile, SCM).
///
/// ```
/// let http = netprim::service_by_port(80, Some("tcp"))?;
/// assert_eq!(http.name, "http");
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// `NotFound` naming the port (`no service on port 4 for tcp`),
/// `InvalidInput` for a NUL byte in `protocol`, and OS errors of the lookup.
#[doc(alias = "getserv")]
pub fn service_by_port(port: u16, protocol: Option<&str>) -> io::Result<ServiceEntry> {
    let c_proto = protocol.map(|p| c_string(p, "protocol name")).transpose()?;
    let proto_ptr = c_proto.as_ref().map_or(ptr::null(), |c| c.as_ptr());
    // The database takes the port in network order, as an int.
    let net_port = c_int::from(port.to_be());
    let found = reentrant(
        |entry, buf, len, result| {
            // SAFETY: as in `service_by_name`.
            unsafe { getservbyport_r(net_port, proto_ptr, entry, buf, len, result) }
        },
        service_entry,
    )?;
    found.ok_or_else(|| {
        not_found(format!(
            "no service on port {port}{}",
            for_protocol(protocol)
        ))
    })
}

/// A protocol from the protocols database (`/etc/protocols`).
///
/// Scheme: the vector returned by Guile's and SCM's `getproto`, read in Guile
/// with `protoent:name`, `protoent:aliases`, `protoent:proto`.
#[doc(alias("getproto", "protoent:name", "protoent:aliases", "protoent:proto"))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolEntry {
    /// The official name, e.g. `"tcp"`.
    pub name: String,
    /// Other names, e.g. `["TCP"]`.
    pub aliases: Vec<String>,
    /// The protocol number, e.g. 6; see [`ProtocolEntry::protocol`].
    pub number: i32,
}

impl ProtocolEntry {
    /// The number as the [`Protocol`] argument of
    /// [`Socket::new`](crate::Socket::new).
    pub fn protocol(&self) -> Protocol {
        Protocol::from(self.number)
    }
}

/// Looks up a protocol by name (`getprotobyname_r(3)`).
///
/// Scheme: `(getproto name)` (Guile, SCM).
///
/// ```
/// assert_eq!(netprim::protocol_by_name("tcp")?.number, 6);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// `NotFound` quoting the name, `InvalidInput` for a NUL byte, and OS errors
/// of the lookup.
#[doc(alias = "getproto")]
pub fn protocol_by_name(name: &str) -> io::Result<ProtocolEntry> {
    let c_name = c_string(name, "protocol name")?;
    let found = reentrant(
        |entry, buf, len, result| {
            // SAFETY: as in `service_by_name`.
            unsafe { getprotobyname_r(c_name.as_ptr(), entry, buf, len, result) }
        },
        protocol_entry,
    )?;
    found.ok_or_else(|| not_found(format!("unknown protocol {}", quoted(name))))
}

/// Looks up a protocol by number (`getprotobynumber_r(3)`).
///
/// Scheme: `(getproto number)` (Guile, SCM).
///
/// ```
/// assert_eq!(netprim::protocol_by_number(17)?.name, "udp");
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// `NotFound` naming the number, and OS errors of the lookup.
#[doc(alias = "getproto")]
pub fn protocol_by_number(number: i32) -> io::Result<ProtocolEntry> {
    let found = reentrant(
        |entry, buf, len, result| {
            // SAFETY: as in `service_by_name`.
            unsafe { getprotobynumber_r(number, entry, buf, len, result) }
        },
        protocol_entry,
    )?;
    found.ok_or_else(|| not_found(format!("unknown protocol number {number}")))
}

/// A host: its name, other names and addresses.
///
/// Scheme: the vector returned by Guile's and SCM's `gethost`, read in Guile
/// with `hostent:name`, `hostent:aliases`, `hostent:addr-list`.
#[doc(alias("gethost", "hostent:name", "hostent:aliases", "hostent:addr-list"))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostEntry {
    /// The canonical name.
    pub name: String,
    /// Other names: the name asked for, when it is not the canonical one.
    pub aliases: Vec<String>,
    /// Every address, IPv4 and IPv6, in the resolver's order.
    pub addresses: Vec<IpAddr>,
}

/// Looks up a host's canonical name and addresses, of both families (through
/// `getaddrinfo(3)` with `AI_CANONNAME`, which is thread-safe, unlike
/// `gethostbyname`).
///
/// Scheme: `(gethost name)` (Guile, SCM); unlike them, IPv6 addresses are
/// included.
///
/// ```
/// let host = netprim::host_by_name("localhost")?;
/// assert!(host.addresses.iter().all(|a| a.is_loopback()));
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`getaddrinfo`]: `NotFound` for an unknown host.
#[doc(alias = "gethost")]
pub fn host_by_name(name: &str) -> io::Result<HostEntry> {
    let hints = AddrInfoHints {
        flags: AiFlags::CANONNAME,
        socktype: Some(Type::STREAM),
        ..AddrInfoHints::default()
    };
    let answers = getaddrinfo(Some(name), None, &hints)?;
    let canonical = answers
        .iter()
        .find_map(|a| a.canonname.clone())
        .unwrap_or_else(|| name.to_string());
    let mut addresses: Vec<IpAddr> = Vec::with_capacity(answers.len());
    for ip in answers.iter().filter_map(|a| a.addr.ip()) {
        if !addresses.contains(&ip) {
            addresses.push(ip);
        }
    }
    let aliases = if canonical == name {
        Vec::new()
    } else {
        vec![name.to_string()]
    };
    Ok(HostEntry {
        name: canonical,
        aliases,
        addresses,
    })
}

/// Looks up the name of the host with address `addr` (`getnameinfo(3)` with
/// `NI_NAMEREQD`). The entry's only address is `addr`.
///
/// Scheme: `(gethost address)` (Guile, SCM).
///
/// ```
/// let host = netprim::host_by_addr("127.0.0.1".parse().unwrap())?;
/// assert!(!host.name.is_empty());
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// `NotFound` naming the address when it has no name; otherwise as
/// [`getaddrinfo`].
#[doc(alias = "gethost")]
pub fn host_by_addr(addr: IpAddr) -> io::Result<HostEntry> {
    let sockaddr = SockAddr::from((addr, 0)).to_socket2()?;
    let mut host = [0 as c_char; libc::NI_MAXHOST as usize];
    // SAFETY: `sockaddr` holds `len()` initialised bytes of a sockaddr; the
    // host buffer is writable for its whole length, which is passed; no
    // service buffer is asked for (null, length 0).
    let rc = unsafe {
        libc::getnameinfo(
            sockaddr.as_ptr().cast::<libc::sockaddr>(),
            sockaddr.len(),
            host.as_mut_ptr(),
            host.len() as libc::socklen_t,
            ptr::null_mut(),
            0,
            libc::NI_NAMEREQD,
        )
    };
    if rc == libc::EAI_NONAME {
        return Err(not_found(format!("no host name for address {addr}")));
    }
    if rc != 0 {
        return Err(gai_error(rc, &format!("address {addr}")));
    }
    // SAFETY: on success getnameinfo wrote a NUL-terminated string into the
    // buffer, which lives until the end of this function.
    let name = unsafe { CStr::from_ptr(host.as_ptr()) }
        .to_string_lossy()
        .into_owned();
    Ok(HostEntry {
        name,
        aliases: Vec::new(),
        addresses: vec![addr],
    })
}

/// Parses the text form of an address of `family` ([`Domain::IPV4`]:
/// dotted quad; [`Domain::IPV6`]: RFC 4291 text), as `inet_pton(3)` does.
///
/// Scheme: Guile's `inet-pton family address`; SCM's
/// `inet:string->address` for numeric text (for names, see
/// [`host_by_name`]).
///
/// ```
/// use netprim::{inet_pton, Domain};
/// use std::net::Ipv6Addr;
/// assert_eq!(inet_pton(Domain::IPV6, "::1")?, Ipv6Addr::LOCALHOST);
/// assert!(inet_pton(Domain::IPV4, "::1").is_err());
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// `InvalidInput` quoting the text if it is not an address of `family`, or
/// naming the family if it is neither IPv4 nor IPv6.
#[doc(alias("inet-pton", "inet:string->address"))]
pub fn inet_pton(family: Domain, text: &str) -> io::Result<IpAddr> {
    let parsed = if family == Domain::IPV4 {
        text.parse::<Ipv4Addr>().map(IpAddr::V4).ok()
    } else if family == Domain::IPV6 {
        text.parse::<Ipv6Addr>().map(IpAddr::V6).ok()
    } else {
        return Err(invalid_input(format!(
            "inet_pton: family {family:?} is not AF_INET or AF_INET6"
        )));
    };
    parsed.ok_or_else(|| {
        invalid_input(format!(
            "{} is not an {} address",
            quoted(text),
            if family == Domain::IPV4 {
                "IPv4"
            } else {
                "IPv6"
            }
        ))
    })
}

/// The text form of an address: dotted quad for IPv4, RFC 5952 for IPv6
/// (`::1`, `::ffff:192.0.2.1`).
///
/// Scheme: Guile's `inet-ntop family address`; SCM's
/// `inet:address->string`.
///
/// ```
/// assert_eq!(netprim::inet_ntop([127, 0, 0, 1].into()), "127.0.0.1");
/// ```
#[doc(alias("inet-ntop", "inet:address->string"))]
pub fn inet_ntop(addr: IpAddr) -> String {
    addr.to_string()
}

/// The largest buffer a `get*_r` lookup may grow to; an entry needing more
/// is a corrupt database, reported as `ERANGE`.
const MAX_BUFFER: usize = 1 << 20;

/// Calls a glibc `get*_r` function with a buffer that doubles on `ERANGE`,
/// and turns the entry it found (if any) into owned data with `convert`.
///
/// `call` gets a pointer to an entry to fill, a buffer and its length, and
/// the out-pointer for the result.
fn reentrant<E, T>(
    mut call: impl FnMut(*mut E, *mut c_char, usize, *mut *mut E) -> c_int,
    convert: impl FnOnce(&E) -> T,
) -> io::Result<Option<T>> {
    let mut len = 1024;
    loop {
        let mut buf = vec![0 as c_char; len];
        let mut entry = MaybeUninit::<E>::uninit();
        let mut result: *mut E = ptr::null_mut();
        let rc = call(entry.as_mut_ptr(), buf.as_mut_ptr(), buf.len(), &mut result);
        match rc {
            // glibc reports "not found" as 0 with a null result, some
            // versions as ENOENT.
            0 | libc::ENOENT if result.is_null() => return Ok(None),
            0 => {
                // SAFETY: on success `result` points at `entry`, filled in,
                // whose strings point into `buf`; both live until the end of
                // this iteration, after `convert` copied what it needs.
                return Ok(Some(convert(unsafe { &*result })));
            }
            libc::ERANGE if len < MAX_BUFFER => len *= 2,
            e => return Err(io::Error::from_raw_os_error(e)),
        }
    }
}

fn service_entry(s: &libc::servent) -> ServiceEntry {
    // SAFETY: the entry comes from a successful getservbyname_r or
    // getservbyport_r: its strings are NUL-terminated and its alias list is
    // null-terminated, all inside the buffer that is still alive.
    unsafe {
        ServiceEntry {
            name: owned(s.s_name),
            aliases: owned_list(s.s_aliases),
            port: u16::from_be(s.s_port as u16),
            protocol: owned(s.s_proto),
        }
    }
}

fn protocol_entry(p: &libc::protoent) -> ProtocolEntry {
    // SAFETY: as in `service_entry`, for getprotobyname_r/getprotobynumber_r.
    unsafe {
        ProtocolEntry {
            name: owned(p.p_name),
            aliases: owned_list(p.p_aliases),
            number: p.p_proto,
        }
    }
}

/// Copies a C string (null is empty).
///
/// # Safety
///
/// `s` is null or points to a NUL-terminated string.
unsafe fn owned(s: *const c_char) -> String {
    if s.is_null() {
        return String::new();
    }
    // SAFETY: the caller guarantees a NUL-terminated string.
    unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned()
}

/// Copies a null-terminated array of C strings (null is empty).
///
/// # Safety
///
/// `list` is null or points to a null-terminated array of NUL-terminated
/// strings.
unsafe fn owned_list(list: *mut *mut c_char) -> Vec<String> {
    let mut out = Vec::new();
    if list.is_null() {
        return out;
    }
    for i in 0.. {
        // SAFETY: the array is null-terminated, and we stop at the null.
        let item = unsafe { *list.add(i) };
        if item.is_null() {
            break;
        }
        // SAFETY: each item is a NUL-terminated string.
        out.push(unsafe { owned(item) });
    }
    out
}

/// The list `getaddrinfo` returned, freed with `freeaddrinfo` when dropped,
/// whatever path the caller takes out.
struct AddrInfoList(*mut libc::addrinfo);

impl AddrInfoList {
    fn entries(&self) -> Vec<AddrInfo> {
        let mut out = Vec::new();
        let mut node = self.0;
        while !node.is_null() {
            // SAFETY: `node` is a node of the list getaddrinfo returned, alive
            // until `self` is dropped.
            let ai = unsafe { &*node };
            let bytes: &[u8] = if ai.ai_addr.is_null() {
                &[]
            } else {
                // SAFETY: `ai_addr` points to `ai_addrlen` bytes owned by the
                // list.
                unsafe {
                    std::slice::from_raw_parts(ai.ai_addr.cast::<u8>(), ai.ai_addrlen as usize)
                }
            };
            // SAFETY: `ai_canonname` is null or a NUL-terminated string.
            let canonname = (!ai.ai_canonname.is_null()).then(|| unsafe { owned(ai.ai_canonname) });
            // Linux answers only AF_INET and AF_INET6; an address of any other
            // family could not be used with this crate, so it is skipped
            // rather than failing the whole lookup.
            if let Ok(addr) = SockAddr::from_bytes(bytes) {
                out.push(AddrInfo {
                    flags: AiFlags(ai.ai_flags),
                    family: Domain::from(ai.ai_family),
                    socktype: Type::from(ai.ai_socktype),
                    protocol: Protocol::from(ai.ai_protocol),
                    addr,
                    canonname,
                });
            }
            node = ai.ai_next;
        }
        out
    }
}

impl Drop for AddrInfoList {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: the pointer came from a successful getaddrinfo and is
            // freed exactly once, here.
            unsafe { libc::freeaddrinfo(self.0) };
        }
    }
}

/// The error for a failed `getaddrinfo`/`getnameinfo` with code `code`.
fn gai_error(code: c_int, target: &str) -> io::Error {
    let cause = if code == libc::EAI_SYSTEM {
        io::Error::last_os_error()
    } else {
        let kind = match code {
            libc::EAI_NONAME | libc::EAI_NODATA | libc::EAI_SERVICE | EAI_ADDRFAMILY => {
                io::ErrorKind::NotFound
            }
            libc::EAI_AGAIN => io::ErrorKind::TimedOut,
            libc::EAI_BADFLAGS => io::ErrorKind::InvalidInput,
            libc::EAI_FAMILY | libc::EAI_SOCKTYPE => io::ErrorKind::Unsupported,
            libc::EAI_MEMORY => io::ErrorKind::OutOfMemory,
            _ => io::ErrorKind::Other,
        };
        // SAFETY: gai_strerror returns a pointer to a static NUL-terminated
        // string for any code, known or not.
        let text = unsafe { owned(libc::gai_strerror(code)) };
        io::Error::new(kind, text)
    };
    annotate(cause, "look up", &target)
}

fn describe_query(host: Option<&str>, service: Option<&str>) -> String {
    match (host, service) {
        (Some(h), Some(s)) => format!("host {} service {}", quoted(h), quoted(s)),
        (Some(h), None) => format!("host {}", quoted(h)),
        (None, Some(s)) => format!("service {}", quoted(s)),
        (None, None) => String::from("nothing"),
    }
}

/// The most a host name can hold: 253 characters (RFC 1035's 255 bytes on
/// the wire), plus the trailing dot of an absolute name.
const MAX_HOST_NAME: usize = 253;

/// Refuses a host too long to be a name or an address, before the resolver
/// sees it: no lookup, no query, and a message that says why.
fn check_host_length(host: &str) -> io::Result<()> {
    let name = host.strip_suffix('.').unwrap_or(host);
    if name.len() > MAX_HOST_NAME {
        return Err(invalid_input(format!(
            "host {} is longer than {MAX_HOST_NAME} characters, the most a host name can have",
            quoted(host)
        )));
    }
    Ok(())
}

fn c_string(text: &str, what: &str) -> io::Result<CString> {
    CString::new(text)
        .map_err(|_| invalid_input(format!("{what} {} contains a NUL byte", quoted(text))))
}

fn not_found(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, msg)
}

fn for_protocol(protocol: Option<&str>) -> String {
    protocol.map_or(String::new(), |p| format!(" for {p}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv6Addr;

    fn numeric() -> AddrInfoHints {
        AddrInfoHints {
            flags: AiFlags::NUMERICHOST,
            ..AddrInfoHints::default()
        }
    }

    #[test]
    fn a_huge_host_is_refused_before_any_lookup_and_not_quoted_whole() {
        let host = "h".repeat(400_000);
        let err = getaddrinfo(Some(&host), None, &AddrInfoHints::default()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
        let msg = err.to_string();
        assert!(msg.len() < 200, "{} bytes: {}", msg.len(), &msg[..200]);
        assert!(msg.contains("400000 bytes") && msg.contains("253"), "{msg}");
        // The longest name allowed still reaches the resolver (numeric-only,
        // so nothing is sent anywhere).
        let longest = format!("{}.", "a".repeat(MAX_HOST_NAME));
        let err = getaddrinfo(Some(&longest), None, &numeric()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound, "{err}");
    }

    #[test]
    fn ai_flags_debug_and_bits() {
        assert_eq!(format!("{:?}", AiFlags::NONE), "AiFlags(0x0)");
        assert_eq!(
            format!(
                "{:?}",
                AiFlags::V4MAPPED | AiFlags::ALL | AiFlags::from_bits(0x4000)
            ),
            "AiFlags(V4MAPPED | ALL | 0x4000)"
        );
        let mut f = AiFlags::CANONNAME;
        f |= AiFlags::ADDRCONFIG;
        assert_eq!(f.bits(), libc::AI_CANONNAME | libc::AI_ADDRCONFIG);
        assert_eq!(AiFlags::from_bits(f.bits()), f);
    }

    #[test]
    fn getaddrinfo_returns_every_field() {
        let hints = AddrInfoHints {
            flags: AiFlags::NUMERICHOST | AiFlags::CANONNAME,
            family: Some(Domain::IPV4),
            socktype: Some(Type::DGRAM),
            protocol: None,
        };
        let answers = getaddrinfo(Some("127.0.0.1"), Some("4242"), &hints).unwrap();
        assert_eq!(answers.len(), 1, "{answers:?}");
        let a = &answers[0];
        assert_eq!(a.family, Domain::IPV4);
        assert_eq!(a.socktype, Type::DGRAM);
        assert_eq!(a.protocol, Protocol::UDP);
        assert_eq!(a.addr, SockAddr::from(([127, 0, 0, 1], 4242)));
        assert_eq!(a.canonname.as_deref(), Some("127.0.0.1"));
    }

    #[test]
    fn getaddrinfo_honours_the_protocol_hint() {
        let any = getaddrinfo(Some("::1"), Some("9"), &numeric()).unwrap();
        assert!(any.len() > 1, "stream, datagram and raw answers: {any:?}");
        let hints = AddrInfoHints {
            protocol: Some(Protocol::UDP),
            ..numeric()
        };
        let udp = getaddrinfo(Some("::1"), Some("9"), &hints).unwrap();
        assert!(!udp.is_empty());
        assert!(udp.iter().all(|a| a.protocol == Protocol::UDP), "{udp:?}");
        assert!(udp.iter().all(|a| a.socktype == Type::DGRAM), "{udp:?}");
        assert_eq!(udp[0].addr, SockAddr::from((Ipv6Addr::LOCALHOST, 9)));
    }

    #[test]
    fn getaddrinfo_passive_without_host_is_the_wildcard() {
        let hints = AddrInfoHints {
            flags: AiFlags::PASSIVE,
            family: Some(Domain::IPV4),
            socktype: Some(Type::STREAM),
            protocol: None,
        };
        let answers = getaddrinfo(None, Some("http"), &hints).unwrap();
        assert_eq!(answers[0].addr.to_string(), "0.0.0.0:80");
    }

    #[test]
    fn getaddrinfo_errors() {
        let err = getaddrinfo(None, None, &AddrInfoHints::default()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);

        let err = getaddrinfo(Some("local\0host"), None, &AddrInfoHints::default()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains(r#""local\0host""#), "{err}");

        let err = getaddrinfo(Some("not-a-number"), None, &numeric()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound, "{err}");
        assert!(err.to_string().contains(r#"host "not-a-number""#), "{err}");

        let hints = AddrInfoHints {
            socktype: Some(Type::STREAM),
            ..numeric()
        };
        let err = getaddrinfo(Some("127.0.0.1"), Some("no-such-service"), &hints).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound, "{err}");
        assert!(err.to_string().contains("no-such-service"), "{err}");

        let hints = AddrInfoHints {
            flags: AiFlags::from_bits(0x7fff_0000),
            ..AddrInfoHints::default()
        };
        let err = getaddrinfo(Some("127.0.0.1"), None, &hints).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");

        let hints = AddrInfoHints {
            family: Some(Domain::UNIX),
            ..numeric()
        };
        let err = getaddrinfo(Some("127.0.0.1"), None, &hints).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::Unsupported, "{err}");
    }

    #[test]
    fn resolve_localhost_is_loopback_in_order_without_duplicates() {
        let addrs = resolve("localhost", 8080).unwrap();
        assert!(!addrs.is_empty());
        for a in &addrs {
            assert!(a.ip().is_loopback(), "{a}");
            assert_eq!(a.port(), 8080);
        }
        let mut unique = addrs.clone();
        unique.dedup();
        assert_eq!(unique.len(), addrs.len());
        assert_eq!(
            resolve("::1", 1).unwrap(),
            vec![SocketAddr::from((Ipv6Addr::LOCALHOST, 1))]
        );
    }

    #[test]
    fn services_by_name_and_port() {
        let http = service_by_name("http", Some("tcp")).unwrap();
        assert_eq!(http.name, "http");
        assert_eq!(http.port, 80);
        assert_eq!(http.protocol, "tcp");
        let any = service_by_name("http", None).unwrap();
        assert_eq!(any.port, 80);
        let by_port = service_by_port(80, Some("tcp")).unwrap();
        assert_eq!(by_port.name, "http");
        assert_eq!(service_by_port(80, None).unwrap().name, "http");
        // A port whose network order differs from its host order both ways.
        assert_eq!(service_by_port(22, Some("tcp")).unwrap().name, "ssh");
    }

    #[test]
    fn unknown_services_are_not_found_and_quoted() {
        let err = service_by_name("nope", Some("tcp")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert_eq!(err.to_string(), r#"unknown service "nope" for tcp"#);
        let err = service_by_name("nope", None).unwrap_err();
        assert_eq!(err.to_string(), r#"unknown service "nope""#);
        let err = service_by_port(80, Some("no-such-proto")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert_eq!(err.to_string(), "no service on port 80 for no-such-proto");
        let err = service_by_name("ht\0tp", None).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains(r#""ht\0tp""#), "{err}");
    }

    #[test]
    fn protocols_by_name_and_number() {
        let tcp = protocol_by_name("tcp").unwrap();
        assert_eq!(tcp.number, 6);
        assert_eq!(tcp.protocol(), Protocol::TCP);
        assert_eq!(protocol_by_number(6).unwrap().name, "tcp");
        assert_eq!(protocol_by_number(17).unwrap().name, "udp");
        let err = protocol_by_name("nope").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert_eq!(err.to_string(), r#"unknown protocol "nope""#);
        let err = protocol_by_number(-1).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(err.to_string().contains("-1"), "{err}");
    }

    #[test]
    fn hosts_by_name_and_address() {
        let host = host_by_name("localhost").unwrap();
        assert!(!host.addresses.is_empty());
        assert!(host.addresses.iter().all(IpAddr::is_loopback), "{host:?}");
        let loopback = IpAddr::from([127, 0, 0, 1]);
        let reverse = host_by_addr(loopback).unwrap();
        assert!(!reverse.name.is_empty());
        assert_eq!(reverse.addresses, vec![loopback]);
        let err = host_by_name("bad\0name").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn pton_and_ntop() {
        assert_eq!(
            inet_pton(Domain::IPV4, "127.0.0.1").unwrap(),
            IpAddr::from([127, 0, 0, 1])
        );
        assert_eq!(
            inet_pton(Domain::IPV6, "::ffff:1.2.3.4")
                .unwrap()
                .to_string(),
            "::ffff:1.2.3.4"
        );
        for (family, text) in [
            (Domain::IPV4, "::1"),
            (Domain::IPV4, "1.2.3"),
            (Domain::IPV4, "1.2.3.4\0"),
            (Domain::IPV6, "127.0.0.1"),
            (Domain::IPV6, "[::1]"),
        ] {
            let err = inet_pton(family, text).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
            assert!(err.to_string().contains(&format!("{text:?}")), "{err}");
        }
        let err = inet_pton(Domain::UNIX, "/tmp/x").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("AF_UNIX"), "{err}");
        assert_eq!(inet_ntop(IpAddr::from(Ipv6Addr::LOCALHOST)), "::1");
        assert_eq!(inet_ntop(IpAddr::from([10, 0, 0, 1])), "10.0.0.1");
    }
}
