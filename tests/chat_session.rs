//! Browser tests of a chat session against a real hotline-server, over the default transport
//! (Bayeux on a WebSocket): the page drives `chat.startSession` and the `Session` through
//! their JS API, an agent answers through the server's agent REST API.
//!
//! Needs `HOTLINE_TEST_SERVER` at build time (see `browser_support`); `npm test` sets it.

#![cfg(target_arch = "wasm32")]

mod browser_support;

use browser_support::*;
use js_sys::Object;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// The member names of an object, sorted.
fn keys(value: &JsValue) -> Vec<String> {
    let mut keys: Vec<String> = Object::keys(&Object::from(value.clone()))
        .iter()
        .filter_map(|k| k.as_string())
        .collect();
    keys.sort();
    keys
}

const ENDED: &str = "Genesys Chat: session has ended";

/// Every command throws GWE's TypeError once the session has ended.
fn assert_commands_refused(page: &Page) {
    let attempts: [(&str, Vec<JsValue>); 8] = [
        ("sendMessage", vec!["hello?".into()]),
        ("sendTyping", vec![obj(&[("isTyping", JsValue::TRUE)])]),
        ("getTranscript", vec![obj(&[("fromIndex", 0.into())])]),
        ("leave", vec![]),
        ("setUserData", vec![obj(&[("a", "b".into())])]),
        ("getUserData", vec!["a".into()]),
        ("deleteUserData", vec!["a".into()]),
        ("sendCustomNotice", vec!["n".into()]),
    ];
    for (name, args) in attempts {
        match call(&page.session, name, &args) {
            Ok(value) => panic!(
                "{name}() after the end should throw, returned {}",
                json(&value)
            ),
            Err(error) => assert_type_error(&error, ENDED),
        }
    }
}

