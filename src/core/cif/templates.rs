//! Session templates and application tab templates: the model, reading them from JSON, and the
//! templates Hotline ships ([`DEFAULT_TEMPLATES_JSON`]).
//!
//! # JSON shape
//!
//! The server serves, or the page passes inline, one object:
//!
//! ```json
//! {
//!   "sessionTemplates": [{
//!     "name": "contoso_chat",           // unique name ("uniqueName" also accepted)
//!     "type": "Generic",                // "Generic" (default) or "Entity"
//!     "title": "Chat with {customer}",  // may contain slugs
//!     "anchorTab": "contoso_conversation",  // an application tab template (required for Generic)
//!     "additionalTabs": ["contoso_search"], // opened in the background
//!     "tags": ["chat"],
//!     "panelMode": "docked",            // 0/1/2, minimized/docked/hidden, or 100000000–100000002
//!     "applyTitleToAnchorTab": false,
//!     "entity": "incident"              // Entity templates only
//!   }],
//!   "applicationTabTemplates": [{
//!     "name": "contoso_conversation",
//!     "pageType": "entityrecord",       // dashboard, entitylist, entityrecord, search,
//!                                       // webresource, thirdpartywebsite, custom, control
//!     "title": "Conversation",
//!     "tags": [],
//!     "parameters": {                   // or the same object as a JSON string
//!       "entityName": {"type": "string", "value": "msdyn_ocliveworkitem", "isRuntime": false},
//!       "entityId":   {"type": "string", "value": "{conversationId}", "isRuntime": true}
//!     }
//!   }]
//! }
//! ```
//!
//! A parameter may also be a bare string (`"entityName": "incident"`), read as
//! `{type: "string", value: …}`. Unique names are not checked against the `<prefix>_<name>`
//! rule, since the documented example `CallSessionTemplate` does not follow it.
//! [`Templates::merge`] lays served or inline templates over the defaults, by unique name.

use crate::core::json::Json;

use super::errors::CifError;

/// Panel modes: the values of `setMode` / `getMode` and `onmodechanged`.
pub const MODE_MINIMIZED: u8 = 0;
pub const MODE_DOCKED: u8 = 1;
pub const MODE_HIDDEN: u8 = 2;

/// What a session template is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionKind {
    /// Assigned to a channel; the only kind `createSession` accepts.
    Generic,
    /// Bound to an entity (case sessions and the like).
    Entity,
}

/// A session template (`msdyn_sessiontemplate`).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionTemplate {
    pub name: String,
    pub kind: SessionKind,
    /// The title, possibly with slugs; empty when the template has none.
    pub title: String,
    /// The unique name of the anchor tab's template (empty for an Entity template without one).
    pub anchor_tab: String,
    /// The unique names of the templates of the tabs opened in the background.
    pub additional_tabs: Vec<String>,
    pub tags: Vec<String>,
    /// [`MODE_MINIMIZED`], [`MODE_DOCKED`] or [`MODE_HIDDEN`], if the template sets one.
    pub panel_mode: Option<u8>,
    /// The anchor tab takes the session's resolved title.
    pub apply_title_to_anchor_tab: bool,
    /// The entity of an Entity template.
    pub entity: Option<String>,
}

/// How one parameter of an application tab template is configured
/// (`msdyn_templateparameters`: `{type, value, isRuntime}`).
#[derive(Debug, Clone, PartialEq)]
pub struct ParamDef {
    /// `number`, `boolean`, `json`, `string`; anything else passes the value through.
    pub kind: String,
    /// The configured value; `Null` when there is none.
    pub value: Json,
    pub is_runtime: bool,
}

/// An application tab template (`msdyn_applicationtabtemplate`).
#[derive(Debug, Clone, PartialEq)]
pub struct TabTemplate {
    pub name: String,
    pub page_type: String,
    /// The title, possibly with slugs; empty when the template has none.
    pub title: String,
    pub parameters: Vec<(String, ParamDef)>,
    pub tags: Vec<String>,
}

/// All templates known to the workspace.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Templates {
    pub sessions: Vec<SessionTemplate>,
    pub tabs: Vec<TabTemplate>,
}

/// The templates Hotline ships, so that the documented examples work as written:
///
/// - `msdyn_chat_session` (seed `000_…`): title `Chat with {customer}`, anchor tab
///   `msdyn_chat_conversation`, background tab `msdyn_customer_search`;
/// - `CallSessionTemplate` (seed `001_…`, and the `setSessionTitle` doc example
///   `Call from {customer}`): anchor tab `msdyn_call_conversation`, background tab
///   `msdyn_customer_search`;
/// - `msdyn_case_session`: an Entity template (which `createSession` refuses, as CIF does).
///
/// The conversation tabs open the `msdyn_ocliveworkitem` record `{conversationId}`.
pub const DEFAULT_TEMPLATES_JSON: &str = include_str!("../../../templates/default-templates.json");

