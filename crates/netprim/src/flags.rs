//! Message flags for send and receive calls.

use std::fmt;
use std::ops::{BitOr, BitOrAssign};

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

    const NAMES: [(MsgFlags, &'static str); 5] = [
        (MsgFlags::PEEK, "PEEK"),
        (MsgFlags::OOB, "OOB"),
        (MsgFlags::DONTROUTE, "DONTROUTE"),
        (MsgFlags::DONTWAIT, "DONTWAIT"),
        (MsgFlags::WAITALL, "WAITALL"),
    ];

    /// Flags from their C value, for code ported from Scheme that passes
    /// integers.
    pub const fn from_bits(bits: libc::c_int) -> MsgFlags {
        MsgFlags(bits)
    }

    /// The C value of these flags.
    pub const fn bits(self) -> libc::c_int {
        self.0
    }

    /// Whether every flag of `other` is set in `self`.
    pub const fn contains(self, other: MsgFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl BitOr for MsgFlags {
    type Output = MsgFlags;
    fn bitor(self, rhs: MsgFlags) -> MsgFlags {
        MsgFlags(self.0 | rhs.0)
    }
}

impl BitOrAssign for MsgFlags {
    fn bitor_assign(&mut self, rhs: MsgFlags) {
        self.0 |= rhs.0;
    }
}

impl fmt::Debug for MsgFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        let mut names = Vec::new();
        for (flag, name) in MsgFlags::NAMES {
            if rest & flag.0 != 0 {
                names.push(name.to_string());
                rest &= !flag.0;
            }
        }
        if rest != 0 || names.is_empty() {
            names.push(format!("{rest:#x}"));
        }
        write!(f, "MsgFlags({})", names.join(" | "))
    }
}
