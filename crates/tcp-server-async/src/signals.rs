//! Waiting for the server's stop beside the accept loop's other waits
//! without polling it on every wake of the loop.
//!
//! A `CancellationToken`'s future takes the token's lock (and its
//! `Notify`'s) each time it is polled. Once polled, such a wait holds the
//! task's waker and wakes it when its token fires; it needs polling again
//! only then (the token's flag tells) or when the waker changed: the
//! server's future is the caller's, who may poll it under any waker (a
//! `join!`, a `select!` of their own). [`SignalWatch`] remembers that
//! waker. (A connection's task, spawned by the server and polled by no
//! one else, needs only the flag: see `watch`.)

use std::task::{Context, Waker};

/// Tells when a wait on a token needs a poll: the first
/// time, when the task's waker changed, or when a token fired.
#[derive(Default)]
pub(crate) struct SignalWatch {
    /// The waker the waits were last polled with.
    registered: Option<Waker>,
}

impl SignalWatch {
    /// Whether the waits must be polled now, with `cx`. `fired`: whether a
    /// token the waits are for fired (read from its flag, which is set
    /// before the token wakes anyone, so a wake by the token always finds
    /// it set).
    #[inline]
    pub(crate) fn should_poll(&mut self, cx: &Context<'_>, fired: bool) -> bool {
        match &self.registered {
            Some(waker) if waker.will_wake(cx.waker()) => fired,
            _ => {
                self.registered = Some(cx.waker().clone());
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::task::Wake;

    struct Nothing;
    impl Wake for Nothing {
        fn wake(self: Arc<Self>) {}
    }

    #[test]
    fn polls_first_then_on_a_fired_token_or_a_new_waker() {
        let one = Waker::from(Arc::new(Nothing));
        let other = Waker::from(Arc::new(Nothing));
        let mut watch = SignalWatch::default();
        assert!(watch.should_poll(&Context::from_waker(&one), false));
        assert!(!watch.should_poll(&Context::from_waker(&one), false));
        assert!(watch.should_poll(&Context::from_waker(&one), true));
        assert!(watch.should_poll(&Context::from_waker(&other), false));
        assert!(!watch.should_poll(&Context::from_waker(&other), false));
    }
}
