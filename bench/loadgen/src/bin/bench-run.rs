//! `bench-run`: the body of `cargo xtask bench` (see
//! `loadgen::runner`).

use std::process::ExitCode;

use clap::Parser;
use loadgen::runner::{RunnerArgs, run};

fn main() -> ExitCode {
    let args = RunnerArgs::parse();
    let shown: Vec<String> = std::env::args().skip(1).collect();
    let command = format!("cargo xtask bench {}", shown.join(" "));
    match run(&args, command.trim_end()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}
