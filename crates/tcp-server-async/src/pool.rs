//! Buffers kept by each thread between the reads and writes of its
//! connections.
//!
//! An input gives its buffer back whenever it must wait, and an output
//! once it has sent what it held, so that an idle connection holds none; a
//! busy server then takes and gives back a buffer of each for nearly every
//! request, and [`DEFAULT_READ_BUFFER`]s miss the allocator's per-thread
//! cache. A few of each default size are kept here per thread instead: the
//! memory is bounded by the threads, not by the connections.

use std::cell::RefCell;

use crate::{DEFAULT_OUTPUT_BUFFER, DEFAULT_READ_BUFFER};

/// How many free buffers of each size a thread keeps.
const KEPT: usize = 8;

thread_local! {
    static READ: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
    static OUTPUT: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

type Free = std::thread::LocalKey<RefCell<Vec<Vec<u8>>>>;

/// A read buffer of `len` bytes, every one initialized, so that a read can
/// fill it without unsafe code: zeroed when newly allocated, holding what
/// an earlier read left when reused (the input reads only what it filled).
pub(crate) fn take_read(len: usize) -> Vec<u8> {
    if len == DEFAULT_READ_BUFFER
        && let Some(buf) = pop(&READ)
    {
        return buf;
    }
    vec![0; len]
}

/// Gives back a buffer of [`take_read`]: kept if it has the default size
/// and the thread keeps fewer than [`KEPT`], freed otherwise.
pub(crate) fn give_read(buf: Vec<u8>) {
    if buf.len() == DEFAULT_READ_BUFFER {
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

fn pop(free: &'static Free) -> Option<Vec<u8>> {
    free.try_with(|free| free.borrow_mut().pop()).ok().flatten()
}

fn push(free: &'static Free, buf: Vec<u8>) {
    // During the thread's exit the buffer is just freed.
    let _ = free.try_with(|free| {
        let mut free = free.borrow_mut();
        if free.len() < KEPT {
            free.push(buf);
        }
    });
}
