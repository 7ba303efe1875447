//! Socket options by their C name, for code ported from Guile's
//! symbol-driven `getsockopt`/`setsockopt`: the name picks one of the typed
//! getters and setters of [`Socket`], and [`OptValue`] carries the value in
//! the shape that option takes.

use std::fmt::Write as _;
use std::io;
use std::time::Duration;

use crate::error::{annotate, invalid_input, quoted};
use crate::{Socket, Type};

/// The value of a socket option read or written by name
/// ([`Socket::option_by_name`], [`Socket::set_option_by_name`]).
///
/// Scheme: the value Guile's `getsockopt` returns and `setsockopt` takes: an
/// integer for most options, a pair (onoff . seconds) for `SO_LINGER` (see
/// [`OptValue::from_linger_pair`]).
///
/// ```
/// use netprim::{Domain, OptValue, Socket, Type};
/// use std::time::Duration;
///
/// let s = Socket::new(Domain::IPV4, Type::STREAM, None)?;
/// // Guile: (setsockopt s SOL_SOCKET SO_LINGER '(1 . 5))
/// s.set_option_by_name("SO_LINGER", OptValue::from_linger_pair(1, 5)?)?;
/// assert_eq!(
///     s.option_by_name("SO_LINGER")?,
///     OptValue::Linger(Some(Duration::from_secs(5)))
/// );
/// // Guile: (setsockopt s SOL_SOCKET SO_REUSEADDR 1)
/// s.set_option_by_name("SO_REUSEADDR", OptValue::Int(1))?;
/// assert_eq!(s.option_by_name("SO_REUSEADDR")?, OptValue::Bool(true));
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias("getsockopt", "setsockopt", "SO_LINGER"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptValue {
    /// On or off: `SO_REUSEADDR`, `SO_KEEPALIVE`, `TCP_NODELAY`, … Setting
    /// one of these also takes [`OptValue::Int`], non-zero meaning on, as C
    /// and Guile do.
    Bool(bool),
    /// A number: `SO_RCVBUF`, `SO_SNDBUF`, `IP_TTL`, and the pending `errno`
    /// of `SO_ERROR` (0 for none).
    Int(i32),
    /// `SO_LINGER`: `None` is off (close returns at once, the kernel sends
    /// the rest); `Some(ZERO)` resets the connection on close; `Some(d)`
    /// makes close wait up to `d` for unsent data.
    Linger(Option<Duration>),
    /// `SO_RCVTIMEO`, `SO_SNDTIMEO`: `None` waits forever.
    Timeout(Option<Duration>),
    /// `SO_TYPE`: the socket's style.
    Type(Type),
}

impl OptValue {
    /// The `SO_LINGER` value for Guile's pair `(onoff . seconds)`: off when
    /// `onoff` is 0, else lingering `seconds`.
    ///
    /// Scheme: the pair given to `setsockopt` for `SO_LINGER`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` naming the value if `seconds` is negative.
    #[doc(alias("setsockopt", "SO_LINGER"))]
    pub fn from_linger_pair(onoff: i32, seconds: i32) -> io::Result<OptValue> {
        match (onoff, u64::try_from(seconds)) {
            (0, _) => Ok(OptValue::Linger(None)),
            (_, Ok(secs)) => Ok(OptValue::Linger(Some(Duration::from_secs(secs)))),
            (_, Err(_)) => Err(invalid_input(format!(
                "SO_LINGER seconds {seconds} is negative"
            ))),
        }
    }

    /// Guile's pair `(onoff . seconds)` for a [`OptValue::Linger`]; `None`
    /// for any other value. A linger longer than `i32::MAX` seconds (which
    /// the kernel cannot hold) saturates.
    ///
    /// Scheme: the pair `getsockopt` returns for `SO_LINGER`.
    #[doc(alias("getsockopt", "SO_LINGER"))]
    pub fn linger_pair(&self) -> Option<(i32, i32)> {
        match *self {
            OptValue::Linger(None) => Some((0, 0)),
            OptValue::Linger(Some(d)) => Some((1, i32::try_from(d.as_secs()).unwrap_or(i32::MAX))),
            _ => None,
        }
    }

    /// What shape of value this is, for error messages.
    fn shape(&self) -> &'static str {
        match self {
            OptValue::Bool(_) => "a bool",
            OptValue::Int(_) => "an int",
            OptValue::Linger(_) => "a linger",
            OptValue::Timeout(_) => "a timeout",
            OptValue::Type(_) => "a socket type",
        }
    }
}

/// How an option is set, which also says the shape of value it takes.
enum Setter {
    ReadOnly,
    Bool(fn(&Socket, bool) -> io::Result<()>),
    Int(fn(&Socket, i32) -> io::Result<()>),
    Linger(fn(&Socket, Option<Duration>) -> io::Result<()>),
    Timeout(fn(&Socket, Option<Duration>) -> io::Result<()>),
}

impl Setter {
    fn shape(&self) -> &'static str {
        match self {
            Setter::ReadOnly => "nothing",
            Setter::Bool(_) => "a bool (or an int, non-zero meaning on)",
            Setter::Int(_) => "an int",
            Setter::Linger(_) => "a linger (Option<Duration>)",
            Setter::Timeout(_) => "a timeout (Option<Duration>)",
        }
    }
}