fn bad(what: String) -> CifError {
    CifError::InvalidTemplates(what)
}

/// The template being read, for error messages (built only on failure).
struct At<'a> {
    kind: &'static str,
    name: &'a str,
}

impl At<'_> {
    fn bad(&self, field: &str, problem: &str) -> CifError {
        bad(format!("{field} of {} {} {problem}", self.kind, self.name))
    }

    /// An optional string field (`""` when absent).
    fn text(&self, item: &Json, field: &str) -> Result<String, CifError> {
        match item.get(field) {
            None | Some(Json::Null) => Ok(String::new()),
            Some(Json::String(text)) => Ok(text.clone()),
            Some(_) => Err(self.bad(field, "must be a string")),
        }
    }

    /// A list of strings: an array of strings, or one string.
    fn strings(&self, item: &Json, field: &str) -> Result<Vec<String>, CifError> {
        match item.get(field) {
            None | Some(Json::Null) => Ok(Vec::new()),
            Some(Json::String(text)) => Ok(vec![text.clone()]),
            Some(Json::Array(items)) if items.iter().all(|i| i.as_str().is_some()) => Ok(items
                .iter()
                .filter_map(Json::as_str)
                .map(str::to_owned)
                .collect()),
            Some(_) => Err(self.bad(field, "must be a list of strings")),
        }
    }
}

/// The unique name of a template (`name`, or `uniqueName`).
fn template_name(item: &Json, kind: &'static str) -> Result<String, CifError> {
    match item.get("name").or_else(|| item.get("uniqueName")) {
        Some(Json::String(name)) if !name.trim().is_empty() => Ok(name.clone()),
        _ => Err(bad(format!("a {kind} has no name"))),
    }
}

/// A panel mode from a number (0, 1, 2, or the option values 100000000 Docked, 100000001
/// Minimized, 100000002 Hidden) or a name (`minimized`, `docked`, `hidden`, any case).
pub fn parse_panel_mode(value: &Json) -> Option<u8> {
    match value {
        Json::Number(n) => match *n as i64 {
            _ if n.fract() != 0.0 => None,
            0 | 100_000_001 => Some(MODE_MINIMIZED),
            1 | 100_000_000 => Some(MODE_DOCKED),
            2 | 100_000_002 => Some(MODE_HIDDEN),
            _ => None,
        },
        Json::String(name) => [
            ("minimized", MODE_MINIMIZED),
            ("docked", MODE_DOCKED),
            ("hidden", MODE_HIDDEN),
        ]
        .iter()
        .find(|(text, _)| name.eq_ignore_ascii_case(text))
        .map(|(_, mode)| *mode),
        _ => None,
    }
}

impl SessionTemplate {
    /// Reads one session template (see the module docs for the shape).
    pub fn from_json(item: &Json) -> Result<SessionTemplate, CifError> {
        let name = template_name(item, "session template")?;
        let at = At {
            kind: "session template",
            name: &name,
        };
        let kind = match item.get("type") {
            None | Some(Json::Null) => SessionKind::Generic,
            Some(Json::String(t)) if t.eq_ignore_ascii_case("generic") => SessionKind::Generic,
            Some(Json::String(t)) if t.eq_ignore_ascii_case("entity") => SessionKind::Entity,
            Some(_) => return Err(at.bad("type", "must be Generic or Entity")),
        };
        let anchor_tab = at.text(item, "anchorTab")?;
        if kind == SessionKind::Generic && anchor_tab.is_empty() {
            return Err(bad(format!("session template {name} has no anchorTab")));
        }
        let panel_mode = match item.get("panelMode") {
            None | Some(Json::Null) => None,
            Some(value) => Some(
                parse_panel_mode(value)
                    .ok_or_else(|| at.bad("panelMode", "must be docked, minimized or hidden"))?,
            ),
        };
        let entity = at.text(item, "entity")?;
        Ok(SessionTemplate {
            kind,
            title: at.text(item, "title")?,
            additional_tabs: at.strings(item, "additionalTabs")?,
            tags: at.strings(item, "tags")?,
            panel_mode,
            apply_title_to_anchor_tab: item
                .get("applyTitleToAnchorTab")
                .and_then(Json::as_bool)
                .unwrap_or(false),
            entity: (!entity.is_empty()).then_some(entity),
            anchor_tab,
            name,
        })
    }
}

