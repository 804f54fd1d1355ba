//! The multisession workspace, sans-IO: sessions, tabs, focus, limits, presence, panel mode
//! and width. Every call returns its value plus the [`Event`]s to dispatch, in order.
//!
//! # Rules
//!
//! - The **Home** session ([`HOME_SESSION_ID`]) always exists, is never the provider's (so
//!   `getFocusedSession` is `null` while it is focused, and `getSession` does not know it),
//!   cannot be closed or renamed, and holds tabs made with `createTab` while it is focused.
//! - At most [`MAX_SESSIONS`] provider sessions are open (Home not counted).
//! - `createSession` takes a Generic template by `templateName`, else by `templateTag` (the
//!   first template with that tag). The new session takes focus; its anchor tab is created and
//!   focused; its additional tabs are created in the background. Events: `SessionCreated`,
//!   `TabCreated` (anchor), `SessionSwitched{old, false}` (if a provider session had focus),
//!   `SessionFocused`, `SessionSwitched{new, true}`, `ModeChanged` (if the template's panel mode
//!   differs), then `TabCreated` for each additional tab.
//! - Each session remembers its panel mode (from its template, or the last `setMode` while it
//!   was focused); taking focus restores it.
//! - Focus moves by `createSession` and `focusSession`, never by `requestFocusSession` (which
//!   only sets an indicator on an unfocused session). Taking focus clears the session's
//!   activity count and focus request.
//! - Closing the focused session: `SessionSwitched{closed, false}`, `SessionClosed`, then focus
//!   goes to the **most recently focused** remaining session (Home if none), with its
//!   `SessionFocused` / `SessionSwitched{…, true}`. Closing another session only gives
//!   `SessionClosed`.
//! - Tab calls act on the focused session (the provider's or Home). `createTab` focuses the
//!   new tab when `isFocused` is true (default false), or when the session has no focused tab.
//!   The anchor tab cannot be closed. Closing the focused tab focuses the tab before it, else
//!   the one after it.
//! - Ids are deterministic: `session-id-1`, `session-id-2`, … and `tab-id-1`, … in order of
//!   creation, never reused.

use crate::core::json::Json;

use super::errors::CifError;
use super::events::{Event, Handlers, Presence};
use super::params::{
    resolve_slugs, resolve_tab_parameters, to_boolean, Precedence, SlugContext, TabRef,
};
use super::templates::{SessionKind, TabTemplate, Templates, MODE_DOCKED};
use super::{parse_input, parse_json_arg};

/// The most provider sessions open at once.
pub const MAX_SESSIONS: usize = 10;
/// The id of the Home session.
pub const HOME_SESSION_ID: &str = "session-id-0";
/// The panel width before any `setWidth`, in px.
pub const DEFAULT_WIDTH: f64 = 340.0;

/// A call's result and the events it caused, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome<T> {
    pub value: T,
    pub events: Vec<Event>,
}

fn outcome<T>(value: T, events: Vec<Event>) -> Outcome<T> {
    Outcome { value, events }
}

/// An application tab.
#[derive(Debug, Clone, PartialEq)]
pub struct Tab {
    pub id: String,
    /// The unique name of its template.
    pub template: String,
    pub page_type: String,
    pub title: String,
    /// The page input: the resolved parameters (a JSON object).
    pub parameters: Json,
    pub tags: Vec<String>,
    pub is_anchor: bool,
}

/// A session: Home, or one created by `createSession`.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub id: String,
    pub is_home: bool,
    /// The unique name of its session template (empty for Home).
    pub template: String,
    pub title: String,
    /// The `context` given to `createSession` (`null` if none).
    pub context: Json,
    /// The template params, also called the automation dictionary (a JSON object).
    pub template_params: Json,
    pub customer_name: Option<String>,
    pub conversation_id: Option<String>,
    /// In order: the anchor tab first.
    pub tabs: Vec<Tab>,
    pub focused_tab: Option<String>,
    pub panel_mode: Option<u8>,
    /// `notifyNewActivity` count, cleared when the session takes focus.
    pub unread: u64,
    pub kpi_breach: bool,
    pub kpi_details: Json,
    /// `requestFocusSession` indicator, cleared when the session takes focus.
    pub focus_requested: bool,
    pub messages_count: Option<f64>,
    focus_stamp: u64,
}

