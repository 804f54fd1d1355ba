//! The wire format: reading incoming Bayeux messages and advice, channel names and patterns.
//!
//! Incoming text is parsed with [`Json::parse`] and each element of the batch is taken apart
//! field by field (by value, so `data` is moved, not copied). Nothing here panics: fields of the
//! wrong type are treated as absent.

use crate::core::json::{parse_u64, Json};

pub(crate) const META_HANDSHAKE: &str = "/meta/handshake";
pub(crate) const META_CONNECT: &str = "/meta/connect";
pub(crate) const META_DISCONNECT: &str = "/meta/disconnect";
pub(crate) const META_SUBSCRIBE: &str = "/meta/subscribe";
pub(crate) const META_UNSUBSCRIBE: &str = "/meta/unsubscribe";

/// The longest delay the machine ever asks for, in ms: `setTimeout` in browsers fires at once
/// for delays above 2^31 − 1 ms, so every delay and timeout is capped here.
pub const MAX_DELAY_MS: u64 = 2_147_483_647;

/// `advice.timeout` assumed when advice does not carry one (CometD's default).
pub const DEFAULT_ADVICE_TIMEOUT_MS: u64 = 60_000;

/// What the server wants the client to do after a `/meta/connect` (or handshake) reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reconnect {
    /// Connect again after `interval` (also when advice names no `reconnect`).
    #[default]
    Retry,
    /// Handshake again: the session is gone.
    Handshake,
    /// Stop: the client must not retry.
    None,
}

/// The server's latest `advice`. New advice replaces the old one wholesale; fields it lacks
/// take their defaults (`retry`, interval 0, timeout [`DEFAULT_ADVICE_TIMEOUT_MS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Advice {
    pub reconnect: Reconnect,
    /// Minimum pause between a connect reply and the next connect, in ms.
    pub interval_ms: u64,
    /// How long the server holds a `/meta/connect`, in ms.
    pub timeout_ms: u64,
    /// The server noticed several clients in this browser (it then answers connects at once
    /// and asks for a longer interval, which the machine honours).
    pub multiple_clients: bool,
}

impl Default for Advice {
    fn default() -> Self {
        Self {
            reconnect: Reconnect::Retry,
            interval_ms: 0,
            timeout_ms: DEFAULT_ADVICE_TIMEOUT_MS,
            multiple_clients: false,
        }
    }
}

impl Advice {
    /// Reads an `advice` object; `None` when `value` is not an object.
    pub(crate) fn from_json(value: &Json) -> Option<Advice> {
        value.as_object()?;
        let mut advice = Advice::default();
        if let Some(reconnect) = value.get("reconnect").and_then(Json::as_str) {
            advice.reconnect = match reconnect {
                "handshake" => Reconnect::Handshake,
                "none" => Reconnect::None,
                _ => Reconnect::Retry,
            };
        }
        if let Some(interval) = value.get("interval").and_then(millis) {
            advice.interval_ms = interval;
        }
        if let Some(timeout) = value.get("timeout").and_then(millis) {
            advice.timeout_ms = timeout;
        }
        advice.multiple_clients =
            value.get("multiple-clients").and_then(Json::as_bool) == Some(true);
        Some(advice)
    }
}

/// A non-negative duration in ms, capped at [`MAX_DELAY_MS`]; negative numbers count as 0.
fn millis(value: &Json) -> Option<u64> {
    let number = value.as_f64()?;
    if !number.is_finite() {
        return None;
    }
    Some(number.max(0.0).min(MAX_DELAY_MS as f64) as u64)
}

/// One message received from the server: a reply (it has `successful`) or a delivery.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Incoming {
    pub channel: String,
    /// The message id, a whole number or a string holding one in canonical decimal (the
    /// client's ids are such numbers, so other ids answer nothing of it).
    pub id: Option<u64>,
    pub successful: Option<bool>,
    pub error: Option<String>,
    pub client_id: Option<String>,
    pub advice: Option<Json>,
    pub ext: Option<Json>,
    pub data: Option<Json>,
    /// The array as received (elements that are not strings name no type).
    pub supported_connection_types: Option<Vec<Json>>,
}

