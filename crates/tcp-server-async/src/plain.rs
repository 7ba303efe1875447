//! The task of a plain connection (no upgrade hook, no tracing span),
//! written out by hand rather than as an `async` block, so that a wake of a
//! busy connection goes straight to its handler's future.
//!
//! Around the handler's future, an `async` block is a state machine of its
//! own whose poll, at every wake, saved six registers, dispatched through a
//! jump table and wrote its state back, with the flag it checks, its state
//! and the handler's future some hundreds of bytes apart. Here the task's
//! head is the flag to check and the handler's future, whose input and
//! output come first in a handler made as the examples' are; everything a
//! connection does once (calling the handler, counting its end, the last
//! flush) is out of line. A connection with an upgrade or a span takes the
//! general path ([`crate::serve`]), whose costs are elsewhere.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::time::Instant;

use crate::catch::poll_caught;
use crate::output::Leftover;
use crate::serve::{Conn, Ended};
use crate::server::InFlight;
use crate::watch::{Waits, Watch};
use crate::{Input, Output, Peer};

/// What a connection's end still has to send, over its own task's time.
type Finishing = Pin<Box<dyn Future<Output = ()> + Send>>;

pin_project_lite::pin_project! {
    /// A plain connection's task: see the module's doc.
    ///
    /// Its fields are dropped in this order: the handler's future first
    /// (its output leaves what it still holds in `leftover`), the
    /// connection's slot (`flight`) and its socket (`conn`) last.
    #[repr(C)]
    pub(crate) struct PlainTask<H, F> {
        // The flag each wake checks: the stop's, then the force's.
        watch: Watch,
        #[pin]
        future: Option<F>,
        #[pin]
        waits: Waits,
        // The handler and the local address, until the first poll calls it.
        setup: Option<(Arc<H>, SocketAddr)>,
        finishing: Option<Finishing>,
        flight: Option<InFlight>,
        leftover: Leftover,
        peer: SocketAddr,
        deadline: Option<Instant>,
        conn: Option<Conn>,
    }
}

impl<H, F> PlainTask<H, F> {
    /// The task of `conn`, whose handler is called at its first poll.
    pub(crate) fn new(
        conn: Conn,
        handler: Arc<H>,
        (local, peer): (SocketAddr, SocketAddr),
        flight: InFlight,
    ) -> Self {
        PlainTask {
            watch: Watch::new(&conn.shared.stop),
            future: None,
            waits: Waits::new(),
            setup: Some((handler, local)),
            finishing: None,
            flight: Some(flight),
            leftover: Leftover::default(),
            peer,
            deadline: None,
            conn: Some(conn),
        }
    }
}

impl<H, F> Future for PlainTask<H, F>
where
    H: Fn(Input, Output, Peer) -> F,
    F: Future<Output = io::Result<()>>,
{
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // Each step out of line projects on its own: a projection handed to
        // a call would be built, field by field, at every wake.
        if self.future.is_none() {
            return before_or_after(self, cx);
        }
        if self.watch.is_due() && fired(self.as_mut()) {
            return handler_ended(self, Ended::Forced, cx);
        }
        let Some(future) = self.as_mut().project().future.as_pin_mut() else {
            return Poll::Ready(());
        };
        match poll_caught(future, cx) {
            Poll::Ready(result) => handler_ended(self, Ended::Handler(result), cx),
            Poll::Pending if self.watch.is_waiting() => Poll::Pending,
            Poll::Pending => match first_wait(self.as_mut(), cx) {
                false => Poll::Pending,
                true => handler_ended(self, Ended::Forced, cx),
            },
        }
    }
}

/// A poll without the handler's future: the first (the handler is called,
/// then its future polled) or one of the end's last flush.
#[inline(never)]
fn before_or_after<H, F>(mut task: Pin<&mut PlainTask<H, F>>, cx: &mut Context<'_>) -> Poll<()>
where
    H: Fn(Input, Output, Peer) -> F,
    F: Future<Output = io::Result<()>>,
{
    let mut this = task.as_mut().project();
    if let Some(finishing) = this.finishing {
        let polled = finishing.as_mut().poll(cx);
        if polled.is_ready() {
            *this.finishing = None;
        }
        return polled;
    }
    let (Some((handler, local)), Some(conn), Some(flight)) =
        (this.setup.take(), this.conn.as_ref(), this.flight.take())
    else {
        return Poll::Ready(());
    };
    let peer = *this.peer;
    *this.deadline = conn.accepted(peer);
    let addresses = (local, peer);
    let started = conn.start(
        handler,
        conn.plain_sides(),
        addresses,
        *this.deadline,
        this.leftover,
        flight,
    );
    let Some((future, flight)) = started else {
        return Poll::Ready(());
    };
    *this.flight = Some(flight);
    this.future.set(Some(future));
    task.poll(cx)
}

/// The handler waits for the first time: see [`Watch::first_wait`].
#[cold]
#[inline(never)]
fn first_wait<H, F>(task: Pin<&mut PlainTask<H, F>>, cx: &mut Context<'_>) -> bool {
    let this = task.project();
    let Some(conn) = this.conn.as_ref() else {
        return false;
    };
    let shared = &*conn.shared;
    this.watch
        .first_wait((&shared.stop, &shared.force), this.waits, cx)
}

/// The watched token fired: see [`Watch::fired`].
#[cold]
#[inline(never)]
fn fired<H, F>(task: Pin<&mut PlainTask<H, F>>) -> bool {
    let this = task.project();
    match this.conn.as_ref() {
        Some(conn) => this.watch.fired(&conn.shared.force),
        None => true,
    }
}

/// The handler's part ended: its future is dropped, the connection
/// counted, and what its output left is sent.
#[inline(never)]
fn handler_ended<H, F>(
    task: Pin<&mut PlainTask<H, F>>,
    ended: Ended,
    cx: &mut Context<'_>,
) -> Poll<()> {
    let mut this = task.project();
    this.future.set(None);
    let (Some(conn), Some(flight)) = (this.conn.take(), this.flight.take()) else {
        return Poll::Ready(());
    };
    let Some((flight, left)) = conn.conclude(ended, flight, this.leftover, this.peer) else {
        return Poll::Ready(());
    };
    let (peer, deadline) = (*this.peer, *this.deadline);
    // Boxed: its state would otherwise widen every connection's task for
    // the time the handler runs.
    let mut finishing: Finishing =
        Box::pin(async move { conn.finish(flight, left, peer, deadline).await });
    let polled = finishing.as_mut().poll(cx);
    if polled.is_pending() {
        *this.finishing = Some(finishing);
    }
    polled
}
