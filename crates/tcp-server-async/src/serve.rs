//! One connection on its own task: addresses, upgrade, handler, end.

use std::fmt;
use std::future::{Future, poll_fn};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::sync::{Arc, PoisonError};
use std::task::Poll;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_util::either::Either;
use tracing::{Instrument, Span};

use crate::catch::CatchUnwind;
use crate::hooks::ErasedUpgrade;
use crate::input::ReadSide;
use crate::output::{Leftover, SentNow, WriteSide, send_now};
use crate::server::{InFlight, Shared, hard_close};
use crate::signals::WakeFilter;
use crate::timeout::Timeout;
use crate::{Input, Outcome, Output, Peer, TcpIo, connection_span};
use tcp_server::PanicMessage;

/// The future of one connection's task. Made here, not in an `async fn`:
/// nothing before the connection's run needs to wait, and the task's future
/// stays the size of that run (an `async fn` would hold it twice over, one
/// per way of running it, and past a kilobyte every connection's task is a
/// slow allocation).
pub(crate) fn serve(
    shared: Arc<Shared>,
    stream: TcpStream,
    accepted_from: SocketAddr,
    id: u64,
    flight: InFlight,
    accepted_at: Instant,
) -> impl Future<Output = ()> + Send {
    let stream = Arc::new(stream);
    let addresses = match &shared.hooks.addresses {
        Some(hook) => hook(&stream),
        None => known_addresses(shared.listening, &stream, accepted_from),
    };
    let peer = match &addresses {
        Ok((_, peer)) => *peer,
        Err(_) => stream
            .peer_addr()
            .unwrap_or(SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0))),
    };
    let span = connection_span(id, peer);
    let disabled = span.is_disabled();
    let conn = Conn {
        shared,
        stream,
        span: span.clone(),
        id,
        accepted_at,
    };
    let run = conn.run(addresses, flight);
    if disabled {
        // No subscriber wants it: entering and leaving it on every poll
        // would still cost a few calls per wake.
        Either::Left(run)
    } else {
        Either::Right(run.instrument(span))
    }
}

/// The default addresses hook: what getsockname(2) and getpeername(2)
/// would say, from what the server already knows where it can (two system
/// calls per connection otherwise).
fn known_addresses(
    listening: SocketAddr,
    stream: &TcpStream,
    peer: SocketAddr,
) -> io::Result<(SocketAddr, SocketAddr)> {
    // On a wildcard address, the local address is the one the client
    // reached: only the kernel knows it.
    let local = if listening.ip().is_unspecified() {
        stream.local_addr()?
    } else {
        listening
    };
    Ok((local, peer))
}

struct Conn {
    shared: Arc<Shared>,
    stream: Arc<TcpStream>,
    span: Span,
    id: u64,
    accepted_at: Instant,
}

/// How the handler's part ended.
enum Ended {
    Handler(Result<io::Result<()>, PanicMessage>),
    Forced,
}

