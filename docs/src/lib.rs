#![doc = include_str!("../README.md")]
//!
//! # This crate
//!
//! The guide's pages are Markdown files beside this crate; each is the
//! documentation of one module here, so that `cargo test` compiles and runs
//! every Rust snippet in them and `cargo doc` resolves every link to an API
//! item: the guide cannot drift from the code. The seed programs are this
//! crate's examples (`docs/examples/`).

#![deny(missing_docs)]

/// Guile and SCM sockets → `netprim`.
#[doc = include_str!("../guile-scm.md")]
pub mod guile_scm {}

/// CHICKEN's Unit tcp and Vicare's server sockets → `tcp-ports`.
#[doc = include_str!("../chicken-tcp.md")]
pub mod chicken_tcp {}

/// CHICKEN's tcp-server egg → `tcp-server` and `tcp-server-async`.
#[doc = include_str!("../tcp-server.md")]
pub mod tcp_server_egg {}

/// `tcp-server` and `tcp-server-async` side by side.
#[doc = include_str!("../servers.md")]
pub mod servers {}

/// The Scheme habits and their Rust counterparts.
#[doc = include_str!("../idioms.md")]
pub mod idioms {}

/// Every departure from the original systems.
#[doc = include_str!("../differences.md")]
pub mod differences {}
