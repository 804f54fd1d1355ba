//! Shared helpers of the chat browser tests (`tests/chat_*.rs`): the test server's URL, the
//! page-side view of the SDK (calling the exported `chat` API and `Session` methods the way a
//! page does, through JS), callbacks that record what they get, and an agent client for
//! hotline-server's agent REST API.
//!
//! The server URL is baked in at compile time from `HOTLINE_TEST_SERVER`; `npm test`
//! (scripts/test) starts a server and sets it. Without it every test fails, saying so.

// Each test file uses its own subset of these helpers.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use hotline::js::Chat;
use js_sys::{Array, Function, Object, Promise, Reflect, JSON};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlDocument, Request, RequestInit, Response};

/// The agent accounts the test server is started with (`--agent name:password`).
pub const AGENT1: (&str, &str) = ("agent1", "secret1");
pub const AGENT2: (&str, &str) = ("agent2", "secret2");

/// The default cookie and `localStorage` key of the SDK's state storage.
pub const STATE_COOKIE: &str = "gcState";
pub const STATE_KEY: &str = "hotline.chat.state";

/// How long a test waits for something the server or the SDK should do.
pub const PATIENCE_MS: f64 = 15_000.0;

/// The hotline-server the tests talk to, e.g. `http://127.0.0.1:8080`.
///
/// Panics (failing the test) when the tests were built without `HOTLINE_TEST_SERVER`.
pub fn server() -> &'static str {
    match option_env!("HOTLINE_TEST_SERVER").map(str::trim) {
        Some(url) if !url.is_empty() => url.trim_end_matches('/'),
        _ => panic!(
            "HOTLINE_TEST_SERVER is not set: start hotline-server and set HOTLINE_TEST_SERVER \
             (e.g. http://127.0.0.1:8080) when building these tests; `npm test` does this"
        ),
    }
}

// ---- JS values -----------------------------------------------------------------------------

/// A JS value from JSON text.
pub fn parse(text: &str) -> JsValue {
    JSON::parse(text).unwrap_or_else(|e| panic!("bad JSON in a test: {text}: {e:?}"))
}

/// `JSON.stringify(value)` (`"undefined"` for undefined).
pub fn json(value: &JsValue) -> String {
    if value.is_undefined() {
        return "undefined".into();
    }
    JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}

/// A plain object with these members.
pub fn obj(members: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in members {
        Reflect::set(&object, &JsValue::from_str(key), value).unwrap();
    }
    object.into()
}

/// `value.a.b.c` for the path `"a.b.c"` (undefined when a step is missing).
pub fn get(value: &JsValue, path: &str) -> JsValue {
    let mut current = value.clone();
    for key in path.split('.') {
        if !current.is_object() && !current.is_function() {
            return JsValue::UNDEFINED;
        }
        current = Reflect::get(&current, &JsValue::from_str(key)).unwrap();
    }
    current
}

pub fn get_str(value: &JsValue, path: &str) -> Option<String> {
    get(value, path).as_string()
}

pub fn get_f64(value: &JsValue, path: &str) -> Option<f64> {
    get(value, path).as_f64()
}

pub fn get_bool(value: &JsValue, path: &str) -> Option<bool> {
    get(value, path).as_bool()
}

/// The members of a JS array.
pub fn items(array: &JsValue) -> Vec<JsValue> {
    assert!(Array::is_array(array), "not an array: {}", json(array));
    array.unchecked_ref::<Array>().iter().collect()
}

/// A function from JS source (`new Function(args, body)`).
pub fn js_function(args: &str, body: &str) -> Function {
    Function::new_with_args(args, body)
}

/// Calls `target[method](...args)`; `Err` is what it threw.
pub fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let function: Function = Reflect::get(target, &JsValue::from_str(method))
        .unwrap()
        .dyn_into()
        .unwrap_or_else(|_| panic!("{method} is not a function on {}", json(target)));
    let list: Array = args.iter().collect();
    function.apply(target, &list)
}

/// Waits for a promise (or any thenable); `Err` is the rejection.
pub async fn settle(promise: &JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(Promise::resolve(promise)).await
}

/// A readable text for an error value: `name: message` plus `code`/`description` if any.
pub fn describe(error: &JsValue) -> String {
    let name = get_str(error, "name").unwrap_or_default();
    let message = get_str(error, "message").unwrap_or_default();
    format!("{name}: {message} {}", json(error))
}

