//! GMS Chat API v2: the response envelope, transcript events and the operations a customer
//! sends, over Bayeux (`data` of a publish on `/service/chatV2/{service}`) or REST
//! (form-encoded `POST`s to `/genesys/2/chat/{service}/…`).
//!
//! - [`Envelope`] reads a response or notification (`statusCode`, `chatId`, `secureKey`,
//!   `messages`, `nextPosition`, `chatEnded`, `errors` …) leniently: unknown fields are
//!   ignored, absent fields get neutral defaults, and a field of the wrong type is a
//!   [`ChatError::BadResponse`] naming the field (never a panic);
//! - [`TranscriptEvent`] is one element of `messages[]`;
//! - [`Operation`] builds the Bayeux `data` ([`Operation::bayeux_data`]) and the REST path
//!   and form fields ([`Operation::rest_path`], [`Operation::rest_fields`]);
//! - [`Credentials`] keeps `chatId`, `userId`, `secureKey` and the latest `alias`.
//!
//! The shapes follow what `hotline-server` sends (`server/src/gms.rs`: `envelope`,
//! `notification`, `error_envelope`) and `gms-chat-v2-and-bayeux.md` §1–§3.

mod operation;

pub use operation::{form_encode, user_data_fields, Operation};

use crate::core::error::ChatError;
use crate::core::json::{parse_u64, push_all, push_u64, At, Check, Fault, Json, Want};

/// `from.type` of a transcript event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PartyType {
    /// The customer (GWE "client").
    Client,
    /// An agent.
    Agent,
    /// A supervisor (coaching or barging in).
    Supervisor,
    /// A party outside the contact centre, e.g. the `system` party of notices.
    External,
    /// Any other value, kept as received (empty when `type` was absent).
    Other(String),
}

impl PartyType {
    /// Reads a `from.type` value. `Customer` (the GWS spelling) reads as [`Client`](Self::Client).
    pub fn parse(text: &str) -> Self {
        match text {
            "Client" | "Customer" => PartyType::Client,
            "Agent" => PartyType::Agent,
            "Supervisor" => PartyType::Supervisor,
            "External" => PartyType::External,
            other => PartyType::Other(other.to_owned()),
        }
    }

    /// The GMS spelling: `Client`, `Agent`, `Supervisor`, `External`, or the value as received.
    pub fn as_str(&self) -> &str {
        match self {
            PartyType::Client => "Client",
            PartyType::Agent => "Agent",
            PartyType::Supervisor => "Supervisor",
            PartyType::External => "External",
            PartyType::Other(other) => other,
        }
    }
}

/// `from` of a transcript event.
#[derive(Debug, Clone, PartialEq)]
pub struct Party {
    /// `participantId`, as received (GMS sends a number; a string is kept as a string;
    /// `Null` when absent).
    pub id: Json,
    /// `nickname` (empty when absent).
    pub name: String,
    /// `type`.
    pub party_type: PartyType,
}

/// `type` of a transcript event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EventKind {
    ParticipantJoined,
    ParticipantLeft,
    Message,
    TypingStarted,
    TypingStopped,
    CustomNotice,
    NicknameUpdated,
    PushUrl,
    /// Any other value, kept as received (empty when `type` was absent).
    Other(String),
}

impl EventKind {
    /// Reads a `type` value.
    pub fn parse(text: &str) -> Self {
        match text {
            "ParticipantJoined" => EventKind::ParticipantJoined,
            "ParticipantLeft" => EventKind::ParticipantLeft,
            "Message" => EventKind::Message,
            "TypingStarted" => EventKind::TypingStarted,
            "TypingStopped" => EventKind::TypingStopped,
            "CustomNotice" => EventKind::CustomNotice,
            "NicknameUpdated" => EventKind::NicknameUpdated,
            "PushUrl" => EventKind::PushUrl,
            other => EventKind::Other(other.to_owned()),
        }
    }

    /// The GMS spelling.
    pub fn as_str(&self) -> &str {
        match self {
            EventKind::ParticipantJoined => "ParticipantJoined",
            EventKind::ParticipantLeft => "ParticipantLeft",
            EventKind::Message => "Message",
            EventKind::TypingStarted => "TypingStarted",
            EventKind::TypingStopped => "TypingStopped",
            EventKind::CustomNotice => "CustomNotice",
            EventKind::NicknameUpdated => "NicknameUpdated",
            EventKind::PushUrl => "PushUrl",
            EventKind::Other(other) => other,
        }
    }
}

