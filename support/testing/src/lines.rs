//! Reading what a child process prints, line by line, with a deadline.

use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc::{self, Receiver};

/// The lines of `stream` (without their newlines), read on a thread of
/// their own so that a test can wait for the next one with
/// `recv_timeout`. The channel closes at the end of the stream or at the
/// first read error; the thread ends then or when the receiver is dropped.
///
/// Scheme: none.
pub fn lines_of(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn yields_each_line_then_closes() {
        let rx = lines_of(&b"one\ntwo\nthree"[..]);
        let wait = Duration::from_secs(10);
        for want in ["one", "two", "three"] {
            assert_eq!(rx.recv_timeout(wait).unwrap(), want);
        }
        assert!(rx.recv_timeout(wait).is_err());
    }
}
