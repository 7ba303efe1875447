//! Reading a line with a bound on its length.

use std::io::{self, BufRead};

/// The longest line the example programs accept from a peer (64 KiB,
/// newline included), a sensible `max` for [`crate::TcpReader::read_line_max`].
///
/// Scheme: none (CHICKEN's `read-line` has no default limit).
pub const DEFAULT_MAX_LINE: usize = 64 * 1024;

/// `read_line` that stops with `InvalidData` after `max` bytes without a
/// newline. On an I/O error what was read so far is appended to `buf` (when
/// it is UTF-8), as `read_line` does.
pub(crate) fn read_line_max<R: BufRead + ?Sized>(
    r: &mut R,
    buf: &mut String,
    max: usize,
) -> io::Result<usize> {
    let mut line = Vec::new();
    let outcome = loop {
        let available = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => break Err(e),
        };
        if available.is_empty() {
            break Ok(());
        }
        let room = max - line.len();
        match available.iter().position(|&b| b == b'\n') {
            Some(i) if i < room => {
                line.extend_from_slice(&available[..=i]);
                r.consume(i + 1);
                break Ok(());
            }
            _ => {
                let take = available.len().min(room);
                line.extend_from_slice(&available[..take]);
                r.consume(take);
                if line.len() == max {
                    break Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("line longer than {max} bytes"),
                    ));
                }
            }
        }
    };
    let text = std::str::from_utf8(&line);
    match (outcome, text) {
        (Ok(()), Ok(text)) => {
            buf.push_str(text);
            Ok(line.len())
        }
        (Ok(()), Err(_)) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )),
        (Err(e), text) => {
            if let (true, Ok(text)) = (e.kind() != io::ErrorKind::InvalidData, text) {
                buf.push_str(text);
            }
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &[u8], max: usize) -> (io::Result<usize>, String) {
        let mut r = io::BufReader::with_capacity(3, input);
        let mut buf = String::new();
        (read_line_max(&mut r, &mut buf, max), buf)
    }

    #[test]
    fn lines_up_to_max_pass_longer_ones_fail() {
        assert_eq!(read(b"abc\nd", 4).1, "abc\n");
        assert_eq!(
            read(b"abcd", 4).0.unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        assert_eq!(
            read(b"abcd\n", 4).0.unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        let (n, text) = read(b"ab", 4);
        assert_eq!((n.unwrap(), text.as_str()), (2, "ab"));
        assert_eq!(read(b"", 4).0.unwrap(), 0);
        assert!(read(b"\xff\n", 4).0.is_err());
        assert_eq!(
            read(b"x", 0).0.unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
    }
}