/// One element of `messages[]`.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptEvent {
    /// `index`: 1-based, never reused within a chat.
    pub index: u64,
    /// `type`.
    pub kind: EventKind,
    /// `from`.
    pub party: Party,
    /// `text` (a message, a pushed URL, a notice or a typing preview).
    pub text: Option<String>,
    /// `messageType` (e.g. `url` for a URL sent as a message).
    pub message_type: Option<String>,
    /// `utcTime`, milliseconds since the Unix epoch.
    pub utc_time_ms: Option<f64>,
    /// `userData`, as received (absent or `null` → `None`).
    pub user_data: Option<Json>,
}

impl TranscriptEvent {
    /// Reads one element of `messages[]`. `at` names it in errors (e.g. `messages[2]`).
    ///
    /// Only `index` is required; `from`, `type`, `text`, `messageType`, `utcTime` may be
    /// absent or `null`. Unknown fields are ignored.
    pub fn from_json(value: &Json, at: &str) -> Result<Self, ChatError> {
        let mut check = Check::default();
        let event = read_event(&mut check, value, At(at, None));
        match check.fault {
            Some(fault) => Err(bad(fault)),
            None => Ok(event.to_owned()),
        }
    }

    /// The event in the GMS shape (`from`, `index`, `type`, `text`, `messageType`, `utcTime`,
    /// `userData`; absent parts are left out).
    pub fn to_json(&self) -> Json {
        let mut out = Json::object([
            (
                "from",
                Json::object([
                    ("nickname", Json::str(self.party.name.as_str())),
                    ("participantId", self.party.id.clone()),
                    ("type", Json::str(self.party.party_type.as_str())),
                ]),
            ),
            ("index", Json::from(self.index)),
            ("type", Json::str(self.kind.as_str())),
        ]);
        if let Some(text) = &self.text {
            out.set("text", Json::str(text.as_str()));
        }
        if let Some(message_type) = &self.message_type {
            out.set("messageType", Json::str(message_type.as_str()));
        }
        if let Some(ms) = self.utc_time_ms {
            out.set("utcTime", Json::Number(ms));
        }
        if let Some(user_data) = &self.user_data {
            out.set("userData", user_data.clone());
        }
        out
    }
}

/// One element of `errors[]`: `{code, advice}` (`message` is accepted for `advice`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeError {
    /// The GWE error code (0 when absent or not a code).
    pub code: u16,
    /// The readable text (empty when absent).
    pub advice: String,
}

/// A GMS chat v2 response or notification.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Envelope {
    /// `statusCode`: 0 success, 1 error (retry may help), 2 error (retry will not help).
    /// Absent → 0.
    pub status_code: u64,
    /// `chatEnded` (absent → false).
    pub chat_ended: bool,
    /// `chatId`.
    pub chat_id: Option<String>,
    /// `userId`.
    pub user_id: Option<String>,
    /// `secureKey`.
    pub secure_key: Option<String>,
    /// `alias`: the Chat Server that handled the request; always use the latest one.
    pub alias: Option<String>,
    /// `nextPosition`: the transcript position to ask for next.
    pub next_position: Option<u64>,
    /// `messages`, in the order received.
    pub messages: Vec<TranscriptEvent>,
    /// `errors` (present when `statusCode` is not 0).
    pub errors: Vec<EnvelopeError>,
}

impl Envelope {
    /// Reads an envelope: a REST response body, or the `data` of a Bayeux notification.
    ///
    /// Unknown fields are ignored; `null` counts as absent. `chatId`, `userId`, `secureKey`
    /// and `alias` may be strings or numbers (a number is kept as its decimal text).
    pub fn from_json(value: &Json) -> Result<Self, ChatError> {
        if value.as_object().is_none() {
            return Err(ChatError::BadResponse(
                "the envelope must be an object".into(),
            ));
        }
        // The readers never return early: the first failed check is kept and returned once,
        // after all of them (see [`Check`]), so the checks run in the order of the fields
        // below.
        let mut check = Check::default();
        let top = At("", None);
        let status_code = check.field(value, top, "statusCode", Want::Count);
        let chat_ended = check.field(value, top, "chatEnded", Want::Bool);
        let next_position = check.field(value, top, "nextPosition", Want::Count);
        // Copied as they are checked (after a failed check they are only dropped, once).
        // Plain loops rather than `collect`: smaller in the wasm.
        let mut messages = Vec::new();
        for (i, item) in array(&mut check, value, "messages").iter().enumerate() {
            messages.push(read_event(&mut check, item, At("messages", Some(i))).to_owned());
        }
        let mut errors = Vec::new();
        for (i, item) in array(&mut check, value, "errors").iter().enumerate() {
            let (code, advice) = read_error(&mut check, item, At("errors", Some(i)));
            errors.push(EnvelopeError {
                code,
                advice: advice.to_owned(),
            });
        }
        let chat_id = check.field(value, top, "chatId", Want::StrOrNumber);
        let user_id = check.field(value, top, "userId", Want::StrOrNumber);
        let secure_key = check.field(value, top, "secureKey", Want::StrOrNumber);
        let alias = check.field(value, top, "alias", Want::StrOrNumber);
        if let Some(fault) = check.fault {
            return Err(bad(fault));
        }
        Ok(Envelope {
            status_code: status_code.and_then(Json::as_u64).unwrap_or(0),
            chat_ended: chat_ended.and_then(Json::as_bool).unwrap_or(false),
            chat_id: id_text(chat_id),
            user_id: id_text(user_id),
            secure_key: id_text(secure_key),
            alias: id_text(alias),
            next_position: next_position.and_then(Json::as_u64),
            messages,
            errors,
        })
    }

