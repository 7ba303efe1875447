//! What has arrived on one stream (a connection, or a client program's
//! stdout) and is not yet consumed, and how an expectation is matched
//! against it as bytes trickle in: a mismatch is reported at the first wrong
//! byte, with what was expected and what actually arrived.

use std::io;
use std::sync::Arc;

use regex::Regex;

use crate::payload::show_bytes;
use crate::script::ErrorKind;

/// The longest line an expectation waits for before it gives up on ever
/// seeing a newline.
const MAX_LINE: usize = 64 * 1024;

/// How a stream ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// A normal close (EOF).
    Eof,
    /// An error, with its kind and message.
    Error(io::ErrorKind, String),
}

impl End {
    fn describe(&self) -> String {
        match self {
            End::Eof => "EOF".into(),
            End::Error(kind, msg) => format!("a connection error ({}: {msg})", kind_name(*kind)),
        }
    }
}

/// The names a script uses for error kinds, or the kind's own name.
pub fn kind_name(kind: io::ErrorKind) -> String {
    match kind {
        io::ErrorKind::ConnectionReset => "reset".into(),
        io::ErrorKind::ConnectionAborted => "aborted".into(),
        other => format!("{other:?}"),
    }
}

/// Bytes received and not yet consumed, and how the stream ended.
#[derive(Debug, Default)]
pub struct Inbox {
    buf: Vec<u8>,
    start: usize,
    end: Option<End>,
    /// Every byte received so far, consumed or not.
    received: u64,
}

impl Inbox {
    /// Adds bytes that arrived.
    pub fn push(&mut self, data: &[u8]) {
        if self.start > 0 && self.start >= self.buf.len() / 2 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(data);
        self.received += data.len() as u64;
    }

    /// Records how the stream ended (the first end counts).
    pub fn finish(&mut self, end: End) {
        self.end.get_or_insert(end);
    }

    /// Whether the stream has ended.
    pub fn ended(&self) -> bool {
        self.end.is_some()
    }

    /// The bytes not yet consumed.
    pub fn pending(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
    }

    /// What is there, for a report: the pending bytes and the end, if any.
    pub fn describe(&self) -> String {
        match (self.pending().is_empty(), &self.end) {
            (true, None) => "nothing".into(),
            (true, Some(end)) => end.describe(),
            (false, None) => show_bytes(self.pending(), 120),
            (false, Some(end)) => format!(
                "{} then {}",
                show_bytes(self.pending(), 120),
                end.describe()
            ),
        }
    }
}

/// How far an expectation has got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Not decided yet: more must arrive.
    Pending,
    /// Met.
    Met,
    /// Not met; what arrived instead.
    Failed(String),
}

/// An expectation being matched against an [`Inbox`].
#[derive(Debug)]
pub struct Matcher {
    kind: Kind,
    /// Bytes of a `Bytes` expectation matched so far, or bytes discarded
    /// while waiting for a close.
    done: usize,
}

#[derive(Debug)]
enum Kind {
    Line(String),
    Pattern(Regex),
    Bytes(Arc<[u8]>),
    Eof,
    Closed,
    Error(ErrorKind),
    Silence,
}

impl Matcher {
    /// Expects the line `text` (without its `\n`).
    pub fn line(text: &str) -> Matcher {
        Matcher::new(Kind::Line(text.to_string()))
    }

    /// Expects a line that `re` matches.
    pub fn pattern(re: &Regex) -> Matcher {
        Matcher::new(Kind::Pattern(re.clone()))
    }

    /// Expects exactly `bytes`.
    pub fn bytes(bytes: Arc<[u8]>) -> Matcher {
        Matcher::new(Kind::Bytes(bytes))
    }

    /// Expects a normal close with nothing before it.
    pub fn eof() -> Matcher {
        Matcher::new(Kind::Eof)
    }

    /// Discards everything until the stream ends, either way.
    pub fn closed() -> Matcher {
        Matcher::new(Kind::Closed)
    }

    /// Expects an error of kind `kind` with nothing before it.
    pub fn error(kind: ErrorKind) -> Matcher {
        Matcher::new(Kind::Error(kind))
    }

    /// Expects nothing at all; the caller decides when it has been long
    /// enough.
    pub fn silence() -> Matcher {
        Matcher::new(Kind::Silence)
    }

    fn new(kind: Kind) -> Matcher {
        Matcher { kind, done: 0 }
    }

