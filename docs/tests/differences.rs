//! The differences page keeps its promise: every entry says what we do,
//! why, and which item implements it; and the guide cites nothing outside
//! the repository but web pages.

use std::fs;
use std::path::PathBuf;

fn docs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The entries (`### Title` and its text) lacking a `- **LABEL:**` line.
fn lacking(page: &str, label: &str) -> Vec<String> {
    page.split("\n### ")
        .skip(1)
        .filter(|entry| !entry.contains(&format!("\n- **{label}:**")))
        .map(|entry| entry.lines().next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn every_difference_says_what_why_and_where() {
    let page = fs::read_to_string(docs().join("differences.md")).expect("the page");
    assert!(
        page.matches("\n### ").count() >= 20,
        "fewer entries than the twenty settled ones"
    );
    for label in ["Here", "Why", "Item"] {
        let missing = lacking(&page, label);
        assert!(
            missing.is_empty(),
            "entries without **{label}:**: {missing:?}"
        );
    }
}

#[test]
fn an_entry_without_a_reason_is_caught() {
    let page = "# D\n\n### A\n\n- **Here:** x\n- **Why:** y\n- **Item:** z\n\n### B\n\n- **Here:** x\n- **Item:** z\n";
    assert_eq!(lacking(page, "Why"), ["B"]);
    assert!(lacking(page, "Item").is_empty());
}

#[test]
fn the_guide_cites_no_file_outside_the_repository() {
    let mut offenders = Vec::new();
    for entry in fs::read_dir(docs()).expect("docs/").flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "md") {
            let text = fs::read_to_string(&path).expect("a page");
            if text.contains("/work/") || text.contains("../shared") || text.contains("file://") {
                offenders.push(path.display().to_string());
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:?}");
}
