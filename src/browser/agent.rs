//! The agent's side in the page: the CIF workspace model, the handlers the console registered,
//! the agent's sign-in on hotline-server, and the live Bayeux connection that brings the
//! queue and the open conversations.
//!
//! There is one agent runtime per page ([`agent`]), as there is one `Microsoft.CIFramework`.
//! Live conversation events reach the console as CIF custom events (see
//! [`LiveEvent`]), raised through the same handlers as `raiseEvent`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::JsValue;

use super::bayeux::{BayeuxConnection, BayeuxEvent};
use super::describe_js_error;
use super::http::{self, Body, HttpError};
use super::listeners::to_js;
use super::oneshot;
use super::timer::Timeout;
use crate::core::bayeux::{BayeuxConfig, State};
use crate::core::cif::{CifError, Event, Outcome, Session, Templates, Workspace};
use crate::core::json::Json;
use crate::core::odata::{conversations_query, CONVERSATIONS_PATH};
use crate::core::options::normalize_server_url;

/// The custom events the console gets for live conversations (handler argument: JSON text).
pub struct LiveEvent;

impl LiveEvent {
    /// A conversation entered or left the queue, or changed status:
    /// `{conversationId, status, conversation}`.
    pub const QUEUE_CHANGED: &'static str = "hotline.queueChanged";
    /// A message from the customer (or any participant) in an open conversation:
    /// `{conversationId, sessionId, message}` (`message` in the GMS transcript shape).
    pub const MESSAGE: &'static str = "hotline.conversationMessage";
    /// The customer started or stopped typing: `{conversationId, sessionId, isTyping, text}`.
    pub const TYPING: &'static str = "hotline.conversationTyping";
    /// The customer left or the chat ended: `{conversationId, sessionId, status}`.
    pub const ENDED: &'static str = "hotline.conversationEnded";
    /// `sendMessageToConversation(message, true)`: put this text in the send box:
    /// `{conversationId, sessionId, message}`.
    pub const SEND_BOX: &'static str = "hotline.sendBox";
    /// The workspace changed in a way the console draws (a session or tab was created,
    /// focused, renamed, closed…): `{type, sessionId, tabId?}`.
    pub const WORKSPACE_CHANGED: &'static str = "hotline.workspaceChanged";
}

/// The agent's sign-in on the server.
#[derive(Clone, Default)]
struct SignIn {
    server_url: String,
    token: Option<String>,
    agent_id: Option<String>,
}

pub struct AgentRuntime {
    workspace: RefCell<Workspace>,
    /// The JS handler functions, under the numbers the workspace knows them by.
    handlers: RefCell<Vec<(u32, Function)>>,
    next_handler: Cell<u32>,
    sign_in: RefCell<Option<SignIn>>,
    connection: RefCell<Option<BayeuxConnection>>,
    /// Wakes `initialize` once the live queue subscription is answered (or given up on).
    live_ready: RefCell<Option<oneshot::Sender<()>>>,
    /// Bounds that wait (dropping it clears the timer).
    live_deadline: RefCell<Option<Timeout>>,
    logger: RefCell<Option<Function>>,
}

/// The live channel every signed-in console follows.
const QUEUE_CHANNEL: &str = "/agent/queue";
/// How long `initialize` waits for the live queue subscription before it resolves anyway
/// (without a live connection the console still works, it just learns of changes by asking).
const LIVE_READY_TIMEOUT_MS: f64 = 10_000.0;

thread_local! {
    static AGENT: Rc<AgentRuntime> = Rc::new(AgentRuntime {
        workspace: RefCell::new(Workspace::new(Templates::defaults())),
        handlers: RefCell::new(Vec::new()),
        next_handler: Cell::new(0),
        sign_in: RefCell::new(None),
        connection: RefCell::new(None),
        live_ready: RefCell::new(None),
        live_deadline: RefCell::new(None),
        logger: RefCell::new(None),
    });
}

