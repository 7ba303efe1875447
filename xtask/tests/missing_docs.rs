//! `missing_docs` is denied in every library crate of the workspace, by a
//! `#![deny(missing_docs)]` in its `src/lib.rs`: the workspace's lint
//! table only warns (examples and tests share it), and a warning is easy to
//! miss outside CI's `-D warnings`.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// The `src/lib.rs` of every package in the workspace's member folders.
fn libraries() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for group in ["crates", "support"] {
        let Ok(entries) = fs::read_dir(root().join(group)) else {
            continue;
        };
        for entry in entries.flatten() {
            out.push(entry.path().join("src/lib.rs"));
        }
    }
    for single in ["conformance", "docs"] {
        out.push(root().join(single).join("src/lib.rs"));
    }
    out.retain(|p| p.exists());
    out.sort();
    out
}

#[test]
fn every_library_denies_missing_docs() {
    let libs = libraries();
    assert!(libs.len() >= 5, "found only {libs:?}");
    let lacking: Vec<String> = libs
        .iter()
        .filter(|p| {
            !fs::read_to_string(p)
                .unwrap_or_default()
                .lines()
                .any(|l| l.trim() == "#![deny(missing_docs)]")
        })
        .map(|p| p.strip_prefix(root()).unwrap_or(p).display().to_string())
        .collect();
    assert!(
        lacking.is_empty(),
        "lacking #![deny(missing_docs)]: {lacking:?}"
    );
}
