//! What the workspace reports: [`Event`]s (some for CIF handlers, some for the console UI),
//! presences, and the registry of `addHandler` handlers.
//!
//! # Delivery
//!
//! For each event with a [`cif_name`](Event::cif_name), call the handlers registered for that
//! name ([`Handlers::for_event`]) with [`handler_argument`](Event::handler_argument): CIF hands
//! handlers a **JSON string** (sample handlers do `JSON.parse(eventData)`), and expects each to
//! return a Promise. Events without a CIF name are for the console that draws the workspace.
//!
//! | event | CIF name | payload |
//! |---|---|---|
//! | [`Event::SessionSwitched`] | `onSessionSwitched` | `{sessionId, focussed, focused, context}` (both spellings, A.7) |
//! | [`Event::SessionClosed`] | `onSessionClosed` | `{sessionId, context}` |
//! | [`Event::PresenceChanged`] | `onPresenceChange` | `{presenceId, presenceInfo:{basePresenceStatus, presenceColor, presenceId, presenceText}}` |
//! | [`Event::ModeChanged`] | `onmodechanged` | `0` \| `1` \| `2` |
//! | [`Event::SizeChanged`] | `onsizechanged` | the width in px |
//! | [`Event::Custom`] | its name (`raiseEvent`) | as raised; a string payload is passed unchanged |
//! | the others | – (console only) | `{sessionId}` or `{sessionId, tabId}` |

use crate::core::json::Json;

use super::errors::CifError;

pub const ON_SESSION_SWITCHED: &str = "onSessionSwitched";
pub const ON_SESSION_CLOSED: &str = "onSessionClosed";
pub const ON_PRESENCE_CHANGE: &str = "onPresenceChange";
pub const ON_MODE_CHANGED: &str = "onmodechanged";
pub const ON_SIZE_CHANGED: &str = "onsizechanged";

/// Something that happened in the workspace, in the order it happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A provider session lost (`focused: false`) or gained (`true`) focus. A switch between
    /// two provider sessions gives two events, old then new.
    SessionSwitched {
        session_id: String,
        focused: bool,
        context: Json,
    },
    /// A provider session was closed.
    SessionClosed {
        session_id: String,
        context: Json,
    },
    PresenceChanged(Presence),
    ModeChanged(u8),
    SizeChanged(f64),
    /// `raiseEvent(name, payload)`.
    Custom {
        name: String,
        payload: Json,
    },

    // For the console only.
    /// A session was created (before its focus events).
    SessionCreated {
        session_id: String,
    },
    /// Any session, the Home session included, took focus.
    SessionFocused {
        session_id: String,
    },
    /// Title, indicators (activity count, KPI breach, focus request) or context changed.
    SessionUpdated {
        session_id: String,
    },
    TabCreated {
        session_id: String,
        tab_id: String,
    },
    TabFocused {
        session_id: String,
        tab_id: String,
    },
    /// Its title changed.
    TabUpdated {
        session_id: String,
        tab_id: String,
    },
    TabRefreshed {
        session_id: String,
        tab_id: String,
    },
    TabClosed {
        session_id: String,
        tab_id: String,
    },
}

impl Event {
    /// The name CIF handlers are registered under, or `None` for console-only events.
    pub fn cif_name(&self) -> Option<&str> {
        Some(match self {
            Event::SessionSwitched { .. } => ON_SESSION_SWITCHED,
            Event::SessionClosed { .. } => ON_SESSION_CLOSED,
            Event::PresenceChanged(_) => ON_PRESENCE_CHANGE,
            Event::ModeChanged(_) => ON_MODE_CHANGED,
            Event::SizeChanged(_) => ON_SIZE_CHANGED,
            Event::Custom { name, .. } => name,
            _ => return None,
        })
    }

    /// The event data (see the module table).
    pub fn payload(&self) -> Json {
        let ids = |session_id: &str, tab_id: Option<&str>| {
            let mut members = vec![("sessionId", Json::from(session_id))];
            if let Some(tab_id) = tab_id {
                members.push(("tabId", Json::from(tab_id)));
            }
            Json::object(members)
        };
        match self {
            Event::SessionSwitched {
                session_id,
                focused,
                context,
            } => Json::object([
                ("sessionId", Json::from(session_id.as_str())),
                ("focussed", Json::Bool(*focused)),
                ("focused", Json::Bool(*focused)),
                ("context", context.clone()),
            ]),
            Event::SessionClosed {
                session_id,
                context,
            } => Json::object([
                ("sessionId", Json::from(session_id.as_str())),
                ("context", context.clone()),
            ]),
            Event::PresenceChanged(presence) => Json::object([
                ("presenceId", Json::from(presence.id.as_str())),
                ("presenceInfo", presence.to_json()),
            ]),
            Event::ModeChanged(mode) => Json::from(u64::from(*mode)),
            Event::SizeChanged(width) => Json::Number(*width),
            Event::Custom { payload, .. } => payload.clone(),
            Event::SessionCreated { session_id }
            | Event::SessionFocused { session_id }
            | Event::SessionUpdated { session_id } => ids(session_id, None),
            Event::TabCreated { session_id, tab_id }
            | Event::TabFocused { session_id, tab_id }
            | Event::TabUpdated { session_id, tab_id }
            | Event::TabRefreshed { session_id, tab_id }
            | Event::TabClosed { session_id, tab_id } => ids(session_id, Some(tab_id)),
        }
    }