/// The page's agent runtime.
pub fn agent() -> Rc<AgentRuntime> {
    AGENT.with(Rc::clone)
}

fn server_error(error: HttpError) -> CifError {
    match error {
        HttpError::Status { status, body } => {
            let message = Json::parse(&body)
                .ok()
                .and_then(|json| {
                    let error = json.get("error")?;
                    error
                        .get("message")
                        .and_then(Json::as_str)
                        .or_else(|| error.as_str())
                        .map(str::to_owned)
                })
                .unwrap_or(body);
            CifError::Server { status, message }
        }
        other => CifError::Server {
            status: 0,
            message: other.to_string(),
        },
    }
}

impl AgentRuntime {
    fn log(&self, message: &str) {
        if let Some(logger) = self.logger.borrow().as_ref() {
            let _ = logger.call1(&JsValue::UNDEFINED, &JsValue::from_str(message));
        }
    }

    pub fn is_initialized(&self) -> bool {
        self.sign_in.borrow().is_some()
    }

    /// Calls the server as the signed-in agent.
    async fn api(
        &self,
        method: &str,
        path: &str,
        body: Option<Json>,
        correlation: &str,
    ) -> Result<Json, CifError> {
        let sign_in = self
            .sign_in
            .borrow()
            .clone()
            .ok_or(CifError::NotInitialized)?;
        let token = sign_in.token.ok_or(CifError::NotSignedIn)?;
        let authorization = format!("Bearer {token}");
        let mut headers = vec![("Authorization", authorization.as_str())];
        if !correlation.is_empty() {
            headers.push(("x-correlation-id", correlation));
        }
        let text = body.map(|b| b.to_string());
        let body = text.as_deref().map_or(Body::None, Body::Json);
        let url = format!("{}{path}", sign_in.server_url);
        let reply = http::request_with_headers(method, &url, body, &headers, 20_000)
            .await
            .map_err(server_error)?;
        Ok(if reply.trim().is_empty() {
            Json::Null
        } else {
            Json::parse(&reply).map_err(|e| CifError::Server {
                status: 200,
                message: e.to_string(),
            })?
        })
    }

    /// `initialize({serverUrl, username?, password?, token?, templates?, logger?})`: signs the
    /// agent in, loads the server's templates over the defaults (then inline ones), connects
    /// for live events, and dispatches `CIFInitDone` on `window`.
    pub async fn initialize(
        self: Rc<Self>,
        options: Json,
        logger: Option<Function>,
    ) -> Result<Json, CifError> {
        if logger.is_some() {
            *self.logger.borrow_mut() = logger;
        }
        let server_url = options
            .get("serverUrl")
            .and_then(Json::as_str)
            .and_then(normalize_server_url)
            .ok_or(CifError::MissingParameter("serverUrl"))?;
        let text = |key| options.get(key).and_then(Json::as_str).map(str::to_owned);
        let mut sign_in = SignIn {
            server_url: server_url.clone(),
            token: text("token"),
            agent_id: text("agentId"),
        };
        if let (Some(username), Some(password)) = (text("username"), text("password")) {
            let body = Json::object([
                ("username", Json::str(username)),
                ("password", Json::str(password)),
            ])
            .to_string();
            let reply = http::request(
                "POST",
                &format!("{server_url}/api/v1/agents/login"),
                Body::Json(&body),
                20_000,
            )
            .await
            .map_err(server_error)?;
            let reply = Json::parse(&reply).map_err(|e| CifError::Server {
                status: 200,
                message: e.to_string(),
            })?;
            sign_in.token = reply.get("token").and_then(Json::as_str).map(str::to_owned);
            sign_in.agent_id = reply
                .get("agentId")
                .and_then(Json::as_str)
                .map(str::to_owned);
        }
        *self.sign_in.borrow_mut() = Some(sign_in.clone());

        let mut templates = Templates::defaults();
        if sign_in.token.is_some() {
            match self.api("GET", "/api/v1/templates", None, "").await {
                Ok(served) => templates.merge(Templates::from_json(&served)?),
                Err(error) => self.log(&format!("hotline: server templates not loaded: {error}")),
            }
        }
        if let Some(inline) = options.get("templates").filter(|t| !t.is_null()) {
            templates.merge(Templates::from_json(inline)?);
        }
        self.workspace.borrow_mut().set_templates(templates);

        if let Some(token) = &sign_in.token {
            // CIFInitDone means "ready": the queue's live events flow from here on, so a
            // conversation opened right after initialize is followed from its first change.
            let ready = self.connect(&server_url, token);
            ready.recv().await;
            self.live_deadline.borrow_mut().take();
        }
        if let Some(window) = web_sys::window() {
            if let Ok(event) = web_sys::Event::new("CIFInitDone") {
                let _ = window.dispatch_event(&event);
            }
        }
        Ok(Json::Bool(true))
    }