/// One option known by name: its C name, and the typed accessors it maps to.
struct Opt {
    name: &'static str,
    get: fn(&Socket) -> io::Result<OptValue>,
    set: Setter,
}

/// Every option known by name; the order is the order of the error message
/// listing them.
const OPTIONS: &[Opt] = &[
    Opt {
        name: "SO_REUSEADDR",
        get: |s| s.reuse_address().map(OptValue::Bool),
        set: Setter::Bool(Socket::set_reuse_address),
    },
    Opt {
        name: "SO_REUSEPORT",
        get: |s| s.reuse_port().map(OptValue::Bool),
        set: Setter::Bool(Socket::set_reuse_port),
    },
    Opt {
        name: "SO_KEEPALIVE",
        get: |s| s.keepalive().map(OptValue::Bool),
        set: Setter::Bool(Socket::set_keepalive),
    },
    Opt {
        name: "SO_LINGER",
        get: |s| s.linger().map(OptValue::Linger),
        set: Setter::Linger(Socket::set_linger),
    },
    Opt {
        name: "SO_RCVBUF",
        get: |s| s.recv_buffer_size().map(saturating_int),
        set: Setter::Int(|s, v| s.set_recv_buffer_size(non_negative("SO_RCVBUF", v)?)),
    },
    Opt {
        name: "SO_SNDBUF",
        get: |s| s.send_buffer_size().map(saturating_int),
        set: Setter::Int(|s, v| s.set_send_buffer_size(non_negative("SO_SNDBUF", v)?)),
    },
    Opt {
        name: "SO_BROADCAST",
        get: |s| s.broadcast().map(OptValue::Bool),
        set: Setter::Bool(Socket::set_broadcast),
    },
    Opt {
        name: "SO_OOBINLINE",
        get: |s| s.out_of_band_inline().map(OptValue::Bool),
        set: Setter::Bool(Socket::set_out_of_band_inline),
    },
    Opt {
        name: "SO_RCVTIMEO",
        get: |s| s.read_timeout().map(OptValue::Timeout),
        set: Setter::Timeout(Socket::set_read_timeout),
    },
    Opt {
        name: "SO_SNDTIMEO",
        get: |s| s.write_timeout().map(OptValue::Timeout),
        set: Setter::Timeout(Socket::set_write_timeout),
    },
    Opt {
        name: "SO_ERROR",
        get: |s| s.take_error().map(|e| OptValue::Int(errno_of(e))),
        set: Setter::ReadOnly,
    },
    Opt {
        name: "SO_TYPE",
        get: |s| s.r#type().map(OptValue::Type),
        set: Setter::ReadOnly,
    },
    Opt {
        name: "SO_ACCEPTCONN",
        get: |s| s.is_listener().map(OptValue::Bool),
        set: Setter::ReadOnly,
    },
    Opt {
        name: "TCP_NODELAY",
        get: |s| s.nodelay().map(OptValue::Bool),
        set: Setter::Bool(Socket::set_nodelay),
    },
    Opt {
        name: "IPV6_V6ONLY",
        get: |s| s.only_v6().map(OptValue::Bool),
        set: Setter::Bool(Socket::set_only_v6),
    },
    Opt {
        name: "IP_TTL",
        get: |s| {
            s.ttl()
                .map(|t| OptValue::Int(i32::try_from(t).unwrap_or(i32::MAX)))
        },
        set: Setter::Int(|s, v| s.set_ttl(non_negative("IP_TTL", v)?)),
    },
];

/// The C names [`Socket::option_by_name`] knows, such as `"SO_REUSEADDR"`.
///
/// Scheme: the option symbols of Guile's `getsockopt`/`setsockopt`.
///
/// ```
/// assert!(netprim::option_names().any(|n| n == "SO_LINGER"));
/// ```
#[doc(alias("getsockopt", "setsockopt"))]
pub fn option_names() -> impl ExactSizeIterator<Item = &'static str> {
    OPTIONS.iter().map(|o| o.name)
}

impl Socket {
    /// Reads the socket option called `name` (its C name, such as
    /// `"SO_REUSEADDR"`; case does not matter), through the typed getter of
    /// that option. Reading `SO_ERROR` clears the pending error, as in C.
    ///
    /// Known names: `SO_REUSEADDR`, `SO_REUSEPORT`, `SO_KEEPALIVE`,
    /// `SO_LINGER`, `SO_RCVBUF`, `SO_SNDBUF`, `SO_BROADCAST`, `SO_OOBINLINE`,
    /// `SO_RCVTIMEO`, `SO_SNDTIMEO`, `SO_ERROR`, `SO_TYPE`, `SO_ACCEPTCONN`,
    /// `TCP_NODELAY`, `IPV6_V6ONLY`, `IP_TTL` (see [`option_names`]). The
    /// level is implied by the name.
    ///
    /// Scheme: Guile's `getsockopt sock level optname`.
    ///
    /// ```
    /// use netprim::{Domain, OptValue, Socket, Type};
    ///
    /// let s = Socket::new(Domain::IPV6, Type::DGRAM, None)?;
    /// assert_eq!(s.option_by_name("SO_TYPE")?, OptValue::Type(Type::DGRAM));
    /// assert_eq!(s.option_by_name("SO_ERROR")?, OptValue::Int(0));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `InvalidInput` for an unknown name, naming it and listing the known
    /// ones; the OS's error (such as `ENOPROTOOPT` for `TCP_NODELAY` on a
    /// datagram socket), naming the option.
    #[doc(alias = "getsockopt")]
    pub fn option_by_name(&self, name: &str) -> io::Result<OptValue> {
        let opt = find(name)?;
        (opt.get)(self).map_err(|e| annotate(e, "get socket option", &opt.name))
    }

