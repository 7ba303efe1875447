//! Buffers kept by each thread between the reads and writes of its
//! connections.
//!
//! An input gives its buffer back whenever it must wait, and an output
//! once it has sent what it held, so that an idle connection holds none; a
//! busy server then takes and gives back a buffer of each for nearly every
//! request, and [`DEFAULT_READ_BUFFER`]s miss the allocator's per-thread
//! cache. A few of each default size are kept here per thread instead: the
//! memory is bounded by the threads, not by the connections.

use std::cell::{Cell, RefCell};
use std::thread::LocalKey;

use crate::{DEFAULT_OUTPUT_BUFFER, DEFAULT_READ_BUFFER};

/// How many free buffers of each size a thread keeps, besides the last.
const KEPT: usize = 8;

/// A read buffer of the default size: one pointer, so that the slot of
/// the last one given back is taken and filled with a load and a store.
type ReadBuffer = Box<[u8; DEFAULT_READ_BUFFER]>;

/// The free buffers of one kind on one thread.
struct Free<T> {
    /// The buffer given back last. A busy connection gives its buffer back
    /// at every wait and takes one at every wake, nearly always this one:
    /// a slot is a few instructions, the list a few dozen.
    last: Cell<Option<T>>,
    /// The others, up to [`KEPT`].
    rest: RefCell<Vec<T>>,
}

impl<T> Free<T> {
    const fn new() -> Free<T> {
        Free {
            last: Cell::new(None),
            rest: RefCell::new(Vec::new()),
        }
    }
}

thread_local! {
    static READ: Free<ReadBuffer> = const { Free::new() };
    static OUTPUT: Free<Vec<u8>> = const { Free::new() };
}

/// A read buffer of `len` bytes, every one initialized, so that a read can
/// fill it without unsafe code: zeroed when newly allocated, holding what
/// an earlier read left when reused (the input reads only what it filled).
#[inline]
pub(crate) fn take_read(len: usize) -> Box<[u8]> {
    if len == DEFAULT_READ_BUFFER
        && let Some(buf) = pop(&READ)
    {
        return buf;
    }
    vec![0; len].into_boxed_slice()
}

/// Gives back a buffer of [`take_read`]: kept if it has the default size
/// and the thread keeps fewer than [`KEPT`], freed otherwise.
#[inline]
pub(crate) fn give_read(buf: Box<[u8]>) {
    if let Ok(buf) = ReadBuffer::try_from(buf) {
        push(&READ, buf);
    }
}

/// An empty output buffer with room for `capacity` bytes.
pub(crate) fn take_output(capacity: usize) -> Vec<u8> {
    if capacity == DEFAULT_OUTPUT_BUFFER
        && let Some(buf) = pop(&OUTPUT)
    {
        return buf;
    }
    Vec::with_capacity(capacity)
}

/// Gives back a buffer of [`take_output`]: kept (emptied) if it has the
/// default size and the thread keeps fewer than [`KEPT`], freed otherwise.
pub(crate) fn give_output(mut buf: Vec<u8>) {
    if buf.capacity() == DEFAULT_OUTPUT_BUFFER {
        buf.clear();
        push(&OUTPUT, buf);
    }
}

fn pop<T>(free: &'static LocalKey<Free<T>>) -> Option<T> {
    free.try_with(|free| free.last.take().or_else(|| free.rest.borrow_mut().pop()))
        .ok()
        .flatten()
}

fn push<T>(free: &'static LocalKey<Free<T>>, buf: T) {
    // During the thread's exit the buffer is just freed.
    let _ = free.try_with(|free| {
        if let Some(older) = free.last.replace(Some(buf)) {
            let mut rest = free.rest.borrow_mut();
            if rest.len() < KEPT {
                rest.push(older);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_keeps_the_last_buffer_and_a_few_more_of_the_default_size() {
        let given: Vec<Box<[u8]>> = (0..KEPT + 3)
            .map(|_| take_read(DEFAULT_READ_BUFFER))
            .collect();
        let addresses: Vec<*const u8> = given.iter().map(|b| b.as_ptr()).collect();
        for buf in given {
            give_read(buf);
        }
        // The last one given back comes first, then the list's, newest
        // first; past the slot and KEPT more, buffers were freed.
        let again: Vec<Box<[u8]>> = (0..KEPT + 1)
            .map(|_| take_read(DEFAULT_READ_BUFFER))
            .collect();
        let again: Vec<*const u8> = again.iter().map(|b| b.as_ptr()).collect();
        assert_eq!(again[0], addresses[KEPT + 2]);
        assert_eq!(
            &again[1..],
            addresses[..KEPT].iter().rev().copied().collect::<Vec<_>>()
        );
        // Another size is never kept.
        give_read(vec![0; 16].into_boxed_slice());
        assert_eq!(take_read(16).len(), 16);
    }
}
