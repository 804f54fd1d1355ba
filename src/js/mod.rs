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

/// The version of the hotline SDK, e.g. `"0.1.0"`.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
