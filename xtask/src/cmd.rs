//! Running commands from the workspace root, echoing them first.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::Command;

/// The workspace root: the parent of this crate's manifest directory.
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// Cargo's target folder: `$CARGO_TARGET_DIR`, or `target` in the root.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// The cargo that runs us, so that `cargo +toolchain xtask` stays on it.
pub fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root());
    cmd
}

/// Runs `cmd` from the workspace root, failing with its name and status.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = show(cmd);
    eprintln!("$ {shown}");
    let status = cmd
        .current_dir(root())
        .status()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Whether `program --version` runs, i.e. the tool is installed.
pub fn available(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn show(cmd: &Command) -> String {
    let prog = cmd.get_program();
    let prog = if prog == std::env::var_os("CARGO").unwrap_or_default().as_os_str() {
        OsStr::new("cargo")
    } else {
        prog
    };
    std::iter::once(prog)
        .chain(cmd.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
