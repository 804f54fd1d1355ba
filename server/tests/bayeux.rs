//! The Bayeux engine over real HTTP (long-polling, with reqwest) and WebSocket
//! (tokio-tungstenite), with a small test application.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use futures_util::{SinkExt, StreamExt};
use hotline_server::bayeux::{
    Bayeux, BayeuxApp, BayeuxConfig, ClientInfo, Identity, RemovalReason, ServiceReply,
};
use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

// ---------------------------------------------------------------------------------------------
// The test application

/// Refuses handshakes with `ext.deny == true`, subscriptions to `/private/**` and publishes to
/// `/readonly/**`; `/service/echo` delivers the data back, then `{"done": true}`;
/// `/service/fail` fails. Records removals.
#[derive(Default)]
struct TestApp {
    bayeux: OnceLock<Bayeux>,
    removed: Mutex<Vec<(String, RemovalReason)>>,
}

impl TestApp {
    fn removals(&self) -> Vec<(String, RemovalReason)> {
        self.removed.lock().expect("removals lock").clone()
    }
}

#[async_trait]
impl BayeuxApp for TestApp {
    async fn handshake(&self, ext: Option<&Value>) -> Result<Identity, String> {
        if ext.and_then(|ext| ext.get("deny")) == Some(&Value::Bool(true)) {
            return Err("403::Handshake denied".to_owned());
        }
        Ok(Identity::Anonymous)
    }

    async fn can_subscribe(&self, _client: &ClientInfo, subscription: &str) -> Result<(), String> {
        if subscription.starts_with("/private/") {
            return Err(format!("403:{subscription}:Private channel"));
        }
        Ok(())
    }

    fn can_publish(&self, _client: &ClientInfo, channel: &str) -> Result<(), String> {
        if channel.starts_with("/readonly/") {
            return Err(format!("403:{channel}:Read-only channel"));
        }
        Ok(())
    }

    async fn service(&self, client: &ClientInfo, channel: &str, data: &Value) -> ServiceReply {
        let Some(bayeux) = self.bayeux.get() else {
            return ServiceReply::Error("500::Not ready".to_owned());
        };
        match channel {
            "/service/echo" => {
                bayeux.deliver(&client.client_id, channel, data.clone());
                // Let anything that could steal the delivery run before the reply is made.
                tokio::time::sleep(Duration::from_millis(20)).await;
                bayeux.deliver(&client.client_id, channel, json!({"done": true}));
                ServiceReply::Ok
            }
            "/service/fail" => ServiceReply::Error("500:/service/fail:Broken".to_owned()),
            _ => ServiceReply::Error(format!("404:{channel}:Unknown service")),
        }
    }

    fn client_removed(&self, client: &ClientInfo, reason: RemovalReason) {
        self.removed
            .lock()
            .expect("removals lock")
            .push((client.client_id.clone(), reason));
    }
}

// ---------------------------------------------------------------------------------------------
// Harness

struct Server {
    address: String,
    bayeux: Bayeux,
    app: Arc<TestApp>,
}

impl Server {
    fn http_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    fn ws_url(&self) -> String {
        format!("ws://{}/cometd", self.address)
    }
}

/// Test timings: connects held 500 ms; clients survive 2 s without connecting.
fn config() -> BayeuxConfig {
    BayeuxConfig {
        timeout: Duration::from_millis(500),
        interval: Duration::ZERO,
        max_interval: Duration::from_secs(2),
        multiple_clients_interval: Duration::from_millis(1500),
    }
}

/// For tests that must see a connect stay held: a long hold, never reached.
fn long_hold_config() -> BayeuxConfig {
    BayeuxConfig {
        timeout: Duration::from_secs(30),
        ..config()
    }
}

async fn start(config: BayeuxConfig) -> Server {
    let app = Arc::new(TestApp::default());
    let bayeux = Bayeux::new(config, app.clone());
    assert!(app.bayeux.set(bayeux.clone()).is_ok());
    let router: axum::Router = bayeux.router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Server {
        address,
        bayeux,
        app,
    }
}

/// One browser long-polling: its own cookie jar.
#[derive(Clone)]
struct Browser {
    http: reqwest::Client,
    url: String,
}

impl Browser {
    fn new(server: &Server) -> Self {
        Self {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .expect("client"),
            url: server.http_url("/cometd"),
        }
    }

