//! The calling thread's current configuration, and `parameterize`: the
//! faithful port of CHICKEN's parameters for code that sets timeouts around
//! a block rather than passing a [`TcpConfig`].

use std::cell::Cell;

use crate::TcpConfig;

thread_local! {
    static CURRENT: Cell<TcpConfig> = const { Cell::new(TcpConfig::new()) };
}

impl TcpConfig {
    /// The calling thread's current configuration: what
    /// [`crate::connect`], [`crate::TcpListener::accept`] and
    /// [`crate::listen`]'s listeners use. It starts as [`TcpConfig::new`] in
    /// every thread (a new thread does not inherit its parent's; pass it
    /// along and [`TcpConfig::set_current`] it if you want that).
    ///
    /// Scheme: reading the parameters, `(tcp-read-timeout)` and its kin.
    #[doc(alias = "tcp-read-timeout")]
    pub fn current() -> TcpConfig {
        CURRENT.with(Cell::get)
    }

    /// Makes `config` the calling thread's current configuration, until
    /// changed again.
    ///
    /// Scheme: setting the parameters, `(tcp-read-timeout 5000)` and its kin.
    #[doc(alias = "tcp-read-timeout")]
    pub fn set_current(config: TcpConfig) {
        CURRENT.with(|c| c.set(config));
    }
}

/// Runs `body` with the calling thread's current configuration changed by
/// `change`, then restores the previous one, also when `body` panics.
///
/// ```
/// use std::time::Duration;
/// use tcp_ports::{parameterize, TcpConfig};
///
/// // (parameterize ((tcp-read-timeout 5000) (tcp-buffer-size 1024)) body)
/// let inside = parameterize(
///     |c| {
///         c.read_timeout = Some(Duration::from_secs(5));
///         c.buffer_size = 1024;
///     },
///     TcpConfig::current,
/// );
/// assert_eq!(inside.read_timeout, Some(Duration::from_secs(5)));
/// assert_eq!(TcpConfig::current(), TcpConfig::new());
/// ```
///
/// Scheme: `(parameterize ((tcp-read-timeout …) …) body …)`.
pub fn parameterize<R>(change: impl FnOnce(&mut TcpConfig), body: impl FnOnce() -> R) -> R {
    let previous = TcpConfig::current();
    let mut changed = previous;
    change(&mut changed);
    let _restore = Restore(previous);
    TcpConfig::set_current(changed);
    body()
}

/// Puts the saved configuration back when dropped, i.e. also on unwinding.
struct Restore(TcpConfig);

impl Drop for Restore {
    fn drop(&mut self) {
        TcpConfig::set_current(self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn nests_and_restores_even_on_panic() {
        let outer = parameterize(
            |c| c.accept_timeout = Some(Duration::from_millis(1)),
            || {
                let caught = std::panic::catch_unwind(|| {
                    parameterize(|c| c.buffer_size = 7, || panic!("boom"))
                });
                assert!(caught.is_err());
                TcpConfig::current()
            },
        );
        assert_eq!(outer.accept_timeout, Some(Duration::from_millis(1)));
        assert_eq!(outer.buffer_size, 0);
        assert_eq!(TcpConfig::current(), TcpConfig::new());
    }

    #[test]
    fn threads_start_from_the_defaults() {
        TcpConfig::set_current(TcpConfig::new().with_buffer_size(9));
        let theirs = std::thread::spawn(TcpConfig::current).join().unwrap();
        assert_eq!(theirs, TcpConfig::new());
        TcpConfig::set_current(TcpConfig::new());
    }
}