    /// The live connection: the queue, and each opened conversation. The receiver wakes when
    /// the queue subscription is answered, the connection gives up, or after
    /// [`LIVE_READY_TIMEOUT_MS`].
    fn connect(self: &Rc<Self>, server_url: &str, token: &str) -> oneshot::Receiver<()> {
        let (ready, receiver) = oneshot::channel();
        *self.live_ready.borrow_mut() = Some(ready);
        let weak = Rc::downgrade(self);
        let deadline = Timeout::new(LIVE_READY_TIMEOUT_MS, move || {
            if let Some(agent) = weak.upgrade() {
                agent.live_is_ready();
            }
        });
        *self.live_deadline.borrow_mut() = deadline.ok();
        let weak = Rc::downgrade(self);
        let config = BayeuxConfig {
            handshake_ext: Some(Json::object([("agentToken", Json::str(token))])),
            ..BayeuxConfig::default()
        };
        let connection =
            BayeuxConnection::new(format!("{server_url}/cometd"), config, move |event| {
                if let Some(agent) = weak.upgrade() {
                    agent.on_live(event);
                }
            });
        connection.start();
        connection.subscribe(QUEUE_CHANNEL);
        // A new sign-in replaces the old connection; the old one says goodbye.
        if let Some(old) = self.connection.replace(Some(connection)) {
            old.disconnect();
        }
        receiver
    }

    /// Wakes `initialize`, once.
    fn live_is_ready(&self) {
        if let Some(ready) = self.live_ready.borrow_mut().take() {
            ready.send(());
        }
    }

