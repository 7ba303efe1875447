//! The kernel's count of connections dropped at a full listen queue: a run
//! during which it grew measured a server that never saw part of its load.

use std::io;

/// `ListenOverflows` and `ListenDrops` of `/proc/net/netstat` (`TcpExt`).
///
/// They count for the whole network namespace, so another program's
/// overflow during a run also flags it: a false alarm, never a miss.
///
/// Scheme: none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListenDrops {
    /// Times an accept queue was full (`ListenOverflows`).
    pub overflows: u64,
    /// SYNs dropped at a listener for any reason (`ListenDrops`).
    pub drops: u64,
}

impl ListenDrops {
    /// The counters now.
    ///
    /// Scheme: none.
    ///
    /// # Errors
    ///
    /// Reading `/proc/net/netstat`; `InvalidData` if it lacks the counters.
    pub fn read() -> io::Result<ListenDrops> {
        let text = std::fs::read_to_string("/proc/net/netstat")?;
        parse(&text).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                "/proc/net/netstat has no TcpExt ListenOverflows/ListenDrops",
            )
        })
    }

    /// What grew since `before`.
    ///
    /// Scheme: none.
    pub fn since(self, before: ListenDrops) -> ListenDrops {
        ListenDrops {
            overflows: self.overflows.saturating_sub(before.overflows),
            drops: self.drops.saturating_sub(before.drops),
        }
    }

    /// Whether any counter is non-zero.
    ///
    /// Scheme: none.
    pub fn any(self) -> bool {
        self.overflows > 0 || self.drops > 0
    }
}

/// The file is pairs of lines, names then values, each starting `TcpExt:`.
fn parse(text: &str) -> Option<ListenDrops> {
    let mut lines = text.lines().filter(|l| l.starts_with("TcpExt:"));
    let names = lines.next()?.split_whitespace();
    let values = lines.next()?.split_whitespace();
    let mut found = (None, None);
    for (name, value) in names.zip(values) {
        match name {
            "ListenOverflows" => found.0 = value.parse().ok(),
            "ListenDrops" => found.1 = value.parse().ok(),
            _ => {}
        }
    }
    Some(ListenDrops {
        overflows: found.0?,
        drops: found.1?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_counters_are_found_by_name() {
        let text = "TcpExt: A ListenOverflows B ListenDrops\nTcpExt: 1 7 2 9\nIpExt: X\nIpExt: 3\n";
        assert_eq!(
            parse(text),
            Some(ListenDrops {
                overflows: 7,
                drops: 9
            })
        );
        assert_eq!(parse("TcpExt: A\nTcpExt: 1\n"), None);
        assert_eq!(parse(""), None);
        let now = ListenDrops::read().unwrap();
        assert!(!now.since(now).any());
    }
}
