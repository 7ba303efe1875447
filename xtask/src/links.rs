//! `cargo xtask links`: every relative link between the repository's
//! Markdown pages, and every link to them from the Rust docs (written as
//! the repository's GitHub URL), points at a file that exists and, with a
//! `#fragment`, at a heading or an `id` of that page. No network: links
//! to other sites are not followed. Intra-doc links (`` [`netprim::Socket`] ``)
//! are rustdoc's to check (`RUSTDOCFLAGS=-D warnings cargo doc`).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// Where the docs' absolute links to this repository's files start.
pub const REPO_URL: &str = "https://github.com/scheme-sockets/scheme-sockets/blob/main/";

/// Checks every link under `root`, failing with the list of broken ones.
pub fn run(root: &Path) -> Result<(), String> {
    let files = files(root).map_err(|e| format!("cannot list {}: {e}", root.display()))?;
    let mut broken = Vec::new();
    let mut count = 0;
    for file in &files {
        let text = match fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                broken.push(format!("{}: {e}", shown(root, file)));
                continue;
            }
        };
        let links = if file.extension().is_some_and(|e| e == "md") {
            markdown_links(&text)
        } else {
            repo_urls(&text)
        };
        for (line, target) in links {
            count += 1;
            if let Err(e) = check(root, file, &target) {
                broken.push(format!("{}:{line}: {target}: {e}", shown(root, file)));
            }
        }
    }
    if broken.is_empty() {
        eprintln!("xtask: {count} links in {} files, none broken", files.len());
        Ok(())
    } else {
        Err(format!(
            "{} broken links:\n{}",
            broken.len(),
            broken.join("\n")
        ))
    }
}

fn shown(root: &Path, file: &Path) -> String {
    file.strip_prefix(root)
        .unwrap_or(file)
        .display()
        .to_string()
}

/// The Markdown and Rust files of the repository, build output and hidden
/// folders left out.
fn files(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if path.is_dir() {
                if !name.starts_with('.') && name != "target" {
                    dirs.push(path);
                }
            } else if name.ends_with(".md") || name.ends_with(".rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Checks one link `target` found in `file`.
fn check(root: &Path, file: &Path, target: &str) -> Result<(), String> {
    let (path, fragment) = match target.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (target, None),
    };
    let resolved = if let Some(in_repo) = path.strip_prefix(REPO_URL) {
        root.join(in_repo)
    } else if path.is_empty() {
        file.to_path_buf()
    } else {
        file.parent().unwrap_or(root).join(path)
    };
    let resolved = normalize(&resolved);
    if !resolved.starts_with(root) {
        return Err("points outside the repository".into());
    }
    if !resolved.exists() {
        return Err("no such file".into());
    }
    match fragment {
        Some(f) if resolved.extension().is_some_and(|e| e == "md") => {
            let page = fs::read_to_string(&resolved).map_err(|e| e.to_string())?;
            if anchors(&page).contains(f) {
                Ok(())
            } else {
                Err(format!(
                    "no heading or id `{f}` in {}",
                    shown(root, &resolved)
                ))
            }
        }
        _ => Ok(()),
    }
}

/// `a/b/../c` as `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The links of a Markdown page to check, with their line numbers: inline
/// `[text](target)` and definitions `[label]: target`, outside code, that
/// are neither URLs of other sites nor Rust paths (intra-doc links).
pub fn markdown_links(text: &str) -> Vec<(usize, String)> {
    let mut links = Vec::new();
    let mut in_fence = false;
    // A definition cannot interrupt a paragraph: `[x]: y` inside one is text.
    let mut may_define = true;
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            may_define = true;
            continue;
        }
        if in_fence {
            continue;
        }
        let prose = without_code_spans(line);
        let mut targets = Vec::new();
        let def = may_define.then(|| definition(&prose)).flatten();
        may_define = line.trim().is_empty() || def.is_some();
        targets.extend(def);
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let end = rest.find(')').unwrap_or(rest.len());
            targets.push(rest[..end].trim().to_string());
            rest = &rest[end..];
        }
        for t in targets {
            let t = t
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .trim_matches(['<', '>'])
                .to_string();
            if is_file_link(&t) {
                links.push((i + 1, t));
            }
        }
        links.extend(repo_urls(line).into_iter().map(|(_, u)| (i + 1, u)));
    }
    links.sort();
    links.dedup();
    links
}

/// `[label]: target` at the start of a line, maybe with a quoted title.
fn definition(line: &str) -> Option<String> {
    let rest = line.trim_start().strip_prefix('[')?;
    let (_, after) = rest.split_once("]:")?;
    let mut words = after.split_whitespace();
    let target = words.next()?;
    match words.next() {
        None => Some(target.to_string()),
        Some(title) if title.starts_with(['"', '\'', '(']) => Some(target.to_string()),
        Some(_) => None,
    }
}

