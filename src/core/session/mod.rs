//! The chat session, sans-IO: transcript events in, GWE event payloads out.
//!
//! [`ChatSession`] receives transcript events — GMS events from live notifications and from
//! the replay a restored session asks for ([`ChatSession::ingest`],
//! [`ChatSession::ingest_envelope`]), or raw events from a custom transport
//! ([`ChatSession::ingest_raw`]) — and returns what to fire as [`Emitted`] values: an event
//! name and its payload, a [`Json`] object in the shape of `genesys-chat.md` §3.3. It does no
//! I/O and keeps no callbacks; the facade calls the page's callbacks with the payloads and,
//! for a callback registered late, first with every payload of [`ChatSession::history`].
//!
//! # Payloads
//!
//! | Event | Payload |
//! |---|---|
//! | AgentConnected, AgentDisconnected | `{party:{id, name, type:'Agent'\|'Client'\|'External'}, index, timestamp, restored}` |
//! | AgentTyping | `{party:{id, name, type}, isTyping, index}` (not memorised, no `restored`) |
//! | MessageReceived | `{content:{text, type:'text'\|'url'\|'notice'}, timestamp, index, restored, party:{id, name, type:{agent:true}\|{client:true}\|{external:true}}}` |
//! | SessionEnded | `{reason:{leaveRequest\|agent\|error: true}, restored}` |
//! | Error | `{error:{code, description}, restored: false}` |
//! | Interrupted, Continued | `{timestamp}`: when the connection was lost / came back (ms since the epoch) |
//!
//! AgentConnected fires for the customer's own join too (as GWE does). Typing events of the
//! customer's own party produce nothing, and neither do typing events from history.
//!
//! # Exactly once, in order
//!
//! An event whose index is not above the last index accepted is dropped: duplicates,
//! late arrivals, and the overlap between a restore replay and live notifications. Each GMS
//! batch is sorted by index first. Raw events without an index are never dropped.
//! [`ChatSession::last_index`] is what the facade persists.
//!
//! # Restore
//!
//! [`ChatSession::restored`] takes the saved last index `n`; the facade then asks for the
//! whole transcript (`requestNotifications` from position [`ChatSession::notification_position`],
//! which is 1). Events with an index up to `n` were seen before the page load: they are
//! replayed with `restored: true` (typing events among them are skipped); later ones are live.
//!
//! # Memory
//!
//! Each memorised event kind keeps at most [`DEFAULT_HISTORY_CAP`] payloads (10 000; see
//! [`ChatSession::with_history_cap`]). Past that, the oldest are forgotten for late
//! callbacks only: live delivery, dedupe and `getTranscript` are unaffected.
//!
//! # Ending
//!
//! After SessionEnded (from the server, a raw event, [`ChatSession::end`] or `leave()`),
//! [`ChatSession::check_active`] fails with [`ChatError::SessionEnded`] — the JS layer throws
//! `TypeError('Genesys Chat: session has ended')` — and no further event is produced.
//! `leave()` is [`ChatSession::begin_leave`] (commands fail from here on), the facade's
//! clean-up and `disconnect`, then [`ChatSession::finish_leave`], which fires
//! `SessionEnded {reason:{leaveRequest:true}, restored:false}`; an end the server reports in
//! between (the `disconnect` response has `chatEnded: true`) fires nothing itself.

mod commands;
mod event;

pub use commands::{
    from_index_to_position, merge_user_data, parse_from_index, parse_send_message,
    parse_send_typing, parse_set_user_data, transcript_json, transcript_payload, PageContext,
};
pub use event::{Content, ContentType, EndReason, GweEvent, RawEvent, RawParty};

use std::collections::VecDeque;

use crate::core::error::ChatError;
use crate::core::gms::{Envelope, TranscriptEvent};
use crate::core::json::Json;
use event::reason_map;

/// How many payloads of each memorised event kind a session keeps for late callbacks.
pub const DEFAULT_HISTORY_CAP: usize = 10_000;

/// An event to fire: its name and its payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Emitted {
    pub event: GweEvent,
    pub payload: Json,
}

