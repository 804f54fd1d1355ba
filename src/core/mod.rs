//! Pure Rust core: no web-sys, js-sys or wasm-bindgen.