    /// What a CIF handler receives: the payload as JSON text, except that a custom event's
    /// string payload is passed as it is.
    pub fn handler_argument(&self) -> String {
        match self {
            Event::Custom {
                payload: Json::String(text),
                ..
            } => text.clone(),
            other => other.payload().to_string(),
        }
    }
}

/// An agent presence (`setPresence` / `getPresence` / `onPresenceChange`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub id: String,
    /// What `setPresence` must match exactly and `getPresence` returns.
    pub text: String,
    /// `AVAILABLE`, `BUSY`, `BUSY_DND`, `AWAY`, `OFFLINE`.
    pub base_status: String,
    /// `#rrggbb`.
    pub color: String,
}

impl Presence {
    /// Omnichannel's five base presences; the first, `Available`, is the initial one.
    pub fn defaults() -> Vec<Presence> {
        [
            ("available", "Available", "AVAILABLE", "#8DC63F"),
            ("busy", "Busy", "BUSY", "#FF0000"),
            ("busy-dnd", "Busy - DND", "BUSY_DND", "#FF0000"),
            ("away", "Away", "AWAY", "#FDB813"),
            ("offline", "Offline", "OFFLINE", "#A0A0A0"),
        ]
        .iter()
        .map(|(id, text, base, color)| Presence {
            id: (*id).into(),
            text: (*text).into(),
            base_status: (*base).into(),
            color: (*color).into(),
        })
        .collect()
    }

    /// `{basePresenceStatus, presenceColor, presenceId, presenceText}`.
    pub fn to_json(&self) -> Json {
        Json::object([
            ("basePresenceStatus", Json::from(self.base_status.as_str())),
            ("presenceColor", Json::from(self.color.as_str())),
            ("presenceId", Json::from(self.id.as_str())),
            ("presenceText", Json::from(self.text.as_str())),
        ])
    }

    /// Reads a list of `{presenceId, presenceText, basePresenceStatus?, presenceColor?}`.
    pub fn list_from_json(value: &Json) -> Result<Vec<Presence>, CifError> {
        let items = value
            .as_array()
            .ok_or_else(|| CifError::invalid("presences", "must be an array"))?;
        items
            .iter()
            .map(|item| {
                let field = |key: &str| item.get(key).and_then(Json::as_str).unwrap_or_default();
                let (id, text) = (field("presenceId"), field("presenceText"));
                if id.is_empty() || text.is_empty() {
                    return Err(CifError::invalid(
                        "presences",
                        "each presence needs a presenceId and a presenceText",
                    ));
                }
                Ok(Presence {
                    id: id.into(),
                    text: text.into(),
                    base_status: field("basePresenceStatus").into(),
                    color: field("presenceColor").into(),
                })
            })
            .collect()
    }
}

/// The handlers registered with `addHandler`, by event name (compared in any ASCII case) and
/// handler number: the facade numbers the JS functions and keeps them; this keeps the order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Handlers {
    entries: Vec<(String, u32)>,
}

impl Handlers {
    /// Registers handler `id` for `event`; registering the same pair twice keeps one.
    pub fn add(&mut self, event: &str, id: u32) -> Result<(), CifError> {
        if event.trim().is_empty() {
            return Err(CifError::MissingParameter("eventName"));
        }
        if !self
            .entries
            .iter()
            .any(|(e, i)| *i == id && e.eq_ignore_ascii_case(event))
        {
            self.entries.push((event.to_owned(), id));
        }
        Ok(())
    }

    /// Unregisters handler `id` from `event`; whether it was registered.
    pub fn remove(&mut self, event: &str, id: u32) -> bool {
        let before = self.entries.len();
        self.entries
            .retain(|(e, i)| !(*i == id && e.eq_ignore_ascii_case(event)));
        self.entries.len() != before
    }

    /// The handlers of `event`, in registration order.
    pub fn for_event(&self, event: &str) -> Vec<u32> {
        self.entries
            .iter()
            .filter(|(e, _)| e.eq_ignore_ascii_case(event))
            .map(|(_, id)| *id)
            .collect()
    }

    /// Whether handler `id` is registered for any event (the facade may then drop the function).
    pub fn is_used(&self, id: u32) -> bool {
        self.entries.iter().any(|(_, i)| *i == id)
    }
}
