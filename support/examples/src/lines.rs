//! Reading the scenarios' lines from a peer: one `\n`-terminated line of
//! bounded length, then (for daytime) the end of the stream.

use std::io::{self, BufRead, Read};

/// The longest line the examples accept, newline included: a peer that
/// never sends `\n` cannot grow a reader's memory past this.
pub const MAX_LINE: usize = 64 * 1024;

/// Reads one line ending in `\n` and returns it without the `\n` (bytes
/// that are not UTF-8 are replaced, as `String::from_utf8_lossy` does).
///
/// # Errors
///
/// `UnexpectedEof` if the stream ends before the `\n` (the message quotes
/// what came), `InvalidData` if no `\n` comes within [`MAX_LINE`] bytes,
/// and the reader's own errors.
pub fn read_line(reader: &mut impl BufRead) -> io::Result<String> {
    let mut line = Vec::new();
    reader
        .by_ref()
        .take(MAX_LINE as u64)
        .read_until(b'\n', &mut line)?;
    if line.last() == Some(&b'\n') {
        line.pop();
        return Ok(String::from_utf8_lossy(&line).into_owned());
    }
    let (kind, message) = if line.len() >= MAX_LINE {
        (
            io::ErrorKind::InvalidData,
            format!("no end of line within {MAX_LINE} bytes"),
        )
    } else if line.is_empty() {
        (
            io::ErrorKind::UnexpectedEof,
            "connection closed before a line arrived".to_string(),
        )
    } else {
        (
            io::ErrorKind::UnexpectedEof,
            format!(
                "connection closed in the middle of a line: {:?}",
                String::from_utf8_lossy(&line)
            ),
        )
    };
    Err(io::Error::new(kind, message))
}

/// Reads on until the end of the stream and succeeds if nothing more came.
///
/// # Errors
///
/// `InvalidData` if more bytes arrive (the message says how many were seen
/// first), and the reader's own errors.
pub fn expect_eof(reader: &mut impl Read) -> io::Result<()> {
    let mut buf = [0; 512];
    match reader.read(&mut buf)? {
        0 => Ok(()),
        n => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("expected the end of the stream, got {n} more bytes"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_then_eof() {
        let mut r: &[u8] = b"Hello!\n";
        assert_eq!(read_line(&mut r).unwrap(), "Hello!");
        expect_eof(&mut r).unwrap();
    }

    #[test]
    fn a_partial_line_is_unexpected_eof_quoting_it() {
        let mut r: &[u8] = b"Hel";
        let err = read_line(&mut r).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert!(err.to_string().contains("\"Hel\""), "{err}");
        let mut empty: &[u8] = b"";
        assert_eq!(
            read_line(&mut empty).unwrap_err().kind(),
            io::ErrorKind::UnexpectedEof
        );
    }

    #[test]
    fn an_endless_line_is_refused_at_the_limit() {
        let long = vec![b'x'; MAX_LINE + 10];
        let err = read_line(&mut &long[..]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        let mut exact = vec![b'x'; MAX_LINE - 1];
        exact.push(b'\n');
        assert_eq!(read_line(&mut &exact[..]).unwrap().len(), MAX_LINE - 1);
    }

    #[test]
    fn more_data_instead_of_eof_is_invalid() {
        let mut r: &[u8] = b"x\ny";
        read_line(&mut r).unwrap();
        assert_eq!(
            expect_eof(&mut r).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
    }
}
