//! Browser tests of `chat.restoreSession` against a real hotline-server: a simulated reload
//! (the session object is freed, as a page load would drop it) and a restore from each state
//! storage medium, the replay of what was seen (`restored: true`), the delivery of what was
//! missed, and the refusals (nothing saved, state too old).
//!
//! Needs `HOTLINE_TEST_SERVER` at build time (see `browser_support`); `npm test` sets it.

#![cfg(target_arch = "wasm32")]

mod browser_support;

use browser_support::*;
use js_sys::Reflect;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_reload_replays_the_transcript_then_delivers_what_was_missed() {
    server();
    clear_saved_state();
    let options = options(&[("maxOfflineDuration", 60.into())]);
    let before = talk_then_unload(&options).await;
    assert!(
        cookie(STATE_COOKIE).is_some(),
        "the state is in the gcState cookie"
    );
    let (page, events) = restore_and_check(&options, &before).await;

    page.run("leave", &[]).await;
    let ended = events.ended.wait_for("onSessionEnded", |_| true).await;
    assert_eq!(
        json(&ended),
        r#"{"reason":{"leaveRequest":true},"restored":false}"#
    );
    assert_eq!(cookie(STATE_COOKIE), None);
}

#[wasm_bindgen_test]
async fn state_in_local_storage_restores() {
    server();
    clear_saved_state();
    let options = options(&[
        ("storage", "localStorage".into()),
        ("maxOfflineDuration", 60.into()),
    ]);
    let before = talk_then_unload(&options).await;
    let saved = local_item(STATE_KEY).expect("the state is in localStorage");
    assert!(saved.contains(&before.chat_id), "{saved}");
    assert_eq!(cookie(STATE_COOKIE), None, "and not in the cookie");
    let (page, _events) = restore_and_check(&options, &before).await;

    page.run("leave", &[]).await;
    assert_eq!(local_item(STATE_KEY), None);
}

#[wasm_bindgen_test]
async fn a_custom_state_storage_restores_and_is_cleared_with_write_null() {
    server();
    clear_saved_state();
    let storage = memory_state_storage();
    let options = options(&[
        ("stateStorage", storage.clone()),
        ("maxOfflineDuration", 60.into()),
    ]);
    let before = talk_then_unload(&options).await;
    let state = get(&storage, "state");
    assert_eq!(get_str(&state, "sessionId"), Some(before.chat_id.clone()));
    assert_eq!(get_str(&state, "chatServerUrl").as_deref(), Some(server()));
    let last_index = get_f64(&state, "lastIndex").unwrap() as u64;
    let seen_last = before
        .seen_messages
        .iter()
        .chain(&before.seen_connected)
        .max()
        .copied()
        .unwrap();
    assert!(
        last_index >= seen_last,
        "lastIndex {last_index} < {seen_last}"
    );
    assert_eq!(cookie(STATE_COOKIE), None);
    assert_eq!(local_item(STATE_KEY), None);

    let (_page, events) = restore_and_check(&options, &before).await;
    let calls = items(&get(&storage, "calls"));
    assert!(
        calls
            .iter()
            .any(|c| get_str(c, "0").as_deref() == Some("read")),
        "restoreSession reads the state"
    );

    // The agent ends the chat: the storage is told to forget (write(null)).
    before.agent.end(&before.chat_id).await;
    let ended = events.ended.wait_for("onSessionEnded", |_| true).await;
    assert_eq!(
        json(&ended),
        r#"{"reason":{"agent":true},"restored":false}"#
    );
    wait_until("write(null)", || get(&storage, "state").is_null()).await;
    let calls = items(&get(&storage, "calls"));
    let last = calls.last().unwrap();
    assert_eq!(get_str(last, "0").as_deref(), Some("write"));
    assert!(get(last, "1").is_null(), "{}", json(last));
}

