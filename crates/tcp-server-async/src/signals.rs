//! Waiting for the server-wide stop and force beside a busy handler
//! without touching them on every wake of the connection.
//!
//! A `CancellationToken`'s future takes the token's lock (and its
//! `Notify`'s) each time it is polled. Polled beside the handler, that is
//! two shared locks per wake of every connection, on tokens all the
//! connections share. [`WakeFilter`] polls them with a waker of its own and
//! only when that waker was woken (or the task's waker changed): a
//! connection's wakes by its socket cost an atomic swap here.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Wake, Waker};

/// Tells when the futures polled with its [`WakeFilter::waker`] need a
/// poll: the first time, after one of them woke the task, or when the
/// task's waker changed.
pub(crate) struct WakeFilter {
    flag: Arc<Flag>,
    /// `flag` as a waker, made once.
    waker: Waker,
    /// The task's waker that `flag` wakes; `None` until the first poll.
    task: Option<Waker>,
}

struct Flag {
    woken: AtomicBool,
    /// Touched only when the task's waker changes and when a watched future
    /// wakes (a stop, a force): never on the connection's own wakes.
    task: Mutex<Option<Waker>>,
}

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // Set before the task is woken, so that its poll sees it.
        self.woken.store(true, Ordering::Release);
        if let Some(task) = &*self.task.lock().unwrap_or_else(PoisonError::into_inner) {
            task.wake_by_ref();
        }
    }
}

impl WakeFilter {
    pub(crate) fn new() -> WakeFilter {
        let flag = Arc::new(Flag {
            woken: AtomicBool::new(false),
            task: Mutex::new(None),
        });
        WakeFilter {
            waker: Waker::from(Arc::clone(&flag)),
            flag,
            task: None,
        }
    }

    /// Whether the watched futures must be polled now (with
    /// [`WakeFilter::context`]). No wake is lost: the flag is cleared
    /// before they are polled, so a wake during their poll makes the next
    /// call true again.
    pub(crate) fn should_poll(&mut self, cx: &Context<'_>) -> bool {
        if self.task.as_ref().is_some_and(|t| t.will_wake(cx.waker())) {
            // A plain load first: nearly every wake is the connection's
            // own, and a swap is a locked instruction. A wake that sets the
            // flag after the load wakes the task again.
            return self.flag.woken.load(Ordering::Acquire)
                && self.flag.woken.swap(false, Ordering::AcqRel);
        }
        let task = cx.waker().clone();
        *self
            .flag
            .task
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(task.clone());
        self.task = Some(task);
        self.flag.woken.store(false, Ordering::Release);
        true
    }

    /// The context to poll the watched futures with.
    pub(crate) fn context(&self) -> Context<'_> {
        Context::from_waker(&self.waker)
    }
}
