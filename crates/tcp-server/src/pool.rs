//! The worker threads: a pool that grows on demand up to a maximum (the cap)
//! and retires threads that have been idle for a while, as tokio's blocking
//! pool does. Never more threads than the maximum; since the accept loop
//! takes a slot before it accepts, there are never more jobs than slots
//! either, so the queue is bounded by the cap too.

use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

use crate::Stats;

pub(crate) type Job = Box<dyn FnOnce() + Send + 'static>;

#[derive(Debug, Clone)]
pub(crate) struct PoolConfig {
    pub(crate) max_threads: usize,
    pub(crate) keep_alive: Duration,
    pub(crate) stack_size: Option<usize>,
    pub(crate) name: String,
}

pub(crate) struct Pool {
    shared: Arc<Shared>,
}

struct Shared {
    config: PoolConfig,
    state: Mutex<State>,
    work: Condvar,
    stats: Arc<Stats>,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Job>,
    threads: usize,
    idle: usize,
    shutdown: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn publish(&self, state: &State) {
        self.stats
            .set_threads(state.threads as u64, state.idle as u64);
    }
}

impl Pool {
    pub(crate) fn new(config: PoolConfig, stats: Arc<Stats>) -> Pool {
        Pool {
            shared: Arc::new(Shared {
                config,
                state: Mutex::new(State::default()),
                work: Condvar::new(),
                stats,
            }),
        }
    }

    /// Runs `job` on a pool thread: an idle one, or a new one while there
    /// are fewer than the maximum, or else the next one to finish.
    ///
    /// # Errors
    ///
    /// When no thread exists and none can be started: the job comes back
    /// with the error, for the caller to reject.
    pub(crate) fn execute(&self, job: Job) -> Result<(), (Job, io::Error)> {
        let mut state = self.shared.lock();
        state.queue.push_back(job);
        // Idle threads take queued jobs one each: start a thread only when
        // there are more jobs than idle threads to take them.
        if state.queue.len() <= state.idle {
            drop(state);
            self.shared.work.notify_one();
            return Ok(());
        }
        if state.threads >= self.shared.config.max_threads {
            return Ok(());
        }
        state.threads += 1;
        self.shared.publish(&state);
        drop(state);
        match self.spawn() {
            Ok(()) => Ok(()),
            Err(e) => {
                let mut state = self.shared.lock();
                state.threads -= 1;
                self.shared.publish(&state);
                if state.threads > 0 {
                    // A running thread will take it when it is done.
                    return Ok(());
                }
                match state.queue.pop_back() {
                    Some(job) => Err((job, e)),
                    None => Ok(()),
                }
            }
        }
    }

    fn spawn(&self) -> io::Result<()> {
        let shared = Arc::clone(&self.shared);
        let mut builder = thread::Builder::new().name(self.shared.config.name.clone());
        if let Some(size) = self.shared.config.stack_size {
            builder = builder.stack_size(size);
        }
        builder.spawn(move || work(&shared)).map(drop)
    }

    /// Lets idle threads exit now and busy ones after their job; jobs still
    /// queued are run first.
    pub(crate) fn shutdown(&self) {
        self.shared.lock().shutdown = true;
        self.shared.work.notify_all();
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Counts the thread out however it ends, so the pool never believes in a
/// thread that is gone.
struct Leaving<'a>(&'a Shared);

impl Drop for Leaving<'_> {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.threads -= 1;
        self.0.publish(&state);
    }
}

fn work(shared: &Shared) {
    let _leaving = Leaving(shared);
    let mut state = shared.lock();
    loop {
        if let Some(job) = state.queue.pop_front() {
            drop(state);
            // Jobs catch their handlers' panics themselves; this one would
            // be the server's own bug, and must not cost the thread.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            state = shared.lock();
            continue;
        }
        if state.shutdown {
            return;
        }
        state.idle += 1;
        shared.publish(&state);
        let (next, waited) = shared
            .work
            .wait_timeout(state, shared.config.keep_alive)
            .unwrap_or_else(PoisonError::into_inner);
        state = next;
        state.idle -= 1;
        shared.publish(&state);
        if waited.timed_out() && state.queue.is_empty() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Instant;

    fn pool(max: usize, keep_alive: Duration) -> (Pool, Arc<Stats>) {
        let stats = Arc::new(Stats::new());
        let config = PoolConfig {
            max_threads: max,
            keep_alive,
            stack_size: Some(256 * 1024),
            name: "test-worker".into(),
        };
        (Pool::new(config, Arc::clone(&stats)), stats)
    }

    #[test]
    fn grows_to_the_maximum_and_no_further() {
        let (pool, stats) = pool(2, Duration::from_secs(60));
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let release_rx = Arc::new(Mutex::new(release_rx));
        let (done_tx, done_rx) = mpsc::channel();
        for i in 0..4 {
            let rx = Arc::clone(&release_rx);
            let done = done_tx.clone();
            pool.execute(Box::new(move || {
                let _ = rx.lock().unwrap().recv();
                done.send(i).unwrap();
            }))
            .map_err(|(_, e)| e)
            .unwrap();
        }
        assert_eq!(stats.snapshot().threads, 2);
        for _ in 0..4 {
            release_tx.send(()).unwrap();
        }
        let mut done: Vec<i32> = (0..4)
            .map(|_| done_rx.recv_timeout(Duration::from_secs(10)).unwrap())
            .collect();
        done.sort();
        assert_eq!(done, [0, 1, 2, 3]);
        assert!(stats.snapshot().threads <= 2);
    }

    #[test]
    fn idle_threads_retire() {
        let (pool, stats) = pool(4, Duration::from_millis(20));
        let (tx, rx) = mpsc::channel();
        pool.execute(Box::new(move || tx.send(()).unwrap()))
            .map_err(|(_, e)| e)
            .unwrap();
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
        // No event tells a thread has retired: poll the gauge, bounded.
        let deadline = Instant::now() + Duration::from_secs(10);
        while stats.snapshot().threads > 0 {
            assert!(Instant::now() < deadline, "the idle thread did not retire");
            thread::yield_now();
        }
    }
}