    fn on_live(&self, event: BayeuxEvent) {
        let (channel, data) = match event {
            BayeuxEvent::Deliver { channel, data } => (channel, data),
            BayeuxEvent::SubscribeAcked { subscription, .. } if subscription == QUEUE_CHANNEL => {
                return self.live_is_ready();
            }
            BayeuxEvent::StateChanged(State::Terminated { .. }) => return self.live_is_ready(),
            _ => return,
        };
        if channel == QUEUE_CHANNEL {
            let payload = Json::object([
                (
                    "conversationId",
                    data.get("chatId").cloned().unwrap_or_default(),
                ),
                ("status", data.get("status").cloned().unwrap_or_default()),
                (
                    "conversation",
                    data.get("conversation").cloned().unwrap_or_default(),
                ),
            ]);
            return self.raise(LiveEvent::QUEUE_CHANGED, payload);
        }
        let Some(conversation_id) = channel.strip_prefix("/agent/conversations/") else {
            return;
        };
        let session_id = self
            .workspace
            .borrow()
            .session_for_conversation(conversation_id)
            .map(str::to_owned)
            .unwrap_or_default();
        let ids = |mut payload: Json| {
            payload.set("conversationId", Json::str(conversation_id));
            payload.set("sessionId", Json::str(&session_id));
            payload
        };
        let mut news = 0u64;
        for message in data
            .get("messages")
            .and_then(Json::as_array)
            .unwrap_or_default()
        {
            let kind = message
                .get("type")
                .and_then(Json::as_str)
                .unwrap_or_default();
            let from_customer = message
                .get("from")
                .and_then(|f| f.get("type"))
                .and_then(Json::as_str)
                == Some("Client");
            match kind {
                "Message" | "CustomNotice" => {
                    if from_customer {
                        news += 1;
                    }
                    self.raise(
                        LiveEvent::MESSAGE,
                        ids(Json::object([("message", message.clone())])),
                    );
                }
                "TypingStarted" | "TypingStopped" if from_customer => self.raise(
                    LiveEvent::TYPING,
                    ids(Json::object([
                        ("isTyping", Json::Bool(kind == "TypingStarted")),
                        ("text", message.get("text").cloned().unwrap_or_default()),
                    ])),
                ),
                _ => {}
            }
        }
        if data.get("chatEnded").and_then(Json::as_bool) == Some(true) {
            self.raise(
                LiveEvent::ENDED,
                ids(Json::object([(
                    "status",
                    data.get("status").cloned().unwrap_or_default(),
                )])),
            );
        }
        // New customer messages in a session that is not in front: the unread badge counts
        // them all until the session takes focus.
        if news > 0
            && !session_id.is_empty()
            && self.workspace.borrow().focused_session_id() != session_id
        {
            let unread = self
                .workspace
                .borrow()
                .session(&session_id)
                .map_or(0, |session| session.unread);
            let outcome = self
                .workspace
                .borrow_mut()
                .notify_new_activity(&session_id, &Json::from(unread + news));
            if let Ok(outcome) = outcome {
                self.dispatch(outcome.events);
            }
        }
    }

    /// Raises a custom event to the console's handlers.
    pub fn raise(&self, name: &str, payload: Json) {
        let outcome = self.workspace.borrow().raise_event(name, payload);
        if let Ok(outcome) = outcome {
            self.dispatch(outcome.events);
        }
    }

    /// Runs a workspace call: checks initialisation, logs the correlation id, and dispatches
    /// the events the call caused, in order, after the workspace is released.
    pub fn call<T>(
        &self,
        api: &'static str,
        correlation: &str,
        operation: impl FnOnce(&mut Workspace) -> Result<Outcome<T>, CifError>,
    ) -> Result<T, crate::core::cif::ApiError> {
        if !correlation.is_empty() {
            self.log(&format!("hotline: {api} correlationId={correlation}"));
        }
        if !self.is_initialized() {
            return Err(CifError::NotInitialized.at(api));
        }
        let outcome = operation(&mut self.workspace.borrow_mut()).map_err(|e| e.at(api))?;
        self.dispatch(outcome.events);
        Ok(outcome.value)
    }

    /// Reads the workspace (no events).
    pub fn read<T>(
        &self,
        api: &'static str,
        read: impl FnOnce(&Workspace) -> Result<T, CifError>,
    ) -> Result<T, crate::core::cif::ApiError> {
        if !self.is_initialized() {
            return Err(CifError::NotInitialized.at(api));
        }
        read(&self.workspace.borrow()).map_err(|e| e.at(api))
    }

    fn dispatch(&self, events: Vec<Event>) {
        for event in events {
            let (name, argument) = match event.cif_name() {
                Some(name) => (
                    name.to_owned(),
                    JsValue::from_str(&event.handler_argument()),
                ),
                None => {
                    let mut payload = event.payload();
                    payload.set("type", Json::str(console_event_name(&event)));
                    (
                        LiveEvent::WORKSPACE_CHANGED.to_owned(),
                        JsValue::from_str(&payload.to_string()),
                    )
                }
            };
            let ids = self.workspace.borrow().handlers().for_event(&name);
            let functions: Vec<Function> = self
                .handlers
                .borrow()
                .iter()
                .filter(|(id, _)| ids.contains(id))
                .map(|(_, function)| function.clone())
                .collect();
            for function in functions {
                if let Err(error) = function.call1(&JsValue::UNDEFINED, &argument) {
                    self.log(&format!(
                        "hotline: a {name} handler threw: {}",
                        describe_js_error(&error)
                    ));
                }
            }
        }
    }

