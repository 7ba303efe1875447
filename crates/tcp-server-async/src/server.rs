//! The server: its accept loop, and the shutdown that ends it.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tokio_util::task::TaskTracker;

use tcp_ports::{AcceptBackoff, AcceptErrorClass, classify_accept_error};

use crate::hooks::Hooks;
use crate::signals::SignalWatch;
use crate::socket::Socket;
use crate::token::Token;
use crate::{
    Diagnostics, Input, IntoListener, Outcome, Output, Peer, ServerBuilder, ServerHandle,
    ShutdownSummary, Stats,
};

/// Starts an accepted connection's task. Made where the handler's type is
/// known ([`crate::serve::spawner`]), so that the handler's future is part
/// of the task's own, not a box of its own behind a virtual call.
pub(crate) type Spawn = dyn Fn(&TaskTracker, Arc<Shared>, Accepted) + Send + Sync;

/// A connection just accepted, for [`Spawn`].
pub(crate) struct Accepted {
    /// Non-blocking, not registered with the reactor.
    pub(crate) stream: std::net::TcpStream,
    pub(crate) from: SocketAddr,
    pub(crate) id: u64,
    pub(crate) flight: InFlight,
    pub(crate) at: Instant,
}

/// What the builder settled.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) max_requests: Option<usize>,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) write_timeout: Option<Duration>,
    pub(crate) output_buffer: usize,
    pub(crate) deadline: Option<Duration>,
    pub(crate) upgrade_timeout: Duration,
    pub(crate) drain_timeout: Duration,
}

/// What the accept loop and the connections' tasks share.
pub(crate) struct Shared {
    pub(crate) settings: Settings,
    pub(crate) hooks: Hooks,
    pub(crate) spawn: Box<Spawn>,
    pub(crate) diagnostics: Diagnostics,
    pub(crate) stats: Arc<Stats>,
    /// The listener's address: the local address of its connections
    /// unless it is a wildcard one.
    pub(crate) listening: SocketAddr,
    /// Fired by a stop: the accept loop ends, idle inputs read EOF. In an
    /// `Arc` for the inputs and peers: cloning a `CancellationToken` takes
    /// its lock, shared by every connection.
    pub(crate) stop: Arc<Token>,
    /// Fired at the drain deadline (or by a force): every connection's
    /// task drops its handler and closes abruptly.
    pub(crate) force: Arc<Token>,
    /// The cap's slots, taken before accept; `None` without a cap.
    slots: Option<Arc<Semaphore>>,
    /// Notified when a connection ends (and so gives a descriptor back):
    /// cuts an accept backoff short.
    closed: Notify,
    /// Whether the accept loop is backing off, and so waits on `closed`:
    /// notifying takes the `Notify`'s lock, which every connection's end
    /// would otherwise take.
    backing_off: AtomicBool,
    /// Connections that ended by themselves after the stop: counted as they
    /// end, since a stop wakes idle ones at once, before any count of the
    /// open ones could be taken.
    drained: AtomicU64,
}

/// An async TCP server on tokio: accepts connections on its listener and
/// runs the handler's future for each on its own task, until it is
/// stopped. It runs on the caller's runtime and never makes one.
///
/// Make one with [`Server::new`] or [`crate::ServerBuilder`], take a
/// [`ServerHandle`] to stop it and read its statistics, then await
/// [`Server::run`] (or [`Server::run_until`] a signal).
///
/// # System calls
///
/// A connection costs its `accept4(2)` (non-blocking from the start), its
/// reads and writes, and its `close(2)`. It is registered with tokio's
/// reactor (`epoll_ctl` to add it, and to remove it at its end) only if a
/// read or write of it has to wait: a connection served without waiting,
/// as a daytime server's, never is. `TCP_NODELAY` is inherited from the
/// listener.
///
/// # Faults
///
/// A handler that returns an error or panics ends only its own connection:
/// the connection is closed abruptly through the hard-close hook, counted
/// and logged (diagnostics, `tracing`), and its slot is given back. So is
/// a connection whose task is cancelled (the runtime shutting down). This
/// relies on unwinding: built with `panic = "abort"`, a handler's panic
/// ends the process; [`crate::PANICS_ARE_ISOLATED`] tells which build this
/// is.
///
/// Scheme: the procedure `make-tcp-server` returns.
#[doc(alias = "make-tcp-server")]
pub struct Server {
    /// Accepted on directly: tokio's `TcpListener` would register every
    /// accepted socket with the reactor, which a connection needs only if
    /// it ever has to wait.
    listener: AsyncFd<std::net::TcpListener>,
    local: SocketAddr,
    shared: Arc<Shared>,
}

