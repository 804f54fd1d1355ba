//! Operations on the conversation record that the CRM view (SuperOffice `ChatSession`) needs:
//! create a session for a topic, change its fields, pick it up, transfer it, reset it to the
//! queue, close it, delete it. Like every change, each runs under the write lock in one
//! transaction and is announced to the listeners, so the customer's browser and the agents'
//! channels see it.

use serde_json::{Map, Value};

use super::error::ChatError;
use super::model::{ConversationSummary, EventType};
use super::service::{
    apply_participant_changes, check_name, check_optional_name, end_when_nobody_is_left, now_ms,
    present_agent, talking_agent, AgentRef, ChatRequest, ChatService, ParticipantChange,
};
use super::store::{self, Conversation, NewEvent, Participant};

/// A new session created from the CRM view (no customer browser yet).
#[derive(Debug, Clone, Default)]
pub struct SessionDraft {
    pub service: String,
    pub nickname: String,
    pub customer_name: Option<String>,
    pub email: Option<String>,
    /// Posted as the customer's opening message.
    pub first_message: Option<String>,
}

/// Field changes of a conversation record. `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordUpdate {
    /// Moves the conversation to another topic (the service must exist).
    pub service: Option<String>,
    /// The customer's nickname (SuperOffice `CustomerAlias`).
    pub nickname: Option<String>,
    /// SuperOffice `CustomerName`: stored as the first name, the last name is cleared.
    pub customer_name: Option<Option<String>>,
    pub email: Option<Option<String>>,
    /// CRM-only fields to set; `Value::Null` removes one.
    pub crm: Map<String, Value>,
}

impl RecordUpdate {
    pub fn is_empty(&self) -> bool {
        *self == RecordUpdate::default()
    }
}

/// A life-cycle operation on a conversation.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionCommand {
    /// The agent takes the conversation; agents already in it leave (a pickup, or a forced
    /// reassignment). A pending transfer is dropped.
    Assign(AgentRef),
    /// Every agent leaves and the conversation goes back to the queue; the chatbot flag is
    /// cleared (SuperOffice `Reset`, a bot handing off to a human).
    Reset,
    /// Ends the conversation: everyone leaves and the customer is told `chatEnded`.
    Close,
    /// The customer is let go while the agent wraps up (SuperOffice `Finished`); with no agent
    /// in the conversation it ends.
    FinishCustomer,
    /// `by` asks for the conversation to go to `to`. Does nothing when `by` is not in it.
    RequestTransfer { by: AgentRef, to: AgentRef },
    /// Drops a pending transfer.
    CancelTransfer,
    /// The agent a transfer was asked to takes the conversation.
    AcceptTransfer(AgentRef),
    /// The agent a transfer was asked to declines it.
    RejectTransfer(AgentRef),
    /// The agent starts or stops typing.
    Typing(AgentRef, bool),
}

impl ChatService {
    /// Creates a session as if a customer had requested it on `draft.service`, without a
    /// browser (its secureKey is generated and stored hashed, and never shown). Then `update`
    /// and `commands` apply, as [`ChatService::update_session`] does.
    pub async fn create_session(
        &self,
        draft: SessionDraft,
        update: RecordUpdate,
        commands: Vec<SessionCommand>,
    ) -> Result<ConversationSummary, ChatError> {
        let request = ChatRequest {
            nickname: Some(draft.nickname),
            first_name: draft.customer_name,
            email_address: draft.email,
            text: draft.first_message,
            ..ChatRequest::default()
        };
        let reply = self.request_chat(&draft.service, request, &|_| {}).await?;
        if update.is_empty() && commands.is_empty() {
            return self.get(&reply.chat_id).await;
        }
        self.update_session(&reply.chat_id, update, commands).await
    }

    /// The chatId of the conversation with this number (SuperOffice `ChatSessionId`).
    pub async fn chat_id_of_number(&self, number: i64) -> Result<Option<String>, ChatError> {
        let mut conn = self.pool().acquire().await?;
        Ok(store::load_by_number(&mut conn, number)
            .await?
            .map(|conversation| conversation.id))
    }