    /// `addHandler(name, fn)`: the same function twice is one registration.
    pub fn add_handler(
        &self,
        name: &str,
        function: Function,
    ) -> Result<(), crate::core::cif::ApiError> {
        let existing = self
            .handlers
            .borrow()
            .iter()
            .find(|(_, known)| js_sys::Object::is(known, &function))
            .map(|(id, _)| *id);
        let id = existing.unwrap_or_else(|| {
            let id = self.next_handler.get().wrapping_add(1);
            self.next_handler.set(id);
            self.handlers.borrow_mut().push((id, function));
            id
        });
        self.workspace
            .borrow_mut()
            .add_handler(name, id)
            .map_err(|e| e.at("addHandler"))
    }

    pub fn remove_handler(&self, name: &str, function: &Function) -> bool {
        let id = self
            .handlers
            .borrow()
            .iter()
            .find(|(_, known)| js_sys::Object::is(known, function))
            .map(|(id, _)| *id);
        let Some(id) = id else { return false };
        let removed = self.workspace.borrow_mut().remove_handler(name, id);
        if !self.workspace.borrow().handlers().is_used(id) {
            self.handlers.borrow_mut().retain(|(known, _)| *known != id);
        }
        removed
    }

    // ---- Microsoft.Omnichannel ----------------------------------------------------------

    /// `getConversations(input)`: the records of `msdyn_ocliveworkitems` the input selects.
    pub async fn get_conversations(
        self: Rc<Self>,
        input: Json,
        correlation: String,
    ) -> Result<Json, CifError> {
        let query = conversations_query(&input, js_sys::Date::now())?;
        let path = format!("{CONVERSATIONS_PATH}?{}", query.to_query_string());
        let reply = self.api("GET", &path, None, &correlation).await?;
        Ok(reply
            .get("value")
            .cloned()
            .unwrap_or(Json::Array(Vec::new())))
    }

    /// The conversation of the focused session.
    pub fn focused_conversation(&self) -> Option<String> {
        let workspace = self.workspace.borrow();
        let focused = workspace.focused_session_id().to_owned();
        workspace
            .session(&focused)
            .and_then(|session| session.conversation_id.clone())
    }

    /// `openConversation(id)`: accepts an unassigned conversation, opens it in a session from
    /// the chat template (or focuses the session it already has), and follows it live.
    pub async fn open_conversation(
        self: Rc<Self>,
        conversation_id: String,
        correlation: String,
    ) -> Result<Json, CifError> {
        if conversation_id.trim().is_empty() {
            return Err(CifError::MissingParameter("conversationId"));
        }
        let existing = self
            .workspace
            .borrow()
            .session_for_conversation(&conversation_id)
            .map(str::to_owned);
        if let Some(session_id) = existing {
            let outcome = self.workspace.borrow_mut().focus_session(&session_id)?;
            self.dispatch(outcome.events);
            return Ok(Json::str(session_id));
        }
        let path = format!("/api/v1/conversations/{conversation_id}");
        let record = self.api("GET", &path, None, &correlation).await?;
        let conversation = record.get("conversation").cloned().unwrap_or_default();
        // Accepted unless this agent is in it already: the server refuses (409) a conversation
        // another agent has, or one that has ended.
        let me = self.agent_id();
        let mine = conversation
            .get("agentIds")
            .and_then(Json::as_array)
            .is_some_and(|agents| agents.iter().any(|a| a.as_str() == me.as_deref()));
        if !mine {
            self.api(
                "POST",
                &format!("{path}/accept"),
                Some(Json::object::<String>([])),
                &correlation,
            )
            .await?;
        }
        let customer = conversation.get("nickname").cloned().unwrap_or_default();
        let input = Json::object([
            ("templateName", Json::str("msdyn_chat_session")),
            (
                "templateParameters",
                Json::object([
                    ("customer", customer.clone()),
                    ("customerName", customer),
                    ("conversationId", Json::str(&conversation_id)),
                    (
                        "subject",
                        conversation.get("subject").cloned().unwrap_or_default(),
                    ),
                ]),
            ),
        ]);
        let session_id = {
            let mut workspace = self.workspace.borrow_mut();
            let outcome = workspace.create_session(&input)?;
            let session_id = outcome.value.clone();
            workspace.set_conversation_id(&session_id, &conversation_id)?;
            (session_id, outcome.events)
        };
        self.dispatch(session_id.1);
        if let Some(connection) = self.connection.borrow().as_ref() {
            connection.subscribe(&format!("/agent/conversations/{conversation_id}"));
        }
        Ok(Json::str(session_id.0))
    }

