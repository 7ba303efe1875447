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

/// What a chat server relays of what it read: the complete lines of
/// `pending` (the start of a line read before) followed by `data`, or
/// `None` when no line ended yet; what follows the last newline stays in
/// `pending`. Every line is checked before any is given out.
///
/// # Errors
///
/// `InvalidData` when a line, newline included, is longer than
/// [`MAX_LINE`] (or the unfinished one already has `MAX_LINE` bytes):
/// nothing of it is to be relayed.
pub fn complete_lines<'a>(
    pending: &mut Vec<u8>,
    data: &'a [u8],
) -> io::Result<Option<std::borrow::Cow<'a, [u8]>>> {
    let too_long = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("dropped: no end of line within {MAX_LINE} bytes"),
        )
    };
    let Some(end) = data.iter().rposition(|&b| b == b'\n') else {
        pending.extend_from_slice(data);
        return match pending.len() >= MAX_LINE {
            true => Err(too_long()),
            false => Ok(None),
        };
    };
    let (complete, rest) = data.split_at(end + 1);
    let mut length = pending.len();
    for &b in complete {
        length += 1;
        if length > MAX_LINE {
            return Err(too_long());
        }
        if b == b'\n' {
            length = 0;
        }
    }
    if rest.len() >= MAX_LINE {
        return Err(too_long());
    }
    let lines = match pending.is_empty() {
        true => std::borrow::Cow::Borrowed(complete),
        false => {
            let mut whole = std::mem::take(pending);
            whole.extend_from_slice(complete);
            std::borrow::Cow::Owned(whole)
        }
    };
    pending.extend_from_slice(rest);
    Ok(Some(lines))
}

#[cfg(test)]
mod chat_tests {
    use super::*;

    #[test]
    fn complete_lines_pass_whole_and_long_ones_fail_wherever_they_end() {
        let mut pending = b"ab".to_vec();
        let out = complete_lines(&mut pending, b"c\nd\nef").unwrap().unwrap();
        assert_eq!((&*out, pending.as_slice()), (&b"abc\nd\n"[..], &b"ef"[..]));
        assert!(complete_lines(&mut pending, b"g").unwrap().is_none());
        // At the limit exactly: fine.
        let mut pending = vec![b'y'; MAX_LINE - 1];
        assert!(complete_lines(&mut pending, b"\n").unwrap().is_some());
        // One past it, its newline in the same read as the overflow.
        let mut pending = vec![b'z'; MAX_LINE - 1];
        let err = complete_lines(&mut pending, b"zz and more\n").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        // A long line after a short one in one read.
        let mut data = b"ok\n".to_vec();
        data.extend(vec![b'z'; MAX_LINE + 1]);
        data.push(b'\n');
        assert!(complete_lines(&mut Vec::new(), &data).is_err());
        // An unfinished line that reaches the limit.
        assert!(complete_lines(&mut Vec::new(), &vec![b'z'; MAX_LINE]).is_err());
    }
}
