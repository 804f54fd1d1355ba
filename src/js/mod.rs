//! The `#[wasm_bindgen]` facade: no logic lives here.
//!
//! Doc comments on exports become the comments of the generated `.d.ts`.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[cfg(feature = "agent")]
mod agent;
mod chat;
mod errors;
mod promise;

#[cfg(feature = "agent")]
pub use agent::{CIFramework, MicrosoftNamespace, Omnichannel};
pub use chat::{Chat, Session, Transports};

use wasm_bindgen::prelude::wasm_bindgen;

// The option objects, event payloads, results and errors, as TypeScript: wasm-bindgen copies
// this text into the generated `.d.ts`, and the exports name its types through
// `unchecked_param_type` / `unchecked_return_type`.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("types.d.ts");

/// The version of the hotline SDK, e.g. `"0.1.0"`.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
