//! Timers: [`Timeout`], a `setTimeout` that is cleared when dropped, and [`sleep`].
//!
//! See [`setTimeout`](https://developer.mozilla.org/en-US/docs/Web/API/Window/setTimeout).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::describe_js_error;

/// A pending `setTimeout`. Dropping it clears the timer and frees the callback, so whoever
/// owns the timer owns its lifetime (no leaked closures across reconnects).
pub struct Timeout {
    id: i32,
    // Kept alive until the timer fires or is dropped.
    _callback: Closure<dyn FnMut()>,
}

impl Timeout {
    /// Calls `callback` once after `delay_ms` milliseconds (clamped to what browsers accept).
    pub fn new(delay_ms: f64, callback: impl FnOnce() + 'static) -> Result<Self, String> {
        let mut callback = Some(callback);
        let closure = Closure::<dyn FnMut()>::new(move || {
            if let Some(callback) = callback.take() {
                callback();
            }
        });
        let delay = delay_ms.max(0.0).min(i32::MAX as f64) as i32;
        let id = set_timeout(closure.as_ref().unchecked_ref(), delay)
            .map_err(|e| describe_js_error(&e))?;
        Ok(Self {
            id,
            _callback: closure,
        })
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(self.id);
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    // Global functions, so timers also work in workers and without a `window`.
    #[wasm_bindgen(js_name = setTimeout, catch)]
    fn set_timeout(handler: &js_sys::Function, timeout: i32) -> Result<i32, JsValue>;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: i32);
}

/// Resolves after `delay_ms` milliseconds.
pub async fn sleep(delay_ms: f64) {
    let _ = wasm_bindgen_futures::JsFuture::from(super::host::host_sleep(delay_ms)).await;
}
