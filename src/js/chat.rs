//! `chat`: the Genesys GWE-style customer chat API, and the session object it gives.

use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use super::errors::{chat_error, thrown_error, type_error};
use super::promise::done_fail_promise;
use crate::browser::launch::{prepare, rest_transport_descriptor};
use crate::browser::listeners::{from_js, to_js};
use crate::browser::session::{ChatRuntime, CommandRequest};
use crate::core::json::Json;
use crate::core::session::GweEvent;
use crate::core::ChatError;

/// A failure before any promise exists: misuse throws a `TypeError` (as GWE does), anything
/// else becomes a rejected promise.
fn fail_early(error: ChatError) -> Result<Promise, JsValue> {
    match error.type_error_message() {
        Some(message) => Err(type_error(&message)),
        None => Ok(done_fail_promise(async move { Err(chat_error(&error)) })),
    }
}

/// Opens a session: starts a new chat (`start`) or restores the saved one without a request;
/// resolves with the [`Session`]. One function behind both exports, so that the wasm holds
/// the preparation and the opening future once.
#[inline(never)]
fn open(options: &JsValue, start: bool) -> Result<Promise, JsValue> {
    let (runtime, request) = match prepare(options, start) {
        Ok(prepared) => prepared,
        Err(error) => return fail_early(error),
    };
    Ok(done_fail_promise(async move {
        runtime.open(request).await.map_err(|e| chat_error(&e))?;
        Ok(Session { runtime }.into())
    }))
}

/// The customer chat API: `chat.startSession(options)`, `chat.restoreSession(options)`.
///
/// Options: `serverUrl` (alias `chatServerUrl`) or `transport`; `username` (default
/// `'User'`); `subject`; `userData` (merged over `source: 'web'`, `pageTitle`, `url`,
/// `referrer`; `null` removes a default); `service` (default `'customer-support'`);
/// `stateStorage` (`{read(), write(state)}`) or `storage: 'cookie' | 'localStorage'` (default
/// cookie); `maxOfflineDuration` in seconds (alias `cookieMaxAge`, default 5);
/// `disableWebSockets`; `logger` (a function like `console.log`).
#[wasm_bindgen(js_name = chat)]
pub struct Chat;

#[wasm_bindgen(js_class = chat)]
impl Chat {
    /// Starts a new chat. Returns a Promise (with chainable `done`/`fail`) for the session.
    /// Throws a `TypeError` when neither `serverUrl` nor `transport` is given. A failure
    /// rejects with an `Error` carrying `code`, `description` and `error: {code, description}`.
    #[wasm_bindgen(js_name = startSession, unchecked_return_type = "ChatPromise<Session>")]
    pub fn start_session(
        #[wasm_bindgen(unchecked_param_type = "StartOptions")] options: JsValue,
    ) -> Result<Promise, JsValue> {
        open(&options, true)
    }

    /// Reattaches to the chat saved by an earlier page (within `maxOfflineDuration`). Rejects
    /// with code 0 when there is no fresh saved state. The transcript seen before is replayed
    /// to callbacks with `restored: true`, then what was missed arrives, each event once.
    #[wasm_bindgen(js_name = restoreSession, unchecked_return_type = "ChatPromise<Session>")]
    pub fn restore_session(
        #[wasm_bindgen(unchecked_optional_param_type = "RestoreOptions")] options: JsValue,
    ) -> Result<Promise, JsValue> {
        open(&options, false)
    }

    /// Built-in transports to pass as `options.transport`.
    #[wasm_bindgen(getter)]
    pub fn transports() -> Transports {
        Transports
    }
}

/// `chat.transports`: the built-in transports.
#[wasm_bindgen]
pub struct Transports;

#[wasm_bindgen]
impl Transports {
    /// The GMS REST transport: `chat.transports.rest({serverUrl, service})`, polling
    /// `refresh` instead of keeping a Bayeux connection.
    #[wasm_bindgen(unchecked_return_type = "RestTransport")]
    pub fn rest(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RestTransportOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        // The only failure, a missing serverUrl, is misuse: a TypeError.
        rest_transport_descriptor(&options).map_err(|e| thrown_error(&e))
    }
}

