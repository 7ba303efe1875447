//! The bytes the loads send: deterministic, different for every connection
//! and round, so a reply that belongs to another request cannot pass the
//! byte-for-byte check.

/// Fills `buf` with the `len`-byte echo request of round `round` on
/// connection `conn`: the round's low 32 bits and then the connection's as
/// hex digits, least significant first (so that even a 16-byte request
/// tells neighbouring rounds and connections apart), then letters, then
/// `\n` (so line-based echo servers echo it too).
///
/// Scheme: none.
pub fn echo_request(buf: &mut Vec<u8>, conn: u32, round: u64, len: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    buf.clear();
    if len == 0 {
        return;
    }
    let digits = |v: u64| (0..8).map(move |i| HEX[((v >> (4 * i)) & 0xf) as usize]);
    let letters = (0..).map(|i: u32| b'a' + (conn.wrapping_add(i) % 26) as u8);
    let body = digits(round).chain(digits(u64::from(conn))).chain(letters);
    buf.extend(body.take(len - 1));
    buf.push(b'\n');
}

/// The shortest chat line [`chat_line`] makes.
pub const MIN_CHAT_LINE: usize = 18;

/// Digits `0123456789` repeated: chat line filler is a window of it, so a
/// line is made by copying slices, not byte by byte.
const FILLER: &[u8; 1034] = &{
    let mut f = [0u8; 1034];
    let mut i = 0;
    while i < f.len() {
        f[i] = b'0' + (i % 10) as u8;
        i += 1;
    }
    f
};

/// Appends chat line number `seq`, `len` bytes long (at least
/// [`MIN_CHAT_LINE`]) with its newline: the sequence number in 16 hex
/// digits, a space, digits cycling from `seq % 10`, `\n`. Readers
/// regenerate it to check what came.
///
/// Scheme: none.
pub fn chat_line(out: &mut Vec<u8>, seq: u64, len: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let len = len.max(MIN_CHAT_LINE);
    out.reserve(len);
    out.extend(
        (0..16)
            .rev()
            .map(|i| HEX[((seq >> (4 * i)) & 0xf) as usize]),
    );
    out.push(b' ');
    let mut fill = len - MIN_CHAT_LINE;
    let mut start = (seq % 10) as usize;
    while fill > 0 {
        let n = fill.min(FILLER.len() - 10);
        out.extend_from_slice(&FILLER[start..start + n]);
        // The next chunk continues the cycle where this one stopped.
        start = (start + n) % 10;
        fill -= n;
    }
    out.push(b'\n');
}

/// The sequence number at the start of a chat line, if it has one.
///
/// Scheme: none.
pub fn chat_seq(line: &[u8]) -> Option<u64> {
    let hex = std::str::from_utf8(line.get(..16)?).ok()?;
    u64::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_requests_have_the_length_asked_and_differ_by_round_and_connection() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        for len in [1, 2, 16, 17, 16 * 1024] {
            echo_request(&mut a, 3, 7, len);
            assert_eq!(a.len(), len);
            assert_eq!(a.last(), Some(&b'\n'));
        }
        echo_request(&mut a, 3, 7, 16);
        echo_request(&mut b, 3, 8, 16);
        assert_ne!(a, b);
        echo_request(&mut a, 3, 7, 64);
        echo_request(&mut b, 4, 7, 64);
        assert_ne!(a, b);
        echo_request(&mut a, 3, 7, 0);
        assert!(a.is_empty());
    }

    #[test]
    fn chat_lines_carry_their_number() {
        let mut l = Vec::new();
        chat_line(&mut l, 0xabc, 64);
        assert_eq!(l.len(), 64);
        assert_eq!(chat_seq(&l), Some(0xabc));
        l.clear();
        chat_line(&mut l, 1, 0);
        assert_eq!(l.len(), MIN_CHAT_LINE);
        assert_eq!(chat_seq(b"zz"), None);
        // Filler longer than one copied chunk keeps cycling.
        for (seq, len) in [(7, 3000), (12, 64), (0, MIN_CHAT_LINE + 1)] {
            l.clear();
            chat_line(&mut l, seq, len);
            assert_eq!(l.len(), len);
            assert_eq!(&l[..17], format!("{seq:016x} ").as_bytes());
            for (i, &b) in l[17..len - 1].iter().enumerate() {
                assert_eq!(b, b'0' + ((seq as usize + i) % 10) as u8, "{seq} {len} {i}");
            }
        }
        assert_eq!(chat_seq(b"zzzzzzzzzzzzzzzzzz"), None);
    }
}
