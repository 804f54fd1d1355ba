//! Session command arguments, the `startSession` user data, and `getTranscript` results.

use super::event::RawEvent;
use crate::core::error::ChatError;
use crate::core::gms::{Operation, TranscriptEvent};
use crate::core::json::Json;

/// What the page says about itself, for the default user data of `startSession`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageContext {
    /// `document.title`.
    pub title: String,
    /// `document.location.href`.
    pub url: String,
    /// `document.referrer`.
    pub referrer: String,
}

/// The user data `requestChat` sends: the defaults `source: 'web'`, `pageTitle`, `url`,
/// `referrer` (in that order), with the caller's `userData` merged over them. The caller's
/// values win (in the defaults' place); the caller's other keys follow in their order; a
/// caller's `null` removes the key. A `caller` that is not an object is ignored.
pub fn merge_user_data(caller: Option<&Json>, page: &PageContext) -> Json {
    let mut merged = Json::object([
        ("source", Json::str("web")),
        ("pageTitle", Json::str(page.title.as_str())),
        ("url", Json::str(page.url.as_str())),
        ("referrer", Json::str(page.referrer.as_str())),
    ]);
    let members = caller.and_then(Json::as_object).unwrap_or_default();
    for (key, value) in members {
        if value.is_null() {
            merged.remove(key);
        } else {
            merged.set(key.as_str(), value.clone());
        }
    }
    merged
}

/// `fromIndex` of `session.getTranscript(options)`: 0-based, 0 (the default) for the whole
/// transcript. `options` may be absent (`null`) or an object whose `fromIndex` is absent,
/// `null` or a whole number ≥ 0.
pub fn parse_from_index(options: &Json) -> Result<u64, ChatError> {
    let from_index = match options {
        Json::Null => return Ok(0),
        Json::Object(_) => options.get("fromIndex"),
        _ => {
            return Err(ChatError::InvalidArgument(
                "getTranscript expects an options object, e.g. {fromIndex: 0}".into(),
            ))
        }
    };
    match from_index {
        None | Some(Json::Null) => Ok(0),
        Some(Json::Number(n)) if *n < 0.0 => Err(ChatError::InvalidOption {
            option: "fromIndex",
            reason: "must be 0 or more".into(),
        }),
        Some(value) => value.as_u64().ok_or_else(|| ChatError::InvalidOption {
            option: "fromIndex",
            reason: "must be a whole number, 0 or more".into(),
        }),
    }
}

/// The GMS `transcriptPosition` (1-based) for a GWE `fromIndex` (0-based): `fromIndex + 1`.
pub const fn from_index_to_position(from_index: u64) -> u64 {
    from_index.saturating_add(1)
}

/// `{transcript: [rawEvent…]}` for raw events, as given.
pub fn transcript_json(events: &[RawEvent]) -> Json {
    // Plain loops here and below: smaller in the wasm than `map(..).collect()`.
    let mut transcript = Vec::with_capacity(events.len());
    for event in events {
        transcript.push(event.to_json());
    }
    Json::object([("transcript", Json::Array(transcript))])
}

/// The `done` result of `getTranscript({fromIndex})` from a GMS transcript:
/// `{transcript: [rawEvent…]}` with the events whose 0-based position is `from_index` or
/// more (GMS index > `from_index`), by index, each index once. Events GWE has no raw event
/// for (e.g. `NicknameUpdated`) are left out. Fires nothing ("no playback is assumed").
pub fn transcript_payload(events: &[TranscriptEvent], from_index: u64) -> Json {
    let mut transcript = Vec::new();
    // Sorted by index: an event whose index is not above the last one taken is either
    // before `from_index` or a repeat (the first of equal indices is the one kept).
    let mut last = from_index;
    for event in crate::core::gms::by_index(events) {
        if event.index <= last {
            continue;
        }
        last = event.index;
        if let Some(raw) = RawEvent::from_transcript(event) {
            transcript.push(raw.to_json());
        }
    }
    Json::object([("transcript", Json::Array(transcript))])
}

/// The operation for `session.sendMessage(arg)`: a string (a text message), or
/// `{message, type: 'text'|'url'}` (`type` defaults to `text`; `url` is sent with
/// `messageType: 'url'`).
pub fn parse_send_message(arg: &Json) -> Result<Operation, ChatError> {
    let (message, kind) = match arg {
        Json::String(text) => (text.clone(), None),
        Json::Object(_) => {
            let message = match arg.get("message") {
                Some(Json::String(text)) => text.clone(),
                _ => {
                    return Err(ChatError::InvalidArgument(
                        "message must be a string".into(),
                    ))
                }
            };
            (message, arg.get("type").filter(|t| !t.is_null()))
        }
        _ => {
            return Err(ChatError::InvalidArgument(
                "sendMessage expects a string or {message, type}".into(),
            ))
        }
    };
    let message_type = match kind.map(Json::as_str) {
        None | Some(Some("text")) => None,
        Some(Some("url")) => Some("url".to_owned()),
        Some(_) => {
            return Err(ChatError::InvalidArgument(
                r#"type must be "url" or "text""#.into(),
            ))
        }
    };
    Ok(Operation::SendMessage {
        message,
        message_type,
    })
}

/// The operation for `session.sendTyping(arg)`: `{isTyping = true, typedText?}` (absent or
/// `null` means `{isTyping: true}`) → `startTyping` / `stopTyping` with the preview.
pub fn parse_send_typing(arg: &Json) -> Result<Operation, ChatError> {
    let (is_typing, preview) = match arg {
        Json::Null => (true, None),
        Json::Object(_) => {
            let is_typing = match arg.get("isTyping") {
                None | Some(Json::Null) => true,
                Some(Json::Bool(flag)) => *flag,
                Some(_) => {
                    return Err(ChatError::InvalidArgument(
                        "isTyping must be true or false".into(),
                    ))
                }
            };
            let preview = match arg.get("typedText") {
                None | Some(Json::Null) => None,
                Some(Json::String(text)) => Some(text.clone()),
                Some(_) => {
                    return Err(ChatError::InvalidArgument(
                        "typedText must be a string".into(),
                    ))
                }
            };
            (is_typing, preview)
        }
        _ => {
            return Err(ChatError::InvalidArgument(
                "sendTyping expects {isTyping, typedText}".into(),
            ))
        }
    };
    Ok(if is_typing {
        Operation::StartTyping { preview }
    } else {
        Operation::StopTyping { preview }
    })
}

/// The operation for `session.setUserData(object)`: `updateData` with the object.
pub fn parse_set_user_data(arg: &Json) -> Result<Operation, ChatError> {
    match arg {
        Json::Object(_) => Ok(Operation::UpdateData {
            user_data: arg.clone(),
        }),
        _ => Err(ChatError::InvalidArgument(
            "setUserData expects an object".into(),
        )),
    }
}
