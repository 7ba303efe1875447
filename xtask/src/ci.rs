//! `cargo xtask ci`: the full check, the same here, in `.ci/run` and on
//! GitHub Actions.

use crate::actionlint;
use crate::cmd::{self, available, cargo};

/// Runs every check in order, stopping at the first failure.
pub fn run() -> Result<(), String> {
    cmd::run(cargo().args(["fmt", "--all", "--check"]))?;
    cmd::run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    tests()?;
    cmd::run(
        cargo()
            .args(["doc", "--workspace", "--no-deps"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )?;
    actionlint::run()?;
    conformance(&[])
}

/// The whole test suite: nextest when installed (plus doc tests, which it
/// does not run), else `cargo test`.
fn tests() -> Result<(), String> {
    if available("cargo-nextest", &["nextest", "--version"]) {
        cmd::run(cargo().args([
            "nextest",
            "run",
            "--workspace",
            "--all-targets",
            "--no-fail-fast",
        ]))?;
        cmd::run(cargo().args(["test", "--workspace", "--doc"]))
    } else {
        eprintln!("xtask: cargo-nextest not installed; using cargo test");
        cmd::run(cargo().args(["test", "--workspace", "--all-targets"]))?;
        cmd::run(cargo().args(["test", "--workspace", "--doc"]))
    }
}

/// The conformance suite, with `args` passed to its runner.
pub fn conformance(args: &[String]) -> Result<(), String> {
    cmd::run(
        cargo()
            .args(["run", "--quiet", "--package", "conformance", "--"])
            .args(args),
    )
}
