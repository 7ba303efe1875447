//! The server: its accept loop, and the shutdown that ends it.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use tcp_ports::{TcpConfig, TcpListener, TcpReader, TcpWriter};

use crate::hooks::Hooks;
use crate::pool::{Pool, PoolConfig};
use crate::registry::Registry;
use crate::slots::{Slot, Slots};
use crate::{
    AcceptBackoff, AcceptErrorClass, Connection, Diagnostics, Outcome, ServerBuilder, ServerHandle,
    ShutdownSummary, Stats, StopSignal, classify_accept_error,
};

/// The handler of every connection.
pub(crate) type Handler = dyn Fn(&mut Connection) -> io::Result<()> + Send + Sync;

/// What the builder settled.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// Connections handled at once: the cap, or the pool's maximum.
    pub(crate) limit: usize,
    pub(crate) thread_idle_timeout: Duration,
    pub(crate) stack_size: Option<usize>,
    pub(crate) accept_config: TcpConfig,
    pub(crate) deadline: Option<Duration>,
    pub(crate) upgrade_timeout: Duration,
    pub(crate) drain_timeout: Duration,
}

/// What the accept loop and the workers share.
pub(crate) struct Inner {
    pub(crate) settings: Settings,
    pub(crate) hooks: Hooks,
    pub(crate) handler: Arc<Handler>,
    pub(crate) diagnostics: Diagnostics,
    pub(crate) stats: Arc<Stats>,
    pub(crate) registry: Arc<Registry>,
    pub(crate) slots: Arc<Slots>,
    pub(crate) stop: StopSignal,
    pub(crate) force: StopSignal,
    next_id: AtomicU64,
    /// Connections that ended by themselves after the stop: counted as
    /// they end, since a stop wakes idle ones at once, before any count of
    /// the open ones could be taken.
    drained: AtomicU64,
}

/// A threaded TCP server: accepts connections on its listener and runs the
/// handler on each, on a pool of threads, until it is stopped.
///
/// Make one with [`Server::new`] or [`ServerBuilder`], take a
/// [`ServerHandle`] to stop it and read its statistics, then
/// [`Server::run`] it (it serves on the calling thread until stopped).
///
/// # Faults
///
/// A handler that returns an error or panics ends only its own connection:
/// the connection is closed abruptly through the hard-close hook, the
/// failure is counted and logged (diagnostics, `tracing`), its slot is
/// given back, and its thread goes on serving. This relies on unwinding:
/// built with `panic = "abort"`, a panicking handler ends the whole
/// process (nothing can catch it), so run such a server under a supervisor
/// that restarts it; [`PANICS_ARE_ISOLATED`] tells which build this is.
///
/// Scheme: the procedure `make-tcp-server` returns.
#[doc(alias = "make-tcp-server")]
pub struct Server {
    listener: TcpListener,
    inner: Arc<Inner>,
    pool: Pool,
}

/// Whether a handler's panic ends only its connection (built with
/// `panic = "unwind"`, the default) or the whole process (`panic =
/// "abort"`).
///
/// Scheme: none.
pub const PANICS_ARE_ISOLATED: bool = cfg!(panic = "unwind");

impl Server {
    /// A server with every default ([`ServerBuilder::new`]): no cap beyond
    /// the pool's 512 threads, CHICKEN's timeouts, a 5-minute connection
    /// deadline, plain TCP.
    ///
    /// Scheme: `(make-tcp-server LISTENER THUNK)`.
    ///
    /// # Errors
    ///
    /// As [`ServerBuilder::build`].
    #[doc(alias = "make-tcp-server")]
    pub fn new<H>(listener: TcpListener, handler: H) -> io::Result<Server>
    where
        H: Fn(&mut Connection) -> io::Result<()> + Send + Sync + 'static,
    {
        ServerBuilder::new().build(listener, handler)
    }

