//! CIF errors: one enum with a stable name, a numeric code and the message.
//!
//! CIF rejects with `{message, msdyn_name}` where `msdyn_name` is the API that failed
//! (cif-omnichannel.md A.8); the docs of `createTab` also show an `errorCode` number. The JS
//! facade rejects with an `Error` whose `message` is [`CifError`]'s text and which also has
//! `msdyn_name` and `errorCode`: [`ApiError`] carries all three ([`ApiError::to_json`]).
//!
//! The messages are the CIF source's texts where it has one (`Session with ID:… does not
//! exist`, `Did not find template by name (…)`, `The setMode paramter value must be 0, 1 or 2.`
//! with its typo, …); the others are Hotline's. The codes are Hotline's (CIF has no table):
//!
//! | code | name | when |
//! |---|---|---|
//! | 1 | `NullInput` | the input is null or undefined |
//! | 2 | `InvalidJson` | the input is a string that is not JSON |
//! | 3 | `MissingParameter` | a required parameter is null or empty (`sessionId`, `templateName`, `agentId`, …) |
//! | 4 | `InvalidParameter` | a parameter has a value that cannot be used |
//! | 5 | `TemplateNotFound` | no session or application tab template has that unique name |
//! | 6 | `TemplateTagNotFound` | no session template has that tag |
//! | 7 | `TemplateNotGeneric` | `createSession` with an Entity template |
//! | 8 | `SessionLimit` | `createSession` with [`MAX_SESSIONS`](super::MAX_SESSIONS) sessions open |
//! | 9 | `SessionNotFound` | no session of this provider has that id |
//! | 10 | `FocusedSessionNotOwned` | the call needs a focused provider session and Home is focused |
//! | 11 | `InvalidSessionId` | `updateContext` on a session that is not the provider's |
//! | 12 | `HomeSession` | closing or renaming the Home session |
//! | 13 | `TabNotFound` | no tab of the focused session has that id |
//! | 14 | `AnchorTab` | closing an anchor tab |
//! | 15 | `InvalidMode` | `setMode` with anything but 0, 1 or 2 |
//! | 16 | `InvalidTemplates` | template definitions that cannot be read |
//! | 17 | `NotInitialized` | a call before `initialize` finished |
//! | 18 | `NotSignedIn` | a call that needs the agent's sign-in, without one |
//! | 19 | `Server` | the server refused the request or could not be reached |

use crate::core::json::Json;
use crate::core::odata::ConversationsError;

/// Everything a `Microsoft.CIFramework` or `Microsoft.Omnichannel` call can fail with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CifError {
    #[error("Some of required parameters are null")]
    NullInput,
    #[error("The input is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("The {0} parameter is required but is null or empty")]
    MissingParameter(&'static str),
    #[error("The {name} parameter is not valid: {reason}")]
    InvalidParameter { name: &'static str, reason: String },
    #[error("Did not find template by name ({0})")]
    TemplateNotFound(String),
    #[error("Error retrieving template by tag ({0}) : no session template has this tag")]
    TemplateTagNotFound(String),
    #[error(
        "The session template ({0}) is of type Entity: createSession supports only session \
         templates of type Generic"
    )]
    TemplateNotGeneric(String),
    #[error("Maximum sessions reached. Close a session before opening another.")]
    SessionLimit,
    #[error("Session with ID:{0} does not exist")]
    SessionNotFound(String),
    #[error("Focused session does not belong to the provider")]
    FocusedSessionNotOwned,
    #[error("Please provide valid session id")]
    InvalidSessionId,
    /// What cannot be done: `"closed"` or `"renamed"`.
    #[error("The Home session cannot be {0}")]
    HomeSession(&'static str),
    #[error("Tab with ID:{0} does not exist in the focused session")]
    TabNotFound(String),
    #[error("The anchor tab of a session cannot be closed")]
    AnchorTab,
    #[error("The setMode paramter value must be 0, 1 or 2.")]
    InvalidMode,
    #[error("Invalid templates: {0}")]
    InvalidTemplates(String),
    #[error("Microsoft.CIFramework is not initialized: call initialize({{serverUrl}}) first")]
    NotInitialized,
    #[error("The agent is not signed in: call initialize({{serverUrl, username, password}})")]
    NotSignedIn,
    /// The server refused or could not be reached (`status` 0).
    #[error("The server answered {status}: {message}")]
    Server { status: u16, message: String },
}

