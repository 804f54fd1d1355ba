//! A transport object the page supplies, with GWE's transport contract: `init()`,
//! `startSession({username, userData, source, subject})` → `{sessionId}`, `sendMessage`,
//! `sendTyping`, `getTranscript`, `leaveSession`, `setUserData`, `getUserData`,
//! `deleteUserData`, and `onAgentConnected` … `onError` registrations for its events. Its
//! methods may return real Promises or jQuery-style `{done, fail}` promises.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::{Sink, StartRequest, TransportEvent};
use crate::browser::host::{host_transport_call, host_transport_listen};
use crate::browser::session::Command;
use crate::core::gms::{Credentials, Envelope, Operation};
use crate::core::json::Json;
use crate::core::session::{GweEvent, RawEvent};
use crate::core::ChatError;

/// The transport's event registrations, numbered by `host_transport_listen` in this order,
/// which is the order of the first six of [`GweEvent::ALL`].
const EVENT_REGISTRATIONS: &str =
    "onAgentConnected,onAgentDisconnected,onAgentTyping,onMessageReceived,onSessionEnded,onError";

pub struct CustomChat {
    object: JsValue,
    session_id: RefCell<String>,
    /// Set by [`CustomChat::close`]: events the transport still pushes are ignored. (The
    /// callback stays alive: the page's transport may hold it and call it later.)
    closed: Rc<Cell<bool>>,
    sink: Sink,
    // The callback handed to the transport's `on…` methods lives as long as this transport.
    _events: Closure<dyn FnMut(u32, String)>,
}

impl CustomChat {
    /// Wraps the page's transport object and registers for its events.
    pub fn new(object: JsValue, sink: Sink) -> Result<Self, ChatError> {
        if !object.is_object() {
            return Err(ChatError::InvalidArgument(
                "transport must be an object".into(),
            ));
        }
        let closed = Rc::new(Cell::new(false));
        let events = {
            let (sink, closed) = (sink.clone(), closed.clone());
            Closure::<dyn FnMut(u32, String)>::new(move |index: u32, payload: String| {
                let Some(&kind) = GweEvent::ALL.get(index as usize) else {
                    return;
                };
                if closed.get() {
                    return;
                }
                let payload = Json::parse(&payload).unwrap_or(Json::Null);
                sink(if kind == GweEvent::Error {
                    TransportEvent::Error(error_from(&payload))
                } else {
                    match RawEvent::from_json_as(kind, &payload) {
                        Ok(raw) => TransportEvent::Raw(vec![raw]),
                        Err(error) => TransportEvent::Error(error),
                    }
                });
            })
        };
        host_transport_listen(
            &object,
            EVENT_REGISTRATIONS,
            events.as_ref().unchecked_ref(),
        )
        .map_err(|reason| ChatError::InvalidArgument(reason.as_string().unwrap_or_default()))?;
        Ok(Self {
            object,
            session_id: RefCell::new(String::new()),
            closed,
            sink,
            _events: events,
        })
    }

    /// Calls `name(argument)`; the [`Call`] waits for its promise. A missing method is an
    /// unknown command, unless `optional` (then it resolves with null).
    fn call(&self, name: &str, argument: Option<Json>, optional: bool) -> Call {
        let argument = argument.map(|argument| argument.to_string());
        Call(JsFuture::from(host_transport_call(
            &self.object,
            name,
            argument,
            optional,
        )))
    }

    /// `init()`, when the transport has one (resolves with what it resolved with).
    pub fn init(&self) -> Call {
        self.call("init", None, true)
    }

    pub async fn start(
        &self,
        request: &StartRequest,
    ) -> Result<(Credentials, Option<Envelope>), ChatError> {
        self.init().await?;
        let mut parameters = Json::object([
            ("username", Json::str(&request.username)),
            ("userData", request.user_data.clone()),
            (
                "source",
                request
                    .user_data
                    .get("source")
                    .cloned()
                    .unwrap_or_else(|| "web".into()),
            ),
        ]);
        if let Some(subject) = &request.subject {
            parameters.set("subject", Json::str(subject));
        }
        let started = self.request("startSession", parameters).await?;
        let session_id = match started.get("sessionId") {
            Some(Json::String(id)) => id.clone(),
            Some(Json::Number(n)) => Json::Number(*n).to_string(),
            _ => {
                return Err(ChatError::BadResponse(
                    "startSession() resolved without a sessionId".into(),
                ))
            }
        };
        *self.session_id.borrow_mut() = session_id.clone();
        let credentials = Credentials {
            chat_id: session_id,
            ..Credentials::default()
        };
        Ok((credentials, None))
    }

    /// Reattaches: only the session id is needed; the transport's own `init` runs later.
    pub fn resume(&self, credentials: Credentials) {
        *self.session_id.borrow_mut() = credentials.chat_id;
    }

    fn with_session(&self, fields: Vec<(&str, Json)>) -> Json {
        let mut object =
            Json::object([("sessionId", Json::str(self.session_id.borrow().as_str()))]);
        for (key, value) in fields {
            object.set(key, value);
        }
        object
    }

