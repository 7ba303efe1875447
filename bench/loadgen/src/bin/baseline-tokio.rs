//! A baseline server of `cargo xtask bench`: see `loadgen::baseline::tokio_server`.

use std::process::ExitCode;

use clap::Parser;
use loadgen::baseline::{BaselineArgs, tokio_server};

fn main() -> ExitCode {
    let args = BaselineArgs::parse();
    match tokio_server::serve(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "baseline-tokio: serving {} on {}: {e}",
                args.scenario,
                args.addr()
            );
            ExitCode::FAILURE
        }
    }
}