pub async fn sleep(ms: f64) {
    let promise = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Polls `ready` every 50 ms until it is true; fails the test after `PATIENCE_MS`.
pub async fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let started = js_sys::Date::now();
    while !ready() {
        if js_sys::Date::now() - started > PATIENCE_MS {
            panic!("timed out after {PATIENCE_MS} ms waiting for {what}");
        }
        sleep(50.0).await;
    }
}

/// Asserts that `error` is a `TypeError` whose message is `expected`.
pub fn assert_type_error(error: &JsValue, expected: &str) {
    assert!(
        error.is_instance_of::<js_sys::TypeError>(),
        "expected a TypeError, got {}",
        describe(error)
    );
    assert_eq!(get_str(error, "message").as_deref(), Some(expected));
}

/// Asserts that `error` is a `TypeError` whose message starts with `Genesys Chat: ` and
/// contains `part`.
pub fn assert_type_error_naming(error: &JsValue, part: &str) {
    assert!(
        error.is_instance_of::<js_sys::TypeError>(),
        "expected a TypeError naming {part}, got {}",
        describe(error)
    );
    let message = get_str(error, "message").unwrap_or_default();
    assert!(
        message.starts_with("Genesys Chat: ") && message.contains(part),
        "the TypeError should name {part}: {message}"
    );
}

/// Asserts the GWE failure shape: `code`, and `error: {code, description}`.
pub fn assert_chat_error(error: &JsValue, code: u32) {
    assert_eq!(
        get_f64(error, "error.code"),
        Some(f64::from(code)),
        "{}",
        describe(error)
    );
    assert_eq!(get_f64(error, "code"), Some(f64::from(code)));
    let description = get_str(error, "error.description").unwrap_or_default();
    assert!(!description.is_empty(), "{}", describe(error));
    assert_eq!(get_str(error, "description"), Some(description));
}

// ---- the page's storage --------------------------------------------------------------------

fn document() -> HtmlDocument {
    web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .unchecked_into()
}

/// The value of a cookie of this page, if set.
pub fn cookie(name: &str) -> Option<String> {
    let jar = document().cookie().unwrap();
    jar.split("; ").find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| value.to_owned())
    })
}

pub fn clear_cookie(name: &str) {
    document()
        .set_cookie(&format!("{name}=; Path=/; Max-Age=0"))
        .unwrap();
}

fn local_storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

pub fn local_item(key: &str) -> Option<String> {
    local_storage().get_item(key).unwrap()
}

pub fn clear_local_item(key: &str) {
    local_storage().remove_item(key).unwrap();
}

/// Forgets the default storages' state (cookie and `localStorage`), left by earlier tests.
pub fn clear_saved_state() {
    clear_cookie(STATE_COOKIE);
    clear_local_item(STATE_KEY);
}

/// A `stateStorage` object kept in JS: `read()` returns the last state written, `write(s)`
/// keeps it; every call is logged in `calls` as `['read'|'write', argument]`.
pub fn memory_state_storage() -> JsValue {
    js_function(
        "",
        "const storage = { state: null, calls: [],
           read() { this.calls.push(['read']); return this.state; },
           write(state) { this.calls.push(['write', state]); this.state = state; } };
         return storage;",
    )
    .call0(&JsValue::NULL)
    .unwrap()
}

// ---- recording callbacks -------------------------------------------------------------------

