//! The reliability suite of the two servers, tcp-server (threaded) and
//! tcp-server-async (tokio), run as their example programs: under load,
//! against hostile clients, and losing nothing while clients come and go.
//!
//! The scenarios live here, sized by their callers: the tests in `tests/`
//! run them small and bounded in CI, `cargo xtask soak` runs them large and
//! long (the ignored tests of `tests/soak.rs`). Descriptor exhaustion is
//! tested per crate, in `crates/tcp-server/tests/examples.rs` and
//! `crates/tcp-server-async/tests/examples.rs`
//! (`out_of_descriptors_it_backs_off_quietly_and_serves_again`).
//!
//! Everything runs on loopback; every wait has a deadline.
//!
//! Scheme: none. Not a library for users.

#![deny(missing_docs)]

mod chat;
mod echo;
pub mod hostile;
mod layer;
mod memory;

pub use chat::{ChatReport, ChatRun, chat_churn};
pub use echo::{EchoReport, EchoRun, echo_load};
pub use layer::{Layer, Server};
pub use memory::vm_rss;

use std::time::Duration;

/// How long one step that should happen promptly may take before a
/// scenario gives up on it: generous, for a 2-core machine shared with
/// builds.
pub const PATIENCE: Duration = Duration::from_secs(20);