impl Conn {
    async fn run(self, addresses: io::Result<(SocketAddr, SocketAddr)>, flight: InFlight) {
        let shared = &*self.shared;
        let settings = &shared.settings;
        let (local, peer) = match addresses {
            Ok(addrs) => addrs,
            Err(e) => return self.end(flight, Outcome::Failed, Some(&e)),
        };
        shared.diagnostics.accepted(self.id, peer);
        let deadline = settings.deadline.map(|d| self.accepted_at + d);
        let (read_side, write_side) = match &shared.hooks.upgrade {
            None => (
                ReadSide::Tcp(Arc::clone(&self.stream)),
                WriteSide::Tcp(Arc::clone(&self.stream)),
            ),
            // Boxed: its state (a handshake under a timeout beside the
            // force) would otherwise sit in every connection's future, and
            // a future past a kilobyte is a slow allocation for every
            // plain connection.
            Some(upgrade) => match Box::pin(self.upgrade(upgrade, peer, deadline)).await {
                Ok(sides) => sides,
                Err((outcome, e)) => return self.end(flight, outcome, e.as_ref().map(|e| e as _)),
            },
        };
        let leftover = Leftover::default();
        let input = Input::new(
            read_side,
            peer,
            Timeout::new("read from", settings.read_timeout, deadline),
            Some(Arc::clone(&shared.stop)),
        );
        let mut output = Output::new(
            write_side,
            peer,
            Timeout::new("write to", settings.write_timeout, deadline),
            Some(Arc::clone(&leftover)),
        );
        output.set_output_buffer(settings.output_buffer);
        let info = Peer::new(self.id, local, peer, Arc::clone(&shared.stop));
        let handler = &shared.handler;
        let future = match catch_unwind(AssertUnwindSafe(|| handler(input, output, info))) {
            Ok(future) => future,
            Err(payload) => {
                return self.end(flight, Outcome::Panicked, Some(&PanicMessage(payload)));
            }
        };
        let mut future = CatchUnwind::new(future);
        let mut force = pin!(shared.force.cancelled());
        let mut stop = pin!(shared.stop.cancelled());
        let mut stop_seen = false;
        // Made when the handler first waits: one that finishes in its
        // first poll (a daytime server) is not worth a wait on the stop and
        // the force.
        let mut signals: Option<WakeFilter> = None;
        if shared.force.is_cancelled() {
            drop(future);
            return self.end(flight, Outcome::Forced, None);
        }
        let ended = poll_fn(|cx| {
            // The stop and force only when they woke the task: polling them
            // takes their shared locks, on every wake of every connection.
            if let Some(filter) = &mut signals
                && filter.should_poll(cx)
            {
                let mut signal_cx = filter.context();
                if force.as_mut().poll(&mut signal_cx).is_ready() {
                    return Poll::Ready(Ended::Forced);
                }
                // Seen once, the stop has woken the handler (polled below),
                // so that an idle input it waits on sees the stop and reads
                // end-of-file.
                if !stop_seen && stop.as_mut().poll(&mut signal_cx).is_ready() {
                    stop_seen = true;
                }
            }
            if let Poll::Ready(result) = Pin::new(&mut future).poll(cx) {
                return Poll::Ready(Ended::Handler(result));
            }
            if signals.is_none() {
                // Polled now, the waits see a stop or force that came
                // before them, and wake the task for those after.
                let filter = signals.insert(WakeFilter::new());
                if filter.should_poll(cx) {
                    let mut signal_cx = filter.context();
                    if force.as_mut().poll(&mut signal_cx).is_ready() {
                        return Poll::Ready(Ended::Forced);
                    }
                    if stop.as_mut().poll(&mut signal_cx).is_ready() {
                        // The handler is polled again, to see it.
                        stop_seen = true;
                        cx.waker().wake_by_ref();
                    }
                }
            }
            Poll::Pending
        })
        .await;
        // The handler's input and output go now; the output leaves what it
        // still holds in `leftover`.
        drop(future);
        match ended {
            Ended::Forced => self.end(flight, Outcome::Forced, None),
            Ended::Handler(Err(panic)) => self.end(flight, Outcome::Panicked, Some(&panic)),
            // A client that went silent (or dripped past the deadline) is
            // closed normally: nothing the handler wrote was cut off.
            Ended::Handler(Ok(Err(e))) if tcp_ports::is_read_timeout(&e) => {
                self.end_quietly(flight, Outcome::Failed, Some(&e));
            }
            Ended::Handler(Ok(Err(e))) => self.end(flight, Outcome::Failed, Some(&e)),
            Ended::Handler(Ok(Ok(()))) => {
                let left = leftover
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take();
                let left = match left {
                    // The handler gave its output away (to another task):
                    // that task ends the stream.
                    None => return self.end(flight, Outcome::Served, None),
                    // Plain TCP that only this task still holds (here and
                    // in `side`) whose rest goes out at once: served, and
                    // its FIN goes when both are dropped, on return.
                    Some((side, buf)) if Arc::strong_count(&self.stream) == 2 => {
                        match send_now(side, buf, &peer) {
                            SentNow::All => return self.end(flight, Outcome::Served, None),
                            SentNow::Failed(e) => {
                                return self.end(flight, Outcome::Failed, Some(&e));
                            }
                            SentNow::Rest(left) => left,
                        }
                    }
                    Some(left) => left,
                };
                // Boxed, as the upgrade: its state would otherwise widen
                // every connection's future by some 400 bytes for the time
                // the handler runs.
                Box::pin(self.finish(flight, left, peer, deadline)).await;
            }
        }
    }

