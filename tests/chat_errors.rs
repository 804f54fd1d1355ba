//! Browser tests of the chat API's error paths: the synchronous `TypeError`s GWE throws for
//! misuse (no server, wrong option types, wrong command arguments) and the rejections with
//! `{error: {code, description}}` (an unknown service, an unreachable server).
//!
//! Needs `HOTLINE_TEST_SERVER` at build time (see `browser_support`); `npm test` sets it.

#![cfg(target_arch = "wasm32")]

mod browser_support;

use browser_support::*;
use hotline::js::Chat;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const NO_SERVER: &str = "Genesys Chat: either serverUrl or a custom transport must be provided";

#[wasm_bindgen_test]
async fn no_server_url_and_no_transport_throws_a_type_error() {
    server();
    for options in [
        obj(&[]),
        JsValue::UNDEFINED,
        JsValue::NULL,
        obj(&[("serverUrl", "   ".into())]),
        obj(&[("serverUrl", JsValue::NULL), ("username", "Ann".into())]),
    ] {
        // Thrown synchronously: no promise is returned.
        let error = start_session(&options)
            .map(|p| json(&p))
            .expect_err("startSession must throw");
        assert_type_error(&error, NO_SERVER);
    }
}

#[wasm_bindgen_test]
async fn a_wrongly_typed_option_throws_a_type_error_naming_it() {
    server();
    let url: JsValue = server().into();
    let cases: Vec<(&str, JsValue)> = vec![
        ("serverUrl", obj(&[("serverUrl", 8080.into())])),
        ("chatServerUrl", obj(&[("chatServerUrl", JsValue::TRUE)])),
        (
            "username",
            obj(&[("serverUrl", url.clone()), ("username", 5.into())]),
        ),
        (
            "subject",
            obj(&[("serverUrl", url.clone()), ("subject", obj(&[]))]),
        ),
        (
            "userData",
            obj(&[("serverUrl", url.clone()), ("userData", "plan=gold".into())]),
        ),
        (
            "maxOfflineDuration",
            obj(&[
                ("serverUrl", url.clone()),
                ("maxOfflineDuration", "5s".into()),
            ]),
        ),
        (
            "maxOfflineDuration",
            obj(&[
                ("serverUrl", url.clone()),
                ("maxOfflineDuration", (-1).into()),
            ]),
        ),
        (
            "cookieMaxAge",
            obj(&[("serverUrl", url.clone()), ("cookieMaxAge", JsValue::TRUE)]),
        ),
        (
            "disableWebSockets",
            obj(&[
                ("serverUrl", url.clone()),
                ("disableWebSockets", "yes".into()),
            ]),
        ),
        (
            "service",
            obj(&[("serverUrl", url.clone()), ("service", "two words".into())]),
        ),
        (
            "storage",
            obj(&[("serverUrl", url.clone()), ("storage", "disk".into())]),
        ),
        (
            "stateStorage.write",
            obj(&[
                ("serverUrl", url.clone()),
                (
                    "stateStorage",
                    js_function("", "return { read() { return null; } };")
                        .call0(&JsValue::NULL)
                        .unwrap(),
                ),
            ]),
        ),
    ];
    for (option, options) in &cases {
        let error = start_session(options)
            .map(|p| json(&p))
            .expect_err(&format!("startSession with a bad {option} must throw"));
        assert_type_error_naming(&error, option);
        // restoreSession checks its options the same way (it needs no serverUrl).
        if !option.ends_with("erverUrl") {
            let error = restore_session(options)
                .map(|p| json(&p))
                .expect_err(&format!("restoreSession with a bad {option} must throw"));
            assert_type_error_naming(&error, option);
        }
    }
}