    /// Changes fields, then runs `commands` in order, in one transaction.
    pub async fn update_session(
        &self,
        chat_id: &str,
        update: RecordUpdate,
        commands: Vec<SessionCommand>,
    ) -> Result<ConversationSummary, ChatError> {
        if let Some(service) = &update.service {
            if self.topic_by_service(service).await?.is_none() {
                return Err(ChatError::UnknownService(service.clone()));
            }
        }
        if let Some(nickname) = &update.nickname {
            if nickname.trim().is_empty() {
                return Err(ChatError::MissingParameter("CustomerAlias"));
            }
            check_name("CustomerAlias", nickname)?;
        }
        if let Some(name) = &update.customer_name {
            check_optional_name("CustomerName", name.as_deref())?;
        }
        if let Some(email) = &update.email {
            check_optional_name("CustomerEmail", email.as_deref())?;
        }
        let now = now_ms();
        let _guard = self.write_lock.lock().await;
        let mut tx = self.pool().begin().await?;
        let mut conversation = store::load(&mut tx, chat_id)
            .await?
            .ok_or(ChatError::UnknownChat)?;
        let previous = conversation.status();
        let before = conversation.summary();
        let before_crm = conversation.crm.clone();
        apply_record_update(&mut conversation, update);
        let mut events = Vec::new();
        for command in commands {
            let changes = decide(&mut conversation, command, now)?;
            events
                .extend(apply_participant_changes(&mut tx, &mut conversation, changes, now).await?);
            end_when_nobody_is_left(&mut conversation, now);
        }
        let changed = !events.is_empty()
            || conversation.summary() != before
            || conversation.crm != before_crm;
        if !changed {
            return Ok(before);
        }
        let appended = store::append_events(&mut tx, &mut conversation, events, now).await?;
        conversation.updated_at = now;
        if let Some(customer) = conversation
            .participants
            .iter()
            .find(|p| p.participant_id == store::CUSTOMER_PARTICIPANT_ID)
        {
            store::update_participant(&mut tx, &conversation.id, customer).await?;
        }
        store::update_conversation(&mut tx, &conversation).await?;
        tx.commit().await?;
        self.announce(&conversation, Some(previous), &appended);
        Ok(conversation.summary())
    }

    /// The agent picks up the conversation that has waited longest in the queue.
    pub async fn pickup_first(&self, agent: &AgentRef) -> Result<ConversationSummary, ChatError> {
        let chat_id: Option<String> = {
            let mut conn = self.pool().acquire().await?;
            sqlx::query_scalar(
                "SELECT c.id FROM conversations c WHERE c.status IN ('queued', 'waiting')
                   AND NOT EXISTS (SELECT 1 FROM participants p WHERE p.conversation_id = c.id
                       AND p.agent_id IS NOT NULL AND p.left_at IS NULL)
                 ORDER BY c.created_at, c.number LIMIT 1",
            )
            .fetch_optional(&mut *conn)
            .await?
        };
        let chat_id = chat_id
            .ok_or_else(|| ChatError::Conflict("no conversation is waiting in the queue".into()))?;
        self.accept(agent, &chat_id).await
    }

    /// Deletes a conversation and its transcript. One that has not ended is closed first, so
    /// that its customer is told.
    pub async fn delete_session(&self, chat_id: &str) -> Result<(), ChatError> {
        let summary = self.get(chat_id).await?;
        if summary.ended_at.is_none() {
            self.update_session(
                chat_id,
                RecordUpdate::default(),
                vec![SessionCommand::Close],
            )
            .await?;
        }
        let _guard = self.write_lock.lock().await;
        let mut conn = self.pool().acquire().await?;
        if store::delete(&mut conn, chat_id).await? {
            Ok(())
        } else {
            Err(ChatError::UnknownChat)
        }
    }
}

fn apply_record_update(conversation: &mut Conversation, update: RecordUpdate) {
    if let Some(service) = update.service {
        conversation.service = service;
    }
    if let Some(nickname) = update.nickname {
        conversation.nickname = nickname.trim().to_owned();
        if let Some(customer) = conversation
            .participants
            .iter_mut()
            .find(|p| p.participant_id == store::CUSTOMER_PARTICIPANT_ID)
        {
            customer.nickname = conversation.nickname.clone();
        }
    }
    if let Some(name) = update.customer_name {
        conversation.first_name = name.filter(|n| !n.trim().is_empty());
        conversation.last_name = None;
    }
    if let Some(email) = update.email {
        conversation.email = email.filter(|e| !e.trim().is_empty());
    }
    for (key, value) in update.crm {
        if value.is_null() {
            conversation.crm.remove(&key);
        } else {
            conversation.crm.insert(key, value);
        }
    }
}

