//! Wall-clock time, behind a trait so that time-dependent rules are tested without waiting.
//!
//! The browser adapter reads `Date.now()`; [`ManualClock`] is set by hand.

use std::cell::Cell;
use std::rc::Rc;

/// A source of wall-clock time in milliseconds since the Unix epoch (like `Date.now()`).
pub trait Clock {
    /// Milliseconds since 1970-01-01T00:00:00Z. Never panics.
    fn now_ms(&self) -> u64;
}

impl<T: Clock + ?Sized> Clock for &T {
    fn now_ms(&self) -> u64 {
        (**self).now_ms()
    }
}

impl<T: Clock + ?Sized> Clock for Rc<T> {
    fn now_ms(&self) -> u64 {
        (**self).now_ms()
    }
}

/// A clock that shows whatever time it was last set to.
#[derive(Debug, Default)]
pub struct ManualClock {
    now_ms: Cell<u64>,
}

impl ManualClock {
    /// A clock showing `now_ms`.
    pub fn new(now_ms: u64) -> Self {
        Self {
            now_ms: Cell::new(now_ms),
        }
    }

    /// Sets the time.
    pub fn set(&self, now_ms: u64) {
        self.now_ms.set(now_ms);
    }

    /// Moves the time forward by `ms` (saturating).
    pub fn advance(&self, ms: u64) {
        self.now_ms.set(self.now_ms.get().saturating_add(ms));
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.now_ms.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_when_told() {
        let clock = ManualClock::new(1_000);
        assert_eq!(clock.now_ms(), 1_000);
        clock.advance(500);
        assert_eq!(clock.now_ms(), 1_500);
        clock.set(10);
        assert_eq!(clock.now_ms(), 10);
        clock.set(u64::MAX - 1);
        clock.advance(5);
        assert_eq!(clock.now_ms(), u64::MAX);
        let shared: Rc<dyn Clock> = Rc::new(ManualClock::new(42));
        fn read(clock: impl Clock) -> u64 {
            clock.now_ms()
        }
        assert_eq!(read(&shared), 42);
        assert_eq!(read(shared), 42);
    }
}
