//! The bytes a script sends or expects: literal text and bytes, or a large
//! payload generated from a seed, so that both sides of a conversation (and
//! anyone reimplementing the suite) produce the same bytes without a file.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, OnceLock};

use crate::units::show_size;

/// Bytes to send or expect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// Exactly these bytes (`"Hello!\n"`, `hex "00ff"`).
    Literal(Vec<u8>),
    /// `random SIZE seed N`: SIZE pseudo-random bytes from seed N.
    Random {
        /// How many bytes.
        size: usize,
        /// The generator's seed.
        seed: u64,
    },
    /// `lines SIZE seed N`: SIZE bytes of printable lines from seed N.
    Lines {
        /// How many bytes; the last one is a `\n`.
        size: usize,
        /// The generator's seed.
        seed: u64,
    },
}

impl Payload {
    /// Its bytes. A generated payload is made once per process and shared:
    /// a case uses the same megabytes on both sides and several times.
    pub fn bytes(&self) -> Arc<[u8]> {
        type Cache = Mutex<HashMap<(bool, usize, u64), Arc<[u8]>>>;
        static CACHE: OnceLock<Cache> = OnceLock::new();
        let key = match self {
            Payload::Literal(b) => return Arc::from(b.as_slice()),
            Payload::Random { size, seed } => (false, *size, *seed),
            Payload::Lines { size, seed } => (true, *size, *seed),
        };
        let cache = CACHE.get_or_init(Default::default);
        if let Some(b) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Arc::clone(b);
        }
        let (lines, size, seed) = key;
        let b: Arc<[u8]> = if lines {
            random_lines(size, seed).into()
        } else {
            random_bytes(size, seed).into()
        };
        cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, Arc::clone(&b));
        b
    }

    /// How many bytes it has.
    pub fn len(&self) -> usize {
        match self {
            Payload::Literal(b) => b.len(),
            Payload::Random { size, .. } | Payload::Lines { size, .. } => *size,
        }
    }

    /// Whether it has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What it is, for reports: `"Hello!\n"`, `4 MiB of pseudo-random bytes
    /// from seed 7`.
    pub fn describe(&self) -> String {
        match self {
            Payload::Literal(b) => show_bytes(b, 200),
            Payload::Random { size, seed } => {
                format!(
                    "{} of pseudo-random bytes from seed {seed}",
                    show_size(*size)
                )
            }
            Payload::Lines { size, seed } => {
                format!(
                    "{} of pseudo-random lines from seed {seed}",
                    show_size(*size)
                )
            }
        }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and easy to reproduce
/// in any language, which is all a test payload needs.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// `size` bytes: the generator's outputs from `seed`, each as 8
/// little-endian bytes, the last one cut short.
pub fn random_bytes(size: usize, seed: u64) -> Vec<u8> {
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::with_capacity(size + 8);
    while out.len() < size {
        out.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    out.truncate(size);
    out
}

/// `size` bytes of lines: each of 1 to 64 characters from `[a-z0-9 ]`
/// (length and characters from the generator's outputs modulo 64 and 37)
/// and a `\n`; the last line is cut short so the total is `size`, and its
/// last byte is a `\n`.
pub fn random_lines(size: usize, seed: u64) -> Vec<u8> {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789 ";
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::with_capacity(size + 66);
    while out.len() < size {
        let len = 1 + (rng.next_u64() % 64) as usize;
        for _ in 0..len {
            out.push(CHARS[(rng.next_u64() % CHARS.len() as u64) as usize]);
        }
        out.push(b'\n');
    }
    out.truncate(size);
    if let Some(last) = out.last_mut() {
        *last = b'\n';
    }
    out
}

/// Bytes as a readable, quoted string (`"Hello!\n"`), at most `max` of them
/// shown; the rest is counted.
pub fn show_bytes(bytes: &[u8], max: usize) -> String {
    let mut s = String::from("\"");
    for &b in bytes.iter().take(max) {
        match b {
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(b as char),
            _ => {
                let _ = write!(s, "\\x{b:02x}");
            }
        }
    }
    s.push('"');
    if bytes.len() > max {
        let _ = write!(s, "... ({} bytes in all)", bytes.len());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_reference() {
        // The first outputs for seed 1234567 of the reference C code.
        let mut r = SplitMix64::new(1234567);
        assert_eq!(r.next_u64(), 6457827717110365317);
        assert_eq!(r.next_u64(), 3203168211198807973);
    }

    #[test]
    fn generated_payloads_have_their_size_and_are_reproducible() {
        for size in [0, 1, 7, 8, 9, 1000, 65536] {
            assert_eq!(random_bytes(size, 7).len(), size);
            assert_eq!(random_lines(size, 7).len(), size);
        }
        assert_eq!(random_bytes(100, 7), random_bytes(100, 7));
        assert_ne!(random_bytes(100, 7), random_bytes(100, 8));
        let lines = random_lines(10_000, 3);
        assert_eq!(lines.last(), Some(&b'\n'));
        assert!(lines.split(|&b| b == b'\n').all(|l| l.len() <= 64));
        assert!(
            lines
                .iter()
                .all(|&b| b == b'\n' || b.is_ascii_lowercase() || b.is_ascii_digit() || b == b' ')
        );
    }

    #[test]
    fn bytes_are_shown_escaped_and_cut() {
        assert_eq!(show_bytes(b"Hi!\n\x00", 10), "\"Hi!\\n\\x00\"");
        assert_eq!(show_bytes(b"abcdef", 3), "\"abc\"... (6 bytes in all)");
    }
}