impl Incoming {
    /// Takes one element of a batch apart; `None` unless it is an object with a string
    /// `channel`.
    pub(crate) fn from_json(value: Json) -> Option<Incoming> {
        let Json::Object(mut members) = value else {
            return None;
        };
        // Each field is taken out by name (strings are moved, not copied); the rest of the
        // object is dropped once, at the end.
        let mut take = |key: &str| take_last(&mut members, key);
        let channel = take("channel").and_then(into_string)?;
        let id = take("id").and_then(|id| match id {
            // Only the text the client writes: no sign, no leading zero.
            Json::String(text) if !text.starts_with(['+', '0']) => parse_u64(&text),
            other => other.as_u64(),
        });
        Some(Incoming {
            channel,
            id,
            successful: take("successful").and_then(|flag| flag.as_bool()),
            error: take("error").and_then(into_string),
            client_id: take("clientId").and_then(into_string),
            advice: take("advice"),
            ext: take("ext"),
            data: take("data"),
            supported_connection_types: match take("supportedConnectionTypes") {
                Some(Json::Array(types)) => Some(types),
                _ => None,
            },
        })
    }

    /// The names in `supportedConnectionTypes` (elements that are not strings name no type,
    /// as in the client's negotiation).
    #[cfg(test)]
    pub(crate) fn connection_types(&self) -> Option<Vec<&str>> {
        let types = self.supported_connection_types.as_ref()?;
        Some(types.iter().filter_map(Json::as_str).collect())
    }

    /// A reply to one of the client's messages (as opposed to a delivery).
    pub(crate) fn is_reply(&self) -> bool {
        self.successful.is_some() || is_meta(&self.channel)
    }

    /// The numeric code of `error` (`"402::Unknown client"` → 402).
    pub(crate) fn error_code(&self) -> Option<u16> {
        self.error
            .as_deref()
            .map(|error| error.split_once(':').map_or(error, |(code, _)| code))
            .and_then(|code| parse_u64(code.trim()))
            .and_then(|code| u16::try_from(code).ok())
    }

    /// The advice of this message, if it carries an `advice` object.
    pub(crate) fn advice(&self) -> Option<Advice> {
        self.advice.as_ref().and_then(Advice::from_json)
    }

    /// A field of `ext`.
    pub(crate) fn ext_field(&self, name: &str) -> Option<&Json> {
        self.ext.as_ref().and_then(|ext| ext.get(name))
    }
}

/// Removes the member `key` and returns its value; the last one when repeated (later members
/// win, as with `Json::get`).
fn take_last(members: &mut Vec<(String, Json)>, key: &str) -> Option<Json> {
    let at = members.iter().rposition(|(k, _)| k == key)?;
    Some(members.remove(at).1)
}

/// The string a value holds, moved out (`None` for other values).
fn into_string(value: Json) -> Option<String> {
    match value {
        Json::String(text) => Some(text),
        _ => None,
    }
}

/// Parses the text of a batch: a JSON array of messages, or one message object. `None` when
/// the text is not JSON, or neither an array nor an object. The elements are read with
/// [`Incoming::from_json`] one at a time as they are handled (no second vector).
pub(crate) fn parse_items(text: &str) -> Option<Vec<Json>> {
    match Json::parse(text).ok()? {
        Json::Array(items) => Some(items),
        message @ Json::Object(_) => Some(vec![message]),
        _ => None,
    }
}

/// [`parse_items`], each read as a message; elements that are not messages (no string
/// `channel`) are skipped.
#[cfg(test)]
pub(crate) fn parse_batch(text: &str) -> Option<Vec<Incoming>> {
    let items = parse_items(text)?;
    // A plain loop: smaller in the wasm than `filter_map(..).collect()`.
    let mut messages = Vec::with_capacity(items.len());
    for item in items {
        if let Some(message) = Incoming::from_json(item) {
            messages.push(message);
        }
    }
    Some(messages)
}

/// Reads an ack batch id: a whole number, or one written in a string.
pub(crate) fn batch_id(value: &Json) -> Option<u64> {
    match value {
        Json::String(text) => parse_u64(text.trim()),
        other => other.as_u64(),
    }
}

/// `/meta/**`.
pub(crate) fn is_meta(channel: &str) -> bool {
    first_segment(channel) == Some("meta")
}

/// `/service/**`: request/response channels whose subscriptions stay local to the client.
pub fn is_service(channel: &str) -> bool {
    first_segment(channel) == Some("service")
}

