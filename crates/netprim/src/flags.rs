//! Message flags for send and receive calls.

/// Flags for [`Socket::send_with_flags`](crate::Socket::send_with_flags),
/// [`Socket::recv_with_flags`](crate::Socket::recv_with_flags) and their
/// `_to`/`_from` variants: a bitwise OR of `MSG_*` constants.
///
/// Scheme: the optional `flags` argument of Guile's `recv!`, `send`,
/// `recvfrom!` and `sendto` (`MSG_OOB`, `MSG_PEEK`, `MSG_DONTROUTE`).
///
/// `MSG_NOSIGNAL` is always added to sends, so no send raises `SIGPIPE`.
///
/// ```
/// use netprim::MsgFlags;
/// let flags = MsgFlags::PEEK | MsgFlags::DONTWAIT;
/// assert!(flags.contains(MsgFlags::PEEK));
/// assert_eq!(format!("{flags:?}"), "MsgFlags(PEEK | DONTWAIT)");
/// ```
#[doc(alias(
    "flags",
    "recv!",
    "send",
    "recvfrom!",
    "sendto",
    "MSG_OOB",
    "MSG_PEEK",
    "MSG_DONTROUTE"
))]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MsgFlags(libc::c_int);

impl MsgFlags {
    /// No flags.
    pub const NONE: MsgFlags = MsgFlags(0);
    /// `MSG_PEEK`: return data without removing it from the queue.
    pub const PEEK: MsgFlags = MsgFlags(libc::MSG_PEEK);
    /// `MSG_OOB`: send or receive out-of-band (urgent) data.
    pub const OOB: MsgFlags = MsgFlags(libc::MSG_OOB);
    /// `MSG_DONTROUTE`: send only to directly connected hosts.
    pub const DONTROUTE: MsgFlags = MsgFlags(libc::MSG_DONTROUTE);
    /// `MSG_DONTWAIT`: do not block; fail with `WouldBlock` instead.
    pub const DONTWAIT: MsgFlags = MsgFlags(libc::MSG_DONTWAIT);
    /// `MSG_WAITALL`: block until the whole buffer is filled (or EOF, error,
    /// signal).
    pub const WAITALL: MsgFlags = MsgFlags(libc::MSG_WAITALL);
}

c_flags!(MsgFlags {
    PEEK,
    OOB,
    DONTROUTE,
    DONTWAIT,
    WAITALL
});
