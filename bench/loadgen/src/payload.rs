//! The bytes the loads send: deterministic, different for every connection
//! and round, so a reply that belongs to another request cannot pass the
//! byte-for-byte check.

use std::io::Write;

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

/// Appends chat line number `seq`, `len` bytes long (at least
/// [`MIN_CHAT_LINE`]) with its newline: the sequence number in hex, a
/// space, filler, `\n`. Readers regenerate it to check what came.
///
/// Scheme: none.
pub fn chat_line(out: &mut Vec<u8>, seq: u64, len: usize) {
    let len = len.max(MIN_CHAT_LINE);
    let _ = write!(out, "{seq:016x} ");
    let fill = len - MIN_CHAT_LINE;
    out.extend((0..fill).map(|i| b'0' + ((seq as usize + i) % 10) as u8));
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
        assert_eq!(chat_seq(b"zzzzzzzzzzzzzzzzzz"), None);
    }
}
