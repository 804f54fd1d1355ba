//! hotline-server: the reference backend for Hotline.
//!
//! - [`bayeux`]: Bayeux 1.0 (CometD) over long-polling and WebSocket at `/cometd`;
//! - [`chat`]: the one conversation record and its transcript, persisted in SQLite, and the
//!   GMS chat v2 faces over Bayeux and REST, plus the agents' API.

pub mod bayeux;
