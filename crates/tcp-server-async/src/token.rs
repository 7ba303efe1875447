//! The server's stop and force: a cancellation token, for those that wait
//! on it, beside a flag that tells whether it fired without the token's
//! lock.
//!
//! `CancellationToken::is_cancelled` takes the token's mutex, which every
//! connection of the server shares; an input marked idle asks it on every
//! read that finds nothing buffered, and each connection asks it at its
//! end. The flag is set before the token fires, so whoever the token wakes
//! sees the flag set.

use std::sync::atomic::{AtomicBool, Ordering};

use tokio_util::sync::{
    CancellationToken, WaitForCancellationFuture, WaitForCancellationFutureOwned,
};

#[derive(Debug, Default)]
pub(crate) struct Token {
    fired: AtomicBool,
    token: CancellationToken,
}

impl Token {
    /// Fires it: once; again does nothing.
    pub(crate) fn cancel(&self) {
        self.fired.store(true, Ordering::Release);
        self.token.cancel();
    }

    /// Whether it fired: one atomic load.
    #[inline]
    pub(crate) fn is_cancelled(&self) -> bool {
        self.fired.load(Ordering::Acquire)
    }

    /// Completes when it fires.
    pub(crate) fn cancelled(&self) -> WaitForCancellationFuture<'_> {
        self.token.cancelled()
    }

    /// Completes when it fires, holding the token itself.
    pub(crate) fn cancelled_owned(&self) -> WaitForCancellationFutureOwned {
        self.token.clone().cancelled_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_flag_and_the_wait_agree() {
        let token = Token::default();
        assert!(!token.is_cancelled());
        let waiting = token.cancelled();
        token.cancel();
        assert!(token.is_cancelled());
        waiting.await;
        token.cancel();
        assert!(token.is_cancelled());
    }
}
