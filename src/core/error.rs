//! Errors of the chat domain and the GWE Chat API error-code table.
//!
//! Every failure a page can observe through `chat.*` or a session command carries a numeric
//! `code` and a readable `description`, as documented by Genesys for the GWE Chat Service JS API
//! (*Error Codes*, GWE 8.1.2 – 8.5). [`ErrorCode`] names the documented codes; [`ErrorCode::TABLE`]
//! is the single place that maps a code to its description. [`ChatError`] is the one error type
//! of the chat domain; [`ChatError::code`] and [`ChatError::description`] give what a JS caller
//! sees as `error.code` and `error.description`.

use crate::core::json::{concat, push_all, push_i64, push_u64};
use crate::core::state::StateDecodeError;
use crate::core::storage::StorageError;

/// A documented GWE Chat API error code.
///
/// The ranges are: 1–49 syntax errors in chat commands, 50–99 chat session run-time errors,
/// 100–149 Chat Server errors, 150–199 chat transport errors (generated in the browser).
/// Code 0 is the library's generic error, used for failures inside the browser library itself
/// (for example "restoreSession() failed to read state").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum ErrorCode {
    /// 0: generic or unknown error raised by the library itself.
    Generic = 0,
    /// 1: unknown chat command.
    UnknownCommand = 1,
    /// 2: one or more mandatory parameters are missing in a chat command.
    MissingParameter = 2,
    /// 3: the value of a chat command parameter is incorrect.
    IncorrectParameter = 3,
    /// 50: the chat session ID is unknown.
    UnknownSession = 50,
    /// 51: the chat command was stopped by a decorator.
    StoppedByDecorator = 51,
    /// 52: error during chat command execution.
    ExecutionFailed = 52,
    /// 100: Chat Server is not available.
    ServerUnavailable = 100,
    /// 101: login to Chat Server failed.
    LoginFailed = 101,
    /// 150: network connection interrupted (deprecated by Genesys in favour of
    /// `session.onInterrupted` / `onContinued`, still reported by the transport).
    ConnectionInterrupted = 150,
}

impl ErrorCode {
    /// Every documented code with its description, in ascending order of code.
    ///
    /// The descriptions are the English texts of the Genesys *Error Codes* page; code 0 has
    /// no documented text, so it gets a neutral one.
    pub const TABLE: [(ErrorCode, &'static str); 10] = [
        (ErrorCode::Generic, "Generic or unknown error"),
        (ErrorCode::UnknownCommand, "Unknown chat command"),
        (
            ErrorCode::MissingParameter,
            "One or more mandatory parameters are missed in chat command",
        ),
        (
            ErrorCode::IncorrectParameter,
            "Value of chat command parameter is incorrect",
        ),
        (ErrorCode::UnknownSession, "Chat session ID is unknown"),
        (
            ErrorCode::StoppedByDecorator,
            "Chat command is stopped by decorator",
        ),
        (
            ErrorCode::ExecutionFailed,
            "Error during chat command execution",
        ),
        (ErrorCode::ServerUnavailable, "Chat Server is not available"),
        (ErrorCode::LoginFailed, "Login to Chat Server was failed"),
        (
            ErrorCode::ConnectionInterrupted,
            "Network connection interrupted",
        ),
    ];

    /// The numeric code, as JS sees it in `error.code`.
    pub const fn code(self) -> u16 {
        self as u16
    }

    /// The documented description of this code.
    pub fn description(self) -> &'static str {
        Self::TABLE
            .iter()
            .find(|(c, _)| *c == self)
            .map_or("Generic or unknown error", |(_, d)| d)
    }

    /// The named code for a number, if the number is a documented code.
    pub fn from_code(code: u16) -> Option<Self> {
        Self::TABLE
            .iter()
            .find(|(c, _)| c.code() == code)
            .map(|(c, _)| *c)
    }

