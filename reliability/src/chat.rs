//! Chat while clients come and go: every line tagged with its sender and
//! sequence number, every receiver checking each sender's order, and those
//! who stayed throughout checking that nothing was lost.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::PATIENCE;

/// What a chat run asks for.
///
/// Scheme: none.
#[derive(Debug, Clone)]
pub struct ChatRun {
    /// Clients connected before anyone talks and until everyone is done:
    /// each must receive every line of every client, in order. Their lines
    /// go out in one burst: keep `stayers * stayer_lines` lines (some 30
    /// bytes each) well under the servers' 1 MiB backlog bound, or a
    /// reader the burst leaves behind may be dropped, as the law allows.
    pub stayers: usize,
    /// Clients that come, talk, and go while the stayers talk.
    pub churners: usize,
    /// The most churners connected at once.
    pub churn_concurrency: usize,
    /// Lines each stayer sends.
    pub stayer_lines: usize,
    /// Lines each churner sends.
    pub churner_lines: usize,
    /// The whole run's limit.
    pub deadline: Duration,
}

/// What a chat run did.
///
/// Scheme: none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatReport {
    /// Lines sent by all clients.
    pub sent: u64,
    /// Lines received and checked, by all clients.
    pub received: u64,
    /// How long the run took.
    pub elapsed: Duration,
}

