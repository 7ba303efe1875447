//! CPU time of the load generator and of the server it loads: they share
//! the machine's cores, so a rate means little without them.

use std::io;
use std::ops::Sub;
use std::time::Duration;

use nix::sys::resource::{UsageWho, getrusage};
use nix::unistd::{SysconfVar, sysconf};
use serde::{Deserialize, Serialize};

/// User and system CPU seconds.
///
/// Scheme: none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CpuTime {
    /// Seconds in user space.
    pub user_s: f64,
    /// Seconds in the kernel.
    pub system_s: f64,
}

impl CpuTime {
    /// User plus system seconds.
    ///
    /// Scheme: none.
    pub fn total_s(&self) -> f64 {
        self.user_s + self.system_s
    }

    /// This process's CPU time so far, all threads (`getrusage(2)`,
    /// `RUSAGE_SELF`).
    ///
    /// Scheme: none.
    ///
    /// # Errors
    ///
    /// The error of `getrusage`.
    pub fn of_self() -> io::Result<CpuTime> {
        let u = getrusage(UsageWho::RUSAGE_SELF).map_err(io::Error::from)?;
        let secs = |t: nix::sys::time::TimeVal| {
            Duration::new(t.tv_sec().max(0) as u64, (t.tv_usec().max(0) as u32) * 1000)
                .as_secs_f64()
        };
        Ok(CpuTime {
            user_s: secs(u.user_time()),
            system_s: secs(u.system_time()),
        })
    }

    /// The CPU time of process `pid` so far, all its threads: `utime` and
    /// `stime` of `/proc/PID/stat`, in clock ticks.
    ///
    /// Scheme: none.
    ///
    /// # Errors
    ///
    /// `NotFound` when the process is gone; `InvalidData` for a stat line
    /// this does not understand.
    pub fn of_pid(pid: u32) -> io::Result<CpuTime> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
        parse_stat(&stat, clock_ticks()?).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("/proc/{pid}/stat: {stat:?}"),
            )
        })
    }
}

impl Sub for CpuTime {
    type Output = CpuTime;

    /// The time spent between two readings (never negative).
    fn sub(self, earlier: CpuTime) -> CpuTime {
        CpuTime {
            user_s: (self.user_s - earlier.user_s).max(0.0),
            system_s: (self.system_s - earlier.system_s).max(0.0),
        }
    }
}

fn clock_ticks() -> io::Result<f64> {
    match sysconf(SysconfVar::CLK_TCK) {
        Ok(Some(n)) if n > 0 => Ok(n as f64),
        Ok(_) => Err(io::Error::other("sysconf(_SC_CLK_TCK) gave no value")),
        Err(e) => Err(e.into()),
    }
}

/// utime and stime of a `/proc/PID/stat` line. The command name (field 2)
/// is in parentheses and may hold spaces and parentheses itself, so the
/// fields are counted from the last `)`.
fn parse_stat(stat: &str, ticks_per_s: f64) -> Option<CpuTime> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace();
    // After the name: state (3), ppid, pgrp, session, tty, tpgid, flags,
    // minflt, cminflt, majflt, cmajflt, then utime (14) and stime (15).
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(CpuTime {
        user_s: utime as f64 / ticks_per_s,
        system_s: stime as f64 / ticks_per_s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_after_the_name() {
        let line = "42 (a) b (c)) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0";
        let t = parse_stat(line, 100.0).unwrap();
        assert_eq!((t.user_s, t.system_s), (2.5, 0.5));
        assert_eq!(parse_stat("garbage", 100.0), None);
        assert_eq!(parse_stat("1 (x) S 1", 100.0), None);
    }

    #[test]
    fn our_own_cpu_time_grows_and_matches_proc() {
        let before = CpuTime::of_self().unwrap();
        // Burn a measurable slice of CPU, bounded by count.
        let mut x = 0u64;
        for i in 0..50_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        let after = CpuTime::of_self().unwrap();
        assert!((after - before).total_s() > 0.0);
        let proc = CpuTime::of_pid(std::process::id()).unwrap();
        // /proc counts in ticks (10 ms): within a tick or two of getrusage.
        assert!(
            (proc.total_s() - after.total_s()).abs() < 0.1,
            "{proc:?} {after:?}"
        );
        let gone = CpuTime::of_pid(u32::MAX).unwrap_err();
        assert_eq!(gone.kind(), io::ErrorKind::NotFound);
    }
}
