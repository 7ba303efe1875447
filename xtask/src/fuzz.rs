//! `cargo xtask fuzz [CASES]`: the parser fuzzing of `bench/fuzz` with
//! far more cases than CI runs (CI: proptest's default 256 per parser).

use crate::cmd::{self, cargo};

/// Cases per parser when none are given: a few minutes on two cores.
const DEFAULT_CASES: u32 = 20_000;

/// Runs every fuzz property `cases` times (optimized, so more fit).
pub fn run(cases: Option<u32>) -> Result<(), String> {
    let cases = cases.unwrap_or(DEFAULT_CASES);
    cmd::run(
        cargo()
            .args(["test", "--release", "--package", "fuzz-parsers"])
            .env("PROPTEST_CASES", cases.to_string()),
    )
}
