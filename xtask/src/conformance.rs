//! `cargo xtask conformance [ARGS]`: the scenario suite
//! (`conformance/scenarios/README.md`). The runner builds the examples of
//! the layers it tests itself, all at once and before any case runs, so
//! compile time never counts against a case's deadline or the reported
//! timing. Nothing else is built first: a `--workspace` build unifies
//! features differently from the runner's build of the layer packages (the
//! TLS crates of the examples), so each run would rebuild them twice.

use crate::cmd::{self, cargo};

/// Builds the runner, then runs it with `args` unchanged (`cargo run -p
/// conformance -- ARGS`).
pub fn run(args: &[String]) -> Result<(), String> {
    cmd::run(cargo().args(["build", "--quiet", "--package", "conformance"]))?;
    cmd::run(
        cargo()
            .args(["run", "--quiet", "--package", "conformance", "--"])
            .args(args),
    )
}