    /// Sets the socket option called `name` (see
    /// [`Socket::option_by_name`]) to `value`, through the typed setter of
    /// that option.
    ///
    /// Scheme: Guile's `setsockopt sock level optname value`.
    ///
    /// ```
    /// use netprim::{Domain, OptValue, Socket, Type};
    ///
    /// let s = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    /// s.set_option_by_name("TCP_NODELAY", OptValue::Bool(true))?;
    /// let err = s.set_option_by_name("SO_TYPE", OptValue::Int(1)).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `InvalidInput` for an unknown name (listing the known ones), for a
    /// read-only option (`SO_ERROR`, `SO_TYPE`, `SO_ACCEPTCONN`), for a value
    /// of the wrong shape (a linger for `SO_REUSEADDR`, …), and for a value
    /// the typed setter refuses (a negative size, a zero timeout); the OS's
    /// error otherwise, naming the option.
    #[doc(alias = "setsockopt")]
    pub fn set_option_by_name(&self, name: &str, value: OptValue) -> io::Result<()> {
        let opt = find(name)?;
        let result = match (&opt.set, value) {
            (Setter::ReadOnly, _) => {
                return Err(invalid_input(format!(
                    "socket option {} is read-only",
                    opt.name
                )));
            }
            (Setter::Bool(set), OptValue::Bool(b)) => set(self, b),
            (Setter::Bool(set), OptValue::Int(n)) => set(self, n != 0),
            (Setter::Int(set), OptValue::Int(n)) => set(self, n),
            (Setter::Linger(set), OptValue::Linger(d)) => set(self, d),
            (Setter::Timeout(set), OptValue::Timeout(d)) => set(self, d),
            (setter, value) => {
                return Err(invalid_input(format!(
                    "socket option {} takes {}, not {} ({value:?})",
                    opt.name,
                    setter.shape(),
                    value.shape()
                )));
            }
        };
        result.map_err(|e| annotate(e, "set socket option", &opt.name))
    }
}

fn find(name: &str) -> io::Result<&'static Opt> {
    OPTIONS
        .iter()
        .find(|o| o.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            let mut msg = format!("unknown socket option {}; known:", quoted(name));
            for (i, known) in option_names().enumerate() {
                let sep = if i == 0 { " " } else { ", " };
                let _ = write!(msg, "{sep}{known}");
            }
            invalid_input(msg)
        })
}

fn saturating_int(n: usize) -> OptValue {
    OptValue::Int(i32::try_from(n).unwrap_or(i32::MAX))
}

fn non_negative<T: TryFrom<i32>>(option: &str, value: i32) -> io::Result<T> {
    T::try_from(value).map_err(|_| invalid_input(format!("{option} value {value} is negative")))
}

/// `SO_ERROR`'s integer, as C and Guile return it: 0 for none.
fn errno_of(pending: Option<io::Error>) -> i32 {
    pending.map_or(0, |e| e.raw_os_error().unwrap_or(libc::EIO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Domain;

    #[test]
    fn every_name_is_unique_upper_case_and_readable_on_a_tcp_socket() {
        let s = Socket::new(Domain::IPV6, Type::STREAM, None).unwrap();
        let names: Vec<_> = option_names().collect();
        for (i, name) in names.iter().enumerate() {
            assert_eq!(*name, name.to_ascii_uppercase());
            assert!(!names[..i].contains(name), "{name} twice");
            s.option_by_name(name)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn linger_pairs() {
        assert_eq!(
            OptValue::from_linger_pair(0, 99).unwrap(),
            OptValue::Linger(None)
        );
        assert_eq!(
            OptValue::from_linger_pair(1, 0).unwrap(),
            OptValue::Linger(Some(Duration::ZERO))
        );
        let err = OptValue::from_linger_pair(1, -1).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("-1"), "{err}");
        assert_eq!(OptValue::Linger(None).linger_pair(), Some((0, 0)));
        assert_eq!(
            OptValue::Linger(Some(Duration::from_secs(7))).linger_pair(),
            Some((1, 7))
        );
        assert_eq!(OptValue::Int(1).linger_pair(), None);
    }

    #[test]
    fn errno_of_pending_error() {
        assert_eq!(errno_of(None), 0);
        assert_eq!(
            errno_of(Some(io::Error::from_raw_os_error(libc::ECONNREFUSED))),
            libc::ECONNREFUSED
        );
    }
}