/// Where raw events come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Happening now (or, for indices up to the restored last index, history).
    Live,
    /// History being replayed: every event is `restored: true`.
    Restored,
}

/// The state of one chat session.
#[derive(Debug, Clone)]
pub struct ChatSession {
    /// The highest index accepted, if any.
    last_index: Option<u64>,
    /// Indices up to this one were seen before a page load (0: none).
    restore_until: u64,
    /// Commands are allowed.
    active: bool,
    /// SessionEnded has fired.
    ended: bool,
    /// `leave()` began and has not finished: the end the server reports is `leaveRequest`.
    leaving: bool,
    /// Interrupted has fired and Continued has not yet.
    interrupted: bool,
    history: [VecDeque<Json>; GweEvent::ALL.len()],
    forgotten: [u64; GweEvent::ALL.len()],
    history_cap: usize,
}

impl Default for ChatSession {
    fn default() -> Self {
        Self::new()
    }
}

impl ChatSession {
    /// A new session (after `startSession`).
    pub fn new() -> Self {
        ChatSession {
            last_index: None,
            restore_until: 0,
            active: true,
            ended: false,
            leaving: false,
            interrupted: false,
            history: Default::default(),
            forgotten: [0; GweEvent::ALL.len()],
            history_cap: DEFAULT_HISTORY_CAP,
        }
    }

    /// A session reattached by `restoreSession`; `saved_last_index` is the persisted
    /// [`last_index`](Self::last_index). Events up to it are replayed as `restored: true`.
    pub fn restored(saved_last_index: u64) -> Self {
        ChatSession {
            restore_until: saved_last_index,
            ..Self::new()
        }
    }

    /// Keeps at most `cap` payloads per memorised event kind (at least 1).
    pub fn with_history_cap(mut self, cap: usize) -> Self {
        self.history_cap = cap.max(1);
        self
    }

    /// Whether commands are allowed (not ended, not leaving).
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// Whether SessionEnded has fired.
    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// `Ok` while commands are allowed; [`ChatError::SessionEnded`] after the session ended
    /// or `leave()` began. Every command calls it first.
    pub fn check_active(&self) -> Result<(), ChatError> {
        if self.active {
            Ok(())
        } else {
            Err(ChatError::SessionEnded)
        }
    }

    /// The index to persist: the highest index accepted, or the restored last index if the
    /// replay has not reached it yet (0 when nothing was seen).
    pub fn last_index(&self) -> u64 {
        self.last_index.unwrap_or(0).max(self.restore_until)
    }

    /// The transcript position (1-based) to ask `requestNotifications` / `refresh` for:
    /// one past the last index accepted, or 1 when none was (a new or restored session gets
    /// the whole transcript; duplicates are dropped).
    pub fn notification_position(&self) -> u64 {
        self.last_index.map_or(1, |last| last.saturating_add(1))
    }

    /// Takes GMS transcript events (a notification's or response's `messages`), in any order.
    pub fn ingest(&mut self, events: &[TranscriptEvent], now_ms: f64) -> Vec<Emitted> {
        let mut out = Vec::new();
        for event in crate::core::gms::by_index(events) {
            if self.ended || !self.accept(Some(event.index)) {
                continue;
            }
            if let Some(raw) = RawEvent::from_transcript(event) {
                if let Some(emitted) = self.fire_raw(&raw, Origin::Live, now_ms) {
                    out.push(emitted);
                }
            }
        }
        out
    }

    /// Takes a whole envelope: its `messages` when it is a success, then SessionEnded when
    /// `chatEnded` is true — reason `agent` for a success, `error` for an error envelope.
    /// While `leave()` is under way (the `disconnect` response says `chatEnded`), the end is
    /// left to [`finish_leave`](Self::finish_leave), which reports it as `leaveRequest`.
    ///
    /// It never fires Error: an error envelope answering a command rejects that command's
    /// promise; for one that answers nothing, the facade calls [`error`](Self::error) with
    /// [`Envelope::error`].
    pub fn ingest_envelope(&mut self, envelope: &Envelope, now_ms: f64) -> Vec<Emitted> {
        let mut out = Vec::new();
        if envelope.is_ok() {
            out = self.ingest(&envelope.messages, now_ms);
        }
        if envelope.chat_ended && !self.leaving {
            let reason = if envelope.is_ok() {
                EndReason::Agent
            } else {
                EndReason::Error
            };
            if let Some(emitted) = self.end(reason) {
                out.push(emitted);
            }
        }
        out
    }