    async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        let url = format!("{}{path}", self.url);
        self.http
            .post(url)
            .header(CONTENT_TYPE, "application/json;charset=UTF-8")
            .body(body.to_string())
            .send()
            .await
            .expect("POST")
    }

    /// Posts a batch to `/cometd`; expects 200 and a JSON array.
    async fn send(&self, body: Value) -> Vec<Value> {
        self.send_to("", body).await
    }

    async fn send_to(&self, path: &str, body: Value) -> Vec<Value> {
        let response = self.post(path, body).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("JSON array")
    }

    async fn handshake_with(&self, ext: Value) -> Vec<Value> {
        self.send(json!([{
            "channel": "/meta/handshake", "version": "1.0", "minimumVersion": "1.0",
            "supportedConnectionTypes": ["long-polling"], "id": "1", "ext": ext,
        }]))
        .await
    }

    async fn handshake(&self) -> String {
        let replies = self.handshake_with(json!({})).await;
        client_id_of(&replies)
    }

    async fn connect_with(&self, client_id: &str, ext: Value) -> Vec<Value> {
        self.send(json!([{
            "channel": "/meta/connect", "clientId": client_id,
            "connectionType": "long-polling", "id": "c", "ext": ext,
        }]))
        .await
    }

    async fn connect(&self, client_id: &str) -> Vec<Value> {
        self.connect_with(client_id, json!({})).await
    }

    /// A connect sent in the background (to be held).
    fn spawn_connect(&self, client_id: &str) -> JoinHandle<Vec<Value>> {
        let browser = self.clone();
        let client_id = client_id.to_owned();
        tokio::spawn(async move { browser.connect(&client_id).await })
    }

    async fn subscribe(&self, client_id: &str, subscription: Value) -> Value {
        let replies = self
            .send(json!([{
                "channel": "/meta/subscribe", "clientId": client_id,
                "subscription": subscription, "id": "s",
            }]))
            .await;
        reply_on(&replies, "/meta/subscribe")
    }

    async fn publish(&self, client_id: &str, channel: &str, data: Value) -> Vec<Value> {
        self.send(json!([{ "channel": channel, "clientId": client_id, "data": data, "id": "p" }]))
            .await
    }
}

/// A session that is handshaken and has done its first (immediate) connect, so that the next
/// connect is held.
async fn connected_client(browser: &Browser) -> String {
    let client_id = browser.handshake().await;
    let first = browser.connect(&client_id).await;
    assert_eq!(reply_on(&first, "/meta/connect")["successful"], json!(true));
    client_id
}

fn client_id_of(replies: &[Value]) -> String {
    let reply = reply_on(replies, "/meta/handshake");
    assert_eq!(reply["successful"], json!(true), "{reply}");
    reply["clientId"].as_str().expect("clientId").to_owned()
}

/// The reply on `channel` (a message with `successful`).
fn reply_on(messages: &[Value], channel: &str) -> Value {
    messages
        .iter()
        .find(|m| m["channel"] == json!(channel) && m.get("successful").is_some())
        .cloned()
        .unwrap_or_else(|| panic!("no reply on {channel} in {messages:?}"))
}

/// The data of deliveries (messages with `data`), as (channel, data), in order.
fn deliveries(messages: &[Value]) -> Vec<(String, Value)> {
    messages
        .iter()
        .filter(|m| m.get("data").is_some() && m.get("successful").is_none())
        .map(|m| {
            (
                m["channel"].as_str().unwrap_or("").to_owned(),
                m["data"].clone(),
            )
        })
        .collect()
}

async fn join(handle: JoinHandle<Vec<Value>>) -> Vec<Value> {
    tokio::time::timeout(Duration::from_secs(10), handle)
        .await
        .expect("held connect answered")
        .expect("task")
}

/// Is the background connect still held after a short while?
async fn still_held(handle: &mut JoinHandle<Vec<Value>>) -> bool {
    tokio::time::timeout(Duration::from_millis(150), handle)
        .await
        .is_err()
}