/// A JS callback that records every payload it is called with.
#[derive(Clone)]
pub struct Recorder {
    seen: Rc<RefCell<Vec<JsValue>>>,
    callback: JsValue,
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorder {
    pub fn new() -> Self {
        let seen: Rc<RefCell<Vec<JsValue>>> = Rc::default();
        let sink = seen.clone();
        let callback = Closure::wrap(Box::new(move |payload: JsValue| {
            sink.borrow_mut().push(payload);
        }) as Box<dyn FnMut(JsValue)>)
        .into_js_value();
        Self { seen, callback }
    }

    pub fn callback(&self) -> JsValue {
        self.callback.clone()
    }

    pub fn len(&self) -> usize {
        self.seen.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn all(&self) -> Vec<JsValue> {
        self.seen.borrow().clone()
    }

    pub fn last(&self) -> JsValue {
        self.seen
            .borrow()
            .last()
            .cloned()
            .expect("nothing recorded")
    }

    /// `content.text` of each recorded payload.
    pub fn texts(&self) -> Vec<String> {
        self.all()
            .iter()
            .map(|p| get_str(p, "content.text").unwrap_or_default())
            .collect()
    }

    /// `index` of each recorded payload.
    pub fn indices(&self) -> Vec<u64> {
        self.all()
            .iter()
            .map(|p| get_f64(p, "index").expect("payload without index") as u64)
            .collect()
    }

    /// `restored` of each recorded payload.
    pub fn restored_flags(&self) -> Vec<bool> {
        self.all()
            .iter()
            .map(|p| get_bool(p, "restored").expect("payload without restored"))
            .collect()
    }

    /// Waits until a recorded payload satisfies `matches` and returns it.
    pub async fn wait_for(&self, what: &str, matches: impl Fn(&JsValue) -> bool) -> JsValue {
        let found = RefCell::new(None);
        wait_until(what, || {
            *found.borrow_mut() = self.seen.borrow().iter().find(|p| matches(p)).cloned();
            found.borrow().is_some()
        })
        .await;
        found.into_inner().unwrap()
    }

    /// Waits for a payload whose `content.text` is `text`.
    pub async fn wait_text(&self, text: &str) -> JsValue {
        self.wait_for(&format!("a message {text:?}"), |p| {
            get_str(p, "content.text").as_deref() == Some(text)
        })
        .await
    }

    /// Waits until at least `count` payloads were recorded.
    pub async fn wait_count(&self, what: &str, count: usize) {
        wait_until(&format!("{count} × {what}"), || self.len() >= count).await;
    }
}

// ---- the SDK, as a page uses it ------------------------------------------------------------

/// A `Session` object as the page holds it (the JS wrapper).
#[derive(Clone)]
pub struct Page {
    pub session: JsValue,
}

/// The callbacks of one session, registered on every event.
pub struct Events {
    pub connected: Recorder,
    pub disconnected: Recorder,
    pub typing: Recorder,
    pub messages: Recorder,
    pub ended: Recorder,
    pub errors: Recorder,
}

impl Page {
    /// `session.sessionId`.
    pub fn id(&self) -> String {
        get_str(&self.session, "sessionId").expect("session.sessionId")
    }

    /// `session.on<event>(recorder)`; returns the unsubscribe function.
    pub fn on(&self, event: &str, recorder: &Recorder) -> Function {
        call(&self.session, &format!("on{event}"), &[recorder.callback()])
            .unwrap_or_else(|e| panic!("on{event} threw {}", describe(&e)))
            .dyn_into()
            .expect("on… returns a function")
    }

    /// Registers a recorder for every GWE event.
    pub fn record(&self) -> Events {
        let events = Events {
            connected: Recorder::new(),
            disconnected: Recorder::new(),
            typing: Recorder::new(),
            messages: Recorder::new(),
            ended: Recorder::new(),
            errors: Recorder::new(),
        };
        self.on("AgentConnected", &events.connected);
        self.on("AgentDisconnected", &events.disconnected);
        self.on("AgentTyping", &events.typing);
        self.on("MessageReceived", &events.messages);
        self.on("SessionEnded", &events.ended);
        self.on("Error", &events.errors);
        events
    }

    /// Calls a command; `Err` is what it threw synchronously. Checks the returned promise
    /// has `done`/`fail`.
    pub fn command(&self, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
        let promise = call(&self.session, name, args)?;
        assert!(
            get(&promise, "done").is_function() && get(&promise, "fail").is_function(),
            "{name}() must return a promise with done/fail"
        );
        Ok(promise)
    }

    /// Calls a command and waits for it; panics if it throws or rejects.
    pub async fn run(&self, name: &str, args: &[JsValue]) -> JsValue {
        let promise = self
            .command(name, args)
            .unwrap_or_else(|e| panic!("{name}() threw {}", describe(&e)));
        settle(&promise)
            .await
            .unwrap_or_else(|e| panic!("{name}() failed: {}", describe(&e)))
    }

    /// Simulates the page going away: the session object is freed (as a reload would), which
    /// stops its transport, timers and state saving.
    pub fn unload(self) {
        call(&self.session, "free", &[]).expect("session.free()");
    }
}

/// `chat.startSession(options)`; `Err` is what it threw synchronously. Checks `done`/`fail`.
pub fn start_session(options: &JsValue) -> Result<JsValue, JsValue> {
    let promise: JsValue = Chat::start_session(options.clone())?.into();
    assert!(
        get(&promise, "done").is_function() && get(&promise, "fail").is_function(),
        "startSession must return a promise with done/fail"
    );
    Ok(promise)
}

/// `chat.restoreSession(options)`; `Err` is what it threw synchronously.
pub fn restore_session(options: &JsValue) -> Result<JsValue, JsValue> {
    let promise: JsValue = Chat::restore_session(options.clone())?.into();
    assert!(
        get(&promise, "done").is_function() && get(&promise, "fail").is_function(),
        "restoreSession must return a promise with done/fail"
    );
    Ok(promise)
}

/// Starts a session and waits for it; panics if that fails.
pub async fn start(options: &JsValue) -> Page {
    let promise =
        start_session(options).unwrap_or_else(|e| panic!("startSession threw {}", describe(&e)));
    let session = settle(&promise)
        .await
        .unwrap_or_else(|e| panic!("startSession failed: {}", describe(&e)));
    Page { session }
}

/// Restores a session and waits for it; panics if that fails.
pub async fn restore(options: &JsValue) -> Page {
    let promise = restore_session(options)
        .unwrap_or_else(|e| panic!("restoreSession threw {}", describe(&e)));
    let session = settle(&promise)
        .await
        .unwrap_or_else(|e| panic!("restoreSession failed: {}", describe(&e)));
    Page { session }
}

/// Options with the test server's URL and these other members.
pub fn options(members: &[(&str, JsValue)]) -> JsValue {
    let options = obj(members);
    Reflect::set(&options, &"serverUrl".into(), &server().into()).unwrap();
    options
}

// ---- WebSocket spy -------------------------------------------------------------------------

/// Counts the WebSockets the page opens to the test server (wraps `window.WebSocket` once).
pub fn websockets_opened() -> u32 {
    let count = js_function(
        "server",
        "if (!globalThis.__hotlineSockets) {
           const Original = globalThis.WebSocket;
           const opened = [];
           const Spy = function (url, protocols) {
             opened.push(String(url));
             return protocols === undefined ? new Original(url) : new Original(url, protocols);
           };
           Spy.prototype = Original.prototype;
           for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Spy[k] = Original[k];
           globalThis.WebSocket = Spy;
           globalThis.__hotlineSockets = opened;
         }
         const host = new URL(server).host;
         return globalThis.__hotlineSockets.filter((u) => new URL(u).host === host).length;",
    )
    .call1(&JsValue::NULL, &server().into())
    .unwrap();
    count.as_f64().unwrap() as u32
}

// ---- the agent side ------------------------------------------------------------------------

/// An agent signed in to the test server's agent API.
pub struct Agent {
    token: String,
    /// The agent's display name (`party.name` of its events).
    pub name: String,
}

/// A failed agent API call.
#[derive(Debug)]
pub struct ApiFailure {
    pub status: u16,
    pub body: String,
}

async fn fetch_json(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&JsValue>,
) -> Result<JsValue, ApiFailure> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        init.set_body(&json(body).into());
    }
    let request = Request::new_with_str_and_init(&format!("{}{path}", server()), &init).unwrap();
    let headers = request.headers();
    headers.set("Accept", "application/json").unwrap();
    if body.is_some() {
        headers.set("Content-Type", "application/json").unwrap();
    }
    if let Some(token) = token {
        headers
            .set("Authorization", &format!("Bearer {token}"))
            .unwrap();
    }
    let response = JsFuture::from(web_sys::window().unwrap().fetch_with_request(&request))
        .await
        .unwrap_or_else(|e| {
            panic!(
                "{method} {path}: no answer from {} ({}): is hotline-server running?",
                server(),
                describe(&e)
            )
        });
    let response: Response = response.dyn_into().unwrap();
    let text = JsFuture::from(response.text().unwrap())
        .await
        .unwrap()
        .as_string()
        .unwrap_or_default();
    if !response.ok() {
        return Err(ApiFailure {
            status: response.status(),
            body: text,
        });
    }
    Ok(if text.is_empty() {
        JsValue::NULL
    } else {
        parse(&text)
    })
}