/// `line` with the contents of its code spans blanked out.
fn without_code_spans(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_code = false;
    for c in line.chars() {
        if c == '`' {
            in_code = !in_code;
            out.push(c);
        } else {
            out.push(if in_code { ' ' } else { c });
        }
    }
    out
}

/// Whether `target` is a link to a file of this repository: not a URL
/// (this repository's GitHub URLs are found separately), not a Rust path.
fn is_file_link(target: &str) -> bool {
    if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
        return false;
    }
    let path = target.split('#').next().unwrap_or_default();
    let rust_path = !path.is_empty()
        && !path.contains(['/', '.'])
        && path
            .trim_end_matches("()")
            .trim_end_matches('!')
            .split("::")
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    !rust_path
}

/// The links to this repository's files written as its GitHub URL
/// (`https://github.com/…/blob/main/docs/differences.md#linger`).
pub fn repo_urls(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find(REPO_URL) {
            rest = &rest[at..];
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, ')' | '>' | '"' | '`' | ']'))
                .unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',']);
            out.push((i + 1, url.to_string()));
            rest = &rest[end..];
        }
    }
    out
}

/// The fragments a page answers to: its headings as GitHub makes their
/// anchors (`## SCM's chat` is `scms-chat`, a repeat gets `-1`), and the
/// `id="…"` and `name="…"` of its HTML tags.
pub fn anchors(page: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut in_fence = false;
    for line in page.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        if let Some(title) = line.strip_prefix('#') {
            let title = title.trim_start_matches('#');
            if title.starts_with(' ') {
                let base = slug(title);
                let mut anchor = base.clone();
                let mut n = 0;
                while found.contains(&anchor) {
                    n += 1;
                    anchor = format!("{base}-{n}");
                }
                found.insert(anchor);
            }
        }
        for attr in ["id=\"", "name=\""] {
            let mut rest = line;
            while let Some(at) = rest.find(attr) {
                rest = &rest[at + attr.len()..];
                if let Some(end) = rest.find('"') {
                    found.insert(rest[..end].to_string());
                    rest = &rest[end..];
                }
            }
        }
    }
    found
}

/// GitHub's anchor of a heading: lower case, spaces as hyphens, and only
/// letters, digits, hyphens and underscores kept.
fn slug(title: &str) -> String {
    title
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_become_githubs_anchors() {
        let page = "# Title\n## SCM's chat server and client\n### `tcp-connect`: every form\n## Title\n```\n# not a heading\n```\n<a id=\"here\"></a>\n";
        let a = anchors(page);
        for want in [
            "title",
            "scms-chat-server-and-client",
            "tcp-connect-every-form",
            "title-1",
            "here",
        ] {
            assert!(a.contains(want), "{want} in {a:?}");
        }
        assert!(!a.contains("not-a-heading"));
    }

    #[test]
    fn links_to_check_are_files_not_urls_code_or_rust_paths() {
        let page = "\
[a](guile-scm.md#every-name-of-guile) [b](https://docs.rs/x) [`c`](netprim::Socket)
`[not](a-link.md)` [d](../crates/netprim) [e](#local)

[ref]: differences.md#linger
[`f`]: tcp_server::Server::run
[`g`]: not a definition, a paragraph's text
text
[`h`]: in-a-paragraph.md
```
[g](in-code.md)
```
";
        let targets: Vec<String> = markdown_links(page).into_iter().map(|(_, t)| t).collect();
        assert_eq!(
            targets,
            [
                "guile-scm.md#every-name-of-guile",
                "#local",
                "../crates/netprim",
                "differences.md#linger"
            ]
        );
    }

    #[test]
    fn repository_urls_are_found_in_rust_docs() {
        let text = "//! the [list](https://github.com/scheme-sockets/scheme-sockets/blob/main/docs/differences.md#linger).\n";
        assert_eq!(
            repo_urls(text),
            [(1, format!("{REPO_URL}docs/differences.md#linger"))]
        );
    }

    #[test]
    fn a_missing_file_or_anchor_is_broken() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let readme = root.join("README.md");
        assert!(check(&root, &readme, "docs/README.md").is_ok());
        assert!(check(&root, &readme, "docs/no-such-page.md").is_err());
        assert!(check(&root, &readme, "docs/differences.md#no-such-heading").is_err());
        assert!(check(&root, &readme, "docs/differences.md#linger").is_ok());
        assert!(check(&root, &readme, "../outside.md").is_err());
    }
}
