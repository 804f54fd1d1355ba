//! The chat domain: one record per conversation, its participants and its transcript.
//!
//! [`service::ChatService`] is the only way to change a conversation; the faces (GMS over
//! Bayeux and REST, the agents' API) translate their requests into its operations.

pub mod error;
pub mod links;
pub mod model;
pub mod record;
pub mod rest_presence;
pub mod service;
pub mod store;
pub mod topics;

pub use error::ChatError;
pub use model::{
    ChatSessionStatus, ConversationLinks, ConversationSummary, EventType, Lifecycle, LinkRole,
    Party, PartyType, RecordLink, TranscriptEvent,
};
pub use service::{
    AgentRef, ChatChange, ChatListener, ChatRequest, ChatService, CustomerAction,
    CustomerCredentials, CustomerReply,
};
