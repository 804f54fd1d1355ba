//! GWE event names, the raw transport event of `genesys-chat.md` §5.2, and the mapping from
//! GMS transcript events to raw events.

use crate::core::error::ChatError;
use crate::core::gms::{EventKind, TranscriptEvent};
use crate::core::json::{concat, At, Check, Json, Want};

/// A session event a page registers for with `session.on<Name>(cb)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GweEvent {
    AgentConnected,
    AgentDisconnected,
    AgentTyping,
    MessageReceived,
    SessionEnded,
    Error,
    Interrupted,
    Continued,
}

impl GweEvent {
    /// Every event, in a fixed order.
    pub const ALL: [GweEvent; 8] = [
        GweEvent::AgentConnected,
        GweEvent::AgentDisconnected,
        GweEvent::AgentTyping,
        GweEvent::MessageReceived,
        GweEvent::SessionEnded,
        GweEvent::Error,
        GweEvent::Interrupted,
        GweEvent::Continued,
    ];

    /// The name: `AgentConnected` … (`session.on` + name registers for it).
    pub const fn name(self) -> &'static str {
        match self {
            GweEvent::AgentConnected => "AgentConnected",
            GweEvent::AgentDisconnected => "AgentDisconnected",
            GweEvent::AgentTyping => "AgentTyping",
            GweEvent::MessageReceived => "MessageReceived",
            GweEvent::SessionEnded => "SessionEnded",
            GweEvent::Error => "Error",
            GweEvent::Interrupted => "Interrupted",
            GweEvent::Continued => "Continued",
        }
    }

    /// The event for a name (`AgentConnected`), or for a registration name
    /// (`onAgentConnected`).
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.strip_prefix("on").unwrap_or(name);
        Self::ALL.into_iter().find(|event| event.name() == name)
    }

    /// Whether the session keeps a history of this event for callbacks registered late
    /// (every event except `AgentTyping`).
    pub const fn is_memorised(self) -> bool {
        !matches!(self, GweEvent::AgentTyping)
    }

    /// Whether a transport delivers this event as a raw event (§5.2).
    pub const fn is_raw(self) -> bool {
        matches!(
            self,
            GweEvent::AgentConnected
                | GweEvent::AgentDisconnected
                | GweEvent::AgentTyping
                | GweEvent::MessageReceived
                | GweEvent::SessionEnded
        )
    }

    pub(crate) const fn slot(self) -> usize {
        self as usize
    }
}

/// Why a session ended; raw `reason.id` 1, 2, 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndReason {
    /// 1: the page called `leave()`.
    LeaveRequest = 1,
    /// 2: the agent (the server) ended the chat.
    Agent = 2,
    /// 3: the chat ended because of an error.
    Error = 3,
}

impl EndReason {
    /// The raw `reason.id`.
    pub const fn id(self) -> u8 {
        self as u8
    }

    /// The reason for a raw `reason.id`.
    pub fn from_id(id: u64) -> Option<Self> {
        match id {
            1 => Some(EndReason::LeaveRequest),
            2 => Some(EndReason::Agent),
            3 => Some(EndReason::Error),
            _ => None,
        }
    }

    /// The key of the public payload: `leaveRequest`, `agent`, `error`.
    pub const fn key(self) -> &'static str {
        match self {
            EndReason::LeaveRequest => "leaveRequest",
            EndReason::Agent => "agent",
            EndReason::Error => "error",
        }
    }
}

/// `content.type` of a message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ContentType {
    Text,
    Url,
    Notice,
    /// Any other value a custom transport sent, kept as is.
    Other(String),
}

impl ContentType {
    /// Reads a `content.type` value.
    pub fn parse(text: &str) -> Self {
        match text {
            "text" => ContentType::Text,
            "url" => ContentType::Url,
            "notice" => ContentType::Notice,
            other => ContentType::Other(other.to_owned()),
        }
    }

    /// `text`, `url`, `notice`, or the value as received.
    pub fn as_str(&self) -> &str {
        match self {
            ContentType::Text => "text",
            ContentType::Url => "url",
            ContentType::Notice => "notice",
            ContentType::Other(other) => other,
        }
    }
}

/// `party` of a raw event.
#[derive(Debug, Clone, PartialEq)]
pub struct RawParty {
    /// The participant id as received (a number for GMS).
    pub id: Json,
    /// The nickname.
    pub name: String,
    /// `Agent`, `Client`, `External` (also `Supervisor`, or what a custom transport sent).
    pub party_type: String,
}

impl RawParty {
    /// `{id, name, type}` with the raw string type (AgentConnected, AgentDisconnected,
    /// AgentTyping payloads and raw events).
    pub fn to_json(&self) -> Json {
        Json::object([
            ("id", self.id.clone()),
            ("name", Json::str(self.name.as_str())),
            ("type", Json::str(self.party_type.as_str())),
        ])
    }

