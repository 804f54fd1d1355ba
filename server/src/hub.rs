//! The chat over Bayeux: GMS chat v2 on `/service/chatV2/{service}` for customers, and the
//! agents' live channels `/agent/queue` and `/agent/conversations/{chatId}`.
//!
//! Customers do not subscribe to anything the server records: a customer client is bound to
//! its chat when it requests it (or resumes it with `requestNotifications`), and the chat's
//! new events are delivered to the bound clients on the service channel.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use async_trait::async_trait;
use serde_json::{json, Value};

use crate::agents::AgentDirectory;
use crate::bayeux::{Bayeux, BayeuxApp, ClientInfo, Identity, RemovalReason, ServiceReply};
use crate::chat::{
    ChatChange, ChatError, ChatListener, ChatService, CustomerCredentials, CustomerReply,
};
use crate::gms::{self, GmsRequest};

/// Prefix of the GMS chat v2 service channels.
pub const CHAT_SERVICE_PREFIX: &str = "/service/chatV2/";
/// Conversations entering and leaving the queue, and every status change.
pub const AGENT_QUEUE_CHANNEL: &str = "/agent/queue";
/// Prefix of the per-conversation agent channels.
pub const AGENT_CONVERSATION_PREFIX: &str = "/agent/conversations/";

pub fn agent_conversation_channel(chat_id: &str) -> String {
    format!("{AGENT_CONVERSATION_PREFIX}{chat_id}")
}

/// Which customer clients follow which chat.
#[derive(Default)]
struct Bindings {
    chat_of_client: HashMap<String, (String, String)>,
    clients_of_chat: HashMap<String, Vec<String>>,
}

impl Bindings {
    fn bind(&mut self, client_id: &str, chat_id: &str, service: &str) {
        self.unbind(client_id);
        self.chat_of_client.insert(
            client_id.to_owned(),
            (chat_id.to_owned(), service.to_owned()),
        );
        self.clients_of_chat
            .entry(chat_id.to_owned())
            .or_default()
            .push(client_id.to_owned());
    }

    /// Returns the chat the client followed and whether any client still follows it.
    fn unbind(&mut self, client_id: &str) -> Option<(String, bool)> {
        let (chat_id, _) = self.chat_of_client.remove(client_id)?;
        let still_followed = match self.clients_of_chat.get_mut(&chat_id) {
            Some(clients) => {
                clients.retain(|c| c != client_id);
                !clients.is_empty()
            }
            None => false,
        };
        if !still_followed {
            self.clients_of_chat.remove(&chat_id);
        }
        Some((chat_id, still_followed))
    }
}

/// Connects the chat service and the Bayeux engine, both ways.
pub struct ChatHub {
    chat: Arc<ChatService>,
    agents: Arc<AgentDirectory>,
    alias: String,
    bayeux: OnceLock<Bayeux>,
    bindings: Mutex<Bindings>,
}

impl ChatHub {
    pub fn new(chat: Arc<ChatService>, agents: Arc<AgentDirectory>, alias: String) -> Arc<Self> {
        Arc::new(Self {
            chat,
            agents,
            alias,
            bayeux: OnceLock::new(),
            bindings: Mutex::new(Bindings::default()),
        })
    }

    /// Gives the hub the engine it delivers through (the engine is built with the hub).
    pub fn attach(&self, bayeux: Bayeux) {
        let _ = self.bayeux.set(bayeux);
    }

    fn deliver(&self, client_id: &str, channel: &str, data: Value) {
        if let Some(bayeux) = self.bayeux.get() {
            bayeux.deliver(client_id, channel, data);
        }
    }

    fn publish(&self, channel: &str, data: Value) {
        if let Some(bayeux) = self.bayeux.get() {
            bayeux.publish(channel, data);
        }
    }

    fn bind(&self, client_id: &str, chat_id: &str, service: &str) {
        if let Ok(mut bindings) = self.bindings.lock() {
            bindings.bind(client_id, chat_id, service);
        }
    }

