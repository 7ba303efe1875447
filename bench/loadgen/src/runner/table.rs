//! From runs to the table: medians with min–max per load and server, the
//! ratios of each layer to each baseline, latency, CPU time, and flags for
//! runs the kernel's listen drops distorted.

use std::fmt::Write;

use super::exec::Outcome;
use super::plan::LoadSpec;
use super::servers::{Role, Server};
use crate::stats::{Latency, Report};

/// One measurement of a load on a server.
///
/// Scheme: none.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// Index into the plan's loads.
    pub load: usize,
    /// The server's column name.
    pub server: String,
    /// Which repetition.
    pub rep: usize,
    /// What it gave.
    pub outcome: Outcome,
}

/// What the runs of one load on one server come to.
///
/// Scheme: none.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Median rate of the valid runs (ops per second).
    pub median: f64,
    /// Lowest valid rate.
    pub min: f64,
    /// Highest valid rate.
    pub max: f64,
    /// Runs that counted.
    pub valid: usize,
    /// Runs left out because the listen queue overflowed during them.
    pub dropped: usize,
    /// Runs that gave no report.
    pub failed: Vec<String>,
    /// Errors the load generator counted in the valid runs.
    pub errors: u64,
    /// Latency of the run with the median rate.
    pub latency: Option<Latency>,
    /// Median server and load-generator CPU seconds per run.
    pub server_cpu_s: Option<f64>,
    /// Median CPU seconds of the load generator per run.
    pub loadgen_cpu_s: Option<f64>,
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// Sums up the outcomes of one load on one server.
///
/// Scheme: none.
pub fn cell<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> Cell {
    let mut valid: Vec<(&Report, Option<f64>)> = Vec::new();
    let (mut dropped, mut failed) = (0, Vec::new());
    for o in outcomes {
        match &o.report {
            Err(e) => failed.push(e.clone()),
            Ok(_) if o.drops.is_some_and(|d| d.any()) => dropped += 1,
            Ok(r) => valid.push((r, o.server_cpu.map(|c| c.total_s()))),
        }
    }
    valid.sort_by(|a, b| a.0.ops_per_s.total_cmp(&b.0.ops_per_s));
    let rates: Vec<f64> = valid.iter().map(|(r, _)| r.ops_per_s).collect();
    Cell {
        median: median(rates.clone()).unwrap_or(0.0),
        min: rates.first().copied().unwrap_or(0.0),
        max: rates.last().copied().unwrap_or(0.0),
        valid: valid.len(),
        dropped,
        failed,
        errors: valid.iter().map(|(r, _)| r.error_count()).sum(),
        latency: valid.get(valid.len() / 2).map(|(r, _)| r.latency_us),
        server_cpu_s: median(valid.iter().filter_map(|(_, c)| *c).collect()),
        loadgen_cpu_s: median(valid.iter().map(|(r, _)| r.cpu.total_s()).collect()),
    }
}

/// A rate with three significant digits and a k/M suffix.
pub fn human(rate: f64) -> String {
    let (v, suffix) = match rate {
        r if r >= 1e6 => (r / 1e6, "M"),
        r if r >= 1e3 => (r / 1e3, "k"),
        r => (r, ""),
    };
    let digits = match v {
        v if v >= 100.0 => 0,
        v if v >= 10.0 => 1,
        _ => 2,
    };
    format!("{v:.digits$}{suffix}")
}

impl Cell {
    /// The rate cell: `12.3k (11.9k–12.8k)`, with flags.
    pub fn rate_text(&self) -> String {
        if self.valid == 0 {
            return match (self.dropped, self.failed.first()) {
                (d, _) if d > 0 => format!("**flagged**: listen drops in {d} runs"),
                (_, Some(e)) => format!("failed: {}", one_line(e)),
                _ => "–".into(),
            };
        }
        let mut s = format!(
            "{} ({}–{})",
            human(self.median),
            human(self.min),
            human(self.max)
        );
        if self.dropped > 0 {
            let _ = write!(s, " †{}", self.dropped);
        }
        if !self.failed.is_empty() {
            let _ = write!(s, " ‡{}", self.failed.len());
        }
        if self.errors > 0 {
            let _ = write!(s, " E{}", self.errors);
        }
        s
    }
}

