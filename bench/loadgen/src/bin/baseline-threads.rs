//! A baseline server of `cargo xtask bench`: see `loadgen::baseline::threads`.

use std::process::ExitCode;

use clap::Parser;
use loadgen::baseline::{BaselineArgs, threads};

fn main() -> ExitCode {
    let args = BaselineArgs::parse();
    match threads::serve(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "baseline-threads: serving {} on {}: {e}",
                args.scenario,
                args.addr()
            );
            ExitCode::FAILURE
        }
    }
}