impl TabTemplate {
    /// Reads one application tab template (see the module docs for the shape).
    pub fn from_json(item: &Json) -> Result<TabTemplate, CifError> {
        let name = template_name(item, "application tab template")?;
        let at = At {
            kind: "application tab template",
            name: &name,
        };
        let parsed;
        let parameters = match item.get("parameters") {
            None | Some(Json::Null) => &[][..],
            Some(Json::String(text)) => {
                parsed = Json::parse(text).map_err(|e| at.bad("parameters", &e.to_string()))?;
                parsed
                    .as_object()
                    .ok_or_else(|| at.bad("parameters", "must be an object"))?
            }
            Some(Json::Object(members)) => members.as_slice(),
            Some(_) => return Err(at.bad("parameters", "must be an object")),
        };
        let mut defs = Vec::with_capacity(parameters.len());
        for (key, def) in parameters {
            let def = match def {
                Json::Object(_) => ParamDef {
                    kind: at.text(def, "type")?,
                    value: def.get("value").cloned().unwrap_or_default(),
                    is_runtime: def
                        .get("isRuntime")
                        .and_then(Json::as_bool)
                        .unwrap_or(false),
                },
                Json::String(_) => ParamDef {
                    kind: "string".into(),
                    value: def.clone(),
                    is_runtime: false,
                },
                _ => return Err(at.bad(key, "must be an object {type, value, isRuntime}")),
            };
            defs.push((key.clone(), def));
        }
        Ok(TabTemplate {
            page_type: at.text(item, "pageType")?,
            title: at.text(item, "title")?,
            parameters: defs,
            tags: at.strings(item, "tags")?,
            name,
        })
    }
}

/// The first of `items` whose name is `name` exactly, else the first equal in any ASCII case.
fn by_name<'a, T>(items: &'a [T], name: &str, name_of: fn(&T) -> &str) -> Option<&'a T> {
    items
        .iter()
        .find(|t| name_of(t) == name)
        .or_else(|| items.iter().find(|t| name_of(t).eq_ignore_ascii_case(name)))
}

impl Templates {
    /// The templates Hotline ships ([`DEFAULT_TEMPLATES_JSON`]).
    pub fn defaults() -> Templates {
        Json::parse(DEFAULT_TEMPLATES_JSON)
            .ok()
            .and_then(|json| Templates::from_json(&json).ok())
            .unwrap_or_default()
    }

    /// Reads `{sessionTemplates: […], applicationTabTemplates: […]}` (either list may be
    /// missing), or the same object as a JSON string.
    pub fn from_json(value: &Json) -> Result<Templates, CifError> {
        let parsed;
        let value = match value {
            Json::String(text) => {
                parsed = Json::parse(text).map_err(|e| bad(e.to_string()))?;
                &parsed
            }
            other => other,
        };
        if value.as_object().is_none() {
            return Err(bad(
                "expected an object {sessionTemplates, applicationTabTemplates}".into(),
            ));
        }
        let list = |key: &str| -> Result<&[Json], CifError> {
            match value.get(key) {
                None | Some(Json::Null) => Ok(&[]),
                Some(Json::Array(items)) => Ok(items),
                Some(_) => Err(bad(format!("{key} must be an array"))),
            }
        };
        Ok(Templates {
            sessions: list("sessionTemplates")?
                .iter()
                .map(SessionTemplate::from_json)
                .collect::<Result<_, _>>()?,
            tabs: list("applicationTabTemplates")?
                .iter()
                .map(TabTemplate::from_json)
                .collect::<Result<_, _>>()?,
        })
    }

    /// Adds `other`'s templates, replacing those with the same unique name.
    pub fn merge(&mut self, other: Templates) {
        for template in other.sessions {
            match self.sessions.iter_mut().find(|t| t.name == template.name) {
                Some(slot) => *slot = template,
                None => self.sessions.push(template),
            }
        }
        for template in other.tabs {
            match self.tabs.iter_mut().find(|t| t.name == template.name) {
                Some(slot) => *slot = template,
                None => self.tabs.push(template),
            }
        }
    }

    /// The session template with this unique name (exact match first, then any case).
    pub fn session_template(&self, name: &str) -> Option<&SessionTemplate> {
        by_name(&self.sessions, name, |t| &t.name)
    }

    /// The first session template with this tag (any case).
    pub fn session_template_by_tag(&self, tag: &str) -> Option<&SessionTemplate> {
        self.sessions
            .iter()
            .find(|t| t.tags.iter().any(|own| own.eq_ignore_ascii_case(tag)))
    }

    /// The application tab template with this unique name (exact match first, then any case).
    pub fn tab_template(&self, name: &str) -> Option<&TabTemplate> {
        by_name(&self.tabs, name, |t| &t.name)
    }
}