impl Agent {
    /// `POST /api/v1/agents/login {username, password}`.
    pub async fn login((username, password): (&str, &str)) -> Agent {
        let body = obj(&[("username", username.into()), ("password", password.into())]);
        let reply = fetch_json("POST", "/api/v1/agents/login", None, Some(&body))
            .await
            .unwrap_or_else(|e| panic!("agent login as {username} failed: {e:?}"));
        Agent {
            token: get_str(&reply, "token").expect("login answer has a token"),
            name: get_str(&reply, "name").expect("login answer has a name"),
        }
    }

    pub async fn try_request(
        &self,
        method: &str,
        path: &str,
        body: Option<&JsValue>,
    ) -> Result<JsValue, ApiFailure> {
        fetch_json(method, path, Some(&self.token), body).await
    }

    pub async fn request(&self, method: &str, path: &str, body: Option<&JsValue>) -> JsValue {
        self.try_request(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("agent API {method} {path} failed: {e:?}"))
    }

    fn path(chat_id: &str, action: &str) -> String {
        let id = js_sys::encode_uri_component(chat_id);
        format!("/api/v1/conversations/{id}/{action}")
    }

    /// `GET /api/v1/conversations?scope=…` → the conversations.
    pub async fn list(&self, scope: &str) -> Vec<JsValue> {
        let reply = self
            .request("GET", &format!("/api/v1/conversations?scope={scope}"), None)
            .await;
        items(&get(&reply, "conversations"))
    }