    /// `{id, name, type: {agent: true}}`: the MessageReceived form, where `type` is a
    /// boolean map keyed by the lower-cased raw type. A `Supervisor` is
    /// `{agent: true, supervisor: true}`, so that pages testing `type.agent` show it as staff;
    /// an empty type gives `{}`.
    pub fn to_json_with_type_map(&self) -> Json {
        let key = self.party_type.to_ascii_lowercase();
        let map = match key.as_str() {
            "" => Json::Object(Vec::new()),
            "supervisor" => Json::object([
                ("agent", Json::Bool(true)),
                ("supervisor", Json::Bool(true)),
            ]),
            _ => Json::object([(key.as_str(), Json::Bool(true))]),
        };
        Json::object([
            ("id", self.id.clone()),
            ("name", Json::str(self.name.as_str())),
            ("type", map),
        ])
    }

    /// Whether this is the customer's own party.
    pub fn is_client(&self) -> bool {
        self.party_type == "Client"
    }
}

/// `content` of a raw MessageReceived event.
#[derive(Debug, Clone, PartialEq)]
pub struct Content {
    pub text: String,
    pub content_type: ContentType,
}

impl Content {
    /// `{text, type}`.
    pub fn to_json(&self) -> Json {
        Json::object([
            ("text", Json::str(self.text.as_str())),
            ("type", Json::str(self.content_type.as_str())),
        ])
    }
}

/// The raw event of `genesys-chat.md` §5.2, as a custom transport pushes it and as
/// `getTranscript` returns it:
///
/// ```js
/// { type: 'AgentConnected'|'AgentDisconnected'|'AgentTyping'|'MessageReceived'|'SessionEnded',
///   index, timestamp, party: {id, name, type: 'Agent'|'Client'|'External'},
///   content: {text, type: 'text'|'url'|'notice'},   // MessageReceived
///   isTyping,                                        // AgentTyping
///   reason: {id: 1|2|3} }                            // SessionEnded
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RawEvent {
    /// One of the five raw events ([`GweEvent::is_raw`]).
    pub kind: GweEvent,
    /// The transcript index (1-based for GMS); `None` when the transport gave none.
    pub index: Option<u64>,
    /// Milliseconds since the Unix epoch; `None` when unknown (the session then uses the
    /// time the event arrived).
    pub timestamp: Option<f64>,
    pub party: Option<RawParty>,
    /// MessageReceived only.
    pub content: Option<Content>,
    /// AgentTyping only.
    pub is_typing: Option<bool>,
    /// SessionEnded only.
    pub reason: Option<EndReason>,
}

impl RawEvent {
    /// The raw event for a GMS transcript event, or `None` for events GWE has no event for
    /// (`NicknameUpdated`, unknown types).
    ///
    /// `ParticipantJoined` → AgentConnected, `ParticipantLeft` → AgentDisconnected,
    /// `TypingStarted`/`TypingStopped` → AgentTyping, `Message` → MessageReceived (`url` when
    /// `messageType` is `url`, `text` otherwise), `PushUrl` → MessageReceived `url`,
    /// `CustomNotice` and `Notice` → MessageReceived `notice`.
    pub fn from_transcript(event: &TranscriptEvent) -> Option<Self> {
        let (kind, content_type, is_typing) = match &event.kind {
            EventKind::ParticipantJoined => (GweEvent::AgentConnected, None, None),
            EventKind::ParticipantLeft => (GweEvent::AgentDisconnected, None, None),
            EventKind::TypingStarted => (GweEvent::AgentTyping, None, Some(true)),
            EventKind::TypingStopped => (GweEvent::AgentTyping, None, Some(false)),
            EventKind::Message => {
                let content_type = match event.message_type.as_deref() {
                    Some(t) if t.eq_ignore_ascii_case("url") => ContentType::Url,
                    _ => ContentType::Text,
                };
                (GweEvent::MessageReceived, Some(content_type), None)
            }
            EventKind::PushUrl => (GweEvent::MessageReceived, Some(ContentType::Url), None),
            EventKind::CustomNotice => (GweEvent::MessageReceived, Some(ContentType::Notice), None),
            EventKind::Other(other) if other == "Notice" => {
                (GweEvent::MessageReceived, Some(ContentType::Notice), None)
            }
            EventKind::NicknameUpdated | EventKind::Other(_) => return None,
        };
        Some(RawEvent {
            kind,
            index: Some(event.index),
            timestamp: event.utc_time_ms,
            party: Some(RawParty {
                id: event.party.id.clone(),
                name: event.party.name.clone(),
                party_type: event.party.party_type.as_str().to_owned(),
            }),
            content: content_type.map(|content_type| Content {
                text: event.text.as_deref().unwrap_or_default().to_owned(),
                content_type,
            }),
            is_typing,
            reason: None,
        })
    }

