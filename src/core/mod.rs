//! Pure Rust core: no web-sys, js-sys or wasm-bindgen.
//!
//! Size note: no `f64::clamp` (its panic message formats floats with `{:?}`, which links
//! Rust's whole float formatter, ~20 KB, into the wasm); use `.max(a).min(b)`.
//!
//! Everything here is tested natively with `cargo test -p hotline`. Code in `core` also runs
//! inside the page's only wasm instance, so it must not panic on any input.
//!
//! - [`error`]: the chat domain's error type and the GWE error-code table;
//! - [`json`]: a small strict JSON value, parser and serializer (no serde_json in the wasm);
//! - [`bayeux`]: a sans-IO Bayeux 1.0 (CometD) client state machine (actions out, I/O by adapters);
//! - [`state`]: the state saved between page loads, its string format and expiry;
//! - [`storage`]: the [`StateStore`] trait and an in-memory store;
//! - [`cookie`]: building and parsing `document.cookie` text;
//! - [`gms`]: GMS chat v2: the response envelope, transcript events, operations (Bayeux, REST);
//! - [`session`]: the chat session, sans-IO: transcript events in, GWE event payloads out;
//! - [`options`]: the `startSession` / `restoreSession` options and the derived endpoints;
//! - [`clock`]: the [`Clock`] trait and a manual clock;
//! - [`cif`]: `Microsoft.CIFramework`, sans-IO: templates, slug resolution, the workspace
//!   (sessions, tabs, focus, presence, panel) and the events it produces, CIF errors;
//! - [`odata`]: a small OData query subset (`$filter` AST, parser, printer and evaluation;
//!   `$select`, `$orderby`, `$top`) and the `Microsoft.Omnichannel.getConversations` query.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod bayeux;
pub mod cif;
pub mod clock;
pub mod cookie;
pub mod error;
pub mod gms;
pub mod json;
pub mod odata;
pub mod options;
pub mod session;
pub mod state;
pub mod storage;

pub use clock::Clock;
pub use error::{ChatError, ErrorCode};
pub use json::{Json, JsonError};
pub use state::{PersistedState, StateDecodeError, TransportKind};
pub use storage::{MemoryStore, StateStore, StorageError};
