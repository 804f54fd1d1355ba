//! A Bayeux 1.0 server (the CometD protocol) over long-polling and WebSocket, at `/cometd`.
//!
//! Public surface used by the rest of the server:
//! - [`Bayeux::new`] with a [`BayeuxConfig`] and the application ([`BayeuxApp`]);
//! - [`Bayeux::router`]: the axum routes for `/cometd` and `/cometd/{*type}`;
//! - [`Bayeux::deliver`]: queue a message for one client (service replies, notifications);
//! - [`Bayeux::publish`]: send a message to every client whose subscription matches a channel.

pub mod app;

pub use app::{BayeuxApp, ClientInfo, Identity, RemovalReason, ServiceReply};

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

/// Timing of the protocol, sent to clients as `advice` and used to expire them.
#[derive(Debug, Clone)]
pub struct BayeuxConfig {
    /// How long a `/meta/connect` is held when there is nothing to deliver (`advice.timeout`).
    pub timeout: Duration,
    /// Minimum pause between a connect reply and the next connect (`advice.interval`).
    pub interval: Duration,
    /// A client that sends no connect for this long after its last connect reply is removed.
    pub max_interval: Duration,
    /// `advice.interval` for a browser that long-polls with more than one client.
    pub multiple_clients_interval: Duration,
}

impl Default for BayeuxConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(25),
            interval: Duration::ZERO,
            max_interval: Duration::from_secs(10),
            multiple_clients_interval: Duration::from_secs(2),
        }
    }
}

/// Handle to the Bayeux engine; cheap to clone.
#[derive(Clone)]
pub struct Bayeux {
    #[allow(dead_code)]
    inner: Arc<()>,
}

impl Bayeux {
    pub fn new(_config: BayeuxConfig, _app: Arc<dyn BayeuxApp>) -> Self {
        todo!("Bayeux engine")
    }

    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> axum::Router<S> {
        todo!("Bayeux routes")
    }

    /// Queue `data` on `channel` for the client `client_id`, whether or not it subscribed.
    /// Returns false when the client is unknown.
    pub fn deliver(&self, _client_id: &str, _channel: &str, _data: Value) -> bool {
        todo!()
    }

    /// Deliver `data` on `channel` to every client with a matching subscription.
    pub fn publish(&self, _channel: &str, _data: Value) {
        todo!()
    }
}