impl Session {
    fn new(id: String, is_home: bool) -> Session {
        Session {
            title: if is_home {
                "Home".into()
            } else {
                String::new()
            },
            id,
            is_home,
            template: String::new(),
            context: Json::Null,
            template_params: Json::Object(Vec::new()),
            customer_name: None,
            conversation_id: None,
            tabs: Vec::new(),
            focused_tab: None,
            panel_mode: None,
            unread: 0,
            kpi_breach: false,
            kpi_details: Json::Null,
            focus_requested: false,
            messages_count: None,
            focus_stamp: 0,
        }
    }

    pub fn anchor_tab(&self) -> Option<&Tab> {
        self.tabs.iter().find(|tab| tab.is_anchor)
    }

    pub fn tab(&self, id: &str) -> Option<&Tab> {
        self.tabs.iter().find(|tab| tab.id == id)
    }

    pub fn focused_tab(&self) -> Option<&Tab> {
        self.tab(self.focused_tab.as_deref()?)
    }

    /// `getSession`'s result: `{sessionId, conversationId, context, isFocused, focused}`.
    pub fn to_json(&self, focused: bool) -> Json {
        Json::object([
            ("sessionId", Json::from(self.id.as_str())),
            ("conversationId", Json::from(self.conversation_id.clone())),
            ("context", self.context.clone()),
            ("isFocused", Json::Bool(focused)),
            ("focused", Json::Bool(focused)),
        ])
    }

    /// A slug context over this session's tabs.
    fn slug_context<'a>(&'a self, params: &'a Json, scope: &'a str) -> SlugContext<'a> {
        let tab_ref = |tab: &'a Tab| TabRef {
            id: &tab.id,
            params: &tab.parameters,
        };
        SlugContext {
            params,
            scope,
            anchor_tab: self.anchor_tab().map(tab_ref),
            current_tab: self.focused_tab().map(tab_ref),
        }
    }
}

