//! Every item whose docs name a Scheme counterpart (`Scheme: tcp-accept`)
//! carries `#[doc(alias = "tcp-accept")]`, because rustdoc's search reads
//! item names and aliases, not doc text: without the alias, the README's
//! promise that a search for the Scheme name lands on the item is false.
//!
//! The Scheme names of an item are the code spans of its `Scheme:`
//! paragraph (up to the next blank doc line), read as Scheme: the first
//! word, without a leading `(` or `'`, so `` `(getserv name protocol)` ``
//! is `getserv`. Spans that are not names are left out: links
//! (`` [`Socket`] ``), literals (`` `#f` ``, `` `"HOST:PORT"` ``) and Rust
//! code (`` `&mut buf` ``). `Scheme: none` asks for no alias, and a name
//! equal to the item's own is found without one (rustdoc refuses it as an
//! alias). `impl` blocks cannot have aliases; their Scheme lines are
//! skipped.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

/// An item lacking the alias for one of its Scheme names.
#[derive(Debug, PartialEq, Eq)]
struct Miss {
    file: String,
    line: usize,
    item: String,
    name: String,
}

impl fmt::Display for Miss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: `{}` lacks #[doc(alias = \"{}\")]",
            self.file, self.line, self.item, self.name
        )
    }
}

/// The misses in one source file, `text`, reported as `file`.
fn check_source(file: &str, text: &str) -> Vec<Miss> {
    let mut misses = Vec::new();
    let mut block = Block::default();
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let trimmed = line.trim_start();
        if let Some(doc) = trimmed.strip_prefix("///") {
            block.doc(i + 1, doc.strip_prefix(' ').unwrap_or(doc));
        } else if trimmed.starts_with("#[") || trimmed.starts_with("$(#[") {
            // An attribute, maybe over several lines.
            let mut attr = trimmed.to_string();
            let mut depth = brackets(trimmed);
            while depth > 0 {
                let Some((_, next)) = lines.next() else { break };
                depth += brackets(next);
                attr.push(' ');
                attr.push_str(next.trim());
            }
            block.attrs.push(attr);
        } else if trimmed.starts_with("//") {
            // A plain comment between docs and item changes nothing.
        } else {
            if let Some(item) = item_name(trimmed) {
                misses.extend(block.misses(file, &item));
            }
            block = Block::default();
        }
    }
    misses
}

/// The docs and attributes in front of an item.
#[derive(Default)]
struct Block {
    /// The `Scheme:` paragraph: its first line number and its text.
    scheme: Option<(usize, String)>,
    /// Whether the paragraph is still going on.
    in_scheme: bool,
    in_fence: bool,
    attrs: Vec<String>,
}

impl Block {
    fn doc(&mut self, line: usize, text: &str) {
        if text.trim_start().starts_with("```") {
            self.in_fence = !self.in_fence;
            self.in_scheme = false;
            return;
        }
        if self.in_fence {
            return;
        }
        if text.trim().is_empty() {
            self.in_scheme = false;
        } else if let Some(rest) = text.trim_start().strip_prefix("Scheme:") {
            self.scheme = Some((line, rest.to_string()));
            self.in_scheme = true;
        } else if self.in_scheme
            && let Some((_, para)) = &mut self.scheme
        {
            para.push(' ');
            para.push_str(text);
        }
    }

    fn misses(&self, file: &str, item: &Item) -> Vec<Miss> {
        let Some((line, para)) = &self.scheme else {
            return Vec::new();
        };
        if item.is_impl || para.trim_start().starts_with("none") {
            return Vec::new();
        }
        let aliases: Vec<String> = self.attrs.iter().flat_map(|a| aliases(a)).collect();
        scheme_names(para)
            .into_iter()
            .filter(|n| *n != item.name && !aliases.contains(n))
            .map(|name| Miss {
                file: file.to_string(),
                line: *line,
                item: item.name.clone(),
                name,
            })
            .collect()
    }
}

/// How much `text` opens square brackets, less how much it closes them.
fn brackets(text: &str) -> i32 {
    text.chars()
        .map(|c| match c {
            '[' => 1,
            ']' => -1,
            _ => 0,
        })
        .sum()
}

struct Item {
    name: String,
    is_impl: bool,
}

