//! One connection on its worker thread: addresses, upgrade, handler, end.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Instant;

use tcp_ports::{TcpReader, TcpWriter};

use crate::connection::{Io, Parts};
use crate::diagnostics::connection_span;
use crate::registry::EntryState;
use crate::server::{InFlight, Inner};
use crate::{Connection, ConnectionHandle, Outcome, PanicMessage, TcpConnection};

pub(crate) fn serve(
    inner: &Arc<Inner>,
    reader: TcpReader,
    writer: TcpWriter,
    handle: ConnectionHandle,
    entry: Arc<EntryState>,
    flight: InFlight,
    accepted_at: Instant,
) {
    let id = flight.id();
    let span = connection_span(id, handle.peer_addr());
    let _entered = span.enter();
    let diag = &inner.diagnostics;
    // Called while the connection is still open: counted first, so that a
    // client that saw its connection end also sees it counted; then, if it
    // was not served, closed abruptly, before its descriptor is closed.
    let end =
        |mut flight: InFlight, outcome: Outcome, error: Option<&dyn fmt::Display>, quiet: bool| {
            diag.finished(&span, id, outcome, accepted_at.elapsed(), error);
            flight.outcome = outcome;
            drop(flight);
            if outcome != Outcome::Served && !quiet {
                // The peer must not take a cut-off exchange for a whole one.
                let _ = (inner.hooks.hard_close)(&handle);
            }
        };
    if entry.is_forced() {
        // The drain deadline passed while it waited for a thread.
        return end(flight, Outcome::Forced, None, false);
    }
    let mut conn = match TcpConnection::join(reader, writer) {
        Ok(conn) => conn,
        Err(e) => return end(flight, Outcome::Failed, Some(&e), false),
    };
    let deadline = inner.settings.deadline.map(|d| accepted_at + d);
    conn.set_deadline(deadline);
    let (local, peer) = match (inner.hooks.addresses)(&mut conn) {
        Ok(addrs) => addrs,
        Err(e) => return end(flight, Outcome::Failed, Some(&e), false),
    };
    diag.accepted(id, peer);
    let io = match &inner.hooks.upgrade {
        None => Io::Plain(conn),
        Some(upgrade) => {
            let limit = Instant::now() + inner.settings.upgrade_timeout;
            conn.set_deadline(Some(deadline.map_or(limit, |d| d.min(limit))));
            match upgrade.upgrade(conn, &mut |conn| conn.set_deadline(deadline)) {
                Ok(transport) => Io::Upgraded(transport),
                // The connection is still open: reset, not closed.
                Err((e, _conn)) => return end(flight, Outcome::Rejected, Some(&e), false),
            }
        }
    };
    let mut connection = Connection::new(Parts {
        io,
        id,
        local,
        peer,
        handle: handle.clone(),
        entry: Arc::clone(&entry),
        registry: Arc::clone(&inner.registry),
        stop: inner.stop.clone(),
    });
    let handler = &inner.handler;
    let mut quiet = false;
    let result = catch_unwind(AssertUnwindSafe(|| handler(&mut connection)));
    let (outcome, error): (Outcome, Option<Box<dyn fmt::Display>>) = match result {
        Ok(Ok(())) => match connection.finish() {
            Ok(()) => (Outcome::Served, None),
            Err(e) => (Outcome::Failed, Some(Box::new(e))),
        },
        Ok(Err(e)) => {
            // A client that went silent (or dripped past the deadline) is
            // closed normally: nothing the handler wrote was cut off.
            quiet = tcp_ports::is_read_timeout(&e);
            (Outcome::Failed, Some(Box::new(e)))
        }
        Err(panic) => (Outcome::Panicked, Some(Box::new(PanicMessage(panic)))),
    };
    let outcome = match entry.is_forced() {
        true => Outcome::Forced,
        false => outcome,
    };
    // Reset first (by `end`), then closed: a failed connection's peer gets
    // a reset; a served one's gets a normal close (FIN) when it is dropped.
    let io = connection.into_io();
    end(
        flight,
        outcome,
        error.as_deref(),
        quiet && outcome == Outcome::Failed,
    );
    drop(io);
}