fn one_line(s: &str) -> String {
    let s = s.lines().next().unwrap_or("").replace('|', "/");
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

/// The cells of the table: `cells[load][server]`, `None` where the server
/// does not serve that load's scenario.
pub fn cells(
    loads: &[LoadSpec],
    servers: &[Server],
    runs: &[Measurement],
) -> Vec<Vec<Option<Cell>>> {
    loads
        .iter()
        .enumerate()
        .map(|(i, load)| {
            servers
                .iter()
                .map(|s| {
                    s.launch.contains_key(&load.scenario).then(|| {
                        cell(
                            runs.iter()
                                .filter(|m| m.load == i && m.server == s.name)
                                .map(|m| &m.outcome),
                        )
                    })
                })
                .collect()
        })
        .collect()
}

/// Everything the Markdown report says besides the cells.
///
/// Scheme: none.
#[derive(Debug, Clone, Default)]
pub struct Header {
    /// Lines printed first: date, commit, command, machine.
    pub preamble: Vec<String>,
    /// Skipped servers and the like.
    pub notes: Vec<String>,
}

/// The Markdown report.
///
/// Scheme: none.
pub fn markdown(
    header: &Header,
    loads: &[LoadSpec],
    servers: &[Server],
    runs: &[Measurement],
    floors: &[(String, Cell)],
) -> String {
    let table = cells(loads, servers, runs);
    let mut md = String::new();
    for line in &header.preamble {
        let _ = writeln!(md, "{line}  ");
    }
    for note in &header.notes {
        let _ = writeln!(md, "- {note}");
    }
    let names: Vec<&str> = servers.iter().map(|s| s.name.as_str()).collect();
    let row_head = |md: &mut String, first: &[&str], cols: &[String]| {
        let all: Vec<String> = first
            .iter()
            .map(|s| s.to_string())
            .chain(cols.iter().cloned())
            .collect();
        let _ = writeln!(md, "\n| {} |", all.join(" | "));
        let _ = writeln!(md, "|{}", "---|".repeat(all.len()));
    };
    let cols: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();

    let _ = writeln!(md, "\n### Throughput: median (min–max) over the runs");
    row_head(&mut md, &["load", "unit"], &cols);
    for (load, row) in loads.iter().zip(&table) {
        let cells: Vec<String> = row
            .iter()
            .map(|c| c.as_ref().map_or("–".into(), Cell::rate_text))
            .collect();
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            load.label(),
            load.scenario.unit(),
            cells.join(" | ")
        );
    }
    let _ = writeln!(
        md,
        "\n† runs left out: the kernel's ListenOverflows/ListenDrops grew during them \
         (counted for the whole machine, so another program can cause it). \
         ‡ runs that failed. E errors counted by the load generator (by kind in results.json)."
    );

    let pairs: Vec<(usize, usize)> = servers
        .iter()
        .enumerate()
        .filter(|(_, s)| s.role != Role::Baseline)
        .flat_map(|(i, _)| {
            servers
                .iter()
                .enumerate()
                .filter(|(_, b)| b.role == Role::Baseline)
                .map(move |(j, _)| (i, j))
        })
        .collect();
    if !pairs.is_empty() {
        let _ = writeln!(
            md,
            "\n### Ratios: server / baseline, of the medians (above 1: faster)"
        );
        let cols: Vec<String> = pairs
            .iter()
            .map(|&(i, j)| format!("`{}`/`{}`", names[i], names[j]))
            .collect();
        row_head(&mut md, &["load"], &cols);
        for (load, row) in loads.iter().zip(&table) {
            let cells: Vec<String> = pairs
                .iter()
                .map(|&(i, j)| match (&row[i], &row[j]) {
                    (Some(a), Some(b)) if a.valid > 0 && b.valid > 0 && b.median > 0.0 => {
                        format!("{:.2}", a.median / b.median)
                    }
                    _ => "–".into(),
                })
                .collect();
            let _ = writeln!(md, "| {} | {} |", load.label(), cells.join(" | "));
        }
    }

    let _ = writeln!(
        md,
        "\n### Latency, µs: p50 / p99 / p99.9 / max (of the run with the median rate)"
    );
    row_head(&mut md, &["load"], &cols);
    for (load, row) in loads.iter().zip(&table) {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c.as_ref().and_then(|c| c.latency) {
                Some(l) => format!("{} / {} / {} / {}", l.p50, l.p99, l.p999, l.max),
                None => "–".into(),
            })
            .collect();
        let _ = writeln!(md, "| {} | {} |", load.label(), cells.join(" | "));
    }

    let _ = writeln!(
        md,
        "\n### CPU seconds per run: server / load generator (medians)\n\n\
         Both run on this machine and share its cores: a rate is only as high as \
         the CPU left to each side allows."
    );
    row_head(&mut md, &["load"], &cols);
    for (load, row) in loads.iter().zip(&table) {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Some(c) if c.valid > 0 => format!(
                    "{} / {}",
                    c.server_cpu_s.map_or("?".into(), |s| format!("{s:.2}")),
                    c.loadgen_cpu_s.map_or("?".into(), |s| format!("{s:.2}"))
                ),
                _ => "–".into(),
            })
            .collect();
        let _ = writeln!(md, "| {} | {} |", load.label(), cells.join(" | "));
    }

    if !floors.is_empty() {
        let _ = writeln!(
            md,
            "\n### Floors: one connection, two threads of one process, no server\n\n\
             | floor | round trips/s: median (min–max) | latency µs: p50 / p99 / p99.9 / max | CPU s |\n|---|---|---|---|"
        );
        for (name, c) in floors {
            let lat = c.latency.map_or("–".into(), |l| {
                format!("{} / {} / {} / {}", l.p50, l.p99, l.p999, l.max)
            });
            let cpu = c.loadgen_cpu_s.map_or("–".into(), |s| format!("{s:.2}"));
            let _ = writeln!(md, "| {name} | {} | {lat} | {cpu} |", c.rate_text());
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::CpuTime;
    use crate::netstat::ListenDrops;
    use crate::stats::{LoadDesc, Recorder};
    use std::time::Duration;

    fn outcome(rate: u64, drops: u64) -> Outcome {
        let mut r = Recorder::new();
        for _ in 0..rate {
            r.op(Duration::from_micros(10), 1);
        }
        let desc = LoadDesc {
            scenario: "echo".into(),
            connections: 1,
            payload: 1,
            rate: None,
        };
        Outcome {
            report: Ok(r.report(desc, Duration::from_secs(1), CpuTime::default())),
            server_cpu: Some(CpuTime {
                user_s: 0.5,
                system_s: 0.0,
            }),
            drops: Some(ListenDrops {
                overflows: drops,
                drops,
            }),
        }
    }

    #[test]
    fn medians_leave_out_distorted_and_failed_runs() {
        let failed = Outcome {
            report: Err("boom".into()),
            server_cpu: None,
            drops: None,
        };
        let runs = [
            outcome(30, 0),
            outcome(10, 0),
            outcome(20, 0),
            outcome(1000, 3),
            failed,
        ];
        let c = cell(&runs);
        assert_eq!((c.median, c.min, c.max), (20.0, 10.0, 30.0));
        assert_eq!((c.valid, c.dropped, c.failed.len()), (3, 1, 1));
        assert_eq!(c.server_cpu_s, Some(0.5));
        assert_eq!(c.rate_text(), "20.0 (10.0–30.0) †1 ‡1");
        let all_dropped = cell(&[outcome(5, 1)]);
        assert!(
            all_dropped.rate_text().contains("flagged"),
            "{}",
            all_dropped.rate_text()
        );
        assert_eq!(cell(&[outcome(1, 0), outcome(2, 0)]).median, 1.5);
    }

    #[test]
    fn human_rates() {
        assert_eq!(human(12_345.0), "12.3k");
        assert_eq!(human(1_234_567.0), "1.23M");
        assert_eq!(human(999.0), "999");
        assert_eq!(human(0.5), "0.50");
    }
}