    /// Answers a customer with an error envelope on the service channel and a failed publish.
    fn refuse(&self, client_id: &str, channel: &str, error: &ChatError) -> ServiceReply {
        self.deliver(client_id, channel, gms::error_envelope(error, &self.alias));
        ServiceReply::Error(format!(
            "{}:{}:{}",
            error.http_status(),
            error.gwe_code(),
            error
        ))
    }

    async fn chat_operation(
        &self,
        client_id: &str,
        channel: &str,
        service: &str,
        data: &Value,
    ) -> ServiceReply {
        let Value::Object(fields) = data else {
            return self.refuse(
                client_id,
                channel,
                &ChatError::InvalidParameter {
                    name: "data",
                    reason: "must be an object".into(),
                },
            );
        };
        let Some(operation) = fields.get("operation").and_then(Value::as_str) else {
            return self.refuse(
                client_id,
                channel,
                &ChatError::MissingParameter("operation"),
            );
        };
        let request = match gms::parse_request(operation, fields) {
            Ok(request) => request,
            Err(error) => return self.refuse(client_id, channel, &error),
        };
        let result = match request {
            GmsRequest::RequestChat(request) => {
                let reply_to_caller = |reply: &CustomerReply| {
                    self.bind(client_id, &reply.chat_id, service);
                    self.deliver(client_id, channel, gms::envelope(reply, &self.alias));
                };
                self.chat
                    .request_chat(service, request, &reply_to_caller)
                    .await
            }
            GmsRequest::Customer {
                secure_key,
                action,
                transcript_position,
            } => {
                // New events reach the caller as notifications; the reply itself carries
                // news only when a transcript part was asked for.
                let reply_to_caller = |reply: &CustomerReply| {
                    self.bind(client_id, &reply.chat_id, service);
                    if transcript_position.is_some() {
                        self.deliver(client_id, channel, gms::envelope(reply, &self.alias));
                    }
                };
                let credentials = CustomerCredentials {
                    chat_id: None,
                    secure_key: &secure_key,
                };
                self.chat
                    .customer_action(
                        service,
                        credentials,
                        action,
                        transcript_position,
                        &reply_to_caller,
                    )
                    .await
            }
        };
        match result {
            Ok(_) => ServiceReply::Ok,
            Err(error) => self.refuse(client_id, channel, &error),
        }
    }
}

/// Whether a subscription pattern could match an agent channel.
fn reaches_agent_channels(subscription: &str) -> bool {
    if let Some(prefix) = subscription.strip_suffix("**") {
        return "/agent/".starts_with(prefix) || prefix.starts_with("/agent/");
    }
    if let Some(prefix) = subscription.strip_suffix('*') {
        return prefix.starts_with("/agent/");
    }
    subscription == "/agent" || subscription.starts_with("/agent/")
}

#[async_trait]
impl BayeuxApp for ChatHub {
    async fn handshake(&self, ext: Option<&Value>) -> Result<Identity, String> {
        match ext.and_then(|ext| ext.get("agentToken")) {
            None | Some(Value::Null) => Ok(Identity::Anonymous),
            Some(Value::String(token)) => self
                .agents
                .agent_for_token(token)
                .map(|agent| Identity::Agent {
                    agent_id: agent.agent_id,
                })
                .map_err(|_| "403::Invalid agent token".to_owned()),
            Some(_) => Err("403::agentToken must be a string".to_owned()),
        }
    }

    async fn can_subscribe(&self, client: &ClientInfo, subscription: &str) -> Result<(), String> {
        if !reaches_agent_channels(subscription) {
            return Ok(());
        }
        let denied = || Err(format!("403:{subscription}:Subscription denied"));
        let Identity::Agent { agent_id } = &client.identity else {
            return denied();
        };
        if subscription == AGENT_QUEUE_CHANNEL {
            return Ok(());
        }
        match subscription.strip_prefix(AGENT_CONVERSATION_PREFIX) {
            Some(chat_id) if !chat_id.is_empty() && !chat_id.contains(['/', '*']) => {
                match self.chat.is_agent_in(agent_id, chat_id).await {
                    Ok(true) => Ok(()),
                    Ok(false) => denied(),
                    Err(error) => Err(format!("500:{subscription}:{error}")),
                }
            }
            _ => denied(),
        }
    }