    /// The upgrade step under its timeout (and the connection's deadline):
    /// the sides of the upgraded stream, or how the connection ends.
    async fn upgrade(
        &self,
        upgrade: &Arc<dyn ErasedUpgrade>,
        peer: SocketAddr,
        deadline: Option<Instant>,
    ) -> Result<(ReadSide, WriteSide), (Outcome, Option<io::Error>)> {
        let settings = &self.shared.settings;
        let limit = Instant::now() + settings.upgrade_timeout;
        let until = deadline.map_or(limit, |d| d.min(limit));
        let handshake =
            tokio::time::timeout_at(until, upgrade.upgrade(TcpIo::new(Arc::clone(&self.stream))));
        let upgraded = tokio::select! {
            biased;
            _ = self.shared.force.cancelled() => return Err((Outcome::Forced, None)),
            upgraded = handshake => upgraded,
        };
        match upgraded {
            Ok(Ok(stream)) => {
                let (r, w) = tokio::io::split(stream);
                Ok((ReadSide::Upgraded(r), WriteSide::Upgraded(w)))
            }
            Ok(Err(e)) => {
                let e = io::Error::new(e.kind(), format!("upgrade of {peer}: {e}"));
                Err((Outcome::Rejected, Some(e)))
            }
            Err(_) => {
                let e = io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "upgrade of {peer}: timed out after {:?}",
                        settings.upgrade_timeout
                    ),
                );
                Err((Outcome::Rejected, Some(e)))
            }
        }
    }

    /// A served connection: sends what the handler left, counts it, then
    /// ends the stream normally (TLS `close_notify`, FIN).
    pub(crate) async fn finish(
        &self,
        flight: InFlight,
        (side, buf): (WriteSide, Vec<u8>),
        peer: SocketAddr,
        deadline: Option<Instant>,
    ) {
        let timeout = Timeout::new("write to", self.shared.settings.write_timeout, deadline);
        let mut output = Output::resume(side, buf, peer, timeout);
        let Some(flushed) = self.unless_forced(output.flush()).await else {
            return self.end(flight, Outcome::Forced, None);
        };
        match flushed {
            Ok(()) => {
                // Counted before the peer can see the end, so a client that
                // saw it finds it in the statistics.
                self.end(flight, Outcome::Served, None);
                // Plain TCP that only this task still holds (here and in
                // the output) sends its FIN when both are dropped, on
                // return: shutdown(2) would be one more system call. A
                // stream held elsewhere (an input a handler gave to another
                // task), or upgraded (TLS `close_notify`), is shut down.
                if output.is_plain_tcp() && Arc::strong_count(&self.stream) == 2 {
                    return;
                }
                let _ = self.unless_forced(output.shutdown()).await;
            }
            Err(e) => self.end(flight, Outcome::Failed, Some(&e)),
        }
    }

    /// Runs `work` unless the force comes first (`None`). The work is
    /// polled first: a step done at once (most flushes) never joins the
    /// force's wait list, which takes a lock to join and to leave.
    async fn unless_forced<T>(&self, work: impl Future<Output = T>) -> Option<T> {
        tokio::select! {
            biased;
            done = work => Some(done),
            _ = self.shared.force.cancelled() => None,
        }
    }

    /// Counts and logs the end of a connection, then resets it unless it
    /// was served.
    fn end(&self, flight: InFlight, outcome: Outcome, error: Option<&dyn fmt::Display>) {
        let reset = outcome != Outcome::Served;
        self.count(flight, outcome, error);
        if reset {
            // The peer must not take a cut-off exchange for a whole one.
            hard_close(&self.shared, &self.stream);
        }
    }

    /// Counts and logs the end of a connection that closes normally when
    /// its stream is dropped, whatever its outcome.
    fn end_quietly(&self, flight: InFlight, outcome: Outcome, error: Option<&dyn fmt::Display>) {
        self.count(flight, outcome, error);
    }

    fn count(&self, mut flight: InFlight, outcome: Outcome, error: Option<&dyn fmt::Display>) {
        let shared = flight.shared();
        shared.diagnostics.finished(
            &self.span,
            self.id,
            outcome,
            self.accepted_at.elapsed(),
            error,
        );
        flight.outcome = outcome;
        drop(flight);
    }
}
