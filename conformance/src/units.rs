//! The units scripts write: durations (`300ms`, `5s`) and sizes (`4MiB`).

use std::time::Duration;

/// Parses `300ms` or `5s`; `None` for anything else.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let (digits, unit) = split_number(s)?;
    let n: u64 = digits.parse().ok()?;
    match unit {
        "ms" => Some(Duration::from_millis(n)),
        "s" => n.checked_mul(1000).map(Duration::from_millis),
        _ => None,
    }
}

/// Parses `4096`, `4096B`, `64KiB` or `4MiB` as a number of bytes; `None` for
/// anything else, or more than 1 GiB (a script has no business with more).
pub fn parse_size(s: &str) -> Option<usize> {
    let (digits, unit) = split_number(s)?;
    let n: usize = digits.parse().ok()?;
    let scale = match unit {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        _ => return None,
    };
    n.checked_mul(scale).filter(|&b| b <= 1 << 30)
}

/// A duration as scripts write it: `300ms`, `5s`.
pub fn show(d: Duration) -> String {
    let ms = d.as_millis();
    if ms % 1000 == 0 && ms > 0 {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// A size as scripts write it: `4 MiB`, `12 KiB`, `100 bytes`.
pub fn show_size(n: usize) -> String {
    if n >= 1 << 20 && n % (1 << 20) == 0 {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n % (1 << 10) == 0 {
        format!("{} KiB", n >> 10)
    } else if n == 1 {
        "1 byte".into()
    } else {
        format!("{n} bytes")
    }
}

fn split_number(s: &str) -> Option<(&str, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    (end > 0).then(|| s.split_at(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("300ms"), Some(Duration::from_millis(300)));
        assert_eq!(parse_duration("5s"), Some(Duration::from_secs(5)));
        for bad in ["", "ms", "5", "5m", "1.5s", "-1s", "99999999999999999999s"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert_eq!(show(Duration::from_millis(300)), "300ms");
        assert_eq!(show(Duration::from_secs(5)), "5s");
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("100"), Some(100));
        assert_eq!(parse_size("100B"), Some(100));
        assert_eq!(parse_size("64KiB"), Some(65536));
        assert_eq!(parse_size("4MiB"), Some(4 << 20));
        for bad in ["", "MiB", "4MB", "4 MiB", "2048MiB"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
        assert_eq!(show_size(4 << 20), "4 MiB");
        assert_eq!(show_size(1536), "1536 bytes");
    }
}