impl Server {
    /// A server with every default ([`ServerBuilder::new`]): no cap,
    /// CHICKEN's timeouts, a 5-minute connection deadline, plain TCP.
    ///
    /// Scheme: `(make-tcp-server LISTENER THUNK)`.
    ///
    /// # Errors
    ///
    /// As [`ServerBuilder::build`].
    #[doc(alias = "make-tcp-server")]
    pub fn new<L, H, F>(listener: L, handler: H) -> io::Result<Server>
    where
        L: IntoListener,
        H: Fn(Input, Output, Peer) -> F + Send + Sync + 'static,
        F: Future<Output = io::Result<()>> + Send + 'static,
    {
        ServerBuilder::new().build(listener, handler)
    }

    /// A server on `listener`, non-blocking (see [`IntoListener`]).
    pub(crate) fn from_parts(
        listener: std::net::TcpListener,
        settings: Settings,
        hooks: Hooks,
        diagnostics: Diagnostics,
        spawn: Box<Spawn>,
    ) -> io::Result<Server> {
        // AsyncFd panics outside a runtime; say so as an error instead.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(io::Error::other(
                "a tcp-server-async server must be made inside a tokio runtime (with I/O enabled)",
            ));
        }
        let local = listener.local_addr()?;
        // SAFETY: the listener owns its descriptor, open until it is
        // dropped with the AsyncFd.
        let listener = unsafe { AsyncFd::register_with_interest(listener, Interest::READABLE) }
            .map_err(|e| e.into_parts().1)?;
        let shared = Arc::new(Shared {
            slots: settings
                .max_requests
                .map(|n| Arc::new(Semaphore::new(n.min(Semaphore::MAX_PERMITS)))),
            settings,
            hooks,
            spawn,
            diagnostics,
            stats: Arc::new(Stats::new()),
            listening: local,
            stop: Arc::default(),
            force: Arc::default(),
            closed: Notify::new(),
            backing_off: AtomicBool::new(false),
            drained: AtomicU64::new(0),
        });
        Ok(Server {
            listener,
            local,
            shared,
        })
    }

    /// A handle to stop the server and read its statistics, before, while
    /// and after it runs.
    ///
    /// Scheme: none.
    pub fn handle(&self) -> ServerHandle {
        ServerHandle {
            stop: Arc::clone(&self.shared.stop),
            force: Arc::clone(&self.shared.force),
            stats: Arc::clone(&self.shared.stats),
        }
    }

    /// The address the server listens on.
    ///
    /// Scheme: `tcp-listener-port` of the listener.
    #[doc(alias = "tcp-listener-port")]
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Serves until stopped ([`ServerHandle::stop`]); see
    /// [`Server::run_until`].
    ///
    /// Scheme: calling the procedure `make-tcp-server` returned.
    ///
    /// # Errors
    ///
    /// As [`Server::run_until`].
    #[doc(alias = "make-tcp-server")]
    pub async fn run(self) -> io::Result<ShutdownSummary> {
        self.run_until(std::future::pending::<()>()).await
    }

    /// Serves until `signal` completes (`tokio::signal::ctrl_c()`, say) or
    /// the server is stopped, then shuts down:
    ///
    /// 1. stops accepting and closes the listener, so new connections are
    ///    refused;
    /// 2. ends idle connections at once (their input, marked idle, reads
    ///    end-of-file) and lets the others finish until the drain timeout
    ///    (or a [`ServerHandle::force`]);
    /// 3. closes those still open abruptly, through the hard-close hook;
    /// 4. returns the [`ShutdownSummary`] (also in the statistics).
    ///
    /// Accept errors: those that concern one connection are skipped; running
    /// out of descriptors or memory is logged once per burst and backed off
    /// (5 ms doubling to 1 s, cut short when a connection closes), for as
    /// long as it lasts: never a spin, never a pause for good.
    ///
    /// Scheme: none.
    ///
    /// # Errors
    ///
    /// An accept error that means the listener is unusable (returned after
    /// the same shutdown).
    pub async fn run_until<S: Future>(self, signal: S) -> io::Result<ShutdownSummary> {
        let Server {
            listener, shared, ..
        } = self;
        if !crate::PANICS_ARE_ISOLATED {
            shared.diagnostics.notice(format_args!(
                "built with panic = \"abort\": a handler's panic ends the process"
            ));
        }
        let tracker = TaskTracker::new();
        let fatal = accept_loop(&listener, &shared, &tracker, std::pin::pin!(signal)).await;
        shared.stop.cancel();
        // New connections are refused from here on.
        drop(listener);
        let summary = drain(&shared, &tracker).await;
        match fatal {
            Some(e) => Err(e),
            None => Ok(summary),
        }
    }
}