/// A non-empty string member.
fn non_empty_str<'a>(input: &'a Json, key: &str) -> Option<&'a str> {
    input
        .get(key)
        .and_then(Json::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// An optional object parameter (or a JSON string holding one); `{}` when absent.
fn object_param(value: Option<&Json>, name: &'static str) -> Result<Json, CifError> {
    match value {
        None | Some(Json::Null) => Ok(Json::Object(Vec::new())),
        Some(value) => {
            let value = parse_json_arg(value)?;
            if value.as_object().is_some() {
                Ok(value)
            } else {
                Err(CifError::invalid(name, "must be an object"))
            }
        }
    }
}

/// `base` with the members of `over` set on it.
fn merged(base: &Json, over: &Json) -> Json {
    let mut out = base.clone();
    for (key, value) in over.as_object().unwrap_or_default() {
        out.set(key.clone(), value.clone());
    }
    out
}

fn require<'a>(id: &'a str, name: &'static str) -> Result<&'a str, CifError> {
    if id.trim().is_empty() {
        Err(CifError::MissingParameter(name))
    } else {
        Ok(id)
    }
}

/// A tab from its template, resolved against `params` and the tabs of `session`.
fn build_tab(
    id: String,
    template: &TabTemplate,
    params: &Json,
    session: &Session,
    precedence: Precedence,
    is_anchor: bool,
) -> Tab {
    let ctx = session.slug_context(params, &template.name);
    Tab {
        id,
        template: template.name.clone(),
        page_type: template.page_type.clone(),
        title: resolve_slugs(&template.title, &ctx),
        parameters: resolve_tab_parameters(template, &ctx, precedence),
        tags: template.tags.clone(),
        is_anchor,
    }
}

/// The state of the agent's workspace.
#[derive(Debug, Clone)]
pub struct Workspace {
    templates: Templates,
    /// `sessions[0]` is Home; the others in order of creation.
    sessions: Vec<Session>,
    focused: String,
    next_session: u64,
    next_tab: u64,
    focus_clock: u64,
    mode: u8,
    width: f64,
    presences: Vec<Presence>,
    presence: Option<Presence>,
    precedence: Precedence,
    handlers: Handlers,
}

impl Default for Workspace {
    fn default() -> Self {
        Workspace::new(Templates::defaults())
    }
}

impl Workspace {
    /// A workspace with only the Home session (focused), docked, [`DEFAULT_WIDTH`] wide,
    /// presence `Available` of [`Presence::defaults`].
    pub fn new(templates: Templates) -> Workspace {
        let presences = Presence::defaults();
        Workspace {
            templates,
            sessions: vec![Session::new(HOME_SESSION_ID.into(), true)],
            focused: HOME_SESSION_ID.into(),
            next_session: 0,
            next_tab: 0,
            focus_clock: 0,
            mode: MODE_DOCKED,
            width: DEFAULT_WIDTH,
            presence: presences.first().cloned(),
            presences,
            precedence: Precedence::default(),
            handlers: Handlers::default(),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Configuration and inspection

    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// Replaces the templates (sessions already open keep what they resolved).
    pub fn set_templates(&mut self, templates: Templates) {
        self.templates = templates;
    }

    pub fn precedence(&self) -> Precedence {
        self.precedence
    }

    /// Which value wins between configured and runtime template parameters.
    pub fn set_precedence(&mut self, precedence: Precedence) {
        self.precedence = precedence;
    }

    /// Every session, Home first.
    pub fn sessions(&self) -> &[Session] {
        &self.sessions
    }

    /// Any session by id, Home included.
    pub fn session(&self, id: &str) -> Option<&Session> {
        self.sessions.iter().find(|s| s.id == id)
    }

    /// The focused session's id, Home included.
    pub fn focused_session_id(&self) -> &str {
        &self.focused
    }

    /// Sets the conversation of a session (`getSession`'s `conversationId`).
    pub fn set_conversation_id(
        &mut self,
        session_id: &str,
        conversation_id: &str,
    ) -> Result<(), CifError> {
        let index = self.provider_index(session_id)?;
        if let Some(session) = self.sessions.get_mut(index) {
            session.conversation_id = Some(conversation_id.to_owned());
        }
        Ok(())
    }

    /// The provider session showing a conversation, if any.
    pub fn session_for_conversation(&self, conversation_id: &str) -> Option<&str> {
        self.sessions
            .iter()
            .find(|s| !s.is_home && s.conversation_id.as_deref() == Some(conversation_id))
            .map(|s| s.id.as_str())
    }

    pub fn handlers(&self) -> &Handlers {
        &self.handlers
    }

    /// `addHandler(eventName, handler)`, with the facade's number for the handler.
    pub fn add_handler(&mut self, event: &str, handler: u32) -> Result<(), CifError> {
        self.handlers.add(event, handler)
    }

    /// `removeHandler(eventName, handler)`; whether it was registered.
    pub fn remove_handler(&mut self, event: &str, handler: u32) -> bool {
        self.handlers.remove(event, handler)
    }

    // -----------------------------------------------------------------------------------------
    // Internals

    fn focused_index(&self) -> usize {
        self.sessions
            .iter()
            .position(|s| s.id == self.focused)
            .unwrap_or(0)
    }

    /// The index of a provider session (not Home).
    fn provider_index(&self, id: &str) -> Result<usize, CifError> {
        let id = require(id, "sessionId")?;
        self.sessions
            .iter()
            .position(|s| !s.is_home && s.id == id)
            .ok_or_else(|| CifError::SessionNotFound(id.to_owned()))
    }

    fn updated(&self, index: usize) -> Vec<Event> {
        self.sessions
            .get(index)
            .map(|s| Event::SessionUpdated {
                session_id: s.id.clone(),
            })
            .into_iter()
            .collect()
    }

    /// Moves focus from the focused session to `sessions[target]`.
    fn switch_to(&mut self, target: usize, events: &mut Vec<Event>) {
        let old = self.focused_index();
        if old == target {
            return;
        }
        if let Some(s) = self.sessions.get(old).filter(|s| !s.is_home) {
            events.push(Event::SessionSwitched {
                session_id: s.id.clone(),
                focused: false,
                context: s.context.clone(),
            });
        }
        self.enter(target, events);
    }

    /// Gives `sessions[target]` the focus (the previous focus is already announced).
    fn enter(&mut self, target: usize, events: &mut Vec<Event>) {
        self.focus_clock += 1;
        let clock = self.focus_clock;
        let Some(session) = self.sessions.get_mut(target) else {
            return;
        };
        session.focus_stamp = clock;
        session.unread = 0;
        session.focus_requested = false;
        session.messages_count = None;
        self.focused = session.id.clone();
        events.push(Event::SessionFocused {
            session_id: session.id.clone(),
        });
        if !session.is_home {
            events.push(Event::SessionSwitched {
                session_id: session.id.clone(),
                focused: true,
                context: session.context.clone(),
            });
        }
        if let Some(mode) = session.panel_mode.filter(|m| *m != self.mode) {
            self.mode = mode;
            events.push(Event::ModeChanged(mode));
        }
    }

    fn new_tab_id(&mut self) -> String {
        self.next_tab += 1;
        format!("tab-id-{}", self.next_tab)
    }

    /// The focused session and the position of one of its tabs.
    fn focused_tab_position(&self, tab_id: &str) -> Result<(usize, usize), CifError> {
        let tab_id = require(tab_id, "tabId")?;
        let index = self.focused_index();
        self.sessions
            .get(index)
            .and_then(|s| s.tabs.iter().position(|t| t.id == tab_id))
            .map(|position| (index, position))
            .ok_or_else(|| CifError::TabNotFound(tab_id.to_owned()))
    }

    // -----------------------------------------------------------------------------------------
    // Sessions

    /// `canCreateSession()`: fewer than [`MAX_SESSIONS`] provider sessions are open.
    pub fn can_create_session(&self) -> bool {
        self.sessions.len().saturating_sub(1) < MAX_SESSIONS
    }

    /// `createSession(input)`: `input` is an object or a JSON string
    /// `{templateName | templateTag, templateParameters?, context?, customerName?}`
    /// (`conversationId` is taken from `input`, `templateParameters` or `context` when one of
    /// them has it). Resolves with the new session's id.
    pub fn create_session(&mut self, input: &Json) -> Result<Outcome<String>, CifError> {
        let input = parse_input(input)?;
        if !self.can_create_session() {
            return Err(CifError::SessionLimit);
        }
        let template = match non_empty_str(&input, "templateName") {
            Some(name) => self
                .templates
                .session_template(name)
                .ok_or_else(|| CifError::TemplateNotFound(name.to_owned()))?,
            None => match non_empty_str(&input, "templateTag") {
                Some(tag) => self
                    .templates
                    .session_template_by_tag(tag)
                    .ok_or_else(|| CifError::TemplateTagNotFound(tag.to_owned()))?,
                None => return Err(CifError::MissingParameter("templateName")),
            },
        };
        if template.kind != SessionKind::Generic {
            return Err(CifError::TemplateNotGeneric(template.name.clone()));
        }
        let template = template.clone();
        let tab_template = |name: &str| {
            self.templates
                .tab_template(name)
                .cloned()
                .ok_or_else(|| CifError::TemplateNotFound(name.to_owned()))
        };
        let anchor_template = tab_template(&template.anchor_tab)?;
        let additional = template
            .additional_tabs
            .iter()
            .map(|name| tab_template(name))
            .collect::<Result<Vec<_>, _>>()?;
        let params = object_param(input.get("templateParameters"), "templateParameters")?;
        let context = input.get("context").cloned().unwrap_or_default();

        self.next_session += 1;
        let mut session = Session::new(format!("session-id-{}", self.next_session), false);
        session.template = template.name.clone();
        session.panel_mode = template.panel_mode;
        session.customer_name = non_empty_str(&input, "customerName")
            .or_else(|| non_empty_str(&params, "customerName"))
            .map(str::to_owned);
        session.conversation_id = non_empty_str(&input, "conversationId")
            .or_else(|| non_empty_str(&params, "conversationId"))
            .or_else(|| non_empty_str(&context, "conversationId"))
            .map(str::to_owned);
        session.context = context;

        let anchor_id = self.new_tab_id();
        let anchor = build_tab(
            anchor_id.clone(),
            &anchor_template,
            &params,
            &session,
            self.precedence,
            true,
        );
        session.tabs.push(anchor);
        session.focused_tab = Some(anchor_id.clone());
        session.title = resolve_slugs(
            &template.title,
            &session.slug_context(&params, &template.name),
        );
        if template.apply_title_to_anchor_tab {
            let title = session.title.clone();
            if let Some(anchor) = session.tabs.first_mut() {
                anchor.title = title;
            }
        }
        let session_id = session.id.clone();
        let mut events = vec![
            Event::SessionCreated {
                session_id: session_id.clone(),
            },
            Event::TabCreated {
                session_id: session_id.clone(),
                tab_id: anchor_id,
            },
        ];
        // The additional tabs, in the background.
        for tab_template in &additional {
            let id = self.new_tab_id();
            let tab = build_tab(id, tab_template, &params, &session, self.precedence, false);
            session.tabs.push(tab);
        }
        let background: Vec<String> = session.tabs.iter().skip(1).map(|t| t.id.clone()).collect();
        session.template_params = params;
        self.sessions.push(session);
        self.switch_to(self.sessions.len().saturating_sub(1), &mut events);
        events.extend(background.into_iter().map(|tab_id| Event::TabCreated {
            session_id: session_id.clone(),
            tab_id,
        }));
        Ok(outcome(session_id, events))
    }

    /// `getSession(sessionId)`: `{sessionId, conversationId, context, isFocused, focused}`.
    pub fn get_session(&self, session_id: &str) -> Result<Json, CifError> {
        let index = self.provider_index(session_id)?;
        let focused = self.focused_index() == index;
        self.sessions
            .get(index)
            .map(|s| s.to_json(focused))
            .ok_or_else(|| CifError::SessionNotFound(session_id.to_owned()))
    }

    /// `getFocusedSession()`: the focused provider session, `None` (null) while Home has focus.
    pub fn focused_session(&self) -> Option<&str> {
        self.sessions
            .get(self.focused_index())
            .filter(|s| !s.is_home)
            .map(|s| s.id.as_str())
    }

    /// `getAllSessions()`: the provider sessions, in order of creation.
    pub fn all_sessions(&self) -> Vec<String> {
        self.sessions
            .iter()
            .filter(|s| !s.is_home)
            .map(|s| s.id.clone())
            .collect()
    }

    /// `focusSession(sessionId)` (Hotline; not in CIF 2.0): any provider session, or Home.
    pub fn focus_session(&mut self, session_id: &str) -> Result<Outcome<()>, CifError> {
        let index = if session_id == HOME_SESSION_ID {
            0
        } else {
            self.provider_index(session_id)?
        };
        let mut events = Vec::new();
        self.switch_to(index, &mut events);
        Ok(outcome((), events))
    }

    /// `closeSession(sessionId)` (Hotline; not in CIF 2.0). Resolves `true`.
    pub fn close_session(&mut self, session_id: &str) -> Result<Outcome<bool>, CifError> {
        if session_id == HOME_SESSION_ID {
            return Err(CifError::HomeSession("closed"));
        }
        let index = self.provider_index(session_id)?;
        let was_focused = index == self.focused_index();
        let mut events = Vec::new();
        if index >= self.sessions.len() {
            return Err(CifError::SessionNotFound(session_id.to_owned()));
        }
        let closed = self.sessions.remove(index);
        if was_focused {
            events.push(Event::SessionSwitched {
                session_id: closed.id.clone(),
                focused: false,
                context: closed.context.clone(),
            });
        }
        events.push(Event::SessionClosed {
            session_id: closed.id,
            context: closed.context,
        });
        if was_focused {
            let next = self
                .sessions
                .iter()
                .enumerate()
                .max_by_key(|(_, s)| s.focus_stamp)
                .map_or(0, |(i, _)| i);
            self.enter(next, &mut events);
        }
        Ok(outcome(true, events))
    }

    /// `requestFocusSession(sessionId, messagesCount?)`: an indicator on an unfocused session;
    /// focus does not move. A number as second argument is kept as `messagesCount`; anything
    /// else (a correlation id) is ignored.
    pub fn request_focus_session(
        &mut self,
        session_id: &str,
        messages_count: &Json,
    ) -> Result<Outcome<()>, CifError> {
        let index = self.provider_index(session_id)?;
        if index == self.focused_index() {
            return Ok(outcome((), Vec::new()));
        }
        if let Some(session) = self.sessions.get_mut(index) {
            session.focus_requested = true;
            session.messages_count = messages_count.as_f64();
        }
        Ok(outcome((), self.updated(index)))
    }

    /// `setSessionTitle(input)`: `input` is `{sessionId?, <slug>: value, …}` (object or JSON
    /// string); without `sessionId`, the focused session. The session template's title is
    /// resolved again with `input` as the bag; a template without a title takes `input.title`.
    /// Resolves with the new title.
    pub fn set_session_title(&mut self, input: &Json) -> Result<Outcome<String>, CifError> {
        let input = parse_input(input)?;
        let index = match non_empty_str(&input, "sessionId") {
            Some(HOME_SESSION_ID) => return Err(CifError::HomeSession("renamed")),
            Some(id) => self.provider_index(id)?,
            None => {
                let index = self.focused_index();
                if index == 0 {
                    return Err(CifError::FocusedSessionNotOwned);
                }
                index
            }
        };
        let session = self
            .sessions
            .get(index)
            .ok_or(CifError::FocusedSessionNotOwned)?;
        let template_title = self
            .templates
            .session_template(&session.template)
            .map(|t| t.title.as_str())
            .unwrap_or_default();
        let title = if template_title.is_empty() {
            input
                .get("title")
                .and_then(Json::as_str)
                .ok_or(CifError::MissingParameter("title"))?
                .to_owned()
        } else {
            resolve_slugs(
                template_title,
                &session.slug_context(&input, &session.template),
            )
        };
        if let Some(session) = self.sessions.get_mut(index) {
            session.title = title.clone();
        }
        Ok(outcome(title, self.updated(index)))
    }

    /// `notifyNewActivity(sessionId, count)`: the unread badge of an unfocused session
    /// (`count` a whole number ≥ 0; ignored for the focused session).
    pub fn notify_new_activity(
        &mut self,
        session_id: &str,
        count: &Json,
    ) -> Result<Outcome<()>, CifError> {
        let index = self.provider_index(session_id)?;
        let count = count
            .as_u64()
            .ok_or_else(|| CifError::invalid("count", "must be a whole number, 0 or more"))?;
        if index == self.focused_index() {
            return Ok(outcome((), Vec::new()));
        }
        if let Some(session) = self.sessions.get_mut(index) {
            session.unread = count;
        }
        Ok(outcome((), self.updated(index)))
    }

    /// `notifyKpiBreach(sessionId, shouldReset?, details?)`: sets the KPI-breach mark, or
    /// clears it when `should_reset` is true.
    pub fn notify_kpi_breach(
        &mut self,
        session_id: &str,
        should_reset: bool,
        details: Json,
    ) -> Result<Outcome<()>, CifError> {
        let index = self.provider_index(session_id)?;
        if let Some(session) = self.sessions.get_mut(index) {
            session.kpi_breach = !should_reset;
            session.kpi_details = if should_reset { Json::Null } else { details };
        }
        Ok(outcome((), self.updated(index)))
    }

    /// `updateContext(input, sessionId?, isDelete?)`: merges `input` (object or JSON string)
    /// into the session's template params, or with `is_delete` removes its keys (an object's
    /// keys, or an array of key names). An empty `session_id` means the focused session.
    /// Resolves with the whole bag.
    pub fn update_context(
        &mut self,
        input: &Json,
        session_id: &str,
        is_delete: bool,
    ) -> Result<Outcome<Json>, CifError> {
        let index = if session_id.trim().is_empty() {
            Some(self.focused_index()).filter(|i| *i != 0)
        } else {
            self.sessions
                .iter()
                .position(|s| !s.is_home && s.id == session_id)
        }
        .ok_or(CifError::InvalidSessionId)?;
        let input = parse_json_arg(input)?;
        let Some(session) = self.sessions.get_mut(index) else {
            return Err(CifError::InvalidSessionId);
        };
        match (&input, is_delete) {
            (Json::Object(members), false) => {
                for (key, value) in members {
                    session.template_params.set(key.clone(), value.clone());
                }
            }
            (Json::Object(members), true) => {
                for (key, _) in members {
                    session.template_params.remove(key);
                }
            }
            (Json::Array(keys), true) => {
                for key in keys.iter().filter_map(Json::as_str) {
                    session.template_params.remove(key);
                }
            }
            _ => {
                return Err(CifError::invalid(
                    "input",
                    if is_delete {
                        "must be an object or an array of keys"
                    } else {
                        "must be an object"
                    },
                ))
            }
        }
        let bag = session.template_params.clone();
        Ok(outcome(bag, self.updated(index)))
    }

    // -----------------------------------------------------------------------------------------
    // Tabs (of the focused session: the provider's, or Home)

    /// `createTab(input)`: `{templateName, templateParameters?, isFocused?}` (object or JSON
    /// string). The bag is the session's template params with `templateParameters` over them.
    /// Resolves with the new tab's id.
    pub fn create_tab(&mut self, input: &Json) -> Result<Outcome<String>, CifError> {
        let input = parse_input(input)?;
        let name = non_empty_str(&input, "templateName")
            .ok_or(CifError::MissingParameter("templateName"))?;
        let template = self
            .templates
            .tab_template(name)
            .cloned()
            .ok_or_else(|| CifError::TemplateNotFound(name.to_owned()))?;
        let extra = object_param(input.get("templateParameters"), "templateParameters")?;
        let wants_focus = input.get("isFocused").is_some_and(to_boolean);
        let index = self.focused_index();
        let tab_id = self.new_tab_id();
        let precedence = self.precedence;
        let Some(session) = self.sessions.get_mut(index) else {
            return Err(CifError::FocusedSessionNotOwned);
        };
        let bag = merged(&session.template_params, &extra);
        let tab = build_tab(tab_id.clone(), &template, &bag, session, precedence, false);
        session.tabs.push(tab);
        let mut events = vec![Event::TabCreated {
            session_id: session.id.clone(),
            tab_id: tab_id.clone(),
        }];
        if wants_focus || session.focused_tab.is_none() {
            session.focused_tab = Some(tab_id.clone());
            events.push(Event::TabFocused {
                session_id: session.id.clone(),
                tab_id: tab_id.clone(),
            });
        }
        Ok(outcome(tab_id, events))
    }

    /// `getFocusedTab()`: the focused tab of the focused session, if any.
    pub fn focused_tab(&self) -> Option<&str> {
        self.sessions
            .get(self.focused_index())?
            .focused_tab
            .as_deref()
    }

    /// `getTabs(templateName?, tags?)`: the focused session's tabs made from that template;
    /// without a name, those with any of `tags` (a string or an array of strings); with
    /// neither, all of them.
    pub fn get_tabs(
        &self,
        template_name: Option<&str>,
        tags: &Json,
    ) -> Result<Vec<String>, CifError> {
        let tags: Vec<&str> = match tags {
            Json::Null => Vec::new(),
            Json::String(tag) => vec![tag.as_str()],
            Json::Array(items) => items.iter().filter_map(Json::as_str).collect(),
            _ => {
                return Err(CifError::invalid(
                    "tags",
                    "must be a string or an array of strings",
                ))
            }
        };
        let name = template_name.filter(|n| !n.trim().is_empty());
        let tabs = self
            .sessions
            .get(self.focused_index())
            .map(|s| s.tabs.as_slice())
            .unwrap_or_default();
        Ok(tabs
            .iter()
            .filter(|tab| match name {
                Some(name) => tab.template.eq_ignore_ascii_case(name),
                None if tags.is_empty() => true,
                None => tab
                    .tags
                    .iter()
                    .any(|own| tags.iter().any(|tag| own.eq_ignore_ascii_case(tag))),
            })
            .map(|tab| tab.id.clone())
            .collect())
    }

    /// `focusTab(tabId)`: a tab of the focused session.
    pub fn focus_tab(&mut self, tab_id: &str) -> Result<Outcome<()>, CifError> {
        let (index, _) = self.focused_tab_position(tab_id)?;
        let mut events = Vec::new();
        if let Some(session) = self.sessions.get_mut(index) {
            if session.focused_tab.as_deref() != Some(tab_id) {
                session.focused_tab = Some(tab_id.to_owned());
                events.push(Event::TabFocused {
                    session_id: session.id.clone(),
                    tab_id: tab_id.to_owned(),
                });
            }
        }
        Ok(outcome((), events))
    }

    /// `refreshTab(tabId)`: resolves `true`; the console reloads the tab.
    pub fn refresh_tab(&mut self, tab_id: &str) -> Result<Outcome<bool>, CifError> {
        let (index, _) = self.focused_tab_position(tab_id)?;
        let session_id = self
            .sessions
            .get(index)
            .map(|s| s.id.clone())
            .unwrap_or_default();
        Ok(outcome(
            true,
            vec![Event::TabRefreshed {
                session_id,
                tab_id: tab_id.to_owned(),
            }],
        ))
    }

    /// `setTabTitle(tabId, input)`: the tab template's title resolved again with `input`
    /// (object or JSON string) as the bag; a template without a title takes `input.title`.
    /// Resolves with the new title.
    pub fn set_tab_title(
        &mut self,
        tab_id: &str,
        input: &Json,
    ) -> Result<Outcome<String>, CifError> {
        let (index, position) = self.focused_tab_position(tab_id)?;
        let input = parse_input(input)?;
        let session = self
            .sessions
            .get(index)
            .ok_or_else(|| CifError::TabNotFound(tab_id.to_owned()))?;
        let template = session
            .tabs
            .get(position)
            .map(|t| t.template.as_str())
            .unwrap_or_default();
        let template_title = self
            .templates
            .tab_template(template)
            .map(|t| t.title.as_str())
            .unwrap_or_default();
        let title = if template_title.is_empty() {
            input
                .get("title")
                .and_then(Json::as_str)
                .ok_or(CifError::MissingParameter("title"))?
                .to_owned()
        } else {
            resolve_slugs(template_title, &session.slug_context(&input, template))
        };
        let session_id = session.id.clone();
        if let Some(tab) = self
            .sessions
            .get_mut(index)
            .and_then(|s| s.tabs.get_mut(position))
        {
            tab.title = title.clone();
        }
        Ok(outcome(
            title,
            vec![Event::TabUpdated {
                session_id,
                tab_id: tab_id.to_owned(),
            }],
        ))
    }

    /// `closeTab(tabId)`: any tab of the focused session but the anchor tab. Resolves `true`.
    pub fn close_tab(&mut self, tab_id: &str) -> Result<Outcome<bool>, CifError> {
        let (index, position) = self.focused_tab_position(tab_id)?;
        let Some(session) = self.sessions.get_mut(index) else {
            return Err(CifError::TabNotFound(tab_id.to_owned()));
        };
        match session.tabs.get(position) {
            None => return Err(CifError::TabNotFound(tab_id.to_owned())),
            Some(tab) if tab.is_anchor => return Err(CifError::AnchorTab),
            Some(_) => session.tabs.remove(position),
        };
        let mut events = vec![Event::TabClosed {
            session_id: session.id.clone(),
            tab_id: tab_id.to_owned(),
        }];
        if session.focused_tab.as_deref() == Some(tab_id) {
            let next = session
                .tabs
                .get(position.saturating_sub(1))
                .map(|t| t.id.clone());
            session.focused_tab = next.clone();
            if let Some(next) = next {
                events.push(Event::TabFocused {
                    session_id: session.id.clone(),
                    tab_id: next,
                });
            }
        }
        Ok(outcome(true, events))
    }

    // -----------------------------------------------------------------------------------------
    // Presence, panel, custom events

    /// The presences `setPresence` accepts. The current presence stays if the list has its id
    /// (taking the listed text and colour), else it becomes unknown (`getPresence` is
    /// `"FAILED"`). No event fires.
    pub fn set_presences(&mut self, presences: Vec<Presence>) {
        self.presence = self
            .presence
            .as_ref()
            .and_then(|current| presences.iter().find(|p| p.id == current.id))
            .cloned();
        self.presences = presences;
    }

    pub fn presences(&self) -> &[Presence] {
        &self.presences
    }

    pub fn presence(&self) -> Option<&Presence> {
        self.presence.as_ref()
    }

    /// `getPresence()`: the presence text, or `"FAILED"` when there is none.
    pub fn get_presence(&self) -> String {
        self.presence
            .as_ref()
            .map_or_else(|| "FAILED".to_owned(), |p| p.text.clone())
    }

    /// `setPresence(presenceText)`: `true` when the text is exactly one of the presences'
    /// (`onPresenceChange` fires if it changed), `false` otherwise.
    pub fn set_presence(&mut self, text: &Json) -> Result<Outcome<bool>, CifError> {
        let text = text
            .as_str()
            .ok_or_else(|| CifError::invalid("presenceText", "must be a string"))?;
        let Some(presence) = self.presences.iter().find(|p| p.text == text).cloned() else {
            return Ok(outcome(false, Vec::new()));
        };
        if self.presence.as_ref() == Some(&presence) {
            return Ok(outcome(true, Vec::new()));
        }
        self.presence = Some(presence.clone());
        Ok(outcome(true, vec![Event::PresenceChanged(presence)]))
    }

    /// `getMode()`: 0 minimized, 1 docked, 2 hidden.
    pub fn mode(&self) -> u8 {
        self.mode
    }

    /// `setMode(mode)`: 0, 1 or 2 only; remembered by the focused session.
    pub fn set_mode(&mut self, mode: &Json) -> Result<Outcome<()>, CifError> {
        let mode = match mode.as_u64() {
            Some(m @ 0..=2) => m as u8,
            _ => return Err(CifError::InvalidMode),
        };
        let index = self.focused_index();
        if let Some(session) = self.sessions.get_mut(index) {
            session.panel_mode = Some(mode);
        }
        if mode == self.mode {
            return Ok(outcome((), Vec::new()));
        }
        self.mode = mode;
        Ok(outcome((), vec![Event::ModeChanged(mode)]))
    }

    /// `getWidth()`, in px.
    pub fn width(&self) -> f64 {
        self.width
    }

    /// `setWidth(width)`: a number of px, 0 or more.
    pub fn set_width(&mut self, width: &Json) -> Result<Outcome<()>, CifError> {
        let width = width
            .as_f64()
            .filter(|w| w.is_finite() && *w >= 0.0)
            .ok_or_else(|| CifError::invalid("width", "must be a number of pixels, 0 or more"))?;
        if width == self.width {
            return Ok(outcome((), Vec::new()));
        }
        self.width = width;
        Ok(outcome((), vec![Event::SizeChanged(width)]))
    }

    /// `raiseEvent(eventName, payload)`: a custom event (any name, built-in ones included).
    pub fn raise_event(&self, name: &str, payload: Json) -> Result<Outcome<()>, CifError> {
        if name.trim().is_empty() {
            return Err(CifError::MissingParameter("eventName"));
        }
        Ok(outcome(
            (),
            vec![Event::Custom {
                name: name.to_owned(),
                payload,
            }],
        ))
    }
}
