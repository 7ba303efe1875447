//! The conformance suite: scenario scripts (`conformance/scenarios/*.txt`,
//! described in that folder's README) played against the layers' example
//! programs, or any server or client, by one runner that can take either
//! side of a conversation.
//!
//! - [`parse()`] reads a script into a [`Scenario`];
//! - [`layers`] is the table of layers (one entry each);
//! - [`plan`] turns a selection (layers, external targets, `--matrix`) into
//!   [`Case`]s;
//! - [`run_case`] plays one case; [`pool`] plays many on a few threads;
//! - [`report`] prints and writes the results.
//!
//! Scheme: none. This is the test tool, not a port; each scenario's
//! `origin:` header names the Scheme document or rule it checks.

#![deny(missing_docs)]

pub mod case;
pub mod examples;
pub mod inbox;
pub mod layers;
pub mod parse;
pub mod payload;
pub mod plan;
pub mod poll;
pub mod pool;
pub mod program;
pub mod report;
pub mod script;
pub mod session;
pub mod target;
pub mod units;

pub use case::{CaseResult, Outcome, run_case};
pub use examples::Examples;
pub use layers::{LAYERS, Layer};
pub use parse::{ParseError, parse, parse_file};
pub use script::{Family, Scenario};
pub use session::Failure;
pub use target::{Case, ClientTarget, ServerTarget, Target};