async fn accept_loop<S: Future>(
    listener: &AsyncFd<std::net::TcpListener>,
    shared: &Arc<Shared>,
    tracker: &TaskTracker,
    mut signal: Pin<&mut S>,
) -> Option<io::Error> {
    let mut backoff = AcceptBackoff::new();
    let mut burst: Option<(u64, Instant)> = None;
    let mut next_id = 0u64;
    // One wait for the stop across every accept, polled only when it woke
    // the loop: a fresh one per accept took the token's locks three times.
    let mut stopped = std::pin::pin!(shared.stop.cancelled());
    let mut watch = SignalWatch::default();
    loop {
        // The slot first: while every slot is taken, clients wait in the
        // kernel's queue, not in ours.
        let permit = match &shared.slots {
            None => None,
            Some(slots) => tokio::select! {
                biased;
                _ = shared.stop.cancelled() => return None,
                _ = signal.as_mut() => return None,
                permit = Arc::clone(slots).acquire_owned() => permit.ok(),
            },
        };
        let accepted = std::future::poll_fn(|cx| {
            if watch.should_poll(cx, shared.stop.is_cancelled())
                && stopped.as_mut().poll(cx).is_ready()
            {
                return Poll::Ready(None);
            }
            if signal.as_mut().poll(cx).is_ready() {
                return Poll::Ready(None);
            }
            poll_accept(listener, cx).map(Some)
        })
        .await;
        // `None`: stopped.
        match accepted? {
            Ok((stream, addr)) => {
                if let Some((errors, since)) = burst.take() {
                    shared.backing_off.store(false, Ordering::SeqCst);
                    shared.diagnostics.notice(format_args!(
                        "accepting again after {errors} accept errors in {:.1?}",
                        since.elapsed()
                    ));
                }
                backoff.reset();
                // Small writes are gathered by the output and sent on flush:
                // Nagle would only delay them. An accepted socket inherits
                // TCP_NODELAY from the listener (see IntoListener); a
                // stream from the accept hook may be another one, and must
                // not block.
                let stream = match &shared.hooks.accept {
                    None => stream,
                    Some(hook) => match hook(stream, addr).and_then(|stream| {
                        stream.set_nonblocking(true)?;
                        Ok(stream)
                    }) {
                        Ok(stream) => {
                            let _ = stream.set_nodelay(true);
                            stream
                        }
                        Err(e) => {
                            shared.stats.accept_error(AcceptErrorClass::PerConnection);
                            shared.diagnostics.error("accept hook", &e);
                            continue;
                        }
                    },
                };
                next_id += 1;
                shared.stats.connection_accepted();
                let flight = InFlight {
                    shared: Arc::clone(shared),
                    outcome: Outcome::Failed,
                    permit,
                };
                let accepted = Accepted {
                    stream,
                    from: addr,
                    id: next_id,
                    flight,
                    at: Instant::now(),
                };
                (shared.spawn)(tracker, Arc::clone(shared), accepted);
            }
            Err(e) => {
                let class = classify_accept_error(&e);
                shared.stats.accept_error(class);
                match class {
                    AcceptErrorClass::PerConnection => {}
                    AcceptErrorClass::ResourceExhausted => {
                        match &mut burst {
                            Some((errors, _)) => *errors += 1,
                            None => {
                                // Once per burst: a starved server must not
                                // flood its log.
                                shared.diagnostics.error("accept error (backing off)", &e);
                                burst = Some((1, Instant::now()));
                                shared.backing_off.store(true, Ordering::SeqCst);
                            }
                        }
                        drop(permit);
                        let delay = backoff.next_delay();
                        // Made before the wait, so a close during it counts.
                        let closed = shared.closed.notified();
                        tokio::select! {
                            biased;
                            _ = shared.stop.cancelled() => return None,
                            _ = signal.as_mut() => return None,
                            _ = closed => {}
                            _ = tokio::time::sleep(delay) => {}
                        }
                    }
                    _ => {
                        shared.diagnostics.error("accept error (stopping)", &e);
                        return Some(e);
                    }
                }
            }
        }
    }
}

