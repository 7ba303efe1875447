//! The default length of a listener's queue of pending connections.

use std::sync::OnceLock;

/// The least backlog a listener asks for by default.
///
/// Scheme: none (CHICKEN's `tcp-listen` documents 4 and uses 100).
pub const MIN_DEFAULT_BACKLOG: u32 = 1024;

/// Where Linux says how long a listen queue may be; a backlog asked of
/// `listen(2)` is silently capped at this.
const SOMAXCONN: &str = "/proc/sys/net/core/somaxconn";

/// The backlog [`crate::listen`] uses when none is given: the kernel's
/// limit, `/proc/sys/net/core/somaxconn` (4096 on Linux since 5.4), but at
/// least [`MIN_DEFAULT_BACKLOG`] (1024). Linux caps whatever is asked at
/// somaxconn, so the queue really holds somaxconn connections; a burst of
/// clients connecting at once is not dropped while the server is busy.
/// Read once per process.
///
/// ```
/// assert!(tcp_ports::default_backlog() >= 1024);
/// ```
///
/// Scheme: the default `BACKLOG` of `tcp-listen` (documented as 4, really
/// 100 in CHICKEN; see [the differences](https://github.com/scheme-sockets/scheme-sockets/blob/main/docs/differences.md#listen-backlog)).
#[doc(alias("BACKLOG", "tcp-listen"))]
pub fn default_backlog() -> u32 {
    static BACKLOG: OnceLock<u32> = OnceLock::new();
    *BACKLOG.get_or_init(|| {
        let somaxconn = std::fs::read_to_string(SOMAXCONN)
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok());
        from_somaxconn(somaxconn)
    })
}

fn from_somaxconn(somaxconn: Option<u32>) -> u32 {
    somaxconn
        .unwrap_or(0)
        .clamp(MIN_DEFAULT_BACKLOG, i32::MAX as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_least_1024_at_most_what_listen_takes() {
        assert_eq!(from_somaxconn(None), 1024);
        assert_eq!(from_somaxconn(Some(128)), 1024);
        assert_eq!(from_somaxconn(Some(4096)), 4096);
        assert_eq!(from_somaxconn(Some(u32::MAX)), i32::MAX as u32);
    }
}
