//! The conversation record and its transcript, in the shapes the GMS chat v2 protocol uses.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Where a conversation is in its life. Every API face maps from this one value, with the
/// table in [`Lifecycle::omnichannel_statuscode`] and [`Lifecycle::superoffice_status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lifecycle {
    /// Requested, no agent yet.
    Queued,
    /// An agent has joined and the customer is connected.
    Active,
    /// The customer's connection is gone (tab closed) but the chat was not ended.
    Waiting,
    /// The customer left; the agent is wrapping up.
    WrapUp,
    /// Ended.
    Closed,
}

impl Lifecycle {
    pub const ALL: [Lifecycle; 5] = [
        Lifecycle::Queued,
        Lifecycle::Active,
        Lifecycle::Waiting,
        Lifecycle::WrapUp,
        Lifecycle::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Queued => "queued",
            Lifecycle::Active => "active",
            Lifecycle::Waiting => "waiting",
            Lifecycle::WrapUp => "wrapup",
            Lifecycle::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// Dataverse `msdyn_ocliveworkitem.statuscode`.
    pub fn omnichannel_statuscode(self) -> i32 {
        match self {
            Lifecycle::Queued => 1,
            Lifecycle::Active => 2,
            Lifecycle::Waiting => 3,
            Lifecycle::Closed => 4,
            Lifecycle::WrapUp => 5,
        }
    }

    /// Dataverse `msdyn_ocliveworkitem.statecode` of the [`Lifecycle::omnichannel_statuscode`]:
    /// 1 Closed for a closed conversation, else 0 Open (Wrap-up, status 5, is in state 0).
    pub fn omnichannel_statecode(self) -> i32 {
        match self {
            Lifecycle::Closed => 1,
            _ => 0,
        }
    }

    /// The label of an `msdyn_ocliveworkitem.statuscode`.
    pub fn omnichannel_status_label(self) -> &'static str {
        match self {
            Lifecycle::Queued => "Open",
            Lifecycle::Active => "Active",
            Lifecycle::Waiting => "Waiting",
            Lifecycle::Closed => "Closed",
            Lifecycle::WrapUp => "Wrap-up",
        }
    }

    /// SuperOffice `ChatSessionStatus` name; an active chat says who spoke last.
    pub fn superoffice_status(self, last_speaker: Option<PartyType>) -> &'static str {
        self.chat_session_status(last_speaker, true).name()
    }

    /// SuperOffice `ChatSessionStatus`: the one mapping (DESIGN.md, "one conversation, three
    /// views"). An active or waiting chat says who spoke last; a chat that ended before any
    /// agent joined is `ClosedFromQueue`. `RequestPosted` is never derived: it is accepted as
    /// a synonym of `InQueue` when written.
    pub fn chat_session_status(
        self,
        last_speaker: Option<PartyType>,
        agent_ever_joined: bool,
    ) -> ChatSessionStatus {
        match self {
            Lifecycle::Queued => ChatSessionStatus::InQueue,
            Lifecycle::Active | Lifecycle::Waiting => match last_speaker {
                Some(PartyType::Agent) | Some(PartyType::Supervisor) => ChatSessionStatus::UserLast,
                _ => ChatSessionStatus::CustomerLast,
            },
            Lifecycle::WrapUp => ChatSessionStatus::Finished,
            Lifecycle::Closed if !agent_ever_joined => ChatSessionStatus::ClosedFromQueue,
            Lifecycle::Closed => ChatSessionStatus::Closed,
        }
    }

    /// The status that follows from the facts of a conversation.
    pub fn derive(facts: LifecycleFacts) -> Self {
        if facts.ended {
            Lifecycle::Closed
        } else if facts.customer_left {
            Lifecycle::WrapUp
        } else if !facts.customer_connected {
            Lifecycle::Waiting
        } else if facts.active_agents > 0 {
            Lifecycle::Active
        } else {
            Lifecycle::Queued
        }
    }
}

