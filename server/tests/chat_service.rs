//! The chat domain on its own: lifecycle, transcript numbering, credentials, persistence.

use std::sync::{Arc, Mutex};

use hotline_server::chat::store::{self, ListFilter};
use hotline_server::chat::{
    AgentRef, ChatChange, ChatError, ChatListener, ChatRequest, ChatService, CustomerAction,
    CustomerCredentials, CustomerReply, EventType, Lifecycle, PartyType,
};

/// What a listener was told: the status after, the status before, the new indexes.
type Announced = (Lifecycle, Option<Lifecycle>, Vec<u64>);

/// Records what listeners are told.
#[derive(Default)]
struct Recorder {
    changes: Mutex<Vec<Announced>>,
}

impl ChatListener for Recorder {
    fn on_change(&self, change: &ChatChange<'_>) {
        self.changes.lock().unwrap().push((
            change.conversation.status,
            change.previous_status,
            change.events.iter().map(|e| e.index).collect(),
        ));
    }
}

async fn service() -> (ChatService, Arc<Recorder>) {
    let pool = store::open("sqlite::memory:").await.unwrap();
    let service = ChatService::new(pool, vec!["customer-support".into()]);
    let recorder = Arc::new(Recorder::default());
    service.add_listener(recorder.clone());
    (service, recorder)
}

fn ann() -> ChatRequest {
    ChatRequest {
        nickname: Some("Ann".into()),
        subject: Some("Billing".into()),
        ..ChatRequest::default()
    }
}

fn agent(name: &str) -> AgentRef {
    AgentRef {
        agent_id: name.into(),
        nickname: format!("Agent {name}"),
    }
}

fn ignore(_: &CustomerReply) {}

async fn act(
    chat: &ChatService,
    key: &str,
    action: CustomerAction,
    position: Option<u64>,
) -> Result<CustomerReply, ChatError> {
    let credentials = CustomerCredentials {
        chat_id: None,
        secure_key: key,
    };
    chat.customer_action("customer-support", credentials, action, position, &ignore)
        .await
}

#[tokio::test]
async fn request_chat_creates_a_queued_conversation_with_the_customer_joined() {
    let (chat, recorder) = service().await;
    let reply = chat
        .request_chat("customer-support", ann(), &ignore)
        .await
        .unwrap();
    assert_eq!(reply.chat_id.len(), 16);
    assert_eq!(reply.secure_key.as_ref().map(String::len), Some(32));
    assert_eq!(reply.messages.len(), 1);
    let joined = &reply.messages[0];
    assert_eq!(joined.index, 1);
    assert_eq!(joined.event_type, EventType::ParticipantJoined);
    assert_eq!(joined.from.party_type, PartyType::Client);
    assert_eq!(joined.from.nickname, "Ann");
    assert_eq!(reply.next_position, 2);
    let summary = chat.get(&reply.chat_id).await.unwrap();
    assert_eq!(summary.status, Lifecycle::Queued);
    assert_eq!(summary.subject.as_deref(), Some("Billing"));
    assert_eq!(
        recorder.changes.lock().unwrap()[0],
        (Lifecycle::Queued, None, vec![1])
    );
}

#[tokio::test]
async fn names_are_required_and_first_plus_last_make_a_nickname() {
    let (chat, _) = service().await;
    let missing = chat
        .request_chat("customer-support", ChatRequest::default(), &ignore)
        .await;
    assert!(matches!(
        missing,
        Err(ChatError::MissingParameter("nickname"))
    ));
    let only_first = ChatRequest {
        first_name: Some("First".into()),
        ..ChatRequest::default()
    };
    assert!(chat
        .request_chat("customer-support", only_first, &ignore)
        .await
        .is_err());
    let both = ChatRequest {
        first_name: Some("First".into()),
        last_name: Some("Last".into()),
        ..ChatRequest::default()
    };
    let reply = chat
        .request_chat("customer-support", both, &ignore)
        .await
        .unwrap();
    assert_eq!(reply.messages[0].from.nickname, "First Last");
    let unknown_service = chat.request_chat("sales", ann(), &ignore).await;
    assert!(matches!(unknown_service, Err(ChatError::UnknownService(_))));
}