    pub(crate) fn from_parts(
        listener: TcpListener,
        settings: Settings,
        hooks: Hooks,
        diagnostics: Diagnostics,
        handler: Arc<Handler>,
    ) -> io::Result<Server> {
        let stats = Arc::new(Stats::new());
        let pool = Pool::new(
            PoolConfig {
                max_threads: settings.limit,
                keep_alive: settings.thread_idle_timeout,
                stack_size: settings.stack_size,
                name: "tcp-server-worker".into(),
            },
            Arc::clone(&stats),
        );
        let inner = Arc::new(Inner {
            slots: Slots::new(settings.limit),
            settings,
            hooks,
            handler,
            diagnostics,
            stats,
            registry: Arc::default(),
            stop: StopSignal::new()?,
            force: StopSignal::new()?,
            next_id: AtomicU64::new(0),
            drained: AtomicU64::new(0),
        });
        Ok(Server {
            listener,
            inner,
            pool,
        })
    }

    /// A handle to stop the server and read its statistics, from any thread
    /// (or a signal handler), before, while and after it runs.
    ///
    /// Scheme: none.
    pub fn handle(&self) -> ServerHandle {
        ServerHandle::new(
            self.inner.stop.clone(),
            self.inner.force.clone(),
            Arc::clone(&self.inner.stats),
        )
    }

    /// The address the server listens on.
    ///
    /// Scheme: `tcp-listener-port` of the listener.
    #[doc(alias = "tcp-listener-port")]
    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.listener.local_addr()
    }

    /// Serves until stopped ([`ServerHandle::stop`]), then shuts down:
    ///
    /// 1. stops accepting and closes the listener, so new connections are
    ///    refused;
    /// 2. shuts down the input of connections marked idle
    ///    ([`Connection::set_idle`]), so they end at once, and lets the
    ///    others finish until the drain timeout (or a
    ///    [`ServerHandle::force`]);
    /// 3. closes those still open abruptly, through the hard-close hook;
    /// 4. returns the [`ShutdownSummary`] (also in the statistics).
    ///
    /// Accept errors: those that concern one connection are skipped; running
    /// out of descriptors or memory is logged once per burst and backed off
    /// (5 ms doubling to 1 s, cut short when a connection closes), for as
    /// long as it lasts.
    ///
    /// Scheme: calling the procedure `make-tcp-server` returned.
    ///
    /// # Errors
    ///
    /// An accept error that means the listener is unusable (after the same
    /// shutdown); the error of starting the thread that relays the stop.
    #[doc(alias = "make-tcp-server")]
    pub fn run(self) -> io::Result<ShutdownSummary> {
        let Server {
            listener,
            inner,
            pool,
        } = self;
        if !PANICS_ARE_ISOLATED {
            inner.diagnostics.notice(format_args!(
                "built with panic = \"abort\": a handler's panic ends the process"
            ));
        }
        // The stop and force signals are async-signal-safe eventfds; this
        // thread turns them into condvar wake-ups for everything that waits
        // on the slots' lock (a full accept loop, a backoff, the drain).
        let relay = {
            let inner = Arc::clone(&inner);
            thread::Builder::new()
                .name("tcp-server-stop".into())
                .spawn(move || {
                    let _ = inner.stop.wait(None);
                    inner.slots.set_stopping();
                    let _ = inner.force.wait(None);
                    inner.slots.set_forced();
                })?
        };
        let fatal = accept_loop(&listener, &inner, &pool);
        inner.stop.stop();
        // New connections are refused from here on; those still queued in
        // the backlog are reset.
        drop(listener);
        let summary = drain(&inner);
        inner.force.stop();
        let _ = relay.join();
        pool.shutdown();
        match fatal {
            Some(e) => Err(e),
            None => Ok(summary),
        }
    }
}