/// The name of the item declared on `line`, if it declares one: `fn`,
/// `struct`, `use … as X`, a method of a trait macro (`read_x -> u32;`), …
fn item_name(line: &str) -> Option<Item> {
    let words: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || c == '(' || c == '<' || c == ':' || c == ';')
        .filter(|w| !w.is_empty())
        .collect();
    let mut rest = words.iter().skip_while(|w| {
        matches!(
            **w,
            "pub" | "pub(crate)" | "const" | "unsafe" | "async" | "extern" | "\"C\""
        ) || w.starts_with("pub(")
    });
    let first = *rest.next()?;
    let name = match first {
        "impl" => {
            return Some(Item {
                name: line.trim().to_string(),
                is_impl: true,
            });
        }
        "use" => {
            let path = line.trim().trim_end_matches(';');
            let last = path.rsplit(" as ").next()?;
            last.rsplit("::").next()?.trim()
        }
        "fn" | "struct" | "enum" | "trait" | "type" | "static" | "mod" | "union" => *rest.next()?,
        // `const NAME: T`: "const" was skipped above, so NAME comes first.
        _ if first.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => first,
        _ => return None,
    };
    Some(Item {
        name: name.trim_start_matches("r#").to_string(),
        is_impl: false,
    })
}

/// The aliases an attribute gives: `alias = "x"` and `alias("x", "y")`.
fn aliases(attr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = attr;
    while let Some(at) = rest.find("alias") {
        rest = rest[at + "alias".len()..].trim_start();
        let list = if let Some(r) = rest.strip_prefix('=') {
            r.trim_start()
                .split_inclusive('"')
                .take(2)
                .collect::<String>()
        } else if let Some(r) = rest.strip_prefix('(') {
            r.split(')').next().unwrap_or("").to_string()
        } else {
            continue;
        };
        out.extend(list.split('"').skip(1).step_by(2).map(str::to_string));
    }
    out
}

/// The Scheme names in the text of a `Scheme:` paragraph (see the top of
/// this file).
fn scheme_names(para: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut parts = para.split('`');
    let mut before = parts.next().unwrap_or("");
    while let (Some(span), Some(after)) = (parts.next(), parts.next()) {
        let link = before.ends_with('[') && after.starts_with(']');
        let word = span
            .trim()
            .trim_start_matches(['(', '\''])
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_end_matches(')');
        let is_name = word.starts_with(|c: char| c.is_ascii_alphabetic())
            && word
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-!?*<>=:/.+".contains(c))
            && !word.contains("::");
        if !link && is_name && !names.iter().any(|n| n == word) {
            names.push(word.to_string());
        }
        before = after;
    }
    names
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_scheme_line_has_its_doc_aliases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for krate in fs::read_dir(root.join("crates")).expect("crates/ exists") {
        let src = krate.expect("a directory entry").path().join("src");
        if src.is_dir() {
            rust_files(&src, &mut files);
        }
    }
    assert!(files.len() > 10, "found only {files:?}");
    let mut misses = Vec::new();
    for path in &files {
        let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let shown = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        misses.extend(check_source(&shown, &text));
    }
    let report: Vec<String> = misses.iter().map(Miss::to_string).collect();
    assert!(
        report.is_empty(),
        "{} Scheme names without #[doc(alias)]:\n{}",
        report.len(),
        report.join("\n")
    );
}

#[test]
fn the_check_sees_a_missing_alias_and_accepts_a_present_one() {
    let source = r#"
/// Accepts.
///
/// Scheme: `tcp-accept`, and `(tcp-accept-ready? l)`; see [`Other`]; `#f`
/// when `"HOST:PORT"` is `listen`.
#[doc(alias = "tcp-accept")]
pub fn accept() {}

/// Scheme: none (nothing like it).
pub fn quiet() {}

/// Scheme: `recv!` and `AF_INET`.
#[doc(alias("recv!", "AF_INET"))]
#[inline]
pub(crate) fn recv() {}

/// Scheme: `listen` (its own name needs no alias).
pub fn listen() {}

/// Scheme: the port.
impl Read for Port {}

macro! {
    /// Scheme: `read-network-long`.
    read_network_u32 -> u32;
}
"#;
    let misses: Vec<String> = check_source("f.rs", source)
        .iter()
        .map(Miss::to_string)
        .collect();
    assert_eq!(
        misses,
        [
            "f.rs:4: `accept` lacks #[doc(alias = \"tcp-accept-ready?\")]",
            "f.rs:4: `accept` lacks #[doc(alias = \"listen\")]",
            "f.rs:24: `read_network_u32` lacks #[doc(alias = \"read-network-long\")]",
        ]
    );
}
