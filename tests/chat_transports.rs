//! Browser tests of the transports other than the default WebSocket: Bayeux long-polling
//! (`disableWebSockets: true`) and the GMS REST transport (`chat.transports.rest(…)`) against
//! a real hotline-server, and a custom transport object written in JS (GWE's transport
//! contract) that the test drives by hand.
//!
//! Needs `HOTLINE_TEST_SERVER` at build time (see `browser_support`); `npm test` sets it.

#![cfg(target_arch = "wasm32")]

mod browser_support;

use browser_support::*;
use hotline::js::Chat;
use js_sys::Reflect;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
// A transport with GWE's contract (genesys-chat.md §5). Every call is logged in `log` as
// [method, argument]; `push(kind, event)` sends a raw event to the session the way a real
// transport would, and keeps it in `transcript` (what getTranscript answers, 0-based).
export function customTransport(behaviour) {
  const log = [];
  const handlers = {};
  const ok = (value) => Promise.resolve(value);
  const t = {
    log, handlers, transcript: [], userData: {}, leaveDelta: undefined,
    init() { log.push(['init']); return behaviour.failInit ? Promise.reject({ error: { code: 100, description: 'init failed' } }) : ok(); },
    startSession(p) {
      log.push(['startSession', p]);
      if (behaviour.failStart) {
        // A jQuery-style promise that fails.
        return { done() { return this; }, fail(cb) { cb({ error: { code: 101, description: 'no login for you' } }); return this; } };
      }
      return ok({ sessionId: behaviour.sessionId });
    },
    sendMessage(p) {
      log.push(['sendMessage', p]);
      // A jQuery-style promise that succeeds.
      return { done(cb) { cb(); return this; }, fail() { return this; } };
    },
    getTranscript(p) { log.push(['getTranscript', p]); return ok({ transcript: t.transcript.slice(p.fromIndex) }); },
    sendTyping(p) { log.push(['sendTyping', p]); return ok(); },
    leaveSession(p) { log.push(['leaveSession', p]); return ok(t.leaveDelta ? { transcript: t.leaveDelta } : {}); },
    setUserData(p) { log.push(['setUserData', p]); Object.assign(t.userData, p.userData); return ok(); },
    getUserData(p) {
      log.push(['getUserData', p]);
      const found = {};
      for (const k of p.keys) if (k in t.userData) found[k] = t.userData[k];
      return ok({ userData: found });
    },
    deleteUserData(p) { log.push(['deleteUserData', p]); for (const k of p.keys) delete t.userData[k]; return ok(); },
    push(kind, event, keep = true) {
      if (keep) t.transcript.push(Object.assign({ type: kind }, event));
      handlers[kind](event);
    },
  };
  for (const kind of ['AgentConnected', 'AgentDisconnected', 'AgentTyping', 'MessageReceived', 'SessionEnded', 'Error']) {
    t['on' + kind] = function (callback) { log.push(['on' + kind]); handlers[kind] = callback; };
  }
  return t;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = customTransport)]
    fn custom_transport(behaviour: &JsValue) -> JsValue;
}

fn transport(session_id: &str) -> JsValue {
    custom_transport(&obj(&[("sessionId", session_id.into())]))
}

/// The calls the transport got, as `[method, argument]` JSON texts, without the `on…`
/// registrations.
fn calls(transport: &JsValue) -> Vec<String> {
    items(&get(transport, "log"))
        .iter()
        .filter(|c| !get_str(c, "0").unwrap().starts_with("on"))
        .map(json)
        .collect()
}

fn push(transport: &JsValue, kind: &str, event: &str) {
    call(transport, "push", &[kind.into(), parse(event)]).unwrap();
}

const AGENT_PARTY: &str = r#"{"id":"a7","name":"Bob","type":"Agent"}"#;

