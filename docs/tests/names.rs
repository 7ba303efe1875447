//! The guide is complete: every name of the five Scheme documents (listed
//! in `docs/names/SYSTEM.txt`) has a row in its system's table, and every
//! row of those tables names a Rust item through an intra-doc link in each
//! of its Rust cells.
//! Whether the linked items exist is rustdoc's check: the chapters are
//! the docs of this crate's modules, and `RUSTDOCFLAGS=-D warnings cargo
//! doc` fails on a link that does not resolve.
//!
//! A table is the Markdown table right after the line
//! `<!-- names: SYSTEM -->`. A name is covered by a row when one of the
//! code spans of the row's first cell, without Scheme's parentheses, is the
//! name or starts with it and a space (`` `(tcp-listen TCPPORT)` `` covers
//! `tcp-listen`). A table has the Scheme name first, the note last, and
//! one Rust column or more between them (the tcp-server egg's has one per
//! server crate); every row has as many cells as the header. A Rust cell
//! links an item, or says there is none: it starts with `none`.

use std::fs;
use std::path::{Path, PathBuf};

/// Each system: its name list and the chapter holding its table.
const SYSTEMS: &[(&str, &str)] = &[
    ("chicken-tcp", "chicken-tcp.md"),
    ("tcp-server-egg", "tcp-server.md"),
    ("guile", "guile-scm.md"),
    ("scm", "guile-scm.md"),
    ("vicare", "chicken-tcp.md"),
];

fn docs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The names of a list: one a line, `#` lines and blank lines skipped.
fn names(list: &str) -> Vec<String> {
    list.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

/// A row of a table: its line number and its cells.
#[derive(Debug)]
struct Row {
    line: usize,
    cells: Vec<String>,
}

/// A names table: how many cells its header has, and its rows.
#[derive(Debug)]
struct Table {
    width: usize,
    rows: Vec<Row>,
}

/// The table after `<!-- names: SYSTEM -->` in `chapter`, header and rule
/// left out of its rows; `None` without the marker.
fn table(chapter: &str, system: &str) -> Option<Table> {
    let marker = format!("<!-- names: {system} -->");
    let lines: Vec<&str> = chapter.lines().collect();
    let start = lines.iter().position(|l| l.trim() == marker)? + 1;
    let width = lines[start..]
        .iter()
        .find(|l| !l.trim().is_empty())
        .map_or(0, |header| cells(header).len());
    let rows = lines[start..]
        .iter()
        .enumerate()
        .skip_while(|(_, l)| l.trim().is_empty())
        .take_while(|(_, l)| l.trim_start().starts_with('|'))
        .skip(2)
        .map(|(i, l)| Row {
            line: start + i + 1,
            cells: cells(l),
        })
        .collect();
    Some(Table { width, rows })
}

/// The problems of a row of a table `width` cells wide: the wrong number
/// of cells, or a Rust cell that neither links an item nor says `none`.
fn row_problems(row: &Row, width: usize) -> Vec<String> {
    if width < 3 || row.cells.len() != width {
        return vec![format!(
            "{} cells, not {} (the header's, at least 3)",
            row.cells.len(),
            width.max(3)
        )];
    }
    row.cells[1..width - 1]
        .iter()
        .enumerate()
        .filter(|(_, cell)| intra_doc_links(cell).is_empty() && !cell.starts_with("none"))
        .map(|(i, _)| format!("Rust cell {} links no item and does not say `none`", i + 1))
        .collect()
}

/// The cells of a table line, split at pipes outside code spans and not
/// escaped (`\|`).
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut cells = vec![String::new()];
    let mut in_code = false;
    let mut prev = ' ';
    for c in inner.chars() {
        match c {
            '`' => in_code = !in_code,
            '|' if !in_code && prev != '\\' => {
                cells.push(String::new());
                prev = c;
                continue;
            }
            _ => {}
        }
        if let Some(cell) = cells.last_mut() {
            cell.push(c);
        }
        prev = c;
    }
    cells.into_iter().map(|c| c.trim().to_string()).collect()
}

/// The code spans of `text`.
fn code_spans(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// Whether a row's first cell covers `name`.
fn covers(first_cell: &str, name: &str) -> bool {
    code_spans(first_cell).into_iter().any(|span| {
        let span = span
            .trim()
            .trim_start_matches(['(', '\''])
            .trim_end_matches(')');
        span == name
            || span
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(' '))
    })
}