#[tokio::test]
async fn a_whole_chat_numbers_every_event_once_in_order() {
    let (chat, recorder) = service().await;
    let reply = chat
        .request_chat("customer-support", ann(), &ignore)
        .await
        .unwrap();
    let key = reply.secure_key.clone().unwrap();
    let id = reply.chat_id.clone();
    let bob = agent("bob");

    act(
        &chat,
        &key,
        CustomerAction::SendMessage {
            message: "Hello".into(),
            message_type: None,
        },
        None,
    )
    .await
    .unwrap();
    let accepted = chat.accept(&bob, &id).await.unwrap();
    assert_eq!(accepted.status, Lifecycle::Active);
    assert_eq!(accepted.agent_ids, vec!["bob".to_owned()]);
    chat.agent_typing(&bob, &id, true, Some("Hi th".into()))
        .await
        .unwrap();
    let index = chat
        .agent_message(&bob, &id, "Hi there".into(), None)
        .await
        .unwrap();
    assert_eq!(index, 5);
    assert_eq!(
        chat.get(&id).await.unwrap().last_speaker,
        Some(PartyType::Agent)
    );
    act(
        &chat,
        &key,
        CustomerAction::StartTyping { preview: None },
        None,
    )
    .await
    .unwrap();

    let transcript = chat.transcript(&id, 1).await.unwrap();
    let kinds: Vec<(u64, EventType, PartyType)> = transcript
        .iter()
        .map(|e| (e.index, e.event_type, e.from.party_type))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (1, EventType::ParticipantJoined, PartyType::Client),
            (2, EventType::Message, PartyType::Client),
            (3, EventType::ParticipantJoined, PartyType::Agent),
            (4, EventType::TypingStarted, PartyType::Agent),
            (5, EventType::Message, PartyType::Agent),
            (6, EventType::TypingStarted, PartyType::Client),
        ]
    );
    assert_eq!(transcript[2].from.participant_id, 2);
    assert_eq!(transcript[3].text.as_deref(), Some("Hi th"));

    // A refresh from a position returns that part of the transcript.
    let refresh = act(&chat, &key, CustomerAction::Refresh, Some(5))
        .await
        .unwrap();
    let indexes: Vec<u64> = refresh.messages.iter().map(|m| m.index).collect();
    assert_eq!(indexes, vec![5, 6]);
    assert_eq!(refresh.next_position, 7);

    let ended = chat.agent_end(&bob, &id).await.unwrap();
    assert_eq!(ended.status, Lifecycle::Closed);
    let tail = chat.transcript(&id, 7).await.unwrap();
    let kinds: Vec<(EventType, PartyType)> = tail
        .iter()
        .map(|e| (e.event_type, e.from.party_type))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (EventType::ParticipantLeft, PartyType::Agent),
            (EventType::ParticipantLeft, PartyType::Client)
        ]
    );

    // Every change was announced once, with indexes in strictly increasing order.
    let announced: Vec<u64> = recorder
        .changes
        .lock()
        .unwrap()
        .iter()
        .flat_map(|c| c.2.clone())
        .collect();
    assert_eq!(announced, (1..=8).collect::<Vec<u64>>());

    // After the end only reading works.
    let refused = act(
        &chat,
        &key,
        CustomerAction::SendMessage {
            message: "Still there?".into(),
            message_type: None,
        },
        None,
    )
    .await;
    assert!(matches!(refused, Err(ChatError::ChatEnded)));
    let read = act(&chat, &key, CustomerAction::Refresh, None)
        .await
        .unwrap();
    assert!(read.chat_ended);
    assert!(matches!(
        chat.agent_message(&bob, &id, "late".into(), None).await,
        Err(ChatError::ChatEnded)
    ));
}

#[tokio::test]
async fn a_wrong_secure_key_or_chat_id_is_refused_the_same_way() {
    let (chat, _) = service().await;
    let first = chat
        .request_chat("customer-support", ann(), &ignore)
        .await
        .unwrap();
    let second = chat
        .request_chat("customer-support", ann(), &ignore)
        .await
        .unwrap();
    let wrong_key = act(
        &chat,
        "0123456789ABCDEF0123456789ABCDEF",
        CustomerAction::Refresh,
        None,
    )
    .await;
    assert!(matches!(wrong_key, Err(ChatError::UnknownChat)));
    // The key of one chat does not open another.
    let crossed = chat
        .customer_action(
            "customer-support",
            CustomerCredentials {
                chat_id: Some(&second.chat_id),
                secure_key: first.secure_key.as_deref().unwrap(),
            },
            CustomerAction::Refresh,
            None,
            &ignore,
        )
        .await;
    assert!(matches!(crossed, Err(ChatError::UnknownChat)));
}

