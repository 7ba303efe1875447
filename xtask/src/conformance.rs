//! `cargo xtask conformance [ARGS]`: the scenario suite
//! (`conformance/scenarios/README.md`). The runner and every example
//! program are built first, so that compile time never counts against a
//! case's deadline or the reported timing; the runner then finds the
//! examples already built.

use crate::cmd::{self, cargo};

/// Builds the runner and the layers' examples, then runs the runner with
/// `args` unchanged (`cargo run -p conformance -- ARGS`).
pub fn run(args: &[String]) -> Result<(), String> {
    let only_help = args
        .iter()
        .any(|a| matches!(a.as_str(), "--help" | "-h" | "--list"));
    if !only_help {
        cmd::run(cargo().args(["build", "--quiet", "--workspace", "--examples"]))?;
    }
    cmd::run(cargo().args(["build", "--quiet", "--package", "conformance"]))?;
    cmd::run(
        cargo()
            .args(["run", "--quiet", "--package", "conformance", "--"])
            .args(args),
    )
}
