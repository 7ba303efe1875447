//! A connection's watch on the server's stop and force, beside its
//! handler's future, in both kinds of connection task (`plain`, `serve`).
//!
//! The waits on the two tokens are made and polled once, when the handler
//! first waits, so that they wake the task when a token fires; after that,
//! each wake looks at one flag: the stop's until the stop is seen, then the
//! force's. The force is fired only after the stop (a force stops first),
//! and the wake a token makes finds every flag set before it. Polling a
//! wait again, or comparing the task's waker with the one it holds, is not
//! needed: a connection's task is polled only by the runtime, under its own
//! waker, whichever copy. That check runs at every wake of every
//! connection: kept to one load.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Context;

use tokio_util::sync::WaitForCancellationFutureOwned;

use crate::token::Token;

/// The flag a connection's wake checks: see the module's doc.
pub(crate) struct Watch {
    /// Whether the handler has waited, and the [`Waits`] were polled.
    waiting: bool,
    /// The token whose firing the next wake must see: the stop, then the
    /// force.
    next: Arc<Token>,
}

pin_project_lite::pin_project! {
    /// The waits on the stop and force, made at the handler's first wait.
    pub(crate) struct Waits {
        #[pin]
        force: Option<WaitForCancellationFutureOwned>,
        #[pin]
        stop: Option<WaitForCancellationFutureOwned>,
    }
}

impl Waits {
    pub(crate) fn new() -> Waits {
        Waits {
            force: None,
            stop: None,
        }
    }
}

impl Watch {
    /// A watch that looks at `stop` first.
    pub(crate) fn new(stop: &Arc<Token>) -> Watch {
        Watch {
            waiting: false,
            next: Arc::clone(stop),
        }
    }

    /// Whether the handler has waited (the waits were made).
    #[inline]
    pub(crate) fn is_waiting(&self) -> bool {
        self.waiting
    }

    /// Whether the watched token fired: then [`Watch::fired`] tells which.
    #[inline]
    pub(crate) fn is_due(&self) -> bool {
        self.waiting && self.next.is_cancelled()
    }

    /// The watched token fired: the stop, which the handler sees (an idle
    /// input reads end-of-file), after which the force is watched; or the
    /// force (`true`).
    #[cold]
    #[inline(never)]
    pub(crate) fn fired(&mut self, force: &Arc<Token>) -> bool {
        if force.is_cancelled() {
            return true;
        }
        self.next = Arc::clone(force);
        false
    }

    /// The handler waits for the first time: the waits are made and
    /// polled, so that they see a stop or force that came before them and
    /// wake the task for those after. `true`: the force came.
    #[cold]
    #[inline(never)]
    pub(crate) fn first_wait(
        &mut self,
        (stop, force): (&Arc<Token>, &Arc<Token>),
        waits: Pin<&mut Waits>,
        cx: &mut Context<'_>,
    ) -> bool {
        self.waiting = true;
        let mut waits = waits.project();
        waits.force.set(Some(force.cancelled_owned()));
        waits.stop.set(Some(stop.cancelled_owned()));
        let forced = waits
            .force
            .as_pin_mut()
            .is_some_and(|wait| wait.poll(cx).is_ready());
        let stopped = waits
            .stop
            .as_pin_mut()
            .is_some_and(|wait| wait.poll(cx).is_ready());
        if forced || stopped {
            if self.fired(force) {
                return true;
            }
            // The handler is polled again, to see the stop.
            cx.waker().wake_by_ref();
        }
        false
    }
}
