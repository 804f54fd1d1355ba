//! The chat operations of customers and agents over the one conversation record.
//!
//! Every change runs under one write lock, in one SQLite transaction, and is announced to the
//! listeners before the lock is released: so transcript indexes are handed out in order and
//! every listener sees every change in that same order.

use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use sqlx::SqlitePool;
use tokio::sync::Mutex;

use super::error::ChatError;
use super::model::{ConversationSummary, EventType, Lifecycle, Party, PartyType, TranscriptEvent};
use super::store::{self, Conversation, ListFilter, NewConversation, NewEvent, Participant};

/// Longest message, notice or typing preview accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 32 * 1024;
/// Longest nickname, subject or name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 256;

/// One committed change: the conversation after it and the transcript events it appended.
pub struct ChatChange<'a> {
    pub conversation: &'a ConversationSummary,
    /// The status before the change; `None` for a new conversation.
    pub previous_status: Option<Lifecycle>,
    pub events: &'a [TranscriptEvent],
}

/// Told about every committed change, in commit order, while the write lock is held: it must
/// not block (queue the work, don't do it).
pub trait ChatListener: Send + Sync {
    fn on_change(&self, change: &ChatChange<'_>);
}

/// A customer's request for a chat.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChatRequest {
    pub nickname: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub subject: Option<String>,
    pub email_address: Option<String>,
    pub user_data: Map<String, Value>,
    /// An opening message sent with the request.
    pub text: Option<String>,
}

/// What a customer can do in a chat, after requesting it.
#[derive(Debug, Clone, PartialEq)]
pub enum CustomerAction {
    /// Only read the transcript (REST `refresh`, Bayeux `requestNotifications`).
    Refresh,
    SendMessage {
        message: String,
        message_type: Option<String>,
    },
    StartTyping {
        preview: Option<String>,
    },
    StopTyping {
        preview: Option<String>,
    },
    Disconnect,
    CustomNotice {
        message: String,
    },
    UpdateData {
        user_data: Map<String, Value>,
    },
    UpdateNickname {
        nickname: String,
    },
}

/// How a customer proves which chat it is in.
#[derive(Debug, Clone, Copy)]
pub struct CustomerCredentials<'a> {
    /// Given over REST, not over Bayeux (the secureKey alone identifies the chat there).
    pub chat_id: Option<&'a str>,
    pub secure_key: &'a str,
}

/// The answer to a customer: the fields of the GMS envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerReply {
    pub chat_id: String,
    pub user_id: String,
    /// Sent back only when the chat is created.
    pub secure_key: Option<String>,
    pub chat_ended: bool,
    pub messages: Vec<TranscriptEvent>,
    pub next_position: u64,
}

/// An agent acting in the chat domain: the account name and the name customers see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRef {
    pub agent_id: String,
    pub nickname: String,
}

/// The chat domain: create, act on and read conversations.
pub struct ChatService {
    pool: SqlitePool,
    services: Vec<String>,
    /// Held by every change (see the module docs).
    pub(super) write_lock: Mutex<()>,
    listeners: RwLock<Vec<Arc<dyn ChatListener>>>,
    /// Set once the configured services exist as chat topics.
    pub(super) topics_seeded: tokio::sync::OnceCell<()>,
}

