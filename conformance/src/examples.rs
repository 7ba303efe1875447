//! Building the layers' example programs, all at once and before any case
//! runs, so that build time never counts against a case's deadline and
//! each program is looked up by name afterwards.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The example programs built for a run, by example name.
#[derive(Debug, Clone, Default)]
pub struct Examples(HashMap<String, PathBuf>);

impl Examples {
    /// Builds the example programs (every example of the workspace in one
    /// `cargo build --workspace --examples`, the same build the tests use,
    /// so that neither rebuilds what the other built) and records where each
    /// one is.
    ///
    /// # Errors
    ///
    /// When cargo cannot be run or the build fails.
    pub fn build() -> Result<Examples, String> {
        test_support::workspace_examples().map(Examples)
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
