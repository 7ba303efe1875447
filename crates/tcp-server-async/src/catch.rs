//! A handler's panic, caught where its future is polled, so that it ends
//! only its own connection.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use tcp_server::PanicMessage;

/// Polls the inner (boxed, so Unpin) future under `catch_unwind`.
pub(crate) struct CatchUnwind<F: ?Sized> {
    inner: Pin<Box<F>>,
}

impl<F: Future + ?Sized> CatchUnwind<F> {
    pub(crate) fn new(inner: Pin<Box<F>>) -> CatchUnwind<F> {
        CatchUnwind { inner }
    }
}

impl<F: Future + ?Sized> Future for CatchUnwind<F> {
    type Output = Result<F::Output, PanicMessage>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // The connection ends after a panic, and nothing of the handler's
        // state is used again: unwind safety holds.
        let inner = &mut self.inner;
        match catch_unwind(AssertUnwindSafe(|| inner.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(payload) => Poll::Ready(Err(PanicMessage(payload))),
        }
    }
}
