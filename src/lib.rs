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

// Talc instead of the default dlmalloc: about 7 KB less wasm for the same job (a coalescing
// allocator, so a long chat does not fragment the heap). The page runs the module on one
// thread; without the `atomics` target feature there is no other.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