/// The intra-doc links of `text`: `` [`path`] `` not followed by an inline
/// target, or `[text](path)` whose target is a Rust path rather than a
/// file or URL.
fn intra_doc_links(text: &str) -> Vec<String> {
    let mut links = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        rest = &rest[open + 1..];
        let Some(close) = rest.find(']') else { break };
        let label = &rest[..close];
        let after = &rest[close + 1..];
        if let Some(target) = after.strip_prefix('(') {
            let target = target.split(')').next().unwrap_or_default();
            if is_rust_path(target) {
                links.push(target.to_string());
            }
        } else if let Some(path) = label.strip_prefix('`').and_then(|l| l.strip_suffix('`')) {
            if is_rust_path(path) {
                links.push(path.to_string());
            }
        }
        rest = after;
    }
    links
}

/// `netprim::Socket::new`, `std::writeln!`, `u32::to_ne_bytes`, `netprim`.
fn is_rust_path(s: &str) -> bool {
    let s = s.strip_suffix('!').unwrap_or(s);
    !s.is_empty()
        && s.split("::").all(|part| {
            part.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

#[test]
fn every_name_of_every_system_has_a_row_that_links_a_rust_item() {
    let mut problems = Vec::new();
    for (system, chapter) in SYSTEMS {
        let list = names(&read(&docs().join("names").join(format!("{system}.txt"))));
        assert!(!list.is_empty(), "names/{system}.txt lists no names");
        let Some(Table { width, rows }) = table(&read(&docs().join(chapter)), system) else {
            problems.push(format!("{chapter}: no `<!-- names: {system} -->` table"));
            continue;
        };
        for name in &list {
            if !rows.iter().any(|r| covers(&r.cells[0], name)) {
                problems.push(format!("{chapter}: `{name}` ({system}) has no row"));
            }
        }
        for row in &rows {
            for problem in row_problems(row, width) {
                problems.push(format!("{chapter}:{}: {problem}", row.line));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the guide is incomplete:\n{}",
        problems.join("\n")
    );
}

#[test]
fn each_system_has_its_own_table() {
    for (system, chapter) in SYSTEMS {
        let rows = table(&read(&docs().join(chapter)), system);
        assert!(
            rows.is_some_and(|t| !t.rows.is_empty()),
            "{chapter}: no table for {system}"
        );
    }
}

#[test]
fn a_missing_name_or_an_unlinked_row_is_caught() {
    let chapter = "\
<!-- names: toy -->
| Scheme | Rust | note |
|---|---|---|
| `(tcp-listen PORT)` | [`tcp_ports::listen`] | |
| `tcp-close` | `TcpListener::close` | |
";
    let Table { width, rows } = table(chapter, "toy").expect("the table");
    assert_eq!((width, rows.len()), (3, 2));
    assert!(covers(&rows[0].cells[0], "tcp-listen"));
    assert!(!covers(&rows[0].cells[0], "tcp-listener?"));
    assert!(!covers(&rows[1].cells[0], "tcp-accept"));
    assert_eq!(intra_doc_links(&rows[0].cells[1]), ["tcp_ports::listen"]);
    assert!(
        intra_doc_links(&rows[1].cells[1]).is_empty(),
        "a code span is not a link"
    );
    assert!(table(chapter, "other").is_none());
}

#[test]
fn links_to_files_and_urls_are_not_intra_doc_links() {
    assert!(intra_doc_links("[differences](differences.md#linger)").is_empty());
    assert!(intra_doc_links("[docs](https://docs.rs/socket2)").is_empty());
    assert_eq!(
        intra_doc_links("[`Socket`](netprim::Socket) and [`std::writeln!`]"),
        ["netprim::Socket", "std::writeln!"]
    );
}

#[test]
fn escaped_pipes_and_pipes_in_code_stay_in_their_cell() {
    assert_eq!(
        cells("| `a \\| b` | x \\| y | z |"),
        ["`a \\| b`", "x \\| y", "z"]
    );
    assert_eq!(cells("| `a | b` | c | d |"), ["`a | b`", "c", "d"]);
}

#[test]
fn a_rust_column_per_crate_is_checked_cell_by_cell() {
    let chapter = "\
<!-- names: toy -->
| Scheme | threads | tasks | note |
|---|---|---|---|
| `make-tcp-server` | [`tcp_server::Server::new`] | [`Server::new`](tcp_server_async::Server::new) | |
| `MAXREQUESTS` | [`tcp_server::ServerBuilder::max_requests`] | none: no such thing | |
| `THUNK` | [`tcp_server::Connection`] | `Input` | |
| `tcp-accept` | [`tcp_server::ServerBuilder::accept_hook`] | |
";
    let Table { width, rows } = table(chapter, "toy").expect("the table");
    assert_eq!(width, 4);
    assert!(row_problems(&rows[0], width).is_empty());
    assert!(
        row_problems(&rows[1], width).is_empty(),
        "`none` says there is none"
    );
    assert_eq!(
        row_problems(&rows[2], width),
        ["Rust cell 2 links no item and does not say `none`"]
    );
    assert_eq!(
        row_problems(&rows[3], width),
        ["3 cells, not 4 (the header's, at least 3)"]
    );
}
