//! The seed example programs shown in the chapters are the programs the
//! test suite builds and runs: the code block after
//! `<!-- example: FILE -->` in a chapter must equal `docs/examples/FILE`,
//! and every program of `docs/examples/` is shown in some chapter.

use std::fs;
use std::path::PathBuf;

const CHAPTERS: &[&str] = &["guile-scm.md", "chicken-tcp.md", "tcp-server.md"];

fn docs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Each `(file, code)` shown in `chapter`: the fenced block right after
/// each example marker.
fn shown(chapter: &str) -> Result<Vec<(String, String)>, String> {
    let mut found = Vec::new();
    let mut lines = chapter.lines();
    while let Some(line) = lines.next() {
        let Some(file) = line
            .trim()
            .strip_prefix("<!-- example: ")
            .and_then(|rest| rest.strip_suffix(" -->"))
        else {
            continue;
        };
        match lines.next() {
            Some(fence) if fence.starts_with("```rust") => {}
            other => {
                return Err(format!(
                    "{file}: a code block must follow its marker, not {other:?}"
                ));
            }
        }
        let mut code = String::new();
        loop {
            match lines.next() {
                Some("```") => break,
                Some(l) => {
                    code.push_str(l);
                    code.push('\n');
                }
                None => return Err(format!("{file}: its code block never ends")),
            }
        }
        found.push((file.to_string(), code));
    }
    Ok(found)
}

#[test]
fn every_program_shown_is_the_program_tested_and_every_program_is_shown() {
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for chapter in CHAPTERS {
        let text = fs::read_to_string(docs().join(chapter)).expect("the chapter");
        match shown(&text) {
            Err(e) => problems.push(format!("{chapter}: {e}")),
            Ok(blocks) => {
                for (file, code) in blocks {
                    match fs::read_to_string(docs().join("examples").join(&file)) {
                        Ok(real) if real == code => {}
                        Ok(_) => problems.push(format!(
                            "{chapter}: the block of {file} differs from docs/examples/{file}; copy the file into it"
                        )),
                        Err(e) => problems.push(format!("{chapter}: docs/examples/{file}: {e}")),
                    }
                    seen.push(file);
                }
            }
        }
    }
    for entry in fs::read_dir(docs().join("examples")).expect("docs/examples") {
        let name = entry
            .expect("an entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".rs") && !seen.contains(&name) {
            problems.push(format!("docs/examples/{name} is shown in no chapter"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_block_that_differs_or_never_ends_is_caught() {
    let chapter = "<!-- example: a.rs -->\n```rust,no_run\nfn main() {}\n```\n";
    assert_eq!(
        shown(chapter),
        Ok(vec![("a.rs".into(), "fn main() {}\n".into())])
    );
    assert!(shown("<!-- example: a.rs -->\ntext\n").is_err());
    assert!(shown("<!-- example: a.rs -->\n```rust\nfn main() {}\n").is_err());
}
