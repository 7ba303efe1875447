//! Typed socket options: one getter and one setter per option, each naming
//! its C constant. See [`Socket::option_by_name`] for Guile's symbol-driven
//! `getsockopt`/`setsockopt`.

use std::io;
use std::time::Duration;

use crate::error::invalid_input;
use crate::{Socket, Type};

impl Socket {
    /// Gets `SO_REUSEADDR`: allow binding an address still in TIME_WAIT, so a restarted server rebinds at once.
    ///
    /// Scheme: `(getsockopt sock SOL_SOCKET SO_REUSEADDR)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket.
    #[doc(alias = "getsockopt")]
    pub fn reuse_address(&self) -> io::Result<bool> {
        self.as_socket2().reuse_address()
    }

    /// Sets `SO_REUSEADDR`; see [`Socket::reuse_address`].
    ///
    /// Scheme: `(setsockopt sock SOL_SOCKET SO_REUSEADDR value)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket, `EINVAL`
    /// for a value out of range.
    #[doc(alias = "setsockopt")]
    pub fn set_reuse_address(&self, value: bool) -> io::Result<()> {
        self.as_socket2().set_reuse_address(value)
    }

    /// Gets `SO_REUSEPORT`: allow several sockets to bind the same address and port, the kernel balancing connections between them.
    ///
    /// Scheme: `(getsockopt sock SOL_SOCKET SO_REUSEPORT)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket.
    #[doc(alias = "getsockopt")]
    pub fn reuse_port(&self) -> io::Result<bool> {
        self.as_socket2().reuse_port()
    }

    /// Sets `SO_REUSEPORT`; see [`Socket::reuse_port`].
    ///
    /// Scheme: `(setsockopt sock SOL_SOCKET SO_REUSEPORT value)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket, `EINVAL`
    /// for a value out of range.
    #[doc(alias = "setsockopt")]
    pub fn set_reuse_port(&self, value: bool) -> io::Result<()> {
        self.as_socket2().set_reuse_port(value)
    }

    /// Gets `SO_KEEPALIVE`: send keepalive probes on an idle connection.
    ///
    /// Scheme: `(getsockopt sock SOL_SOCKET SO_KEEPALIVE)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket.
    #[doc(alias = "getsockopt")]
    pub fn keepalive(&self) -> io::Result<bool> {
        self.as_socket2().keepalive()
    }

    /// Sets `SO_KEEPALIVE`; see [`Socket::keepalive`].
    ///
    /// Scheme: `(setsockopt sock SOL_SOCKET SO_KEEPALIVE value)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket, `EINVAL`
    /// for a value out of range.
    #[doc(alias = "setsockopt")]
    pub fn set_keepalive(&self, value: bool) -> io::Result<()> {
        self.as_socket2().set_keepalive(value)
    }

