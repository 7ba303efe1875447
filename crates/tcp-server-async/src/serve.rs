//! One connection on its own task: addresses, upgrade, handler, end.

use std::fmt;
use std::future::{Future, poll_fn};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::sync::{Arc, PoisonError};
use std::task::Poll;

use tokio::io::AsyncWriteExt;
use tokio::time::Instant;
use tokio_util::task::TaskTracker;
use tracing::{Instrument, Span};

use crate::catch::poll_caught;
use crate::hooks::ErasedUpgrade;
use crate::input::ReadSide;
use crate::output::{Leftover, SentNow, WriteSide, send_now};
use crate::plain::PlainTask;
use crate::server::{Accepted, InFlight, Shared, Spawn, hard_close};
use crate::socket::Socket;
use crate::timeout::{Op, Timeout};
use crate::watch::{Waits, Watch};
use crate::{Input, Outcome, Output, Peer, TcpIo, connection_span};
use tcp_server::PanicMessage;

/// How the accept loop starts a connection's task for `handler`.
pub(crate) fn spawner<H, F>(handler: H) -> Box<Spawn>
where
    H: Fn(Input, Output, Peer) -> F + Send + Sync + 'static,
    F: Future<Output = io::Result<()>> + Send + 'static,
{
    let handler = Arc::new(handler);
    Box::new(move |tracker, shared, accepted| {
        serve(tracker, shared, Arc::clone(&handler), accepted);
    })
}

/// Starts one connection's task: a plain connection's, written out by hand
/// ([`PlainTask`]), or the general one. Each is boxed where it is made, so
/// that the connection's state is written once, in place, and a plain
/// connection's is not moved at the size of the general one. Made here, not
/// in an `async fn`: nothing before the connection's run needs to wait, and
/// the task's future stays the size of that run (an `async fn` would hold
/// it twice over, one per way of running it, and past a kilobyte every
/// connection's task is a slow allocation).
fn serve<H, F>(tracker: &TaskTracker, shared: Arc<Shared>, handler: Arc<H>, accepted: Accepted)
where
    H: Fn(Input, Output, Peer) -> F + Send + Sync + 'static,
    F: Future<Output = io::Result<()>> + Send + 'static,
{
    let Accepted {
        stream,
        from,
        id,
        flight,
        at,
    } = accepted;
    let stream = Arc::new(Socket::new(stream));
    let addresses = match &shared.hooks.addresses {
        Some(hook) => hook(stream.std()),
        None => known_addresses(shared.listening, stream.std(), from),
    };
    let peer = match &addresses {
        Ok((_, peer)) => *peer,
        Err(_) => stream
            .std()
            .peer_addr()
            .unwrap_or(SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0))),
    };
    let span = connection_span(id, peer);
    let disabled = span.is_disabled();
    let conn = Conn {
        shared,
        stream,
        traced: !disabled,
        id,
        accepted_at: at,
    };
    if disabled
        && conn.shared.hooks.upgrade.is_none()
        && let Ok(addresses) = addresses
    {
        tracker.spawn(Box::pin(PlainTask::new(conn, handler, addresses, flight)));
        return;
    }
    let run = conn.run(handler, addresses, flight);
    if disabled {
        // No subscriber wants it: entering and leaving it on every poll
        // would still cost a few calls per wake.
        tracker.spawn(Box::pin(run));
    } else {
        tracker.spawn(Box::pin(run.instrument(span)));
    }
}

