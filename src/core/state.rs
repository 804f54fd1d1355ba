//! The chat state saved between page loads, its string format and its expiry rule.
//!
//! [`PersistedState`] is what `restoreSession` needs to reattach to a GMS chat: the chat id,
//! the server and service, the credentials of the customer's participant, the last event index
//! seen and the transport in use, plus the time it was saved.
//!
//! # Format
//!
//! The state is saved as a compact, cookie-safe string (version 1):
//!
//! ```text
//! v=1&sid=<chatId>&url=<serverUrl>&svc=<service>&sk=<secureKey>&uid=<userId>&alias=<alias>
//!    &idx=<lastIndex>&tr=bayeux|rest&at=<savedAtMs>&c=<checksum>
//! ```
//!
//! - values are percent-encoded: every byte outside `A–Z a–z 0–9 - . _ ~` is written `%XX`, so
//!   the string never contains `;`, `,`, spaces, quotes or non-ASCII characters and can be used
//!   as a cookie value as is;
//! - `v` comes first; a reader refuses a version it does not know instead of guessing;
//! - `c` comes last: the FNV-1a 32-bit hash (8 lowercase hex digits) of everything before `&c=`,
//!   which detects truncated or damaged values (it is not a security measure);
//! - keys a reader does not know are ignored, so a later version 1 writer may add fields.
//!
//! # Expiry
//!
//! State saved more than `maxOfflineDuration` seconds ago is refused, and so is state dated
//! more than [`MAX_CLOCK_SKEW_MS`] in the future (a clock that jumped back, or forged state).
//! See [`PersistedState::check_fresh`].

use crate::core::error::ChatError;
use crate::core::gms::Credentials;
use crate::core::json::{push_all, push_u64, Json};
use crate::core::storage::StateStore;

/// The format version written by [`PersistedState::encode`].
pub const FORMAT_VERSION: &str = "1";

/// How far in the future `saved_at_ms` may lie and still be accepted, in milliseconds.
pub const MAX_CLOCK_SKEW_MS: u64 = 2_000;

/// The transport a session was using when its state was saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TransportKind {
    /// Bayeux (CometD) over WebSocket or long-polling, GMS chatV2 operations.
    #[default]
    Bayeux,
    /// GMS Chat API v2 over plain HTTP with polling.
    Rest,
    /// A transport object the page supplied; `restoreSession` needs it passed again.
    Custom,
}

impl TransportKind {
    /// The name used in the saved state: `"bayeux"` or `"rest"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TransportKind::Bayeux => "bayeux",
            TransportKind::Rest => "rest",
            TransportKind::Custom => "custom",
        }
    }

    /// The kind for a saved name, if it is one.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "bayeux" => Some(TransportKind::Bayeux),
            "rest" => Some(TransportKind::Rest),
            "custom" => Some(TransportKind::Custom),
            _ => None,
        }
    }
}

/// The state a session saves so that `restoreSession` can reattach after a page load.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersistedState {
    /// The GMS `chatId`.
    pub session_id: String,
    /// The server the session talks to (the `serverUrl` option).
    pub server_url: String,
    /// The GMS chat service name (`{service}` in `/service/chatV2/{service}`).
    pub service: String,
    /// The GMS `secureKey` of the customer's participant.
    pub secure_key: String,
    /// The GMS `userId` of the customer's participant.
    pub user_id: String,
    /// The GMS `alias` (the Chat Server that holds the chat).
    pub alias: String,
    /// The index of the last transcript event seen (1-based; 0 when none).
    pub last_index: u64,
    /// The transport in use.
    pub transport: TransportKind,
    /// When the state was saved, in milliseconds since the Unix epoch.
    pub saved_at_ms: u64,
}

