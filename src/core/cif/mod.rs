//! `Microsoft.CIFramework` (Dynamics 365 Channel Integration Framework 2.0), sans-IO: the
//! logic behind the JS facade, with no web types (cif-omnichannel.md, section A).
//!
//! - [`templates`]: session and application tab templates, read from JSON; the shipped
//!   defaults ([`Templates::defaults`]: `msdyn_chat_session`, `CallSessionTemplate`, …);
//! - [`params`]: typed template parameters and slug resolution (`{name}`,
//!   `{ChannelProvider.x}`, `{Session.AnchorTab.x}`, `{Session.CurrentTab.x}`, one level of
//!   nesting), with the documented precedence (runtime values override configured ones);
//! - [`workspace`]: [`Workspace`], the sessions, tabs, focus, limits, presence, panel mode and
//!   width; each call returns an [`Outcome`] (its value and the [`Event`]s to dispatch);
//! - [`events`]: [`Event`] (CIF handler events and console events), [`Presence`],
//!   [`Handlers`] (the `addHandler` registry);
//! - [`errors`]: [`CifError`] (name, code, message) and [`ApiError`] (with `msdyn_name`).
//!
//! `Microsoft.Omnichannel.getConversations` builds its query with
//! [`crate::core::odata::conversations_query`]; its errors convert into [`CifError`].
//!
//! # Using it from the facade
//!
//! ```
//! use hotline::core::cif::{Workspace, Templates};
//! use hotline::core::json::Json;
//!
//! let mut templates = Templates::defaults();
//! // Served by the server or passed inline: laid over the defaults.
//! templates.merge(Templates::from_json(&Json::parse(r#"{"sessionTemplates":[]}"#).unwrap()).unwrap());
//! let mut workspace = Workspace::new(templates);
//!
//! // createSession(input): input as the page gave it (object, or a JSON string).
//! let input = Json::parse(r#"{"templateName":"msdyn_chat_session","templateParameters":{"customer":"Contoso"}}"#).unwrap();
//! match workspace.create_session(&input) {
//!     Ok(done) => {
//!         assert_eq!(done.value, "session-id-1"); // resolve the promise with this
//!         for event in &done.events {
//!             if let Some(name) = event.cif_name() {
//!                 // call workspace.handlers().for_event(name) with event.handler_argument()
//!                 let _ = (name, event.handler_argument());
//!             }
//!         }
//!     }
//!     // reject with an Error: message, msdyn_name, errorCode
//!     Err(error) => panic!("{}", error.at("createSession").to_json()),
//! }
//! assert_eq!(workspace.session("session-id-1").unwrap().title, "Chat with Contoso");
//! ```

pub mod errors;
pub mod events;
pub mod params;
pub mod templates;
pub mod workspace;

pub use errors::{ApiError, CifError};
pub use events::{Event, Handlers, Presence};
pub use params::{resolve_slugs, Precedence, SlugContext, TabRef};
pub use templates::{
    ParamDef, SessionKind, SessionTemplate, TabTemplate, Templates, MODE_DOCKED, MODE_HIDDEN,
    MODE_MINIMIZED,
};
pub use workspace::{Outcome, Session, Tab, Workspace, HOME_SESSION_ID, MAX_SESSIONS};

use crate::core::json::Json;

/// A JSON argument as the page gave it: a string is parsed as JSON text (CIF documents its
/// inputs as JSON strings); anything else is taken as it is. Null is [`CifError::NullInput`].
pub fn parse_json_arg(input: &Json) -> Result<Json, CifError> {
    match input {
        Json::Null => Err(CifError::NullInput),
        Json::String(text) => Json::parse(text).map_err(|e| CifError::InvalidJson(e.to_string())),
        other => Ok(other.clone()),
    }
}

/// A CIF input object: an object, or a JSON string holding one.
pub fn parse_input(input: &Json) -> Result<Json, CifError> {
    let value = parse_json_arg(input)?;
    if value.as_object().is_some() {
        Ok(value)
    } else {
        Err(CifError::invalid(
            "input",
            "must be an object or a JSON string holding one",
        ))
    }
}

#[cfg(test)]
mod tests;