/// SuperOffice `SuperOffice.Data.ChatSessionStatus` (values from the CRMScript reference). In
/// JSON it is the name; the value is kept for ordering and comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChatSessionStatus {
    Invalid = 0,
    PreChatForm = 1,
    Faq = 2,
    OfflineForm = 3,
    InQueue = 4,
    CustomerLast = 5,
    UserLast = 6,
    Finished = 7,
    Deleted = 8,
    Closed = 9,
    RequestPosted = 10,
    ClosedFromQueue = 11,
}

impl ChatSessionStatus {
    pub const ALL: [ChatSessionStatus; 12] = [
        ChatSessionStatus::Invalid,
        ChatSessionStatus::PreChatForm,
        ChatSessionStatus::Faq,
        ChatSessionStatus::OfflineForm,
        ChatSessionStatus::InQueue,
        ChatSessionStatus::CustomerLast,
        ChatSessionStatus::UserLast,
        ChatSessionStatus::Finished,
        ChatSessionStatus::Deleted,
        ChatSessionStatus::Closed,
        ChatSessionStatus::RequestPosted,
        ChatSessionStatus::ClosedFromQueue,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ChatSessionStatus::Invalid => "Invalid",
            ChatSessionStatus::PreChatForm => "PreChatForm",
            ChatSessionStatus::Faq => "Faq",
            ChatSessionStatus::OfflineForm => "OfflineForm",
            ChatSessionStatus::InQueue => "InQueue",
            ChatSessionStatus::CustomerLast => "CustomerLast",
            ChatSessionStatus::UserLast => "UserLast",
            ChatSessionStatus::Finished => "Finished",
            ChatSessionStatus::Deleted => "Deleted",
            ChatSessionStatus::Closed => "Closed",
            ChatSessionStatus::RequestPosted => "RequestPosted",
            ChatSessionStatus::ClosedFromQueue => "ClosedFromQueue",
        }
    }

    pub fn value(self) -> i64 {
        self as i64
    }

    /// By name, ignoring case.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|status| status.name().eq_ignore_ascii_case(name.trim()))
    }

    pub fn from_value(value: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.value() == value)
    }
}

/// The facts a [`Lifecycle`] is derived from.
#[derive(Debug, Clone, Copy, Default)]
pub struct LifecycleFacts {
    pub ended: bool,
    pub customer_left: bool,
    pub customer_connected: bool,
    pub active_agents: usize,
}

/// `from.type` of a transcript event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PartyType {
    Client,
    Agent,
    Supervisor,
    External,
}

impl PartyType {
    pub fn as_str(self) -> &'static str {
        match self {
            PartyType::Client => "Client",
            PartyType::Agent => "Agent",
            PartyType::Supervisor => "Supervisor",
            PartyType::External => "External",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            PartyType::Client,
            PartyType::Agent,
            PartyType::Supervisor,
            PartyType::External,
        ]
        .into_iter()
        .find(|party| party.as_str() == text)
    }
}

/// `type` of a transcript event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventType {
    ParticipantJoined,
    ParticipantLeft,
    Message,
    TypingStarted,
    TypingStopped,
    CustomNotice,
    NicknameUpdated,
}

impl EventType {
    const ALL: [EventType; 7] = [
        EventType::ParticipantJoined,
        EventType::ParticipantLeft,
        EventType::Message,
        EventType::TypingStarted,
        EventType::TypingStopped,
        EventType::CustomNotice,
        EventType::NicknameUpdated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ParticipantJoined => "ParticipantJoined",
            EventType::ParticipantLeft => "ParticipantLeft",
            EventType::Message => "Message",
            EventType::TypingStarted => "TypingStarted",
            EventType::TypingStopped => "TypingStopped",
            EventType::CustomNotice => "CustomNotice",
            EventType::NicknameUpdated => "NicknameUpdated",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// `from` of a transcript event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    pub nickname: String,
    pub participant_id: i64,
    #[serde(rename = "type")]
    pub party_type: PartyType,
}

/// One element of `messages[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptEvent {
    pub from: Party,
    /// 1-based, never reused within a conversation.
    pub index: u64,
    #[serde(rename = "type")]
    pub event_type: EventType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_data: Option<Map<String, Value>>,
    /// Milliseconds since the Unix epoch.
    pub utc_time: i64,
}

