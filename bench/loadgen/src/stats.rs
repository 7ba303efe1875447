//! What a load measured: operations, latency percentiles, errors by kind.

use std::collections::BTreeMap;
use std::io;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::cpu::CpuTime;

/// The longest latency a histogram tells apart from longer ones: 60 s, far
/// past any operation timeout.
const MAX_LATENCY_US: u64 = 60_000_000;

/// How a failed operation is counted: an `io::ErrorKind`'s name, or one of
/// these for what the byte-for-byte check and the open-loop schedule find.
///
/// Scheme: none.
pub mod kind {
    /// A reply whose bytes differ from what the scenario says.
    pub const MISMATCH: &str = "Mismatch";
    /// An open-loop send that was due before the end of the run but never
    /// went out, because the connection was still waiting for an earlier
    /// reply: counted, so a stall cannot hide by delaying the sends.
    pub const MISSED: &str = "Missed";
}

/// One task's tally, merged into the report at the end (no sharing while
/// the load runs).
///
/// Scheme: none.
#[derive(Debug, Clone)]
pub struct Recorder {
    latency_us: Histogram<u64>,
    ops: u64,
    bytes: u64,
    errors: BTreeMap<String, u64>,
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder::new()
    }
}

impl Recorder {
    /// An empty tally.
    ///
    /// Scheme: none.
    pub fn new() -> Recorder {
        // Fixed bounds and 3 significant digits: valid arguments, so this
        // cannot fail.
        let latency_us = Histogram::new_with_bounds(1, MAX_LATENCY_US, 3)
            .unwrap_or_else(|_| unreachable!("constant histogram bounds are valid"));
        Recorder {
            latency_us,
            ops: 0,
            bytes: 0,
            errors: BTreeMap::new(),
        }
    }

    /// Counts one operation that moved `bytes` bytes and took `latency`.
    ///
    /// Scheme: none.
    pub fn op(&mut self, latency: Duration, bytes: usize) {
        let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.latency_us.saturating_record(us.max(1));
        self.ops += 1;
        self.bytes += bytes as u64;
    }

    /// Counts a failed operation by the kind of its error.
    ///
    /// Scheme: none.
    pub fn io_error(&mut self, e: &io::Error) {
        self.error(&format!("{:?}", e.kind()));
    }

    /// Counts a failure of kind `kind` (see [`kind`]).
    ///
    /// Scheme: none.
    pub fn error(&mut self, kind: &str) {
        self.errors_n(kind, 1);
    }

    /// Counts `n` failures of kind `kind`.
    ///
    /// Scheme: none.
    pub fn errors_n(&mut self, kind: &str, n: u64) {
        if n > 0 {
            *self.errors.entry(kind.to_string()).or_default() += n;
        }
    }

    /// Adds `other`'s counts to these.
    ///
    /// Scheme: none.
    pub fn merge(&mut self, other: &Recorder) {
        // Both histograms have the same bounds, so adding cannot fail.
        let _ = self.latency_us.add(&other.latency_us);
        self.ops += other.ops;
        self.bytes += other.bytes;
        for (k, n) in &other.errors {
            self.errors_n(k, *n);
        }
    }

    /// Operations counted so far.
    ///
    /// Scheme: none.
    pub fn ops(&self) -> u64 {
        self.ops
    }

    /// The report of a run that lasted `elapsed` and cost `cpu`.
    ///
    /// Scheme: none.
    pub fn report(&self, load: LoadDesc, elapsed: Duration, cpu: CpuTime) -> Report {
        let secs = elapsed.as_secs_f64();
        let h = &self.latency_us;
        let q = |q: f64| match h.is_empty() {
            true => 0,
            false => h.value_at_quantile(q),
        };
        Report {
            load,
            elapsed_s: secs,
            ops: self.ops,
            ops_per_s: if secs > 0.0 {
                self.ops as f64 / secs
            } else {
                0.0
            },
            bytes: self.bytes,
            latency_us: Latency {
                p50: q(0.5),
                p99: q(0.99),
                p999: q(0.999),
                max: h.max(),
                mean: if h.is_empty() { 0.0 } else { h.mean() },
            },
            errors: self.errors.clone(),
            cpu,
        }
    }
}

/// What load was applied, as the report repeats it.
///
/// Scheme: none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadDesc {
    /// `daytime`, `hello`, `echo`, `chat`, or a floor (`pingpong-tcp`,
    /// `pingpong-unix`).
    pub scenario: String,
    /// Concurrent connections (chat: clients).
    pub connections: usize,
    /// Bytes per request (echo) or line (chat).
    pub payload: usize,
    /// `None` for closed loop; the target arrival rate per second for open
    /// loop.
    pub rate: Option<f64>,
}

/// Latency percentiles in microseconds; open loop measures from the
/// intended send time.
///
/// Scheme: none.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// Median.
    pub p50: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p999: u64,
    /// Largest.
    pub max: u64,
    /// Mean.
    pub mean: f64,
}

/// The result of one load run, as `loadgen --json` prints it.
///
/// Scheme: none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The load applied.
    pub load: LoadDesc,
    /// Seconds from the first operation to the last.
    pub elapsed_s: f64,
    /// Operations completed and checked: connections (daytime, hello),
    /// round trips (echo, floors), lines delivered to one client (chat).
    pub ops: u64,
    /// `ops / elapsed_s`.
    pub ops_per_s: f64,
    /// Payload bytes received and checked.
    pub bytes: u64,
    /// Latency of the operations.
    pub latency_us: Latency,
    /// Failures by kind (an `io::ErrorKind` name, `Mismatch`, `Missed`).
    pub errors: BTreeMap<String, u64>,
    /// The load generator's own CPU time during the run.
    pub cpu: CpuTime,
}

impl Report {
    /// All failures, of every kind.
    ///
    /// Scheme: none.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_tallies_add_up_and_percentiles_are_ordered() {
        let mut a = Recorder::new();
        let mut b = Recorder::new();
        for us in 1..=1000 {
            a.op(Duration::from_micros(us), 10);
        }
        b.op(Duration::from_secs(3600), 10);
        b.error(kind::MISMATCH);
        b.io_error(&io::Error::from(io::ErrorKind::TimedOut));
        a.merge(&b);
        let desc = LoadDesc {
            scenario: "echo".into(),
            connections: 1,
            payload: 10,
            rate: None,
        };
        let r = a.report(desc, Duration::from_secs(2), CpuTime::default());
        assert_eq!((r.ops, r.bytes, r.error_count()), (1001, 10010, 2));
        assert_eq!(r.errors["TimedOut"], 1);
        assert!((r.ops_per_s - 500.5).abs() < 1e-9);
        let l = r.latency_us;
        assert!(
            l.p50 <= l.p99 && l.p99 <= l.p999 && l.p999 <= l.max,
            "{l:?}"
        );
        assert!((495..=505).contains(&l.p50), "{l:?}");
        // An hour saturates at the histogram's bound instead of failing.
        assert!(l.max >= MAX_LATENCY_US - MAX_LATENCY_US / 100, "{l:?}");
    }

    #[test]
    fn an_empty_run_reports_zeros() {
        let desc = LoadDesc {
            scenario: "chat".into(),
            connections: 2,
            payload: 20,
            rate: Some(5.0),
        };
        let r = Recorder::new().report(desc, Duration::ZERO, CpuTime::default());
        assert_eq!((r.ops, r.ops_per_s, r.latency_us.max), (0, 0.0, 0));
    }
}