    fn can_publish(&self, _client: &ClientInfo, channel: &str) -> Result<(), String> {
        if reaches_agent_channels(channel) {
            Err(format!("403:{channel}:Publish denied"))
        } else {
            Ok(())
        }
    }

    async fn service(&self, client: &ClientInfo, channel: &str, data: &Value) -> ServiceReply {
        match channel.strip_prefix(CHAT_SERVICE_PREFIX) {
            Some(service) if !service.is_empty() && !service.contains('/') => {
                self.chat_operation(&client.client_id, channel, service, data)
                    .await
            }
            _ => ServiceReply::Error(format!("404:{channel}:Unknown service")),
        }
    }

    fn client_removed(&self, client: &ClientInfo, reason: RemovalReason) {
        let unbound = self
            .bindings
            .lock()
            .ok()
            .and_then(|mut bindings| bindings.unbind(&client.client_id));
        let Some((chat_id, false)) = unbound else {
            return;
        };
        tracing::debug!(chat_id, ?reason, "the customer's last client is gone");
        let chat = self.chat.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if let Err(error) = chat.customer_connection_lost(&chat_id).await {
                        tracing::warn!(chat_id, %error, "could not mark the customer as gone");
                    }
                });
            }
            Err(_) => tracing::warn!(chat_id, "no runtime to mark the customer as gone"),
        }
    }
}

impl ChatListener for ChatHub {
    fn on_change(&self, change: &ChatChange<'_>) {
        let conversation = change.conversation;
        let newly_ended = conversation.chat_ended()
            && !change.previous_status.is_some_and(|previous| {
                matches!(
                    previous,
                    crate::chat::Lifecycle::Closed | crate::chat::Lifecycle::WrapUp
                )
            });
        if !change.events.is_empty() || newly_ended {
            let clients = self
                .bindings
                .lock()
                .ok()
                .and_then(|bindings| bindings.clients_of_chat.get(&conversation.chat_id).cloned())
                .unwrap_or_default();
            if !clients.is_empty() {
                let channel = format!("{CHAT_SERVICE_PREFIX}{}", conversation.service);
                let data = gms::notification(
                    &conversation.chat_id,
                    &conversation.user_id,
                    change.events,
                    conversation.last_index + 1,
                    conversation.chat_ended(),
                    &self.alias,
                );
                for client in clients {
                    self.deliver(&client, &channel, data.clone());
                }
            }
        }
        self.publish(
            &agent_conversation_channel(&conversation.chat_id),
            json!({
                "chatId": conversation.chat_id,
                "status": conversation.status,
                "chatEnded": conversation.chat_ended(),
                "conversation": conversation,
                "messages": change.events,
            }),
        );
        if change.previous_status != Some(conversation.status) {
            self.publish(
                AGENT_QUEUE_CHANNEL,
                json!({
                    "chatId": conversation.chat_id,
                    "status": conversation.status,
                    "previousStatus": change.previous_status,
                    "conversation": conversation,
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_channels_are_recognised_through_wildcards() {
        for pattern in [
            "/**",
            "/agent",
            "/agent/queue",
            "/agent/*",
            "/agent/**",
            "/agent/conversations/*",
        ] {
            assert!(reaches_agent_channels(pattern), "{pattern}");
        }
        for pattern in ["/*", "/chat/**", "/agents/x", "/service/chatV2/x", "/a/*"] {
            assert!(!reaches_agent_channels(pattern), "{pattern}");
        }
    }

    #[test]
    fn bindings_follow_clients_and_chats() {
        let mut bindings = Bindings::default();
        bindings.bind("c1", "chat", "svc");
        bindings.bind("c2", "chat", "svc");
        assert_eq!(bindings.unbind("c1"), Some(("chat".into(), true)));
        assert_eq!(bindings.unbind("c2"), Some(("chat".into(), false)));
        assert_eq!(bindings.unbind("c2"), None);
        bindings.bind("c3", "a", "svc");
        bindings.bind("c3", "b", "svc");
        assert!(!bindings.clients_of_chat.contains_key("a"));
        assert_eq!(
            bindings.clients_of_chat.get("b"),
            Some(&vec!["c3".to_owned()])
        );
    }
}