    fn conversation_or_focused(&self, conversation_id: Option<String>) -> Result<String, CifError> {
        conversation_id
            .filter(|id| !id.trim().is_empty())
            .or_else(|| self.focused_conversation())
            .ok_or(CifError::MissingParameter("conversationId"))
    }

    /// `linkToConversation` / `unlinkFromConversation`.
    pub async fn link(
        self: Rc<Self>,
        entity_name: String,
        record_id: String,
        conversation_id: Option<String>,
        unlink: bool,
    ) -> Result<Json, CifError> {
        if entity_name.trim().is_empty() {
            return Err(CifError::MissingParameter("entityLogicalName"));
        }
        let conversation_id = self.conversation_or_focused(conversation_id)?;
        let base = format!("/api/v1/conversations/{conversation_id}/links");
        if unlink {
            let record = if record_id.trim().is_empty() {
                String::new()
            } else {
                format!("?entityId={}", js_sys::encode_uri_component(&record_id))
            };
            self.api("DELETE", &format!("{base}/{entity_name}{record}"), None, "")
                .await?;
        } else {
            if record_id.trim().is_empty() {
                return Err(CifError::MissingParameter("recordId"));
            }
            let body = Json::object([
                ("entityName", Json::str(entity_name)),
                ("entityId", Json::str(record_id)),
            ]);
            self.api("POST", &base, Some(body), "").await?;
        }
        Ok(Json::Bool(true))
    }

    /// `sendMessageToConversation(message, toSendBox = true, conversationId?)`.
    pub async fn send_message_to_conversation(
        self: Rc<Self>,
        message: Json,
        to_send_box: bool,
        conversation_id: Option<String>,
    ) -> Result<Json, CifError> {
        // The send-box path does not reach the server, which would otherwise say this.
        if !self.is_initialized() {
            return Err(CifError::NotInitialized);
        }
        let conversation_id = self.conversation_or_focused(conversation_id)?;
        let text = match &message {
            Json::String(text) => text.clone(),
            Json::Object(_) => message
                .get("content")
                .or_else(|| message.get("text"))
                .and_then(Json::as_str)
                .map_or_else(|| message.to_string(), str::to_owned),
            _ => {
                return Err(CifError::invalid(
                    "message",
                    "must be a string or a message object",
                ))
            }
        };
        if to_send_box {
            let session_id = self
                .workspace
                .borrow()
                .session_for_conversation(&conversation_id)
                .map(str::to_owned)
                .unwrap_or_default();
            self.raise(
                LiveEvent::SEND_BOX,
                Json::object([
                    ("conversationId", Json::str(&conversation_id)),
                    ("sessionId", Json::str(session_id)),
                    ("message", Json::str(text)),
                ]),
            );
            return Ok(Json::Bool(true));
        }
        let path = format!("/api/v1/conversations/{conversation_id}/messages");
        self.api(
            "POST",
            &path,
            Some(Json::object([("text", Json::str(text))])),
            "",
        )
        .await
    }