    /// Accepts the chat; it must be in the queue.
    pub async fn accept(&self, chat_id: &str) {
        let queue = self.list("queue").await;
        assert!(
            queue
                .iter()
                .any(|c| get_str(c, "chatId").as_deref() == Some(chat_id)),
            "chat {chat_id} should be in the agents' queue"
        );
        self.request("POST", &Self::path(chat_id, "accept"), None)
            .await;
    }

    /// Sends a message; returns its transcript index.
    pub async fn say(&self, chat_id: &str, text: &str) -> u64 {
        let body = obj(&[("text", text.into())]);
        let reply = self
            .request("POST", &Self::path(chat_id, "messages"), Some(&body))
            .await;
        get_f64(&reply, "index").expect("the message's index") as u64
    }

    pub async fn typing(&self, chat_id: &str, is_typing: bool) {
        let body = obj(&[("isTyping", is_typing.into())]);
        self.request("POST", &Self::path(chat_id, "typing"), Some(&body))
            .await;
    }

    /// Ends the chat for everyone.
    pub async fn end(&self, chat_id: &str) {
        self.request("POST", &Self::path(chat_id, "end"), None)
            .await;
    }

    /// `GET /api/v1/conversations/{chatId}` → the conversation summary.
    pub async fn conversation(&self, chat_id: &str) -> JsValue {
        let id = js_sys::encode_uri_component(chat_id);
        let reply = self
            .request("GET", &format!("/api/v1/conversations/{id}"), None)
            .await;
        get(&reply, "conversation")
    }

    /// The whole transcript, as the agent sees it (GMS events: `type`, `from`, `index`…).
    pub async fn transcript(&self, chat_id: &str) -> Vec<JsValue> {
        let reply = self
            .request(
                "GET",
                &format!("{}?from=1", Self::path(chat_id, "transcript")),
                None,
            )
            .await;
        items(&get(&reply, "messages"))
    }

    /// Waits until the transcript has an event satisfying `matches`, and returns it.
    pub async fn wait_transcript(
        &self,
        chat_id: &str,
        what: &str,
        matches: impl Fn(&JsValue) -> bool,
    ) -> JsValue {
        let started = js_sys::Date::now();
        loop {
            let transcript = self.transcript(chat_id).await;
            if let Some(found) = transcript.iter().find(|e| matches(e)) {
                return found.clone();
            }
            if js_sys::Date::now() - started > PATIENCE_MS {
                let all: Vec<String> = transcript.iter().map(json).collect();
                panic!("the agent never saw {what} in chat {chat_id}: {all:?}");
            }
            sleep(100.0).await;
        }
    }

