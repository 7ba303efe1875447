//! Values on the command lines of the bench tools.

use std::time::Duration;

/// Parses a duration: `250ms`, `2s`, `1.5s`, `1m`, or a bare number of
/// seconds.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(loadgen::cli::parse_duration("250ms"), Ok(Duration::from_millis(250)));
/// assert!(loadgen::cli::parse_duration("-1s").is_err());
/// ```
///
/// Scheme: none.
///
/// # Errors
///
/// A message quoting `s` when it is not a non-negative finite number with
/// one of those units, or is over a day.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (number, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    let bad = || format!("{s:?} is not a duration (e.g. 500ms, 2s, 1m)");
    // Only digits and one dot: no signs, exponents, `inf` or `NaN`.
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(bad());
    }
    let value: f64 = number.parse().map_err(|_| bad())?;
    let secs = value * scale;
    if !(0.0..=86_400.0).contains(&secs) {
        return Err(format!("{s:?} is out of range (at most a day)"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn units_and_bad_forms() {
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        for bad in [
            "", "s", "ms", "x", "-1", "1e3", "inf", "NaN", "1..2s", "2h", "99999m",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn any_string_parses_or_fails_cleanly(s in ".{0,20}") {
            if let Ok(d) = parse_duration(&s) {
                prop_assert!(d <= Duration::from_secs(86_400));
            }
        }
    }
}