impl ChatService {
    /// `services` are the chat service names customers may request chats on at start: they
    /// become chat topics (see [`super::topics`]) the first time topics are needed.
    pub fn new(pool: SqlitePool, services: Vec<String>) -> Self {
        Self {
            pool,
            services,
            write_lock: Mutex::new(()),
            listeners: RwLock::new(Vec::new()),
            topics_seeded: tokio::sync::OnceCell::new(),
        }
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The services configured at start (topics created later are in the store).
    pub fn services(&self) -> &[String] {
        &self.services
    }

    pub fn add_listener(&self, listener: Arc<dyn ChatListener>) {
        if let Ok(mut listeners) = self.listeners.write() {
            listeners.push(listener);
        }
    }

    pub(super) fn announce(
        &self,
        conversation: &Conversation,
        previous: Option<Lifecycle>,
        events: &[TranscriptEvent],
    ) {
        let summary = conversation.summary();
        let change = ChatChange {
            conversation: &summary,
            previous_status: previous,
            events,
        };
        if let Ok(listeners) = self.listeners.read() {
            for listener in listeners.iter() {
                listener.on_change(&change);
            }
        }
    }

    /// A service customers may chat on is a chat topic: the configured ones and those created
    /// over the SuperOffice API (`/api/v1/ChatTopic`).
    async fn check_service(&self, service: &str) -> Result<(), ChatError> {
        if self.topic_by_service(service).await?.is_some() {
            Ok(())
        } else {
            Err(ChatError::UnknownService(service.to_owned()))
        }
    }

    /// Creates a chat (`requestChat`). `on_reply` runs under the write lock, before any later
    /// change is announced, so that a Bayeux caller gets this reply before any notification.
    pub async fn request_chat(
        &self,
        service: &str,
        request: ChatRequest,
        on_reply: &(dyn Fn(&CustomerReply) + Sync),
    ) -> Result<CustomerReply, ChatError> {
        self.check_service(service).await?;
        let nickname = customer_nickname(&request)?;
        check_optional_name("subject", request.subject.as_deref())?;
        check_optional_name("emailAddress", request.email_address.as_deref())?;
        if let Some(text) = &request.text {
            check_text("text", text)?;
        }
        let chat_id = random_token(16, ALPHANUMERIC);
        let user_id = random_token(16, HEX);
        let secure_key = random_token(32, HEX);
        let now = now_ms();

        let _guard = self.write_lock.lock().await;
        let mut tx = self.pool.begin().await?;
        store::insert_conversation(
            &mut tx,
            NewConversation {
                id: &chat_id,
                service,
                secure_key_hash: &hash_secure_key(&secure_key),
                user_id: &user_id,
                nickname: &nickname,
                first_name: request.first_name.as_deref(),
                last_name: request.last_name.as_deref(),
                email: request.email_address.as_deref(),
                subject: request.subject.as_deref(),
                user_data: &request.user_data,
                crm: &Map::new(),
                now,
            },
        )
        .await?;
        let mut conversation = store::load(&mut tx, &chat_id)
            .await?
            .ok_or(ChatError::UnknownChat)?;
        let customer = conversation.customer();
        let mut events = vec![NewEvent::of(EventType::ParticipantJoined, customer.clone())];
        if let Some(text) = request.text.filter(|text| !text.is_empty()) {
            events.push(NewEvent::message(customer, text, None));
            conversation.last_speaker = Some(PartyType::Client);
        }
        let appended = store::append_events(&mut tx, &mut conversation, events, now).await?;
        store::update_conversation(&mut tx, &conversation).await?;
        tx.commit().await?;

        self.announce(&conversation, None, &appended);
        let reply = CustomerReply {
            chat_id,
            user_id,
            secure_key: Some(secure_key),
            chat_ended: false,
            messages: appended,
            next_position: conversation.next_index,
        };
        on_reply(&reply);
        Ok(reply)
    }

    /// Acts for a customer. `transcript_position` (1-based; 0 or `None` means from the start
    /// for `Refresh`, nothing otherwise) selects the transcript part of the reply. `on_reply`
    /// runs under the write lock, like in [`ChatService::request_chat`].
    pub async fn customer_action(
        &self,
        service: &str,
        credentials: CustomerCredentials<'_>,
        action: CustomerAction,
        transcript_position: Option<u64>,
        on_reply: &(dyn Fn(&CustomerReply) + Sync),
    ) -> Result<CustomerReply, ChatError> {
        self.check_service(service).await?;
        validate_action(&action)?;
        let now = now_ms();
        let _guard = self.write_lock.lock().await;
        let mut tx = self.pool.begin().await?;
        let key_hash = hash_secure_key(credentials.secure_key);
        let mut conversation = store::load_by_key_hash(&mut tx, &key_hash)
            .await?
            .filter(|c| c.service == service)
            .filter(|c| credentials.chat_id.is_none_or(|id| id == c.id))
            .ok_or(ChatError::UnknownChat)?;
        let previous = conversation.status();
        if conversation.is_over_for_customer() && action != CustomerAction::Refresh {
            return Err(ChatError::ChatEnded);
        }
        let customer = conversation.customer();
        let was_connected = conversation.customer_connected;
        let mut events = Vec::new();
        // The record itself changes (not only the transcript).
        let mut record_changed = false;
        match action {
            CustomerAction::Refresh => {}
            CustomerAction::SendMessage {
                message,
                message_type,
            } => {
                events.push(NewEvent::message(customer, message, message_type));
                conversation.last_speaker = Some(PartyType::Client);
            }
            CustomerAction::StartTyping { preview } => {
                events.push(NewEvent::with_text(
                    EventType::TypingStarted,
                    customer,
                    preview,
                ));
            }
            CustomerAction::StopTyping { preview } => {
                events.push(NewEvent::with_text(
                    EventType::TypingStopped,
                    customer,
                    preview,
                ));
            }
            CustomerAction::CustomNotice { message } => {
                events.push(NewEvent::with_text(
                    EventType::CustomNotice,
                    customer,
                    Some(message),
                ));
            }
            CustomerAction::UpdateData { user_data } => {
                // A null value removes the key: that is how a client deletes user data
                // over GMS, which has no delete operation.
                for (key, value) in user_data {
                    if value.is_null() {
                        conversation.user_data.remove(&key);
                    } else {
                        conversation.user_data.insert(key, value);
                    }
                }
                record_changed = true;
            }
            CustomerAction::UpdateNickname { nickname } => {
                let mut renamed = customer;
                renamed.nickname = nickname.clone();
                events.push(NewEvent::with_text(
                    EventType::NicknameUpdated,
                    renamed,
                    Some(nickname.clone()),
                ));
                conversation.nickname = nickname;
                record_changed = true;
            }
            CustomerAction::Disconnect => {
                events.push(NewEvent::of(EventType::ParticipantLeft, customer));
                conversation.customer_left_at = Some(now);
                record_changed = true;
            }
        }
        // Any request from the customer shows it is there.
        conversation.customer_connected = conversation.customer_left_at.is_none();
        if let Some(participant) = conversation
            .participants
            .iter_mut()
            .find(|p| p.participant_id == store::CUSTOMER_PARTICIPANT_ID)
        {
            participant.nickname = conversation.nickname.clone();
            participant.left_at = conversation.customer_left_at;
        }
        end_when_nobody_is_left(&mut conversation, now);
        let appended = store::append_events(&mut tx, &mut conversation, events, now).await?;
        record_changed |= was_connected != conversation.customer_connected;
        let changed = record_changed || !appended.is_empty() || previous != conversation.status();
        if changed {
            conversation.updated_at = now;
            store::update_conversation(&mut tx, &conversation).await?;
            if record_changed {
                if let Some(participant) = conversation
                    .participants
                    .iter()
                    .find(|p| p.participant_id == store::CUSTOMER_PARTICIPANT_ID)
                {
                    store::update_participant(&mut tx, &conversation.id, participant).await?;
                }
            }
        }
        let messages = match transcript_position {
            Some(position) => {
                store::events_from(&mut tx, &conversation.id, position.max(1)).await?
            }
            None => Vec::new(),
        };
        tx.commit().await?;

        if changed {
            self.announce(&conversation, Some(previous), &appended);
        }
        let reply = CustomerReply {
            chat_id: conversation.id.clone(),
            user_id: conversation.user_id.clone(),
            secure_key: None,
            chat_ended: conversation.is_over_for_customer(),
            messages,
            next_position: conversation.next_index,
        };
        on_reply(&reply);
        Ok(reply)
    }

    /// The customer's connection went away without leaving the chat (tab closed, network
    /// gone): the conversation waits for it.
    pub async fn customer_connection_lost(&self, chat_id: &str) -> Result<(), ChatError> {
        let _guard = self.write_lock.lock().await;
        let mut tx = self.pool.begin().await?;
        let mut conversation = store::load(&mut tx, chat_id)
            .await?
            .ok_or(ChatError::UnknownChat)?;
        if !conversation.customer_connected || conversation.is_over_for_customer() {
            return Ok(());
        }
        let previous = conversation.status();
        conversation.customer_connected = false;
        conversation.updated_at = now_ms();
        store::update_conversation(&mut tx, &conversation).await?;
        tx.commit().await?;
        self.announce(&conversation, Some(previous), &[]);
        Ok(())
    }

    /// The agent joins the conversation (`ParticipantJoined`).
    pub async fn accept(
        &self,
        agent: &AgentRef,
        chat_id: &str,
    ) -> Result<ConversationSummary, ChatError> {
        self.agent_change(chat_id, |conversation, now| {
            if conversation.is_over_for_customer() {
                return Err(ChatError::ChatEnded);
            }
            if conversation.agent_participant(&agent.agent_id).is_some() {
                return Ok(Vec::new());
            }
            if conversation.active_agents().next().is_some() {
                return Err(ChatError::AlreadyAccepted);
            }
            let participant = Participant {
                participant_id: conversation.next_participant_id(),
                party_type: PartyType::Agent,
                nickname: agent.nickname.clone(),
                agent_id: Some(agent.agent_id.clone()),
                joined_at: now,
                left_at: None,
            };
            let party = participant.party();
            conversation.participants.push(participant);
            Ok(vec![ParticipantChange::Joined(party)])
        })
        .await
    }

    /// The agent sends a message to the customer; returns the message's transcript index.
    pub async fn agent_message(
        &self,
        agent: &AgentRef,
        chat_id: &str,
        text: String,
        message_type: Option<String>,
    ) -> Result<u64, ChatError> {
        check_text("text", &text)?;
        if text.is_empty() {
            return Err(ChatError::MissingParameter("text"));
        }
        let summary = self
            .agent_change(chat_id, |conversation, _| {
                let party = talking_agent(conversation, agent)?;
                conversation.last_speaker = Some(PartyType::Agent);
                Ok(vec![ParticipantChange::Event(NewEvent::message(
                    party,
                    text,
                    message_type,
                ))])
            })
            .await?;
        Ok(summary.last_index)
    }

    /// The agent starts or stops typing, with an optional preview.
    pub async fn agent_typing(
        &self,
        agent: &AgentRef,
        chat_id: &str,
        is_typing: bool,
        preview: Option<String>,
    ) -> Result<(), ChatError> {
        if let Some(preview) = &preview {
            check_text("text", preview)?;
        }
        self.agent_change(chat_id, |conversation, _| {
            let party = talking_agent(conversation, agent)?;
            let kind = if is_typing {
                EventType::TypingStarted
            } else {
                EventType::TypingStopped
            };
            Ok(vec![ParticipantChange::Event(NewEvent::with_text(
                kind, party, preview,
            ))])
        })
        .await?;
        Ok(())
    }

    /// The agent leaves; with no agent left the chat goes back to the queue (or ends, when the
    /// customer has left too).
    pub async fn agent_leave(
        &self,
        agent: &AgentRef,
        chat_id: &str,
    ) -> Result<ConversationSummary, ChatError> {
        self.agent_change(chat_id, |conversation, _| {
            present_agent(conversation, agent)?;
            Ok(vec![ParticipantChange::Left(agent.agent_id.clone())])
        })
        .await
    }

    /// The agent ends the chat: everyone leaves and the customer is told `chatEnded`.
    pub async fn agent_end(
        &self,
        agent: &AgentRef,
        chat_id: &str,
    ) -> Result<ConversationSummary, ChatError> {
        self.agent_change(chat_id, |conversation, now| {
            present_agent(conversation, agent)?;
            let mut changes: Vec<ParticipantChange> = conversation
                .active_agents()
                .filter_map(|p| p.agent_id.clone())
                .map(ParticipantChange::Left)
                .collect();
            if conversation.customer_left_at.is_none() {
                changes.push(ParticipantChange::CustomerLeft);
            }
            conversation.ended_at = Some(now);
            Ok(changes)
        })
        .await
    }

    /// One agent-side unit of work: `decide` checks and changes the conversation and says which
    /// participant changes and events follow.
    async fn agent_change(
        &self,
        chat_id: &str,
        decide: impl FnOnce(&mut Conversation, i64) -> Result<Vec<ParticipantChange>, ChatError>,
    ) -> Result<ConversationSummary, ChatError> {
        let now = now_ms();
        let _guard = self.write_lock.lock().await;
        let mut tx = self.pool.begin().await?;
        let mut conversation = store::load(&mut tx, chat_id)
            .await?
            .ok_or(ChatError::UnknownChat)?;
        let previous = conversation.status();
        if conversation.ended_at.is_some() {
            return Err(ChatError::ChatEnded);
        }
        let changes = decide(&mut conversation, now)?;
        if changes.is_empty() {
            return Ok(conversation.summary());
        }
        let events = apply_participant_changes(&mut tx, &mut conversation, changes, now).await?;
        end_when_nobody_is_left(&mut conversation, now);
        let appended = store::append_events(&mut tx, &mut conversation, events, now).await?;
        conversation.updated_at = now;
        store::update_conversation(&mut tx, &conversation).await?;
        tx.commit().await?;
        self.announce(&conversation, Some(previous), &appended);
        Ok(conversation.summary())
    }

    pub async fn get(&self, chat_id: &str) -> Result<ConversationSummary, ChatError> {
        let mut conn = self.pool.acquire().await?;
        store::load(&mut conn, chat_id)
            .await?
            .map(|c| c.summary())
            .ok_or(ChatError::UnknownChat)
    }

    pub async fn list(&self, filter: &ListFilter) -> Result<Vec<ConversationSummary>, ChatError> {
        let mut conn = self.pool.acquire().await?;
        Ok(store::list(&mut conn, filter)
            .await?
            .iter()
            .map(Conversation::summary)
            .collect())
    }

    /// The transcript from `from_index` (1-based) on.
    pub async fn transcript(
        &self,
        chat_id: &str,
        from_index: u64,
    ) -> Result<Vec<TranscriptEvent>, ChatError> {
        let mut conn = self.pool.acquire().await?;
        if store::load(&mut conn, chat_id).await?.is_none() {
            return Err(ChatError::UnknownChat);
        }
        Ok(store::events_from(&mut conn, chat_id, from_index.max(1)).await?)
    }

    /// Whether the agent is in the conversation now.
    pub async fn is_agent_in(&self, agent_id: &str, chat_id: &str) -> Result<bool, ChatError> {
        let mut conn = self.pool.acquire().await?;
        Ok(store::load(&mut conn, chat_id)
            .await?
            .is_some_and(|c| c.agent_participant(agent_id).is_some()))
    }
}

/// Writes the participant changes of a decision and returns the events they make.
pub(super) async fn apply_participant_changes(
    tx: &mut sqlx::SqliteConnection,
    conversation: &mut Conversation,
    changes: Vec<ParticipantChange>,
    now: i64,
) -> Result<Vec<NewEvent>, sqlx::Error> {
    let mut events = Vec::new();
    for change in changes {
        match change {
            ParticipantChange::Joined(party) => {
                let participant = conversation
                    .participants
                    .iter()
                    .find(|p| p.participant_id == party.participant_id)
                    .cloned();
                if let Some(participant) = participant {
                    store::insert_participant(&mut *tx, &conversation.id, &participant).await?;
                }
                events.push(NewEvent::of(EventType::ParticipantJoined, party));
            }
            ParticipantChange::Left(agent_id) => {
                if let Some(participant) = conversation
                    .participants
                    .iter_mut()
                    .find(|p| p.agent_id.as_deref() == Some(&agent_id) && p.is_present())
                {
                    participant.left_at = Some(now);
                    store::update_participant(&mut *tx, &conversation.id, participant).await?;
                    events.push(NewEvent::of(
                        EventType::ParticipantLeft,
                        participant.party(),
                    ));
                }
            }
            ParticipantChange::CustomerLeft => {
                conversation.customer_left_at = Some(now);
                if let Some(customer) = conversation
                    .participants
                    .iter_mut()
                    .find(|p| p.participant_id == store::CUSTOMER_PARTICIPANT_ID)
                {
                    customer.left_at = Some(now);
                    store::update_participant(&mut *tx, &conversation.id, customer).await?;
                    events.push(NewEvent::of(EventType::ParticipantLeft, customer.party()));
                }
            }
            ParticipantChange::Event(event) => events.push(event),
        }
    }
    Ok(events)
}

/// What an agent-side decision asks for.
pub(super) enum ParticipantChange {
    /// The participant (already pushed to the conversation) joined.
    Joined(Party),
    /// The agent with this account left.
    Left(String),
    CustomerLeft,
    Event(NewEvent),
}

pub(super) fn present_agent(
    conversation: &Conversation,
    agent: &AgentRef,
) -> Result<Party, ChatError> {
    conversation
        .agent_participant(&agent.agent_id)
        .map(Participant::party)
        .ok_or_else(|| ChatError::NotAParticipant(agent.agent_id.clone()))
}

/// The agent, when it may still talk to the customer.
pub(super) fn talking_agent(
    conversation: &Conversation,
    agent: &AgentRef,
) -> Result<Party, ChatError> {
    let party = present_agent(conversation, agent)?;
    if conversation.is_over_for_customer() {
        return Err(ChatError::ChatEnded);
    }
    Ok(party)
}

/// A chat whose customer left and that has no agent any more is over.
pub(super) fn end_when_nobody_is_left(conversation: &mut Conversation, now: i64) {
    if conversation.ended_at.is_none()
        && conversation.customer_left_at.is_some()
        && conversation.active_agents().next().is_none()
    {
        conversation.ended_at = Some(now);
    }
}

impl NewEvent {
    pub(super) fn of(event_type: EventType, from: Party) -> Self {
        Self::with_text(event_type, from, None)
    }

