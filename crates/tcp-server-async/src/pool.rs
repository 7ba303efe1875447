//! Buffers kept by each thread between the reads and writes of its
//! connections.
//!
//! An input gives its buffer back whenever it must wait, and an output
//! once it has sent what it held, so that an idle connection holds none; a
//! busy server then allocates and frees a buffer of each for nearly every
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

fn free_list(capacity: usize) -> Option<&'static Free> {
    match capacity {
        DEFAULT_READ_BUFFER => Some(&READ),
        DEFAULT_OUTPUT_BUFFER => Some(&OUTPUT),
        _ => None,
    }
}

/// An empty buffer with room for `capacity` bytes (never zeroed).
pub(crate) fn take(capacity: usize) -> Vec<u8> {
    free_list(capacity)
        .and_then(|free| free.try_with(|free| free.borrow_mut().pop()).ok().flatten())
        .unwrap_or_else(|| Vec::with_capacity(capacity))
}

/// Gives `buf` back: kept if it has a default size and the thread keeps
/// fewer than [`KEPT`] of it, freed otherwise.
pub(crate) fn give(mut buf: Vec<u8>) {
    let Some(free) = free_list(buf.capacity()) else {
        return;
    };
    buf.clear();
    // During the thread's exit the buffer is just freed.
    let _ = free.try_with(|free| {
        let mut free = free.borrow_mut();
        if free.len() < KEPT {
            free.push(buf);
        }
    });
}
