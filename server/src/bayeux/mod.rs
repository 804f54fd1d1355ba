//! A Bayeux 1.0 server (the CometD protocol) over long-polling and WebSocket, at `/cometd`.
//!
//! Public surface used by the rest of the server:
//! - [`Bayeux::new`] with a [`BayeuxConfig`] and the application ([`BayeuxApp`]);
//! - [`Bayeux::router`]: the axum routes for `/cometd` and `/cometd/{*type}`;
//! - [`Bayeux::deliver`]: queue a message for one client (service replies, notifications);
//! - [`Bayeux::publish`]: send a message to every client whose subscription matches a channel.
//!
//! Inside: `message` (wire format), `channel` (names, wildcards), `session` (one client's
//! state and queue), `engine` (all sessions, subscriptions and browsers behind one lock),
//! `protocol` (what each message means), `connect` (holding `/meta/connect`), `in_flight`
//! (deliveries follow the replies of the request that caused them), `ack` (the acknowledge
//! extension), `browser` (the `BAYEUX_BROWSER` cookie), `token` (random ids), and the two
//! transports, `longpoll` and `websocket`.

pub mod app;

mod ack;
mod browser;
mod channel;
mod connect;
mod engine;
mod in_flight;
mod longpoll;
mod message;
mod protocol;
mod session;
mod token;
mod websocket;

pub use app::{BayeuxApp, ClientInfo, Identity, RemovalReason, ServiceReply};

use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::routing::get;
use serde_json::Value;

use engine::Engine;
use message::OutMessage;

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

/// Handle to the Bayeux engine; cheap to clone. The engine (and its expiry task) lives as long
/// as any handle or router made from it.
#[derive(Clone)]
pub struct Bayeux {
    engine: Arc<Engine>,
}

impl Bayeux {
    /// Creates the engine. Call it within a Tokio runtime: it spawns the task that removes
    /// clients that stopped connecting (without a runtime, clients never expire).
    pub fn new(config: BayeuxConfig, app: Arc<dyn BayeuxApp>) -> Self {
        let engine = Arc::new(Engine::new(config, app));
        spawn_expiry(Arc::downgrade(&engine), engine.config.max_interval);
        Self { engine }
    }

    /// The routes `/cometd` and `/cometd/{*type}` (the CometD client appends the message type
    /// to the URL): `POST` for long-polling, `GET` with an upgrade for WebSocket.
    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> axum::Router<S> {
        let transports = || get(websocket::handle_upgrade).post(longpoll::handle_post);
        axum::Router::new()
            .route("/cometd", transports())
            // The CometD client posts to `/cometd/` when it appends an empty message type.
            .route("/cometd/", transports())
            .route("/cometd/{*type}", transports())
            .with_state(Arc::clone(&self.engine))
    }

    /// Queue `data` on `channel` for the client `client_id`, whether or not it subscribed.
    /// Returns false when the client is unknown.
    pub fn deliver(&self, client_id: &str, channel: &str, data: Value) -> bool {
        let message = Arc::new(OutMessage::delivery(channel, data, None));
        self.engine.deliver(client_id, message)
    }

    /// Deliver `data` on `channel` to every client with a matching subscription.
    pub fn publish(&self, channel: &str, data: Value) {
        let message = Arc::new(OutMessage::delivery(channel, data, None));
        self.engine.publish(channel, message);
    }
}

/// Spawns the task that removes expired clients. It holds the engine weakly and stops once the
/// engine is dropped.
fn spawn_expiry(engine: Weak<Engine>, max_interval: Duration) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::warn!("Bayeux engine created outside a Tokio runtime: clients will not expire");
        return;
    };
    // Check often enough that a client outlives its max interval by at most half of it.
    let period = (max_interval / 2).clamp(Duration::from_millis(10), Duration::from_secs(1));
    runtime.spawn(async move {
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let Some(engine) = engine.upgrade() else {
                return;
            };
            engine.expire_clients(tokio::time::Instant::now());
        }
    });
}