#[tokio::test]
async fn customer_leaving_puts_the_agent_in_wrap_up_then_end_closes() {
    let (chat, _) = service().await;
    let reply = chat
        .request_chat("customer-support", ann(), &ignore)
        .await
        .unwrap();
    let key = reply.secure_key.unwrap();
    let bob = agent("bob");
    chat.accept(&bob, &reply.chat_id).await.unwrap();
    let left = act(&chat, &key, CustomerAction::Disconnect, None)
        .await
        .unwrap();
    assert!(left.chat_ended);
    assert_eq!(
        chat.get(&reply.chat_id).await.unwrap().status,
        Lifecycle::WrapUp
    );
    assert!(matches!(
        chat.agent_message(&bob, &reply.chat_id, "bye".into(), None)
            .await,
        Err(ChatError::ChatEnded)
    ));
    let closed = chat.agent_end(&bob, &reply.chat_id).await.unwrap();
    assert_eq!(closed.status, Lifecycle::Closed);
}

#[tokio::test]
async fn a_customer_leaving_the_queue_closes_the_chat() {
    let (chat, _) = service().await;
    let reply = chat
        .request_chat("customer-support", ann(), &ignore)
        .await
        .unwrap();
    act(
        &chat,
        reply.secure_key.as_deref().unwrap(),
        CustomerAction::Disconnect,
        None,
    )
    .await
    .unwrap();
    let summary = chat.get(&reply.chat_id).await.unwrap();
    assert_eq!(summary.status, Lifecycle::Closed);
    assert!(summary.ended_at.is_some());
}