/// A CRM record linked to a conversation (`Microsoft.Omnichannel.linkToConversation`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordLink {
    /// The entity's logical name: `contact`, `account` or `incident`.
    pub entity_name: String,
    /// The record's id (a GUID is kept in lower case, without braces).
    pub entity_id: String,
    /// The name to show for the record, when the caller gave one.
    pub display_name: Option<String>,
}

/// What a conversation is linked to: at most one customer and one case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConversationLinks {
    /// A `contact` or an `account`.
    pub customer: Option<RecordLink>,
    /// An `incident`.
    pub case: Option<RecordLink>,
}

/// The two kinds of link a conversation has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRole {
    Customer,
    Case,
}

impl LinkRole {
    /// The entities that can be linked, with their role.
    pub const ENTITIES: [(&'static str, LinkRole); 3] = [
        ("contact", LinkRole::Customer),
        ("account", LinkRole::Customer),
        ("incident", LinkRole::Case),
    ];

    /// The role of an entity's logical name (`contact`, `account`, `incident`; any case).
    pub fn of_entity(entity_name: &str) -> Option<LinkRole> {
        Self::ENTITIES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(entity_name.trim()))
            .map(|(_, role)| *role)
    }
}

impl ConversationLinks {
    pub fn get(&self, role: LinkRole) -> Option<&RecordLink> {
        match role {
            LinkRole::Customer => self.customer.as_ref(),
            LinkRole::Case => self.case.as_ref(),
        }
    }

    pub fn set(&mut self, role: LinkRole, link: Option<RecordLink>) {
        match role {
            LinkRole::Customer => self.customer = link,
            LinkRole::Case => self.case = link,
        }
    }
}

/// A conversation as lists and agents see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationSummary {
    pub chat_id: String,
    pub service: String,
    pub status: Lifecycle,
    pub user_id: String,
    pub nickname: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email_address: Option<String>,
    pub subject: Option<String>,
    pub user_data: Map<String, Value>,
    pub customer_connected: bool,
    /// Agents currently in the conversation (account names).
    pub agent_ids: Vec<String>,
    pub last_speaker: Option<PartyType>,
    /// Index of the last transcript event (0 when there is none).
    pub last_index: u64,
    pub created_at: i64,
    pub updated_at: i64,
    pub ended_at: Option<i64>,
    /// The conversation number: SuperOffice `ChatSessionId`.
    pub chat_session_id: i64,
    /// The agent a transfer was asked to, while it is pending.
    pub transfer_to: Option<String>,
    /// The customer and case records linked to the conversation.
    pub links: ConversationLinks,
}