    /// The description for any number: the documented text for a known code, otherwise a
    /// text naming the documented range the number falls in.
    pub fn describe(code: u16) -> &'static str {
        match Self::from_code(code) {
            Some(known) => known.description(),
            None => match code {
                1..=49 => "Chat command syntax error",
                50..=99 => "Chat session run-time error",
                100..=149 => "Chat Server error",
                150..=199 => "Chat transport error",
                200..=249 => "Chat widget error",
                _ => "Unknown chat error",
            },
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.description(), self.code())
    }
}

/// Everything that can go wrong in the chat domain.
///
/// JS callers see [`code`](Self::code) and [`description`](Self::description); the
/// `Display` text is the same as the description. The texts are given with each variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatError {
    /// A documented error raised locally, with the documented description.
    /// Text: the code's documented description.
    Code(ErrorCode),

    /// An error reported by the server or a custom transport, forwarded unchanged.
    /// The code may be one the table does not know (151–199, 200–249, …).
    /// Text: the description as received.
    Remote {
        /// The code as received.
        code: u16,
        /// The description as received; may be empty.
        description: String,
    },

    /// A mandatory option or parameter is missing.
    /// Text: "missing mandatory option `{0}`".
    MissingOption(&'static str),

    /// An option or parameter has a value that cannot be used.
    /// Text: "option `{option}` is incorrect: {reason}".
    InvalidOption {
        /// The option name, as the page spells it.
        option: &'static str,
        /// Why the value was refused.
        reason: String,
    },

    /// `restoreSession` found no saved state. The text is the one GWE uses.
    /// Text: "restoreSession() failed to read state".
    NoSavedState,

    /// `restoreSession` found saved state that is too old (or dated in the future).
    /// Text: "restoreSession() refused saved state: saved {age_ms} ms ago,
    /// maxOfflineDuration is {max_offline_secs} s".
    StaleState {
        /// Milliseconds between saving and now; negative when saved in the future.
        age_ms: i64,
        /// The allowed offline duration, in seconds.
        max_offline_secs: u64,
    },

    /// Saved state exists but cannot be read.
    /// Text: "restoreSession() failed to read state: {0}".
    BadState(StateDecodeError),

    /// The state storage failed.
    /// Text: "chat state storage failed: {0}".
    Storage(StorageError),

    /// `startSession` got neither a server URL nor a custom transport. GWE throws this
    /// synchronously as a `TypeError` (see [`type_error_message`](Self::type_error_message)).
    /// Text: "either serverUrl or a custom transport must be provided".
    MissingServerUrl,

    /// A command or `startSession` argument the caller got wrong, thrown as a `TypeError`
    /// (e.g. `type must be "url" or "text"`). The text has no `Genesys Chat: ` prefix.
    /// Text: the text itself.
    InvalidArgument(String),

    /// A command was called after the session ended; GWE throws
    /// `TypeError('Genesys Chat: session has ended')`.
    /// Text: "session has ended".
    SessionEnded,

    /// The server sent a response or notification that is not a GMS chat v2 envelope.
    /// Text: "invalid response from the chat server: {0}".
    BadResponse(String),

    /// A custom transport pushed an event that fails validation. The text is the one GWE uses.
    /// Text: "Transport error in {event} event ({reason})".
    BadEvent {
        /// The event name, e.g. `MessageReceived`.
        event: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl ChatError {
    /// The error for a code and description received from the server or a transport.
    /// A code of the table keeps the received description when it is not empty.
    pub fn remote(code: u16, description: impl Into<String>) -> Self {
        ChatError::Remote {
            code,
            description: description.into(),
        }
    }

    /// The GWE code a JS caller sees as `error.code`.
    pub fn code(&self) -> u16 {
        self.error_code().map_or_else(
            || match self {
                ChatError::Remote { code, .. } => *code,
                _ => ErrorCode::Generic.code(),
            },
            ErrorCode::code,
        )
    }

    /// The named code, when the error's code is a documented one.
    pub fn error_code(&self) -> Option<ErrorCode> {
        match self {
            ChatError::Code(code) => Some(*code),
            ChatError::Remote { code, .. } => ErrorCode::from_code(*code),
            ChatError::MissingOption(_) => Some(ErrorCode::MissingParameter),
            ChatError::InvalidOption { .. } => Some(ErrorCode::IncorrectParameter),
            ChatError::MissingServerUrl => Some(ErrorCode::MissingParameter),
            ChatError::InvalidArgument(_) => Some(ErrorCode::IncorrectParameter),
            ChatError::SessionEnded => Some(ErrorCode::ExecutionFailed),
            ChatError::NoSavedState
            | ChatError::StaleState { .. }
            | ChatError::BadState(_)
            | ChatError::Storage(_)
            | ChatError::BadResponse(_)
            | ChatError::BadEvent { .. } => Some(ErrorCode::Generic),
        }
    }

    /// The message of the `TypeError` the JS layer throws for this error, or `None` when the
    /// error is reported as `{error:{code, description}}` (promise rejection or `onError`).
    ///
    /// GWE throws (rather than rejects) for caller mistakes: a missing server URL, a wrong
    /// argument or option, and any command on an ended session. Every such message starts
    /// with `Genesys Chat: `, e.g. `Genesys Chat: session has ended`.
    pub fn type_error_message(&self) -> Option<String> {
        match self {
            ChatError::MissingServerUrl
            | ChatError::InvalidArgument(_)
            | ChatError::SessionEnded
            | ChatError::MissingOption(_)
            | ChatError::InvalidOption { .. } => Some(concat(&["Genesys Chat: ", &self.text()])),
            _ => None,
        }
    }

    /// The readable text a JS caller sees as `error.description`.
    ///
    /// A remote error with an empty description gets the table's text for its code.
    pub fn description(&self) -> String {
        match self {
            ChatError::Remote { code, description } if description.is_empty() => {
                ErrorCode::describe(*code).to_owned()
            }
            other => other.text(),
        }
    }
}

impl ChatError {
    /// The `Display` text, built with `push_str`: `thiserror`'s `write!` per variant links
    /// the formatting machinery into the wasm.
    fn text(&self) -> String {
        let mut out = String::new();
        match self {
            ChatError::Code(code) => out.push_str(code.description()),
            ChatError::Remote { description, .. } => out.push_str(description),
            ChatError::MissingOption(option) => {
                push_all(&mut out, &["missing mandatory option `", option, "`"]);
            }
            ChatError::InvalidOption { option, reason } => {
                push_all(&mut out, &["option `", option, "` is incorrect: ", reason]);
            }
            ChatError::NoSavedState => out.push_str("restoreSession() failed to read state"),
            ChatError::StaleState {
                age_ms,
                max_offline_secs,
            } => {
                out.push_str("restoreSession() refused saved state: saved ");
                push_i64(&mut out, *age_ms);
                out.push_str(" ms ago, maxOfflineDuration is ");
                push_u64(&mut out, *max_offline_secs);
                out.push_str(" s");
            }
            ChatError::BadState(error) => {
                out.push_str("restoreSession() failed to read state: ");
                error.push_text(&mut out);
            }
            ChatError::Storage(error) => {
                out.push_str("chat state storage failed: ");
                error.push_text(&mut out);
            }
            ChatError::MissingServerUrl => {
                out.push_str("either serverUrl or a custom transport must be provided");
            }
            ChatError::InvalidArgument(text) => out.push_str(text),
            ChatError::SessionEnded => out.push_str("session has ended"),
            ChatError::BadResponse(text) => {
                push_all(&mut out, &["invalid response from the chat server: ", text]);
            }
            ChatError::BadEvent { event, reason } => {
                push_all(
                    &mut out,
                    &["Transport error in ", event, " event (", reason, ")"],
                );
            }
        }
        out
    }
}

impl std::fmt::Display for ChatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

impl std::error::Error for ChatError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ChatError::BadState(error) => Some(error),
            ChatError::Storage(error) => Some(error),
            _ => None,
        }
    }
}

