//! The connections a server has open, by id, each with a handle that can
//! shut it down or abort it from another thread: how a shutdown wakes idle
//! connections and, at the drain deadline, closes the rest.

use std::collections::HashMap;
use std::net::Shutdown;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::ConnectionHandle;
use crate::hooks::HardCloseHook;

#[derive(Debug, Default)]
pub(crate) struct Registry {
    entries: Mutex<HashMap<u64, Entry>>,
    /// Set (SeqCst) before the idle connections are woken; a handler that
    /// marks itself idle reads it (SeqCst) after, so one of the two always
    /// sees the other and no idle connection is missed.
    stopping: AtomicBool,
}

#[derive(Debug)]
struct Entry {
    handle: ConnectionHandle,
    state: Arc<EntryState>,
}

/// What a connection and the registry both know about it.
#[derive(Debug, Default)]
pub(crate) struct EntryState {
    idle: AtomicBool,
    forced: AtomicBool,
}

impl EntryState {
    /// Whether the drain deadline closed it.
    pub(crate) fn is_forced(&self) -> bool {
        self.forced.load(Ordering::SeqCst)
    }
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn insert(&self, id: u64, handle: ConnectionHandle) -> Arc<EntryState> {
        let state = Arc::new(EntryState::default());
        let entry = Entry {
            handle,
            state: Arc::clone(&state),
        };
        self.lock().insert(id, entry);
        state
    }

    pub(crate) fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    pub(crate) fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Marks a connection idle (waiting for its next request) or busy. An
    /// idle connection of a stopping server has its input shut down, so the
    /// handler's read returns end-of-file and it can return.
    pub(crate) fn set_idle(&self, state: &EntryState, handle: &ConnectionHandle, idle: bool) {
        state.idle.store(idle, Ordering::SeqCst);
        if idle && self.is_stopping() {
            let _ = handle.shutdown(Shutdown::Read);
        }
    }

    /// The stop: from now on idle connections are woken, and those idle now
    /// are woken at once.
    pub(crate) fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        for entry in self.lock().values() {
            if entry.state.idle.load(Ordering::SeqCst) {
                // A connection the peer already closed has nothing to wake.
                let _ = entry.handle.shutdown(Shutdown::Read);
            }
        }
    }

    /// The drain deadline: closes every connection still open through the
    /// hard-close hook; returns how many.
    pub(crate) fn force_all(&self, hard_close: &HardCloseHook) -> u64 {
        let entries = self.lock();
        for entry in entries.values() {
            entry.state.forced.store(true, Ordering::SeqCst);
            let _ = hard_close(&entry.handle);
        }
        entries.len() as u64
    }
}
