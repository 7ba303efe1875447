//! What netprim declares by hand for glibc: functions and constants that
//! the libc crate lacks. Everything platform-specific beyond libc, nix and
//! socket2 lives here, so a port to another C library starts in this file.

use std::os::raw::{c_char, c_int};

// glibc's reentrant database lookups; the libc crate does not declare them.
unsafe extern "C" {
    pub(crate) fn getservbyname_r(
        name: *const c_char,
        proto: *const c_char,
        result_buf: *mut libc::servent,
        buf: *mut c_char,
        buflen: libc::size_t,
        result: *mut *mut libc::servent,
    ) -> c_int;
    pub(crate) fn getservbyport_r(
        port: c_int,
        proto: *const c_char,
        result_buf: *mut libc::servent,
        buf: *mut c_char,
        buflen: libc::size_t,
        result: *mut *mut libc::servent,
    ) -> c_int;
    pub(crate) fn getprotobyname_r(
        name: *const c_char,
        result_buf: *mut libc::protoent,
        buf: *mut c_char,
        buflen: libc::size_t,
        result: *mut *mut libc::protoent,
    ) -> c_int;
    pub(crate) fn getprotobynumber_r(
        proto: c_int,
        result_buf: *mut libc::protoent,
        buf: *mut c_char,
        buflen: libc::size_t,
        result: *mut *mut libc::protoent,
    ) -> c_int;
}

/// `EAI_ADDRFAMILY` (glibc, GNU extension); the libc crate lacks it.
pub(crate) const EAI_ADDRFAMILY: c_int = -9;
