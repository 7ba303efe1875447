//! The committed conformance report (`docs/conformance.md`, written by
//! `cargo xtask conformance --markdown docs/conformance.md`) stays in step
//! with the suite: after CI's run of the suite, the matrix of its fresh
//! report (scenario and family × target → pass, FAIL or unsupported) must
//! equal the committed one's. Timings, which vary from run to run, are
//! left out.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// The committed report, relative to the workspace root.
pub const COMMITTED: &str = "docs/conformance.md";

/// Row (`echo/ipv4`) and column (`ports server`) → outcome word.
pub type Matrix = BTreeMap<(String, String), String>;

/// Compares the fresh report at `fresh` with the committed one at
/// `committed`.
///
/// # Errors
///
/// When either cannot be read or holds no table, or the matrices differ;
/// the message lists each difference and says how to regenerate the file.
pub fn check(fresh: &Path, committed: &Path) -> Result<(), String> {
    let read =
        |p: &Path| fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    let new =
        matrix(&read(fresh)?).ok_or_else(|| format!("{}: no report table", fresh.display()))?;
    let old = matrix(&read(committed)?)
        .ok_or_else(|| format!("{}: no report table", committed.display()))?;
    let diff = differences(&old, &new);
    if diff.is_empty() {
        eprintln!(
            "xtask: {} is in step with the suite ({} cells)",
            committed.display(),
            new.len()
        );
        Ok(())
    } else {
        Err(format!(
            "{} is out of step with the suite; regenerate it with \
             `cargo xtask conformance --markdown {COMMITTED}`:\n{}",
            committed.display(),
            diff.join("\n")
        ))
    }
}

/// The matrix of a Markdown report: the table whose header starts with
/// `| scenario |`.
pub fn matrix(report: &str) -> Option<Matrix> {
    let mut lines = report
        .lines()
        .skip_while(|l| !l.starts_with("| scenario |"));
    let columns: Vec<String> = cells(lines.next()?).into_iter().skip(1).collect();
    let mut out = Matrix::new();
    for line in lines.skip(1).take_while(|l| l.starts_with('|')) {
        let mut cells = cells(line).into_iter();
        let Some(row) = cells.next() else { continue };
        for (column, cell) in columns.iter().zip(cells) {
            // `pass 0.12s` → `pass`; an empty cell is a case not run.
            let outcome = cell.split_whitespace().next().unwrap_or("-").to_string();
            out.insert((row.clone(), column.clone()), outcome);
        }
    }
    Some(out)
}

fn cells(line: &str) -> Vec<String> {
    line.trim()
        .trim_start_matches('|')
        .trim_end_matches('|')
        .split('|')
        .map(|c| c.trim().to_string())
        .collect()
}

/// What changed from `old` to `new`, one line per cell.
pub fn differences(old: &Matrix, new: &Matrix) -> Vec<String> {
    let mut out = Vec::new();
    for ((row, col), was) in old {
        match new.get(&(row.clone(), col.clone())) {
            None => out.push(format!("- {row} on {col}: no longer run (was {was})")),
            Some(now) if now != was => out.push(format!("- {row} on {col}: {was} → {now}")),
            Some(_) => {}
        }
    }
    for ((row, col), now) in new {
        if !old.contains_key(&(row.clone(), col.clone())) {
            out.push(format!("- {row} on {col}: new ({now})"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "# Conformance report\n\nconformance: 3 passed, in 1.00s.\n\n\
| scenario | raw server | ports client |\n|---|---|---|\n\
| echo/ipv4 | pass 0.10s | unsupported |\n| hello/ipv6 | pass 0.20s | FAIL 0.30s |\n\n## Failures\n";

    #[test]
    fn the_matrix_leaves_timings_out() {
        let m = matrix(REPORT).expect("a table");
        assert_eq!(m.len(), 4);
        assert_eq!(
            m[&("echo/ipv4".into(), "ports client".into())],
            "unsupported"
        );
        assert_eq!(m[&("hello/ipv6".into(), "raw server".into())], "pass");
        assert_eq!(m[&("hello/ipv6".into(), "ports client".into())], "FAIL");
        let retimed = REPORT.replace("0.10s", "9.99s");
        assert!(differences(&m, &matrix(&retimed).expect("a table")).is_empty());
    }

    #[test]
    fn a_new_scenario_a_lost_layer_or_a_changed_outcome_is_a_difference() {
        let old = matrix(REPORT).expect("a table");
        let new_row = REPORT.replace(
            "\n\n## Failures",
            "\n| chat/ipv4 | pass 1s | pass 1s |\n\n## Failures",
        );
        assert_eq!(
            differences(&old, &matrix(&new_row).expect("a table")).len(),
            2
        );
        let fixed = REPORT.replace("FAIL 0.30s", "pass 0.30s");
        assert_eq!(
            differences(&old, &matrix(&fixed).expect("a table")),
            ["- hello/ipv6 on ports client: FAIL → pass"]
        );
        let lost: String = REPORT
            .replace(" | ports client |", " |")
            .replace(" | unsupported |", " |")
            .replace(" | FAIL 0.30s |", " |");
        assert_eq!(differences(&old, &matrix(&lost).expect("a table")).len(), 2);
        assert!(matrix("no table here").is_none());
    }
}
