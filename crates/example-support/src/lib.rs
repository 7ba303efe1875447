//! What the example programs of every layer share, written once: their
//! command line and exit codes (fixed by `shared/scenarios.md`), the
//! `listening on ADDR` announcement, the scenarios' fixed texts and limits,
//! and the daytime line. Each example keeps only what is particular to its
//! layer. It also builds and starts the examples for the tests and the
//! conformance runner ([`example_path`], [`RunningServer`]).
//!
//! Not a library for users: a dev-dependency of the layer crates' examples
//! and of the conformance suite.

mod args;
mod exit;
mod process;
mod wire;

pub use args::{ClientArgs, ServerArgs};
pub use exit::{ExitOnError, announce, exit_cleanly_on_signals};
pub use process::{RunningServer, STARTUP_TIMEOUT, example_path};
pub use wire::{
    CHAT_BACKLOG_LIMIT, CHAT_GRACE, CHAT_GREETING, ConnectionBudget, GOOD_BYE, HELLO, RELAY_CHUNK,
    daytime_line,
};