    /// Matches what has arrived, consuming what it takes.
    pub fn poll(&mut self, inbox: &mut Inbox) -> Progress {
        match &self.kind {
            Kind::Line(_) | Kind::Pattern(_) => self.poll_line(inbox),
            Kind::Bytes(expected) => {
                let want = &expected[self.done..];
                let got = inbox.pending();
                let n = want.len().min(got.len());
                // The slice comparison is a memcmp; the byte loop only
                // runs to locate a difference for the report.
                let first_difference = if want[..n] == got[..n] {
                    None
                } else {
                    (0..n).find(|&i| want[i] != got[i])
                };
                if let Some(i) = first_difference {
                    let at = self.done + i;
                    let from = i.saturating_sub(16);
                    return Progress::Failed(format!(
                        "byte {at} differs: from byte {} expected {}, got {}",
                        self.done + from,
                        show_bytes(&want[from..(i + 16).min(want.len())], 32),
                        show_bytes(&got[from..(i + 16).min(got.len())], 32),
                    ));
                }
                inbox.consume(n);
                self.done += n;
                if self.done == expected.len() {
                    Progress::Met
                } else if let Some(end) = &inbox.end {
                    Progress::Failed(format!(
                        "{} after {} of {} bytes",
                        end.describe(),
                        self.done,
                        expected.len()
                    ))
                } else {
                    Progress::Pending
                }
            }
            Kind::Eof => match (inbox.pending().is_empty(), &inbox.end) {
                (false, _) => {
                    Progress::Failed(format!("data before any close: {}", inbox.describe()))
                }
                (true, Some(End::Eof)) => Progress::Met,
                (true, Some(end)) => Progress::Failed(end.describe()),
                (true, None) => Progress::Pending,
            },
            Kind::Closed => {
                let n = inbox.pending().len();
                inbox.consume(n);
                self.done += n;
                if inbox.end.is_some() {
                    Progress::Met
                } else {
                    Progress::Pending
                }
            }
            Kind::Error(kind) => match (inbox.pending().is_empty(), &inbox.end) {
                (false, _) => {
                    Progress::Failed(format!("data before any error: {}", inbox.describe()))
                }
                (true, Some(End::Error(k, _))) if kind.matches(*k) => Progress::Met,
                (true, Some(end)) => Progress::Failed(end.describe()),
                (true, None) => Progress::Pending,
            },
            Kind::Silence => {
                if inbox.pending().is_empty() && inbox.end.is_none() {
                    Progress::Pending
                } else {
                    Progress::Failed(inbox.describe())
                }
            }
        }
    }

    fn poll_line(&mut self, inbox: &mut Inbox) -> Progress {
        let pending = inbox.pending();
        let Some(nl) = pending.iter().position(|&b| b == b'\n') else {
            if pending.len() > MAX_LINE {
                return Progress::Failed(format!(
                    "no newline in the first {MAX_LINE} bytes: {}",
                    show_bytes(pending, 120)
                ));
            }
            return match &inbox.end {
                Some(end) if pending.is_empty() => Progress::Failed(end.describe()),
                Some(end) => Progress::Failed(format!(
                    "{} without a newline, then {}",
                    show_bytes(pending, 120),
                    end.describe()
                )),
                None => Progress::Pending,
            };
        };
        let line = pending[..nl].to_vec();
        inbox.consume(nl + 1);
        let text = String::from_utf8_lossy(&line);
        let ok = match &self.kind {
            Kind::Line(want) => *want == text,
            Kind::Pattern(re) => re.is_match(&text),
            _ => false,
        };
        if ok {
            Progress::Met
        } else {
            Progress::Failed(format!("the line {}", show_bytes(&line, 200)))
        }
    }

    /// What arrived by the time the expectation ran out of time.
    pub fn timed_out(&self, inbox: &Inbox) -> String {
        match &self.kind {
            Kind::Bytes(expected) => format!(
                "{} of {} bytes matched, then {}",
                self.done,
                expected.len(),
                inbox.describe()
            ),
            Kind::Closed => format!("{} bytes, and no close", self.done),
            _ => inbox.describe(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inbox(data: &[u8], end: Option<End>) -> Inbox {
        let mut i = Inbox::default();
        i.push(data);
        if let Some(e) = end {
            i.finish(e);
        }
        i
    }

    #[test]
    fn lines_match_or_say_what_came() {
        let mut i = inbox(b"Hello!\nHullo!\nHel", None);
        assert_eq!(Matcher::line("Hello!").poll(&mut i), Progress::Met);
        assert_eq!(
            Matcher::line("Hello!").poll(&mut i),
            Progress::Failed("the line \"Hullo!\"".into())
        );
        let mut m = Matcher::line("Hello!");
        assert_eq!(m.poll(&mut i), Progress::Pending);
        i.finish(End::Eof);
        assert_eq!(
            m.poll(&mut i),
            Progress::Failed("\"Hel\" without a newline, then EOF".into())
        );
    }

    #[test]
    fn bytes_arrive_in_pieces_and_a_difference_is_located() {
        let mut m = Matcher::bytes(Arc::from(&b"abcdef"[..]));
        let mut i = inbox(b"abc", None);
        assert_eq!(m.poll(&mut i), Progress::Pending);
        i.push(b"def");
        assert_eq!(m.poll(&mut i), Progress::Met);

        let mut m = Matcher::bytes(Arc::from(&b"abcdef"[..]));
        let mut i = inbox(b"abXdef", None);
        match m.poll(&mut i) {
            Progress::Failed(s) => assert!(s.starts_with("byte 2 differs"), "{s}"),
            p => panic!("{p:?}"),
        }
    }

    #[test]
    fn eof_and_errors_are_told_apart() {
        assert_eq!(
            Matcher::eof().poll(&mut inbox(b"", Some(End::Eof))),
            Progress::Met
        );
        let reset = End::Error(io::ErrorKind::ConnectionReset, "reset by peer".into());
        assert_eq!(
            Matcher::error(ErrorKind::Reset).poll(&mut inbox(b"", Some(reset.clone()))),
            Progress::Met
        );
        assert!(matches!(
            Matcher::eof().poll(&mut inbox(b"", Some(reset.clone()))),
            Progress::Failed(_)
        ));
        assert!(matches!(
            Matcher::eof().poll(&mut inbox(b"x", Some(End::Eof))),
            Progress::Failed(_)
        ));
        assert_eq!(
            Matcher::closed().poll(&mut inbox(b"xyz", Some(reset))),
            Progress::Met
        );
        assert_eq!(
            Matcher::silence().poll(&mut inbox(b"", None)),
            Progress::Pending
        );
        assert!(matches!(
            Matcher::silence().poll(&mut inbox(b"!", None)),
            Progress::Failed(_)
        ));
    }
}
