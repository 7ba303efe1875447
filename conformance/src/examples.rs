//! Building the layers' example programs, all at once and before any case
//! runs, so that build time never counts against a case's deadline and
//! each program is looked up by name afterwards.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The example programs built for a run, by example name.
#[derive(Debug, Clone, Default)]
pub struct Examples(HashMap<String, PathBuf>);

impl Examples {
    /// Builds every example of `packages` (`cargo build --examples -p P...`,
    /// with the cargo that runs us, on this workspace) and records where
    /// each one is. Cargo's own messages go to stderr.
    ///
    /// # Errors
    ///
    /// When cargo cannot be run or the build fails.
    pub fn build(packages: &[&str]) -> Result<Examples, String> {
        if packages.is_empty() {
            return Ok(Examples::default());
        }
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.arg("build")
            .arg("--manifest-path")
            .arg(workspace_root().join("Cargo.toml"))
            .args(["--examples", "--message-format=json-render-diagnostics"]);
        for p in packages {
            cmd.args(["-p", p]);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run cargo to build the examples: {e}"))?;
        let mut found = HashMap::new();
        if let Some(out) = child.stdout.take() {
            for line in std::io::BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if let Some((name, path)) = example_artifact(&line) {
                    found.insert(name, path);
                }
            }
        }
        let status = child
            .wait()
            .map_err(|e| format!("cannot wait for cargo: {e}"))?;
        if !status.success() {
            return Err(format!(
                "building the examples of {} failed ({status})",
                packages.join(", ")
            ));
        }
        Ok(Examples(found))
    }

    /// The program of example `name`, if it was built.
    pub fn path(&self, name: &str) -> Option<&Path> {
        self.0.get(name).map(PathBuf::as_path)
    }

    /// Records example `name` at `path` (for tests that bring their own).
    pub fn insert(&mut self, name: impl Into<String>, path: impl Into<PathBuf>) {
        self.0.insert(name.into(), path.into());
    }
}

/// The workspace this runner was built in.
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
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
}