/// Why a saved string could not be read as [`PersistedState`]. The texts (`Display`) are
/// given with each variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateDecodeError {
    /// The value is empty.
    /// Text: "the saved state is empty".
    Empty,
    /// The value does not start with `v=`: it was not written by hotline.
    /// Text: "the saved value is not hotline chat state".
    NotChatState,
    /// The value was written in a format version this reader does not know.
    /// Text: "the saved state has format version `{0}`; this version of hotline reads version 1".
    UnsupportedVersion(String),
    /// The checksum at the end is missing.
    /// Text: "the saved state is truncated (it has no checksum)".
    Truncated,
    /// The checksum does not match the content.
    /// Text: "the saved state is truncated or damaged (checksum mismatch)".
    Corrupted,
    /// A field of the format is missing.
    /// Text: "the saved state has no `{0}` field".
    MissingField(&'static str),
    /// A field appears twice.
    /// Text: "the saved state has the `{0}` field twice".
    DuplicateField(&'static str),
    /// A field cannot be read.
    /// Text: "the saved state field `{field}` is malformed: {reason}".
    Malformed {
        /// The key of the field.
        field: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl StateDecodeError {
    /// Appends the `Display` text, with `push_str` (the formatting machinery is large in the
    /// wasm).
    pub(crate) fn push_text(&self, out: &mut String) {
        let parts: &[&str] = match self {
            StateDecodeError::Empty => &["the saved state is empty"],
            StateDecodeError::NotChatState => &["the saved value is not hotline chat state"],
            StateDecodeError::UnsupportedVersion(version) => &[
                "the saved state has format version `",
                version,
                "`; this version of hotline reads version 1",
            ],
            StateDecodeError::Truncated => &["the saved state is truncated (it has no checksum)"],
            StateDecodeError::Corrupted => {
                &["the saved state is truncated or damaged (checksum mismatch)"]
            }
            StateDecodeError::MissingField(field) => {
                &["the saved state has no `", field, "` field"]
            }
            StateDecodeError::DuplicateField(field) => {
                &["the saved state has the `", field, "` field twice"]
            }
            StateDecodeError::Malformed { field, reason } => {
                &["the saved state field `", field, "` is malformed: ", reason]
            }
        };
        push_all(out, parts);
    }
}

impl std::fmt::Display for StateDecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut text = String::new();
        self.push_text(&mut text);
        f.write_str(&text)
    }
}

impl std::error::Error for StateDecodeError {}

/// The field keys of format version 1 after `v`, in the order they are written (and in
/// the order a missing one is reported). Decoding is driven by this table: one loop and
/// one slot array instead of a field-by-field decoder, which is much smaller in the wasm.
const KEYS: [&str; 9] = ["sid", "url", "svc", "sk", "uid", "alias", "idx", "tr", "at"];

/// Positions in [`KEYS`] of the two numbers and the transport; the others are text.
const LAST_INDEX: usize = 6;
const TRANSPORT: usize = 7;
const SAVED_AT: usize = 8;

impl PersistedState {
    /// The state as a compact, cookie-safe string (see the [module docs](self)).
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(128);
        out.push_str("v=");
        out.push_str(FORMAT_VERSION);
        let mut last_index = String::new();
        push_u64(&mut last_index, self.last_index);
        let mut saved_at = String::new();
        push_u64(&mut saved_at, self.saved_at_ms);
        let values = [
            self.session_id.as_str(),
            self.server_url.as_str(),
            self.service.as_str(),
            self.secure_key.as_str(),
            self.user_id.as_str(),
            self.alias.as_str(),
            last_index.as_str(),
            self.transport.as_str(),
            saved_at.as_str(),
        ];
        for (k, v) in KEYS.iter().zip(values) {
            out.push('&');
            out.push_str(k);
            out.push('=');
            percent_encode_into(&mut out, v);
        }
        let checksum = fnv1a32(out.as_bytes());
        out.push_str("&c=");
        push_hex8(&mut out, checksum);
        out
    }

    /// Reads a string written by [`encode`](Self::encode).
    ///
    /// Leading and trailing ASCII whitespace is ignored; unknown keys are ignored.
    pub fn decode(input: &str) -> Result<Self, StateDecodeError> {
        let input = input.trim_ascii();
        if input.is_empty() {
            return Err(StateDecodeError::Empty);
        }
        let Some(after_v) = input.strip_prefix("v=") else {
            return Err(StateDecodeError::NotChatState);
        };
        let version = after_v
            .split_once('&')
            .map_or(after_v, |(version, _)| version);
        if version != FORMAT_VERSION {
            return Err(StateDecodeError::UnsupportedVersion(prefix(version)));
        }
        // The checksum has no `&`, so the last `&` starts it.
        // (A byte search: `rsplit_once` would link the reverse char searcher into the wasm.)
        let split = input
            .bytes()
            .rposition(|b| b == b'&')
            .and_then(|at| Some((input.get(..at)?, input.get(at + 1..)?.strip_prefix("c=")?)));
        let Some((body, checksum)) = split else {
            return Err(StateDecodeError::Truncated);
        };
        let mut expected = String::new();
        push_hex8(&mut expected, fnv1a32(body.as_bytes()));
        if checksum != expected {
            return Err(StateDecodeError::Corrupted);
        }

        // Fields are checked in the order they come, so the first defect is the one reported.
        let mut seen_version = false;
        let mut seen = [false; KEYS.len()];
        let mut texts: [String; 6] = Default::default();
        let mut numbers = [0u64; 2];
        let mut transport = TransportKind::default();
        for pair in body.split('&') {
            let Some((k, v)) = pair.split_once('=') else {
                return Err(malformed(&prefix(pair), "no `=` after the key"));
            };
            if k == "v" {
                if seen_version {
                    return Err(StateDecodeError::DuplicateField("v"));
                }
                seen_version = true;
                continue;
            }
            // Unknown keys: written by a later version 1 writer; ignored.
            let Some(i) = KEYS.iter().position(|key| *key == k) else {
                continue;
            };
            let (Some(key), Some(was_seen)) = (KEYS.get(i), seen.get_mut(i)) else {
                continue;
            };
            if *was_seen {
                return Err(StateDecodeError::DuplicateField(key));
            }
            *was_seen = true;
            match i {
                LAST_INDEX | SAVED_AT => {
                    if let Some(slot) = numbers.get_mut(usize::from(i == SAVED_AT)) {
                        *slot = number(k, v)?;
                    }
                }
                TRANSPORT => {
                    transport = TransportKind::from_name(v).ok_or_else(|| {
                        malformed(k, "unknown transport (expected `bayeux` or `rest`)")
                    })?;
                }
                _ => {
                    if let Some(slot) = texts.get_mut(i) {
                        *slot = percent_decode(v).map_err(|reason| malformed(k, reason))?;
                    }
                }
            }
        }
        for (key, was_seen) in KEYS.iter().zip(seen) {
            if !was_seen {
                return Err(StateDecodeError::MissingField(key));
            }
        }
        let [session_id, server_url, service, secure_key, user_id, alias] = texts;
        let [last_index, saved_at_ms] = numbers;
        Ok(PersistedState {
            session_id,
            server_url,
            service,
            secure_key,
            user_id,
            alias,
            last_index,
            transport,
            saved_at_ms,
        })
    }

    /// Milliseconds between saving and `now_ms`; negative when saved in the future.
    pub fn age_ms(&self, now_ms: u64) -> i64 {
        let age = i128::from(now_ms) - i128::from(self.saved_at_ms);
        i64::try_from(age).unwrap_or(if age < 0 { i64::MIN } else { i64::MAX })
    }

    /// Whether the state may be restored at `now_ms`: saved at most `max_offline_secs` seconds
    /// ago, and not more than [`MAX_CLOCK_SKEW_MS`] in the future.
    pub fn is_fresh(&self, now_ms: u64, max_offline_secs: u64) -> bool {
        self.check_fresh(now_ms, max_offline_secs).is_ok()
    }

    /// Like [`is_fresh`](Self::is_fresh), with the reason as an error.
    ///
    /// The bounds are inclusive: state exactly `max_offline_secs` seconds old is fresh, one
    /// millisecond more is stale. With `max_offline_secs == 0`, only state saved at `now_ms`
    /// (or within the clock-skew allowance in the future) is fresh.
    pub fn check_fresh(&self, now_ms: u64, max_offline_secs: u64) -> Result<(), ChatError> {
        let age = i128::from(now_ms) - i128::from(self.saved_at_ms);
        let max_age = i128::from(max_offline_secs) * 1000;
        let max_skew = i128::from(MAX_CLOCK_SKEW_MS);
        if age > max_age || age < -max_skew {
            return Err(ChatError::StaleState {
                age_ms: self.age_ms(now_ms),
                max_offline_secs,
            });
        }
        Ok(())
    }

    /// Stamps the state with `now_ms` and writes it, encoded, to `store`.
    pub fn save_to(&mut self, store: &dyn StateStore, now_ms: u64) -> Result<(), ChatError> {
        self.saved_at_ms = now_ms;
        store.write(Some(&self.encode()))?;
        Ok(())
    }

    /// Reads the state from `store` and checks it can be restored at `now_ms`.
    ///
    /// Errors: [`ChatError::NoSavedState`] when the store is empty (or holds only whitespace)
    /// or the state has no session id, [`ChatError::BadState`] when it cannot be decoded,
    /// [`ChatError::StaleState`] when it is too old, [`ChatError::Storage`] when the store
    /// fails. The store is left as it is.
    pub fn load_from(
        store: &dyn StateStore,
        now_ms: u64,
        max_offline_secs: u64,
    ) -> Result<Self, ChatError> {
        let raw = store.read()?.ok_or(ChatError::NoSavedState)?;
        if raw.trim_ascii().is_empty() {
            return Err(ChatError::NoSavedState);
        }
        let state = Self::decode(&raw)?;
        if state.session_id.is_empty() {
            return Err(ChatError::NoSavedState);
        }
        state.check_fresh(now_ms, max_offline_secs)?;
        Ok(state)
    }
}