    /// Gets `SO_LINGER`: how long `close` waits for unsent data; `Some(ZERO)` makes close send RST (an abortive close), `None` closes in the background. Guile's pair `(onoff . seconds)` is `None` for `onoff` 0, else `Some(seconds)`.
    ///
    /// Scheme: `(getsockopt sock SOL_SOCKET SO_LINGER)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket.
    #[doc(alias = "getsockopt")]
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        self.as_socket2().linger()
    }

    /// Sets `SO_LINGER`; see [`Socket::linger`]. The kernel counts whole
    /// seconds: a duration with a fraction is rounded up, so that a short
    /// linger never becomes `ZERO` (an abortive close that drops unsent data),
    /// and one longer than `i32::MAX` seconds (`Duration::MAX`) is that long.
    ///
    /// Scheme: `(setsockopt sock SOL_SOCKET SO_LINGER value)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket.
    #[doc(alias = "setsockopt")]
    pub fn set_linger(&self, value: Option<Duration>) -> io::Result<()> {
        self.as_socket2().set_linger(linger_seconds(value))
    }

    /// Gets `SO_RCVBUF`: the size of the kernel's receive buffer (Linux doubles the value set and reports the doubled value).
    ///
    /// Scheme: `(getsockopt sock SOL_SOCKET SO_RCVBUF)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket.
    #[doc(alias = "getsockopt")]
    pub fn recv_buffer_size(&self) -> io::Result<usize> {
        self.as_socket2().recv_buffer_size()
    }

    /// Sets `SO_RCVBUF`; see [`Socket::recv_buffer_size`].
    ///
    /// Scheme: `(setsockopt sock SOL_SOCKET SO_RCVBUF value)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket, `EINVAL`
    /// for a value out of range.
    #[doc(alias = "setsockopt")]
    pub fn set_recv_buffer_size(&self, value: usize) -> io::Result<()> {
        self.as_socket2().set_recv_buffer_size(value)
    }

    /// Gets `SO_SNDBUF`: the size of the kernel's send buffer (Linux doubles the value set and reports the doubled value).
    ///
    /// Scheme: `(getsockopt sock SOL_SOCKET SO_SNDBUF)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket.
    #[doc(alias = "getsockopt")]
    pub fn send_buffer_size(&self) -> io::Result<usize> {
        self.as_socket2().send_buffer_size()
    }

    /// Sets `SO_SNDBUF`; see [`Socket::send_buffer_size`].
    ///
    /// Scheme: `(setsockopt sock SOL_SOCKET SO_SNDBUF value)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket, `EINVAL`
    /// for a value out of range.
    #[doc(alias = "setsockopt")]
    pub fn set_send_buffer_size(&self, value: usize) -> io::Result<()> {
        self.as_socket2().set_send_buffer_size(value)
    }

    /// Gets `SO_BROADCAST`: allow datagrams to broadcast addresses.
    ///
    /// Scheme: `(getsockopt sock SOL_SOCKET SO_BROADCAST)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket.
    #[doc(alias = "getsockopt")]
    pub fn broadcast(&self) -> io::Result<bool> {
        self.as_socket2().broadcast()
    }

    /// Sets `SO_BROADCAST`; see [`Socket::broadcast`].
    ///
    /// Scheme: `(setsockopt sock SOL_SOCKET SO_BROADCAST value)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket, `EINVAL`
    /// for a value out of range.
    #[doc(alias = "setsockopt")]
    pub fn set_broadcast(&self, value: bool) -> io::Result<()> {
        self.as_socket2().set_broadcast(value)
    }

    /// Gets `SO_RCVTIMEO`: how long a blocking receive waits before failing with `WouldBlock`; `None` waits forever. A zero duration is refused, as in std; a duration under a microsecond (the kernel's unit) is rounded up to one, never down to "forever".
    ///
    /// Scheme: `(getsockopt sock SOL_SOCKET SO_RCVTIMEO)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket.
    #[doc(alias = "getsockopt")]
    pub fn read_timeout(&self) -> io::Result<Option<Duration>> {
        self.as_socket2().read_timeout()
    }

    /// Sets `SO_RCVTIMEO`; see [`Socket::read_timeout`].
    ///
    /// Scheme: `(setsockopt sock SOL_SOCKET SO_RCVTIMEO value)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket, `EINVAL`
    /// for a value out of range.
    #[doc(alias = "setsockopt")]
    pub fn set_read_timeout(&self, value: Option<Duration>) -> io::Result<()> {
        if value == Some(Duration::ZERO) {
            return Err(invalid_input(
                "SO_RCVTIMEO of zero: use None to wait forever",
            ));
        }
        self.as_socket2()
            .set_read_timeout(value.map(at_least_a_microsecond))
    }

    /// Gets `SO_SNDTIMEO`: how long a blocking send waits before failing with `WouldBlock`; `None` waits forever. A zero duration is refused, as in std; a duration under a microsecond (the kernel's unit) is rounded up to one, never down to "forever".
    ///
    /// Scheme: `(getsockopt sock SOL_SOCKET SO_SNDTIMEO)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket.
    #[doc(alias = "getsockopt")]
    pub fn write_timeout(&self) -> io::Result<Option<Duration>> {
        self.as_socket2().write_timeout()
    }

    /// Sets `SO_SNDTIMEO`; see [`Socket::write_timeout`].
    ///
    /// Scheme: `(setsockopt sock SOL_SOCKET SO_SNDTIMEO value)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket, `EINVAL`
    /// for a value out of range.
    #[doc(alias = "setsockopt")]
    pub fn set_write_timeout(&self, value: Option<Duration>) -> io::Result<()> {
        if value == Some(Duration::ZERO) {
            return Err(invalid_input(
                "SO_SNDTIMEO of zero: use None to wait forever",
            ));
        }
        self.as_socket2()
            .set_write_timeout(value.map(at_least_a_microsecond))
    }

    /// Gets `TCP_NODELAY`: send small TCP segments at once instead of coalescing them (Nagle's algorithm off).
    ///
    /// Scheme: `(getsockopt sock IPPROTO_TCP TCP_NODELAY)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket.
    #[doc(alias = "getsockopt")]
    pub fn nodelay(&self) -> io::Result<bool> {
        self.as_socket2().tcp_nodelay()
    }

    /// Sets `TCP_NODELAY`; see [`Socket::nodelay`].
    ///
    /// Scheme: `(setsockopt sock IPPROTO_TCP TCP_NODELAY value)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket, `EINVAL`
    /// for a value out of range.
    #[doc(alias = "setsockopt")]
    pub fn set_nodelay(&self, value: bool) -> io::Result<()> {
        self.as_socket2().set_tcp_nodelay(value)
    }

    /// Gets `IPV6_V6ONLY`: an IPv6 socket accepts IPv6 only (true) or IPv4-mapped addresses too (false, dual-stack); set before bind.
    ///
    /// Scheme: `(getsockopt sock IPPROTO_IPV6 IPV6_V6ONLY)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket.
    #[doc(alias = "getsockopt")]
    pub fn only_v6(&self) -> io::Result<bool> {
        self.as_socket2().only_v6()
    }

    /// Sets `IPV6_V6ONLY`; see [`Socket::only_v6`].
    ///
    /// Scheme: `(setsockopt sock IPPROTO_IPV6 IPV6_V6ONLY value)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket, `EINVAL`
    /// for a value out of range.
    #[doc(alias = "setsockopt")]
    pub fn set_only_v6(&self, value: bool) -> io::Result<()> {
        self.as_socket2().set_only_v6(value)
    }

    /// Gets `IP_TTL`: the time-to-live of outgoing IPv4 packets.
    ///
    /// Scheme: `(getsockopt sock IPPROTO_IP IP_TTL)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket.
    #[doc(alias = "getsockopt")]
    pub fn ttl(&self) -> io::Result<u32> {
        self.as_socket2().ttl_v4()
    }

    /// Sets `IP_TTL`; see [`Socket::ttl`].
    ///
    /// Scheme: `(setsockopt sock IPPROTO_IP IP_TTL value)` and its like.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket, `EINVAL`
    /// for a value out of range.
    #[doc(alias = "setsockopt")]
    pub fn set_ttl(&self, value: u32) -> io::Result<()> {
        self.as_socket2().set_ttl_v4(value)
    }

    /// Gets `SO_OOBINLINE`: out-of-band (urgent) TCP data arrives in the
    /// normal stream instead of being read with [`MsgFlags::OOB`](crate::MsgFlags::OOB).
    ///
    /// Scheme: `(getsockopt sock SOL_SOCKET SO_OOBINLINE)`.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket.
    #[doc(alias = "getsockopt")]
    pub fn out_of_band_inline(&self) -> io::Result<bool> {
        self.as_socket2().out_of_band_inline()
    }

    /// Sets `SO_OOBINLINE`; see [`Socket::out_of_band_inline`].
    ///
    /// Scheme: `(setsockopt sock SOL_SOCKET SO_OOBINLINE value)`.
    ///
    /// # Errors
    ///
    /// `ENOPROTOOPT` if the option does not apply to this socket.
    #[doc(alias = "setsockopt")]
    pub fn set_out_of_band_inline(&self, value: bool) -> io::Result<()> {
        self.as_socket2().set_out_of_band_inline(value)
    }

    /// Whether the socket is listening (`SO_ACCEPTCONN`, read-only).
    ///
    /// Scheme: `(getsockopt sock SOL_SOCKET SO_ACCEPTCONN)`.
    ///
    /// # Errors
    ///
    /// OS errors of `getsockopt(2)`.
    #[doc(alias = "getsockopt")]
    pub fn is_listener(&self) -> io::Result<bool> {
        self.as_socket2().is_listener()
    }

    /// Takes the pending error (`SO_ERROR`), clearing it: for example the
    /// outcome of a non-blocking connect.
    ///
    /// Scheme: `(getsockopt sock SOL_SOCKET SO_ERROR)`.
    ///
    /// # Errors
    ///
    /// Only if the option cannot be read; the pending error is the `Ok` value.
    #[doc(alias = "getsockopt")]
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.as_socket2().take_error()
    }

    /// The socket's style (`SO_TYPE`): stream, datagram, raw, seqpacket.
    ///
    /// Scheme: `(getsockopt sock SOL_SOCKET SO_TYPE)`.
    ///
    /// # Errors
    ///
    /// OS errors of `getsockopt(2)`.
    #[doc(alias = "getsockopt")]
    pub fn r#type(&self) -> io::Result<Type> {
        self.as_socket2().r#type()
    }
}

