//! The yardstick of `cargo xtask bench` (see BENCHMARKS.md).
//!
//! - [`load`]: a load generator for the four scenarios (daytime, hello,
//!   echo, chat) that checks every reply byte for byte, counts errors by
//!   kind and records latency in a histogram, closed loop or open loop.
//! - [`floor`]: the one-connection ping-pongs (TCP, socket pair) that no
//!   server can beat.
//! - [`baseline`]: the servers every layer is compared with: minimal tokio,
//!   naive thread per connection, single-threaded mio.
//! - [`runner`]: starts servers, interleaves the loads over them, and writes
//!   the table and the chart.
//!
//! Loopback only: a [`Target`] refuses any other address.

#![deny(missing_docs)]

pub mod baseline;
pub mod cli;
pub mod cpu;
pub mod floor;
pub mod lines;
pub mod load;
pub mod netstat;
pub mod payload;
pub mod runner;
pub mod scenario;
pub mod stats;
pub mod target;

pub use lines::LineSplitter;
pub use load::LoadConfig;
pub use scenario::Scenario;
pub use stats::Report;
pub use target::Target;