    /// Takes raw events from a custom transport (pushed events, a `getTranscript` replay or a
    /// `leaveSession` delta), in the order given.
    pub fn ingest_raw(&mut self, events: &[RawEvent], origin: Origin, now_ms: f64) -> Vec<Emitted> {
        let mut out = Vec::new();
        for event in events {
            if self.ended || !self.accept(event.index) {
                continue;
            }
            if let Some(emitted) = self.fire_raw(event, origin, now_ms) {
                out.push(emitted);
            }
        }
        out
    }

    /// Ends the session: SessionEnded `{reason, restored: false}`, unless it already ended.
    pub fn end(&mut self, reason: EndReason) -> Option<Emitted> {
        if self.ended {
            return None;
        }
        self.active = false;
        self.ended = true;
        self.leaving = false;
        let payload = Json::object([
            ("reason", reason_map(reason)),
            ("restored", Json::Bool(false)),
        ]);
        Some(self.memorise(GweEvent::SessionEnded, payload))
    }

    /// The first step of `leave()`: fails when the session is not active, otherwise makes
    /// every later command fail. The facade then cleans up (stops saving state, clears it),
    /// sends `disconnect`, feeds the response (or a transcript delta) to
    /// [`ingest_envelope`](Self::ingest_envelope) / [`ingest_raw`](Self::ingest_raw), and
    /// calls [`finish_leave`](Self::finish_leave) — also when `disconnect` failed. Until then,
    /// an end reported by the server or the transport fires nothing.
    pub fn begin_leave(&mut self) -> Result<(), ChatError> {
        self.check_active()?;
        self.active = false;
        self.leaving = true;
        Ok(())
    }

    /// The last step of `leave()`: SessionEnded `{reason:{leaveRequest:true}, restored:false}`
    /// (the server does not send it), unless the session already ended.
    pub fn finish_leave(&mut self) -> Option<Emitted> {
        self.end(EndReason::LeaveRequest)
    }

    /// Error `{error:{code, description}, restored: false}`, unless the session ended.
    pub fn error(&mut self, error: &ChatError) -> Option<Emitted> {
        if self.ended {
            return None;
        }
        let payload = Json::object([
            (
                "error",
                Json::object([
                    ("code", Json::from(u64::from(error.code()))),
                    ("description", Json::from(error.description())),
                ]),
            ),
            ("restored", Json::Bool(false)),
        ]);
        Some(self.memorise(GweEvent::Error, payload))
    }

    /// Interrupted `{timestamp}` when the connection is lost; nothing if it already was, or
    /// if the session ended.
    pub fn interrupted(&mut self, now_ms: f64) -> Option<Emitted> {
        if self.ended || self.interrupted {
            return None;
        }
        self.interrupted = true;
        let payload = Json::object([("timestamp", Json::Number(now_ms))]);
        Some(self.memorise(GweEvent::Interrupted, payload))
    }

    /// Continued `{timestamp}` when the connection is back after Interrupted; nothing
    /// otherwise.
    pub fn continued(&mut self, now_ms: f64) -> Option<Emitted> {
        if self.ended || !self.interrupted {
            return None;
        }
        self.interrupted = false;
        let payload = Json::object([("timestamp", Json::Number(now_ms))]);
        Some(self.memorise(GweEvent::Continued, payload))
    }

    /// Whether the connection is reported lost (Interrupted fired, Continued not yet).
    pub fn is_interrupted(&self) -> bool {
        self.interrupted
    }