impl ConversationSummary {
    pub fn chat_ended(&self) -> bool {
        matches!(self.status, Lifecycle::Closed | Lifecycle::WrapUp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_the_facts_in_order_of_precedence() {
        let base = LifecycleFacts {
            customer_connected: true,
            ..LifecycleFacts::default()
        };
        assert_eq!(Lifecycle::derive(base), Lifecycle::Queued);
        let with_agent = LifecycleFacts {
            active_agents: 1,
            ..base
        };
        assert_eq!(Lifecycle::derive(with_agent), Lifecycle::Active);
        let gone = LifecycleFacts {
            customer_connected: false,
            ..with_agent
        };
        assert_eq!(Lifecycle::derive(gone), Lifecycle::Waiting);
        let left = LifecycleFacts {
            customer_left: true,
            ..gone
        };
        assert_eq!(Lifecycle::derive(left), Lifecycle::WrapUp);
        let ended = LifecycleFacts {
            ended: true,
            ..left
        };
        assert_eq!(Lifecycle::derive(ended), Lifecycle::Closed);
    }

    #[test]
    fn every_face_has_a_status_for_every_lifecycle() {
        let codes: Vec<i32> = Lifecycle::ALL
            .iter()
            .map(|s| s.omnichannel_statuscode())
            .collect();
        assert_eq!(codes, vec![1, 2, 3, 5, 4]);
        let states: Vec<i32> = Lifecycle::ALL
            .iter()
            .map(|s| s.omnichannel_statecode())
            .collect();
        assert_eq!(states, vec![0, 0, 0, 0, 1]);
        let labels: Vec<&str> = Lifecycle::ALL
            .iter()
            .map(|s| s.omnichannel_status_label())
            .collect();
        assert_eq!(
            labels,
            vec!["Open", "Active", "Waiting", "Wrap-up", "Closed"]
        );
        assert_eq!(LinkRole::of_entity(" Contact"), Some(LinkRole::Customer));
        assert_eq!(LinkRole::of_entity("account"), Some(LinkRole::Customer));
        assert_eq!(LinkRole::of_entity("incident"), Some(LinkRole::Case));
        assert_eq!(LinkRole::of_entity("lead"), None);
        assert_eq!(Lifecycle::Queued.superoffice_status(None), "InQueue");
        assert_eq!(
            Lifecycle::Active.superoffice_status(Some(PartyType::Agent)),
            "UserLast"
        );
        assert_eq!(
            Lifecycle::Active.superoffice_status(Some(PartyType::Client)),
            "CustomerLast"
        );
        assert_eq!(Lifecycle::WrapUp.superoffice_status(None), "Finished");
        assert_eq!(Lifecycle::Closed.superoffice_status(None), "Closed");
        for status in Lifecycle::ALL {
            assert_eq!(Lifecycle::parse(status.as_str()), Some(status));
        }
    }

    #[test]
    fn superoffice_status_table_covers_every_lifecycle() {
        use ChatSessionStatus as S;
        let cases = [
            (Lifecycle::Queued, None, false, S::InQueue),
            (
                Lifecycle::Active,
                Some(PartyType::Client),
                true,
                S::CustomerLast,
            ),
            (Lifecycle::Active, Some(PartyType::Agent), true, S::UserLast),
            (
                Lifecycle::Active,
                Some(PartyType::Supervisor),
                true,
                S::UserLast,
            ),
            (Lifecycle::Waiting, None, true, S::CustomerLast),
            (
                Lifecycle::Waiting,
                Some(PartyType::Agent),
                true,
                S::UserLast,
            ),
            (Lifecycle::WrapUp, Some(PartyType::Agent), true, S::Finished),
            (Lifecycle::Closed, Some(PartyType::Agent), true, S::Closed),
            (Lifecycle::Closed, None, false, S::ClosedFromQueue),
        ];
        for (lifecycle, speaker, joined, expected) in cases {
            assert_eq!(
                lifecycle.chat_session_status(speaker, joined),
                expected,
                "{lifecycle:?} {speaker:?} {joined}"
            );
        }
        for status in ChatSessionStatus::ALL {
            assert_eq!(ChatSessionStatus::parse(status.name()), Some(status));
            assert_eq!(
                ChatSessionStatus::parse(&status.name().to_uppercase()),
                Some(status)
            );
            assert_eq!(ChatSessionStatus::from_value(status.value()), Some(status));
        }
        let values: Vec<i64> = ChatSessionStatus::ALL.iter().map(|s| s.value()).collect();
        assert_eq!(values, (0..12).collect::<Vec<i64>>());
        assert_eq!(ChatSessionStatus::parse("Pending"), None);
    }

    #[test]
    fn transcript_event_serialises_in_gms_shape() {
        let event = TranscriptEvent {
            from: Party {
                nickname: "First Last".into(),
                participant_id: 1,
                party_type: PartyType::Client,
            },
            index: 1,
            event_type: EventType::ParticipantJoined,
            text: None,
            message_type: None,
            user_data: None,
            utc_time: 1_432_845_088_000,
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"from":{"nickname":"First Last","participantId":1,"type":"Client"},
                "index":1,"type":"ParticipantJoined","utcTime":1432845088000i64})
        );
        for kind in EventType::ALL {
            assert_eq!(EventType::parse(kind.as_str()), Some(kind));
        }
    }
}
