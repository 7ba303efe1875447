//! A handler's panic, caught where its future is polled, so that it ends
//! only its own connection.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use tcp_server::PanicMessage;

/// Polls `future` under `catch_unwind`: its output, or the panic's.
pub(crate) fn poll_caught<F: Future>(
    future: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<Result<F::Output, PanicMessage>> {
    // The connection ends after a panic, and nothing of the handler's
    // state is used again: unwind safety holds.
    match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
        Ok(Poll::Pending) => Poll::Pending,
        Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
        Err(payload) => Poll::Ready(Err(PanicMessage(payload))),
    }
}