/// A chat session. Every command returns a Promise with chainable `done`/`fail`; after the
/// session has ended a command throws `TypeError('Genesys Chat: session has ended')`.
/// Every `on…` registration first replays the earlier events of its kind (memorised events)
/// and returns a function that unsubscribes.
#[wasm_bindgen]
pub struct Session {
    runtime: Rc<ChatRuntime>,
}

/// Runs a command: misuse throws at once (a `TypeError`), the outcome settles the promise.
fn run(runtime: &Rc<ChatRuntime>, request: CommandRequest) -> Result<Promise, JsValue> {
    let command = runtime.prepare(request).map_err(|e| thrown_error(&e))?;
    let runtime = runtime.clone();
    Ok(done_fail_promise(async move {
        match runtime.execute(command).await {
            Ok(Json::Null) => Ok(JsValue::UNDEFINED),
            Ok(value) => Ok(to_js(&value)),
            Err(error) => Err(chat_error(&error)),
        }
    }))
}

#[wasm_bindgen]
impl Session {
    /// The chat's id (GMS `chatId`).
    #[wasm_bindgen(getter, js_name = sessionId)]
    pub fn session_id(&self) -> String {
        self.runtime.session_id()
    }

    /// Sends a message: a string, or `{message, type: 'text' | 'url'}`.
    #[wasm_bindgen(js_name = sendMessage, unchecked_return_type = "ChatPromise<void>")]
    pub fn send_message(
        &self,
        #[wasm_bindgen(unchecked_param_type = "OutgoingMessage")] message: JsValue,
    ) -> Result<Promise, JsValue> {
        run(
            &self.runtime,
            CommandRequest::SendMessage(from_js(&message)),
        )
    }

