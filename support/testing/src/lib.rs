//! What the tests of every layer and the conformance runner share, written
//! once: the address families a test runs over ([`Family`]), an address
//! where a connect is refused without racing other tests
//! ([`closed_address`]), reading a child's output line by line with a
//! deadline ([`lines_of`]), and building and starting the example programs
//! ([`example_path`], [`workspace_examples`], [`RunningServer`],
//! [`Interactive`]).
//!
//! It uses std, socket2 and nix only, never a layer of this workspace, so that
//! the layers' tests and the conformance runner (which judges the layers)
//! can all depend on it.
//!
//! Scheme: none. Not a library for users.

#![deny(missing_docs)]

mod closed;
mod examples;
mod family;
mod interactive;
mod lifecycle;
mod lines;
mod process;

pub use closed::{ClosedAddress, closed_address};
pub use examples::workspace_examples;
pub use family::Family;
pub use interactive::Interactive;
pub use lifecycle::{cpu_ticks, limit_descriptors, refused_within};
pub use lines::lines_of;
pub use process::{RunningServer, STARTUP_TIMEOUT, example_path};
