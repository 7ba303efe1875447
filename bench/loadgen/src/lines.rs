//! Splitting a byte stream into `\n`-terminated lines without copying the
//! lines that arrive whole: the chat readers' hot path.

use std::io;

/// Cuts chunks of a stream into lines, keeping only an incomplete last line
/// between chunks, and refusing a line longer than a limit so that a peer
/// cannot grow it without bound.
///
/// ```
/// let mut s = loadgen::LineSplitter::new(16);
/// let mut lines = Vec::new();
/// s.feed(b"ab\ncd", |l| lines.push(l.to_vec()))?;
/// s.feed(b"e\n", |l| lines.push(l.to_vec()))?;
/// assert_eq!(lines, [b"ab\n".to_vec(), b"cde\n".to_vec()]);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Scheme: none (`read-line` over a buffered port).
#[derive(Debug, Clone)]
pub struct LineSplitter {
    partial: Vec<u8>,
    max: usize,
}

impl LineSplitter {
    /// A splitter for lines of at most `max` bytes, newline included.
    ///
    /// Scheme: none.
    pub fn new(max: usize) -> LineSplitter {
        LineSplitter {
            partial: Vec::new(),
            max,
        }
    }

    /// Calls `on_line` with each line completed by `chunk`, newline
    /// included, in order; keeps the unfinished rest for the next call.
    ///
    /// Scheme: none.
    ///
    /// # Errors
    ///
    /// `InvalidData` once a line exceeds the limit (the splitter is then of
    /// no further use: the stream has lost its line boundaries).
    pub fn feed(&mut self, mut chunk: &[u8], mut on_line: impl FnMut(&[u8])) -> io::Result<()> {
        if !self.partial.is_empty() {
            let Some(end) = memchr::memchr(b'\n', chunk) else {
                self.partial.extend_from_slice(chunk);
                return self.check_partial();
            };
            self.partial.extend_from_slice(&chunk[..=end]);
            self.check_partial()?;
            on_line(&self.partial);
            self.partial.clear();
            chunk = &chunk[end + 1..];
        }
        while let Some(end) = memchr::memchr(b'\n', chunk) {
            if end + 1 > self.max {
                return Err(too_long(self.max));
            }
            on_line(&chunk[..=end]);
            chunk = &chunk[end + 1..];
        }
        self.partial.extend_from_slice(chunk);
        self.check_partial()
    }

    /// The bytes of an unfinished line held since the last newline.
    ///
    /// Scheme: none.
    pub fn pending(&self) -> &[u8] {
        &self.partial
    }

    fn check_partial(&self) -> io::Result<()> {
        match self.partial.len() > self.max {
            true => Err(too_long(self.max)),
            false => Ok(()),
        }
    }
}

fn too_long(max: usize) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("a line longer than {max} bytes"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split_all(chunks: &[&[u8]], max: usize) -> io::Result<(Vec<Vec<u8>>, Vec<u8>)> {
        let mut s = LineSplitter::new(max);
        let mut out = Vec::new();
        for c in chunks {
            s.feed(c, |l| out.push(l.to_vec()))?;
        }
        Ok((out, s.pending().to_vec()))
    }

    #[test]
    fn lines_across_chunks_come_out_whole() {
        let (lines, rest) = split_all(&[b"a", b"b\nc\n", b"", b"d"], 8).unwrap();
        assert_eq!(lines, [b"ab\n".to_vec(), b"c\n".to_vec()]);
        assert_eq!(rest, b"d");
    }

    #[test]
    fn a_line_over_the_limit_is_invalid_data_in_one_chunk_or_many() {
        assert_eq!(
            split_all(&[b"12345\n"], 5).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        assert_eq!(
            split_all(&[b"123", b"456"], 5).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        assert!(split_all(&[b"1234\n"], 5).is_ok());
    }

    proptest! {
        // However the stream is cut, the lines are the same as one split.
        #[test]
        fn any_cut_gives_the_lines_of_the_whole(
            data in proptest::collection::vec(prop_oneof![Just(b'\n'), any::<u8>()], 0..300),
            cuts in proptest::collection::vec(0usize..300, 0..8),
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(data.len())).collect();
            cuts.sort_unstable();
            let mut chunks = Vec::new();
            let mut at = 0;
            for c in cuts.into_iter().chain([data.len()]) {
                chunks.push(&data[at..c]);
                at = c;
            }
            let whole = split_all(&[&data], 1000).unwrap();
            prop_assert_eq!(split_all(&chunks, 1000).unwrap(), whole);
        }
    }
}