    /// Waits for a customer message with this text in the transcript.
    pub async fn wait_customer_message(&self, chat_id: &str, text: &str) -> JsValue {
        self.wait_transcript(chat_id, &format!("the customer's message {text:?}"), |e| {
            get_str(e, "type").as_deref() == Some("Message")
                && get_str(e, "from.type").as_deref() == Some("Client")
                && get_str(e, "text").as_deref() == Some(text)
        })
        .await
    }
}

// ---- a reload in the middle of a chat ------------------------------------------------------

/// The part of a chat before the "reload": the customer and the agent talk, and the page
/// has seen it all.
pub struct Before {
    pub chat_id: String,
    pub agent: Agent,
    /// The indices the page saw, by kind.
    pub seen_messages: Vec<u64>,
    pub seen_connected: Vec<u64>,
}

/// Starts a chat with `options`; agent1 accepts and says "before 1", the customer says
/// "customer before"; once the page has seen it all, the page "unloads" (see [`Page::unload`]).
pub async fn talk_then_unload(options: &JsValue) -> Before {
    let page = start(options).await;
    let chat_id = page.id();
    let events = page.record();
    let agent = Agent::login(AGENT1).await;
    agent.accept(&chat_id).await;
    agent.say(&chat_id, "before 1").await;
    page.run("sendMessage", &["customer before".into()]).await;
    events.messages.wait_text("customer before").await;
    events.messages.wait_text("before 1").await;
    events.connected.wait_count("two AgentConnected", 2).await;
    // Let a save on change go through before the page "unloads".
    sleep(100.0).await;
    let before = Before {
        chat_id,
        agent,
        seen_messages: events.messages.indices(),
        seen_connected: events.connected.indices(),
    };
    page.unload();
    before
}

/// Restores with `options` after the agent said two things while the page was away, and
/// checks the replay and the delivery; returns the restored page (still active).
pub async fn restore_and_check(options: &JsValue, before: &Before) -> (Page, Events) {
    let away1 = before.agent.say(&before.chat_id, "away 1").await;
    let away2 = before.agent.say(&before.chat_id, "away 2").await;

    let page = restore(options).await;
    assert_eq!(page.id(), before.chat_id, "the same chat");
    let events = page.record();
    events.messages.wait_text("away 2").await;
    // Give duplicates, if any, a chance to show up.
    sleep(500.0).await;

    // The earlier transcript, once, restored; then what was missed, once, live.
    assert_eq!(
        events.messages.texts(),
        ["before 1", "customer before", "away 1", "away 2"],
        "{:?}",
        events.messages.all().iter().map(json).collect::<Vec<_>>()
    );
    assert_eq!(events.messages.restored_flags(), [true, true, false, false]);
    let indices = events.messages.indices();
    assert_eq!(&indices[..2], before.seen_messages.as_slice());
    assert_eq!(&indices[2..], [away1, away2]);
    assert_eq!(events.connected.indices(), before.seen_connected);
    assert!(events.connected.restored_flags().iter().all(|r| *r));
    let agent_joined = &events.connected.all()[1];
    assert_eq!(
        get_str(agent_joined, "party.type").as_deref(),
        Some("Agent")
    );
    assert_eq!(
        get_str(agent_joined, "party.name"),
        Some(before.agent.name.clone())
    );
    let replayed = events.messages.all();
    assert_eq!(json(&get(&replayed[0], "party.type")), r#"{"agent":true}"#);
    assert_eq!(json(&get(&replayed[1], "party.type")), r#"{"client":true}"#);

    // No index is delivered twice, across kinds.
    let mut all: Vec<u64> = events.messages.indices();
    all.extend(events.connected.indices());
    all.extend(events.disconnected.indices());
    let unique: HashSet<u64> = all.iter().copied().collect();
    assert_eq!(unique.len(), all.len(), "an index came twice: {all:?}");
    assert!(events.errors.is_empty(), "{:?}", events.errors.all());

    // The restored session works both ways.
    page.run("sendMessage", &["after the reload".into()]).await;
    before
        .agent
        .wait_customer_message(&before.chat_id, "after the reload")
        .await;
    before.agent.say(&before.chat_id, "welcome back").await;
    let back = events.messages.wait_text("welcome back").await;
    assert_eq!(get_bool(&back, "restored"), Some(false));
    (page, events)
}
