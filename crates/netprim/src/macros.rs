//! Macros shared by the modules of this crate.

/// Implements the plumbing of a set of C flags, a newtype over a `c_int` of
/// OR-ed `*_FLAG` constants (`MsgFlags`, `AiFlags`): `from_bits`, `bits`,
/// `contains`, `|`, `|=`, and a `Debug` that names the flags set (and shows
/// unknown bits in hex), as socket2 does for its constants.
///
/// The constants themselves are written by hand, each with its doc comment;
/// the macro takes their names, in the order `Debug` lists them.
macro_rules! c_flags {
    ($ty:ident { $($flag:ident),+ $(,)? }) => {
        impl $ty {
            /// Flags from their C value, for code ported from Scheme that
            /// passes integers.
            pub const fn from_bits(bits: libc::c_int) -> $ty {
                $ty(bits)
            }

            /// The C value of these flags.
            pub const fn bits(self) -> libc::c_int {
                self.0
            }

            /// Whether every flag of `other` is set in `self`.
            pub const fn contains(self, other: $ty) -> bool {
                self.0 & other.0 == other.0
            }
        }

        impl std::ops::BitOr for $ty {
            type Output = $ty;
            fn bitor(self, rhs: $ty) -> $ty {
                $ty(self.0 | rhs.0)
            }
        }

        impl std::ops::BitOrAssign for $ty {
            fn bitor_assign(&mut self, rhs: $ty) {
                self.0 |= rhs.0;
            }
        }

        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let mut rest = self.0;
                let mut names: Vec<String> = Vec::new();
                $(
                    if rest & $ty::$flag.0 != 0 {
                        names.push(stringify!($flag).to_string());
                        rest &= !$ty::$flag.0;
                    }
                )+
                if rest != 0 || names.is_empty() {
                    names.push(format!("{rest:#x}"));
                }
                write!(f, "{}({})", stringify!($ty), names.join(" | "))
            }
        }
    };
}
