//! Building every example program of the workspace in one cargo run and
//! finding each one's executable in cargo's messages.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// How much of cargo's stderr a failed build's error carries: enough for
/// the compiler's errors, which come last.
const STDERR_TAIL_LINES: usize = 80;

/// Builds every example of the workspace
/// (`cargo build --workspace --examples`, with the cargo that runs us) and
/// returns each one's executable by example name.
///
/// Scheme: none.
///
/// # Errors
///
/// When cargo cannot be run or the build fails; the message carries the
/// end of cargo's diagnostics.
pub fn workspace_examples() -> Result<HashMap<String, PathBuf>, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .arg("build")
        .arg("--manifest-path")
        .arg(workspace_root().join("Cargo.toml"))
        .args([
            "--workspace",
            "--examples",
            "--message-format=json-render-diagnostics",
        ])
        .output()
        .map_err(|e| format!("cannot run cargo to build the examples: {e}"))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        let tail = lines[lines.len().saturating_sub(STDERR_TAIL_LINES)..].join("\n");
        return Err(format!(
            "`cargo build --workspace --examples` failed ({}):\n{tail}",
            out.status
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(example_artifact)
        .collect())
}

/// The workspace this crate belongs to (two levels above it).
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .unwrap_or(manifest)
        .to_path_buf()
}

/// The example name and executable of a `compiler-artifact` message that is
/// an example's binary.
fn example_artifact(line: &str) -> Option<(String, PathBuf)> {
    let msg: serde_json::Value = serde_json::from_str(line).ok()?;
    if msg.get("reason")?.as_str()? != "compiler-artifact" {
        return None;
    }
    let target = msg.get("target")?;
    let is_example = target
        .get("kind")?
        .as_array()?
        .iter()
        .any(|k| k.as_str() == Some("example"));
    if !is_example {
        return None;
    }
    let name = target.get("name")?.as_str()?.to_string();
    let exe = msg.get("executable")?.as_str()?;
    Some((name, PathBuf::from(exe)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_artifacts_are_recognised() {
        let line = r#"{"reason":"compiler-artifact","target":{"kind":["example"],"name":"raw-echo-server"},"executable":"/t/debug/examples/raw-echo-server"}"#;
        assert_eq!(
            example_artifact(line),
            Some((
                "raw-echo-server".into(),
                "/t/debug/examples/raw-echo-server".into()
            ))
        );
        let lib = r#"{"reason":"compiler-artifact","target":{"kind":["lib"],"name":"netprim"},"executable":null}"#;
        assert_eq!(example_artifact(lib), None);
        assert_eq!(example_artifact("not json"), None);
    }

    #[test]
    fn the_workspace_root_holds_the_workspace_manifest() {
        let manifest = std::fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap();
        assert!(manifest.contains("[workspace]"), "{manifest}");
    }
}
