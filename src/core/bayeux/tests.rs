//! Scenario tests: the machine driven with scripted server replies (JSON text shaped like what
//! `server/src/bayeux` sends), asserting on the actions.

use std::cell::Cell;
use std::rc::Rc;

use super::*;
use crate::core::json::Json;

// ---------------------------------------------------------------------------------------------
// Harness

/// One `Action::Send`, with its messages parsed back.
#[derive(Debug, Clone)]
struct Req {
    id: RequestId,
    messages: Vec<Json>,
    connection_type: ConnectionType,
    is_connect: bool,
    timeout_ms: u64,
}

impl Req {
    fn message(&self, index: usize) -> Json {
        self.messages.get(index).cloned().unwrap_or_default()
    }

    fn channel(&self, index: usize) -> String {
        field_str(&self.message(index), "channel")
    }

    /// The message id of message `index`.
    fn mid(&self, index: usize) -> String {
        field_str(&self.message(index), "id")
    }

    fn channels(&self) -> Vec<String> {
        (0..self.messages.len()).map(|i| self.channel(i)).collect()
    }
}

fn field_str(message: &Json, key: &str) -> String {
    message
        .get(key)
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn sends(actions: &[Action]) -> Vec<Req> {
    actions
        .iter()
        .filter_map(|action| match action {
            Action::Send {
                request_id,
                messages,
                connection_type,
                is_connect,
                timeout_ms,
            } => Some(Req {
                id: *request_id,
                messages: Json::parse(messages)
                    .ok()
                    .and_then(|batch| batch.as_array().map(<[Json]>::to_vec))
                    .unwrap_or_default(),
                connection_type: *connection_type,
                is_connect: *is_connect,
                timeout_ms: *timeout_ms,
            }),
            _ => None,
        })
        .collect()
}

/// The one `Send` whose first message is on `channel` (panics in tests if absent).
fn send_on(actions: &[Action], channel: &str) -> Req {
    let found: Vec<Req> = sends(actions)
        .into_iter()
        .filter(|req| req.channel(0) == channel)
        .collect();
    assert_eq!(found.len(), 1, "one send on {channel} in {actions:#?}");
    found.into_iter().next().unwrap_or_else(|| unreachable!())
}

fn no_send_on(actions: &[Action], channel: &str) -> bool {
    sends(actions)
        .iter()
        .all(|req| !req.channels().iter().any(|c| c == channel))
}

fn timers_set(actions: &[Action]) -> Vec<(Timer, u64)> {
    actions
        .iter()
        .filter_map(|action| match action {
            Action::SetTimer { timer, delay_ms } => Some((*timer, *delay_ms)),
            _ => None,
        })
        .filter(|(timer, _)| !matches!(timer, Timer::Request(_)))
        .collect()
}

fn states(actions: &[Action]) -> Vec<State> {
    actions
        .iter()
        .filter_map(|action| match action {
            Action::StateChanged(state) => Some(state.clone()),
            _ => None,
        })
        .collect()
}

fn deliveries(actions: &[Action]) -> Vec<(String, Json)> {
    actions
        .iter()
        .filter_map(|action| match action {
            Action::Deliver { channel, data } => Some((channel.clone(), data.clone())),
            _ => None,
        })
        .collect()
}

fn acks(actions: &[Action]) -> Vec<(PublishId, bool, Option<String>)> {
    actions
        .iter()
        .filter_map(|action| match action {
            Action::PublishAcked {
                id,
                successful,
                error,
            } => Some((*id, *successful, error.clone())),
            _ => None,
        })
        .collect()
}

fn has(actions: &[Action], wanted: &Action) -> bool {
    actions.iter().any(|action| action == wanted)
}

fn count(actions: &[Action], wanted: &Action) -> usize {
    actions.iter().filter(|action| *action == wanted).count()
}

fn json(text: &str) -> Json {
    Json::parse(text).unwrap_or_else(|error| panic!("bad test JSON {text}: {error}"))
}

// Server replies, shaped as `server/src/bayeux` serializes them (field order of `OutMessage`:
// channel, id, clientId, version, supportedConnectionTypes, successful, error, subscription,
// data, advice, ext).

const CLIENT_ID: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

fn handshake_ok(id: &str, ack: bool) -> String {
    let ext = if ack { r#","ext":{"ack":true}"# } else { "" };
    format!(
        r#"[{{"channel":"/meta/handshake","id":"{id}","clientId":"{CLIENT_ID}","version":"1.0","supportedConnectionTypes":["websocket","long-polling"],"successful":true,"advice":{{"reconnect":"retry","interval":0,"timeout":25000}}{ext}}}]"#
    )
}

fn handshake_ok_as(id: &str, client_id: &str) -> String {
    handshake_ok(id, true).replace(CLIENT_ID, client_id)
}

fn connect_ok(id: &str, batch: u64, interval: u64) -> String {
    format!(
        r#"[{{"channel":"/meta/connect","id":"{id}","clientId":"{CLIENT_ID}","successful":true,"advice":{{"reconnect":"retry","interval":{interval},"timeout":25000}},"ext":{{"ack":{batch}}}}}]"#
    )
}

fn connect_402(id: &str) -> String {
    format!(
        r#"[{{"channel":"/meta/connect","id":"{id}","successful":false,"error":"402::Unknown client","advice":{{"reconnect":"handshake","interval":0}}}}]"#
    )
}

fn subscribe_ok(id: &str, subscription: &str) -> String {
    format!(
        r#"[{{"channel":"/meta/subscribe","id":"{id}","clientId":"{CLIENT_ID}","successful":true,"subscription":"{subscription}"}}]"#
    )
}

fn publish_ok(channel: &str, id: &str) -> String {
    format!(r#"[{{"channel":"{channel}","id":"{id}","successful":true}}]"#)
}

fn delivery(channel: &str, data: &str) -> String {
    format!(r#"{{"channel":"{channel}","data":{data}}}"#)
}

/// A client plus its inputs (random, clock).
struct T {
    client: BayeuxClient,
    random: Rc<Cell<f64>>,
    now: f64,
}

impl T {
    fn new(config: BayeuxConfig) -> Self {
        let random = Rc::new(Cell::new(0.0));
        let source = Rc::clone(&random);
        Self {
            client: BayeuxClient::new(config, move || source.get()),
            random,
            now: 1_000.0,
        }
    }

    fn websocket() -> Self {
        Self::new(BayeuxConfig::default())
    }

    fn long_polling() -> Self {
        Self::new(BayeuxConfig {
            websocket_enabled: false,
            ..BayeuxConfig::default()
        })
    }

    fn tick(&mut self) -> f64 {
        self.now += 1.0;
        self.now
    }

    fn start(&mut self) -> Vec<Action> {
        let now = self.tick();
        self.client.start(now)
    }

    /// Delivers `text` as the answer to `req`, on the transport `req` used.
    fn answer(&mut self, req: &Req, text: &str) -> Vec<Action> {
        let now = self.tick();
        match req.connection_type {
            ConnectionType::LongPolling => self.client.receive_http(now, req.id, text),
            ConnectionType::WebSocket => self.client.receive_websocket(now, text),
        }
    }

    fn fail(&mut self, req: &Req) -> Vec<Action> {
        let now = self.tick();
        match req.connection_type {
            ConnectionType::LongPolling => self.client.request_failed(now, req.id),
            ConnectionType::WebSocket => self.client.websocket_closed(now),
        }
    }

    fn fire(&mut self, timer: Timer) -> Vec<Action> {
        let now = self.tick();
        self.client.timer_fired(now, timer)
    }

    fn publish(&mut self, channel: &str, data: &str) -> (PublishId, Vec<Action>) {
        self.client.publish(channel, json(data))
    }

    /// Start, handshake (with ack), first connect answered: returns the outstanding connect.
    fn connected(&mut self) -> Req {
        let actions = self.start();
        let handshake = send_on(&actions, "/meta/handshake");
        let actions = self.answer(&handshake, &handshake_ok(&handshake.mid(0), true));
        let connect = send_on(&actions, "/meta/connect");
        let actions = self.answer(&connect, &connect_ok(&connect.mid(0), 1, 0));
        assert_eq!(self.client.state(), State::Connected);
        send_on(&actions, "/meta/connect")
    }
}

// ---------------------------------------------------------------------------------------------
// Handshake and the connect loop

#[test]
fn happy_path_over_websocket() {
    let mut t = T::websocket();
    let actions = t.start();
    let handshake = send_on(&actions, "/meta/handshake");
    assert_eq!(
        handshake.message(0),
        json(
            r#"{"channel":"/meta/handshake","version":"1.0","minimumVersion":"1.0",
                "supportedConnectionTypes":["websocket","long-polling"],"id":"1","ext":{"ack":true}}"#
        )
    );
    assert_eq!(handshake.connection_type, ConnectionType::WebSocket);
    assert!(!handshake.is_connect);
    assert_eq!(handshake.timeout_ms, 10_000);
    assert!(has(
        &actions,
        &Action::SetTimer {
            timer: Timer::Request(handshake.id),
            delay_ms: 10_000
        }
    ));
    assert_eq!(states(&actions), vec![State::Handshaking]);

    let actions = t.answer(&handshake, &handshake_ok("1", true));
    assert!(has(
        &actions,
        &Action::CancelTimer(Timer::Request(handshake.id))
    ));
    assert!(has(
        &actions,
        &Action::Handshaken {
            client_id: CLIENT_ID.to_owned(),
            rehandshake: false
        }
    ));
    assert_eq!(t.client.client_id(), Some(CLIENT_ID));
    assert!(t.client.ack_active());
    let connect = send_on(&actions, "/meta/connect");
    assert_eq!(
        connect.message(0),
        json(&format!(
            r#"{{"channel":"/meta/connect","id":"2","clientId":"{CLIENT_ID}","connectionType":"websocket",
                "advice":{{"timeout":0}},"ext":{{"ack":0}}}}"#
        ))
    );
    assert!(connect.is_connect);
    assert_eq!(connect.timeout_ms, 10_000, "first connect is not held");
    assert_eq!(states(&actions), vec![State::Connecting]);

    let actions = t.answer(&connect, &connect_ok("2", 1, 0));
    assert_eq!(states(&actions), vec![State::Connected]);
    let next = send_on(&actions, "/meta/connect");
    assert_eq!(
        next.message(0),
        json(&format!(
            r#"{{"channel":"/meta/connect","id":"3","clientId":"{CLIENT_ID}","connectionType":"websocket",
                "ext":{{"ack":1}}}}"#
        ))
    );
    assert_eq!(next.timeout_ms, 25_000 + 10_000);
    // Notifications come after I/O.
    let first_event = actions
        .iter()
        .position(|a| matches!(a, Action::StateChanged(_)))
        .unwrap_or(0);
    assert!(actions[..first_event].iter().all(|a| matches!(
        a,
        Action::Send { .. } | Action::SetTimer { .. } | Action::CancelTimer(_)
    )));
}