// ---- long-polling --------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn long_polling_exchange_and_restore() {
    server();
    clear_saved_state();
    let sockets_before = websockets_opened();
    let options = options(&[
        ("disableWebSockets", JsValue::TRUE),
        ("maxOfflineDuration", 60.into()),
    ]);
    let before = talk_then_unload(&options).await;
    let (page, events) = restore_and_check(&options, &before).await;

    before.agent.typing(&before.chat_id, true).await;
    events
        .typing
        .wait_for("the agent typing", |p| {
            get_bool(p, "isTyping") == Some(true)
        })
        .await;
    page.run("sendTyping", &[obj(&[("isTyping", JsValue::TRUE)])])
        .await;
    before
        .agent
        .wait_transcript(&before.chat_id, "the customer typing", |e| {
            get_str(e, "type").as_deref() == Some("TypingStarted")
                && get_str(e, "from.type").as_deref() == Some("Client")
        })
        .await;
    before.agent.end(&before.chat_id).await;
    let ended = events.ended.wait_for("onSessionEnded", |_| true).await;
    assert_eq!(
        json(&ended),
        r#"{"reason":{"agent":true},"restored":false}"#
    );
    wait_until("the state cookie to be cleared", || {
        cookie(STATE_COOKIE).is_none()
    })
    .await;
    assert_eq!(
        websockets_opened(),
        sockets_before,
        "disableWebSockets: no WebSocket may be opened"
    );
}

// ---- GMS REST ------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn rest_transport_exchange_and_restore() {
    server();
    clear_saved_state();
    let sockets_before = websockets_opened();
    let rest = Chat::transports()
        .rest(obj(&[
            ("serverUrl", server().into()),
            ("service", "customer-support".into()),
        ]))
        .expect("chat.transports.rest");
    assert!(rest.is_object());
    // The descriptor carries the server URL: no serverUrl option is needed.
    let options = obj(&[
        ("transport", rest),
        ("storage", "localStorage".into()),
        ("maxOfflineDuration", 60.into()),
        ("username", "Rita".into()),
    ]);
    let before = talk_then_unload(&options).await;
    let saved = local_item(STATE_KEY).expect("saved state");
    assert!(saved.contains("tr=rest"), "{saved}");
    let conversation = before.agent.conversation(&before.chat_id).await;
    assert_eq!(get_str(&conversation, "nickname").as_deref(), Some("Rita"));

    let (page, events) = restore_and_check(&options, &before).await;
    before.agent.typing(&before.chat_id, true).await;
    let typing = events
        .typing
        .wait_for("the agent typing", |p| {
            get_bool(p, "isTyping") == Some(true)
        })
        .await;
    assert_eq!(get_str(&typing, "party.type").as_deref(), Some("Agent"));
    page.run("sendTyping", &[obj(&[("isTyping", JsValue::TRUE)])])
        .await;
    before
        .agent
        .wait_transcript(&before.chat_id, "the customer typing", |e| {
            get_str(e, "type").as_deref() == Some("TypingStarted")
                && get_str(e, "from.type").as_deref() == Some("Client")
        })
        .await;
    let transcript = page
        .run("getTranscript", &[obj(&[("fromIndex", 2.into())])])
        .await;
    let transcript = items(&get(&transcript, "transcript"));
    assert_eq!(get_f64(&transcript[0], "index"), Some(3.0));
    assert_eq!(
        get_str(&transcript[0], "content.text").as_deref(),
        Some("before 1")
    );

    page.run("leave", &[]).await;
    let ended = events.ended.wait_for("onSessionEnded", |_| true).await;
    assert_eq!(
        json(&ended),
        r#"{"reason":{"leaveRequest":true},"restored":false}"#
    );
    assert_eq!(local_item(STATE_KEY), None);
    before
        .agent
        .wait_transcript(&before.chat_id, "the customer leaving", |e| {
            get_str(e, "type").as_deref() == Some("ParticipantLeft")
                && get_str(e, "from.type").as_deref() == Some("Client")
        })
        .await;
    assert_eq!(
        websockets_opened(),
        sockets_before,
        "REST opens no WebSocket"
    );
}

#[wasm_bindgen_test]
async fn rest_transport_needs_a_server_url() {
    server();
    let error = Chat::transports().rest(obj(&[])).unwrap_err();
    assert_type_error_naming(&error, "serverUrl");
}

// ---- a custom transport --------------------------------------------------------------------