impl PersistedState {
    /// What identifies the customer in the saved GMS chat.
    pub fn credentials(&self) -> Credentials {
        Credentials {
            chat_id: self.session_id.clone(),
            user_id: self.user_id.clone(),
            secure_key: self.secure_key.clone(),
            alias: self.alias.clone(),
        }
    }

    /// The state as a plain object, for a page's own `stateStorage` (`{read, write}`): GWE
    /// hands such storages an object, with `sessionId`, `chatServerUrl` and `lastIndex`.
    pub fn to_json(&self) -> Json {
        Json::object([
            ("sessionId", Json::str(&self.session_id)),
            ("chatServerUrl", Json::str(&self.server_url)),
            ("service", Json::str(&self.service)),
            ("secureKey", Json::str(&self.secure_key)),
            ("userId", Json::str(&self.user_id)),
            ("alias", Json::str(&self.alias)),
            ("lastIndex", Json::from(self.last_index)),
            ("transport", Json::str(self.transport.as_str())),
            ("savedAt", Json::from(self.saved_at_ms)),
        ])
    }

    /// Reads what [`PersistedState::to_json`] wrote. A missing `sessionId` is
    /// [`ChatError::NoSavedState`]; wrongly typed fields are [`ChatError::BadState`].
    pub fn from_json(value: &Json) -> Result<Self, ChatError> {
        if value.is_null() {
            return Err(ChatError::NoSavedState);
        }
        if value.as_object().is_none() {
            return Err(malformed("state", "not an object").into());
        }
        // Fields are read borrowed, keeping the first fault (key, reason), and copied only
        // when all is well: one error exit, nothing to drop on it (smaller in the wasm).
        let mut fault = None;
        let session_id = text_field(value, "sessionId", &mut fault);
        let transport_name = text_field(value, "transport", &mut fault);
        let server_url = text_field(value, "chatServerUrl", &mut fault);
        let service = text_field(value, "service", &mut fault);
        let secure_key = text_field(value, "secureKey", &mut fault);
        let user_id = text_field(value, "userId", &mut fault);
        let alias = text_field(value, "alias", &mut fault);
        let last_index = number_field(value, "lastIndex", &mut fault);
        let transport = if transport_name.is_empty() {
            TransportKind::default()
        } else {
            TransportKind::from_name(transport_name).unwrap_or_else(|| {
                fault.get_or_insert(("transport", "unknown transport"));
                TransportKind::default()
            })
        };
        let saved_at_ms = number_field(value, "savedAt", &mut fault);
        // A wrong `sessionId` is reported first, then an empty one, then the other faults.
        match fault {
            Some(("sessionId", reason)) => return Err(malformed("sessionId", reason).into()),
            _ if session_id.is_empty() => return Err(ChatError::NoSavedState),
            Some((key, reason)) => return Err(malformed(key, reason).into()),
            None => {}
        }
        Ok(PersistedState {
            session_id: session_id.to_owned(),
            server_url: server_url.to_owned(),
            service: service.to_owned(),
            secure_key: secure_key.to_owned(),
            user_id: user_id.to_owned(),
            alias: alias.to_owned(),
            last_index,
            transport,
            saved_at_ms,
        })
    }
}

