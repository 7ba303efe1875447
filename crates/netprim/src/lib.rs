//! Raw sockets of every family and style, for code ported from the socket
//! procedures of Guile, SCM and Vicare Scheme, and for anyone who wants the
//! system calls with Rust types.
//!
//! ```
//! use netprim::{Domain, Socket, Type};
//!
//! // Guile: (define s (socket AF_INET SOCK_STREAM 0))
//! //        (bind s AF_INET INADDR_LOOPBACK 0) (listen s 5)
//! let s = Socket::new(Domain::IPV4, Type::STREAM, None)?;
//! s.bind(&"127.0.0.1:0".parse()?)?;
//! s.listen(5)?;
//! assert!(!s.accept_ready()?);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Porting from Guile or SCM? [The migration
//! guide](https://github.com/scheme-sockets/scheme-sockets/blob/main/docs/guile-scm.md)
//! maps every procedure, variable and constant of their documents onto this
//! crate, and ports their examples (SCM's chat server and client, Guile's
//! network-long) to complete programs.
//!
//! One method per system call, as in [socket2](https://docs.rs/socket2),
//! which this crate builds on: [`Socket`] (create, bind, connect, listen,
//! accept, shutdown, send/recv, sendto/recvfrom), [`SockAddr`] for IPv4, IPv6
//! and Unix addresses, typed socket options (also by C name:
//! [`Socket::option_by_name`]), readiness over many sockets
//! ([`wait_for_input`]), name and service lookups ([`getaddrinfo`],
//! [`service_by_name`], …), and byte-order helpers ([`htonl`],
//! [`ReadNetworkExt`]).
//!
//! Every item names its Scheme counterpart in a `Scheme:` line, so searching
//! the docs for `getpeername` or `wait-for-input` lands on it.
//!
//! Errors are [`std::io::Error`]s that keep their [`std::io::ErrorKind`];
//! those involving an address name it (see [`OpError`]). No send raises
//! `SIGPIPE`.
//!
//! Where Guile and SCM depart from their own documents, or are broken, this
//! crate follows the documents and fixes the bug; the [list of
//! differences](https://github.com/scheme-sockets/scheme-sockets/blob/main/docs/differences.md) names each one, why, and the item that implements it.
//!
//! # Platform
//!
//! Linux with glibc, and nothing else: netprim calls glibc's reentrant
//! database lookups and Linux-only socket options and flags. Building for
//! any other target stops with a `compile_error!`; what is declared by hand
//! for glibc sits in one private module, `sys`.

#![deny(missing_docs)]

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
compile_error!(
    "netprim supports Linux with glibc only (target_os = \"linux\", target_env = \"gnu\"): \
     it calls glibc's reentrant lookups (getservbyname_r, ...) and Linux-only socket options"
);

#[macro_use]
mod macros;

mod addr;
mod byteorder;
mod connect_start;
mod disconnect;
pub mod errno;
mod error;
mod eventfd;
mod flags;
mod lookup;
mod options;
mod ready;
mod socket;
mod sockopt;
mod sys;

pub use addr::{SockAddr, UnixAddr};
pub use byteorder::{ReadNetworkExt, WriteNetworkExt, htonl, htons, ntohl, ntohs};
pub use error::{OpError, annotate};
pub use eventfd::EventFd;
pub use flags::MsgFlags;
pub use lookup::{
    AddrInfo, AddrInfoHints, AiFlags, HostEntry, ProtocolEntry, ServiceEntry, getaddrinfo,
    host_by_addr, host_by_name, inet_ntop, inet_pton, protocol_by_name, protocol_by_number,
    resolve, service_by_name, service_by_port,
};
pub use ready::{Interest, Ready, wait_for, wait_for_input, wait_readable, wait_writable};
pub use socket::{Received, Socket, remove_socket_file, shutdown_how};
pub use sockopt::{OptValue, option_names};

/// The address family of a socket: [`Domain::IPV4`], [`Domain::IPV6`],
/// [`Domain::UNIX`] (socket2's type, re-exported).
///
/// Scheme: `AF_INET`, `AF_INET6`, `AF_UNIX` (`AF_FILE`).
#[doc(alias("AF_INET", "AF_INET6", "AF_UNIX", "AF_FILE"))]
pub use socket2::Domain;
/// A protocol number: [`Protocol::TCP`], [`Protocol::UDP`],
/// [`Protocol::ICMPV4`], … (socket2's type, re-exported).
///
/// Scheme: the `proto` argument of `socket`; SCM's `getproto` numbers.
#[doc(alias("proto", "socket", "getproto"))]
pub use socket2::Protocol;
/// The style of a socket: [`Type::STREAM`], [`Type::DGRAM`], [`Type::RAW`],
/// [`Type::SEQPACKET`] (socket2's type, re-exported).
///
/// Scheme: `SOCK_STREAM`, `SOCK_DGRAM`, `SOCK_RAW`.
#[doc(alias("SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW"))]
pub use socket2::Type;
