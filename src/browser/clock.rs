//! [`Clock`] backed by [`Date.now()`](https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Date/now).

use crate::core::Clock;

/// The browser's wall clock, `Date.now()`.
#[derive(Debug, Clone, Copy, Default)]
pub struct BrowserClock;

impl Clock for BrowserClock {
    fn now_ms(&self) -> u64 {
        // `as` saturates: NaN and negative values become 0, nothing panics.
        js_sys::Date::now() as u64
    }
}