    /// Beyond Omnichannel: `endConversation`, `sendTypingToConversation`, `getTranscript`.
    pub async fn conversation_action(
        self: Rc<Self>,
        conversation_id: Option<String>,
        action: ConversationAction,
    ) -> Result<Json, CifError> {
        let conversation_id = self.conversation_or_focused(conversation_id)?;
        let base = format!("/api/v1/conversations/{conversation_id}");
        match action {
            ConversationAction::End => {
                self.api(
                    "POST",
                    &format!("{base}/end"),
                    Some(Json::object::<String>([])),
                    "",
                )
                .await
            }
            ConversationAction::Typing(is_typing) => {
                let body = Json::object([("isTyping", Json::Bool(is_typing))]);
                self.api("POST", &format!("{base}/typing"), Some(body), "")
                    .await
            }
            ConversationAction::Transcript => {
                self.api("GET", &format!("{base}/transcript"), None, "")
                    .await
            }
        }
    }

    /// The signed-in agent's id (for `getConversations({agentId})`).
    pub fn agent_id(&self) -> Option<String> {
        self.sign_in
            .borrow()
            .as_ref()
            .and_then(|s| s.agent_id.clone())
    }

    /// A snapshot of the sessions and tabs for drawing the console.
    pub fn snapshot(&self) -> Json {
        let workspace = self.workspace.borrow();
        let focused = workspace.focused_session_id().to_owned();
        Json::object([
            ("focusedSessionId", Json::str(&focused)),
            (
                "sessions",
                Json::Array(
                    workspace
                        .sessions()
                        .iter()
                        .map(|session| console_session(session, session.id == focused))
                        .collect(),
                ),
            ),
            ("presence", Json::str(workspace.get_presence())),
            ("mode", Json::from(u64::from(workspace.mode()))),
        ])
    }
}

/// A session as the console draws it: `getSession`'s fields plus its title, badges and tabs.
fn console_session(session: &Session, focused: bool) -> Json {
    let mut json = session.to_json(focused);
    json.set("title", Json::str(&session.title));
    json.set("isHome", Json::Bool(session.is_home));
    json.set("templateName", Json::str(&session.template));
    json.set("customerName", Json::from(session.customer_name.clone()));
    json.set("unread", Json::from(session.unread));
    json.set("focusRequested", Json::Bool(session.focus_requested));
    json.set("messagesCount", Json::from(session.messages_count));
    json.set("kpiBreach", Json::Bool(session.kpi_breach));
    json.set("kpiDetails", session.kpi_details.clone());
    json.set("focusedTabId", Json::from(session.focused_tab.clone()));
    let tabs = session.tabs.iter().map(|tab| {
        Json::object([
            ("tabId", Json::str(&tab.id)),
            ("title", Json::str(&tab.title)),
            ("templateName", Json::str(&tab.template)),
            ("pageType", Json::str(&tab.page_type)),
            ("parameters", tab.parameters.clone()),
            (
                "tags",
                Json::Array(tab.tags.iter().map(Json::str).collect()),
            ),
            ("isAnchor", Json::Bool(tab.is_anchor)),
            (
                "isFocused",
                Json::Bool(session.focused_tab.as_deref() == Some(tab.id.as_str())),
            ),
        ])
    });
    json.set("tabs", Json::Array(tabs.collect()));
    json
}

/// What `conversation_action` does.
pub enum ConversationAction {
    End,
    Typing(bool),
    Transcript,
}

fn console_event_name(event: &Event) -> &'static str {
    match event {
        Event::SessionCreated { .. } => "sessionCreated",
        Event::SessionFocused { .. } => "sessionFocused",
        Event::SessionUpdated { .. } => "sessionUpdated",
        Event::TabCreated { .. } => "tabCreated",
        Event::TabFocused { .. } => "tabFocused",
        Event::TabUpdated { .. } => "tabUpdated",
        Event::TabRefreshed { .. } => "tabRefreshed",
        Event::TabClosed { .. } => "tabClosed",
        _ => "changed",
    }
}

/// A JS value for a JSON result.
pub fn result_to_js(value: &Json) -> JsValue {
    to_js(value)
}
