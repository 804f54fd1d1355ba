//! Hotline: a contact-centre chat SDK for the browser, compiled to WebAssembly.
//!
//! Layers, with dependencies pointing one way only:
//! - [`core`]: pure Rust (no web types), tested natively with `cargo test`;
//! - `browser`: adapters behind the traits `core` defines (wasm32 only);
//! - `js`: the `#[wasm_bindgen]` facade and nothing else (wasm32 only).

// `.max(a).min(b)` instead of `f64::clamp`: clamp's panic message formats floats, which
// links Rust's float formatter (~20 KB) into the wasm.
#![allow(clippy::manual_clamp)]

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod js;