#[wasm_bindgen_test]
async fn agent_and_customer_talk_over_a_websocket() {
    server();
    clear_saved_state();
    let sockets_before = websockets_opened();
    let options = options(&[
        ("username", "Ann".into()),
        ("subject", "Order 17".into()),
        ("userData", obj(&[("FirstName", "Ann".into())])),
    ]);

    // startSession's promise: done/fail chain (each returns the same promise), done fires.
    let promise = start_session(&options).unwrap();
    let done = Recorder::new();
    let done_again = Recorder::new();
    let failed = Recorder::new();
    let chained = call(&promise, "done", &[done.callback()]).unwrap();
    assert!(Object::is(&chained, &promise), "done() returns the promise");
    let chained = call(&chained, "fail", &[failed.callback()]).unwrap();
    assert!(Object::is(&chained, &promise), "fail() returns the promise");
    call(&chained, "done", &[done_again.callback()]).unwrap();
    let session = settle(&promise).await.expect("startSession resolves");
    done.wait_count("the done callback", 1).await;
    done_again.wait_count("the second done callback", 1).await;
    assert!(Object::is(&done.last(), &session), "done gets the session");
    assert!(failed.is_empty(), "fail must not fire: {:?}", failed.all());
    let page = Page { session };
    let chat_id = page.id();
    assert!(!chat_id.is_empty());
    let events = page.record();

    // The customer's own join is reported too (memorised: registration came after it).
    let own = events
        .connected
        .wait_for("the customer's own AgentConnected", |p| {
            get_str(p, "party.type").as_deref() == Some("Client")
        })
        .await;
    assert_eq!(get_str(&own, "party.name").as_deref(), Some("Ann"));
    assert_eq!(get_f64(&own, "index"), Some(1.0));
    assert_eq!(get_bool(&own, "restored"), Some(false));

    // What the customer gave reached the server.
    let agent = Agent::login(AGENT1).await;
    let conversation = agent.conversation(&chat_id).await;
    assert_eq!(get_str(&conversation, "nickname").as_deref(), Some("Ann"));
    assert_eq!(
        get_str(&conversation, "subject").as_deref(),
        Some("Order 17")
    );
    assert_eq!(
        get_str(&conversation, "userData.FirstName").as_deref(),
        Some("Ann")
    );
    assert_eq!(
        get_str(&conversation, "userData.source").as_deref(),
        Some("web")
    );

    // The agent accepts: onAgentConnected for the agent.
    agent.accept(&chat_id).await;
    let joined = events
        .connected
        .wait_for("the agent's AgentConnected", |p| {
            get_str(p, "party.type").as_deref() == Some("Agent")
        })
        .await;
    assert_eq!(keys(&joined), ["index", "party", "restored", "timestamp"]);
    assert_eq!(get_str(&joined, "party.name"), Some(agent.name.clone()));
    assert!(get_f64(&joined, "party.id").is_some(), "{}", json(&joined));
    assert!(get_f64(&joined, "index").unwrap() > 1.0);
    assert!(get_f64(&joined, "timestamp").unwrap() > 0.0);
    assert_eq!(get_bool(&joined, "restored"), Some(false));

    // The agent replies: onMessageReceived with the documented payload.
    let before = js_sys::Date::now();
    let index = agent.say(&chat_id, "Hello Ann, how can I help?").await;
    let message = events
        .messages
        .wait_text("Hello Ann, how can I help?")
        .await;
    assert_eq!(
        keys(&message),
        ["content", "index", "party", "restored", "timestamp"]
    );
    assert_eq!(get_str(&message, "content.type").as_deref(), Some("text"));
    assert_eq!(json(&get(&message, "party.type")), r#"{"agent":true}"#);
    assert_eq!(get_str(&message, "party.name"), Some(agent.name.clone()));
    assert_eq!(get_f64(&message, "index"), Some(index as f64));
    let timestamp = get_f64(&message, "timestamp").expect("a numeric timestamp");
    assert!(
        (timestamp - before).abs() < 60_000.0,
        "timestamp {timestamp} should be about now ({before})"
    );
    assert_eq!(get_bool(&message, "restored"), Some(false));

    // The customer answers; the command's promise has done/fail too.
    let sent = page
        .command(
            "sendMessage",
            &[obj(&[
                ("message", "I need help".into()),
                ("type", "text".into()),
            ])],
        )
        .unwrap();
    let acknowledged = Recorder::new();
    let not_failed = Recorder::new();
    let chained = call(&sent, "done", &[acknowledged.callback()]).unwrap();
    assert!(Object::is(&chained, &sent));
    let chained = call(&chained, "fail", &[not_failed.callback()]).unwrap();
    assert!(Object::is(&chained, &sent));
    settle(&sent).await.expect("sendMessage resolves");
    acknowledged.wait_count("sendMessage's done", 1).await;
    assert!(not_failed.is_empty());
    agent.wait_customer_message(&chat_id, "I need help").await;
    // The customer's own message comes back as MessageReceived from the client.
    let echo = events.messages.wait_text("I need help").await;
    assert_eq!(json(&get(&echo, "party.type")), r#"{"client":true}"#);
    assert_eq!(get_str(&echo, "party.name").as_deref(), Some("Ann"));

    // A bare string is a text message; type 'url' is kept.
    page.run("sendMessage", &["plain string".into()]).await;
    agent.wait_customer_message(&chat_id, "plain string").await;
    let url = "https://example.com/orders/17";
    page.run(
        "sendMessage",
        &[obj(&[("message", url.into()), ("type", "url".into())])],
    )
    .await;
    let sent_url = agent.wait_customer_message(&chat_id, url).await;
    assert_eq!(get_str(&sent_url, "messageType").as_deref(), Some("url"));
    let url_event = events.messages.wait_text(url).await;
    assert_eq!(get_str(&url_event, "content.type").as_deref(), Some("url"));

    // Indices arrive in order, each once.
    let indices = events.messages.indices();
    assert!(indices.windows(2).all(|w| w[0] < w[1]), "{indices:?}");

    assert!(
        websockets_opened() > sockets_before,
        "the default transport should open a WebSocket"
    );
    assert!(events.errors.is_empty(), "{:?}", events.errors.all());
    assert!(events.ended.is_empty());
    page.run("leave", &[]).await;
}

#[wasm_bindgen_test]
async fn late_callbacks_get_earlier_events_in_order_and_can_unsubscribe() {
    server();
    clear_saved_state();
    let page = start(&options(&[("username", "Bea".into())])).await;
    let chat_id = page.id();
    let early = page.record();
    let agent = Agent::login(AGENT1).await;
    agent.accept(&chat_id).await;
    agent.say(&chat_id, "one").await;
    agent.say(&chat_id, "two").await;
    early.messages.wait_text("two").await;

    // Registered late: the earlier payloads, in order, before returning.
    let late = Recorder::new();
    page.on("MessageReceived", &late);
    assert_eq!(late.texts(), ["one", "two"]);
    assert_eq!(
        late.all().iter().map(json).collect::<Vec<_>>(),
        early.messages.all().iter().map(json).collect::<Vec<_>>(),
        "the same payloads as live callbacks got"
    );
    let late_connected = Recorder::new();
    page.on("AgentConnected", &late_connected);
    let parties: Vec<String> = late_connected
        .all()
        .iter()
        .map(|p| get_str(p, "party.type").unwrap())
        .collect();
    assert_eq!(parties, ["Client", "Agent"]);
    let indices = late_connected.indices();
    assert!(indices[0] < indices[1], "{indices:?}");

    // The returned function unsubscribes.
    let gone = Recorder::new();
    let unsubscribe = page.on("MessageReceived", &gone);
    assert_eq!(gone.len(), 2);
    unsubscribe.call0(&JsValue::NULL).unwrap();
    agent.say(&chat_id, "three").await;
    early.messages.wait_text("three").await;
    late.wait_text("three").await;
    // Callbacks are called in one go: had `gone` still been registered, it would have it.
    assert_eq!(gone.texts(), ["one", "two"]);

    // Typing is not memorised.
    agent.typing(&chat_id, true).await;
    let typing = early
        .typing
        .wait_for("the agent's AgentTyping", |p| {
            get_bool(p, "isTyping") == Some(true)
        })
        .await;
    assert_eq!(keys(&typing), ["index", "isTyping", "party"]);
    assert_eq!(get_str(&typing, "party.type").as_deref(), Some("Agent"));
    assert_eq!(get_str(&typing, "party.name"), Some(agent.name.clone()));
    let late_typing = Recorder::new();
    page.on("AgentTyping", &late_typing);
    assert!(late_typing.is_empty(), "{:?}", late_typing.all());

    // A registration needs a function.
    let error = call(
        &page.session,
        "onMessageReceived",
        &["not a function".into()],
    )
    .unwrap_err();
    assert_type_error_naming(&error, "onMessageReceived");
    page.run("leave", &[]).await;
}

#[wasm_bindgen_test]
async fn typing_reaches_the_agent_and_the_agents_typing_reaches_the_page() {
    server();
    clear_saved_state();
    let page = start(&options(&[])).await;
    let chat_id = page.id();
    let events = page.record();
    let agent = Agent::login(AGENT2).await;
    agent.accept(&chat_id).await;

    page.run(
        "sendTyping",
        &[obj(&[
            ("isTyping", JsValue::TRUE),
            ("typedText", "I wo".into()),
        ])],
    )
    .await;
    let started = agent
        .wait_transcript(&chat_id, "TypingStarted from the Client", |e| {
            get_str(e, "type").as_deref() == Some("TypingStarted")
                && get_str(e, "from.type").as_deref() == Some("Client")
        })
        .await;
    assert_eq!(get_str(&started, "text").as_deref(), Some("I wo"));
    page.run("sendTyping", &[obj(&[("isTyping", JsValue::FALSE)])])
        .await;
    agent
        .wait_transcript(&chat_id, "TypingStopped from the Client", |e| {
            get_str(e, "type").as_deref() == Some("TypingStopped")
                && get_str(e, "from.type").as_deref() == Some("Client")
        })
        .await;
    // No argument means {isTyping: true}.
    page.run("sendTyping", &[]).await;
    agent
        .wait_transcript(&chat_id, "a second TypingStarted", |e| {
            get_str(e, "type").as_deref() == Some("TypingStarted")
                && get_str(e, "from.type").as_deref() == Some("Client")
                && get(e, "text").is_undefined()
        })
        .await;

    agent.typing(&chat_id, true).await;
    agent.typing(&chat_id, false).await;
    events
        .typing
        .wait_for("the agent stopping typing", |p| {
            get_bool(p, "isTyping") == Some(false)
        })
        .await;
    let flags: Vec<bool> = events
        .typing
        .all()
        .iter()
        .map(|p| get_bool(p, "isTyping").unwrap())
        .collect();
    assert_eq!(
        flags,
        [true, false],
        "the customer's own typing is not reported"
    );
    assert!(events
        .typing
        .all()
        .iter()
        .all(|p| get_str(p, "party.type").as_deref() == Some("Agent")));
    let bad = page
        .command("sendTyping", &[obj(&[("isTyping", "yes".into())])])
        .unwrap_err();
    assert_type_error_naming(&bad, "isTyping");
    page.run("leave", &[]).await;
}

#[wasm_bindgen_test]
async fn get_transcript_converts_from_index_and_fires_nothing() {
    server();
    clear_saved_state();
    let page = start(&options(&[("username", "Cy".into())])).await;
    let chat_id = page.id();
    let events = page.record();
    let agent = Agent::login(AGENT1).await;
    agent.accept(&chat_id).await;
    agent.say(&chat_id, "first").await;
    let second = agent.say(&chat_id, "second").await;
    events.messages.wait_text("second").await;
    let fired = events.messages.len() + events.connected.len();

    let whole = page
        .run("getTranscript", &[obj(&[("fromIndex", 0.into())])])
        .await;
    assert_eq!(keys(&whole), ["transcript"]);
    let all = items(&get(&whole, "transcript"));
    let indices: Vec<f64> = all.iter().map(|e| get_f64(e, "index").unwrap()).collect();
    assert_eq!(
        indices,
        [1.0, 2.0, 3.0, second as f64],
        "{:?}",
        all.iter().map(json).collect::<Vec<_>>()
    );
    let first = &all[0];
    assert_eq!(get_str(first, "type").as_deref(), Some("AgentConnected"));
    assert_eq!(get_str(first, "party.type").as_deref(), Some("Client"));
    assert_eq!(get_str(first, "party.name").as_deref(), Some("Cy"));
    let message = &all[2];
    assert_eq!(get_str(message, "type").as_deref(), Some("MessageReceived"));
    assert_eq!(
        json(&get(message, "content")),
        r#"{"text":"first","type":"text"}"#
    );
    assert_eq!(get_str(message, "party.type").as_deref(), Some("Agent"));
    assert!(get_f64(message, "timestamp").is_some());

    // fromIndex is 0-based: 2 skips the first two events (GMS indices 1 and 2).
    let tail = page
        .run("getTranscript", &[obj(&[("fromIndex", 2.into())])])
        .await;
    let tail = items(&get(&tail, "transcript"));
    let texts: Vec<String> = tail
        .iter()
        .map(|e| get_str(e, "content.text").unwrap_or_default())
        .collect();
    assert_eq!(texts, ["first", "second"]);
    assert_eq!(get_f64(&tail[0], "index"), Some(3.0));

    // No argument: the whole transcript. Past the end: nothing.
    let default = page.run("getTranscript", &[]).await;
    assert_eq!(items(&get(&default, "transcript")).len(), all.len());
    let none = page
        .run("getTranscript", &[obj(&[("fromIndex", 50.into())])])
        .await;
    assert!(items(&get(&none, "transcript")).is_empty());

    assert_eq!(
        events.messages.len() + events.connected.len(),
        fired,
        "getTranscript fires no events"
    );
    let negative = page
        .command("getTranscript", &[obj(&[("fromIndex", (-1).into())])])
        .unwrap_err();
    assert_type_error_naming(&negative, "fromIndex");
    page.run("leave", &[]).await;
}

#[wasm_bindgen_test]
async fn user_data_is_set_read_and_deleted() {
    server();
    clear_saved_state();
    let page = start(&options(&[(
        "userData",
        obj(&[("plan", "silver".into()), ("region", "EU".into())]),
    )]))
    .await;
    let chat_id = page.id();
    let agent = Agent::login(AGENT1).await;
    let conversation = agent.conversation(&chat_id).await;
    assert_eq!(
        get_str(&conversation, "userData.plan").as_deref(),
        Some("silver")
    );

    page.run(
        "setUserData",
        &[obj(&[("plan", "gold".into()), ("seats", 12.into())])],
    )
    .await;
    let conversation = agent.conversation(&chat_id).await;
    assert_eq!(
        get_str(&conversation, "userData.plan").as_deref(),
        Some("gold")
    );
    assert_eq!(get_f64(&conversation, "userData.seats"), Some(12.0));
    assert_eq!(
        get_str(&conversation, "userData.region").as_deref(),
        Some("EU")
    );

    let read = page.run("getUserData", &["plan".into()]).await;
    assert_eq!(json(&read), r#"{"userData":{"plan":"gold"}}"#);
    let read = page.run("getUserData", &["region".into()]).await;
    assert_eq!(json(&read), r#"{"userData":{"region":"EU"}}"#);

    page.run("deleteUserData", &["region".into()]).await;
    let conversation = agent.conversation(&chat_id).await;
    assert!(
        get(&conversation, "userData.region").is_null()
            || get(&conversation, "userData.region").is_undefined(),
        "region should be gone on the server: {}",
        json(&get(&conversation, "userData"))
    );
    let read = page.run("getUserData", &["region".into()]).await;
    assert_eq!(json(&read), r#"{"userData":{}}"#);
    assert_eq!(
        get_str(&agent.conversation(&chat_id).await, "userData.plan").as_deref(),
        Some("gold")
    );

    let bad = page
        .command("setUserData", &["plan=gold".into()])
        .unwrap_err();
    assert_type_error_naming(&bad, "setUserData");
    page.run("leave", &[]).await;
}

#[wasm_bindgen_test]
async fn the_agent_ending_the_chat_ends_the_session() {
    server();
    clear_saved_state();
    let page = start(&options(&[])).await;
    let chat_id = page.id();
    let events = page.record();
    wait_until("the state cookie", || cookie(STATE_COOKIE).is_some()).await;
    let agent = Agent::login(AGENT1).await;
    agent.accept(&chat_id).await;
    agent.say(&chat_id, "Goodbye").await;
    events.messages.wait_text("Goodbye").await;
    agent.end(&chat_id).await;

    let ended = events.ended.wait_for("onSessionEnded", |_| true).await;
    assert_eq!(
        json(&ended),
        r#"{"reason":{"agent":true},"restored":false}"#
    );
    let left = events
        .disconnected
        .wait_for("the agent's AgentDisconnected", |p| {
            get_str(p, "party.type").as_deref() == Some("Agent")
        })
        .await;
    assert_eq!(get_str(&left, "party.name"), Some(agent.name.clone()));
    assert_eq!(get_bool(&left, "restored"), Some(false));
    wait_until("the state cookie to be cleared", || {
        cookie(STATE_COOKIE).is_none()
    })
    .await;
    assert_commands_refused(&page);
    sleep(300.0).await;
    assert_eq!(events.ended.len(), 1, "SessionEnded fires once");
    // Nothing is left to restore.
    let refused = settle(&restore_session(&options(&[])).unwrap())
        .await
        .unwrap_err();
    assert_chat_error(&refused, 0);
}

#[wasm_bindgen_test]
async fn leave_ends_the_session_and_clears_the_state() {
    server();
    clear_saved_state();
    let page = start(&options(&[("username", "Dee".into())])).await;
    let chat_id = page.id();
    let events = page.record();
    let agent = Agent::login(AGENT2).await;
    agent.accept(&chat_id).await;
    events.connected.wait_count("two AgentConnected", 2).await;
    wait_until("the state cookie", || cookie(STATE_COOKIE).is_some()).await;

    let promise = page.command("leave", &[]).unwrap();
    // leave() cleans up first: the saved state is gone at once.
    assert_eq!(cookie(STATE_COOKIE), None);
    // ...and commands are refused at once.
    assert_type_error(
        &call(&page.session, "sendMessage", &["wait".into()]).unwrap_err(),
        ENDED,
    );
    let left = settle(&promise).await.expect("leave resolves");
    assert!(left.is_undefined());
    let ended = events.ended.wait_for("onSessionEnded", |_| true).await;
    assert_eq!(
        json(&ended),
        r#"{"reason":{"leaveRequest":true},"restored":false}"#
    );
    // Memorised: a late callback gets it too.
    let late = Recorder::new();
    page.on("SessionEnded", &late);
    assert_eq!(late.len(), 1);

    agent
        .wait_transcript(&chat_id, "the customer leaving", |e| {
            get_str(e, "type").as_deref() == Some("ParticipantLeft")
                && get_str(e, "from.type").as_deref() == Some("Client")
        })
        .await;
    assert_commands_refused(&page);
    sleep(300.0).await;
    assert_eq!(events.ended.len(), 1, "SessionEnded fires once");
    assert_eq!(cookie(STATE_COOKIE), None);
    assert!(events.errors.is_empty(), "{:?}", events.errors.all());
}
