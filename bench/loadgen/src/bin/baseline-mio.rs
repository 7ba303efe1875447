//! A baseline server of `cargo xtask bench`: see `loadgen::baseline::mio_loop`.

use std::process::ExitCode;

use clap::Parser;
use loadgen::baseline::{BaselineArgs, mio_loop};

fn main() -> ExitCode {
    let args = BaselineArgs::parse();
    match mio_loop::serve(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "baseline-mio: serving {} on {}: {e}",
                args.scenario,
                args.addr()
            );
            ExitCode::FAILURE
        }
    }
}