    /// The transport method and argument (with the session id) for a command; `None` for
    /// operations a custom transport has no method for (they succeed without a call).
    pub fn call_for(&self, command: Command) -> Option<(&'static str, Json)> {
        let (method, fields): (&'static str, Vec<(&str, Json)>) = match command {
            Command::Run(Operation::SendMessage {
                message,
                message_type,
            }) => (
                "sendMessage",
                vec![
                    ("message", Json::from(message)),
                    (
                        "type",
                        Json::from(message_type.unwrap_or_else(|| "text".into())),
                    ),
                ],
            ),
            Command::Run(Operation::StartTyping { preview }) => (
                "sendTyping",
                vec![
                    ("isTyping", true.into()),
                    ("typedText", Json::from(preview)),
                ],
            ),
            Command::Run(Operation::StopTyping { .. }) => {
                ("sendTyping", vec![("isTyping", false.into())])
            }
            Command::Run(Operation::UpdateData { user_data }) => {
                ("setUserData", vec![("userData", user_data)])
            }
            Command::Run(Operation::Disconnect) | Command::Leave => ("leaveSession", vec![]),
            Command::Run(Operation::CustomNotice { message }) => {
                ("sendCustomNotice", vec![("message", Json::from(message))])
            }
            Command::Run(Operation::UpdateNickname { nickname }) => {
                ("updateNickname", vec![("nickname", Json::from(nickname))])
            }
            Command::Run(Operation::RequestChat { .. })
            | Command::Run(Operation::RequestNotifications { .. }) => return None,
            Command::GetUserData(key) => (
                "getUserData",
                vec![("keys", Json::Array(vec![Json::from(key)]))],
            ),
            Command::DeleteUserData(key) => (
                "deleteUserData",
                vec![("keys", Json::Array(vec![Json::from(key)]))],
            ),
            Command::GetTranscript(from_index) => {
                ("getTranscript", vec![("fromIndex", Json::from(from_index))])
            }
        };
        Some((method, self.with_session(fields)))
    }

    /// Calls `method(argument)` (one [`call_for`](Self::call_for) chose) and waits for it.
    pub fn request(&self, method: &str, argument: Json) -> Call {
        self.call(method, Some(argument), false)
    }

    /// Takes in what a command's reply carries: `leaveSession` (or any command) may answer
    /// with the transcript delta not seen yet, which GWE replays.
    pub fn take_delta(&self, reply: &Json) {
        if let Some(delta) = reply.get("transcript").and_then(Json::as_array) {
            (self.sink)(match raw_events(delta) {
                Ok(events) => TransportEvent::Raw(events),
                Err(error) => TransportEvent::Error(error),
            });
        }
    }

    /// `getTranscript({sessionId, fromIndex})` → the raw events of `{transcript}`.
    pub async fn transcript(&self, from_index: u64) -> Result<Vec<RawEvent>, ChatError> {
        let (method, argument) = self
            .call_for(Command::GetTranscript(from_index))
            .ok_or_else(|| ChatError::remote(0, NO_TRANSCRIPT))?;
        transcript_of(&self.request(method, argument).await?)
    }

    /// Ignores whatever the transport pushes from now on.
    pub fn close(&self) {
        self.closed.set(true);
    }
}

/// A transport call in flight: resolves with the JSON its promise settled with, or the error
/// it rejected with. A named future rather than an `async fn`, so that every wait on the
/// transport shares one small poll function and the JSON decoding.
pub struct Call(JsFuture);

impl Future for Call {
    type Output = Result<Json, ChatError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx).map(settle)
    }
}

/// What a settled transport promise means.
fn settle(settled: Result<JsValue, JsValue>) -> Result<Json, ChatError> {
    let (settled, ok) = match settled {
        Ok(value) => (value, true),
        Err(rejection) => (rejection, false),
    };
    let json = settled
        .as_string()
        .and_then(|text| Json::parse(&text).ok())
        .unwrap_or(Json::Null);
    if ok {
        Ok(json)
    } else {
        Err(error_from(&json))
    }
}

/// The `{error: {code, description}}` a transport rejects with (code 0 when absent).
fn error_from(value: &Json) -> ChatError {
    let error = value.get("error").unwrap_or(value);
    let code = error.get("code").and_then(Json::as_u64).unwrap_or(0);
    let description = error
        .get("description")
        .or_else(|| error.get("message"))
        .and_then(Json::as_str)
        .unwrap_or("the transport reported an error");
    ChatError::remote(u16::try_from(code).unwrap_or(0), description)
}

/// The raw events of a transport's `transcript` array; the first malformed one is the error.
fn raw_events(events: &[Json]) -> Result<Vec<RawEvent>, ChatError> {
    let mut raw = Vec::with_capacity(events.len());
    for event in events {
        raw.push(RawEvent::from_json(event)?);
    }
    Ok(raw)
}

const NO_TRANSCRIPT: &str = "No transcript came from transport";

/// The raw events of a `getTranscript` reply (`{transcript: [...]}`).
pub fn transcript_of(reply: &Json) -> Result<Vec<RawEvent>, ChatError> {
    let events = reply
        .get("transcript")
        .and_then(Json::as_array)
        .ok_or_else(|| ChatError::remote(0, NO_TRANSCRIPT))?;
    raw_events(events)
}

/// The `userData` of a `getUserData` reply.
pub fn user_data_of(reply: &Json) -> Result<Json, ChatError> {
    reply
        .get("userData")
        .cloned()
        .ok_or_else(|| ChatError::remote(0, "No userData came from transport"))
}