/// The first fault of [`PersistedState::from_json`]: the key and why.
type Fault = Option<(&'static str, &'static str)>;

/// A text member of a state object: absent or `null` is empty; another type is a fault.
fn text_field<'a>(value: &'a Json, key: &'static str, fault: &mut Fault) -> &'a str {
    match value.get(key) {
        None | Some(Json::Null) => "",
        Some(Json::String(text)) => text,
        Some(_) => {
            fault.get_or_insert((key, "not a string"));
            ""
        }
    }
}

/// A whole-number member of a state object: absent or `null` is 0; anything else that is not
/// a whole number is a fault.
fn number_field(value: &Json, key: &'static str, fault: &mut Fault) -> u64 {
    match value.get(key) {
        None | Some(Json::Null) => 0,
        Some(found) => found.as_u64().unwrap_or_else(|| {
            fault.get_or_insert((key, "not a whole number"));
            0
        }),
    }
}

fn malformed(field: &str, reason: &'static str) -> StateDecodeError {
    StateDecodeError::Malformed {
        field: field.to_owned(),
        reason,
    }
}

/// At most the first 16 characters of `text`, to quote it in an error.
fn prefix(text: &str) -> String {
    let end = text.char_indices().nth(16).map_or(text.len(), |(at, _)| at);
    text.get(..end).unwrap_or_default().to_owned()
}

/// A decimal `u64` (digits only), without `str::parse`.
fn number(k: &str, v: &str) -> Result<u64, StateDecodeError> {
    if v.is_empty() {
        return Err(malformed(k, "not a decimal number"));
    }
    let mut value: u64 = 0;
    for b in v.bytes() {
        if !b.is_ascii_digit() {
            return Err(malformed(k, "not a decimal number"));
        }
        let digit = u64::from(b - b'0');
        // `value * 10 + digit` fits exactly when this holds; written with a division rather
        // than `checked_mul`, which links a 128-bit multiplication into the wasm.
        if value > (u64::MAX - digit) / 10 {
            return Err(malformed(k, "number too large"));
        }
        value = value * 10 + digit;
    }
    Ok(value)
}