    /// Parses JSON text and reads it as an envelope.
    pub fn parse(text: &str) -> Result<Self, ChatError> {
        let value = Json::parse(text).map_err(|e| ChatError::BadResponse(e.text()))?;
        Self::from_json(&value)
    }

    /// Whether the request succeeded (`statusCode` 0).
    pub fn is_ok(&self) -> bool {
        self.status_code == 0
    }

    /// Whether a failed request may succeed when repeated (`statusCode` 1).
    pub fn is_retryable(&self) -> bool {
        self.status_code == 1
    }

    /// The error of a failed request (`statusCode` not 0), `None` on success.
    ///
    /// The GWE code and text are those of `errors[0]` (`code`, `advice`), forwarded as
    /// [`ChatError::Remote`]. An error envelope without `errors` gives code 0 with a text
    /// naming the status code.
    pub fn error(&self) -> Option<ChatError> {
        if self.is_ok() {
            return None;
        }
        Some(match self.errors.first() {
            Some(first) => ChatError::remote(first.code, first.advice.as_str()),
            None => {
                let mut text = String::from("the chat server refused the request (statusCode ");
                push_u64(&mut text, self.status_code);
                text.push(')');
                ChatError::remote(0, text)
            }
        })
    }
}

/// What identifies the customer's participant in a GMS chat.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Credentials {
    /// `chatId` (REST path segment; not sent over Bayeux).
    pub chat_id: String,
    /// `userId` (REST only).
    pub user_id: String,
    /// `secureKey` (every request after `requestChat`).
    pub secure_key: String,
    /// `alias` (REST only; "may change several times within the same session").
    pub alias: String,
}

impl Credentials {
    /// Takes what a successful envelope carries: `chatId`, `userId` and `secureKey` when not
    /// known yet (a notification without them keeps the old ones), and `alias` whenever it is
    /// present, because the latest alias must be used. Error envelopes are ignored.
    pub fn absorb(&mut self, envelope: &Envelope) {
        if !envelope.is_ok() {
            return;
        }
        let fill = |slot: &mut String, value: &Option<String>| {
            if let Some(value) = value.as_ref().filter(|v| !v.is_empty()) {
                if slot.is_empty() {
                    slot.clone_from(value);
                }
            }
        };
        fill(&mut self.chat_id, &envelope.chat_id);
        fill(&mut self.user_id, &envelope.user_id);
        fill(&mut self.secure_key, &envelope.secure_key);
        if let Some(alias) = envelope.alias.as_ref().filter(|a| !a.is_empty()) {
            self.alias.clone_from(alias);
        }
    }

    /// Whether `requestChat` has been answered (there is a `secureKey` to send).
    pub fn is_complete(&self) -> bool {
        !self.secure_key.is_empty()
    }
}

/// The error for a failed check of `{at}[{index}]{path}` (`path` is empty, a key, or starts
/// with `.`). Built with `push_str`, not `format!`: `fmt` is large in the wasm.
#[inline(never)]
fn bad(fault: Fault) -> ChatError {
    let mut text = String::from("`");
    text.push_str(fault.at.0);
    if let Some(i) = fault.at.1 {
        text.push('[');
        push_u64(&mut text, i as u64);
        text.push(']');
    }
    push_all(&mut text, &[fault.path, "` ", fault.reason]);
    ChatError::BadResponse(text)
}