fn accept_loop(listener: &TcpListener, inner: &Arc<Inner>, pool: &Pool) -> Option<io::Error> {
    let mut backoff = AcceptBackoff::new();
    let mut burst: Option<(u64, Instant)> = None;
    loop {
        let slot = inner.slots.acquire()?;
        match (inner.hooks.accept)(listener, &inner.settings.accept_config, &inner.stop) {
            Ok(None) => return None,
            Ok(Some((reader, writer))) => {
                if let Some((errors, since)) = burst.take() {
                    inner.diagnostics.notice(format_args!(
                        "accepting again after {errors} accept errors in {:.1?}",
                        since.elapsed()
                    ));
                }
                backoff.reset();
                dispatch(inner, pool, reader, writer, slot);
            }
            Err(e) => {
                let class = classify_accept_error(&e);
                inner.stats.accept_error(class);
                match class {
                    AcceptErrorClass::PerConnection => {}
                    AcceptErrorClass::ResourceExhausted => {
                        match &mut burst {
                            Some((errors, _)) => *errors += 1,
                            None => {
                                // Once per burst: a starved server must not
                                // flood its log.
                                inner.diagnostics.error("accept error (backing off)", &e);
                                burst = Some((1, Instant::now()));
                            }
                        }
                        let delay = backoff.next_delay();
                        drop(slot);
                        let seen = inner.slots.releases();
                        inner.slots.wait_release(seen, delay);
                    }
                    _ => {
                        inner.diagnostics.error("accept error (stopping)", &e);
                        return Some(e);
                    }
                }
            }
        }
    }
}

/// Hands an accepted connection to the pool.
fn dispatch(inner: &Arc<Inner>, pool: &Pool, reader: TcpReader, writer: TcpWriter, slot: Slot) {
    let accepted_at = Instant::now();
    let id = inner.next_id.fetch_add(1, Ordering::Relaxed) + 1;
    let handle = reader.handle();
    inner.stats.connection_accepted();
    let entry = inner.registry.insert(id, handle.clone());
    let flight = InFlight {
        inner: Arc::clone(inner),
        id,
        outcome: Outcome::Failed,
        _slot: slot,
    };
    let job = {
        let inner = Arc::clone(inner);
        let handle = handle.clone();
        Box::new(move || {
            crate::worker::serve(&inner, reader, writer, handle, entry, flight, accepted_at);
        })
    };
    if let Err((job, e)) = pool.execute(job) {
        inner.diagnostics.error("cannot start a worker thread", &e);
        let _ = (inner.hooks.hard_close)(&handle);
        // Dropping the job ends the connection's bookkeeping as failed.
        drop(job);
    }
}

/// A connection from accept to its end: however it ends (served, failed,
/// its job dropped unrun), it is counted once, leaves the registry, and
/// gives its slot back, in that order, so that a drain that sees every
/// slot free sees every count.
pub(crate) struct InFlight {
    inner: Arc<Inner>,
    id: u64,
    pub(crate) outcome: Outcome,
    _slot: Slot,
}

impl InFlight {
    pub(crate) fn id(&self) -> u64 {
        self.id
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.inner.stop.is_stopped() && self.outcome != Outcome::Forced {
            self.inner.drained.fetch_add(1, Ordering::SeqCst);
        }
        self.inner.stats.connection_ended(self.outcome);
        self.inner.registry.remove(self.id);
    }
}

/// How long a shutdown waits for the handlers of the connections it
/// closed abruptly at the drain deadline to notice.
const FORCED_GRACE: Duration = Duration::from_secs(1);

fn drain(inner: &Inner) -> ShutdownSummary {
    inner.registry.stop();
    let open = inner.registry.len() as u64;
    if open > 0 {
        inner.diagnostics.notice(format_args!(
            "stopping: waiting up to {:.1?} for {open} connections",
            inner.settings.drain_timeout
        ));
    }
    let deadline = Instant::now() + inner.settings.drain_timeout;
    let forced = match inner.slots.drain(deadline) {
        true => 0,
        false => {
            let forced = inner.registry.force_all(&*inner.hooks.hard_close);
            // An abort wakes a handler blocked on its connection at once:
            // wait for them a moment, so that the statistics count them
            // before `run` returns. A handler stuck elsewhere is not waited
            // for longer.
            inner.slots.drain(Instant::now() + FORCED_GRACE);
            forced
        }
    };
    // Every connection has ended (or was forced): the count is complete.
    let summary = ShutdownSummary::new(
        inner.stats.snapshot().served,
        inner.drained.load(Ordering::SeqCst),
        forced,
    );
    inner.stats.set_summary(summary);
    inner.diagnostics.notice(format_args!("stopped: {summary}"));
    summary
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("listener", &self.listener)
            .field("settings", &self.inner.settings)
            .field("hooks", &self.inner.hooks)
            .field("diagnostics", &self.inner.diagnostics)
            .finish_non_exhaustive()
    }
}
