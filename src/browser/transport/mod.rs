//! The chat transports a session can run on, behind one enum:
//! - [`bayeux::BayeuxChat`]: GMS chatV2 over Bayeux (WebSocket, falling back to long-polling);
//! - [`rest::RestChat`]: the GMS REST API, polling `refresh`;
//! - [`custom::CustomChat`]: a transport object the page supplies (GWE's transport contract).
//!
//! A transport reports what happens through a [`Sink`]; commands return what their reply
//! carried, for the session to take in.

pub mod bayeux;
pub mod custom;
pub mod rest;

use std::rc::Rc;

use crate::core::gms::{Credentials, Envelope, Operation};
use crate::core::session::RawEvent;
use crate::core::{ChatError, ErrorCode};

/// What a transport tells the session, as it happens.
pub enum TransportEvent {
    /// A GMS envelope: new transcript events, maybe `chatEnded`.
    Envelope(Envelope),
    /// Events a custom transport pushed, already in GWE's raw shape.
    Raw(Vec<RawEvent>),
    /// The connection is lost; the transport keeps trying.
    Interrupted,
    /// The connection is back.
    Continued,
    /// The transport reconnected with a new server session: ask for what was missed.
    Reconnected,
    /// A problem worth reporting (`onError`); the session goes on.
    Error(ChatError),
    /// The transport gave up for good; the session ends with reason `error`.
    Failed(ChatError),
}

/// Where a transport sends its [`TransportEvent`]s.
pub type Sink = Rc<dyn Fn(TransportEvent)>;

/// One of the transports.
pub enum Transport {
    Bayeux(Rc<bayeux::BayeuxChat>),
    Rest(Rc<rest::RestChat>),
    Custom(Rc<custom::CustomChat>),
}

/// What `startSession` hands the transport.
pub struct StartRequest {
    /// The GMS `requestChat` operation (user data merged).
    pub operation: Operation,
    /// The GWE-level parameters, for a custom transport.
    pub username: String,
    pub subject: Option<String>,
    pub user_data: crate::core::Json,
}

impl Transport {
    /// Starts a chat; returns the session id to persist and the first envelope, if any.
    pub async fn start(
        &self,
        request: StartRequest,
    ) -> Result<(Credentials, Option<Envelope>), ChatError> {
        match self {
            Transport::Bayeux(chat) => chat.start(request.operation).await,
            Transport::Rest(chat) => chat.start(request.operation).await,
            Transport::Custom(chat) => chat.start(&request).await,
        }
    }

    /// Reattaches to a saved chat and asks for the transcript from `position` (1-based).
    pub async fn resume(
        &self,
        credentials: Credentials,
        position: u64,
    ) -> Result<Option<Envelope>, ChatError> {
        match self {
            Transport::Bayeux(chat) => chat.resume(credentials, position).await,
            Transport::Rest(chat) => chat.resume(credentials, position).await,
            Transport::Custom(chat) => {
                chat.resume(credentials);
                Ok(None)
            }
        }
    }

    /// Sends a command; a REST reply carries transcript news to take in.
    pub async fn command(&self, operation: Operation) -> Result<Option<Envelope>, ChatError> {
        match self {
            Transport::Bayeux(chat) => chat.command(operation).await.map(|()| None),
            Transport::Rest(chat) => chat.command(operation).await.map(Some),
            // The runtime sends a custom transport's commands itself (`CustomChat::call_for`).
            Transport::Custom(_) => Ok(None),
        }
    }

    /// Asks for the missed events again after a reconnect, from `position`.
    pub async fn catch_up(&self, position: u64) -> Result<(), ChatError> {
        match self {
            Transport::Bayeux(chat) => chat.catch_up(position).await,
            Transport::Rest(_) | Transport::Custom(_) => Ok(()),
        }
    }

    /// Stops all traffic (polling, reconnecting); nothing is reported after this.
    pub fn close(&self) {
        match self {
            Transport::Bayeux(chat) => chat.close(),
            Transport::Rest(chat) => chat.close(),
            Transport::Custom(chat) => chat.close(),
        }
    }
}

/// The error for a transport-level failure (no usable answer from the server).
pub fn server_unavailable() -> ChatError {
    ChatError::Code(ErrorCode::ServerUnavailable)
}