#[wasm_bindgen_test]
async fn leave_calls_write_null_on_a_custom_state_storage() {
    server();
    let storage = memory_state_storage();
    let page = start(&options(&[("stateStorage", storage.clone())])).await;
    assert_eq!(
        get_str(&get(&storage, "state"), "sessionId"),
        Some(page.id())
    );
    page.run("leave", &[]).await;
    assert!(get(&storage, "state").is_null());
    let calls = items(&get(&storage, "calls"));
    let writes: Vec<&JsValue> = calls
        .iter()
        .filter(|c| get_str(c, "0").as_deref() == Some("write"))
        .collect();
    assert!(writes.len() >= 2, "{}", json(&get(&storage, "calls")));
    assert!(get(writes.last().unwrap(), "1").is_null());
    // After that, nothing is left to restore.
    let refused = settle(&restore_session(&options(&[("stateStorage", storage)])).unwrap())
        .await
        .unwrap_err();
    assert_chat_error(&refused, 0);
    assert_eq!(
        get_str(&refused, "error.description").as_deref(),
        Some("restoreSession() failed to read state")
    );
}

/// Starts a chat with `maxOfflineDuration: 1`, unloads, waits 2.1 s: restore is refused.
async fn expired(options: &JsValue) {
    let page = start(options).await;
    let chat_id = page.id();
    sleep(100.0).await;
    page.unload();
    sleep(2_100.0).await;
    let fail = Recorder::new();
    let done = Recorder::new();
    let promise = restore_session(options).unwrap();
    call(&promise, "fail", &[fail.callback()]).unwrap();
    call(&promise, "done", &[done.callback()]).unwrap();
    let refused = settle(&promise).await.unwrap_err();
    assert_chat_error(&refused, 0);
    fail.wait_count("the fail callback", 1).await;
    assert_eq!(get_f64(&fail.last(), "error.code"), Some(0.0));
    assert!(done.is_empty());
    // The chat itself is still there for the agent; only the restore window passed.
    let agent = Agent::login(AGENT2).await;
    let conversation = agent.conversation(&chat_id).await;
    assert_eq!(get_str(&conversation, "chatId"), Some(chat_id));
}

#[wasm_bindgen_test]
async fn expired_cookie_state_is_refused() {
    server();
    clear_saved_state();
    expired(&options(&[("maxOfflineDuration", 1.into())])).await;
}

#[wasm_bindgen_test]
async fn expired_local_storage_state_is_refused_and_forgotten() {
    server();
    clear_saved_state();
    let options = options(&[
        ("maxOfflineDuration", 1.into()),
        ("storage", "localStorage".into()),
    ]);
    expired(&options).await;
    // localStorage keeps it; the SDK refuses it by its age, and forgets it.
    assert_eq!(local_item(STATE_KEY), None);
}

#[wasm_bindgen_test]
async fn the_cookie_max_age_alias_works_too() {
    server();
    clear_saved_state();
    let options = options(&[("cookieMaxAge", 1.into())]);
    expired(&options).await;
}

#[wasm_bindgen_test]
async fn restore_with_nothing_saved_is_refused() {
    server();
    clear_saved_state();
    for options in [
        options(&[]),
        options(&[("storage", "localStorage".into())]),
        obj(&[]),
        options(&[("stateStorage", memory_state_storage())]),
    ] {
        let promise = restore_session(&options).unwrap();
        let fail = Recorder::new();
        let done = Recorder::new();
        let chained = call(&promise, "fail", &[fail.callback()]).unwrap();
        call(&chained, "done", &[done.callback()]).unwrap();
        let refused = settle(&promise).await.unwrap_err();
        assert_chat_error(&refused, 0);
        assert_eq!(
            get_str(&refused, "error.description").as_deref(),
            Some("restoreSession() failed to read state"),
            "{}",
            describe(&refused)
        );
        fail.wait_count("the fail callback", 1).await;
        assert_eq!(
            json(&get(&fail.last(), "error")),
            r#"{"code":0,"description":"restoreSession() failed to read state"}"#
        );
        assert!(done.is_empty());
    }
    // A storage whose read() gives something without a sessionId has nothing either.
    let storage = memory_state_storage();
    Reflect::set(&storage, &"state".into(), &obj(&[("lastIndex", 3.into())])).unwrap();
    let refused = settle(&restore_session(&options(&[("stateStorage", storage)])).unwrap())
        .await
        .unwrap_err();
    assert_chat_error(&refused, 0);
}
