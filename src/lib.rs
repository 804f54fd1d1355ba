//! Hotline: a contact-centre chat SDK for the browser, compiled to WebAssembly.
//!
//! Layers, with dependencies pointing one way only:
//! - [`core`]: pure Rust (no web types), tested natively with `cargo test`;
//! - `browser`: adapters behind the traits `core` defines (wasm32 only);
//! - `js`: the `#[wasm_bindgen]` facade and nothing else (wasm32 only).

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod js;