fn first_segment(channel: &str) -> Option<&str> {
    let rest = channel.strip_prefix('/')?;
    Some(rest.split_once('/').map_or(rest, |(first, _)| first))
}

/// A well-formed channel name or subscription pattern: starts with `/`, no empty segment, no
/// white space or control characters, and `*` only as a whole `*` or `**` last segment.
pub fn is_valid_pattern(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('/') else {
        return false;
    };
    let mut segments = rest.split('/').peekable();
    while let Some(segment) = segments.next() {
        let is_last = segments.peek().is_none();
        let is_wildcard = segment == "*" || segment == "**";
        let well_formed = !segment.is_empty()
            && segment
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control())
            && (is_wildcard || !segment.contains('*'));
        if !well_formed || (is_wildcard && !is_last) {
            return false;
        }
    }
    true
}

/// A well-formed channel name without wildcards (one can publish to it).
pub fn is_valid_channel(name: &str) -> bool {
    is_valid_pattern(name) && !is_wildcard(name)
}

fn is_wildcard(name: &str) -> bool {
    name.ends_with("/*") || name.ends_with("/**")
}

/// Does the subscription `pattern` match the concrete `channel`? `/a/*` matches exactly one
/// more segment, `/a/**` one or more, anything else only itself.
pub fn pattern_matches(pattern: &str, channel: &str) -> bool {
    if let Some(prefix) = pattern.strip_suffix("/**") {
        return channel
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.len() > 1 && rest.starts_with('/'));
    }
    if let Some(prefix) = pattern.strip_suffix("/*") {
        return channel
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|segment| !segment.is_empty() && !segment.contains('/'));
    }
    pattern == channel
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_arrays_or_single_objects() {
        let batch = parse_batch(r#"[{"channel":"/a","data":1},{"channel":"/b"}]"#);
        assert_eq!(batch.map(|b| b.len()), Some(2));
        let batch = parse_batch(r#"{"channel":"/a","id":"3"}"#);
        assert_eq!(
            batch.and_then(|b| b.into_iter().next()).and_then(|m| m.id),
            Some(3)
        );
        assert_eq!(parse_batch("[]").map(|b| b.len()), Some(0));
        for garbage in ["", "5", "\"x\"", "[{", "<html>", "null", "{\"channel\":"] {
            assert_eq!(parse_batch(garbage), None, "{garbage:?}");
        }
    }

    #[test]
    fn elements_without_a_channel_are_skipped() {
        let batch = parse_batch(r#"[1, "x", {"id":"1"}, {"channel":5}, {"channel":"/ok"}]"#);
        let channels: Vec<String> = batch
            .unwrap_or_default()
            .into_iter()
            .map(|m| m.channel)
            .collect();
        assert_eq!(channels, vec!["/ok".to_owned()]);
    }

    #[test]
    fn fields_are_read_by_type() {
        let batch = parse_batch(
            r#"[{"channel":"/meta/connect","id":7,"successful":false,"error":"402::Unknown client",
                 "clientId":"abc","advice":{"reconnect":"handshake","interval":0},
                 "ext":{"ack":"12"},"supportedConnectionTypes":["websocket",3,"long-polling"]}]"#,
        );
        let message = batch.and_then(|b| b.into_iter().next()).unwrap_or_default();
        assert_eq!(message.id, Some(7));
        assert_eq!(message.successful, Some(false));
        assert_eq!(message.error_code(), Some(402));
        assert_eq!(message.client_id.as_deref(), Some("abc"));
        assert!(message.is_reply());
        assert_eq!(
            message.advice().map(|a| a.reconnect),
            Some(Reconnect::Handshake)
        );
        assert_eq!(message.ext_field("ack").and_then(batch_id), Some(12));
        assert_eq!(
            message.connection_types(),
            Some(vec!["websocket", "long-polling"])
        );
    }

    /// A member given twice counts with its last value, as with `Json::get`.
    #[test]
    fn repeated_members_take_the_last_value() {
        let one = |text: &str| parse_batch(text).and_then(|b| b.into_iter().next());
        let message = one(
            r#"{"channel":"/a","id":"1","error":"x","channel":"/b","id":2,"error":null,
                "data":1,"data":{"k":true}}"#,
        )
        .unwrap_or_default();
        assert_eq!(message.channel, "/b");
        assert_eq!(message.id, Some(2));
        assert_eq!(message.error, None);
        assert_eq!(message.data, Some(Json::object([("k", Json::Bool(true))])));
        // A last `channel` that is not a string makes the element no message.
        assert_eq!(one(r#"{"channel":"/a","channel":5}"#), None);
        assert_eq!(
            one(r#"{"channel":5,"channel":"/a"}"#).map(|m| m.channel),
            Some("/a".to_owned())
        );
    }

    #[test]
    fn deliveries_are_not_replies() {
        let message = parse_batch(r#"{"channel":"/chat/1","id":"4","data":{"x":1}}"#)
            .and_then(|b| b.into_iter().next())
            .unwrap_or_default();
        assert!(!message.is_reply());
        let reply = parse_batch(r#"{"channel":"/chat/1","id":"4","successful":true}"#)
            .and_then(|b| b.into_iter().next())
            .unwrap_or_default();
        assert!(reply.is_reply());
    }

    #[test]
    fn advice_defaults_and_bounds() {
        let parse = |text: &str| Json::parse(text).ok().and_then(|j| Advice::from_json(&j));
        assert_eq!(parse("{}"), Some(Advice::default()));
        assert_eq!(parse("[]"), None);
        let advice = parse(r#"{"reconnect":"none","interval":-5,"timeout":1e300}"#);
        assert_eq!(
            advice,
            Some(Advice {
                reconnect: Reconnect::None,
                interval_ms: 0,
                timeout_ms: MAX_DELAY_MS,
                multiple_clients: false,
            })
        );
        let advice =
            parse(r#"{"reconnect":"retry","interval":1500,"multiple-clients":true,"timeout":"x"}"#);
        assert_eq!(
            advice,
            Some(Advice {
                reconnect: Reconnect::Retry,
                interval_ms: 1500,
                timeout_ms: DEFAULT_ADVICE_TIMEOUT_MS,
                multiple_clients: true,
            })
        );
        assert_eq!(
            parse(r#"{"reconnect":"bogus"}"#).map(|a| a.reconnect),
            Some(Reconnect::Retry)
        );
    }

    #[test]
    fn error_codes() {
        let with_error = |error: &str| Incoming {
            error: Some(error.to_owned()),
            ..Incoming::default()
        };
        assert_eq!(with_error("402::unknown client").error_code(), Some(402));
        assert_eq!(with_error("403:/x:Denied").error_code(), Some(403));
        assert_eq!(with_error("oops").error_code(), None);
        assert_eq!(Incoming::default().error_code(), None);
    }

    #[test]
    fn channel_kinds() {
        assert!(is_meta("/meta/connect"));
        assert!(!is_meta("/metadata"));
        assert!(is_service("/service/chatV2/x"));
        assert!(is_service("/service"));
        assert!(!is_service("/services/x"));
        assert!(!is_service("service/x"));
    }

    #[test]
    fn names_and_patterns() {
        for name in [
            "/a",
            "/a/b",
            "/a/*",
            "/a/**",
            "/*",
            "/**",
            "/service/chatV2/x",
        ] {
            assert!(is_valid_pattern(name), "{name}");
        }
        for name in [
            "", "/", "a", "/a//b", "/a/", "/a/*/b", "/a/b*", "/a/***", "/a b", "/a/\n",
        ] {
            assert!(!is_valid_pattern(name), "{name:?}");
        }
        assert!(is_valid_channel("/a/b"));
        assert!(!is_valid_channel("/a/*"));
        assert!(!is_valid_channel("/a/**"));
    }

    #[test]
    fn wildcard_matching() {
        assert!(pattern_matches("/a/b", "/a/b"));
        assert!(!pattern_matches("/a/b", "/a/b/c"));
        assert!(pattern_matches("/a/*", "/a/b"));
        assert!(!pattern_matches("/a/*", "/a"));
        assert!(!pattern_matches("/a/*", "/a/b/c"));
        assert!(!pattern_matches("/a/*", "/ab/c"));
        assert!(pattern_matches("/a/**", "/a/b"));
        assert!(pattern_matches("/a/**", "/a/b/c/d"));
        assert!(!pattern_matches("/a/**", "/a"));
        assert!(!pattern_matches("/a/**", "/ab/c"));
        assert!(pattern_matches("/**", "/x/y"));
        assert!(pattern_matches("/*", "/x"));
        assert!(!pattern_matches("/*", "/x/y"));
    }
}
