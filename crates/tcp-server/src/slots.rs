//! The cap: a counting semaphore of request slots (Mutex + Condvar). The
//! accept loop takes a slot *before* it accepts, so that while every slot is
//! taken, new connections wait in the kernel's accept queue (no descriptor,
//! no thread) and are accepted in arrival order as slots free up.
//!
//! The same lock carries the two shutdown phases, so that everything that
//! waits on the condvar (the accept loop for a slot or out of a backoff, the
//! drain for the last connection) wakes for a stop or a force as for a
//! release.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub(crate) struct Slots {
    limit: usize,
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    in_use: usize,
    /// Counts releases, so that a backoff can wait for "some connection
    /// closed since I looked".
    releases: u64,
    stopping: bool,
    forced: bool,
}

/// A taken slot, given back when dropped: however a connection ends (its
/// handler panics, its job is dropped unrun), its slot comes back.
#[derive(Debug)]
pub(crate) struct Slot {
    slots: Arc<Slots>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.slots.release();
    }
}

impl Slots {
    pub(crate) fn new(limit: usize) -> Arc<Slots> {
        Arc::new(Slots {
            limit,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a free slot; `None` once the server is stopping.
    pub(crate) fn acquire(self: &Arc<Slots>) -> Option<Slot> {
        let state = self.lock();
        let mut state = self
            .changed
            .wait_while(state, |s| !s.stopping && s.in_use >= self.limit)
            .unwrap_or_else(PoisonError::into_inner);
        if state.stopping {
            return None;
        }
        state.in_use += 1;
        Some(Slot {
            slots: Arc::clone(self),
        })
    }

    fn release(&self) {
        let mut state = self.lock();
        state.in_use -= 1;
        state.releases += 1;
        drop(state);
        // The accept loop and a drain may both wait: wake both.
        self.changed.notify_all();
    }

    /// How many releases so far: pass it to [`Slots::wait_release`].
    pub(crate) fn releases(&self) -> u64 {
        self.lock().releases
    }

    /// Waits until a slot is released after `seen` releases, the server
    /// stops, or `timeout` passes: the accept loop's backoff, cut short
    /// when a connection closes (and so gives back a descriptor).
    pub(crate) fn wait_release(&self, seen: u64, timeout: Duration) {
        let state = self.lock();
        let _ = self
            .changed
            .wait_timeout_while(state, timeout, |s| !s.stopping && s.releases == seen);
    }

    pub(crate) fn set_stopping(&self) {
        self.lock().stopping = true;
        self.changed.notify_all();
    }

    pub(crate) fn set_forced(&self) {
        self.lock().forced = true;
        self.changed.notify_all();
    }

    /// Waits until every slot is free, a force comes, or `deadline`
    /// passes; true when every slot is free.
    pub(crate) fn drain(&self, deadline: Instant) -> bool {
        let mut state = self.lock();
        loop {
            if state.in_use == 0 {
                return true;
            }
            let now = Instant::now();
            if state.forced || now >= deadline {
                return false;
            }
            state = self
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;

    #[test]
    fn never_more_than_the_limit_and_a_release_frees_one() {
        let slots = Slots::new(2);
        let a = slots.acquire().unwrap();
        let _b = slots.acquire().unwrap();
        let waiter = {
            let slots = Arc::clone(&slots);
            thread::spawn(move || slots.acquire().is_some())
        };
        // The waiter holds no slot until one is released.
        assert_eq!(slots.lock().in_use, 2);
        drop(a);
        assert!(waiter.join().unwrap());
    }

    #[test]
    fn stopping_wakes_a_waiter_empty_handed() {
        let slots = Slots::new(1);
        let _a = slots.acquire().unwrap();
        let waiter = {
            let slots = Arc::clone(&slots);
            thread::spawn(move || slots.acquire().is_none())
        };
        slots.set_stopping();
        assert!(waiter.join().unwrap());
    }

    #[test]
    fn drain_ends_at_the_last_release_or_a_force() {
        let slots = Slots::new(3);
        let a = slots.acquire().unwrap();
        let far = Instant::now() + Duration::from_secs(60);
        let drained = {
            let slots = Arc::clone(&slots);
            thread::spawn(move || slots.drain(far))
        };
        drop(a);
        assert!(drained.join().unwrap());

        let _b = slots.acquire().unwrap();
        let forced = {
            let slots = Arc::clone(&slots);
            thread::spawn(move || slots.drain(far))
        };
        slots.set_forced();
        assert!(!forced.join().unwrap());
        assert!(!slots.drain(Instant::now()));
    }

    #[test]
    fn a_release_cuts_a_backoff_short() {
        let slots = Slots::new(1);
        let a = slots.acquire().unwrap();
        let seen = slots.releases();
        let started = Instant::now();
        let waiter = {
            let slots = Arc::clone(&slots);
            thread::spawn(move || slots.wait_release(seen, Duration::from_secs(60)))
        };
        drop(a);
        waiter.join().unwrap();
        assert!(started.elapsed() < Duration::from_secs(60));
    }
}
