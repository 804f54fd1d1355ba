//! Browser tests of how a session gets through trouble on the way to a real hotline-server:
//! - a network that refuses WebSockets: the SDK falls back to long-polling by itself;
//! - a server that has forgotten the page's Bayeux client (a restart, an expiry): the SDK
//!   handshakes again, re-subscribes and asks for the transcript from the last index it saw,
//!   so the messages sent to the forgotten client arrive anyway, each once.
//!
//! The trouble is made in the page, by wrapping `WebSocket` and `fetch`; the server is real.
//! Needs `HOTLINE_TEST_SERVER` at build time (see `browser_support`); `npm test` sets it.

#![cfg(target_arch = "wasm32")]

mod browser_support;

use browser_support::*;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
// Every WebSocket the page opens to `server` goes to a closed port instead (as behind a proxy
// that refuses upgrades); returns the number of such attempts so far.
export function blockWebSockets(server) {
  if (!globalThis.__blockedSockets) {
    const Original = globalThis.WebSocket;
    const host = new URL(server).host;
    const blocked = [];
    const Blocking = function (url, protocols) {
      if (new URL(String(url)).host === host) {
        blocked.push(String(url));
        return new Original('ws://127.0.0.1:9/refused');
      }
      return protocols === undefined ? new Original(url) : new Original(url, protocols);
    };
    Blocking.prototype = Original.prototype;
    for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Blocking[k] = Original[k];
    globalThis.WebSocket = Blocking;
    globalThis.__blockedSockets = blocked;
  }
  return globalThis.__blockedSockets.length;
}

// Wraps `fetch` for the Bayeux endpoint. `spy.forget()` makes the server forget the current
// client, as a restarted server would: from then on, requests under that clientId reach the
// server under an id it never issued (so it answers 402 unknown client), and whatever the
// server still delivers under the old id is lost on the way. Counts handshakes and 402s.
export function bayeuxFetchSpy() {
  if (globalThis.__bayeuxSpy) return globalThis.__bayeuxSpy;
  const original = globalThis.fetch;
  const spy = {
    handshakes: 0, unknownClient: 0, lastClientId: null, forgotten: null,
    forget() { spy.forgotten = spy.lastClientId; return spy.forgotten; },
  };
  globalThis.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input.url;
    const body = init && typeof init.body === 'string' ? init.body : null;
    if (!url.includes('/cometd') || body === null) return original.apply(this, arguments);
    const sentId = (/"clientId":"([^"]+)"/.exec(body) || [])[1] || null;
    if (body.includes('/meta/handshake')) spy.handshakes++;
    let sent = body;
    if (sentId && sentId === spy.forgotten) {
      sent = body.split('"clientId":"' + sentId + '"').join('"clientId":"forgotten-by-the-server"');
    } else if (sentId) {
      spy.lastClientId = sentId;
    }
    return original.call(this, input, Object.assign({}, init, { body: sent })).then(async (response) => {
      const text = await response.text();
      if (text.includes('402::')) spy.unknownClient++;
      let answer = text;
      if (sentId && sentId === spy.forgotten) {
        // Lost: only the meta replies (e.g. the 402) get through.
        try {
          answer = JSON.stringify(JSON.parse(text).filter((m) => String(m.channel).startsWith('/meta/')));
        } catch (e) { /* not JSON: pass it on */ }
      }
      return new Response(answer, { status: response.status, headers: response.headers });
    });
  };
  globalThis.__bayeuxSpy = spy;
  return spy;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = blockWebSockets)]
    fn block_websockets(server: &str) -> u32;
    #[wasm_bindgen(js_name = bayeuxFetchSpy)]
    fn bayeux_fetch_spy() -> JsValue;
}

#[wasm_bindgen_test]
async fn refused_websockets_fall_back_to_long_polling() {
    server();
    clear_saved_state();
    let attempts_before = block_websockets(server());
    let page = start(&options(&[("username", "Wes".into())])).await;
    assert!(
        block_websockets(server()) > attempts_before,
        "the SDK tries a WebSocket first"
    );
    let chat_id = page.id();
    let events = page.record();

    // The whole conversation runs over long-polling.
    let agent = Agent::login(AGENT1).await;
    agent.accept(&chat_id).await;
    agent.say(&chat_id, "over long-polling").await;
    events.messages.wait_text("over long-polling").await;
    page.run("sendMessage", &["the reply".into()]).await;
    agent.wait_customer_message(&chat_id, "the reply").await;
    assert!(events.errors.is_empty(), "{:?}", events.errors.texts());
    page.run("leave", &[]).await;
}

#[wasm_bindgen_test]
async fn after_the_server_forgets_the_client_the_missed_messages_arrive_once() {
    server();
    clear_saved_state();
    let spy = bayeux_fetch_spy();
    let page = start(&options(&[
        ("username", "Fay".into()),
        ("disableWebSockets", JsValue::TRUE),
    ]))
    .await;
    let chat_id = page.id();
    let events = page.record();
    let agent = Agent::login(AGENT1).await;
    agent.accept(&chat_id).await;
    agent.say(&chat_id, "before").await;
    events.messages.wait_text("before").await;
    assert_eq!(get_f64(&spy, "handshakes"), Some(1.0));

    // The server forgets the client; what it sends now is lost on the way.
    let forgotten = call(&spy, "forget", &[]).unwrap();
    assert!(forgotten.is_string(), "the spy saw the clientId");
    let missed1 = agent.say(&chat_id, "missed 1").await;
    let missed2 = agent.say(&chat_id, "missed 2").await;

    // 402 → handshake again → subscribe → requestNotifications from the last index seen.
    events.messages.wait_text("missed 2").await;
    assert!(get_f64(&spy, "unknownClient").unwrap_or(0.0) >= 1.0);
    assert!(get_f64(&spy, "handshakes").unwrap_or(0.0) >= 2.0);
    let after = agent.say(&chat_id, "after").await;
    events.messages.wait_text("after").await;
    page.run("sendMessage", &["still here".into()]).await;
    agent.wait_customer_message(&chat_id, "still here").await;
    // Give duplicates, if any, a chance to show up.
    sleep(500.0).await;

    let texts: Vec<String> = events
        .messages
        .texts()
        .into_iter()
        .filter(|text| text != "still here")
        .collect();
    assert_eq!(texts, ["before", "missed 1", "missed 2", "after"]);
    let indices = events.messages.indices();
    assert!(indices.contains(&missed1) && indices.contains(&missed2) && indices.contains(&after));
    let mut unique = indices.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), indices.len(), "each index once: {indices:?}");
    assert!(events.errors.is_empty(), "{:?}", events.errors.texts());
    page.run("leave", &[]).await;
}