    pub(super) fn with_text(event_type: EventType, from: Party, text: Option<String>) -> Self {
        NewEvent {
            event_type,
            from,
            text,
            message_type: None,
            user_data: None,
        }
    }

    pub(super) fn message(from: Party, text: String, message_type: Option<String>) -> Self {
        NewEvent {
            event_type: EventType::Message,
            from,
            text: Some(text),
            message_type,
            user_data: None,
        }
    }
}

fn customer_nickname(request: &ChatRequest) -> Result<String, ChatError> {
    let trimmed = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let nickname = match (
        trimmed(&request.nickname),
        trimmed(&request.first_name),
        trimmed(&request.last_name),
    ) {
        (Some(nickname), _, _) => nickname,
        (None, Some(first), Some(last)) => format!("{first} {last}"),
        _ => return Err(ChatError::MissingParameter("nickname")),
    };
    check_name("nickname", &nickname)?;
    Ok(nickname)
}

fn validate_action(action: &CustomerAction) -> Result<(), ChatError> {
    match action {
        CustomerAction::SendMessage {
            message,
            message_type,
        } => {
            if message.is_empty() {
                return Err(ChatError::MissingParameter("message"));
            }
            check_text("message", message)?;
            check_optional_name("messageType", message_type.as_deref())
        }
        CustomerAction::CustomNotice { message } => check_text("message", message),
        CustomerAction::StartTyping { preview } | CustomerAction::StopTyping { preview } => preview
            .as_deref()
            .map_or(Ok(()), |p| check_text("message", p)),
        CustomerAction::UpdateNickname { nickname } => {
            if nickname.trim().is_empty() {
                return Err(ChatError::MissingParameter("nickname"));
            }
            check_name("nickname", nickname)
        }
        CustomerAction::Refresh
        | CustomerAction::Disconnect
        | CustomerAction::UpdateData { .. } => Ok(()),
    }
}

pub(super) fn check_text(name: &'static str, text: &str) -> Result<(), ChatError> {
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(ChatError::InvalidParameter {
            name,
            reason: format!("longer than {MAX_TEXT_CHARS} characters"),
        });
    }
    Ok(())
}