async fn wait_for_removal(app: &TestApp, client_id: &str) -> RemovalReason {
    for _ in 0..200 {
        if let Some((_, reason)) = app.removals().into_iter().find(|(id, _)| id == client_id) {
            return reason;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("client {client_id} was never removed");
}

/// A WebSocket client.
struct Socket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Messages received but not yet consumed by `recv_until`.
    pending: Vec<Value>,
}

impl Socket {
    async fn open(server: &Server, cookie: Option<&str>) -> (Self, Option<String>) {
        let mut request = server.ws_url().into_client_request().expect("request");
        if let Some(cookie) = cookie {
            request
                .headers_mut()
                .insert(COOKIE, cookie.parse().expect("cookie header"));
        }
        let (stream, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("WebSocket");
        let set_cookie = response
            .headers()
            .get(SET_COOKIE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let socket = Self {
            stream,
            pending: Vec::new(),
        };
        (socket, set_cookie)
    }

    async fn send(&mut self, body: Value) {
        self.send_text(body.to_string()).await;
    }

    async fn send_text(&mut self, text: String) {
        self.stream
            .send(Message::text(text))
            .await
            .expect("send frame");
    }

    /// Receives frames until the messages received so far satisfy `done`; returns them all.
    async fn recv_until(&mut self, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !done(&self.pending) {
            let frame = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .unwrap_or_else(|_| panic!("timed out; received {:?}", self.pending))
                .expect("socket open")
                .expect("frame");
            if let Message::Text(text) = frame {
                let batch: Vec<Value> = serde_json::from_str(text.as_str()).expect("JSON array");
                self.pending.extend(batch);
            }
        }
        std::mem::take(&mut self.pending)
    }

    async fn recv_reply(&mut self, channel: &str) -> Vec<Value> {
        let channel = channel.to_owned();
        self.recv_until(move |messages| {
            messages
                .iter()
                .any(|m| m["channel"] == json!(channel) && m.get("successful").is_some())
        })
        .await
    }

    async fn handshake(&mut self, ext: Value) -> String {
        self.send(json!([{
            "channel": "/meta/handshake", "version": "1.0",
            "supportedConnectionTypes": ["websocket", "long-polling"], "id": "1", "ext": ext,
        }]))
        .await;
        client_id_of(&self.recv_reply("/meta/handshake").await)
    }

    async fn send_connect(&mut self, client_id: &str, ext: Value) {
        self.send(json!([{
            "channel": "/meta/connect", "clientId": client_id,
            "connectionType": "websocket", "ext": ext,
        }]))
        .await;
    }

    async fn subscribe(&mut self, client_id: &str, subscription: &str) {
        self.send(json!([{
            "channel": "/meta/subscribe", "clientId": client_id, "subscription": subscription,
        }]))
        .await;
        let replies = self.recv_reply("/meta/subscribe").await;
        assert_eq!(
            reply_on(&replies, "/meta/subscribe")["successful"],
            json!(true)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Handshake

#[tokio::test]
async fn handshake_creates_a_client_with_advice() {
    let server = start(config()).await;
    let replies = Browser::new(&server).handshake_with(json!({})).await;
    assert_eq!(replies.len(), 1);
    let reply = &replies[0];
    assert_eq!(reply["channel"], "/meta/handshake");
    assert_eq!(reply["successful"], true);
    assert_eq!(reply["version"], "1.0");
    assert_eq!(reply["id"], "1");
    assert_eq!(
        reply["supportedConnectionTypes"],
        json!(["websocket", "long-polling"])
    );
    assert_eq!(
        reply["advice"],
        json!({"reconnect": "retry", "interval": 0, "timeout": 500})
    );
    let client_id = reply["clientId"].as_str().expect("clientId");
    assert!(
        client_id.len() >= 32,
        "client ids carry 128 bits: {client_id}"
    );
    assert!(reply.get("ext").is_none());

    let other = Browser::new(&server).handshake().await;
    assert_ne!(other, client_id);
}

#[tokio::test]
async fn handshake_refused_by_the_application() {
    let server = start(config()).await;
    let replies = Browser::new(&server)
        .handshake_with(json!({"deny": true}))
        .await;
    let reply = reply_on(&replies, "/meta/handshake");
    assert_eq!(reply["successful"], false);
    assert_eq!(reply["error"], "403::Handshake denied");
    assert_eq!(reply["advice"]["reconnect"], "none");
    assert_eq!(reply["id"], "1");
    assert!(reply.get("clientId").is_none());
}

#[tokio::test]
async fn handshake_with_the_ack_extension() {
    let server = start(config()).await;
    let replies = Browser::new(&server)
        .handshake_with(json!({"ack": true}))
        .await;
    assert_eq!(
        reply_on(&replies, "/meta/handshake")["ext"],
        json!({"ack": true})
    );
}

// ---------------------------------------------------------------------------------------------
// Connect

#[tokio::test]
async fn first_connect_is_answered_at_once_with_advice() {
    let server = start(long_hold_config()).await;
    let browser = Browser::new(&server);
    let client_id = browser.handshake().await;
    let replies = browser.connect(&client_id).await;
    let reply = reply_on(&replies, "/meta/connect");
    assert_eq!(reply["successful"], true);
    assert_eq!(reply["id"], "c");
    assert_eq!(
        reply["advice"],
        json!({"reconnect": "retry", "interval": 0, "timeout": 30000})
    );
}

#[tokio::test]
async fn held_connect_is_answered_by_a_publish_from_another_client() {
    let server = start(long_hold_config()).await;
    let subscriber = Browser::new(&server);
    let receiver = connected_client(&subscriber).await;
    assert_eq!(
        subscriber.subscribe(&receiver, json!("/chat/room")).await["successful"],
        true
    );
    let mut held = subscriber.spawn_connect(&receiver);
    assert!(still_held(&mut held).await);

    let publisher = Browser::new(&server);
    let sender = publisher.handshake().await;
    let replies = publisher
        .publish(&sender, "/chat/room", json!({"text": "hi"}))
        .await;
    let reply = reply_on(&replies, "/chat/room");
    assert_eq!(
        reply,
        json!({"channel": "/chat/room", "successful": true, "id": "p"})
    );

    let answered = join(held).await;
    assert_eq!(
        deliveries(&answered),
        vec![("/chat/room".to_owned(), json!({"text": "hi"}))]
    );
    // The delivery carries the publisher's message id; the connect reply comes last.
    assert_eq!(answered[0]["id"], "p");
    assert_eq!(
        answered.last().map(|m| m["channel"].clone()),
        Some(json!("/meta/connect"))
    );
    assert_eq!(reply_on(&answered, "/meta/connect")["successful"], true);
}

#[tokio::test]
async fn held_connect_times_out_with_advice() {
    let server = start(config()).await;
    let browser = Browser::new(&server);
    let client_id = connected_client(&browser).await;
    let replies = browser.connect(&client_id).await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    let reply = &replies[0];
    assert_eq!(reply["successful"], true);
    assert_eq!(
        reply["advice"],
        json!({"reconnect": "retry", "interval": 0, "timeout": 500})
    );
}

#[tokio::test]
async fn client_advice_timeout_zero_is_not_held() {
    let server = start(long_hold_config()).await;
    let browser = Browser::new(&server);
    let client_id = connected_client(&browser).await;
    let replies = browser
        .send(json!([{
            "channel": "/meta/connect", "clientId": client_id,
            "connectionType": "long-polling", "advice": {"timeout": 0},
        }]))
        .await;
    assert_eq!(reply_on(&replies, "/meta/connect")["successful"], true);
}

#[tokio::test]
async fn a_second_connect_completes_the_first() {
    let server = start(long_hold_config()).await;
    let browser = Browser::new(&server);
    let client_id = connected_client(&browser).await;
    let mut first = browser.spawn_connect(&client_id);
    assert!(still_held(&mut first).await);
    let mut second = browser.spawn_connect(&client_id);

    let superseded = join(first).await;
    assert_eq!(reply_on(&superseded, "/meta/connect")["successful"], true);
    assert!(still_held(&mut second).await);

    // The newer connect is the one that gets deliveries.
    assert!(server.bayeux.deliver(&client_id, "/direct", json!(1)));
    assert_eq!(
        deliveries(&join(second).await),
        vec![("/direct".to_owned(), json!(1))]
    );
}

#[tokio::test]
async fn connect_requires_a_connection_type() {
    let server = start(config()).await;
    let browser = Browser::new(&server);
    let client_id = browser.handshake().await;
    let replies = browser
        .send(json!([{"channel": "/meta/connect", "clientId": client_id, "id": 9}]))
        .await;
    let reply = reply_on(&replies, "/meta/connect");
    assert_eq!(reply["successful"], false);
    assert_eq!(reply["id"], 9);
    assert!(reply["error"]
        .as_str()
        .is_some_and(|e| e.starts_with("400:")));
}

// ---------------------------------------------------------------------------------------------
// Unknown clients, expiry, disconnect

#[tokio::test]
async fn unknown_client_gets_402_and_missing_client_401() {
    let server = start(config()).await;
    let browser = Browser::new(&server);
    let replies = browser
        .send(json!([
            {"channel": "/meta/connect", "clientId": "nope", "connectionType": "long-polling", "id": "7"},
            {"channel": "/chat/x", "clientId": "nope", "data": {}, "id": 8},
            {"channel": "/meta/subscribe", "subscription": "/a", "id": "9"},
        ]))
        .await;
    assert_eq!(
        replies[0],
        json!({
            "channel": "/meta/connect", "id": "7", "successful": false,
            "error": "402::Unknown client", "advice": {"reconnect": "handshake", "interval": 0},
        })
    );
    assert_eq!(replies[1]["channel"], "/chat/x");
    assert_eq!(replies[1]["id"], 8);
    assert_eq!(replies[1]["error"], "402::Unknown client");
    assert_eq!(replies[2]["channel"], "/meta/subscribe");
    assert_eq!(replies[2]["id"], "9");
    assert_eq!(replies[2]["successful"], false);
    assert_eq!(replies[2]["error"], "401::No client ID");
}

#[tokio::test]
async fn a_client_that_stops_connecting_expires() {
    let server = start(BayeuxConfig {
        max_interval: Duration::from_millis(300),
        ..config()
    })
    .await;
    let browser = Browser::new(&server);
    let client_id = connected_client(&browser).await;
    assert_eq!(
        wait_for_removal(&server.app, &client_id).await,
        RemovalReason::Expired
    );
    let replies = browser.connect(&client_id).await;
    assert_eq!(
        reply_on(&replies, "/meta/connect")["error"],
        "402::Unknown client"
    );
    assert!(!server.bayeux.deliver(&client_id, "/x", json!(1)));
}

#[tokio::test]
async fn a_held_connect_keeps_the_client_alive() {
    let server = start(BayeuxConfig {
        timeout: Duration::from_millis(900),
        max_interval: Duration::from_millis(300),
        ..config()
    })
    .await;
    let browser = Browser::new(&server);
    let client_id = connected_client(&browser).await;
    // Held for 900 ms, three times max_interval: still there afterwards.
    let replies = browser.connect(&client_id).await;
    assert_eq!(reply_on(&replies, "/meta/connect")["successful"], true);
    let replies = browser.connect_with(&client_id, json!({})).await;
    assert_eq!(reply_on(&replies, "/meta/connect")["successful"], true);
}

#[tokio::test]
async fn disconnect_removes_the_client_and_ends_its_held_connect() {
    let server = start(long_hold_config()).await;
    let browser = Browser::new(&server);
    let client_id = connected_client(&browser).await;
    let mut held = browser.spawn_connect(&client_id);
    assert!(still_held(&mut held).await);

    let replies = browser
        .send(json!([{"channel": "/meta/disconnect", "clientId": client_id, "id": "d"}]))
        .await;
    let reply = reply_on(&replies, "/meta/disconnect");
    assert_eq!(reply["successful"], true);
    assert_eq!(reply["id"], "d");

    let ended = join(held).await;
    assert_eq!(
        reply_on(&ended, "/meta/connect")["advice"]["reconnect"],
        "none"
    );
    assert_eq!(
        server.app.removals(),
        vec![(client_id.clone(), RemovalReason::Disconnected)]
    );
    let replies = browser.connect(&client_id).await;
    assert_eq!(
        reply_on(&replies, "/meta/connect")["error"],
        "402::Unknown client"
    );
}

// ---------------------------------------------------------------------------------------------
// Subscriptions and publishing

#[tokio::test]
async fn wildcard_subscriptions_match_one_or_any_segments() {
    let server = start(config()).await;
    let subscriber = Browser::new(&server);
    let receiver = connected_client(&subscriber).await;
    let reply = subscriber
        .subscribe(&receiver, json!(["/chat/*", "/news/**"]))
        .await;
    assert_eq!(reply["successful"], true);
    assert_eq!(reply["subscription"], json!(["/chat/*", "/news/**"]));

    let publisher = Browser::new(&server);
    let sender = publisher.handshake().await;
    for channel in [
        "/chat/one",
        "/chat/one/two",
        "/chat",
        "/news/a/b",
        "/news",
        "/other",
    ] {
        let replies = publisher.publish(&sender, channel, json!(channel)).await;
        assert_eq!(reply_on(&replies, channel)["successful"], true);
    }
    let received = deliveries(&subscriber.connect(&receiver).await);
    assert_eq!(
        received,
        vec![
            ("/chat/one".to_owned(), json!("/chat/one")),
            ("/news/a/b".to_owned(), json!("/news/a/b")),
        ]
    );

    let replies = subscriber
        .send(json!([{
            "channel": "/meta/unsubscribe", "clientId": receiver, "subscription": "/chat/*",
        }]))
        .await;
    let reply = reply_on(&replies, "/meta/unsubscribe");
    assert_eq!(reply["successful"], true);
    assert_eq!(reply["subscription"], "/chat/*");
    publisher.publish(&sender, "/chat/one", json!(1)).await;
    publisher.publish(&sender, "/news/x", json!(2)).await;
    let received = deliveries(&subscriber.connect(&receiver).await);
    assert_eq!(received, vec![("/news/x".to_owned(), json!(2))]);
}

#[tokio::test]
async fn overlapping_subscriptions_deliver_once() {
    let server = start(config()).await;
    let browser = Browser::new(&server);
    let client_id = connected_client(&browser).await;
    browser
        .subscribe(&client_id, json!(["/a/b", "/a/*", "/a/**", "/**"]))
        .await;
    // A publisher gets its own message when it subscribed (with its publish reply).
    let mut received = deliveries(&browser.publish(&client_id, "/a/b", json!("once")).await);
    server.bayeux.publish("/a/b", json!("from the server"));
    received.extend(deliveries(&browser.connect(&client_id).await));
    assert_eq!(
        received,
        vec![
            ("/a/b".to_owned(), json!("once")),
            ("/a/b".to_owned(), json!("from the server")),
        ]
    );
}

#[tokio::test]
async fn subscriptions_refused() {
    let server = start(config()).await;
    let browser = Browser::new(&server);
    let client_id = browser.handshake().await;

    let reply = browser.subscribe(&client_id, json!("/private/room")).await;
    assert_eq!(reply["successful"], false);
    assert_eq!(reply["error"], "403:/private/room:Private channel");
    assert_eq!(reply["subscription"], "/private/room");

    for meta in ["/meta/**", "/meta/connect", "/meta/*"] {
        let reply = browser.subscribe(&client_id, json!(meta)).await;
        assert_eq!(reply["successful"], false, "{meta}");
        assert!(
            reply["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("403:")),
            "{reply}"
        );
    }
    for invalid in ["/a//b", "/a/*/b", "a/b", "/a/b*", ""] {
        let reply = browser.subscribe(&client_id, json!(invalid)).await;
        assert_eq!(reply["successful"], false, "{invalid}");
        assert!(
            reply["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("400:")),
            "{reply}"
        );
    }
    // All or nothing: one refused name refuses the whole subscribe.
    let reply = browser
        .subscribe(&client_id, json!(["/public", "/private/x"]))
        .await;
    assert_eq!(reply["successful"], false);
    let publisher = browser.handshake().await;
    browser.publish(&publisher, "/public", json!(1)).await;
    assert!(deliveries(&browser.connect(&client_id).await).is_empty());
    assert!(!server.bayeux.deliver("nobody", "/x", json!(1)));
}

#[tokio::test]
async fn service_subscriptions_succeed_without_being_recorded() {
    let server = start(config()).await;
    let browser = Browser::new(&server);
    let client_id = connected_client(&browser).await;
    let reply = browser.subscribe(&client_id, json!("/service/echo")).await;
    assert_eq!(reply["successful"], true);
    // Nothing published on a service channel reaches it through the subscription.
    server.bayeux.publish("/service/echo", json!("broadcast"));
    let replies = browser.connect(&client_id).await;
    assert!(deliveries(&replies).is_empty(), "{replies:?}");
}

#[tokio::test]
async fn publish_refusals() {
    let server = start(config()).await;
    let browser = Browser::new(&server);
    let client_id = browser.handshake().await;
    let replies = browser
        .send(json!([
            {"channel": "/readonly/news", "clientId": client_id, "data": 1, "id": "1"},
            {"channel": "/chat/*", "clientId": client_id, "data": 1, "id": "2"},
            {"channel": "/chat//x", "clientId": client_id, "data": 1, "id": "3"},
            {"channel": "/chat/x", "clientId": client_id, "id": "4"},
            {"channel": "/meta/unknown", "clientId": client_id, "id": "5"},
            {"channel": "/service/fail", "clientId": client_id, "data": {}, "id": "6"},
            {"channel": "/service/nothing", "clientId": client_id, "data": {}, "id": "7"},
        ]))
        .await;
    let errors: Vec<&str> = replies
        .iter()
        .map(|reply| {
            assert_eq!(reply["successful"], false, "{reply}");
            reply["error"].as_str().unwrap_or("")
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            "403:/readonly/news:Read-only channel",
            "400:/chat/*:Cannot publish to a wildcard channel",
            "400:/chat//x:Invalid channel",
            "400:/chat/x:Missing data",
            "404:/meta/unknown:Unknown channel",
            "500:/service/fail:Broken",
            "404:/service/nothing:Unknown service",
        ]
    );
    let ids: Vec<Value> = replies.iter().map(|reply| reply["id"].clone()).collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5", "6", "7"].map(|id| json!(id)));
}

// ---------------------------------------------------------------------------------------------
// Services

#[tokio::test]
async fn service_data_follows_the_publish_reply_over_long_polling() {
    let server = start(long_hold_config()).await;
    let browser = Browser::new(&server);
    let client_id = connected_client(&browser).await;
    browser.subscribe(&client_id, json!("/service/echo")).await;
    // A held connect on another connection must not take the service data.
    let mut held = browser.spawn_connect(&client_id);
    assert!(still_held(&mut held).await);

    let replies = browser
        .publish(&client_id, "/service/echo", json!({"ask": 1}))
        .await;
    assert_eq!(replies.len(), 3, "{replies:?}");
    assert_eq!(
        replies[0],
        json!({"channel": "/service/echo", "successful": true, "id": "p"})
    );
    assert_eq!(
        deliveries(&replies),
        vec![
            ("/service/echo".to_owned(), json!({"ask": 1})),
            ("/service/echo".to_owned(), json!({"done": true})),
        ]
    );
    assert!(still_held(&mut held).await);
    held.abort();
}

#[tokio::test]
async fn service_data_follows_the_publish_reply_over_websocket() {
    let server = start(long_hold_config()).await;
    let (mut socket, _) = Socket::open(&server, None).await;
    let client_id = socket.handshake(json!({})).await;
    socket.send_connect(&client_id, json!({})).await;
    socket.recv_reply("/meta/connect").await;
    socket.send_connect(&client_id, json!({})).await; // held
    socket.subscribe(&client_id, "/service/echo").await;
    socket
        .send(json!([{
            "channel": "/service/echo", "clientId": client_id, "data": "ping", "id": "e",
        }]))
        .await;
    let received = socket
        .recv_until(|messages| deliveries(messages).len() == 2)
        .await;
    let channels: Vec<(&Value, Option<&Value>)> = received
        .iter()
        .map(|m| (&m["data"], m.get("successful")))
        .collect();
    assert_eq!(
        channels,
        vec![
            (&Value::Null, Some(&json!(true))),
            (&json!("ping"), None),
            (&json!({"done": true}), None),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Transports

#[tokio::test]
async fn websocket_and_long_polling_clients_talk_to_each_other() {
    let server = start(long_hold_config()).await;
    let (mut socket, _) = Socket::open(&server, None).await;
    let ws_client = socket.handshake(json!({})).await;
    socket.subscribe(&ws_client, "/chat/room").await;
    socket.send_connect(&ws_client, json!({})).await;
    socket.recv_reply("/meta/connect").await;
    socket.send_connect(&ws_client, json!({})).await; // held

    let browser = Browser::new(&server);
    let lp_client = connected_client(&browser).await;
    browser.subscribe(&lp_client, json!("/chat/room")).await;
    let mut held = browser.spawn_connect(&lp_client);
    assert!(still_held(&mut held).await);

    // WebSocket → long-polling (and back to the WebSocket publisher, who subscribed).
    socket
        .send(json!([{
            "channel": "/chat/room", "clientId": ws_client, "data": "from ws", "id": "w1",
        }]))
        .await;
    let received = socket
        .recv_until(|messages| !deliveries(messages).is_empty())
        .await;
    assert_eq!(reply_on(&received, "/chat/room")["id"], "w1");
    assert_eq!(
        deliveries(&received),
        vec![("/chat/room".to_owned(), json!("from ws"))]
    );
    assert_eq!(
        deliveries(&join(held).await),
        vec![("/chat/room".to_owned(), json!("from ws"))]
    );

    // Long-polling → WebSocket, pushed while the socket's connect is still held.
    browser
        .publish(&lp_client, "/chat/room", json!("from lp"))
        .await;
    let received = socket
        .recv_until(|messages| !deliveries(messages).is_empty())
        .await;
    assert_eq!(
        deliveries(&received),
        vec![("/chat/room".to_owned(), json!("from lp"))]
    );
    assert!(received.iter().all(|m| m["channel"] != "/meta/connect"));
}

#[tokio::test]
async fn a_client_falls_back_from_websocket_to_long_polling() {
    let server = start(config()).await;
    let (mut socket, _) = Socket::open(&server, None).await;
    let client_id = socket.handshake(json!({})).await;
    socket.send_connect(&client_id, json!({})).await;
    socket.recv_reply("/meta/connect").await;
    drop(socket);

    // The socket is gone but the client is not: it carries on with the same clientId.
    let browser = Browser::new(&server);
    let replies = browser
        .send(json!([{
            "channel": "/meta/connect", "clientId": client_id,
            "connectionType": "long-polling", "advice": {"timeout": 0},
        }]))
        .await;
    assert_eq!(reply_on(&replies, "/meta/connect")["successful"], true);
    // Messages now wait for its long-poll connects.
    assert!(server.bayeux.deliver(&client_id, "/direct", json!("kept")));
    let replies = browser.connect(&client_id).await;
    assert_eq!(
        deliveries(&replies),
        vec![("/direct".to_owned(), json!("kept"))]
    );
    assert!(server.app.removals().is_empty());
}

#[tokio::test]
async fn the_cometd_client_paths_and_form_encoding_work() {
    let server = start(config()).await;
    let browser = Browser::new(&server);
    let replies = browser
        .send_to(
            "/handshake",
            json!([{"channel": "/meta/handshake", "version": "1.0", "id": "h"}]),
        )
        .await;
    let client_id = client_id_of(&replies);
    let replies = browser
        .send_to(
            "/connect",
            json!([{"channel": "/meta/connect", "clientId": client_id, "connectionType": "long-polling"}]),
        )
        .await;
    assert_eq!(reply_on(&replies, "/meta/connect")["successful"], true);
    // The client posts subscribes and publishes to `/cometd/` (an empty message type).
    let replies = browser
        .send_to(
            "/",
            json!([{"channel": "/meta/subscribe", "clientId": client_id, "subscription": "/a/b", "id": "s"}]),
        )
        .await;
    assert_eq!(reply_on(&replies, "/meta/subscribe")["successful"], true);

    let message = json!([{"channel": "/meta/handshake", "version": "1.0", "id": "f"}]).to_string();
    let form = format!("message={}", urlencode(&message));
    let response = browser
        .http
        .post(server.http_url("/cometd/handshake"))
        .header(
            CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=UTF-8",
        )
        .body(form)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::OK);
    let replies: Vec<Value> = response.json().await.expect("JSON");
    assert_eq!(reply_on(&replies, "/meta/handshake")["id"], "f");

    let response = browser
        .http
        .post(server.http_url("/cometd"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("other=1")
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Browsers

#[tokio::test]
async fn the_browser_cookie_is_set_once() {
    let server = start(config()).await;
    let browser = Browser::new(&server);
    let response = browser
        .post(
            "",
            json!([{"channel": "/meta/handshake", "version": "1.0"}]),
        )
        .await;
    let cookie = response
        .headers()
        .get(SET_COOKIE)
        .and_then(|value| value.to_str().ok())
        .expect("Set-Cookie")
        .to_owned();
    let (name_value, attributes) = cookie.split_once("; ").expect("attributes");
    let (name, value) = name_value.split_once('=').expect("name=value");
    assert_eq!(name, "BAYEUX_BROWSER");
    assert!(value.len() >= 16, "{value}");
    assert_eq!(attributes, "Path=/; HttpOnly; SameSite=Lax");

    let again = browser
        .post(
            "",
            json!([{"channel": "/meta/handshake", "version": "1.0"}]),
        )
        .await;
    assert!(again.headers().get(SET_COOKIE).is_none());

    // The WebSocket upgrade sets it too, unless the browser has one.
    let (_, set_cookie) = Socket::open(&server, None).await;
    assert!(set_cookie.is_some_and(
        |c| c.starts_with("BAYEUX_BROWSER=") && c.ends_with("; Path=/; HttpOnly; SameSite=Lax")
    ));
    let (_, set_cookie) = Socket::open(&server, Some(&format!("BAYEUX_BROWSER={value}"))).await;
    assert!(set_cookie.is_none());
}

#[tokio::test]
async fn a_second_client_of_one_browser_is_told_to_poll() {
    let server = start(long_hold_config()).await;
    let browser = Browser::new(&server);
    let first = connected_client(&browser).await;
    let mut held = browser.spawn_connect(&first);
    assert!(still_held(&mut held).await);

    let second = connected_client(&browser).await;
    let replies = browser.connect(&second).await;
    let reply = reply_on(&replies, "/meta/connect");
    assert_eq!(reply["successful"], true);
    assert_eq!(
        reply["advice"],
        json!({"reconnect": "retry", "interval": 1500, "multiple-clients": true})
    );

    // Another browser is not affected.
    let other_browser = Browser::new(&server);
    let other = connected_client(&other_browser).await;
    let mut other_held = other_browser.spawn_connect(&other);
    assert!(still_held(&mut other_held).await);
    other_held.abort();
    held.abort();
}

// ---------------------------------------------------------------------------------------------
// Bad input

#[tokio::test]
async fn malformed_bodies_get_http_400() {
    let server = start(config()).await;
    let browser = Browser::new(&server);
    for body in ["not json", "5", "[{", "\"text\"", ""] {
        let response = browser
            .http
            .post(server.http_url("/cometd"))
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .expect("POST");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body:?}");
        let replies: Vec<Value> = response.json().await.expect("JSON error body");
        assert_eq!(
            replies,
            vec![json!({"successful": false, "error": "400::Malformed message"})]
        );
    }
    // A GET that is not a WebSocket upgrade.
    let response = browser
        .http
        .get(server.http_url("/cometd"))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bad_fields_get_error_replies() {
    let server = start(config()).await;
    let browser = Browser::new(&server);
    let client_id = browser.handshake().await;
    let replies = browser
        .send(json!([
            1,
            "text",
            {"id": "a"},
            {"channel": 5, "id": "b"},
            {"channel": "/chat/x", "clientId": client_id, "data": 1, "id": {"x": 1}},
            {"channel": "/meta/subscribe", "clientId": client_id, "subscription": 7, "id": "c"},
            {"channel": "/meta/subscribe", "clientId": client_id, "id": "d"},
            {"channel": "/meta/subscribe", "clientId": client_id, "subscription": [], "id": "e"},
            {"channel": "/meta/unsubscribe", "clientId": client_id, "subscription": [1], "id": "f"},
            {"channel": "/chat/x", "clientId": 5, "data": 1, "id": "g"},
            {"channel": "/chat/x", "clientId": client_id, "data": null, "id": 5},
            {"channel": "/chat/x", "clientId": client_id, "data": {"fine": true}, "id": 6},
        ]))
        .await;
    let summary: Vec<(Value, Value)> = replies
        .iter()
        .map(|reply| (reply["id"].clone(), reply["error"].clone()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (Value::Null, json!("400::Malformed message")),
            (Value::Null, json!("400::Malformed message")),
            (json!("a"), json!("400::Missing channel")),
            (json!("b"), json!("400::Missing channel")),
            (Value::Null, json!("400::Invalid message id")),
            (json!("c"), json!("400::Invalid subscription")),
            (json!("d"), json!("400::Missing subscription")),
            (json!("e"), json!("400::Invalid subscription")),
            (json!("f"), json!("400::Invalid subscription")),
            (json!("g"), json!("401::No client ID")),
            (json!(5), json!("400:/chat/x:Missing data")),
            (json!(6), Value::Null),
        ]
    );
    assert_eq!(replies[4]["channel"], "/chat/x");
    assert_eq!(replies[5]["subscription"], 7);
    assert_eq!(replies[11]["successful"], true);
}

#[tokio::test]
async fn a_malformed_websocket_frame_gets_an_error_and_the_socket_stays() {
    let server = start(config()).await;
    let (mut socket, _) = Socket::open(&server, None).await;
    socket.send_text("{not json".to_owned()).await;
    let replies = socket.recv_until(|messages| !messages.is_empty()).await;
    assert_eq!(
        replies,
        vec![json!({"successful": false, "error": "400::Malformed message"})]
    );
    let client_id = socket.handshake(json!({})).await;
    assert!(!client_id.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Acknowledge extension

#[tokio::test]
async fn unacknowledged_messages_are_delivered_again() {
    let server = start(config()).await;
    let browser = Browser::new(&server);
    let replies = browser.handshake_with(json!({"ack": true})).await;
    let client_id = client_id_of(&replies);
    browser.subscribe(&client_id, json!("/chat/ack")).await;

    let first = browser.connect_with(&client_id, json!({"ack": 0})).await;
    let batch = reply_on(&first, "/meta/connect")["ext"]["ack"]
        .as_u64()
        .expect("batch");

    server.bayeux.publish("/chat/ack", json!(1));
    server.bayeux.publish("/chat/ack", json!(2));
    let got = browser
        .connect_with(&client_id, json!({"ack": batch}))
        .await;
    let expected = vec![
        ("/chat/ack".to_owned(), json!(1)),
        ("/chat/ack".to_owned(), json!(2)),
    ];
    assert_eq!(deliveries(&got), expected);
    let lost_batch = reply_on(&got, "/meta/connect")["ext"]["ack"]
        .as_u64()
        .expect("batch");
    assert!(lost_batch > batch);

    // That response "was lost": the client acknowledges only the batch before it.
    server.bayeux.publish("/chat/ack", json!(3));
    let again = browser
        .connect_with(&client_id, json!({"ack": batch}))
        .await;
    assert_eq!(
        deliveries(&again),
        vec![
            ("/chat/ack".to_owned(), json!(1)),
            ("/chat/ack".to_owned(), json!(2)),
            ("/chat/ack".to_owned(), json!(3)),
        ]
    );
    let received_batch = reply_on(&again, "/meta/connect")["ext"]["ack"]
        .as_u64()
        .expect("batch");
    assert!(received_batch > lost_batch);

    // Acknowledged: never again (this connect is held until its timeout).
    let after = browser
        .connect_with(&client_id, json!({"ack": received_batch}))
        .await;
    assert!(deliveries(&after).is_empty(), "{after:?}");
    let next = reply_on(&after, "/meta/connect")["ext"]["ack"]
        .as_u64()
        .expect("batch");
    assert!(next > received_batch);
}

#[tokio::test]
async fn messages_lost_with_a_websocket_come_back_over_long_polling() {
    let server = start(long_hold_config()).await;
    let (mut socket, _) = Socket::open(&server, None).await;
    let client_id = socket.handshake(json!({"ack": true})).await;
    socket.subscribe(&client_id, "/chat/ack").await;
    socket.send_connect(&client_id, json!({"ack": 0})).await;
    let first = socket.recv_reply("/meta/connect").await;
    let batch = reply_on(&first, "/meta/connect")["ext"]["ack"]
        .as_u64()
        .expect("batch");
    socket.send_connect(&client_id, json!({"ack": batch})).await; // held

    // With acks, messages ride on connect replies, over WebSocket too.
    server.bayeux.publish("/chat/ack", json!("m1"));
    let got = socket.recv_reply("/meta/connect").await;
    assert_eq!(
        deliveries(&got),
        vec![("/chat/ack".to_owned(), json!("m1"))]
    );
    drop(socket);

    // The client never acknowledged that batch: a long-poll connect gets it again.
    let browser = Browser::new(&server);
    let replies = browser
        .connect_with(&client_id, json!({"ack": batch}))
        .await;
    assert_eq!(
        deliveries(&replies),
        vec![("/chat/ack".to_owned(), json!("m1"))]
    );
}
