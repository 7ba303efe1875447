//! The results of a run: a scenario-by-target table for the terminal (and
//! in Markdown), every failure with what was expected and what arrived, and
//! the same as JSON. The last line of the terminal report is always
//! `conformance: N passed, N failed, N skipped`.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::case::{CaseResult, Outcome};
use crate::parse::ParseError;

/// Everything a run found.
#[derive(Debug, Default)]
pub struct Report {
    /// Every case, in plan order.
    pub results: Vec<CaseResult>,
    /// Scripts that could not be read; each counts as one failure.
    pub malformed: Vec<ParseError>,
    /// How long the cases took, all together.
    pub elapsed: Duration,
}

/// A row of the table: a scenario over a family.
type RowKey = (String, String);

impl Report {
    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Passed))
    }

    /// Cases that failed, and malformed scripts.
    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Failed(_))) + self.malformed.len()
    }

    /// Cases their target cannot play.
    pub fn skipped(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Unsupported(_)))
    }

    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.results.iter().filter(|r| f(&r.outcome)).count()
    }

    /// The closing line: `conformance: N passed, N failed, N skipped`.
    pub fn summary(&self) -> String {
        format!(
            "conformance: {} passed, {} failed, {} skipped",
            self.passed(),
            self.failed(),
            self.skipped()
        )
    }

    fn rows(&self) -> Vec<RowKey> {
        let mut rows: Vec<RowKey> = Vec::new();
        for r in &self.results {
            let key = (r.case.scenario.name.clone(), r.case.family.to_string());
            if !rows.contains(&key) {
                rows.push(key);
            }
        }
        rows
    }

    fn columns(&self) -> Vec<String> {
        let mut cols: Vec<String> = Vec::new();
        for r in &self.results {
            let label = r.case.target.label();
            if !cols.contains(&label) {
                cols.push(label);
            }
        }
        cols
    }

    fn cell(&self, row: &RowKey, col: &str) -> String {
        self.results
            .iter()
            .find(|r| {
                r.case.scenario.name == row.0
                    && r.case.family.name() == row.1
                    && r.case.target.label() == col
            })
            .map(|r| match &r.outcome {
                Outcome::Passed => format!("pass {}", secs(r.elapsed)),
                Outcome::Failed(_) => format!("FAIL {}", secs(r.elapsed)),
                Outcome::Unsupported(_) => "unsupported".into(),
            })
            .unwrap_or_default()
    }

    /// The report for the terminal.
    pub fn terminal(&self) -> String {
        let rows = self.rows();
        let cols = self.columns();
        let mut grid: Vec<Vec<String>> = Vec::new();
        grid.push(
            std::iter::once("scenario".to_string())
                .chain(cols.iter().cloned())
                .collect(),
        );
        for row in &rows {
            grid.push(
                std::iter::once(format!("{}/{}", row.0, row.1))
                    .chain(cols.iter().map(|c| self.cell(row, c)))
                    .collect(),
            );
        }
        let widths: Vec<usize> = (0..=cols.len())
            .map(|i| grid.iter().map(|r| r[i].len()).max().unwrap_or(0))
            .collect();
        let mut out = String::new();
        for (n, r) in grid.iter().enumerate() {
            let line: Vec<String> = r
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            let _ = writeln!(out, "{}", line.join("  ").trim_end());
            if n == 0 {
                let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
                let _ = writeln!(out, "{}", rule.join("  "));
            }
        }
        for e in &self.malformed {
            let _ = writeln!(
                out,
                "\nMALFORMED {}:{}: {}",
                shown_path(&e.file),
                e.line,
                e.message
            );
        }
        for r in &self.results {
            if let Outcome::Failed(f) = &r.outcome {
                let _ = writeln!(
                    out,
                    "\nFAIL {}/{} on {} ({})",
                    r.case.scenario.name,
                    r.case.family,
                    r.case.target.label(),
                    secs(r.elapsed)
                );
                let file = shown_path(&r.case.scenario.path);
                let at = if f.line > 0 {
                    format!("{file}:{}", f.line)
                } else {
                    file
                };
                let _ = writeln!(out, "  at:       {at}: {}", f.step);
                let _ = writeln!(out, "  expected: {}", f.expected);
                let _ = writeln!(out, "  got:      {}", f.actual);
                for n in &f.notes {
                    let _ = writeln!(out, "  note:     {}", n.replace('\n', "\n            "));
                }
            }
        }
        let unsupported = self.unsupported();
        if !unsupported.is_empty() {
            let _ = writeln!(out, "\nunsupported:");
            for (what, why) in unsupported {
                let _ = writeln!(out, "  {what}: {why}");
            }
        }
        let _ = writeln!(out, "\ncases took {} in all", secs(self.elapsed));
        let _ = write!(out, "{}", self.summary());
        out
    }

    /// `scenario on target` and why it is unsupported, once per pair.
    fn unsupported(&self) -> Vec<(String, String)> {
        let mut seen: Vec<(String, String)> = Vec::new();
        for r in &self.results {
            if let Outcome::Unsupported(why) = &r.outcome {
                let what = format!("{} on {}", r.case.scenario.name, r.case.target.label());
                if !seen.iter().any(|(w, _)| *w == what) {
                    seen.push((what, why.clone()));
                }
            }
        }
        seen
    }

    /// The report as JSON.
    pub fn json(&self) -> Value {
        let cases: Vec<Value> = self
            .results
            .iter()
            .map(|r| {
                let mut v = json!({
                    "scenario": r.case.scenario.name,
                    "family": r.case.family.name(),
                    "target": r.case.target.label(),
                    "server": r.case.target.server.label(),
                    "client": r.case.target.client.label(),
                    "seconds": r.elapsed.as_secs_f64(),
                });
                match &r.outcome {
                    Outcome::Passed => v["outcome"] = json!("pass"),
                    Outcome::Unsupported(why) => {
                        v["outcome"] = json!("unsupported");
                        v["reason"] = json!(why);
                    }
                    Outcome::Failed(f) => {
                        v["outcome"] = json!("fail");
                        v["failure"] = json!({
                            "file": shown_path(&r.case.scenario.path),
                            "line": f.line,
                            "step": f.step,
                            "expected": f.expected,
                            "actual": f.actual,
                            "notes": f.notes,
                        });
                    }
                }
                v
            })
            .collect();
        let malformed: Vec<Value> = self
            .malformed
            .iter()
            .map(|e| json!({"file": shown_path(&e.file), "line": e.line, "message": e.message}))
            .collect();
        json!({
            "passed": self.passed(),
            "failed": self.failed(),
            "skipped": self.skipped(),
            "seconds": self.elapsed.as_secs_f64(),
            "malformed": malformed,
            "cases": cases,
        })
    }

    /// The report as Markdown.
    pub fn markdown(&self) -> String {
        let cols = self.columns();
        let mut out = String::from("# Conformance report\n\n");
        let _ = writeln!(out, "{}, in {}.\n", self.summary(), secs(self.elapsed));
        let _ = writeln!(out, "| scenario | {} |", cols.join(" | "));
        let _ = writeln!(out, "|---|{}", "---|".repeat(cols.len()));
        for row in self.rows() {
            let cells: Vec<String> = cols.iter().map(|c| self.cell(&row, c)).collect();
            let _ = writeln!(out, "| {}/{} | {} |", row.0, row.1, cells.join(" | "));
        }
        if !self.malformed.is_empty() {
            out.push_str("\n## Malformed scripts\n\n");
            for e in &self.malformed {
                let _ = writeln!(out, "- `{e}`");
            }
        }
        let failures: Vec<&CaseResult> = self
            .results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
            .collect();
        if !failures.is_empty() {
            out.push_str("\n## Failures\n");
            for r in failures {
                let Outcome::Failed(f) = &r.outcome else {
                    continue;
                };
                let _ = writeln!(
                    out,
                    "\n### {}/{} on {}\n\n- at: `{}:{}`: `{}`\n- expected: {}\n- got: {}",
                    r.case.scenario.name,
                    r.case.family,
                    r.case.target.label(),
                    shown_path(&r.case.scenario.path),
                    f.line,
                    f.step,
                    md(&f.expected),
                    md(&f.actual)
                );
                for n in &f.notes {
                    let _ = writeln!(out, "- note: {}", md(n));
                }
            }
        }
        let unsupported = self.unsupported();
        if !unsupported.is_empty() {
            out.push_str("\n## Unsupported\n\n");
            for (what, why) in unsupported {
                let _ = writeln!(out, "- {what}: {}", md(&why));
            }
        }
        out
    }
}

/// A script's path relative to the current folder when it is inside it
/// (`conformance/scenarios/echo.txt` from the workspace root).
fn shown_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf));
    relative
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

fn secs(d: Duration) -> String {
    format!("{:.2}s", d.as_secs_f64())
}

/// Text safe inside a Markdown list item: one line, no table pipes.
fn md(s: &str) -> String {
    s.replace('\n', " ").replace('|', "\\|")
}