    /// Tells the agent the visitor is typing: `{isTyping: boolean, typedText?: string}`.
    #[wasm_bindgen(js_name = sendTyping, unchecked_return_type = "ChatPromise<void>")]
    pub fn send_typing(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "TypingOptions | null")] options: JsValue,
    ) -> Result<Promise, JsValue> {
        run(&self.runtime, CommandRequest::SendTyping(from_js(&options)))
    }

    /// The transcript from `{fromIndex}` (0-based, default 0), as `{transcript: [event…]}`.
    /// Fires no events.
    #[wasm_bindgen(
        js_name = getTranscript,
        unchecked_return_type = "ChatPromise<TranscriptResult>"
    )]
    pub fn get_transcript(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "TranscriptOptions | null")]
        options: JsValue,
    ) -> Result<Promise, JsValue> {
        run(
            &self.runtime,
            CommandRequest::GetTranscript(from_js(&options)),
        )
    }

    /// Leaves the chat: the saved state is cleared, the server told, and `onSessionEnded`
    /// fires with `{reason: {leaveRequest: true}}`.
    #[wasm_bindgen(unchecked_return_type = "ChatPromise<void>")]
    pub fn leave(&self) -> Result<Promise, JsValue> {
        run(&self.runtime, CommandRequest::Leave)
    }

    /// Attaches data to the chat (`{key: value, …}`).
    #[wasm_bindgen(js_name = setUserData, unchecked_return_type = "ChatPromise<void>")]
    pub fn set_user_data(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] data: JsValue,
    ) -> Result<Promise, JsValue> {
        run(&self.runtime, CommandRequest::SetUserData(from_js(&data)))
    }

    /// Reads one user-data key: resolves with `{userData: {key: value}}`.
    #[wasm_bindgen(js_name = getUserData, unchecked_return_type = "ChatPromise<UserDataResult>")]
    pub fn get_user_data(&self, key: String) -> Result<Promise, JsValue> {
        run(&self.runtime, CommandRequest::GetUserData(key))
    }

    /// Removes one user-data key.
    #[wasm_bindgen(js_name = deleteUserData, unchecked_return_type = "ChatPromise<void>")]
    pub fn delete_user_data(&self, key: String) -> Result<Promise, JsValue> {
        run(&self.runtime, CommandRequest::DeleteUserData(key))
    }

    /// Sends a custom notice (GMS `customNotice`) that agent desktops may act on.
    #[wasm_bindgen(js_name = sendCustomNotice, unchecked_return_type = "ChatPromise<void>")]
    pub fn send_custom_notice(&self, message: String) -> Result<Promise, JsValue> {
        run(&self.runtime, CommandRequest::CustomNotice(message))
    }

    /// Changes the visitor's name as the agent sees it.
    #[wasm_bindgen(js_name = updateNickname, unchecked_return_type = "ChatPromise<void>")]
    pub fn update_nickname(&self, nickname: String) -> Result<Promise, JsValue> {
        run(&self.runtime, CommandRequest::UpdateNickname(nickname))
    }

    fn on(&self, event: GweEvent, callback: JsValue) -> Result<Function, JsValue> {
        let callback: Function = callback.dyn_into().map_err(|_| {
            type_error(&["Genesys Chat: on", event.name(), " needs a function"].concat())
        })?;
        let id = self.runtime.add_listener(event, callback);
        let runtime = Rc::downgrade(&self.runtime);
        let unsubscribe = wasm_bindgen::closure::Closure::once_into_js(move || {
            if let Some(runtime) = runtime.upgrade() {
                runtime.remove_listener(id);
            }
        });
        Ok(unsubscribe.unchecked_into())
    }

    /// A participant joined (the visitor's own join too): `{party: {id, name, type}, index,
    /// timestamp, restored}`.
    #[wasm_bindgen(js_name = onAgentConnected, unchecked_return_type = "Unsubscribe")]
    pub fn on_agent_connected(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(event: AgentConnectedEvent) => void")]
        callback: JsValue,
    ) -> Result<Function, JsValue> {
        self.on(GweEvent::AgentConnected, callback)
    }

    /// A participant left: `{party, index, timestamp, restored}`.
    #[wasm_bindgen(js_name = onAgentDisconnected, unchecked_return_type = "Unsubscribe")]
    pub fn on_agent_disconnected(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(event: AgentDisconnectedEvent) => void")] callback: JsValue,
    ) -> Result<Function, JsValue> {
        self.on(GweEvent::AgentDisconnected, callback)
    }

    /// The agent started or stopped typing: `{party, isTyping, index}` (not memorised).
    #[wasm_bindgen(js_name = onAgentTyping, unchecked_return_type = "Unsubscribe")]
    pub fn on_agent_typing(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(event: AgentTypingEvent) => void")]
        callback: JsValue,
    ) -> Result<Function, JsValue> {
        self.on(GweEvent::AgentTyping, callback)
    }

    /// A message, URL or notice: `{content: {text, type}, timestamp, index, restored,
    /// party: {id, name, type: {agent|client|external: true}}}`.
    #[wasm_bindgen(js_name = onMessageReceived, unchecked_return_type = "Unsubscribe")]
    pub fn on_message_received(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(event: MessageReceivedEvent) => void")]
        callback: JsValue,
    ) -> Result<Function, JsValue> {
        self.on(GweEvent::MessageReceived, callback)
    }

    /// The session ended: `{reason: {leaveRequest|agent|error: true}, restored}`.
    #[wasm_bindgen(js_name = onSessionEnded, unchecked_return_type = "Unsubscribe")]
    pub fn on_session_ended(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(event: SessionEndedEvent) => void")]
        callback: JsValue,
    ) -> Result<Function, JsValue> {
        self.on(GweEvent::SessionEnded, callback)
    }

    /// An error during the session: `{error: {code, description}, restored}`.
    #[wasm_bindgen(js_name = onError, unchecked_return_type = "Unsubscribe")]
    pub fn on_error(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(event: SessionErrorEvent) => void")]
        callback: JsValue,
    ) -> Result<Function, JsValue> {
        self.on(GweEvent::Error, callback)
    }

    /// The connection to the server is lost (the SDK keeps reconnecting): `{timestamp}`.
    #[wasm_bindgen(js_name = onInterrupted, unchecked_return_type = "Unsubscribe")]
    pub fn on_interrupted(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(event: ConnectionEvent) => void")]
        callback: JsValue,
    ) -> Result<Function, JsValue> {
        self.on(GweEvent::Interrupted, callback)
    }

    /// The connection is back after `onInterrupted`: `{timestamp}`.
    #[wasm_bindgen(js_name = onContinued, unchecked_return_type = "Unsubscribe")]
    pub fn on_continued(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(event: ConnectionEvent) => void")]
        callback: JsValue,
    ) -> Result<Function, JsValue> {
        self.on(GweEvent::Continued, callback)
    }
}