    /// The payloads fired so far for `event`, oldest first (the last
    /// [`DEFAULT_HISTORY_CAP`] of them); empty for AgentTyping. A callback registered late
    /// is called with each of them, in order, before live events.
    pub fn history(&self, event: GweEvent) -> impl ExactSizeIterator<Item = &Json> + '_ {
        self.history
            .get(event.slot())
            .map(|queue| queue.iter())
            .unwrap_or_default()
    }

    /// How many payloads of `event` were forgotten because of the history cap.
    pub fn forgotten(&self, event: GweEvent) -> u64 {
        self.forgotten.get(event.slot()).copied().unwrap_or(0)
    }

    /// Dedupe: whether an event with this index is new (and, if so, records it).
    fn accept(&mut self, index: Option<u64>) -> bool {
        let Some(index) = index else {
            return true;
        };
        if self.last_index.is_some_and(|last| index <= last) {
            return false;
        }
        self.last_index = Some(index);
        true
    }

    fn fire_raw(&mut self, raw: &RawEvent, origin: Origin, now_ms: f64) -> Option<Emitted> {
        // A saved last index of 0 means nothing was seen: nothing is history then.
        let restored = origin == Origin::Restored
            || (self.restore_until > 0
                && raw.index.is_some_and(|index| index <= self.restore_until));
        let timestamp = Json::Number(raw.timestamp.unwrap_or(now_ms));
        let index = raw.index.map(Json::from);
        // Borrowed, not cloned: only the payload needs copies.
        let no_party = RawParty {
            id: Json::Null,
            name: String::new(),
            party_type: String::new(),
        };
        let party = raw.party.as_ref().unwrap_or(&no_party);
        let mut payload = match raw.kind {
            GweEvent::AgentConnected | GweEvent::AgentDisconnected => Json::object([
                ("party", party.to_json()),
                ("index", index.unwrap_or_default()),
                ("timestamp", timestamp),
                ("restored", Json::Bool(restored)),
            ]),
            GweEvent::AgentTyping => {
                if restored || party.is_client() {
                    return None;
                }
                let payload = Json::object([
                    ("party", party.to_json()),
                    ("isTyping", Json::Bool(raw.is_typing.unwrap_or(false))),
                    ("index", index.unwrap_or_default()),
                ]);
                return Some(Emitted {
                    event: GweEvent::AgentTyping,
                    payload,
                });
            }
            GweEvent::MessageReceived => {
                let content = match &raw.content {
                    Some(content) => content.to_json(),
                    None => Content {
                        text: String::new(),
                        content_type: ContentType::Text,
                    }
                    .to_json(),
                };
                Json::object([
                    ("content", content),
                    ("timestamp", timestamp),
                    ("index", index.unwrap_or_default()),
                    ("restored", Json::Bool(restored)),
                    ("party", party.to_json_with_type_map()),
                ])
            }
            GweEvent::SessionEnded => {
                if self.leaving {
                    // `finish_leave` reports this end, as `leaveRequest`.
                    return None;
                }
                self.active = false;
                self.ended = true;
                Json::object([
                    ("reason", reason_map(raw.reason.unwrap_or(EndReason::Agent))),
                    ("restored", Json::Bool(restored)),
                ])
            }
            GweEvent::Error | GweEvent::Interrupted | GweEvent::Continued => return None,
        };
        // An event without an index has `index: undefined` in GWE: leave the member out.
        if raw.index.is_none() {
            payload.remove("index");
        }
        Some(self.memorise(raw.kind, payload))
    }

    fn memorise(&mut self, event: GweEvent, payload: Json) -> Emitted {
        if event.is_memorised() {
            let cap = self.history_cap;
            if let Some(queue) = self.history.get_mut(event.slot()) {
                if queue.len() >= cap {
                    queue.pop_front();
                    if let Some(count) = self.forgotten.get_mut(event.slot()) {
                        *count = count.saturating_add(1);
                    }
                }
                queue.push_back(payload.clone());
            }
        }
        Emitted { event, payload }
    }
}

#[cfg(test)]
mod tests;