#[wasm_bindgen_test]
async fn a_custom_transport_gets_the_commands_and_its_events_reach_the_callbacks() {
    server();
    let t = transport("custom-1");
    let storage = memory_state_storage();
    let page = start(&obj(&[
        ("transport", t.clone()),
        ("stateStorage", storage.clone()),
        ("username", "Eve".into()),
        ("subject", "Billing".into()),
        ("userData", obj(&[("plan", "gold".into())])),
    ]))
    .await;
    assert_eq!(page.id(), "custom-1");
    assert_eq!(
        get_str(&get(&storage, "state"), "sessionId").as_deref(),
        Some("custom-1")
    );
    // Registered for every event, then init() and startSession().
    let registrations: Vec<String> = items(&get(&t, "log"))
        .iter()
        .filter_map(|c| get_str(c, "0"))
        .filter(|m| m.starts_with("on"))
        .collect();
    assert_eq!(registrations.len(), 6, "{registrations:?}");
    let log = calls(&t);
    assert_eq!(log[0], r#"["init"]"#);
    let started = &items(&get(&t, "log"))
        .into_iter()
        .find(|c| get_str(c, "0").as_deref() == Some("startSession"))
        .unwrap();
    let parameters = get(started, "1");
    assert_eq!(get_str(&parameters, "username").as_deref(), Some("Eve"));
    assert_eq!(get_str(&parameters, "subject").as_deref(), Some("Billing"));
    assert_eq!(get_str(&parameters, "source").as_deref(), Some("web"));
    assert_eq!(
        get_str(&parameters, "userData.plan").as_deref(),
        Some("gold")
    );
    assert_eq!(log.len(), 2, "{log:?}");

    let events = page.record();
    // Raw events become the GWE payloads.
    push(
        &t,
        "AgentConnected",
        r#"{"index":1,"timestamp":1000,"party":{"id":"c1","name":"Eve","type":"Client"}}"#,
    );
    push(
        &t,
        "AgentConnected",
        &format!(r#"{{"index":2,"timestamp":1500,"party":{AGENT_PARTY}}}"#),
    );
    assert_eq!(
        events.connected.all().iter().map(json).collect::<Vec<_>>(),
        [
            r#"{"party":{"id":"c1","name":"Eve","type":"Client"},"index":1,"timestamp":1000,"restored":false}"#.to_owned(),
            format!(r#"{{"party":{AGENT_PARTY},"index":2,"timestamp":1500,"restored":false}}"#),
        ]
    );
    push(
        &t,
        "MessageReceived",
        &format!(
            r#"{{"index":3,"timestamp":2000,"party":{AGENT_PARTY},"content":{{"text":"Hi Eve","type":"text"}}}}"#
        ),
    );
    assert_eq!(
        json(&events.messages.last()),
        r#"{"content":{"text":"Hi Eve","type":"text"},"timestamp":2000,"index":3,"restored":false,"party":{"id":"a7","name":"Bob","type":{"agent":true}}}"#
    );
    // The same index again is not delivered twice.
    push(
        &t,
        "MessageReceived",
        &format!(
            r#"{{"index":3,"timestamp":2000,"party":{AGENT_PARTY},"content":{{"text":"Hi Eve","type":"text"}}}}"#
        ),
    );
    assert_eq!(events.messages.len(), 1);
    call(
        &t,
        "push",
        &[
            "AgentTyping".into(),
            parse(&format!(
                r#"{{"index":4,"party":{AGENT_PARTY},"isTyping":true}}"#
            )),
            JsValue::FALSE,
        ],
    )
    .unwrap();
    assert_eq!(
        json(&events.typing.last()),
        format!(r#"{{"party":{AGENT_PARTY},"isTyping":true,"index":4}}"#)
    );
    // A malformed event is reported through onError, code 0.
    call(
        &t,
        "push",
        &[
            "MessageReceived".into(),
            parse(r#"{"index":"five","content":{"text":"x"}}"#),
            JsValue::FALSE,
        ],
    )
    .unwrap();
    assert_eq!(
        json(&events.errors.last()),
        r#"{"error":{"code":0,"description":"Transport error in MessageReceived event (index must be a whole number, 0 or more)"},"restored":false}"#
    );
    // The transport's own errors come through with their code.
    call(
        &t,
        "push",
        &[
            "Error".into(),
            parse(r#"{"error":{"code":100,"description":"Chat Server is not available"}}"#),
            JsValue::FALSE,
        ],
    )
    .unwrap();
    assert_eq!(get_f64(&events.errors.last(), "error.code"), Some(100.0));
    assert_eq!(events.errors.len(), 2);

    // Commands reach the transport with the session id.
    page.run("sendMessage", &["hello".into()]).await;
    page.run(
        "sendMessage",
        &[obj(&[
            ("message", "https://example.com".into()),
            ("type", "url".into()),
        ])],
    )
    .await;
    page.run(
        "sendTyping",
        &[obj(&[
            ("isTyping", JsValue::TRUE),
            ("typedText", "he".into()),
        ])],
    )
    .await;
    page.run("sendTyping", &[obj(&[("isTyping", JsValue::FALSE)])])
        .await;
    let transcript = page
        .run("getTranscript", &[obj(&[("fromIndex", 1.into())])])
        .await;
    page.run("setUserData", &[obj(&[("seats", 3.into())])])
        .await;
    let read = page.run("getUserData", &["seats".into()]).await;
    assert_eq!(json(&read), r#"{"userData":{"seats":3}}"#);
    page.run("deleteUserData", &["seats".into()]).await;
    let read = page.run("getUserData", &["seats".into()]).await;
    assert_eq!(json(&read), r#"{"userData":{}}"#);
    assert_eq!(
        calls(&t)[2..],
        [
            r#"["sendMessage",{"sessionId":"custom-1","message":"hello","type":"text"}]"#,
            r#"["sendMessage",{"sessionId":"custom-1","message":"https://example.com","type":"url"}]"#,
            r#"["sendTyping",{"sessionId":"custom-1","isTyping":true,"typedText":"he"}]"#,
            r#"["sendTyping",{"sessionId":"custom-1","isTyping":false}]"#,
            r#"["getTranscript",{"sessionId":"custom-1","fromIndex":1}]"#,
            r#"["setUserData",{"sessionId":"custom-1","userData":{"seats":3}}]"#,
            r#"["getUserData",{"sessionId":"custom-1","keys":["seats"]}]"#,
            r#"["deleteUserData",{"sessionId":"custom-1","keys":["seats"]}]"#,
            r#"["getUserData",{"sessionId":"custom-1","keys":["seats"]}]"#,
        ]
    );
    // getTranscript resolves with {transcript} from the 0-based position, as raw events.
    let raw = items(&get(&transcript, "transcript"));
    let kinds: Vec<String> = raw.iter().map(|e| get_str(e, "type").unwrap()).collect();
    assert_eq!(
        kinds,
        ["AgentConnected", "MessageReceived", "MessageReceived"]
    );
    assert_eq!(
        json(&raw[1]),
        format!(
            r#"{{"type":"MessageReceived","index":3,"timestamp":2000,"party":{AGENT_PARTY},"content":{{"text":"Hi Eve","type":"text"}}}}"#
        )
    );

    // The transport ends the session (reason 2: the agent).
    push(&t, "SessionEnded", r#"{"reason":{"id":2}}"#);
    assert_eq!(
        json(&events.ended.last()),
        r#"{"reason":{"agent":true},"restored":false}"#
    );
    assert!(get(&storage, "state").is_null(), "write(null) at the end");
    let after = call(&page.session, "sendMessage", &["still there?".into()]).unwrap_err();
    assert_type_error(&after, "Genesys Chat: session has ended");
    // Events pushed after the end are ignored.
    push(
        &t,
        "MessageReceived",
        &format!(
            r#"{{"index":9,"party":{AGENT_PARTY},"content":{{"text":"late","type":"text"}}}}"#
        ),
    );
    assert_eq!(events.messages.len(), 1);
    assert_eq!(events.ended.len(), 1);
}

#[wasm_bindgen_test]
async fn a_custom_transport_session_restores_and_leaves() {
    server();
    let storage = memory_state_storage();
    let first = transport("custom-2");
    let options = |t: &JsValue| {
        obj(&[
            ("transport", t.clone()),
            ("stateStorage", storage.clone()),
            ("maxOfflineDuration", 60.into()),
        ])
    };
    let page = start(&options(&first)).await;
    push(
        &first,
        "AgentConnected",
        &format!(r#"{{"index":1,"timestamp":1000,"party":{AGENT_PARTY}}}"#),
    );
    push(
        &first,
        "MessageReceived",
        &format!(
            r#"{{"index":2,"timestamp":2000,"party":{AGENT_PARTY},"content":{{"text":"before","type":"text"}}}}"#
        ),
    );
    assert_eq!(get_f64(&get(&storage, "state"), "lastIndex"), Some(2.0));
    page.unload();

    // The saved chat used a custom transport: restoring needs it again.
    let without = restore_session(&obj(&[("stateStorage", storage.clone())])).unwrap_err();
    assert_type_error_naming(&without, "transport");

    // The new page's transport knows the transcript (as a server would).
    let second = transport("unused");
    js_sys::Reflect::set(&second, &"transcript".into(), &get(&first, "transcript")).unwrap();
    let page = restore(&options(&second)).await;
    assert_eq!(page.id(), "custom-2");
    assert_eq!(
        calls(&second),
        [
            r#"["init"]"#,
            r#"["getTranscript",{"sessionId":"custom-2","fromIndex":0}]"#
        ]
    );
    let events = page.record();
    assert_eq!(events.messages.texts(), ["before"]);
    assert_eq!(events.messages.restored_flags(), [true]);
    assert_eq!(events.connected.restored_flags(), [true]);
    push(
        &second,
        "MessageReceived",
        &format!(
            r#"{{"index":3,"timestamp":3000,"party":{AGENT_PARTY},"content":{{"text":"after","type":"text"}}}}"#
        ),
    );
    assert_eq!(events.messages.texts(), ["before", "after"]);
    assert_eq!(events.messages.restored_flags(), [true, false]);

    // leave(): leaveSession with the session id; its transcript delta is delivered before
    // the end, which the session reports itself.
    js_sys::Reflect::set(
        &second,
        &"leaveDelta".into(),
        &parse(&format!(
            r#"[{{"type":"MessageReceived","index":4,"timestamp":4000,"party":{AGENT_PARTY},"content":{{"text":"bye","type":"text"}}}},
                {{"type":"AgentDisconnected","index":5,"timestamp":4001,"party":{AGENT_PARTY}}}]"#
        )),
    )
    .unwrap();
    page.run("leave", &[]).await;
    assert_eq!(
        calls(&second)[2..],
        [r#"["leaveSession",{"sessionId":"custom-2"}]"#]
    );
    assert_eq!(events.messages.texts(), ["before", "after", "bye"]);
    assert_eq!(events.disconnected.indices(), [5]);
    assert_eq!(
        json(&events.ended.last()),
        r#"{"reason":{"leaveRequest":true},"restored":false}"#
    );
    assert!(get(&storage, "state").is_null());
    let calls_log = items(&get(&storage, "calls"));
    let last = calls_log.last().unwrap();
    assert_eq!(json(last), r#"["write",null]"#);
}

#[wasm_bindgen_test]
async fn a_failing_custom_transport_rejects_start_with_its_error() {
    server();
    let failing_start = custom_transport(&obj(&[
        ("sessionId", "x".into()),
        ("failStart", JsValue::TRUE),
    ]));
    let promise = start_session(&obj(&[("transport", failing_start)])).unwrap();
    let fail = Recorder::new();
    call(&promise, "fail", &[fail.callback()]).unwrap();
    let error = settle(&promise).await.unwrap_err();
    assert_chat_error(&error, 101);
    assert_eq!(
        get_str(&error, "error.description").as_deref(),
        Some("no login for you")
    );
    fail.wait_count("the fail callback", 1).await;

    let failing_init = custom_transport(&obj(&[
        ("sessionId", "y".into()),
        ("failInit", JsValue::TRUE),
    ]));
    let error = settle(&start_session(&obj(&[("transport", failing_init.clone())])).unwrap())
        .await
        .unwrap_err();
    assert_chat_error(&error, 100);
    assert_eq!(
        calls(&failing_init),
        [r#"["init"]"#],
        "no startSession after a failed init"
    );
}

#[wasm_bindgen_test]
async fn a_custom_transport_without_a_method_or_with_one_that_throws_rejects_the_command() {
    server();
    let transport = transport("partial");
    // No getUserData at all; a sendCustomNotice that throws; no init (it is optional).
    Reflect::delete_property(
        transport.unchecked_ref::<js_sys::Object>(),
        &"getUserData".into(),
    )
    .unwrap();
    Reflect::delete_property(transport.unchecked_ref::<js_sys::Object>(), &"init".into()).unwrap();
    let throwing = js_function("", "throw new RangeError('boom');");
    Reflect::set(&transport, &"sendCustomNotice".into(), &throwing).unwrap();
    let page = start(&obj(&[
        ("transport", transport.clone()),
        ("stateStorage", memory_state_storage()),
    ]))
    .await;
    assert_eq!(page.id(), "partial", "started without init()");

    let error = settle(&page.command("getUserData", &["k".into()]).unwrap())
        .await
        .unwrap_err();
    assert_chat_error(&error, 1);
    assert_eq!(
        get_str(&error, "description").as_deref(),
        Some("the transport has no getUserData()")
    );

    let error = settle(&page.command("sendCustomNotice", &["n".into()]).unwrap())
        .await
        .unwrap_err();
    assert_chat_error(&error, 0);
    assert_eq!(
        get_str(&error, "description").as_deref(),
        Some("transport.sendCustomNotice() threw: RangeError: boom")
    );
}