impl From<StateDecodeError> for ChatError {
    fn from(error: StateDecodeError) -> Self {
        ChatError::BadState(error)
    }
}

impl From<StorageError> for ChatError {
    fn from(error: StorageError) -> Self {
        ChatError::Storage(error)
    }
}

impl From<ErrorCode> for ChatError {
    fn from(code: ErrorCode) -> Self {
        ChatError::Code(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (code, named code, documented description), written out independently of `TABLE`.
    const DOCUMENTED: [(u16, ErrorCode, &str); 10] = [
        (0, ErrorCode::Generic, "Generic or unknown error"),
        (1, ErrorCode::UnknownCommand, "Unknown chat command"),
        (
            2,
            ErrorCode::MissingParameter,
            "One or more mandatory parameters are missed in chat command",
        ),
        (
            3,
            ErrorCode::IncorrectParameter,
            "Value of chat command parameter is incorrect",
        ),
        (50, ErrorCode::UnknownSession, "Chat session ID is unknown"),
        (
            51,
            ErrorCode::StoppedByDecorator,
            "Chat command is stopped by decorator",
        ),
        (
            52,
            ErrorCode::ExecutionFailed,
            "Error during chat command execution",
        ),
        (
            100,
            ErrorCode::ServerUnavailable,
            "Chat Server is not available",
        ),
        (
            101,
            ErrorCode::LoginFailed,
            "Login to Chat Server was failed",
        ),
        (
            150,
            ErrorCode::ConnectionInterrupted,
            "Network connection interrupted",
        ),
    ];

    #[test]
    fn every_documented_code_maps_both_ways() {
        for (number, named, description) in DOCUMENTED {
            assert_eq!(named.code(), number, "{named:?}");
            assert_eq!(ErrorCode::from_code(number), Some(named), "{number}");
            assert_eq!(named.description(), description, "{number}");
            assert_eq!(ErrorCode::describe(number), description, "{number}");
            let err = ChatError::from(named);
            assert_eq!(err.code(), number);
            assert_eq!(err.description(), description);
            assert_eq!(err.error_code(), Some(named));
        }
    }

    #[test]
    fn code_0_generic() {
        assert_eq!(ErrorCode::Generic.code(), 0);
        assert_eq!(ChatError::NoSavedState.code(), 0);
    }

    #[test]
    fn code_1_unknown_command() {
        assert_eq!(ErrorCode::from_code(1), Some(ErrorCode::UnknownCommand));
    }

    #[test]
    fn code_2_missing_parameter() {
        assert_eq!(ErrorCode::from_code(2), Some(ErrorCode::MissingParameter));
        assert_eq!(ChatError::MissingOption("serverUrl").code(), 2);
    }

    #[test]
    fn code_3_incorrect_parameter() {
        assert_eq!(ErrorCode::from_code(3), Some(ErrorCode::IncorrectParameter));
        let err = ChatError::InvalidOption {
            option: "maxOfflineDuration",
            reason: "must be a number of seconds".into(),
        };
        assert_eq!(err.code(), 3);
        assert_eq!(
            err.description(),
            "option `maxOfflineDuration` is incorrect: must be a number of seconds"
        );
    }

    #[test]
    fn code_50_unknown_session() {
        assert_eq!(ErrorCode::from_code(50), Some(ErrorCode::UnknownSession));
    }

    #[test]
    fn code_51_stopped_by_decorator() {
        assert_eq!(
            ErrorCode::from_code(51),
            Some(ErrorCode::StoppedByDecorator)
        );
    }

    #[test]
    fn code_52_execution_failed() {
        assert_eq!(ErrorCode::from_code(52), Some(ErrorCode::ExecutionFailed));
    }

    #[test]
    fn code_100_server_unavailable() {
        assert_eq!(
            ErrorCode::from_code(100),
            Some(ErrorCode::ServerUnavailable)
        );
    }

    #[test]
    fn code_101_login_failed() {
        assert_eq!(ErrorCode::from_code(101), Some(ErrorCode::LoginFailed));
    }

    #[test]
    fn code_150_connection_interrupted() {
        assert_eq!(
            ErrorCode::from_code(150),
            Some(ErrorCode::ConnectionInterrupted)
        );
    }

    #[test]
    fn table_is_sorted_and_unique() {
        let codes: Vec<u16> = ErrorCode::TABLE.iter().map(|(c, _)| c.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
        assert_eq!(codes.len(), DOCUMENTED.len());
    }

    #[test]
    fn undocumented_codes_get_range_text() {
        assert_eq!(ErrorCode::from_code(4), None);
        assert_eq!(ErrorCode::describe(4), "Chat command syntax error");
        assert_eq!(ErrorCode::describe(99), "Chat session run-time error");
        assert_eq!(ErrorCode::describe(149), "Chat Server error");
        assert_eq!(ErrorCode::describe(151), "Chat transport error");
        assert_eq!(ErrorCode::describe(210), "Chat widget error");
        assert_eq!(ErrorCode::describe(250), "Unknown chat error");
    }

    #[test]
    fn remote_errors_are_forwarded_unchanged() {
        let err = ChatError::remote(101, "login refused by GMS");
        assert_eq!(err.code(), 101);
        assert_eq!(err.error_code(), Some(ErrorCode::LoginFailed));
        assert_eq!(err.description(), "login refused by GMS");

        let unknown = ChatError::remote(177, "");
        assert_eq!(unknown.code(), 177);
        assert_eq!(unknown.error_code(), None);
        assert_eq!(unknown.description(), "Chat transport error");

        let empty_known = ChatError::remote(50, "");
        assert_eq!(empty_known.description(), "Chat session ID is unknown");
    }

    #[test]
    fn state_errors_are_code_0_with_clear_text() {
        assert_eq!(
            ChatError::NoSavedState.description(),
            "restoreSession() failed to read state"
        );
        let stale = ChatError::StaleState {
            age_ms: 7_000,
            max_offline_secs: 5,
        };
        assert_eq!(stale.code(), 0);
        assert!(stale.description().contains("7000 ms ago"));
        let bad = ChatError::from(StateDecodeError::Empty);
        assert_eq!(bad.code(), 0);
        assert!(bad
            .description()
            .starts_with("restoreSession() failed to read state: "));
        let storage = ChatError::from(StorageError::Unavailable("cookies are disabled".into()));
        assert_eq!(storage.code(), 0);
        assert!(storage.description().contains("cookies are disabled"));
    }

    #[test]
    fn caller_mistakes_are_type_errors() {
        assert_eq!(
            ChatError::MissingServerUrl.type_error_message().as_deref(),
            Some("Genesys Chat: either serverUrl or a custom transport must be provided")
        );
        assert_eq!(ChatError::MissingServerUrl.code(), 2);
        assert_eq!(
            ChatError::SessionEnded.type_error_message().as_deref(),
            Some("Genesys Chat: session has ended")
        );
        assert_eq!(ChatError::SessionEnded.code(), 52);
        let wrong_type = ChatError::InvalidArgument(r#"type must be "url" or "text""#.into());
        assert_eq!(
            wrong_type.type_error_message().as_deref(),
            Some(r#"Genesys Chat: type must be "url" or "text""#)
        );
        assert_eq!(wrong_type.code(), 3);
        let option = ChatError::InvalidOption {
            option: "maxOfflineDuration",
            reason: "must be a number".into(),
        };
        assert_eq!(
            option.type_error_message().as_deref(),
            Some("Genesys Chat: option `maxOfflineDuration` is incorrect: must be a number")
        );
        assert!(ChatError::NoSavedState.type_error_message().is_none());
        assert!(ChatError::remote(101, "x").type_error_message().is_none());
    }

    #[test]
    fn transport_failures_are_code_0() {
        let bad = ChatError::BadEvent {
            event: "MessageReceived".into(),
            reason: "index must be a number".into(),
        };
        assert_eq!(bad.code(), 0);
        assert_eq!(
            bad.description(),
            "Transport error in MessageReceived event (index must be a number)"
        );
        let response = ChatError::BadResponse("`statusCode` must be a number".into());
        assert_eq!(response.code(), 0);
        assert!(response.type_error_message().is_none());
    }

    #[test]
    fn display_of_code() {
        assert_eq!(
            ErrorCode::ServerUnavailable.to_string(),
            "Chat Server is not available (100)"
        );
    }
}

#[cfg(test)]
mod text_tests {
    use super::*;
    use crate::core::json::Json;

    /// The texts were written by `thiserror` attributes before `Display` was written by hand;
    /// they are what pages see in `error.description`, so they must not drift.
    #[test]
    fn display_texts_are_the_documented_ones() {
        let all = [
            ChatError::Code(ErrorCode::LoginFailed),
            ChatError::remote(160, "custom text"),
            ChatError::MissingOption("serverUrl"),
            ChatError::InvalidOption {
                option: "service",
                reason: "must be a name".into(),
            },
            ChatError::NoSavedState,
            ChatError::StaleState {
                age_ms: -7250,
                max_offline_secs: 5,
            },
            ChatError::BadState(StateDecodeError::Empty),
            ChatError::BadState(StateDecodeError::NotChatState),
            ChatError::BadState(StateDecodeError::UnsupportedVersion("9".into())),
            ChatError::BadState(StateDecodeError::Truncated),
            ChatError::BadState(StateDecodeError::Corrupted),
            ChatError::BadState(StateDecodeError::MissingField("sid")),
            ChatError::BadState(StateDecodeError::DuplicateField("sid")),
            ChatError::BadState(StateDecodeError::Malformed {
                field: "idx".into(),
                reason: "not a decimal number",
            }),
            ChatError::Storage(StorageError::Unavailable("no window".into())),
            ChatError::Storage(StorageError::Read("denied".into())),
            ChatError::Storage(StorageError::Write("full".into())),
            ChatError::Storage(StorageError::TooLarge {
                medium: "a cookie",
                len: 5000,
                max: 4096,
            }),
            ChatError::Storage(StorageError::Invalid {
                what: "cookie name",
                value: "a b".into(),
                reason: "spaces",
            }),
            ChatError::MissingServerUrl,
            ChatError::InvalidArgument("type must be \"url\" or \"text\"".into()),
            ChatError::SessionEnded,
            ChatError::BadResponse("`x` must be y".into()),
            ChatError::BadEvent {
                event: "MessageReceived".into(),
                reason: "party must be an object".into(),
            },
        ];
        let texts = [
            "Login to Chat Server was failed",
            "custom text",
            "missing mandatory option `serverUrl`",
            "option `service` is incorrect: must be a name",
            "restoreSession() failed to read state",
            "restoreSession() refused saved state: saved -7250 ms ago, maxOfflineDuration is 5 s",
            "restoreSession() failed to read state: the saved state is empty",
            "restoreSession() failed to read state: the saved value is not hotline chat state",
            "restoreSession() failed to read state: the saved state has format version `9`; this version of hotline reads version 1",
            "restoreSession() failed to read state: the saved state is truncated (it has no checksum)",
            "restoreSession() failed to read state: the saved state is truncated or damaged (checksum mismatch)",
            "restoreSession() failed to read state: the saved state has no `sid` field",
            "restoreSession() failed to read state: the saved state has the `sid` field twice",
            "restoreSession() failed to read state: the saved state field `idx` is malformed: not a decimal number",
            "chat state storage failed: state storage is unavailable: no window",
            "chat state storage failed: reading the saved state failed: denied",
            "chat state storage failed: saving the state failed: full",
            "chat state storage failed: the state is too large for a cookie: 5000 bytes, the limit is 4096",
            "chat state storage failed: invalid cookie name `a b`: spaces",
            "either serverUrl or a custom transport must be provided",
            "type must be \"url\" or \"text\"",
            "session has ended",
            "invalid response from the chat server: `x` must be y",
            "Transport error in MessageReceived event (party must be an object)",
        ];
        for (error, text) in all.iter().zip(texts) {
            assert_eq!(error.to_string(), text);
            assert_eq!(error.description(), text);
        }
        assert_eq!(
            ChatError::SessionEnded.type_error_message().as_deref(),
            Some("Genesys Chat: session has ended")
        );
        assert_eq!(
            Json::parse("[1,").unwrap_err().to_string(),
            "invalid JSON at byte 3: unexpected end of input"
        );
        let source = std::error::Error::source(&ChatError::BadState(StateDecodeError::Empty));
        assert_eq!(
            source.map(ToString::to_string).as_deref(),
            Some("the saved state is empty")
        );
    }
}
