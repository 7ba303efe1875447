//! How much memory a server holds, from the kernel's view of it.

use std::io;

/// The resident set of process `pid` in bytes: `VmRSS` of
/// `/proc/PID/status`.
///
/// Scheme: none.
///
/// # Errors
///
/// When the file cannot be read (no such process) or has no `VmRSS` line.
pub fn vm_rss(pid: u32) -> io::Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path)?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kib| kib.trim().parse::<u64>().ok())
        .map(|kib| kib * 1024)
        .ok_or_else(|| io::Error::other(format!("{path} has no VmRSS line in kB")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_some_resident_memory() {
        let rss = vm_rss(std::process::id()).unwrap();
        assert!(rss > 100 * 1024, "{rss} bytes");
    }

    #[test]
    fn no_such_process_is_an_error() {
        // Above the kernel's pid_max (at most 2^22): never a process.
        assert!(vm_rss(u32::MAX).is_err());
    }
}