/// The linger to give the kernel, which takes whole seconds in a C `int`:
/// a fraction is rounded up, because rounding `Some(500ms)` down would make
/// it `Some(ZERO)`, an abortive close; a linger longer than `i32::MAX`
/// seconds (68 years, `Duration::MAX`) saturates to that, the longest the
/// kernel takes, because wrapping or failing would turn "linger as long as
/// it takes" into an abortive close or an error.
fn linger_seconds(value: Option<Duration>) -> Option<Duration> {
    let d = value?;
    let secs = d
        .as_secs()
        .saturating_add(u64::from(d.subsec_nanos() > 0))
        .min(MAX_LINGER_SECS);
    Some(Duration::from_secs(secs))
}

/// The longest linger `SO_LINGER` holds: its `l_linger` is a C `int`.
const MAX_LINGER_SECS: u64 = i32::MAX as u64;

/// The kernel's timeouts count microseconds and read 0 as "forever", so a
/// shorter, non-zero timeout must not be rounded down to it.
fn at_least_a_microsecond(d: Duration) -> Duration {
    d.max(Duration::from_micros(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Domain;

    #[test]
    fn a_fraction_of_a_second_of_linger_is_not_an_abortive_close() {
        let s = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        s.set_linger(Some(Duration::from_millis(500))).unwrap();
        assert_eq!(s.linger().unwrap(), Some(Duration::from_secs(1)));
        s.set_linger(Some(Duration::ZERO)).unwrap();
        assert_eq!(s.linger().unwrap(), Some(Duration::ZERO));
    }

    #[test]
    fn linger_forever_saturates_instead_of_overflowing_to_an_abortive_close() {
        // Before: `Duration::MAX` overflowed (a panic in debug builds, linger
        // 0, an abortive close, in release); `1 << 40` s was an error.
        assert_eq!(
            linger_seconds(Some(Duration::MAX)),
            Some(Duration::from_secs(i32::MAX as u64))
        );
        let s = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        for long in [Duration::MAX, Duration::from_secs(1 << 40)] {
            s.set_linger(Some(long)).unwrap();
            let got = s.linger().unwrap();
            assert!(
                got.is_some_and(|d| d >= Duration::from_secs(1 << 20)),
                "{long:?} became {got:?}"
            );
        }
    }

    #[test]
    fn a_sub_microsecond_timeout_is_not_forever() {
        let s = Socket::new(Domain::IPV4, Type::DGRAM, None).unwrap();
        // The kernel keeps timeouts in its own ticks, so only "some, and
        // short" can be checked: `None` would be the bug.
        let short = |t: Option<Duration>| {
            t.is_some_and(|d| d > Duration::ZERO && d < Duration::from_secs(1))
        };
        s.set_read_timeout(Some(Duration::from_nanos(1))).unwrap();
        assert!(short(s.read_timeout().unwrap()), "{:?}", s.read_timeout());
        s.set_write_timeout(Some(Duration::from_nanos(999)))
            .unwrap();
        assert!(short(s.write_timeout().unwrap()), "{:?}", s.write_timeout());
    }
}