/// What a command changes; participant changes are returned to be written.
fn decide(
    conversation: &mut Conversation,
    command: SessionCommand,
    now: i64,
) -> Result<Vec<ParticipantChange>, ChatError> {
    let open = |conversation: &Conversation| {
        if conversation.ended_at.is_some() {
            Err(ChatError::ChatEnded)
        } else {
            Ok(())
        }
    };
    match command {
        SessionCommand::Assign(agent) => {
            open(conversation)?;
            if conversation.is_over_for_customer() {
                return Err(ChatError::ChatEnded);
            }
            Ok(assign(conversation, &agent, now))
        }
        SessionCommand::Reset => {
            open(conversation)?;
            conversation.transfer_to = None;
            conversation
                .crm
                .insert("ChatbotIsActive".into(), Value::Bool(false));
            Ok(conversation
                .active_agents()
                .filter_map(|p| p.agent_id.clone())
                .map(ParticipantChange::Left)
                .collect())
        }
        SessionCommand::Close => {
            if conversation.ended_at.is_some() {
                return Ok(Vec::new());
            }
            let mut changes: Vec<ParticipantChange> = conversation
                .active_agents()
                .filter_map(|p| p.agent_id.clone())
                .map(ParticipantChange::Left)
                .collect();
            if conversation.customer_left_at.is_none() {
                changes.push(ParticipantChange::CustomerLeft);
            }
            conversation.transfer_to = None;
            conversation.ended_at = Some(now);
            Ok(changes)
        }
        SessionCommand::FinishCustomer => {
            if conversation.ended_at.is_some() || conversation.customer_left_at.is_some() {
                return Ok(Vec::new());
            }
            Ok(vec![ParticipantChange::CustomerLeft])
        }
        SessionCommand::RequestTransfer { by, to } => {
            open(conversation)?;
            if present_agent(conversation, &by).is_err() || by.agent_id == to.agent_id {
                return Ok(Vec::new());
            }
            conversation.transfer_to = Some(to.agent_id);
            Ok(Vec::new())
        }
        SessionCommand::CancelTransfer => {
            conversation.transfer_to = None;
            Ok(Vec::new())
        }
        SessionCommand::AcceptTransfer(agent) => {
            open(conversation)?;
            pending_transfer_to(conversation, &agent)?;
            if conversation.is_over_for_customer() {
                return Err(ChatError::ChatEnded);
            }
            Ok(assign(conversation, &agent, now))
        }
        SessionCommand::RejectTransfer(agent) => {
            open(conversation)?;
            pending_transfer_to(conversation, &agent)?;
            conversation.transfer_to = None;
            Ok(Vec::new())
        }
        SessionCommand::Typing(agent, is_typing) => {
            open(conversation)?;
            let party = talking_agent(conversation, &agent)?;
            let kind = if is_typing {
                EventType::TypingStarted
            } else {
                EventType::TypingStopped
            };
            Ok(vec![ParticipantChange::Event(NewEvent::of(kind, party))])
        }
    }
}

fn pending_transfer_to(conversation: &Conversation, agent: &AgentRef) -> Result<(), ChatError> {
    match &conversation.transfer_to {
        Some(to) if *to == agent.agent_id => Ok(()),
        Some(_) => Err(ChatError::NotAParticipant(agent.agent_id.clone())),
        None => Err(ChatError::Conflict(
            "no transfer of this conversation is pending".into(),
        )),
    }
}

/// The agent joins (unless already in) and every other agent leaves.
fn assign(conversation: &mut Conversation, agent: &AgentRef, now: i64) -> Vec<ParticipantChange> {
    conversation.transfer_to = None;
    let mut changes: Vec<ParticipantChange> = conversation
        .active_agents()
        .filter(|p| p.agent_id.as_deref() != Some(agent.agent_id.as_str()))
        .filter_map(|p| p.agent_id.clone())
        .map(ParticipantChange::Left)
        .collect();
    if conversation.agent_participant(&agent.agent_id).is_none() {
        let participant = Participant {
            participant_id: conversation.next_participant_id(),
            party_type: super::model::PartyType::Agent,
            nickname: agent.nickname.clone(),
            agent_id: Some(agent.agent_id.clone()),
            joined_at: now,
            left_at: None,
        };
        let party = participant.party();
        conversation.participants.push(participant);
        changes.push(ParticipantChange::Joined(party));
    }
    changes
}
