//! The `errno` values that layers above need to tell apart, where
//! [`std::io::ErrorKind`] does not (yet) name them on stable Rust.
//!
//! Scheme: none (Guile and SCM report the `errno` number in the condition).

/// Too many open files in the process.
pub const EMFILE: i32 = libc::EMFILE;
/// Too many open files in the system.
pub const ENFILE: i32 = libc::ENFILE;
/// No buffer space available.
pub const ENOBUFS: i32 = libc::ENOBUFS;
/// Out of memory.
pub const ENOMEM: i32 = libc::ENOMEM;
/// Protocol error (a connection failed before it was accepted).
pub const EPROTO: i32 = libc::EPROTO;
/// Operation not permitted (a firewall refused the connection).
pub const EPERM: i32 = libc::EPERM;
/// Network is down.
pub const ENETDOWN: i32 = libc::ENETDOWN;
/// Network is unreachable.
pub const ENETUNREACH: i32 = libc::ENETUNREACH;
/// Protocol not available.
pub const ENOPROTOOPT: i32 = libc::ENOPROTOOPT;
/// Host is down.
pub const EHOSTDOWN: i32 = libc::EHOSTDOWN;
/// No route to host.
pub const EHOSTUNREACH: i32 = libc::EHOSTUNREACH;
/// Operation not supported.
pub const EOPNOTSUPP: i32 = libc::EOPNOTSUPP;
/// Operation now in progress.
pub const EINPROGRESS: i32 = libc::EINPROGRESS;