/// The default addresses hook: what getsockname(2) and getpeername(2)
/// would say, from what the server already knows where it can (two system
/// calls per connection otherwise).
fn known_addresses(
    listening: SocketAddr,
    stream: &std::net::TcpStream,
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

pub(crate) struct Conn {
    pub(crate) shared: Arc<Shared>,
    pub(crate) stream: Arc<Socket>,
    /// Whether the task runs in the connection's span (then entered
    /// whenever this code runs): the span itself is not kept twice.
    traced: bool,
    pub(crate) id: u64,
    pub(crate) accepted_at: Instant,
}

/// How the handler's part ended.
pub(crate) enum Ended {
    Handler(Result<io::Result<()>, PanicMessage>),
    Forced,
}

impl Conn {
    /// The connection's life after accept. Not an `async fn`: one moves
    /// its arguments into locals and keeps both copies in its state, which
    /// widened every connection's task by some 200 bytes.
    #[expect(clippy::manual_async_fn, reason = "the state an async fn would keep")]
    fn run<H, F>(
        self,
        handler: Arc<H>,
        addresses: io::Result<(SocketAddr, SocketAddr)>,
        flight: InFlight,
    ) -> impl Future<Output = ()>
    where
        H: Fn(Input, Output, Peer) -> F,
        F: Future<Output = io::Result<()>>,
    {
        async move {
            let shared = &*self.shared;
            let (local, peer) = match addresses {
                Ok(addrs) => addrs,
                Err(e) => return self.end(flight, Outcome::Failed, Some(&e)),
            };
            let deadline = self.accepted(peer);
            let sides = match &shared.hooks.upgrade {
                None => self.plain_sides(),
                // Boxed: its state (a handshake under a timeout beside the
                // force) would otherwise sit in every connection's future, and
                // a future past a kilobyte is a slow allocation for every
                // plain connection.
                Some(upgrade) => match Box::pin(self.upgrade(upgrade, peer, deadline)).await {
                    Ok(sides) => sides,
                    Err((outcome, e)) => {
                        return self.end(flight, outcome, e.as_ref().map(|e| e as _));
                    }
                },
            };
            let leftover = Leftover::default();
            let started = self.start(handler, sides, (local, peer), deadline, &leftover, flight);
            let Some((future, flight)) = started else {
                return;
            };
            // In a block of its own: the handler's future (and with it its
            // input and output, whose output leaves what it still holds in
            // `leftover`) is dropped at its end.
            let ended = {
                let mut future = pin!(future);
                let mut watch = Watch::new(&shared.stop);
                let mut waits = pin!(Waits::new());
                poll_fn(|cx| {
                    if watch.is_due() && watch.fired(&shared.force) {
                        return Poll::Ready(Ended::Forced);
                    }
                    if let Poll::Ready(result) = poll_caught(future.as_mut(), cx) {
                        return Poll::Ready(Ended::Handler(result));
                    }
                    let tokens = (&shared.stop, &shared.force);
                    if !watch.is_waiting() && watch.first_wait(tokens, waits.as_mut(), cx) {
                        return Poll::Ready(Ended::Forced);
                    }
                    Poll::Pending
                })
                .await
            };
            // Boxed, as the upgrade: its state would otherwise widen every
            // connection's future by some 400 bytes for the time the handler
            // runs.
            if let Some((flight, left)) = self.conclude(ended, flight, &leftover, &peer) {
                Box::pin(self.finish(flight, left, peer, deadline)).await;
            }
        }
    }

    /// Counts how the handler's part ended, unless what the handler left
    /// must still be sent: then that, for [`Conn::finish`].
    pub(crate) fn conclude(
        &self,
        ended: Ended,
        flight: InFlight,
        leftover: &Leftover,
        peer: &SocketAddr,
    ) -> Option<(InFlight, (WriteSide, Vec<u8>))> {
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
                match left {
                    // The handler gave its output away (to another task):
                    // that task ends the stream.
                    None => self.end(flight, Outcome::Served, None),
                    // Plain TCP that only this task still holds (here and in
                    // `side`) whose rest goes out at once: served, and its FIN
                    // goes when both are dropped, on return.
                    Some((side, buf)) if Arc::strong_count(&self.stream) == 2 => {
                        match send_now(side, buf, peer) {
                            SentNow::All => self.end(flight, Outcome::Served, None),
                            SentNow::Failed(e) => self.end(flight, Outcome::Failed, Some(&e)),
                            SentNow::Rest(left) => return Some((flight, left)),
                        }
                    }
                    Some(left) => return Some((flight, left)),
                }
            }
        }
        None
    }

    /// The input's and output's sides over the socket itself (no upgrade).
    pub(crate) fn plain_sides(&self) -> (ReadSide, WriteSide) {
        (
            ReadSide::Tcp(Arc::clone(&self.stream)),
            WriteSide::Tcp(Arc::clone(&self.stream)),
        )
    }

    /// The connection was accepted (logged): its deadline.
    pub(crate) fn accepted(&self, peer: SocketAddr) -> Option<Instant> {
        self.shared.diagnostics.accepted(self.id, peer);
        self.shared.settings.deadline.map(|d| self.accepted_at + d)
    }

    /// Calls the handler, then lets it go: its future, or `None` when it
    /// panicked or the force came first (the connection then counted so).
    pub(crate) fn start<H, F>(
        &self,
        handler: Arc<H>,
        sides: (ReadSide, WriteSide),
        addresses: (SocketAddr, SocketAddr),
        deadline: Option<Instant>,
        leftover: &Leftover,
        flight: InFlight,
    ) -> Option<(F, InFlight)>
    where
        H: Fn(Input, Output, Peer) -> F,
    {
        let called = self.call(&*handler, sides, addresses, deadline, leftover);
        drop(handler);
        let future = match called {
            Ok(future) => future,
            Err(panic) => {
                self.end(flight, Outcome::Panicked, Some(&panic));
                return None;
            }
        };
        if self.shared.force.is_cancelled() {
            drop(future);
            self.end(flight, Outcome::Forced, None);
            return None;
        }
        Some((future, flight))
    }

    /// Calls the handler with the connection's input, output and peer: its
    /// future, or its panic. Made here, not in `run`: a value made there
    /// and moved into the handler keeps its room in the task's state.
    fn call<H, F>(
        &self,
        handler: &H,
        (read_side, write_side): (ReadSide, WriteSide),
        (local, peer): (SocketAddr, SocketAddr),
        deadline: Option<Instant>,
        leftover: &Leftover,
    ) -> Result<F, PanicMessage>
    where
        H: Fn(Input, Output, Peer) -> F,
    {
        let settings = &self.shared.settings;
        let input = Input::new(
            read_side,
            peer,
            Timeout::new(Op::Read, settings.read_timeout, deadline),
            Some(Arc::clone(&self.shared.stop)),
        );
        let mut output = Output::new(
            write_side,
            peer,
            Timeout::new(Op::Write, settings.write_timeout, deadline),
            Some(Arc::clone(leftover)),
        );
        output.set_output_buffer(settings.output_buffer);
        let info = Peer::new(self.id, local, peer, Arc::clone(&self.shared.stop));
        catch_unwind(AssertUnwindSafe(|| handler(input, output, info))).map_err(PanicMessage)
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
        let timeout = Timeout::new(Op::Write, self.shared.settings.write_timeout, deadline);
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
        let span = match self.traced {
            true => Span::current(),
            false => Span::none(),
        };
        shared
            .diagnostics
            .finished(&span, self.id, outcome, self.accepted_at.elapsed(), error);
        flight.outcome = outcome;
        drop(flight);
    }
}