impl CifError {
    /// The stable name of the error (the variant's name), e.g. `"SessionNotFound"`.
    pub fn name(&self) -> &'static str {
        match self {
            CifError::NullInput => "NullInput",
            CifError::InvalidJson(_) => "InvalidJson",
            CifError::MissingParameter(_) => "MissingParameter",
            CifError::InvalidParameter { .. } => "InvalidParameter",
            CifError::TemplateNotFound(_) => "TemplateNotFound",
            CifError::TemplateTagNotFound(_) => "TemplateTagNotFound",
            CifError::TemplateNotGeneric(_) => "TemplateNotGeneric",
            CifError::SessionLimit => "SessionLimit",
            CifError::SessionNotFound(_) => "SessionNotFound",
            CifError::FocusedSessionNotOwned => "FocusedSessionNotOwned",
            CifError::InvalidSessionId => "InvalidSessionId",
            CifError::HomeSession(_) => "HomeSession",
            CifError::TabNotFound(_) => "TabNotFound",
            CifError::AnchorTab => "AnchorTab",
            CifError::InvalidMode => "InvalidMode",
            CifError::InvalidTemplates(_) => "InvalidTemplates",
            CifError::NotInitialized => "NotInitialized",
            CifError::NotSignedIn => "NotSignedIn",
            CifError::Server { .. } => "Server",
        }
    }

    /// The numeric code JS sees as `error.errorCode` (see the module table).
    pub fn code(&self) -> u16 {
        match self {
            CifError::NullInput => 1,
            CifError::InvalidJson(_) => 2,
            CifError::MissingParameter(_) => 3,
            CifError::InvalidParameter { .. } => 4,
            CifError::TemplateNotFound(_) => 5,
            CifError::TemplateTagNotFound(_) => 6,
            CifError::TemplateNotGeneric(_) => 7,
            CifError::SessionLimit => 8,
            CifError::SessionNotFound(_) => 9,
            CifError::FocusedSessionNotOwned => 10,
            CifError::InvalidSessionId => 11,
            CifError::HomeSession(_) => 12,
            CifError::TabNotFound(_) => 13,
            CifError::AnchorTab => 14,
            CifError::InvalidMode => 15,
            CifError::InvalidTemplates(_) => 16,
            CifError::NotInitialized => 17,
            CifError::NotSignedIn => 18,
            CifError::Server { .. } => 19,
        }
    }

    /// This error as raised by the API `api` (the JS method name, e.g. `"createSession"`).
    pub fn at(self, api: &'static str) -> ApiError {
        ApiError { api, error: self }
    }

    pub(crate) fn invalid(name: &'static str, reason: impl Into<String>) -> CifError {
        CifError::InvalidParameter {
            name,
            reason: reason.into(),
        }
    }
}

impl From<ConversationsError> for CifError {
    fn from(error: ConversationsError) -> Self {
        match error {
            ConversationsError::NullInput => CifError::NullInput,
            ConversationsError::InvalidJson(reason) => CifError::InvalidJson(reason),
            ConversationsError::MissingAgentId => CifError::MissingParameter("agentId"),
            ConversationsError::Invalid { parameter, reason } => CifError::InvalidParameter {
                name: parameter,
                reason,
            },
        }
    }
}

/// A [`CifError`] with the API that raised it: what a rejected promise carries.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct ApiError {
    /// The API name, sent as `msdyn_name` (the JS method name, e.g. `"createSession"`).
    pub api: &'static str,
    pub error: CifError,
}

impl ApiError {
    /// `error.message`.
    pub fn message(&self) -> String {
        self.error.to_string()
    }

    /// `error.msdyn_name`.
    pub fn msdyn_name(&self) -> &'static str {
        self.api
    }

    /// `error.errorCode`.
    pub fn error_code(&self) -> u16 {
        self.error.code()
    }

    /// `{message, msdyn_name, errorCode}`: the properties the JS `Error` gets.
    pub fn to_json(&self) -> Json {
        Json::object([
            ("message", Json::from(self.message())),
            ("msdyn_name", Json::from(self.api)),
            ("errorCode", Json::from(u64::from(self.error_code()))),
        ])
    }
}