    /// Reads a raw event whose kind is its `type` field (an element of a transport's
    /// `{transcript: [...]}` or `leaveSession` delta).
    pub fn from_json(value: &Json) -> Result<Self, ChatError> {
        let name = value.get("type").and_then(Json::as_str).unwrap_or_default();
        match GweEvent::from_name(name).filter(|kind| kind.is_raw() && !name.starts_with("on")) {
            Some(kind) => Self::from_json_as(kind, value),
            None => Err(ChatError::BadEvent {
                event: if name.is_empty() {
                    "unknown".into()
                } else {
                    name.to_owned()
                },
                reason: "type must be AgentConnected, AgentDisconnected, AgentTyping, \
                         MessageReceived or SessionEnded"
                    .into(),
            }),
        }
    }

    /// Reads a raw event pushed through a transport's `on<kind>` callback; a `type` field, if
    /// any, is ignored. Failures are [`ChatError::BadEvent`] (`Transport error in <Event>
    /// event (<reason>)`, code 0), which the facade reports through `onError`.
    ///
    /// Lenient: `index`, `timestamp`, `party` and its members may be absent or `null`;
    /// `content` defaults to empty text, `isTyping` to false and `reason` to `agent`.
    pub fn from_json_as(kind: GweEvent, value: &Json) -> Result<Self, ChatError> {
        let fail = |reason: &str| ChatError::BadEvent {
            event: kind.name().to_owned(),
            reason: reason.to_owned(),
        };
        if !kind.is_raw() {
            return Err(fail("not an event a transport delivers"));
        }
        if value.as_object().is_none() {
            return Err(fail("the event must be an object"));
        }
        // The checks never return early: the first failure is kept and reported once, after
        // all of them (see [`Check`]), so they run in this order. Values are copied as they
        // are checked; after a failure they are only dropped.
        let mut check = Check::default();
        let top = At("", None);
        let mut event = RawEvent {
            kind,
            index: check
                .field(value, top, "index", Want::Count)
                .and_then(Json::as_u64),
            timestamp: check
                .field(value, top, "timestamp", Want::Number)
                .and_then(Json::as_f64),
            party: None,
            content: None,
            is_typing: None,
            reason: None,
        };
        if let Some(party) = check.field(value, top, "party", Want::Object) {
            event.party = Some(RawParty {
                id: party.get("id").cloned().unwrap_or_default(),
                name: text(check.field(party, top, "party.name", Want::Str)).to_owned(),
                party_type: text(check.field(party, top, "party.type", Want::Str)).to_owned(),
            });
        }
        match kind {
            GweEvent::MessageReceived => {
                let (text_value, content_type) =
                    match check.field(value, top, "content", Want::Object) {
                        None => (None, None),
                        Some(content) => (
                            check.field(content, top, "content.text", Want::Str),
                            check.field(content, top, "content.type", Want::Str),
                        ),
                    };
                event.content = Some(Content {
                    text: text(text_value).to_owned(),
                    content_type: content_type
                        .and_then(Json::as_str)
                        .map_or(ContentType::Text, ContentType::parse),
                });
            }
            GweEvent::AgentTyping => {
                event.is_typing = Some(
                    check
                        .field(value, top, "isTyping", Want::Bool)
                        .and_then(Json::as_bool)
                        .unwrap_or(false),
                );
            }
            GweEvent::SessionEnded => {
                let id = match check.field(value, top, "reason", Want::Object) {
                    None => None,
                    Some(reason) => match reason.member("id", Want::Count) {
                        Ok(id) => id.and_then(Json::as_u64),
                        Err(_) => {
                            check.fail(top, "reason.id", "must be 1, 2 or 3");
                            None
                        }
                    },
                };
                event.reason = Some(id.and_then(EndReason::from_id).unwrap_or(EndReason::Agent));
            }
            _ => {}
        }
        match check.fault {
            Some(fault) => Err(fail(&concat(&[fault.path, " ", fault.reason]))),
            None => Ok(event),
        }
    }

    /// The raw event in the §5.2 shape: `type`, `index`, `timestamp`, `party`, and `content`
    /// / `isTyping` / `reason` for the kinds that have them. Absent parts are left out.
    pub fn to_json(&self) -> Json {
        let mut out = Json::object([("type", Json::str(self.kind.name()))]);
        if let Some(index) = self.index {
            out.set("index", Json::from(index));
        }
        if let Some(ms) = self.timestamp {
            out.set("timestamp", Json::Number(ms));
        }
        if let Some(party) = &self.party {
            out.set("party", party.to_json());
        }
        if let Some(content) = &self.content {
            out.set("content", content.to_json());
        }
        if let Some(is_typing) = self.is_typing {
            out.set("isTyping", Json::Bool(is_typing));
        }
        if let Some(reason) = self.reason {
            out.set(
                "reason",
                Json::object([("id", Json::from(u64::from(reason.id())))]),
            );
        }
        out
    }
}

/// `{leaveRequest|agent|error: true}`.
pub(crate) fn reason_map(reason: EndReason) -> Json {
    Json::object([(reason.key(), Json::Bool(true))])
}

/// The text of a checked [`Want::Str`] member; empty when absent.
fn text(value: Option<&Json>) -> &str {
    value.and_then(Json::as_str).unwrap_or_default()
}