/// The stayers connect and read `connected`; then they talk while churners
/// come (at most `churn_concurrency` at once), talk and leave; each line is
/// `ID SEQ filler`, and each client's last is `ID end COUNT`. Every
/// receiver checks that each sender's lines come in order without a gap,
/// from its first one seen; a churner that it receives all of its own (it
/// is registered before its greeting), a stayer all of everyone's.
///
/// Scheme: none.
///
/// # Errors
///
/// What the first failed client saw, or that the run passed its deadline.
pub fn chat_churn(addr: SocketAddr, run: &ChatRun) -> Result<ChatReport, String> {
    let started = Instant::now();
    let deadline = started + run.deadline;
    let mut everyone: Vec<(String, usize)> = Vec::new();
    everyone.extend((0..run.stayers).map(|n| (format!("s{n}"), run.stayer_lines)));
    everyone.extend((0..run.churners).map(|n| (format!("c{n}"), run.churner_lines)));
    let everyone = Arc::new(everyone);
    let (results, outcomes) = mpsc::channel::<Result<(u64, u64), String>>();

    // Stayers start talking together, once all are connected; churners
    // once the stayers are.
    let ready = Arc::new(Barrier::new(run.stayers + 1));
    for n in 0..run.stayers {
        let (everyone, ready, results) =
            (Arc::clone(&everyone), Arc::clone(&ready), results.clone());
        let run = run.clone();
        thread::spawn(move || {
            let result = stayer(addr, n, &run, &everyone, &ready, deadline);
            let _ = results.send(result);
        });
    }
    ready.wait();
    let queue = Arc::new(Mutex::new(0..run.churners));
    for _ in 0..run.churn_concurrency.min(run.churners) {
        let (queue, results) = (Arc::clone(&queue), results.clone());
        let run = run.clone();
        thread::spawn(move || {
            loop {
                let next = queue.lock().unwrap_or_else(|p| p.into_inner()).next();
                let Some(n) = next else { break };
                let result = churner(addr, n, &run, deadline);
                let failed = result.is_err();
                let _ = results.send(result);
                if failed {
                    break;
                }
            }
        });
    }
    drop(results);

    let mut report = ChatReport {
        sent: 0,
        received: 0,
        elapsed: Duration::ZERO,
    };
    let expected = run.stayers + run.churners;
    for _ in 0..expected {
        let left = deadline.saturating_duration_since(Instant::now());
        match outcomes.recv_timeout(left) {
            Ok(Ok((sent, received))) => {
                report.sent += sent;
                report.received += received;
            }
            Ok(Err(e)) => return Err(e),
            Err(_) => {
                return Err(format!(
                    "chat run not done within {:?} ({} lines received so far)",
                    run.deadline, report.received
                ));
            }
        }
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

fn connect(addr: SocketAddr, id: &str) -> Result<(TcpStream, BufReader<TcpStream>), String> {
    let stream = TcpStream::connect(addr).map_err(|e| format!("{id}: connect to {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(PATIENCE))
        .map_err(|e| format!("{id}: {e}"))?;
    let mut reader = BufReader::new(stream.try_clone().map_err(|e| format!("{id}: {e}"))?);
    let mut greeting = String::new();
    reader
        .read_line(&mut greeting)
        .map_err(|e| format!("{id}: reading the greeting: {e}"))?;
    if greeting != "connected\n" {
        return Err(format!("{id}: greeted with {greeting:?}"));
    }
    Ok((stream, reader))
}

/// Sends `lines` lines and the end line, one write each (as a chat client
/// sends what it is given, line by line).
fn talk(mut stream: &TcpStream, id: &str, lines: usize) -> io::Result<()> {
    for seq in 0..lines {
        // Lines of different lengths, so that relays cut them differently.
        let filler = "x".repeat(seq % 40);
        stream.write_all(format!("{id} {seq} {filler}\n").as_bytes())?;
    }
    stream.write_all(format!("{id} end {lines}\n").as_bytes())
}

/// Each sender's next sequence number, as one receiver has seen them.
struct Order {
    me: String,
    next: HashMap<String, usize>,
    ended: usize,
    received: u64,
}

impl Order {
    fn new(me: &str) -> Order {
        Order {
            me: me.to_string(),
            next: HashMap::new(),
            ended: 0,
            received: 0,
        }
    }

    /// Checks one line; `from_start` says whether this sender's lines must
    /// start at 0 (the receiver was there before it spoke). Returns the
    /// sender when the line was its end.
    fn check(&mut self, line: &str, from_start: bool) -> Result<Option<String>, String> {
        let me = &self.me;
        let mut fields = line.trim_end_matches('\n').splitn(3, ' ');
        let (Some(sender), Some(seq)) = (fields.next(), fields.next()) else {
            return Err(format!("{me}: garbled line {line:?}"));
        };
        self.received += 1;
        let next = self.next.get(sender).copied();
        if seq == "end" {
            let count: usize = fields
                .next()
                .and_then(|c| c.parse().ok())
                .ok_or_else(|| format!("{me}: garbled end line {line:?}"))?;
            let seen = next.unwrap_or(0);
            if (from_start || next.is_some()) && seen != count {
                return Err(format!(
                    "{me}: {sender} ended after {count} lines, {seen} of them received"
                ));
            }
            self.ended += 1;
            return Ok(Some(sender.to_string()));
        }
        let seq: usize = seq
            .parse()
            .map_err(|_| format!("{me}: garbled line {line:?}"))?;
        let want = match (next, from_start) {
            (Some(n), _) => n,
            (None, true) => 0,
            // Joined while this sender talked: its lines from here on.
            (None, false) => seq,
        };
        if seq != want {
            return Err(format!(
                "{me}: from {sender}, line {seq} came where {want} was due"
            ));
        }
        self.next.insert(sender.to_string(), seq + 1);
        Ok(None)
    }
}

fn stayer(
    addr: SocketAddr,
    n: usize,
    run: &ChatRun,
    everyone: &[(String, usize)],
    ready: &Barrier,
    deadline: Instant,
) -> Result<(u64, u64), String> {
    let id = format!("s{n}");
    let connected = connect(addr, &id);
    // Passed whether or not it connected, so that the others go on (and
    // the run fails with this stayer's error).
    ready.wait();
    let (stream, mut reader) = connected?;
    let writer = {
        let (stream, id) = (stream.try_clone().map_err(|e| e.to_string())?, id.clone());
        let lines = run.stayer_lines;
        thread::spawn(move || talk(&stream, &id, lines))
    };
    let mut order = Order::new(&id);
    let mut line = String::new();
    // Bounded: each sender's lines and its end, each read within PATIENCE.
    let most = everyone.iter().map(|(_, lines)| lines + 1).sum::<usize>();
    while order.ended < everyone.len() {
        if Instant::now() > deadline || order.received as usize >= most {
            return Err(format!(
                "{id}: {} of {} clients ended, past the deadline or the count",
                order.ended,
                everyone.len()
            ));
        }
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => return Err(format!("{id}: the server closed ({} ended)", order.ended)),
            Ok(_) => {
                order.check(&line, true)?;
            }
            Err(e) => return Err(format!("{id}: {e} ({} clients ended)", order.ended)),
        }
    }
    writer
        .join()
        .map_err(|_| format!("{id}: the writer panicked"))?
        .map_err(|e| format!("{id}: sending: {e}"))?;
    leave(&stream, &mut reader, &id)?;
    Ok((run.stayer_lines as u64 + 1, order.received))
}

fn churner(
    addr: SocketAddr,
    n: usize,
    run: &ChatRun,
    deadline: Instant,
) -> Result<(u64, u64), String> {
    let id = format!("c{n}");
    let (stream, mut reader) = connect(addr, &id)?;
    let writer = {
        let (stream, id) = (stream.try_clone().map_err(|e| e.to_string())?, id.clone());
        let lines = run.churner_lines;
        thread::spawn(move || talk(&stream, &id, lines))
    };
    let mut order = Order::new(&id);
    let mut line = String::new();
    // Bounded by the deadline, and each read by PATIENCE.
    loop {
        if Instant::now() > deadline {
            return Err(format!("{id}: its own end not back by the deadline"));
        }
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => return Err(format!("{id}: the server closed before its end came back")),
            Ok(_) => {
                let own = line.starts_with(&format!("{id} "));
                if order.check(&line, own)?.as_deref() == Some(id.as_str()) {
                    break;
                }
            }
            Err(e) => return Err(format!("{id}: {e}")),
        }
    }
    writer
        .join()
        .map_err(|_| format!("{id}: the writer panicked"))?
        .map_err(|e| format!("{id}: sending: {e}"))?;
    leave(&stream, &mut reader, &id)?;
    Ok((run.churner_lines as u64 + 1, order.received))
}

/// Half-closes and waits for the server's close; what is relayed meanwhile
/// is read and dropped (others may still talk).
fn leave(stream: &TcpStream, reader: &mut BufReader<TcpStream>, id: &str) -> Result<(), String> {
    stream
        .shutdown(Shutdown::Write)
        .map_err(|e| format!("{id}: half-close: {e}"))?;
    let mut sink = Vec::new();
    // Bounded: the server closes once it reads our EOF, each read within
    // PATIENCE.
    loop {
        sink.clear();
        match reader.read_until(b'\n', &mut sink) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) => return Err(format!("{id}: waiting for the close: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_catches_gaps_and_short_ends() {
        let mut o = Order::new("me");
        assert!(o.check("a 0 x\n", true).is_ok());
        assert!(o.check("a 2 x\n", true).is_err(), "a gap");
        let mut o = Order::new("me");
        assert!(o.check("a 5\n", false).is_ok(), "joined late");
        assert!(o.check("a 6 xx\n", false).is_ok());
        assert_eq!(o.check("a end 7\n", false).unwrap().as_deref(), Some("a"));
        let mut o = Order::new("me");
        assert!(o.check("b 0\n", true).is_ok());
        assert!(o.check("b end 2\n", true).is_err(), "one line lost");
        assert!(o.check("garbage\n", true).is_err());
    }
}