/// Appends `value` with every byte outside the RFC 3986 unreserved set written as `%XX`.
fn percent_encode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
}

/// Reverses [`percent_encode_into`]. Other ASCII characters are taken literally (`+` is a
/// plus sign, not a space); a `%` must be followed by two hex digits; the result must be UTF-8.
fn percent_decode(value: &str) -> Result<String, &'static str> {
    let mut bytes = Vec::with_capacity(value.len());
    let mut iter = value.bytes();
    while let Some(b) = iter.next() {
        if b == b'%' {
            let hi = iter.next().and_then(hex_value);
            let lo = iter.next().and_then(hex_value);
            match (hi, lo) {
                (Some(hi), Some(lo)) => bytes.push(hi << 4 | lo),
                _ => return Err("`%` is not followed by two hex digits"),
            }
        } else {
            bytes.push(b);
        }
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 after percent-decoding")
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Appends `hash` as 8 lowercase hex digits.
fn push_hex8(out: &mut String, hash: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for shift in (0..8).rev() {
        out.push(char::from(HEX[(hash >> (shift * 4)) as usize & 0xf]));
    }
}

/// FNV-1a, 32 bits.
fn fnv1a32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |hash, &b| {
        (hash ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::storage::{MemoryStore, StorageError};

    fn sample() -> PersistedState {
        PersistedState {
            session_id: "0001WaBbCc2D".into(),
            server_url: "https://gms.example.com/genesys/cometd".into(),
            service: "customer-support".into(),
            secure_key: "7c8f3a1e9b2d4f60".into(),
            user_id: "007553863DC30029".into(),
            alias: "117".into(),
            last_index: 17,
            transport: TransportKind::Bayeux,
            saved_at_ms: 1_700_000_000_000,
        }
    }

    /// Re-signs a hand-edited body so that only the edit is tested, not the checksum.
    fn signed(body: &str) -> String {
        format!("{body}&c={:08x}", fnv1a32(body.as_bytes()))
    }

    fn body_of(encoded: &str) -> &str {
        encoded.rsplit_once("&c=").unwrap().0
    }

    /// Characters allowed in a cookie value by RFC 6265 (`cookie-octet`).
    fn is_cookie_octet(c: char) -> bool {
        matches!(c, '\x21' | '\x23'..='\x2B' | '\x2D'..='\x3A' | '\x3C'..='\x5B' | '\x5D'..='\x7E')
    }

    #[test]
    fn round_trip() {
        let state = sample();
        let encoded = state.encode();
        assert_eq!(PersistedState::decode(&encoded), Ok(state));
    }

    #[test]
    fn encoded_form_is_stable() {
        let encoded = sample().encode();
        assert_eq!(
            body_of(&encoded),
            "v=1&sid=0001WaBbCc2D&url=https%3A%2F%2Fgms.example.com%2Fgenesys%2Fcometd\
             &svc=customer-support&sk=7c8f3a1e9b2d4f60&uid=007553863DC30029&alias=117\
             &idx=17&tr=bayeux&at=1700000000000"
        );
        let checksum = encoded.rsplit_once("&c=").unwrap().1;
        assert_eq!(checksum.len(), 8);
        assert!(checksum
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    }

    #[test]
    fn round_trip_rest_transport_and_extremes() {
        let state = PersistedState {
            transport: TransportKind::Rest,
            last_index: u64::MAX,
            saved_at_ms: 0,
            ..sample()
        };
        assert_eq!(PersistedState::decode(&state.encode()), Ok(state));
    }

    #[test]
    fn special_characters_round_trip_and_stay_cookie_safe() {
        let state = PersistedState {
            session_id: "a;b=c%d e".into(),
            server_url: "https://h/p?x=1&y=2#frag".into(),
            service: "日本語 サービス 🎧".into(),
            secure_key: "+/=\"\\,\t\r\n".into(),
            user_id: "%41%zz%".into(),
            alias: "&c=00000000".into(),
            ..sample()
        };
        let encoded = state.encode();
        assert!(encoded.chars().all(is_cookie_octet), "{encoded}");
        assert!(!encoded.contains(';') && !encoded.contains(' ') && !encoded.contains(','));
        assert_eq!(PersistedState::decode(&encoded), Ok(state));
    }

    #[test]
    fn empty_strings_round_trip() {
        let state = PersistedState {
            session_id: String::new(),
            server_url: String::new(),
            service: String::new(),
            secure_key: String::new(),
            user_id: String::new(),
            alias: String::new(),
            last_index: 0,
            transport: TransportKind::Bayeux,
            saved_at_ms: 0,
        };
        assert_eq!(PersistedState::decode(&state.encode()), Ok(state));
        assert_eq!(
            PersistedState::decode(&PersistedState::default().encode()),
            Ok(PersistedState::default())
        );
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        let encoded = format!("  {}\n", sample().encode());
        assert_eq!(PersistedState::decode(&encoded), Ok(sample()));
    }

    #[test]
    fn every_truncation_is_refused() {
        let encoded = sample().encode();
        for cut in 0..encoded.len() {
            let truncated = &encoded[..cut];
            let result = PersistedState::decode(truncated);
            assert!(
                result.is_err(),
                "accepted a truncation at {cut}: {truncated}"
            );
        }
        assert_eq!(PersistedState::decode(""), Err(StateDecodeError::Empty));
        assert_eq!(
            PersistedState::decode("v"),
            Err(StateDecodeError::NotChatState)
        );
        assert_eq!(
            PersistedState::decode(body_of(&encoded)),
            Err(StateDecodeError::Truncated)
        );
        assert_eq!(
            PersistedState::decode(&encoded[..encoded.len() - 1]),
            Err(StateDecodeError::Corrupted)
        );
    }

    #[test]
    fn damaged_values_are_refused() {
        let encoded = sample().encode();
        let damaged = encoded.replacen("idx=17", "idx=18", 1);
        assert_eq!(
            PersistedState::decode(&damaged),
            Err(StateDecodeError::Corrupted)
        );
    }

    #[test]
    fn garbage_is_refused_with_a_clear_error() {
        for garbage in [
            "{\"sessionId\":\"abc\",\"chatServerUrl\":\"x\",\"lastIndex\":3}",
            "hello",
            "%%%",
            "\u{0}\u{1}",
            "=&=&",
        ] {
            assert_eq!(
                PersistedState::decode(garbage),
                Err(StateDecodeError::NotChatState),
                "{garbage}"
            );
        }
        assert_eq!(
            PersistedState::decode("v=2&sid=x&c=00000000"),
            Err(StateDecodeError::UnsupportedVersion("2".into()))
        );
        assert_eq!(
            PersistedState::decode("v=1&c=zz"),
            Err(StateDecodeError::Corrupted)
        );
        let err = PersistedState::decode("v=9").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the saved state has format version `9`; this version of hotline reads version 1"
        );
    }

    #[test]
    fn malformed_fields_are_named() {
        let body = body_of(&sample().encode()).to_owned();
        let cases = [
            (body.replace("idx=17", "idx=-1"), "idx"),
            (body.replace("idx=17", "idx=+17"), "idx"),
            (body.replace("idx=17", "idx="), "idx"),
            (body.replace("idx=17", "idx=99999999999999999999999"), "idx"),
            (body.replace("at=1700000000000", "at=1.7e12"), "at"),
            (body.replace("tr=bayeux", "tr=carrier-pigeon"), "tr"),
            (body.replace("sk=7c8f3a1e9b2d4f60", "sk=%G0"), "sk"),
            (body.replace("sk=7c8f3a1e9b2d4f60", "sk=abc%4"), "sk"),
            (body.replace("sk=7c8f3a1e9b2d4f60", "sk=%FF%FE"), "sk"),
        ];
        for (edited, field) in cases {
            match PersistedState::decode(&signed(&edited)) {
                Err(StateDecodeError::Malformed { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{edited}: {other:?}"),
            }
        }
        assert!(matches!(
            PersistedState::decode(&signed(&format!("{body}&junk"))),
            Err(StateDecodeError::Malformed { .. })
        ));
    }

    #[test]
    fn missing_and_duplicate_fields_are_named() {
        let body = body_of(&sample().encode()).to_owned();
        assert_eq!(
            PersistedState::decode(&signed(&body.replace("&alias=117", ""))),
            Err(StateDecodeError::MissingField("alias"))
        );
        assert_eq!(
            PersistedState::decode(&signed(&format!("{body}&sid=other"))),
            Err(StateDecodeError::DuplicateField("sid"))
        );
        assert_eq!(
            PersistedState::decode(&signed(&format!("{body}&v=1"))),
            Err(StateDecodeError::DuplicateField("v"))
        );
    }

    #[test]
    fn unknown_keys_are_ignored() {
        let body = body_of(&sample().encode()).to_owned();
        let extended = signed(&format!("{body}&theme=dark%20blue&nxt=42&empty="));
        assert_eq!(PersistedState::decode(&extended), Ok(sample()));
        // Unknown keys are not decoded, so an odd value in one does not matter.
        let odd = signed(&format!("{body}&future=%zz"));
        assert_eq!(PersistedState::decode(&odd), Ok(sample()));
    }

    #[test]
    fn lowercase_hex_escapes_are_accepted() {
        let body = body_of(&sample().encode()).replace("svc=customer-support", "svc=a%2fb%2Fc");
        let decoded = PersistedState::decode(&signed(&body)).unwrap();
        assert_eq!(decoded.service, "a/b/c");
    }

    #[test]
    fn fresh_within_max_offline_duration() {
        let state = sample();
        let saved = state.saved_at_ms;
        assert!(state.is_fresh(saved, 5));
        assert!(state.is_fresh(saved + 4_999, 5));
        assert!(state.is_fresh(saved + 5_000, 5), "the bound is inclusive");
        assert!(!state.is_fresh(saved + 5_001, 5));
        assert!(!state.is_fresh(saved + 3_600_000, 5));
        assert!(state.is_fresh(saved + 60_000, 60));
    }

    #[test]
    fn future_state_within_skew_only() {
        let state = sample();
        let saved = state.saved_at_ms;
        assert!(state.is_fresh(saved - MAX_CLOCK_SKEW_MS, 5));
        assert!(!state.is_fresh(saved - MAX_CLOCK_SKEW_MS - 1, 5));
        assert!(!state.is_fresh(0, 5));
    }

    #[test]
    fn zero_max_offline_duration() {
        let state = sample();
        let saved = state.saved_at_ms;
        assert!(state.is_fresh(saved, 0));
        assert!(!state.is_fresh(saved + 1, 0));
    }

    #[test]
    fn extreme_values_do_not_overflow() {
        let state = PersistedState {
            saved_at_ms: u64::MAX,
            ..sample()
        };
        assert!(state.is_fresh(u64::MAX, 0));
        assert!(!state.is_fresh(0, u64::MAX));
        assert_eq!(state.age_ms(0), i64::MIN);
        let old = PersistedState {
            saved_at_ms: 0,
            ..sample()
        };
        assert!(old.is_fresh(u64::MAX, u64::MAX));
        assert_eq!(old.age_ms(u64::MAX), i64::MAX);
    }

    #[test]
    fn stale_error_reports_age() {
        let state = sample();
        let err = state.check_fresh(state.saved_at_ms + 7_250, 5).unwrap_err();
        assert_eq!(
            err,
            ChatError::StaleState {
                age_ms: 7_250,
                max_offline_secs: 5
            }
        );
        let future = state
            .check_fresh(state.saved_at_ms - 10_000, 5)
            .unwrap_err();
        assert!(matches!(
            future,
            ChatError::StaleState {
                age_ms: -10_000,
                ..
            }
        ));
    }

    #[test]
    fn save_and_load_through_a_store() {
        let store = MemoryStore::new();
        let mut state = sample();
        state.save_to(&store, 2_000_000).unwrap();
        assert_eq!(state.saved_at_ms, 2_000_000);
        let loaded = PersistedState::load_from(&store, 2_003_000, 5).unwrap();
        assert_eq!(loaded, state);
        // Loading does not clear the store.
        assert!(store.get().is_some());
        assert!(matches!(
            PersistedState::load_from(&store, 2_005_001, 5),
            Err(ChatError::StaleState { .. })
        ));
    }

    #[test]
    fn load_errors() {
        let empty = MemoryStore::new();
        assert_eq!(
            PersistedState::load_from(&empty, 0, 5),
            Err(ChatError::NoSavedState)
        );
        let blank = MemoryStore::with_value("  ");
        assert_eq!(
            PersistedState::load_from(&blank, 0, 5),
            Err(ChatError::NoSavedState)
        );
        let garbage = MemoryStore::with_value("{\"sessionId\":\"x\"}");
        assert_eq!(
            PersistedState::load_from(&garbage, 0, 5),
            Err(ChatError::BadState(StateDecodeError::NotChatState))
        );
        let no_session = MemoryStore::new();
        PersistedState {
            session_id: String::new(),
            ..sample()
        }
        .save_to(&no_session, 1_000)
        .unwrap();
        assert_eq!(
            PersistedState::load_from(&no_session, 1_000, 5),
            Err(ChatError::NoSavedState)
        );

        struct Broken;
        impl StateStore for Broken {
            fn read(&self) -> Result<Option<String>, StorageError> {
                Err(StorageError::Read("denied".into()))
            }
            fn write(&self, _: Option<&str>) -> Result<(), StorageError> {
                Err(StorageError::Write("full".into()))
            }
        }
        assert_eq!(
            PersistedState::load_from(&Broken, 0, 5),
            Err(ChatError::Storage(StorageError::Read("denied".into())))
        );
        assert_eq!(
            sample().save_to(&Broken, 0),
            Err(ChatError::Storage(StorageError::Write("full".into())))
        );
    }

    #[test]
    fn transport_names() {
        for kind in [TransportKind::Bayeux, TransportKind::Rest] {
            assert_eq!(TransportKind::from_name(kind.as_str()), Some(kind));
        }
        assert_eq!(TransportKind::from_name("Bayeux"), None);
        assert_eq!(TransportKind::default(), TransportKind::Bayeux);
    }

    #[test]
    fn hex8_matches_format() {
        for value in [0, 1, 0xf, 0x10, 0xdead_beef, 0x0123_4567, u32::MAX] {
            let mut out = String::new();
            push_hex8(&mut out, value);
            assert_eq!(out, format!("{value:08x}"));
        }
    }

    #[test]
    fn fnv_reference_values() {
        // Published FNV-1a 32-bit test vectors.
        assert_eq!(fnv1a32(b""), 0x811c_9dc5);
        assert_eq!(fnv1a32(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a32(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn the_object_form_round_trips_and_refuses_bad_fields() {
        let state = PersistedState {
            session_id: "00048aAPEQJ8000U".into(),
            server_url: "https://chat.example".into(),
            service: "customer-support".into(),
            secure_key: "4ee15d7e1c343c8e".into(),
            user_id: "007555677B20000A".into(),
            alias: "117".into(),
            last_index: 17,
            transport: TransportKind::Custom,
            saved_at_ms: 1_700_000_000_000,
        };
        let json = state.to_json();
        assert_eq!(
            json.get("chatServerUrl").and_then(Json::as_str),
            Some("https://chat.example")
        );
        assert_eq!(PersistedState::from_json(&json), Ok(state));
        // A GWE-style minimal state object is enough.
        let minimal =
            Json::parse(r#"{"sessionId":"s1","chatServerUrl":"u","lastIndex":0}"#).unwrap();
        let read = PersistedState::from_json(&minimal).unwrap();
        assert_eq!(
            (read.session_id.as_str(), read.transport),
            ("s1", TransportKind::Bayeux)
        );
        assert_eq!(
            PersistedState::from_json(&Json::Null),
            Err(ChatError::NoSavedState)
        );
        assert_eq!(
            PersistedState::from_json(&Json::object([("lastIndex", Json::from(3u64))])),
            Err(ChatError::NoSavedState)
        );
        for bad in [
            r#"{"sessionId":5}"#,
            r#"{"sessionId":"s","lastIndex":-1}"#,
            r#"{"sessionId":"s","transport":"pigeon"}"#,
            "[1]",
        ] {
            let value = Json::parse(bad).unwrap();
            assert!(
                matches!(
                    PersistedState::from_json(&value),
                    Err(ChatError::BadState(_))
                ),
                "{bad}"
            );
        }
    }

    /// With several faults, the one reported is the first in the order the fields are read:
    /// `sessionId` (wrong type, then empty), `transport`, `chatServerUrl`, `service`,
    /// `secureKey`, `userId`, `alias`, `lastIndex`, an unknown transport, `savedAt`.
    #[test]
    fn state_object_reports_the_first_fault() {
        let fault = |text: &str| match PersistedState::from_json(&Json::parse(text).unwrap()) {
            Err(ChatError::BadState(StateDecodeError::Malformed { field, reason })) => {
                Ok((field, reason))
            }
            Err(other) => Err(other),
            Ok(state) => panic!("expected a fault, read {state:?}"),
        };
        assert_eq!(
            fault(r#"{"sessionId":1,"transport":2}"#),
            Ok(("sessionId".into(), "not a string"))
        );
        assert_eq!(
            fault(r#"{"sessionId":"","transport":2}"#),
            Err(ChatError::NoSavedState)
        );
        assert_eq!(
            fault(r#"{"alias":1,"sessionId":"s","transport":2}"#),
            Ok(("transport".into(), "not a string"))
        );
        assert_eq!(
            fault(r#"{"sessionId":"s","alias":1,"userId":2}"#),
            Ok(("userId".into(), "not a string"))
        );
        assert_eq!(
            fault(r#"{"sessionId":"s","savedAt":-1,"transport":"pigeon","lastIndex":0.5}"#),
            Ok(("lastIndex".into(), "not a whole number"))
        );
        assert_eq!(
            fault(r#"{"sessionId":"s","savedAt":-1,"transport":"pigeon"}"#),
            Ok(("transport".into(), "unknown transport"))
        );
        assert_eq!(
            fault(r#"{"sessionId":"s","savedAt":"x"}"#),
            Ok(("savedAt".into(), "not a whole number"))
        );
    }
}
