//! Running cases on a few threads. Cases mostly wait on sockets and child
//! processes, so a pool a little wider than the machine keeps it busy
//! without piling load on the timing of the cases.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many cases run at once here: twice the cores, from 2 to 4, or
/// `$CONFORMANCE_JOBS`.
pub fn default_threads() -> usize {
    if let Some(n) = std::env::var("CONFORMANCE_JOBS")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|&n| n > 0)
    {
        return n;
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    (2 * cores).clamp(2, 4)
}

/// Applies `f` to every item on `threads` threads and returns the results
/// in the items' order; `done` is called as each one finishes.
pub fn run<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
    done: impl Fn(&R) + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, items.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    done(&r);
                    results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_items_order() {
        let items: Vec<u32> = (0..50).collect();
        let out = super::run(&items, 4, |x| x * 2, |_| {});
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        assert!(super::run(&[] as &[u32], 4, |x| *x, |_| {}).is_empty());
    }
}
