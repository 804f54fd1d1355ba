//! The seam between the Bayeux engine and the application that runs on it.
//!
//! The engine knows the protocol (handshake, connect, advice, subscriptions, delivery, the ack
//! extension, transports). It knows nothing about chats: every decision that depends on who a
//! client is, or what a `/service/**` message means, is asked of a [`BayeuxApp`].

use async_trait::async_trait;
use serde_json::Value;

/// Who a Bayeux client is, decided once at handshake time by [`BayeuxApp::handshake`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// A visitor's page (or any client that sent no credentials).
    Anonymous,
    /// A logged-in agent; `agent_id` is the agent's account name.
    Agent { agent_id: String },
}

/// What the application sees of a connected client.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    pub client_id: String,
    pub identity: Identity,
}

/// Why a client session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalReason {
    /// The client sent `/meta/disconnect`.
    Disconnected,
    /// No `/meta/connect` arrived within `maxInterval` (tab closed, network gone).
    Expired,
}

/// The answer to a publish on a `/service/**` channel. It becomes the publish reply
/// (`successful`, `error`); data for the caller is delivered with [`super::Bayeux::deliver`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceReply {
    Ok,
    /// A Bayeux error string `code:args:message`, e.g. `404:/service/x:Unknown service`.
    Error(String),
}

/// Decisions the application makes for the Bayeux engine.
#[async_trait]
pub trait BayeuxApp: Send + Sync + 'static {
    /// A handshake arrived with this `ext`. Return the client's identity, or a Bayeux error
    /// string (`403::...`) to refuse it (the engine answers `successful:false` with
    /// `advice.reconnect = "none"`).
    async fn handshake(&self, ext: Option<&Value>) -> Result<Identity, String>;

    /// May this client subscribe to `subscription` (a channel name or a wildcard pattern)?
    /// Not asked for `/meta/**` or `/service/**` (service subscriptions are local to the
    /// client and never recorded). `Err` carries a Bayeux error string (`403:...`).
    async fn can_subscribe(&self, client: &ClientInfo, subscription: &str) -> Result<(), String>;

    /// May this client publish to the broadcast channel `channel` (not `/meta`, not `/service`)?
    fn can_publish(&self, client: &ClientInfo, channel: &str) -> Result<(), String>;

    /// A publish on a `/service/**` channel.
    async fn service(&self, client: &ClientInfo, channel: &str, data: &Value) -> ServiceReply;

    /// The client session is gone (after `/meta/disconnect` or expiry).
    fn client_removed(&self, client: &ClientInfo, reason: RemovalReason);
}
