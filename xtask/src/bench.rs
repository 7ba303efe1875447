//! `cargo xtask bench [ARGS]`: every layer's example servers against the
//! baselines, interleaved, with a table and charts under `target/bench/`
//! (see BENCHMARKS.md). The work is done by `bench-run` in `bench/loadgen`,
//! which builds the servers in release itself, so that xtask stays small.

use crate::cmd::{self, cargo};

/// Runs `bench-run` (release) with `args` unchanged.
pub fn run(args: &[String]) -> Result<(), String> {
    cmd::run(
        cargo()
            .args([
                "run",
                "--quiet",
                "--release",
                "--package",
                "loadgen",
                "--bin",
                "bench-run",
                "--",
            ])
            .args(args),
    )
}