/// A connection from accept to its end: however it ends (served, failed,
/// its task cancelled), it is counted once, then gives its slot back, then
/// wakes a backing-off accept loop.
pub(crate) struct InFlight {
    shared: Arc<Shared>,
    pub(crate) outcome: Outcome,
    permit: Option<OwnedSemaphorePermit>,
}

impl InFlight {
    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.shared.stop.is_cancelled() && self.outcome != Outcome::Forced {
            self.shared.drained.fetch_add(1, Ordering::SeqCst);
        }
        self.shared.stats.connection_ended(self.outcome);
        drop(self.permit.take());
        if self.shared.backing_off.load(Ordering::SeqCst) {
            self.shared.closed.notify_waiters();
        }
    }
}

async fn drain(shared: &Shared, tracker: &TaskTracker) -> ShutdownSummary {
    tracker.close();
    let open = shared.stats.snapshot().active;
    if open > 0 {
        shared.diagnostics.notice(format_args!(
            "stopping: waiting up to {:.1?} for {open} connections",
            shared.settings.drain_timeout
        ));
    }
    let finished = tokio::select! {
        biased;
        _ = tracker.wait() => true,
        _ = shared.force.cancelled() => false,
        _ = tokio::time::sleep(shared.settings.drain_timeout) => false,
    };
    if !finished {
        // Every task drops its handler at once when it sees the force
        // (which it looks for once it saw the stop, fired above in `run`).
        shared.force.cancel();
        tracker.wait().await;
    }
    let stats = shared.stats.snapshot();
    let drained = shared.drained.load(Ordering::SeqCst);
    let summary = ShutdownSummary::new(stats.served, drained, stats.forced);
    shared.stats.set_summary(summary);
    shared
        .diagnostics
        .notice(format_args!("stopped: {summary}"));
    summary
}

/// Refers to its own stream: what a connection's task needs to close it.
pub(crate) fn hard_close(shared: &Shared, socket: &Socket) {
    let _ = (shared.hooks.hard_close)(socket.std());
}

/// Accepts the next connection as a non-blocking std stream, registered
/// with nothing (one `accept4(2)`; tokio's `poll_accept` would also
/// register it).
fn poll_accept(
    listener: &AsyncFd<std::net::TcpListener>,
    cx: &mut Context<'_>,
) -> Poll<io::Result<(std::net::TcpStream, SocketAddr)>> {
    // Bounded: a WouldBlock clears the readiness it came from.
    loop {
        let mut ready = ready!(listener.poll_read_ready(cx))?;
        if let Ok(accepted) = ready.try_io(|l| tcp_ports::accept_nonblocking(l.get_ref())) {
            return Poll::Ready(accepted);
        }
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("local", &self.local)
            .field("settings", &self.shared.settings)
            .field("hooks", &self.shared.hooks)
            .field("diagnostics", &self.shared.diagnostics)
            .finish_non_exhaustive()
    }
}
