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
use crate::core::json::{push_u64, Json};

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
        if value.as_object().is_none() {
            return Err(bad(at, "", "must be an object"));
        }
        let index = match value.get("index") {
            Some(index) => index
                .as_u64()
                .ok_or_else(|| bad(at, ".index", "must be a whole number, 0 or more"))?,
            None => return Err(bad(at, ".index", "is missing")),
        };
        // Everything is checked on borrowed values first and copied only at the end: an
        // early return then has nothing to drop, which keeps the error paths small in wasm.
        let (id, name, party_type) = match present(value.get("from")) {
            None => (&Json::Null, None, None),
            Some(from) if from.as_object().is_some() => (
                match present(from.get("participantId")) {
                    None => &Json::Null,
                    Some(id @ (Json::Number(_) | Json::String(_))) => id,
                    Some(_) => {
                        return Err(bad(
                            at,
                            ".from.participantId",
                            "must be a number or a string",
                        ))
                    }
                },
                opt_str(from, at, ".from.nickname")?,
                opt_str(from, at, ".from.type")?,
            ),
            Some(_) => return Err(bad(at, ".from", "must be an object")),
        };
        let utc_time_ms = match present(value.get("utcTime")) {
            None => None,
            Some(Json::Number(ms)) if ms.is_finite() => Some(*ms),
            Some(_) => return Err(bad(at, ".utcTime", "must be a number")),
        };
        let kind = opt_str(value, at, ".type")?;
        let text = opt_str(value, at, ".text")?;
        let message_type = opt_str(value, at, ".messageType")?;
        Ok(TranscriptEvent {
            index,
            kind: EventKind::parse(kind.unwrap_or_default()),
            party: Party {
                id: id.clone(),
                name: name.unwrap_or_default().to_owned(),
                party_type: PartyType::parse(party_type.unwrap_or_default()),
            },
            text: text.map(str::to_owned),
            message_type: message_type.map(str::to_owned),
            utc_time_ms,
            user_data: present(value.get("userData")).cloned(),
        })
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
        let status_code = match present(value.get("statusCode")) {
            None => 0,
            Some(code) => code
                .as_u64()
                .ok_or_else(|| bad("statusCode", "", "must be a whole number, 0 or more"))?,
        };
        let chat_ended = match present(value.get("chatEnded")) {
            None => false,
            Some(Json::Bool(flag)) => *flag,
            Some(_) => return Err(bad("chatEnded", "", "must be true or false")),
        };
        let next_position = match present(value.get("nextPosition")) {
            None => None,
            Some(position) => Some(
                position
                    .as_u64()
                    .ok_or_else(|| bad("nextPosition", "", "must be a whole number, 0 or more"))?,
            ),
        };
        // Plain loops rather than `collect::<Result<Vec<_>, _>>()`: smaller in the wasm.
        let mut messages = Vec::new();
        for (i, item) in array(value, "messages")?.iter().enumerate() {
            messages.push(TranscriptEvent::from_json(item, &indexed("messages", i))?);
        }
        let mut errors = Vec::new();
        for (i, item) in array(value, "errors")?.iter().enumerate() {
            errors.push(envelope_error(item, &indexed("errors", i))?);
        }
        Ok(Envelope {
            status_code,
            chat_ended,
            chat_id: id_text(value, "chatId")?,
            user_id: id_text(value, "userId")?,
            secure_key: id_text(value, "secureKey")?,
            alias: id_text(value, "alias")?,
            next_position,
            messages,
            errors,
        })
    }

    /// Parses JSON text and reads it as an envelope.
    pub fn parse(text: &str) -> Result<Self, ChatError> {
        let value = Json::parse(text).map_err(|e| ChatError::BadResponse(e.to_string()))?;
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

/// The error for the field `{at}{key}` (`key` is empty or starts with `.`). Built with
/// `push_str`, not `format!`: there are many call sites and `fmt` is large in the wasm.
fn bad(at: &str, key: &str, reason: &str) -> ChatError {
    let mut text = String::new();
    for part in ["`", at, key, "` ", reason] {
        text.push_str(part);
    }
    ChatError::BadResponse(text)
}

/// `name[i]`, naming an array element in errors.
fn indexed(name: &str, i: usize) -> String {
    let mut text = String::from(name);
    text.push('[');
    push_u64(&mut text, i as u64);
    text.push(']');
    text
}

/// The array member `key` (empty when absent or `null`).
fn array<'a>(object: &'a Json, key: &str) -> Result<&'a [Json], ChatError> {
    match present(object.get(key)) {
        None => Ok(&[]),
        Some(Json::Array(items)) => Ok(items),
        Some(_) => Err(bad(key, "", "must be an array")),
    }
}

/// `None` for an absent member or `null`.
fn present(value: Option<&Json>) -> Option<&Json> {
    value.filter(|v| !v.is_null())
}

/// The string member named by `path` (`.key`, or `.from.key` read from `object` = `from`);
/// `at` and `path` name it in errors.
fn opt_str<'a>(object: &'a Json, at: &str, path: &str) -> Result<Option<&'a str>, ChatError> {
    // A byte search: `rsplit('.')` would link the reverse char searcher into the wasm.
    let key = match path.bytes().rposition(|b| b == b'.') {
        Some(dot) => path.get(dot + 1..).unwrap_or_default(),
        None => path,
    };
    match present(object.get(key)) {
        None => Ok(None),
        Some(Json::String(text)) => Ok(Some(text)),
        Some(_) => Err(bad(at, path, "must be a string")),
    }
}

fn id_text(object: &Json, key: &str) -> Result<Option<String>, ChatError> {
    match present(object.get(key)) {
        None => Ok(None),
        Some(Json::String(text)) => Ok(Some(text.clone())),
        Some(number @ Json::Number(_)) => {
            let mut text = String::new();
            number.write_to(&mut text);
            Ok(Some(text))
        }
        Some(_) => Err(bad(key, "", "must be a string")),
    }
}

fn envelope_error(item: &Json, at: &str) -> Result<EnvelopeError, ChatError> {
    if item.as_object().is_none() {
        return Err(bad(at, "", "must be an object"));
    }
    let code = match present(item.get("code")) {
        None => 0,
        Some(Json::Number(n)) => Json::Number(*n)
            .as_u64()
            .and_then(|c| u16::try_from(c).ok())
            .unwrap_or(0),
        Some(Json::String(text)) => text.trim().parse().unwrap_or(0),
        Some(_) => return Err(bad(at, ".code", "must be a number")),
    };
    let advice = match opt_str(item, at, ".advice")? {
        Some(advice) => advice,
        None => opt_str(item, at, ".message")?.unwrap_or_default(),
    };
    Ok(EnvelopeError {
        code,
        advice: advice.to_owned(),
    })
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