#[wasm_bindgen_test]
async fn wrong_command_arguments_throw_type_errors() {
    server();
    clear_saved_state();
    let page = start(&options(&[])).await;
    let bogus = page
        .command(
            "sendMessage",
            &[obj(&[("message", "x".into()), ("type", "bogus".into())])],
        )
        .unwrap_err();
    assert_type_error(&bogus, r#"Genesys Chat: type must be "url" or "text""#);
    for argument in [obj(&[]), 42.into(), JsValue::UNDEFINED] {
        let error = page.command("sendMessage", &[argument]).unwrap_err();
        assert!(
            error.is_instance_of::<js_sys::TypeError>(),
            "{}",
            describe(&error)
        );
        assert!(get_str(&error, "message")
            .unwrap()
            .starts_with("Genesys Chat: "));
    }
    let error = page
        .command("sendTyping", &[obj(&[("typedText", 3.into())])])
        .unwrap_err();
    assert_type_error_naming(&error, "typedText");
    let error = page
        .command("getTranscript", &[obj(&[("fromIndex", 1.5.into())])])
        .unwrap_err();
    assert_type_error_naming(&error, "fromIndex");
    let error = call(&page.session, "onSessionEnded", &[obj(&[])]).unwrap_err();
    assert_type_error_naming(&error, "onSessionEnded");

    // None of that was sent: the session still works.
    let agent = Agent::login(AGENT1).await;
    agent.accept(&page.id()).await;
    page.run("sendMessage", &["still fine".into()]).await;
    agent.wait_customer_message(&page.id(), "still fine").await;
    let transcript = agent.transcript(&page.id()).await;
    let messages = transcript
        .iter()
        .filter(|e| get_str(e, "type").as_deref() == Some("Message"))
        .count();
    assert_eq!(messages, 1, "only the valid message reached the server");
    page.run("leave", &[]).await;
    let after = page.command("leave", &[]).unwrap_err();
    assert_type_error(&after, "Genesys Chat: session has ended");
}

async fn assert_rejected(options: &JsValue, code: u32) -> JsValue {
    let promise = start_session(options).unwrap();
    let fail = Recorder::new();
    let done = Recorder::new();
    call(&promise, "fail", &[fail.callback()]).unwrap();
    call(&promise, "done", &[done.callback()]).unwrap();
    let error = settle(&promise).await.unwrap_err();
    assert_chat_error(&error, code);
    assert!(
        error.is_instance_of::<js_sys::Error>(),
        "a real Error: {}",
        describe(&error)
    );
    fail.wait_count("the fail callback", 1).await;
    assert_eq!(get_f64(&fail.last(), "error.code"), Some(f64::from(code)));
    assert!(done.is_empty());
    error
}

#[wasm_bindgen_test]
async fn an_unknown_service_is_rejected_with_the_servers_code() {
    server();
    clear_saved_state();
    // hotline-server: an unknown service is GWE code 3 (a parameter value is incorrect).
    let error = assert_rejected(&options(&[("service", "no-such-service".into())]), 3).await;
    let description = get_str(&error, "error.description").unwrap();
    assert!(description.contains("no-such-service"), "{description}");

    let long_polling = options(&[
        ("service", "no-such-service".into()),
        ("disableWebSockets", JsValue::TRUE),
    ]);
    assert_rejected(&long_polling, 3).await;

    let rest = Chat::transports()
        .rest(obj(&[
            ("serverUrl", server().into()),
            ("service", "no-such-service".into()),
        ]))
        .unwrap();
    assert_rejected(&obj(&[("transport", rest)]), 3).await;
    // Nothing was saved for a chat that never started.
    assert_eq!(cookie(STATE_COOKIE), None);
}

#[wasm_bindgen_test]
async fn an_unreachable_server_is_rejected_with_code_100() {
    server();
    // Nothing listens on port 9 (discard) of the loopback interface.
    let rest = Chat::transports()
        .rest(obj(&[("serverUrl", "http://127.0.0.1:9".into())]))
        .unwrap();
    let error = assert_rejected(&obj(&[("transport", rest)]), 100).await;
    assert_eq!(
        get_str(&error, "error.description").as_deref(),
        Some("Chat Server is not available")
    );
}
