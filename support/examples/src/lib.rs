//! What the example programs of every layer share, written once: their
//! command line and exit codes (fixed by the scenarios), the
//! `listening on ADDR` announcement, the scenarios' fixed texts and limits,
//! line reading, and the daytime line. Each example keeps what is
//! particular to its layer, its accept loop included.
//!
//! It uses std (and clap, chrono, signal-hook) only, never a layer of this
//! workspace, so that the examples of every layer can use it.
//!
//! Scheme: none. Not a library for users: a dev-dependency of the layer
//! crates, for their examples.

#![deny(missing_docs)]

mod args;
mod cli;
mod exit;
mod lines;
mod target;
mod wire;

pub use args::{ClientArgs, ModelServerArgs, ServerArgs, UnixArgs, UnixServerArgs};
pub use cli::{parse_args, usage_exit};
pub use exit::{ExitOnError, announce, exit_cleanly_on_signals, exit_cleanly_on_signals_then};
pub use lines::{MAX_LINE, complete_lines, expect_eof, read_line};
pub use target::ServerAddr;
pub use wire::{
    CHAT_BACKLOG_LIMIT, CHAT_GRACE, CHAT_GREETING, ConnectionBudget, GOOD_BYE, HELLO, RELAY_CHUNK,
    daytime_line,
};
