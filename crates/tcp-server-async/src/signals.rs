//! Waiting for the server-wide stop and force beside a busy handler
//! without touching them on every wake of the connection.
//!
//! A `CancellationToken`'s future takes the token's lock (and its
//! `Notify`'s) each time it is polled. Polled beside the handler, that is
//! two shared locks per wake of every connection, on tokens all the
//! connections share. Once polled, such a wait holds the task's waker and
//! wakes it when its token fires; it needs polling again only then (the
//! token's flag tells, one load of a line every connection reads) or when
//! the task's waker changed. [`SignalWatch`] remembers that waker: it is
//! kept in the task's own state, so a connection's wakes by its socket
//! touch nothing of its own beside it.

use std::task::{Context, Waker};

/// Tells when the waits on the stop and the force need a poll: the first
/// time, when the task's waker changed, or when a token fired.
#[derive(Default)]
pub(crate) struct SignalWatch {
    /// The waker the waits were last polled with.
    registered: Option<Waker>,
}

impl SignalWatch {
    /// One for waits about to be polled with `cx`.
    pub(crate) fn registered(cx: &Context<'_>) -> SignalWatch {
        SignalWatch {
            registered: Some(cx.waker().clone()),
        }
    }

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
        let mut watch = SignalWatch::registered(&Context::from_waker(&one));
        assert!(!watch.should_poll(&Context::from_waker(&one), false));
    }
}