pub(super) fn check_name(name: &'static str, text: &str) -> Result<(), ChatError> {
    if text.chars().count() > MAX_NAME_CHARS {
        return Err(ChatError::InvalidParameter {
            name,
            reason: format!("longer than {MAX_NAME_CHARS} characters"),
        });
    }
    Ok(())
}

pub(super) fn check_optional_name(name: &'static str, text: Option<&str>) -> Result<(), ChatError> {
    text.map_or(Ok(()), |text| check_name(name, text))
}

/// The secureKey is stored only as this hash.
pub fn hash_secure_key(secure_key: &str) -> String {
    let digest = Sha256::digest(secure_key.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

const HEX: &[u8] = b"0123456789ABCDEF";
const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A random string of `len` characters from `alphabet`, from the operating system's generator.
pub fn random_token(len: usize, alphabet: &[u8]) -> String {
    let mut bytes = vec![0u8; len];
    // The OS generator does not fail on supported platforms; if it ever did, a time-seeded
    // fallback would be guessable, so fail loudly at the source instead of degrading.
    if let Err(error) = getrandom::getrandom(&mut bytes) {
        panic!("the operating system's random generator failed: {error}");
    }
    // Rejection-free mapping: the alphabets used have 16 or 62 symbols; 256 % 62 gives a slight
    // bias that does not matter for ids with this much entropy.
    bytes
        .iter()
        .map(|byte| alphabet[*byte as usize % alphabet.len()] as char)
        .collect()
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
