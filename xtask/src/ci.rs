//! `cargo xtask ci`: the full check, the same here, in `.ci/run` and on
//! GitHub Actions.

use crate::cmd::{self, available, cargo};
use crate::{actionlint, conformance, links, report};

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
    links::run(&cmd::root())?;
    actionlint::run()?;
    // Last: the suite is the contract between the layers, and the slowest.
    // Its report must match the committed one, so that the guide's
    // conformance page cannot fall behind the scenarios or the layers.
    let fresh = cmd::target_dir().join("conformance-report.md");
    conformance::run(&["--markdown".into(), fresh.display().to_string()])?;
    report::check(&fresh, &cmd::root().join(report::COMMITTED))
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
