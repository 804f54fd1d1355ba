//! A sans-IO Bayeux 1.0 (CometD) client: a state machine that turns inputs into [`Action`]s.
//!
//! The machine never touches the network, timers, clocks or randomness. An adapter (the browser
//! side, in `crate::browser`) performs its [`Action`]s and feeds back what happens. Everything
//! here is pure Rust and never panics, whatever the server sends.
//!
//! # The loop
//!
//! ```text
//!   adapter                                   BayeuxClient
//!   ───────                                   ────────────
//!   start(now) ───────────────────────────▶  [Send handshake, SetTimer(Request(1)), …]
//!   perform each Action, in order
//!   HTTP response / WS frame ─────────────▶  receive_http(now, id, body) / receive_websocket(now, text)
//!   HTTP error, non-2xx ──────────────────▶  request_failed(now, id)
//!   WS `error`/`close`, or cannot open ───▶  websocket_closed(now)
//!   timer fires ──────────────────────────▶  timer_fired(now, timer)
//!   app: subscribe / publish / disconnect ▶  subscribe(ch) / publish(ch, data) / disconnect(now)
//! ```
//!
//! Every input method returns a `Vec<Action>` to perform in order. Within one call, all I/O
//! actions (`Send`, `Abort`, `CloseWebSocket`, `SetTimer`, `CancelTimer`, `UseTransport`) come
//! before all notifications (`StateChanged`, `Handshaken`, `Interrupted`, `Continued`,
//! `Deliver`, `PublishAcked`, `SubscribeAcked`). Calling the machine again while performing
//! the actions of a previous call (e.g. publishing from a `Handshaken` handler) is fine, as
//! long as the previous call has returned (no borrow of the machine is held): the new
//! call's `Send`s then go out after the earlier ones.
//!
//! # What the adapter does with each action
//!
//! - [`Action::Send`] `{ request_id, messages, connection_type, is_connect, timeout_ms }`:
//!   - `LongPolling`: `POST` `messages` (a JSON array text) to the Bayeux URL with
//!     `Content-Type: application/json;charset=UTF-8` and credentials (the `BAYEUX_BROWSER`
//!     cookie). On a 2xx response call `receive_http(now, request_id, body)`; on a network
//!     error, another status, or the adapter's own timeout, call `request_failed(now,
//!     request_id)`. `is_connect` marks the request the server holds open (`/meta/connect` is
//!     always alone in its request); the machine keeps at most one other request in flight
//!     beside it, so two connections per host suffice.
//!   - `WebSocket`: write `messages` as one text frame. If no socket is open, open one (the
//!     Bayeux URL with `ws`/`wss`) and write queued frames once it opens. Every frame received
//!     goes to `receive_websocket(now, text)`. When the socket fails to open, errors or
//!     closes (for any reason other than a `CloseWebSocket` action), call
//!     `websocket_closed(now)`.
//!   - `timeout_ms` is informational: the machine arms [`Timer::Request`] itself and treats
//!     its expiry as a failure (aborting the HTTP request, or closing the socket). It is
//!     `max_network_delay` for most requests and `advice.timeout + max_network_delay` for
//!     connects (`max_network_delay` for the first connect of a session, which asks the
//!     server not to hold it).
//! - [`Action::Abort`] `{ request_id }`: abort that `fetch`/XHR (an `AbortController`) and
//!   report nothing more about it. Reports that arrive anyway are harmless: replies to
//!   messages the machine no longer awaits are ignored (deliveries in them are still
//!   delivered).
//! - [`Action::CloseWebSocket`]: close the socket if open and report nothing more about it;
//!   the next WebSocket `Send` opens a new one.
//! - [`Action::SetTimer`] `{ timer, delay_ms }`: `setTimeout(delay_ms)`, keyed by `timer`
//!   (replace any timer armed with an equal key); on expiry call `timer_fired(now, timer)`.
//!   [`Action::CancelTimer`]: `clearTimeout` for that key. A zero delay still goes through a
//!   timer, so failures never make the adapter spin synchronously.
//! - [`Action::UseTransport`]: informational (WebSocket could not be used; every later `Send`
//!   says `LongPolling`). The machine never goes back to WebSocket.
//! - Notifications go to the chat layer: [`Action::Deliver`] (a message on a subscribed
//!   channel), [`Action::PublishAcked`], [`Action::SubscribeAcked`], [`Action::Handshaken`]
//!   (after a re-handshake, GMS needs `requestNotifications` again), [`Action::Interrupted`] /
//!   [`Action::Continued`] (→ `onInterrupted` / `onContinued`), [`Action::StateChanged`].
//!
//! `now` is the adapter's clock in ms (`Date.now()` or `performance.now()`); the machine only
//! records it ([`BayeuxClient::last_received_ms`]) and never schedules from it. Randomness for
//! backoff jitter comes from the closure given to [`BayeuxClient::new`] (`Math.random`).
//!
//! ## Usage sketch (adapter side)
//!
//! ```
//! use hotline::core::bayeux::{Action, BayeuxClient, BayeuxConfig, ConnectionType};
//! use hotline::core::Json;
//!
//! let config = BayeuxConfig {
//!     handshake_ext: Some(Json::object([("agentToken", Json::str("t0k3n"))])),
//!     ..BayeuxConfig::default()
//! };
//! let mut client = BayeuxClient::new(config, || 0.5 /* Math.random() */);
//! client.subscribe("/service/chatV2/customer-support");
//! for action in client.start(0.0) {
//!     match action {
//!         Action::Send { request_id, messages, connection_type, .. } => match connection_type {
//!             ConnectionType::WebSocket => { /* socket.send(messages) */ }
//!             ConnectionType::LongPolling => { /* fetch(url, {method: "POST", body: messages}) */ }
//!         },
//!         Action::SetTimer { timer, delay_ms } => { /* timers.insert(timer, setTimeout(…)) */ }
//!         Action::Deliver { channel, data } => { /* hand to the chat layer */ }
//!         _ => { /* see the list above */ }
//!     }
//! }
//! // later, e.g. in the socket's `message` handler:
//! let actions = client.receive_websocket(1.0, r#"[{"channel":"/meta/handshake","id":"1",
//!     "successful":true,"clientId":"abc","version":"1.0",
//!     "supportedConnectionTypes":["websocket","long-polling"],
//!     "advice":{"reconnect":"retry","interval":0,"timeout":25000},"ext":{"ack":true}}]"#);
//! assert!(actions.iter().any(|a| matches!(a, Action::Handshaken { rehandshake: false, .. })));
//! ```
//!
//! # Protocol behaviour
//!
//! - **Handshake**: `version` 1.0, `supportedConnectionTypes` (`websocket` first unless
//!   disabled or given up, then `long-polling`), `ext` = the configured `handshake_ext` plus
//!   `ack: true` when [`BayeuxConfig::ack_enabled`]. On success the client id and advice are
//!   stored, every recorded non-`/service` subscription is sent again (after *every*
//!   successful handshake), queued messages follow, then the first `/meta/connect` (with
//!   `advice.timeout: 0`). If the server does not offer the current connection type, the
//!   machine switches to long-polling (or terminates if that is not offered either).
//! - **Connect loop**: exactly one `/meta/connect` outstanding. After a successful reply the
//!   machine waits `advice.interval` ([`Timer::Interval`]; at once when 0) and connects again.
//!   New advice replaces the old (missing fields: `retry`, interval 0, timeout 60 s). Advice
//!   is taken from `/meta/handshake` and `/meta/connect` replies and from `402` replies.
//!   `multiple-clients` advice needs nothing more: its longer interval is honoured.
//! - **`advice.reconnect`**: `retry` → connect again after the interval; `handshake` →
//!   handshake again (the connect is not retried); `none` → stop for good:
//!   [`State::Terminated`], every timer cancelled, unfinished publishes failed with
//!   [`ERROR_TERMINATED`]. A refused handshake (`successful: false` with `reconnect: none`)
//!   terminates the same way, with the server's error string.
//! - **`402` (unknown client)** on a connect, publish, subscribe or unsubscribe reply →
//!   re-handshake (the publish is queued again: the server did not process it). Re-handshakes
//!   count as failures for backoff, so a server that keeps forgetting the client is not
//!   hammered (cometd/cometd#325).
//! - **Failures** (request error, timeout, unreadable body or frame, a closed WebSocket with
//!   requests in flight, a request answered without a reply to one of its messages, an
//!   unsuccessful connect with `retry` advice): `attempt` grows and the retry waits
//!   `advice.interval + random × min(max_backoff, backoff_increment × 2^(attempt−1))`
//!   ([`Timer::Backoff`]). A failed connect (or a failed publish/subscribe while the connect
//!   loop runs) retries the connect; a failed handshake retries the handshake. `attempt`
//!   resets only when a connect succeeds. While `Connected`, a failure or re-handshake
//!   reports [`Action::Interrupted`]; the next successful connect reports
//!   [`Action::Continued`].
//! - **WebSocket fallback**: if a WebSocket request fails (cannot open, closes, times out,
//!   garbage) before any handshake has succeeded over WebSocket, the machine closes it,
//!   reports [`Action::UseTransport`]`(LongPolling)` and handshakes over long-polling at once.
//! - **Message ids** are increasing decimal strings, never reused during the machine's life;
//!   replies are matched by id (and channel). Replies to messages no longer awaited are
//!   ignored.
//! - **Publishes** are queued while not handshaken or after a transport failure (until a
//!   reply shows the transport works), then sent once, in order. A publish is sent again only
//!   when the request carrying it failed before its reply came, or the reply was `402`;
//!   either way it keeps its [`PublishId`] and gets exactly one [`Action::PublishAcked`]. A
//!   publish whose request failed *after* the server processed it is therefore sent twice;
//!   the chat layer's requests must tolerate that. At most
//!   [`BayeuxConfig::max_queued_messages`] publishes wait at a time. Long-polling keeps at
//!   most one non-connect request in flight, so publishes also arrive in order.
//! - **Subscriptions** are recorded by the machine (at most
//!   [`BayeuxConfig::max_subscriptions`]). `/service/**` subscriptions are local only, never
//!   sent: GMS replies on the channel the client published to. Deliveries on channels
//!   matched by a subscription (exact, `/a/*` one segment, `/a/**` any depth) become
//!   [`Action::Deliver`] (once, however many subscriptions match); others are dropped, as are
//!   deliveries without `data`.
//! - **Acknowledge extension**: when the server echoes `ext.ack` at handshake, each connect
//!   carries `ext.ack` = the batch id of the last successful connect reply (0 at first) and
//!   each connect reply's `ext.ack` is recorded. When a reply is lost, the server sends its
//!   deliveries again with a later connect reply; some of them may already have been
//!   delivered (e.g. the response was cut after the machine read it). Such messages are
//!   delivered again: the chat layer drops duplicates by GMS transcript `index`.
//! - **`disconnect`** sends `/meta/disconnect` (when handshaken), cancels every timer, aborts
//!   long-polling requests, closes the WebSocket after the frame, fails unfinished publishes
//!   with [`ERROR_DISCONNECTED`], and reports [`State::Disconnected`]. Its reply is ignored.
//!   `start` may be called again later; subscriptions are kept.
//!
//! Memory stays bounded: in-flight requests (≤ 3 on long-polling), queued publishes
//! ([`BayeuxConfig::max_queued_messages`]), subscriptions
//! ([`BayeuxConfig::max_subscriptions`]), at most one queued subscribe/unsubscribe per
//! channel, and batches of at most 64 messages per request.

mod backoff;
mod client;
mod message;

pub use backoff::Backoff;
pub use client::{
    Action, BayeuxClient, BayeuxConfig, ConnectionType, PublishId, RequestId, State, Timer,
    ERROR_DISCONNECTED, ERROR_NOT_STARTED, ERROR_NO_CONNECTION_TYPE, ERROR_QUEUE_FULL,
    ERROR_TERMINATED, ERROR_TOO_MANY_SUBSCRIPTIONS,
};
pub use message::{
    is_service, is_valid_channel, is_valid_pattern, pattern_matches, Advice, Reconnect,
    DEFAULT_ADVICE_TIMEOUT_MS, MAX_DELAY_MS,
};

#[cfg(test)]
mod tests;
