//! A live chat session in the page: the core session model, a transport, the page's
//! callbacks, and the saved state.
//!
//! Everything the transport reports goes through [`ChatRuntime::on_transport_event`]: into
//! the model (which drops duplicates by index and shapes the GWE payloads), out to the
//! callbacks, and into the saved state. The state is saved whenever the last index changes,
//! when the page is hidden or left, and on a heartbeat, so that `restoreSession` measures
//! `maxOfflineDuration` from when the page was really gone.

use std::cell::{OnceCell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::Function;
use wasm_bindgen::JsValue;

use super::listeners::Listeners;
use super::page::LeaveHooks;
use super::state_medium::StateMedium;
use super::timer::Timeout;
use super::transport::custom::{transcript_of, user_data_of, CustomChat};
use super::transport::rest::exchange;
use super::transport::{server_unavailable, StartRequest, Transport, TransportEvent};
use crate::core::gms::{Envelope, Operation};
use crate::core::json::Json;
use crate::core::options::Endpoints;
use crate::core::session::{
    parse_from_index, parse_send_message, parse_send_typing, parse_set_user_data, transcript_json,
    transcript_payload, ChatSession, Emitted, EndReason, GweEvent, Origin,
};
use crate::core::state::{PersistedState, TransportKind};
use crate::core::ChatError;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// What a new runtime needs.
pub struct RuntimeParts {
    pub model: ChatSession,
    pub medium: StateMedium,
    pub state: PersistedState,
    /// The GMS endpoints (absent for a custom transport).
    pub endpoints: Option<Endpoints>,
    pub max_offline_secs: u64,
    pub logger: Option<Function>,
    /// The user data sent with the request (GMS has no way to read it back).
    pub user_data: Json,
}

pub struct ChatRuntime {
    model: RefCell<ChatSession>,
    transport: OnceCell<Transport>,
    medium: StateMedium,
    state: RefCell<PersistedState>,
    endpoints: Option<Endpoints>,
    listeners: Listeners,
    user_data: RefCell<Json>,
    max_offline_secs: u64,
    logger: Option<Function>,
    leave_hooks: RefCell<Option<LeaveHooks>>,
    heartbeat: RefCell<Option<Timeout>>,
}

/// A session command as the page asked for it, before checking.
pub enum CommandRequest {
    SendMessage(Json),
    SendTyping(Json),
    SetUserData(Json),
    CustomNotice(String),
    UpdateNickname(String),
    GetUserData(String),
    DeleteUserData(String),
    GetTranscript(Json),
    Leave,
}

/// A checked command, ready to run.
pub enum Command {
    Run(Operation),
    GetUserData(String),
    DeleteUserData(String),
    /// GWE's 0-based `fromIndex`.
    GetTranscript(u64),
    Leave,
}

/// How a runtime builds its transport: the transport's sink must point back at the runtime.
pub enum TransportChoice {
    Bayeux { websockets: bool },
    Rest,
    Custom(JsValue),
}

impl ChatRuntime {
    pub fn new(parts: RuntimeParts, choice: TransportChoice) -> Result<Rc<Self>, ChatError> {
        let runtime = Rc::new(Self {
            model: RefCell::new(parts.model),
            transport: OnceCell::new(),
            medium: parts.medium,
            state: RefCell::new(parts.state),
            endpoints: parts.endpoints,
            listeners: Listeners::default(),
            user_data: RefCell::new(parts.user_data),
            max_offline_secs: parts.max_offline_secs,
            logger: parts.logger,
            leave_hooks: RefCell::new(None),
            heartbeat: RefCell::new(None),
        });
        let weak = Rc::downgrade(&runtime);
        let sink: super::transport::Sink = Rc::new(move |event| {
            if let Some(runtime) = weak.upgrade() {
                runtime.on_transport_event(event);
            }
        });
        let transport = match (choice, &runtime.endpoints) {
            (TransportChoice::Custom(object), _) => {
                Transport::Custom(Rc::new(CustomChat::new(object, sink)?))
            }
            (TransportChoice::Bayeux { websockets }, Some(endpoints)) => {
                Transport::Bayeux(super::transport::bayeux::BayeuxChat::new(
                    endpoints.bayeux_url.clone(),
                    endpoints.channel.clone(),
                    websockets,
                    sink,
                ))
            }
            (TransportChoice::Rest, Some(endpoints)) => Transport::Rest(
                super::transport::rest::RestChat::new(endpoints.rest_base.clone(), sink),
            ),
            (_, None) => return Err(ChatError::MissingServerUrl),
        };
        let _ = runtime.transport.set(transport);
        Ok(runtime)
    }

    fn transport(&self) -> Result<&Transport, ChatError> {
        self.transport.get().ok_or_else(server_unavailable)
    }

    /// Logs `context` followed by the error's text.
    fn log_error(&self, context: &str, error: &ChatError) {
        if self.logger.is_some() {
            self.log(&[context, &error.description()].concat());
        }
    }

    fn log(&self, message: &str) {
        if let Some(logger) = &self.logger {
            let _ = logger.call1(&JsValue::UNDEFINED, &JsValue::from_str(message));
        }
    }

    /// Starts the chat on the server (`Some(request)`), or reattaches to the saved one
    /// (`None`); on success the state is saved and kept saved. One entry point for both, so
    /// that the wasm holds one state machine for opening a session, not two.
    ///
    /// Reattaching fetches the transcript again from the start: the part already seen is
    /// replayed as `restored`, and what was missed follows.
    pub async fn open(self: &Rc<Self>, request: Option<StartRequest>) -> Result<(), ChatError> {
        let transport = self.transport()?;
        let news = match request {
            Some(request) => {
                let (credentials, first) = transport.start(request).await?;
                let mut state = self.state.borrow_mut();
                state.session_id = credentials.chat_id;
                state.secure_key = credentials.secure_key;
                state.user_id = credentials.user_id;
                state.alias = credentials.alias;
                first
            }
            None => {
                let credentials = self.state.borrow().credentials();
                if let Transport::Custom(custom) = transport {
                    custom.resume(credentials);
                    custom.init().await?;
                    let events = custom.transcript(0).await?;
                    let emitted =
                        self.model
                            .borrow_mut()
                            .ingest_raw(&events, Origin::Restored, now_ms());
                    self.emit(emitted);
                    None
                } else {
                    let position = self.model.borrow().notification_position();
                    transport.resume(credentials, position).await?
                }
            }
        };
        let session_id = self.session_id();
        self.log(&["hotline: chat ", &session_id, " opened"].concat());
        if let Some(envelope) = news {
            self.take_envelope(&envelope);
        }
        self.save();
        self.keep_saving();
        Ok(())
    }

    /// Saves on page hide/leave and on a heartbeat.
    fn keep_saving(self: &Rc<Self>) {
        let weak = Rc::downgrade(self);
        *self.leave_hooks.borrow_mut() = Some(LeaveHooks::new(move || {
            if let Some(runtime) = weak.upgrade() {
                runtime.save();
            }
        }));
        self.arm_heartbeat();
    }

    fn arm_heartbeat(self: &Rc<Self>) {
        // Half the restore window, so the saved time is never older than the window allows
        // even when no page event fires (mobile browsers, crashes).
        let period = (self.max_offline_secs as f64 * 500.0)
            .max(1_000.0)
            .min(60_000.0);
        let weak: Weak<Self> = Rc::downgrade(self);
        let timeout = Timeout::new(period, move || {
            if let Some(runtime) = weak.upgrade() {
                if !runtime.model.borrow().is_ended() {
                    runtime.save();
                    runtime.arm_heartbeat();
                }
            }
        });
        // Replaced from inside the previous heartbeat's callback: free it on a later turn.
        let previous = self.heartbeat.replace(timeout.ok());
        crate::browser::spawn(async move { drop(previous) });
    }

    fn save(&self) {
        // Not while leaving either: the state was cleared for good.
        if !self.model.borrow().is_active() {
            return;
        }
        let mut state = self.state.borrow_mut();
        state.last_index = self.model.borrow().last_index();
        if let Err(error) = self.medium.save(&mut state, now_ms() as u64) {
            drop(state);
            self.log_error("hotline: could not save the chat state: ", &error);
        }
    }

    fn emit(&self, emitted: Vec<Emitted>) {
        for Emitted { event, payload } in emitted {
            self.listeners.emit(event, &payload);
        }
    }

    fn emit_one(&self, emitted: Option<Emitted>) {
        if let Some(Emitted { event, payload }) = emitted {
            self.listeners.emit(event, &payload);
        }
    }

    fn take_envelope(&self, envelope: &Envelope) {
        let before = self.model.borrow().last_index();
        let emitted = self.model.borrow_mut().ingest_envelope(envelope, now_ms());
        self.emit(emitted);
        self.after_news(before);
    }

    /// Saves a new last index, and winds down once the session has ended.
    fn after_news(&self, index_before: u64) {
        if self.model.borrow().is_ended() {
            self.finish();
        } else if self.model.borrow().last_index() != index_before {
            self.save();
        }
    }

    pub fn on_transport_event(self: &Rc<Self>, event: TransportEvent) {
        let before = self.model.borrow().last_index();
        match event {
            TransportEvent::Envelope(envelope) => return self.take_envelope(&envelope),
            TransportEvent::Raw(events) => {
                let emitted = self
                    .model
                    .borrow_mut()
                    .ingest_raw(&events, Origin::Live, now_ms());
                self.emit(emitted);
            }
            TransportEvent::Interrupted => {
                let emitted = self.model.borrow_mut().interrupted(now_ms());
                self.emit_one(emitted);
            }
            TransportEvent::Continued => {
                let emitted = self.model.borrow_mut().continued(now_ms());
                self.emit_one(emitted);
            }
            TransportEvent::Reconnected => {
                let runtime = self.clone();
                crate::browser::spawn(async move {
                    let position = runtime.model.borrow().notification_position();
                    if let Ok(transport) = runtime.transport() {
                        if let Err(error) = transport.catch_up(position).await {
                            runtime.on_transport_event(TransportEvent::Error(error));
                        }
                    }
                });
            }
            TransportEvent::Error(error) => {
                let emitted = self.model.borrow_mut().error(&error);
                self.emit_one(emitted);
            }
            TransportEvent::Failed(error) => {
                let emitted = self.model.borrow_mut().error(&error);
                self.emit_one(emitted);
                let ended = self.model.borrow_mut().end(EndReason::Error);
                self.emit_one(ended);
            }
        }
        self.after_news(before);
    }

    /// After the end: the state is forgotten and the transport stops.
    fn finish(&self) {
        self.leave_hooks.borrow_mut().take();
        let heartbeat = self.heartbeat.borrow_mut().take();
        crate::browser::spawn(async move { drop(heartbeat) });
        if let Err(error) = self.medium.clear() {
            self.log_error("hotline: could not clear the chat state: ", &error);
        }
        if let Some(transport) = self.transport.get() {
            transport.close();
        }
    }

    // ---- commands -----------------------------------------------------------------------

    /// Checks that commands are allowed; after the end this is GWE's TypeError.
    pub fn check_active(&self) -> Result<(), ChatError> {
        self.model.borrow().check_active()
    }

    async fn run(&self, operation: Operation) -> Result<(), ChatError> {
        let reply = self.transport()?.command(operation).await?;
        if let Some(envelope) = reply {
            self.take_envelope(&envelope);
        }
        Ok(())
    }

    /// Checks a command the page asked for; misuse is an error the facade throws at once.
    pub fn prepare(&self, request: CommandRequest) -> Result<Command, ChatError> {
        self.check_active()?;
        Ok(match request {
            CommandRequest::SendMessage(argument) => Command::Run(parse_send_message(&argument)?),
            CommandRequest::SendTyping(argument) => Command::Run(parse_send_typing(&argument)?),
            CommandRequest::SetUserData(argument) => Command::Run(parse_set_user_data(&argument)?),
            CommandRequest::CustomNotice(message) => {
                Command::Run(Operation::CustomNotice { message })
            }
            CommandRequest::UpdateNickname(nickname) => {
                if nickname.trim().is_empty() {
                    return Err(ChatError::InvalidArgument(
                        "nickname must not be empty".into(),
                    ));
                }
                Command::Run(Operation::UpdateNickname { nickname })
            }
            CommandRequest::GetUserData(key) => Command::GetUserData(key),
            CommandRequest::DeleteUserData(key) => Command::DeleteUserData(key),
            CommandRequest::GetTranscript(argument) => {
                Command::GetTranscript(parse_from_index(&argument)?)
            }
            CommandRequest::Leave => {
                // GWE cleans up before leave() returns: later commands throw at once and the
                // saved state is gone even if the page unloads right after.
                self.model.borrow_mut().begin_leave()?;
                self.leave_hooks.borrow_mut().take();
                if let Err(error) = self.medium.clear() {
                    self.log_error("hotline: could not clear the chat state: ", &error);
                }
                Command::Leave
            }
        })
    }

    /// Runs a prepared command; resolves with the `done` value (`Json::Null` for none). One
    /// entry point with one wait on the transport per path, so that the wasm holds one
    /// command state machine, not one per command.
    pub async fn execute(self: Rc<Self>, command: Command) -> Result<Json, ChatError> {
        let leaving = matches!(command, Command::Leave);
        let transport = self.transport()?;
        if let Transport::Custom(custom) = transport {
            let kind = CommandKind::of(&command);
            let outcome = match custom.call_for(command) {
                Some((method, argument)) => custom.request(method, argument).await,
                None => Ok(Json::Null),
            };
            if leaving {
                return Ok(self.finish_leave(outcome.map(|reply| custom.take_delta(&reply))));
            }
            let reply = outcome?;
            return match kind {
                CommandKind::GetUserData => Ok(Json::object([("userData", user_data_of(&reply)?)])),
                CommandKind::GetTranscript => Ok(transcript_json(&transcript_of(&reply)?)),
                CommandKind::Other => {
                    custom.take_delta(&reply);
                    Ok(Json::Null)
                }
            };
        }
        let operation = match command {
            // GMS has no way to read user data back: what this page set is what is known.
            Command::GetUserData(key) => {
                let mut found = Json::object::<String>([]);
                if let Some(value) = self.user_data.borrow().get(&key) {
                    found.set(key, value.clone());
                }
                return Ok(Json::object([("userData", found)]));
            }
            Command::GetTranscript(from_index) => return self.get_transcript(from_index).await,
            Command::Run(operation) => operation,
            // Over GMS, an `updateData` that sets the key to null.
            Command::DeleteUserData(key) => Operation::UpdateData {
                user_data: Json::object([(key, Json::Null)]),
            },
            Command::Leave => Operation::Disconnect,
        };
        let updated = match &operation {
            Operation::UpdateData { user_data } => Some(user_data.clone()),
            _ => None,
        };
        let outcome = self.run(operation).await;
        if leaving {
            return Ok(self.finish_leave(outcome));
        }
        outcome?;
        if let Some(Json::Object(members)) = updated {
            let mut known = self.user_data.borrow_mut();
            for (key, value) in members {
                if value.is_null() {
                    known.remove(&key);
                } else {
                    known.set(key, value);
                }
            }
        }
        Ok(Json::Null)
    }

    /// `getTranscript({fromIndex})` over GMS REST → `{transcript: [rawEvent…]}`; fires no
    /// events.
    async fn get_transcript(&self, from_index: u64) -> Result<Json, ChatError> {
        let endpoints = self.endpoints.as_ref().ok_or_else(server_unavailable)?;
        let credentials = self.state.borrow().credentials();
        // GMS 1-based positions; GWE's fromIndex is 0-based.
        let position = from_index.saturating_add(1);
        let refresh = Operation::RequestNotifications {
            transcript_position: Some(position),
        };
        let envelope =
            exchange(&endpoints.rest_base, &credentials, &refresh, Some(position)).await?;
        Ok(transcript_payload(&envelope.messages, from_index))
    }

    /// The end of `leave()`, after [`prepare`](Self::prepare) cleaned up and the server was
    /// told (its reply taken in): fires SessionEnded `{leaveRequest: true}` itself. Leaving
    /// always succeeds for the page; a server that did not confirm is only logged.
    fn finish_leave(&self, told: Result<(), ChatError>) -> Json {
        if let Err(error) = &told {
            self.log_error("hotline: the server did not confirm leaving: ", error);
        }
        let ended = self.model.borrow_mut().finish_leave();
        self.emit_one(ended);
        self.finish();
        Json::Null
    }

    // ---- callbacks ----------------------------------------------------------------------

    /// Registers a callback (memorised: it first gets every earlier payload of its kind).
    pub fn add_listener(&self, event: GweEvent, callback: Function) -> u32 {
        // Copied out first: a callback may run a command that changes the model.
        let mut history = Vec::new();
        if event.is_memorised() {
            for payload in self.model.borrow().history(event) {
                history.push(payload.clone());
            }
        }
        self.listeners.add(event, callback, &history)
    }

    pub fn remove_listener(&self, id: u32) {
        self.listeners.remove(id);
    }

    /// The saved state as the page's storage would see it (for diagnostics and tests).
    pub fn session_id(&self) -> String {
        self.state.borrow().session_id.clone()
    }

    pub fn transport_kind(&self) -> TransportKind {
        self.state.borrow().transport
    }
}

/// What a custom transport's reply means, by the command that asked.
enum CommandKind {
    GetUserData,
    GetTranscript,
    Other,
}

impl CommandKind {
    fn of(command: &Command) -> Self {
        match command {
            Command::GetUserData(_) => CommandKind::GetUserData,
            Command::GetTranscript(_) => CommandKind::GetTranscript,
            _ => CommandKind::Other,
        }
    }
}