#[tokio::test]
async fn an_agent_leaving_returns_the_chat_to_the_queue_and_only_one_agent_accepts() {
    let (chat, _) = service().await;
    let reply = chat
        .request_chat("customer-support", ann(), &ignore)
        .await
        .unwrap();
    let (bob, eve) = (agent("bob"), agent("eve"));
    chat.accept(&bob, &reply.chat_id).await.unwrap();
    // Accepting twice is harmless; a second agent is refused.
    chat.accept(&bob, &reply.chat_id).await.unwrap();
    assert!(matches!(
        chat.accept(&eve, &reply.chat_id).await,
        Err(ChatError::AlreadyAccepted)
    ));
    assert!(matches!(
        chat.agent_message(&eve, &reply.chat_id, "hi".into(), None)
            .await,
        Err(ChatError::NotAParticipant(_))
    ));
    let back = chat.agent_leave(&bob, &reply.chat_id).await.unwrap();
    assert_eq!(back.status, Lifecycle::Queued);
    let queue = chat
        .list(&ListFilter {
            without_agent: true,
            ..ListFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(queue.len(), 1);
    let accepted = chat.accept(&eve, &reply.chat_id).await.unwrap();
    assert_eq!(accepted.agent_ids, vec!["eve".to_owned()]);
    assert!(chat.is_agent_in("eve", &reply.chat_id).await.unwrap());
    assert!(!chat.is_agent_in("bob", &reply.chat_id).await.unwrap());
    let mine = chat
        .list(&ListFilter {
            with_agent: Some("eve".into()),
            ..ListFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
}

#[tokio::test]
async fn a_lost_connection_makes_the_chat_wait_until_the_customer_is_back() {
    let (chat, recorder) = service().await;
    let reply = chat
        .request_chat("customer-support", ann(), &ignore)
        .await
        .unwrap();
    chat.accept(&agent("bob"), &reply.chat_id).await.unwrap();
    chat.customer_connection_lost(&reply.chat_id).await.unwrap();
    assert_eq!(
        chat.get(&reply.chat_id).await.unwrap().status,
        Lifecycle::Waiting
    );
    act(
        &chat,
        reply.secure_key.as_deref().unwrap(),
        CustomerAction::Refresh,
        Some(1),
    )
    .await
    .unwrap();
    assert_eq!(
        chat.get(&reply.chat_id).await.unwrap().status,
        Lifecycle::Active
    );
    let statuses: Vec<Lifecycle> = recorder
        .changes
        .lock()
        .unwrap()
        .iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(
        statuses,
        vec![
            Lifecycle::Queued,
            Lifecycle::Active,
            Lifecycle::Waiting,
            Lifecycle::Active
        ]
    );
}

#[tokio::test]
async fn user_data_and_nickname_updates_are_kept() {
    let (chat, _) = service().await;
    let mut request = ann();
    request.user_data.insert("source".into(), "web".into());
    let reply = chat
        .request_chat("customer-support", request, &ignore)
        .await
        .unwrap();
    let key = reply.secure_key.unwrap();
    let mut update = serde_json::Map::new();
    update.insert("OrderId".into(), "12345".into());
    act(
        &chat,
        &key,
        CustomerAction::UpdateData { user_data: update },
        None,
    )
    .await
    .unwrap();
    act(
        &chat,
        &key,
        CustomerAction::UpdateNickname {
            nickname: "Annie".into(),
        },
        None,
    )
    .await
    .unwrap();
    let summary = chat.get(&reply.chat_id).await.unwrap();
    assert_eq!(summary.user_data.get("OrderId"), Some(&"12345".into()));
    assert_eq!(summary.user_data.get("source"), Some(&"web".into()));
    // A null value deletes the key.
    let mut removal = serde_json::Map::new();
    removal.insert("source".into(), serde_json::Value::Null);
    act(
        &chat,
        &key,
        CustomerAction::UpdateData { user_data: removal },
        None,
    )
    .await
    .unwrap();
    let summary = chat.get(&reply.chat_id).await.unwrap();
    assert_eq!(summary.user_data.get("source"), None);
    assert_eq!(summary.user_data.get("OrderId"), Some(&"12345".into()));
    assert_eq!(summary.nickname, "Annie");
    let transcript = chat.transcript(&reply.chat_id, 1).await.unwrap();
    assert_eq!(transcript[1].event_type, EventType::NicknameUpdated);
    assert_eq!(transcript[1].from.nickname, "Annie");
}

#[tokio::test]
async fn oversized_and_empty_input_is_refused() {
    let (chat, _) = service().await;
    let reply = chat
        .request_chat("customer-support", ann(), &ignore)
        .await
        .unwrap();
    let key = reply.secure_key.unwrap();
    let huge = "x".repeat(hotline_server::chat::service::MAX_TEXT_CHARS + 1);
    let too_long = act(
        &chat,
        &key,
        CustomerAction::SendMessage {
            message: huge,
            message_type: None,
        },
        None,
    )
    .await;
    assert!(matches!(
        too_long,
        Err(ChatError::InvalidParameter {
            name: "message",
            ..
        })
    ));
    let empty = act(
        &chat,
        &key,
        CustomerAction::SendMessage {
            message: String::new(),
            message_type: None,
        },
        None,
    )
    .await;
    assert!(matches!(empty, Err(ChatError::MissingParameter("message"))));
    // Nothing was written by the refusals.
    assert_eq!(chat.transcript(&reply.chat_id, 1).await.unwrap().len(), 1);
}

#[tokio::test]
async fn conversations_survive_reopening_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("hotline.db");
    let path = path.to_str().unwrap().to_owned();
    let (chat_id, key) = {
        let chat = ChatService::new(
            store::open(&path).await.unwrap(),
            vec!["customer-support".into()],
        );
        let reply = chat
            .request_chat("customer-support", ann(), &ignore)
            .await
            .unwrap();
        let key = reply.secure_key.unwrap();
        act(
            &chat,
            &key,
            CustomerAction::SendMessage {
                message: "one".into(),
                message_type: None,
            },
            None,
        )
        .await
        .unwrap();
        chat.pool().close().await;
        (reply.chat_id, key)
    };
    let chat = ChatService::new(
        store::open(&path).await.unwrap(),
        vec!["customer-support".into()],
    );
    act(
        &chat,
        &key,
        CustomerAction::SendMessage {
            message: "two".into(),
            message_type: None,
        },
        None,
    )
    .await
    .unwrap();
    let texts: Vec<(u64, Option<String>)> = chat
        .transcript(&chat_id, 1)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.index, e.text))
        .collect();
    assert_eq!(
        texts,
        vec![(1, None), (2, Some("one".into())), (3, Some("two".into()))]
    );
}
