//! Browser adapters behind the traits defined in [`crate::core`] (wasm32 only).
//!
//! - [`CookieStore`]: the default state storage, a first-party cookie (`gcState`);
//! - [`LocalStorageStore`]: state in `localStorage`, falling back to memory when the browser
//!   refuses it;
//! - [`BrowserClock`], which reads `Date.now()`;
//! - [`timer`], [`http`] and [`websocket`]: `setTimeout`, `fetch` and `WebSocket` with owned
//!   callbacks, for the transports.
//!
//! Nothing here may panic: a panic kills the page's only wasm instance. Every fallible web call
//! maps to a [`StorageError`](crate::core::StorageError).

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[cfg(feature = "agent")]
pub mod agent;
pub mod bayeux;
mod clock;
mod cookie_store;
pub(crate) mod host;
pub mod http;
pub mod launch;
pub mod listeners;
mod local_storage;
pub mod oneshot;
pub mod page;
pub mod session;
pub mod state_medium;
pub mod timer;
pub mod transport;
pub mod websocket;

pub use clock::BrowserClock;
pub use cookie_store::{CookieStore, DEFAULT_COOKIE_NAME};
pub use local_storage::{LocalStorageStore, DEFAULT_STORAGE_KEY};

use wasm_bindgen::JsValue;

/// A readable text for a value thrown by a web API: `"name: message"` for an `Error` or
/// `DOMException`, the value itself for a string.
pub(crate) fn describe_js_error(err: &JsValue) -> String {
    host::host_describe(err)
}

/// Runs a future on the page's event loop. Boxed so that `spawn_local` exists once in the
/// wasm, not once per future type.
pub(crate) fn spawn(future: impl std::future::Future<Output = ()> + 'static) {
    spawn_boxed(Box::pin(future));
}

fn spawn_boxed(future: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>) {
    wasm_bindgen_futures::spawn_local(future);
}
