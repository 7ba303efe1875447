//! The migration guide from the Scheme socket APIs to this workspace. Its
//! chapters are Markdown files beside this crate; including them here makes
//! `cargo test` compile and run every Rust snippet in them, so the guide
//! cannot drift from the code.

/// Guile and SCM sockets → `netprim`.
#[doc = include_str!("../guile-scm.md")]
pub mod guile_scm {}

/// CHICKEN's Unit tcp and Vicare's server sockets → `tcp-ports`.
#[doc = include_str!("../chicken-tcp.md")]
pub mod chicken_tcp {}

/// CHICKEN's tcp-server egg → `tcp-server`.
#[doc = include_str!("../tcp-server.md")]
pub mod tcp_server_egg {}
