//! `cargo xtask soak [--minutes N]`: the reliability scenarios at scale for
//! about N minutes (default 10), on loopback, then a summary. Not in CI.
//!
//! The soaks are the ignored tests of `reliability/tests/soak.rs`, run one
//! at a time in release mode; each gets an equal share of the time
//! (`RELIABILITY_SOAK_SECONDS`) and prints `soak:` lines, collected here.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Instant;

use crate::cmd::{self, cargo};

/// The soak tests, each given an equal share of the time.
const SOAKS: [&str; 3] = ["soak_load", "soak_nothing_lost", "soak_hostile"];

/// Runs every soak for its share of `minutes`, echoing their output, then
/// prints their summary lines.
pub fn run(minutes: u64) -> Result<(), String> {
    let share = (minutes * 60 / SOAKS.len() as u64).max(1);
    // Built first, so that compiling never counts against the soaks' time.
    cmd::run(soak_tests().arg("--no-run"))?;
    let started = Instant::now();
    let mut summary = Vec::new();
    let mut failed = Vec::new();
    for soak in SOAKS {
        let mut test = soak_tests();
        test.args(["--", "--ignored", "--exact", "--nocapture", soak])
            .env("RELIABILITY_SOAK_SECONDS", share.to_string())
            .stdout(Stdio::piped());
        eprintln!("$ RELIABILITY_SOAK_SECONDS={share} cargo test ... soak {soak}");
        let mut child = test
            .spawn()
            .map_err(|e| format!("could not start the soak {soak}: {e}"))?;
        if let Some(out) = child.stdout.take() {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                println!("{line}");
                if line.starts_with("soak:") {
                    summary.push(line);
                }
            }
        }
        let status = child
            .wait()
            .map_err(|e| format!("waiting for the soak {soak}: {e}"))?;
        if !status.success() {
            failed.push(format!("{soak} ({status})"));
        }
    }
    println!();
    println!(
        "soak summary ({minutes} minutes asked, {:.1} taken):",
        started.elapsed().as_secs_f64() / 60.0
    );
    for line in &summary {
        println!("  {line}");
    }
    match failed.is_empty() {
        true => Ok(()),
        false => Err(format!("soaks failed: {}", failed.join(", "))),
    }
}

/// `cargo test` of the soak tests, in release: building them and running
/// one must name the same build.
fn soak_tests() -> std::process::Command {
    let mut test = cargo();
    test.args([
        "test",
        "--release",
        "--package",
        "reliability",
        "--test",
        "soak",
    ]);
    test
}