/// Checks one element of `messages[]` (see [`TranscriptEvent::from_json`]).
fn read_event<'a, 'p>(check: &mut Check<'p>, value: &'a Json, at: At<'p>) -> EventView<'a> {
    let mut view = EventView {
        value,
        index: 0,
        id: None,
        name: None,
        party_type: None,
        utc_time_ms: None,
        kind: None,
        text: None,
        message_type: None,
    };
    if !check.object(value, at) {
        return view;
    }
    // `index: null` is a wrong value, not a missing one.
    match value.get("index").map(Json::as_u64) {
        Some(Some(index)) => view.index = index,
        Some(None) => check.fail(at, ".index", Want::Count.reason()),
        None => check.fail(at, ".index", "is missing"),
    }
    if let Some(from) = check.field(value, at, ".from", Want::Object) {
        view.id = check.field(from, at, ".from.participantId", Want::Id);
        view.name = check.field(from, at, ".from.nickname", Want::Str);
        view.party_type = check.field(from, at, ".from.type", Want::Str);
    }
    view.utc_time_ms = check.field(value, at, ".utcTime", Want::Number);
    view.kind = check.field(value, at, ".type", Want::Str);
    view.text = check.field(value, at, ".text", Want::Str);
    view.message_type = check.field(value, at, ".messageType", Want::Str);
    view
}

/// Checks one element of `errors[]`: its code and its advice (`message` is accepted for it).
fn read_error<'a, 'p>(check: &mut Check<'p>, item: &'a Json, at: At<'p>) -> (u16, &'a str) {
    if !check.object(item, at) {
        return (0, "");
    }
    let code = match item.get("code").filter(|v| !v.is_null()) {
        None => 0,
        Some(Json::Number(n)) => Json::Number(*n)
            .as_u64()
            .and_then(|c| u16::try_from(c).ok())
            .unwrap_or(0),
        Some(Json::String(text)) => parse_u64(text.trim())
            .and_then(|c| u16::try_from(c).ok())
            .unwrap_or(0),
        Some(_) => {
            check.fail(at, ".code", Want::Number.reason());
            0
        }
    };
    let advice = match check.field(item, at, ".advice", Want::Str) {
        Some(advice) => Some(advice),
        None => check.field(item, at, ".message", Want::Str),
    };
    (code, text(advice))
}

/// The array member `key` (empty when absent, `null` or wrong).
fn array<'a>(check: &mut Check, object: &'a Json, key: &'static str) -> &'a [Json] {
    check
        .field(object, At("", None), key, Want::Array)
        .and_then(Json::as_array)
        .unwrap_or_default()
}

/// The text of a string, empty for anything else (a checked [`Want::Str`] member).
fn text(value: Option<&Json>) -> &str {
    value.and_then(Json::as_str).unwrap_or_default()
}

/// A checked [`Want::StrOrNumber`] member as text (a number as its decimal text).
fn id_text(value: Option<&Json>) -> Option<String> {
    let value = value?;
    Some(match value.as_str() {
        Some(text) => text.to_owned(),
        None => {
            let mut text = String::new();
            value.write_to(&mut text);
            text
        }
    })
}

/// A transcript event checked but not copied yet: every member is borrowed from the JSON.
struct EventView<'a> {
    value: &'a Json,
    index: u64,
    id: Option<&'a Json>,
    name: Option<&'a Json>,
    party_type: Option<&'a Json>,
    utc_time_ms: Option<&'a Json>,
    kind: Option<&'a Json>,
    text: Option<&'a Json>,
    message_type: Option<&'a Json>,
}

impl EventView<'_> {
    /// The event, copied out of the JSON.
    fn to_owned(&self) -> TranscriptEvent {
        TranscriptEvent {
            index: self.index,
            kind: EventKind::parse(text(self.kind)),
            party: Party {
                id: self.id.cloned().unwrap_or_default(),
                name: text(self.name).to_owned(),
                party_type: PartyType::parse(text(self.party_type)),
            },
            text: self.text.and_then(Json::as_str).map(str::to_owned),
            message_type: self.message_type.and_then(Json::as_str).map(str::to_owned),
            utc_time_ms: self.utc_time_ms.and_then(Json::as_f64),
            user_data: self.value.get("userData").filter(|v| !v.is_null()).cloned(),
        }
    }
}

#[cfg(test)]
mod tests;

/// The events ordered by index. Transcripts arrive in order almost always, so an insertion
/// sort (linear on sorted input, and small in the wasm) beats a general-purpose sort here.
pub fn by_index(events: &[TranscriptEvent]) -> Vec<&TranscriptEvent> {
    let mut sorted: Vec<&TranscriptEvent> = Vec::with_capacity(events.len());
    for event in events {
        let at = sorted
            .iter()
            .rposition(|earlier| earlier.index <= event.index)
            .map_or(0, |i| i + 1);
        sorted.insert(at, event);
    }
    sorted
}