#[test]
fn happy_path_over_long_polling() {
    let mut t = T::long_polling();
    let actions = t.start();
    let handshake = send_on(&actions, "/meta/handshake");
    assert_eq!(handshake.connection_type, ConnectionType::LongPolling);
    assert_eq!(
        handshake.message(0).get("supportedConnectionTypes"),
        Some(&json(r#"["long-polling"]"#))
    );
    let actions = t.answer(&handshake, &handshake_ok("1", true));
    let connect = send_on(&actions, "/meta/connect");
    assert_eq!(
        connect.messages.len(),
        1,
        "a connect is alone in its request"
    );
    assert_eq!(
        connect.message(0).get("connectionType"),
        Some(&Json::str("long-polling"))
    );
    let actions = t.answer(&connect, &connect_ok(&connect.mid(0), 1, 0));
    assert_eq!(t.client.state(), State::Connected);
    send_on(&actions, "/meta/connect");
}

#[test]
fn interval_advice_delays_the_next_connect() {
    let mut t = T::websocket();
    let connect = t.connected();
    let actions = t.answer(&connect, &connect_ok(&connect.mid(0), 2, 2000));
    assert!(no_send_on(&actions, "/meta/connect"));
    assert_eq!(timers_set(&actions), vec![(Timer::Interval, 2000)]);
    // Nothing happens on unrelated timers.
    assert!(sends(&t.fire(Timer::Backoff)).is_empty());
    let actions = t.fire(Timer::Interval);
    let next = send_on(&actions, "/meta/connect");
    assert_eq!(next.message(0).get("ext"), Some(&json(r#"{"ack":2}"#)));
    // A stale second firing does nothing.
    assert!(sends(&t.fire(Timer::Interval)).is_empty());
}

#[test]
fn exactly_one_connect_is_outstanding() {
    let mut t = T::websocket();
    let connect = t.connected();
    // Publishing, subscribing, firing stale timers: no second connect.
    let (_, actions) = t.publish("/chat/a", "1");
    assert!(no_send_on(&actions, "/meta/connect"));
    let actions = t.client.subscribe("/chat/b");
    assert!(no_send_on(&actions, "/meta/connect"));
    assert!(sends(&t.fire(Timer::Interval)).is_empty());
    // The outstanding connect's reply leads to exactly one new connect.
    let actions = t.answer(&connect, &connect_ok(&connect.mid(0), 2, 0));
    assert_eq!(
        sends(&actions)
            .iter()
            .filter(|r| r.channel(0) == "/meta/connect")
            .count(),
        1
    );
}

#[test]
fn subscriptions_made_before_start_go_out_after_the_handshake() {
    let mut t = T::websocket();
    assert!(t.client.subscribe("/chat/room").is_empty());
    let actions = t.start();
    assert!(no_send_on(&actions, "/meta/subscribe"));
    let handshake = send_on(&actions, "/meta/handshake");
    let actions = t.answer(&handshake, &handshake_ok("1", true));
    let reqs = sends(&actions);
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].channels(), vec!["/meta/subscribe"]);
    assert_eq!(
        reqs[0].message(0).get("subscription"),
        Some(&Json::str("/chat/room"))
    );
    assert_eq!(
        reqs[0].message(0).get("clientId"),
        Some(&Json::str(CLIENT_ID))
    );
    assert_eq!(reqs[1].channels(), vec!["/meta/connect"]);
    let actions = t.answer(&reqs[0], &subscribe_ok(&reqs[0].mid(0), "/chat/room"));
    assert!(has(
        &actions,
        &Action::SubscribeAcked {
            subscription: "/chat/room".to_owned(),
            successful: true,
            error: None
        }
    ));
}

#[test]
fn refused_subscriptions_are_reported_and_forgotten() {
    let mut t = T::websocket();
    t.connected();
    let actions = t.client.subscribe("/private/x");
    let req = send_on(&actions, "/meta/subscribe");
    let reply = format!(
        r#"[{{"channel":"/meta/subscribe","id":"{}","successful":false,"error":"403:/private/x:Private channel","subscription":"/private/x"}}]"#,
        req.mid(0)
    );
    let actions = t.answer(&req, &reply);
    assert!(has(
        &actions,
        &Action::SubscribeAcked {
            subscription: "/private/x".to_owned(),
            successful: false,
            error: Some("403:/private/x:Private channel".to_owned())
        }
    ));
    assert!(t.client.subscriptions().is_empty());
    // Invalid names never reach the server.
    for bad in ["", "nope", "/a//b", "/meta/connect", "/a/*/b"] {
        let actions = t.client.subscribe(bad);
        assert!(sends(&actions).is_empty(), "{bad}");
        assert!(
            actions.iter().any(|a| matches!(
                a,
                Action::SubscribeAcked {
                    successful: false,
                    ..
                }
            )),
            "{bad}"
        );
    }
}

#[test]
fn unsubscribe_tells_the_server_and_stops_deliveries() {
    let mut t = T::websocket();
    let connect = t.connected();
    let sub = send_on(&t.client.subscribe("/chat/x"), "/meta/subscribe");
    t.answer(&sub, &subscribe_ok(&sub.mid(0), "/chat/x"));
    let actions = t.client.unsubscribe("/chat/x");
    let unsub = send_on(&actions, "/meta/unsubscribe");
    assert_eq!(
        unsub.message(0).get("subscription"),
        Some(&Json::str("/chat/x"))
    );
    let actions = t.answer(&connect, &format!("[{}]", delivery("/chat/x", "1")));
    assert!(deliveries(&actions).is_empty());
    // Unknown subscriptions: nothing to do.
    assert!(t.client.unsubscribe("/never").is_empty());
}

// ---------------------------------------------------------------------------------------------
// Deliveries

#[test]
fn service_subscriptions_are_local_and_receive_replies() {
    let mut t = T::websocket();
    let actions = t.client.subscribe("/service/chatV2/support");
    assert!(sends(&actions).is_empty());
    assert!(has(
        &actions,
        &Action::SubscribeAcked {
            subscription: "/service/chatV2/support".to_owned(),
            successful: true,
            error: None
        }
    ));
    let connect = t.connected();
    // Never sent, not even after the handshake.
    let (_, actions) = t.publish(
        "/service/chatV2/support",
        r#"{"operation":"requestChat","nickname":"Ann"}"#,
    );
    let publish = send_on(&actions, "/service/chatV2/support");
    assert_eq!(
        publish.message(0).get("clientId"),
        Some(&Json::str(CLIENT_ID))
    );
    // The publish reply and the service delivery come together (server: delivery after reply).
    let text = format!(
        r#"[{{"channel":"/service/chatV2/support","id":"{}","successful":true}},
            {{"channel":"/service/chatV2/support","data":{{"statusCode":0,"secureKey":"k","messages":[]}}}}]"#,
        publish.mid(0)
    );
    let actions = t.answer(&publish, &text);
    assert_eq!(acks(&actions), vec![(PublishId(1), true, None)]);
    assert_eq!(
        deliveries(&actions),
        vec![(
            "/service/chatV2/support".to_owned(),
            json(r#"{"statusCode":0,"secureKey":"k","messages":[]}"#)
        )]
    );
    let _ = connect;
}

#[test]
fn deliveries_follow_subscriptions_and_wildcards() {
    let mut t = T::websocket();
    let connect = t.connected();
    for pattern in ["/chat/*", "/news/**", "/exact"] {
        t.client.subscribe(pattern);
    }
    t.client.subscribe("/chat/room"); // overlaps /chat/*: still delivered once
    let text = format!(
        "[{},{},{},{},{},{},{},{}]",
        delivery("/chat/room", "1"),
        delivery("/chat/room/deeper", "2"),
        delivery("/news/a/b/c", "3"),
        delivery("/exact", "4"),
        delivery("/exact/not", "5"),
        delivery("/other", "6"),
        r#"{"channel":"/chat/nodata"}"#,
        delivery("/meta/bogus", "7"),
    );
    let actions = t.answer(&connect, &text);
    assert_eq!(
        deliveries(&actions),
        vec![
            ("/chat/room".to_owned(), json("1")),
            ("/news/a/b/c".to_owned(), json("3")),
            ("/exact".to_owned(), json("4")),
        ]
    );
}

#[test]
fn own_broadcast_publish_comes_back_as_a_delivery_with_the_same_id() {
    // The server's broadcast delivery carries the publisher's message id but no `successful`:
    // it must be delivered, not taken for the publish reply.
    let mut t = T::websocket();
    t.connected();
    t.client.subscribe("/chat/a");
    let (id, actions) = t.publish("/chat/a", r#""hi""#);
    let publish = send_on(&actions, "/chat/a");
    let mid = publish.mid(0);
    let text = format!(
        r#"[{{"channel":"/chat/a","id":"{mid}","data":"hi"}},{{"channel":"/chat/a","id":"{mid}","successful":true}}]"#
    );
    let actions = t.answer(&publish, &text);
    assert_eq!(
        deliveries(&actions),
        vec![("/chat/a".to_owned(), json(r#""hi""#))]
    );
    assert_eq!(acks(&actions), vec![(id, true, None)]);
}

// ---------------------------------------------------------------------------------------------
// Publishing

#[test]
fn publish_while_connected_is_sent_at_once_and_acked() {
    let mut t = T::websocket();
    t.connected();
    let (id, actions) = t.publish("/chat/a", r#"{"text":"hello"}"#);
    let publish = send_on(&actions, "/chat/a");
    assert_eq!(
        publish.message(0),
        json(&format!(
            r#"{{"channel":"/chat/a","id":"{}","clientId":"{CLIENT_ID}","data":{{"text":"hello"}}}}"#,
            publish.mid(0)
        ))
    );
    assert_eq!(publish.timeout_ms, 10_000);
    let actions = t.answer(&publish, &publish_ok("/chat/a", &publish.mid(0)));
    assert_eq!(acks(&actions), vec![(id, true, None)]);
    // A second copy of the reply is ignored.
    let actions = t.answer(&publish, &publish_ok("/chat/a", &publish.mid(0)));
    assert!(acks(&actions).is_empty());
}

#[test]
fn publish_refused_by_the_server() {
    let mut t = T::websocket();
    t.connected();
    let (id, actions) = t.publish("/readonly/x", "1");
    let publish = send_on(&actions, "/readonly/x");
    let reply = format!(
        r#"[{{"channel":"/readonly/x","id":"{}","successful":false,"error":"403:/readonly/x:Read-only channel"}}]"#,
        publish.mid(0)
    );
    let actions = t.answer(&publish, &reply);
    assert_eq!(
        acks(&actions),
        vec![(
            id,
            false,
            Some("403:/readonly/x:Read-only channel".to_owned())
        )]
    );
    assert_eq!(t.client.state(), State::Connected);
}

#[test]
fn invalid_or_early_publishes_fail_at_once() {
    let mut t = T::websocket();
    let (id, actions) = t.publish("/chat/a", "1");
    assert_eq!(
        acks(&actions),
        vec![(id, false, Some(ERROR_NOT_STARTED.to_owned()))]
    );
    t.start();
    for bad in ["/chat/*", "/chat/**", "/meta/connect", "chat", ""] {
        let (_, actions) = t.publish(bad, "1");
        assert!(sends(&actions).is_empty());
        assert!(
            matches!(acks(&actions).as_slice(), [(_, false, Some(_))]),
            "{bad}"
        );
    }
}

#[test]
fn publishes_queued_while_handshaking_go_out_in_order_after() {
    let mut t = T::websocket();
    let actions = t.start();
    let handshake = send_on(&actions, "/meta/handshake");
    let (first, actions) = t.publish("/chat/a", "1");
    assert!(sends(&actions).is_empty());
    let (second, _) = t.publish("/chat/a", "2");
    let actions = t.answer(&handshake, &handshake_ok("1", true));
    let reqs = sends(&actions);
    assert_eq!(reqs[0].channels(), vec!["/chat/a", "/chat/a"]);
    assert_eq!(reqs[0].message(0).get("data"), Some(&json("1")));
    assert_eq!(reqs[0].message(1).get("data"), Some(&json("2")));
    let text = format!(
        "[{},{}]",
        publish_ok("/chat/a", &reqs[0].mid(0)).trim_matches(['[', ']']),
        publish_ok("/chat/a", &reqs[0].mid(1)).trim_matches(['[', ']'])
    );
    let actions = t.answer(&reqs[0], &text);
    assert_eq!(
        acks(&actions),
        vec![(first, true, None), (second, true, None)]
    );
}

#[test]
fn long_polling_keeps_one_message_request_in_flight() {
    let mut t = T::long_polling();
    let connect = t.connected();
    let (a, actions) = t.publish("/chat/a", "1");
    let first = send_on(&actions, "/chat/a");
    let (b, actions) = t.publish("/chat/a", "2");
    assert!(sends(&actions).is_empty(), "waits for the first request");
    let (c, _) = t.publish("/chat/a", "3");
    let actions = t.answer(&first, &publish_ok("/chat/a", &first.mid(0)));
    assert_eq!(acks(&actions), vec![(a, true, None)]);
    let second = send_on(&actions, "/chat/a");
    assert_eq!(second.messages.len(), 2);
    assert_eq!(second.message(0).get("data"), Some(&json("2")));
    assert_eq!(second.message(1).get("data"), Some(&json("3")));
    let text = format!(
        r#"[{{"channel":"/chat/a","id":"{}","successful":true}},{{"channel":"/chat/a","id":"{}","successful":true}}]"#,
        second.mid(0),
        second.mid(1)
    );
    let actions = t.answer(&second, &text);
    assert_eq!(acks(&actions), vec![(b, true, None), (c, true, None)]);
    let _ = connect;
}

#[test]
fn long_polling_response_missing_a_reply_fails_that_message() {
    let mut t = T::long_polling();
    let connect = t.connected();
    let (id, actions) = t.publish("/chat/a", "1");
    let publish = send_on(&actions, "/chat/a");
    // 200 with an empty batch: the publish got no reply → requeued; the connect loop restarts.
    let actions = t.answer(&publish, "[]");
    assert!(acks(&actions).is_empty());
    assert!(has(&actions, &Action::Interrupted));
    assert!(has(
        &actions,
        &Action::Abort {
            request_id: connect.id
        }
    ));
    assert_eq!(timers_set(&actions), vec![(Timer::Backoff, 0)]);
    let actions = t.fire(Timer::Backoff);
    let retry = send_on(&actions, "/meta/connect");
    let actions = t.answer(&retry, &connect_ok(&retry.mid(0), 2, 0));
    let again = send_on(&actions, "/chat/a");
    assert_eq!(again.message(0).get("data"), Some(&json("1")));
    let actions = t.answer(&again, &publish_ok("/chat/a", &again.mid(0)));
    assert_eq!(acks(&actions), vec![(id, true, None)]);
}

#[test]
fn publish_queue_is_bounded() {
    let mut t = T::new(BayeuxConfig {
        max_queued_messages: 2,
        ..BayeuxConfig::default()
    });
    t.start();
    t.publish("/chat/a", "1");
    t.publish("/chat/a", "2");
    let (id, actions) = t.publish("/chat/a", "3");
    assert_eq!(
        acks(&actions),
        vec![(id, false, Some(ERROR_QUEUE_FULL.to_owned()))]
    );
}

#[test]
fn subscriptions_are_bounded() {
    let mut t = T::new(BayeuxConfig {
        max_subscriptions: 2,
        ..BayeuxConfig::default()
    });
    t.client.subscribe("/a");
    t.client.subscribe("/b");
    let actions = t.client.subscribe("/c");
    assert!(has(
        &actions,
        &Action::SubscribeAcked {
            subscription: "/c".to_owned(),
            successful: false,
            error: Some(ERROR_TOO_MANY_SUBSCRIPTIONS.to_owned())
        }
    ));
    assert_eq!(t.client.subscriptions(), ["/a", "/b"]);
}

#[test]
fn queued_unsubscribes_are_bounded() {
    let mut t = T::new(BayeuxConfig {
        max_subscriptions: 4,
        ..BayeuxConfig::default()
    });
    let connect = t.connected();
    t.fail(&connect); // transport down: nothing is sent until a reply comes
    for n in 0..100 {
        let channel = format!("/chat/{n}");
        assert!(sends(&t.client.subscribe(&channel)).is_empty());
        assert!(sends(&t.client.unsubscribe(&channel)).is_empty());
    }
    let (_, queued, _) = t.client.queue_sizes();
    assert!(queued <= 4, "{queued} queued");
}

#[test]
fn late_subscribe_success_after_unsubscribe_is_not_reported() {
    let mut t = T::websocket();
    t.connected();
    let sub = send_on(&t.client.subscribe("/chat/x"), "/meta/subscribe");
    send_on(&t.client.unsubscribe("/chat/x"), "/meta/unsubscribe");
    let actions = t.answer(&sub, &subscribe_ok(&sub.mid(0), "/chat/x"));
    assert!(!actions
        .iter()
        .any(|a| matches!(a, Action::SubscribeAcked { .. })));
}

// ---------------------------------------------------------------------------------------------
// Advice

#[test]
fn handshake_advice_on_connect_rehandshakes_without_retrying_the_connect() {
    let mut t = T::websocket();
    t.client.subscribe("/chat/room");
    let connect = t.connected();
    let reply = format!(
        r#"[{{"channel":"/meta/connect","id":"{}","successful":true,"advice":{{"reconnect":"handshake","interval":0}}}}]"#,
        connect.mid(0)
    );
    let actions = t.answer(&connect, &reply);
    assert!(no_send_on(&actions, "/meta/connect"));
    assert!(has(&actions, &Action::Interrupted));
    assert_eq!(timers_set(&actions), vec![(Timer::Backoff, 0)]);
    assert_eq!(t.client.client_id(), None);
    let actions = t.fire(Timer::Backoff);
    let handshake = send_on(&actions, "/meta/handshake");
    let actions = t.answer(&handshake, &handshake_ok_as(&handshake.mid(0), "second"));
    assert!(has(
        &actions,
        &Action::Handshaken {
            client_id: "second".to_owned(),
            rehandshake: true
        }
    ));
    let sub = send_on(&actions, "/meta/subscribe");
    assert_eq!(sub.message(0).get("clientId"), Some(&Json::str("second")));
}

#[test]
fn none_advice_terminates_for_good() {
    let mut t = T::websocket();
    let connect = t.connected();
    let (id, actions) = t.publish("/chat/a", "1");
    let _publish = send_on(&actions, "/chat/a");
    let reply = format!(
        r#"[{{"channel":"/meta/connect","id":"{}","successful":true,"advice":{{"reconnect":"none"}}}}]"#,
        connect.mid(0)
    );
    let actions = t.answer(&connect, &reply);
    assert_eq!(states(&actions), vec![State::Terminated { error: None }]);
    assert!(sends(&actions).is_empty());
    assert!(has(&actions, &Action::CloseWebSocket));
    assert_eq!(
        acks(&actions),
        vec![(id, false, Some(ERROR_TERMINATED.to_owned()))]
    );
    assert!(timers_set(&actions).is_empty());
    // Nothing more happens.
    assert!(t.fire(Timer::Interval).is_empty());
    assert!(t.fire(Timer::Backoff).is_empty());
    assert!(t
        .answer(&connect, &connect_ok(&connect.mid(0), 1, 0))
        .is_empty());
}

#[test]
fn multiple_clients_advice_is_honoured() {
    let mut t = T::long_polling();
    let connect = t.connected();
    // What the server answers to a second tab of one browser.
    let reply = format!(
        r#"[{{"channel":"/meta/connect","id":"{}","clientId":"{CLIENT_ID}","successful":true,"advice":{{"reconnect":"retry","interval":1500,"multiple-clients":true}},"ext":{{"ack":2}}}}]"#,
        connect.mid(0)
    );
    let actions = t.answer(&connect, &reply);
    assert_eq!(timers_set(&actions), vec![(Timer::Interval, 1500)]);
    assert!(t.client.advice().multiple_clients);
    let actions = t.fire(Timer::Interval);
    let next = send_on(&actions, "/meta/connect");
    // The replacing advice had no timeout: the default applies.
    assert_eq!(next.timeout_ms, DEFAULT_ADVICE_TIMEOUT_MS + 10_000);
    // Normal advice again: back to no interval.
    let actions = t.answer(&next, &connect_ok(&next.mid(0), 3, 0));
    assert!(!t.client.advice().multiple_clients);
    assert!(timers_set(&actions).is_empty());
    send_on(&actions, "/meta/connect");
}

#[test]
fn new_advice_replaces_old() {
    let mut t = T::websocket();
    let connect = t.connected();
    assert_eq!(t.client.advice().timeout_ms, 25_000);
    let reply = format!(
        r#"[{{"channel":"/meta/connect","id":"{}","successful":true,"advice":{{"reconnect":"retry","interval":0,"timeout":5000}},"ext":{{"ack":2}}}}]"#,
        connect.mid(0)
    );
    let actions = t.answer(&connect, &reply);
    let next = send_on(&actions, "/meta/connect");
    assert_eq!(next.timeout_ms, 5000 + 10_000);
    assert_eq!(
        t.client.advice(),
        Advice {
            reconnect: Reconnect::Retry,
            interval_ms: 0,
            timeout_ms: 5000,
            multiple_clients: false
        }
    );
    // A reply without advice keeps the latest advice.
    let reply = format!(
        r#"[{{"channel":"/meta/connect","id":"{}","successful":true}}]"#,
        next.mid(0)
    );
    let actions = t.answer(&next, &reply);
    assert_eq!(send_on(&actions, "/meta/connect").timeout_ms, 15_000);
}

#[test]
fn failed_connect_reply_with_retry_advice_backs_off() {
    let mut t = T::websocket();
    let connect = t.connected();
    t.random.set(0.5);
    let reply = format!(
        r#"[{{"channel":"/meta/connect","id":"{}","successful":false,"error":"500::Oops","advice":{{"reconnect":"retry","interval":100}}}}]"#,
        connect.mid(0)
    );
    let actions = t.answer(&connect, &reply);
    assert_eq!(timers_set(&actions), vec![(Timer::Backoff, 100 + 500)]);
    assert_eq!(t.client.state(), State::Reconnecting { attempt: 1 });
    assert!(has(&actions, &Action::Interrupted));
    let actions = t.fire(Timer::Backoff);
    send_on(&actions, "/meta/connect");
}

// ---------------------------------------------------------------------------------------------
// 402 and re-handshakes

#[test]
fn connect_402_rehandshakes_and_resubscribes() {
    let mut t = T::websocket();
    t.client.subscribe("/chat/room");
    t.client.subscribe("/service/chatV2/x");
    let connect = t.connected();
    let actions = t.answer(&connect, &connect_402(&connect.mid(0)));
    assert!(no_send_on(&actions, "/meta/connect"));
    assert!(has(&actions, &Action::Interrupted));
    assert_eq!(states(&actions), vec![State::Reconnecting { attempt: 1 }]);
    let actions = t.fire(Timer::Backoff);
    let handshake = send_on(&actions, "/meta/handshake");
    let actions = t.answer(&handshake, &handshake_ok_as(&handshake.mid(0), "new-id"));
    assert!(has(
        &actions,
        &Action::Handshaken {
            client_id: "new-id".to_owned(),
            rehandshake: true
        }
    ));
    let reqs = sends(&actions);
    assert_eq!(
        reqs[0].channels(),
        vec!["/meta/subscribe"],
        "service subs stay local"
    );
    assert_eq!(
        reqs[0].message(0).get("subscription"),
        Some(&Json::str("/chat/room"))
    );
    let connect = send_on(&actions, "/meta/connect");
    assert_eq!(
        connect.message(0).get("clientId"),
        Some(&Json::str("new-id"))
    );
    assert_eq!(
        connect.message(0).get("ext"),
        Some(&json(r#"{"ack":0}"#)),
        "ack batches restart with the session"
    );
    let actions = t.answer(&connect, &connect_ok(&connect.mid(0), 1, 0));
    assert!(has(&actions, &Action::Continued));
    assert_eq!(states(&actions), vec![State::Connected]);
}

#[test]
fn publish_402_rehandshakes_and_sends_the_publish_once_more() {
    let mut t = T::long_polling();
    let connect = t.connected();
    let sub = send_on(&t.client.subscribe("/chat/room"), "/meta/subscribe");
    t.answer(&sub, &subscribe_ok(&sub.mid(0), "/chat/room"));
    let (id, actions) = t.publish("/chat/room", r#""m""#);
    let publish = send_on(&actions, "/chat/room");
    let reply = format!(
        r#"[{{"channel":"/chat/room","id":"{}","successful":false,"error":"402::Unknown client","advice":{{"reconnect":"handshake","interval":0}}}}]"#,
        publish.mid(0)
    );
    let actions = t.answer(&publish, &reply);
    assert!(
        acks(&actions).is_empty(),
        "not failed: it will be sent again"
    );
    assert!(has(
        &actions,
        &Action::Abort {
            request_id: connect.id
        }
    ));
    assert!(has(&actions, &Action::Interrupted));
    let actions = t.fire(Timer::Backoff);
    let handshake = send_on(&actions, "/meta/handshake");
    // A publish made during the re-handshake queues behind the first one.
    let (later, actions) = t.publish("/chat/room", r#""n""#);
    assert!(sends(&actions).is_empty());
    let actions = t.answer(&handshake, &handshake_ok_as(&handshake.mid(0), "again"));
    let reqs = sends(&actions);
    assert_eq!(
        reqs[0].channels(),
        vec!["/meta/subscribe", "/chat/room", "/chat/room"]
    );
    assert_eq!(reqs[0].message(1).get("data"), Some(&json(r#""m""#)));
    assert_eq!(reqs[0].message(2).get("data"), Some(&json(r#""n""#)));
    assert_eq!(
        reqs[0].message(1).get("clientId"),
        Some(&Json::str("again"))
    );
    assert_eq!(reqs[1].channels(), vec!["/meta/connect"]);
    let text = format!(
        r#"[{{"channel":"/meta/subscribe","id":"{}","successful":true,"subscription":"/chat/room"}},{{"channel":"/chat/room","id":"{}","successful":true}},{{"channel":"/chat/room","id":"{}","successful":true}}]"#,
        reqs[0].mid(0),
        reqs[0].mid(1),
        reqs[0].mid(2)
    );
    let actions = t.answer(&reqs[0], &text);
    assert_eq!(acks(&actions), vec![(id, true, None), (later, true, None)]);
}

#[test]
fn subscribe_402_rehandshakes() {
    let mut t = T::websocket();
    t.connected();
    let sub = send_on(&t.client.subscribe("/chat/x"), "/meta/subscribe");
    let reply = format!(
        r#"[{{"channel":"/meta/subscribe","id":"{}","successful":false,"error":"402::Unknown client","subscription":"/chat/x","advice":{{"reconnect":"handshake","interval":0}}}}]"#,
        sub.mid(0)
    );
    let actions = t.answer(&sub, &reply);
    assert_eq!(timers_set(&actions), vec![(Timer::Backoff, 0)]);
    let handshake = send_on(&t.fire(Timer::Backoff), "/meta/handshake");
    let actions = t.answer(&handshake, &handshake_ok(&handshake.mid(0), true));
    let resub = send_on(&actions, "/meta/subscribe");
    assert_eq!(
        resub.message(0).get("subscription"),
        Some(&Json::str("/chat/x"))
    );
}

#[test]
fn repeated_402_backs_off_more_and_more() {
    let mut t = T::websocket();
    t.random.set(0.5);
    let mut connect = t.connected();
    let mut delays = Vec::new();
    for _ in 0..8 {
        let actions = t.answer(&connect, &connect_402(&connect.mid(0)));
        delays.extend(timers_set(&actions).into_iter().map(|(_, d)| d));
        let handshake = send_on(&t.fire(Timer::Backoff), "/meta/handshake");
        let actions = t.answer(&handshake, &handshake_ok(&handshake.mid(0), true));
        connect = send_on(&actions, "/meta/connect");
    }
    assert_eq!(
        delays,
        vec![500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]
    );
}

// ---------------------------------------------------------------------------------------------
// Failures, backoff, Interrupted / Continued

#[test]
fn backoff_delays_grow_within_bounds_and_reset_after_success() {
    for random in [0.0, 0.5, 1.0 - f64::EPSILON] {
        let mut t = T::long_polling();
        t.random.set(random);
        let mut connect = t.connected();
        let mut delays = Vec::new();
        for _ in 0..9 {
            let actions = t.fail(&connect);
            let set = timers_set(&actions);
            assert_eq!(set.len(), 1);
            delays.push(set[0].1);
            connect = send_on(&t.fire(Timer::Backoff), "/meta/connect");
        }
        let ceilings = [
            1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000,
        ];
        for (delay, ceiling) in delays.iter().zip(ceilings) {
            assert!(*delay <= ceiling, "random {random}: {delay} > {ceiling}");
            assert_eq!(*delay, ((ceiling as f64) * random).floor() as u64);
        }
        assert_eq!(t.client.state(), State::Reconnecting { attempt: 9 });
        // Success resets the attempt count.
        let actions = t.answer(&connect, &connect_ok(&connect.mid(0), 5, 0));
        assert_eq!(t.client.state(), State::Connected);
        let connect = send_on(&actions, "/meta/connect");
        let actions = t.fail(&connect);
        assert_eq!(
            timers_set(&actions),
            vec![(Timer::Backoff, (1000.0 * random).floor() as u64)]
        );
        assert_eq!(t.client.state(), State::Reconnecting { attempt: 1 });
    }
}

#[test]
fn interrupted_and_continued() {
    let mut t = T::websocket();
    let connect = t.connected();
    let actions = t.fail(&connect);
    assert!(has(&actions, &Action::Interrupted));
    assert_eq!(states(&actions), vec![State::Reconnecting { attempt: 1 }]);
    // A second failure does not report a second interruption.
    let retry = send_on(&t.fire(Timer::Backoff), "/meta/connect");
    let actions = t.fail(&retry);
    assert!(!has(&actions, &Action::Interrupted));
    assert_eq!(states(&actions), vec![State::Reconnecting { attempt: 2 }]);
    let retry = send_on(&t.fire(Timer::Backoff), "/meta/connect");
    assert_eq!(
        retry.message(0).get("clientId"),
        Some(&Json::str(CLIENT_ID))
    );
    let actions = t.answer(&retry, &connect_ok(&retry.mid(0), 2, 0));
    assert_eq!(count(&actions, &Action::Continued), 1);
    assert_eq!(states(&actions), vec![State::Connected]);
    // Continued comes once only.
    let next = send_on(&actions, "/meta/connect");
    let actions = t.answer(&next, &connect_ok(&next.mid(0), 3, 0));
    assert!(!has(&actions, &Action::Continued));
}

#[test]
fn failure_before_the_first_connect_is_not_an_interruption() {
    let mut t = T::long_polling();
    let actions = t.start();
    let handshake = send_on(&actions, "/meta/handshake");
    let actions = t.answer(&handshake, &handshake_ok("1", true));
    let connect = send_on(&actions, "/meta/connect");
    let actions = t.fail(&connect);
    assert!(!has(&actions, &Action::Interrupted));
    let retry = send_on(&t.fire(Timer::Backoff), "/meta/connect");
    let actions = t.answer(&retry, &connect_ok(&retry.mid(0), 1, 0));
    assert!(!has(&actions, &Action::Continued));
    assert_eq!(states(&actions), vec![State::Connected]);
}

#[test]
fn handshake_failures_retry_the_handshake_with_backoff() {
    let mut t = T::long_polling();
    t.random.set(0.5);
    let handshake = send_on(&t.start(), "/meta/handshake");
    let actions = t.fail(&handshake);
    assert_eq!(timers_set(&actions), vec![(Timer::Backoff, 500)]);
    assert_eq!(states(&actions), vec![State::Reconnecting { attempt: 1 }]);
    let handshake = send_on(&t.fire(Timer::Backoff), "/meta/handshake");
    // A refusal with retry advice: keep trying.
    let reply = format!(
        r#"[{{"channel":"/meta/handshake","id":"{}","successful":false,"error":"500::Cannot create a client id","advice":{{"reconnect":"handshake","interval":0}}}}]"#,
        handshake.mid(0)
    );
    let actions = t.answer(&handshake, &reply);
    assert_eq!(timers_set(&actions), vec![(Timer::Backoff, 1000)]);
    let handshake = send_on(&t.fire(Timer::Backoff), "/meta/handshake");
    let actions = t.answer(&handshake, &handshake_ok(&handshake.mid(0), true));
    // Handshaken but not yet connected: still counted as recovering.
    assert!(has(
        &actions,
        &Action::Handshaken {
            client_id: CLIENT_ID.to_owned(),
            rehandshake: false
        }
    ));
    let connect = send_on(&actions, "/meta/connect");
    let actions = t.answer(&connect, &connect_ok(&connect.mid(0), 1, 0));
    assert_eq!(states(&actions), vec![State::Connected]);
}

#[test]
fn handshake_refused_with_none_terminates() {
    let mut t = T::websocket();
    let handshake = send_on(&t.start(), "/meta/handshake");
    let reply = r#"[{"channel":"/meta/handshake","id":"1","successful":false,"error":"403::Handshake denied","advice":{"reconnect":"none"}}]"#;
    let actions = t.answer(&handshake, reply);
    assert_eq!(
        states(&actions),
        vec![State::Terminated {
            error: Some("403::Handshake denied".to_owned())
        }]
    );
    assert!(timers_set(&actions).is_empty());
    assert!(sends(&actions).is_empty());
    let (_, actions) = t.publish("/chat/a", "1");
    assert!(matches!(acks(&actions).as_slice(), [(_, false, Some(e))] if e == ERROR_NOT_STARTED));
    // The application may start again.
    let actions = t.start();
    send_on(&actions, "/meta/handshake");
    assert_eq!(states(&actions), vec![State::Handshaking]);
}

#[test]
fn request_timeouts_are_failures() {
    // Long-polling: the request is aborted.
    let mut t = T::long_polling();
    let connect = t.connected();
    assert_eq!(connect.timeout_ms, 35_000);
    let actions = t.fire(Timer::Request(connect.id));
    assert!(has(
        &actions,
        &Action::Abort {
            request_id: connect.id
        }
    ));
    assert!(has(&actions, &Action::Interrupted));
    assert!(!has(
        &actions,
        &Action::CancelTimer(Timer::Request(connect.id))
    ));
    // A late response to the aborted request is ignored.
    let actions = t.answer(&connect, &connect_ok(&connect.mid(0), 2, 0));
    assert!(sends(&actions).is_empty());
    assert_eq!(t.client.state(), State::Reconnecting { attempt: 1 });

    // WebSocket: the socket is closed, every request on it fails.
    let mut t = T::websocket();
    let connect = t.connected();
    let (_, actions) = t.publish("/chat/a", "1");
    let publish = send_on(&actions, "/chat/a");
    let actions = t.fire(Timer::Request(publish.id));
    assert_eq!(count(&actions, &Action::CloseWebSocket), 1);
    assert!(has(
        &actions,
        &Action::CancelTimer(Timer::Request(connect.id))
    ));
    assert!(has(&actions, &Action::Interrupted));
    // The publish waits and goes out after the connect succeeds again (on a new socket).
    let retry = send_on(&t.fire(Timer::Backoff), "/meta/connect");
    let actions = t.answer(&retry, &connect_ok(&retry.mid(0), 2, 0));
    let again = send_on(&actions, "/chat/a");
    assert_eq!(again.message(0).get("data"), Some(&json("1")));
    // A stale request timer does nothing.
    assert!(t.fire(Timer::Request(publish.id)).is_empty());
}

#[test]
fn websocket_failure_before_the_first_handshake_falls_back_to_long_polling() {
    let mut t = T::websocket();
    t.client.subscribe("/chat/x");
    let (_, _) = {
        let actions = t.start();
        let handshake = send_on(&actions, "/meta/handshake");
        assert_eq!(handshake.connection_type, ConnectionType::WebSocket);
        ((), ())
    };
    let (id, _) = t.publish("/chat/x", "1");
    // The socket cannot be opened.
    let now = t.tick();
    let actions = t.client.websocket_closed(now);
    assert!(has(
        &actions,
        &Action::UseTransport(ConnectionType::LongPolling)
    ));
    assert!(has(&actions, &Action::CloseWebSocket));
    assert!(
        timers_set(&actions).is_empty(),
        "no backoff for the fallback"
    );
    let handshake = send_on(&actions, "/meta/handshake");
    assert_eq!(handshake.connection_type, ConnectionType::LongPolling);
    assert_eq!(
        handshake.message(0).get("supportedConnectionTypes"),
        Some(&json(r#"["long-polling"]"#))
    );
    assert_eq!(t.client.connection_type(), ConnectionType::LongPolling);
    assert_eq!(t.client.state(), State::Handshaking);
    let actions = t.answer(&handshake, &handshake_ok(&handshake.mid(0), true));
    let reqs = sends(&actions);
    assert!(reqs
        .iter()
        .all(|r| r.connection_type == ConnectionType::LongPolling));
    assert_eq!(reqs[0].channels(), vec!["/meta/subscribe", "/chat/x"]);
    let text = format!(
        r#"[{{"channel":"/meta/subscribe","id":"{}","successful":true,"subscription":"/chat/x"}},{{"channel":"/chat/x","id":"{}","successful":true}}]"#,
        reqs[0].mid(0),
        reqs[0].mid(1)
    );
    assert_eq!(acks(&t.answer(&reqs[0], &text)), vec![(id, true, None)]);
}

#[test]
fn websocket_timeout_or_garbage_before_the_first_handshake_also_falls_back() {
    let mut t = T::websocket();
    let handshake = send_on(&t.start(), "/meta/handshake");
    let actions = t.fire(Timer::Request(handshake.id));
    assert!(has(
        &actions,
        &Action::UseTransport(ConnectionType::LongPolling)
    ));
    assert_eq!(count(&actions, &Action::CloseWebSocket), 1);
    send_on(&actions, "/meta/handshake");

    let mut t = T::websocket();
    send_on(&t.start(), "/meta/handshake");
    let now = t.tick();
    let actions = t
        .client
        .receive_websocket(now, "<html>502 Bad Gateway</html>");
    assert!(has(
        &actions,
        &Action::UseTransport(ConnectionType::LongPolling)
    ));
    send_on(&actions, "/meta/handshake");
}

#[test]
fn websocket_failure_after_a_handshake_keeps_websocket() {
    let mut t = T::websocket();
    let connect = t.connected();
    let actions = t.fail(&connect);
    assert!(!actions.iter().any(|a| matches!(a, Action::UseTransport(_))));
    assert!(has(&actions, &Action::Interrupted));
    let retry = send_on(&t.fire(Timer::Backoff), "/meta/connect");
    assert_eq!(retry.connection_type, ConnectionType::WebSocket);
    // The socket closing while nothing is in flight changes nothing.
    let actions = t.answer(&retry, &connect_ok(&retry.mid(0), 2, 500));
    assert_eq!(timers_set(&actions), vec![(Timer::Interval, 500)]);
    let now = t.tick();
    assert!(t.client.websocket_closed(now).is_empty());
    assert_eq!(t.client.state(), State::Connected);
}

#[test]
fn server_without_websocket_switches_to_long_polling_after_the_handshake() {
    let mut t = T::websocket();
    let handshake = send_on(&t.start(), "/meta/handshake");
    let reply = format!(
        r#"[{{"channel":"/meta/handshake","id":"1","clientId":"{CLIENT_ID}","version":"1.0","supportedConnectionTypes":["long-polling","callback-polling"],"successful":true,"advice":{{"reconnect":"retry","interval":0,"timeout":25000}}}}]"#
    );
    let actions = t.answer(&handshake, &reply);
    assert!(has(
        &actions,
        &Action::UseTransport(ConnectionType::LongPolling)
    ));
    let connect = send_on(&actions, "/meta/connect");
    assert_eq!(connect.connection_type, ConnectionType::LongPolling);
    assert_eq!(
        connect.message(0).get("connectionType"),
        Some(&Json::str("long-polling"))
    );
    // No ack echo: no ack extension on connects.
    assert_eq!(connect.message(0).get("ext"), None);
    assert!(!t.client.ack_active());

    // No common type at all: stop.
    let mut t = T::long_polling();
    let handshake = send_on(&t.start(), "/meta/handshake");
    let reply = format!(
        r#"[{{"channel":"/meta/handshake","id":"1","clientId":"{CLIENT_ID}","supportedConnectionTypes":["callback-polling"],"successful":true}}]"#
    );
    let actions = t.answer(&handshake, &reply);
    assert_eq!(
        states(&actions),
        vec![State::Terminated {
            error: Some(ERROR_NO_CONNECTION_TYPE.to_owned())
        }]
    );
}

// ---------------------------------------------------------------------------------------------
// Garbage and reply matching

#[test]
fn garbage_is_a_transport_failure() {
    let mut t = T::long_polling();
    let connect = t.connected();
    let now = t.tick();
    let actions = t
        .client
        .receive_http(now, connect.id, "<html>gateway timeout</html>");
    assert!(has(&actions, &Action::Interrupted));
    assert_eq!(timers_set(&actions), vec![(Timer::Backoff, 0)]);

    let mut t = T::websocket();
    let _connect = t.connected();
    let now = t.tick();
    let actions = t.client.receive_websocket(now, "{\"channel\":");
    assert_eq!(count(&actions, &Action::CloseWebSocket), 1);
    assert!(has(&actions, &Action::Interrupted));
}

#[test]
fn arbitrary_input_never_panics_and_memory_stays_bounded() {
    let inputs = [
        "", " ", "null", "true", "0", "-1e999", "\"\"", "[]", "{}", "[[]]", "[null]", "[1,2,3]",
        "{\"channel\":null}", "[{\"channel\":\"/meta/connect\"}]",
        "[{\"channel\":\"/meta/connect\",\"id\":[],\"successful\":\"yes\"}]",
        "[{\"channel\":\"/meta/handshake\",\"id\":\"1\",\"successful\":true,\"clientId\":\"\"}]",
        "[{\"channel\":\"/meta/handshake\",\"id\":1,\"successful\":true,\"clientId\":7}]",
        "[{\"channel\":\"/meta/connect\",\"id\":\"2\",\"successful\":true,\"advice\":{\"interval\":1e308,\"timeout\":-4}}]",
        "[{\"channel\":\"/meta/connect\",\"id\":\"3\",\"successful\":true,\"ext\":{\"ack\":{\"x\":1}}}]",
        "[{\"channel\":\"/x\",\"data\":",
        "\u{0}\u{1}\u{7f}",
        "[{\"channel\":\"/a\",\"data\":1},{\"channel\":\"/meta/connect\",\"id\":\"99\",\"successful\":false,\"error\":\"402\"}]",
    ];
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    for config in [
        BayeuxConfig::default(),
        BayeuxConfig {
            websocket_enabled: false,
            ..BayeuxConfig::default()
        },
    ] {
        let mut t = T::new(config);
        t.client.subscribe("/**");
        t.start();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for step in 0..5000 {
            t.random.set((next() % 1000) as f64 / 1000.0);
            let now = t.tick();
            let pick = next();
            let request = RequestId(next() % 40);
            let text = match pick % 4 {
                0 => deep.as_str(),
                _ => inputs[(next() as usize) % inputs.len()],
            };
            // Shape replies to what the machine actually sent now and then.
            let actions = match pick % 11 {
                0 => t.client.receive_http(now, request, text),
                1 => t.client.receive_websocket(now, text),
                2 => t.client.request_failed(now, request),
                3 => t.client.websocket_closed(now),
                4 => t.client.timer_fired(now, Timer::Backoff),
                5 => t.client.timer_fired(now, Timer::Interval),
                6 => t.client.timer_fired(now, Timer::Request(request)),
                7 => t.client.publish("/chat/a", Json::Number(step as f64)).1,
                8 => t.client.subscribe(&format!("/s/{}", next() % 8)),
                9 => t.client.unsubscribe(&format!("/s/{}", next() % 8)),
                _ => {
                    if next() % 50 == 0 {
                        t.client.disconnect(now)
                    } else {
                        t.client.start(now)
                    }
                }
            };
            for action in &actions {
                if let Action::SetTimer { delay_ms, .. } = action {
                    assert!(*delay_ms <= MAX_DELAY_MS);
                }
            }
            let (in_flight, outbox, _) = t.client.queue_sizes();
            assert!(
                in_flight <= 1100,
                "step {step}: {in_flight} requests in flight"
            );
            assert!(outbox <= 1000 + 256, "step {step}: {outbox} queued");
        }
    }
}

#[test]
fn replies_are_matched_by_id_and_channel() {
    let mut t = T::websocket();
    let handshake = send_on(&t.start(), "/meta/handshake");
    // A reply with another id, or with the right id on another channel, is ignored.
    let actions = t.answer(&handshake, &handshake_ok("42", true));
    assert!(sends(&actions).is_empty());
    assert_eq!(t.client.client_id(), None);
    let wrong_channel = r#"[{"channel":"/meta/connect","id":"1","successful":true}]"#;
    assert!(t.answer(&handshake, wrong_channel).is_empty());
    // A numeric id echo matches its string form.
    let actions = t.answer(
        &handshake,
        &handshake_ok("1", true).replace("\"id\":\"1\"", "\"id\":1"),
    );
    let connect = send_on(&actions, "/meta/connect");
    // Out-of-order replies in one frame are matched individually.
    let (a, actions) = t.publish("/chat/a", "1");
    let first = send_on(&actions, "/chat/a");
    let (b, actions) = t.publish("/chat/a", "2");
    let second = send_on(&actions, "/chat/a");
    let text = format!(
        r#"[{{"channel":"/chat/a","id":"{}","successful":true}},{{"channel":"/chat/a","id":"{}","successful":false,"error":"500::x"}}]"#,
        second.mid(0),
        first.mid(0)
    );
    let actions = t.answer(&second, &text);
    assert_eq!(
        acks(&actions),
        vec![(b, true, None), (a, false, Some("500::x".to_owned()))]
    );
    let _ = connect;
}

#[test]
fn message_ids_increase_and_are_never_reused() {
    let mut t = T::websocket();
    let mut ids = Vec::new();
    let mut connect = t.connected();
    for round in 0..3 {
        let (_, actions) = t.publish("/chat/a", "1");
        let publish = send_on(&actions, "/chat/a");
        ids.push(publish.mid(0));
        t.answer(&publish, &publish_ok("/chat/a", &publish.mid(0)));
        ids.push(connect.mid(0));
        let actions = if round == 1 {
            // A re-handshake in the middle.
            t.answer(&connect, &connect_402(&connect.mid(0)));
            let handshake = send_on(&t.fire(Timer::Backoff), "/meta/handshake");
            ids.push(handshake.mid(0));
            t.answer(&handshake, &handshake_ok(&handshake.mid(0), true))
        } else {
            t.answer(&connect, &connect_ok(&connect.mid(0), round + 2, 0))
        };
        connect = send_on(&actions, "/meta/connect");
    }
    let numbers: Vec<u64> = ids.iter().filter_map(|id| id.parse().ok()).collect();
    assert_eq!(numbers.len(), ids.len());
    let mut sorted = numbers.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), numbers.len(), "unique: {ids:?}");
}

// ---------------------------------------------------------------------------------------------
// Acknowledge extension

#[test]
fn ack_batch_ids_round_trip() {
    let mut t = T::long_polling();
    t.client.subscribe("/chat/ack");
    let actions = t.start();
    let handshake = send_on(&actions, "/meta/handshake");
    assert_eq!(
        handshake.message(0).get("ext"),
        Some(&json(r#"{"ack":true}"#))
    );
    let actions = t.answer(&handshake, &handshake_ok("1", true));
    let connect = send_on(&actions, "/meta/connect");
    assert_eq!(connect.message(0).get("ext"), Some(&json(r#"{"ack":0}"#)));
    // Deliveries ride on the connect reply, which closes batch 7.
    let text = format!(
        "[{},{}]",
        delivery("/chat/ack", "1"),
        connect_ok(&connect.mid(0), 7, 0).trim_matches(['[', ']'])
    );
    let actions = t.answer(&connect, &text);
    assert_eq!(
        deliveries(&actions),
        vec![("/chat/ack".to_owned(), json("1"))]
    );
    let next = send_on(&actions, "/meta/connect");
    assert_eq!(next.message(0).get("ext"), Some(&json(r#"{"ack":7}"#)));
    // The next reply is lost: the retry still acknowledges 7 and the server re-sends; the
    // re-sent message is delivered again (the chat layer dedupes by transcript index).
    let actions = t.fail(&next);
    assert_eq!(timers_set(&actions), vec![(Timer::Backoff, 0)]);
    let retry = send_on(&t.fire(Timer::Backoff), "/meta/connect");
    assert_eq!(retry.message(0).get("ext"), Some(&json(r#"{"ack":7}"#)));
    let text = format!(
        "[{},{},{}]",
        delivery("/chat/ack", "2"),
        delivery("/chat/ack", "3"),
        connect_ok(&retry.mid(0), 9, 0)
            .trim_matches(['[', ']'])
            .replace("\"ack\":9", "\"ack\":\"9\"")
    );
    let actions = t.answer(&retry, &text);
    assert_eq!(deliveries(&actions).len(), 2);
    let next = send_on(&actions, "/meta/connect");
    assert_eq!(
        next.message(0).get("ext"),
        Some(&json(r#"{"ack":9}"#)),
        "string batch ids are read too"
    );
}

#[test]
fn ack_disabled_or_not_echoed() {
    let mut t = T::new(BayeuxConfig {
        ack_enabled: false,
        handshake_ext: Some(json(r#"{"agentToken":"tok"}"#)),
        ..BayeuxConfig::default()
    });
    let handshake = send_on(&t.start(), "/meta/handshake");
    assert_eq!(
        handshake.message(0).get("ext"),
        Some(&json(r#"{"agentToken":"tok"}"#))
    );
    // Even if the server claims ack, the client did not ask: no ack on connects.
    let actions = t.answer(&handshake, &handshake_ok("1", true));
    let connect = send_on(&actions, "/meta/connect");
    assert_eq!(connect.message(0).get("ext"), None);

    let mut t = T::new(BayeuxConfig {
        handshake_ext: Some(json(r#"{"agentToken":"tok"}"#)),
        ..BayeuxConfig::default()
    });
    let handshake = send_on(&t.start(), "/meta/handshake");
    assert_eq!(
        handshake.message(0).get("ext"),
        Some(&json(r#"{"agentToken":"tok","ack":true}"#))
    );
    let actions = t.answer(&handshake, &handshake_ok("1", false));
    let connect = send_on(&actions, "/meta/connect");
    assert_eq!(connect.message(0).get("ext"), None);

    // A new token for the next handshake.
    t.client
        .set_handshake_ext(Some(json(r#"{"agentToken":"new"}"#)));
    let actions = t.answer(&connect, &connect_402(&connect.mid(0)));
    assert_eq!(timers_set(&actions), vec![(Timer::Backoff, 0)]);
    let handshake = send_on(&t.fire(Timer::Backoff), "/meta/handshake");
    assert_eq!(
        handshake.message(0).get("ext"),
        Some(&json(r#"{"agentToken":"new","ack":true}"#))
    );
}

#[test]
fn ack_object_form_at_handshake() {
    // Newer CometD servers answer `ext.ack` as {enabled, batch}.
    let mut t = T::websocket();
    let handshake = send_on(&t.start(), "/meta/handshake");
    let reply = handshake_ok("1", false).replace(
        r#""timeout":25000}"#,
        r#""timeout":25000},"ext":{"ack":{"enabled":true,"batch":4}}"#,
    );
    let actions = t.answer(&handshake, &reply);
    let connect = send_on(&actions, "/meta/connect");
    assert_eq!(connect.message(0).get("ext"), Some(&json(r#"{"ack":4}"#)));
}

// ---------------------------------------------------------------------------------------------
// Disconnect

#[test]
fn disconnect_cancels_timers_and_stops() {
    let mut t = T::websocket();
    let connect = t.connected();
    // Put an interval timer in place, and a publish in flight and one queued.
    let actions = t.answer(&connect, &connect_ok(&connect.mid(0), 2, 5000));
    assert_eq!(timers_set(&actions), vec![(Timer::Interval, 5000)]);
    let (first, actions) = t.publish("/chat/a", "1");
    let publish = send_on(&actions, "/chat/a");
    let now = t.tick();
    let actions = t.client.disconnect(now);
    assert!(has(&actions, &Action::CancelTimer(Timer::Interval)));
    assert!(has(
        &actions,
        &Action::CancelTimer(Timer::Request(publish.id))
    ));
    let disconnect = send_on(&actions, "/meta/disconnect");
    assert_eq!(
        disconnect.message(0),
        json(&format!(
            r#"{{"channel":"/meta/disconnect","id":"{}","clientId":"{CLIENT_ID}"}}"#,
            disconnect.mid(0)
        ))
    );
    // The socket closes after the disconnect frame.
    let close = actions.iter().position(|a| *a == Action::CloseWebSocket);
    let send = actions
        .iter()
        .position(|a| matches!(a, Action::Send { .. }));
    assert!(close > send);
    assert!(timers_set(&actions).is_empty());
    assert_eq!(
        acks(&actions),
        vec![(first, false, Some(ERROR_DISCONNECTED.to_owned()))]
    );
    assert_eq!(states(&actions), vec![State::Disconnected]);
    // Everything afterwards is ignored.
    assert!(t.fire(Timer::Interval).is_empty());
    assert!(t
        .answer(&publish, &publish_ok("/chat/a", &publish.mid(0)))
        .is_empty());
    assert!(t.fail(&disconnect).is_empty());
    let now = t.tick();
    assert!(t.client.disconnect(now).is_empty());
}

#[test]
fn disconnect_over_long_polling_aborts_requests() {
    let mut t = T::long_polling();
    let connect = t.connected();
    let now = t.tick();
    let actions = t.client.disconnect(now);
    assert!(has(
        &actions,
        &Action::Abort {
            request_id: connect.id
        }
    ));
    assert!(has(
        &actions,
        &Action::CancelTimer(Timer::Request(connect.id))
    ));
    send_on(&actions, "/meta/disconnect");
    assert!(!has(&actions, &Action::CloseWebSocket));
}

#[test]
fn disconnect_while_backing_off_cancels_the_backoff() {
    let mut t = T::long_polling();
    let handshake = send_on(&t.start(), "/meta/handshake");
    t.fail(&handshake);
    let now = t.tick();
    let actions = t.client.disconnect(now);
    assert!(has(&actions, &Action::CancelTimer(Timer::Backoff)));
    assert!(
        sends(&actions).is_empty(),
        "no client id: nothing to disconnect"
    );
    assert_eq!(states(&actions), vec![State::Disconnected]);
}

// ---------------------------------------------------------------------------------------------
// A whole session, with replies exactly as hotline-server sends them

/// Replies copied from what `server/src/bayeux` produces (see `server/tests/bayeux.rs` and
/// `OutMessage`'s field order), for a GMS-style chat over long-polling: handshake with ack,
/// first connect answered at once, service publish with its delivery after the reply, a held
/// connect answered by a delivery with a new batch, a 402 after the server forgot the client.
#[test]
fn scripted_session_with_server_replies() {
    let mut t = T::long_polling();
    t.client.subscribe("/service/chatV2/customer-support");
    let handshake = send_on(&t.start(), "/meta/handshake");
    let actions = t.answer(
        &handshake,
        r#"[{"channel":"/meta/handshake","id":"1","clientId":"9d0c6bb1f2f64c7fa8a5e1b7a3a3b1c2","version":"1.0","supportedConnectionTypes":["websocket","long-polling"],"successful":true,"advice":{"reconnect":"retry","interval":0,"timeout":25000},"ext":{"ack":true}}]"#,
    );
    let connect = send_on(&actions, "/meta/connect");
    assert_eq!(connect.mid(0), "2");
    let actions = t.answer(
        &connect,
        r#"[{"channel":"/meta/connect","id":"2","clientId":"9d0c6bb1f2f64c7fa8a5e1b7a3a3b1c2","successful":true,"advice":{"reconnect":"retry","interval":0,"timeout":25000},"ext":{"ack":1}}]"#,
    );
    let held = send_on(&actions, "/meta/connect");
    assert_eq!(held.mid(0), "3");
    assert_eq!(held.message(0).get("ext"), Some(&json(r#"{"ack":1}"#)));

    let (request_chat, actions) = t.publish(
        "/service/chatV2/customer-support",
        r#"{"operation":"requestChat","nickname":"Ann","subject":"Billing"}"#,
    );
    let publish = send_on(&actions, "/service/chatV2/customer-support");
    assert_eq!(publish.mid(0), "4");
    let actions = t.answer(
        &publish,
        r#"[{"channel":"/service/chatV2/customer-support","id":"4","successful":true}]"#,
    );
    assert_eq!(acks(&actions), vec![(request_chat, true, None)]);
    // With acks, the service data rides on the held connect's reply.
    let actions = t.answer(
        &held,
        r#"[{"channel":"/service/chatV2/customer-support","data":{"chatEnded":false,"statusCode":0,"secureKey":"sk1","userId":"u1","chatId":"c1","alias":"117","nextPosition":2,"messages":[{"from":{"nickname":"Ann","participantId":1,"type":"Client"},"index":1,"type":"ParticipantJoined","utcTime":1700000000000}]}},{"channel":"/meta/connect","id":"3","clientId":"9d0c6bb1f2f64c7fa8a5e1b7a3a3b1c2","successful":true,"advice":{"reconnect":"retry","interval":0,"timeout":25000},"ext":{"ack":2}}]"#,
    );
    let delivered = deliveries(&actions);
    assert_eq!(delivered.len(), 1);
    assert_eq!(
        delivered[0].1.get("secureKey").and_then(Json::as_str),
        Some("sk1")
    );
    let held = send_on(&actions, "/meta/connect");
    assert_eq!(held.message(0).get("ext"), Some(&json(r#"{"ack":2}"#)));

    // The server expired the client (tab frozen); its next answer is a 402.
    let actions = t.answer(
        &held,
        &format!(
            r#"[{{"channel":"/meta/connect","id":"{}","successful":false,"error":"402::Unknown client","advice":{{"reconnect":"handshake","interval":0}}}}]"#,
            held.mid(0)
        ),
    );
    assert!(has(&actions, &Action::Interrupted));
    let handshake = send_on(&t.fire(Timer::Backoff), "/meta/handshake");
    let actions = t.answer(
        &handshake,
        &format!(
            r#"[{{"channel":"/meta/handshake","id":"{}","clientId":"5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e","version":"1.0","supportedConnectionTypes":["websocket","long-polling"],"successful":true,"advice":{{"reconnect":"retry","interval":0,"timeout":25000}},"ext":{{"ack":true}}}}]"#,
            handshake.mid(0)
        ),
    );
    assert!(has(
        &actions,
        &Action::Handshaken {
            client_id: "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e".to_owned(),
            rehandshake: true
        }
    ));
    // The chat layer asks for notifications again.
    let (again, actions) = t.publish(
        "/service/chatV2/customer-support",
        r#"{"operation":"requestNotifications","secureKey":"sk1","transcriptPosition":2}"#,
    );
    let publish = send_on(&actions, "/service/chatV2/customer-support");
    assert_eq!(
        publish.message(0).get("clientId"),
        Some(&Json::str("5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e"))
    );
    let actions = t.answer(
        &publish,
        &publish_ok("/service/chatV2/customer-support", &publish.mid(0)),
    );
    assert_eq!(acks(&actions), vec![(again, true, None)]);
}
