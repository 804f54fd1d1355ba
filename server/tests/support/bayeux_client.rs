//! A small Bayeux client for tests, over long-polling (reqwest, own cookie jar) or WebSocket
//! (tokio-tungstenite). It follows the protocol like a real client: one connect outstanding,
//! deliveries collected in order.

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    LongPolling,
    WebSocket,
}

pub struct BayeuxClient {
    pub url: String,
    pub transport: Transport,
    pub client_id: String,
    http: reqwest::Client,
    ws: Option<WebSocketStream<MaybeTlsStream<TcpStream>>>,
    next_id: u64,
    connect_outstanding: bool,
    /// Deliveries received and not yet taken.
    pub inbox: VecDeque<Value>,
}

const WAIT: Duration = Duration::from_secs(10);

impl BayeuxClient {
    /// Handshakes; `Err` carries the server's refusal.
    pub async fn handshake(
        url: &str,
        transport: Transport,
        ext: Option<Value>,
    ) -> Result<Self, Value> {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .timeout(Duration::from_secs(20))
            .build()
            .expect("http client");
        let mut client = Self {
            url: format!("{url}/cometd"),
            transport,
            client_id: String::new(),
            http,
            ws: None,
            next_id: 0,
            connect_outstanding: false,
            inbox: VecDeque::new(),
        };
        if transport == Transport::WebSocket {
            let ws_url = client.url.replacen("http://", "ws://", 1);
            let (socket, _) = tokio_tungstenite::connect_async(ws_url)
                .await
                .expect("websocket opens");
            client.ws = Some(socket);
        }
        let mut handshake = json!({
            "channel": "/meta/handshake",
            "version": "1.0",
            "minimumVersion": "1.0",
            "supportedConnectionTypes": ["websocket", "long-polling"],
        });
        if let Some(ext) = ext {
            handshake["ext"] = ext;
        }
        let reply = client.request(handshake).await;
        if reply["successful"] != json!(true) {
            return Err(reply);
        }
        client.client_id = reply["clientId"].as_str().expect("clientId").to_owned();
        Ok(client)
    }

    fn connection_type(&self) -> &'static str {
        match self.transport {
            Transport::LongPolling => "long-polling",
            Transport::WebSocket => "websocket",
        }
    }

    /// Sends one message and returns the reply with the same id; deliveries that arrive on
    /// the way go to the inbox.
    pub async fn request(&mut self, mut message: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id.to_string();
        message["id"] = json!(id);
        if !self.client_id.is_empty() && message.get("clientId").is_none() {
            message["clientId"] = json!(self.client_id);
        }
        match self.transport {
            Transport::LongPolling => {
                let replies = self.post(json!([message])).await;
                let mut answer = Value::Null;
                for reply in replies {
                    if reply["id"] == json!(id) && reply.get("successful").is_some() {
                        answer = reply;
                    } else {
                        self.inbox.push_back(reply);
                    }
                }
                answer
            }
            Transport::WebSocket => {
                self.ws_send(json!([message])).await;
                loop {
                    let frame = self
                        .ws_read(WAIT)
                        .await
                        .unwrap_or_else(|| panic!("no reply to {message}"));
                    let mut answer = None;
                    for reply in frame {
                        if reply["id"] == json!(id) && reply.get("successful").is_some() {
                            answer = Some(reply);
                        } else {
                            self.take_ws_message(reply);
                        }
                    }
                    if let Some(answer) = answer {
                        return answer;
                    }
                }
            }
        }
    }

    async fn post(&self, body: Value) -> Vec<Value> {
        let response = self
            .http
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .expect("bayeux POST");
        assert!(
            response.status().is_success(),
            "bayeux POST status {}",
            response.status()
        );
        match response.json::<Value>().await.expect("bayeux JSON") {
            Value::Array(messages) => messages,
            other => vec![other],
        }
    }

    async fn ws_send(&mut self, body: Value) {
        let socket = self.ws.as_mut().expect("websocket");
        socket
            .send(WsMessage::text(body.to_string()))
            .await
            .expect("websocket send");
    }

    /// Reads one frame (an array of messages) or gives up after `wait`.
    async fn ws_read(&mut self, wait: Duration) -> Option<Vec<Value>> {
        let socket = self.ws.as_mut().expect("websocket");
        loop {
            let frame = tokio::time::timeout(wait, socket.next())
                .await
                .ok()??
                .ok()?;
            if let WsMessage::Text(text) = frame {
                return Some(
                    match serde_json::from_str::<Value>(&text).expect("JSON frame") {
                        Value::Array(messages) => messages,
                        other => vec![other],
                    },
                );
            }
        }
    }

    /// A message pushed over the socket: a connect reply or a delivery.
    fn take_ws_message(&mut self, message: Value) {
        if message["channel"] == "/meta/connect" {
            self.connect_outstanding = false;
        } else {
            self.inbox.push_back(message);
        }
    }

    pub async fn subscribe(&mut self, subscription: &str) -> Value {
        self.request(json!({"channel": "/meta/subscribe", "subscription": subscription}))
            .await
    }

    pub async fn publish(&mut self, channel: &str, data: Value) -> Value {
        self.request(json!({"channel": channel, "data": data}))
            .await
    }

    pub async fn disconnect(&mut self) -> Value {
        self.request(json!({"channel": "/meta/disconnect"})).await
    }

    /// Lets the server deliver: one long-poll, or reading the socket for a while.
    async fn pump(&mut self) {
        match self.transport {
            Transport::LongPolling => {
                let connect = json!([{
                    "channel": "/meta/connect",
                    "clientId": self.client_id,
                    "connectionType": "long-polling",
                }]);
                for message in self.post(connect).await {
                    if message["channel"] != "/meta/connect" {
                        self.inbox.push_back(message);
                    }
                }
            }
            Transport::WebSocket => {
                if !self.connect_outstanding {
                    let connect = json!([{
                        "channel": "/meta/connect",
                        "clientId": self.client_id,
                        "connectionType": self.connection_type(),
                    }]);
                    self.ws_send(connect).await;
                    self.connect_outstanding = true;
                }
                if let Some(frame) = self.ws_read(Duration::from_millis(500)).await {
                    for message in frame {
                        self.take_ws_message(message);
                    }
                }
            }
        }
    }

    /// Waits for the next delivery on `channel` whose data satisfies `matches`; earlier
    /// deliveries on that channel that do not match are dropped.
    pub async fn next_on(&mut self, channel: &str, matches: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            while let Some(message) = self.inbox.pop_front() {
                if message["channel"] == channel && matches(&message["data"]) {
                    return message["data"].clone();
                }
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "nothing on {channel} in time"
            );
            self.pump().await;
        }
    }

    /// All deliveries on `channel` that arrive within `wait`.
    pub async fn drain(&mut self, channel: &str, wait: Duration) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut found = Vec::new();
        loop {
            while let Some(message) = self.inbox.pop_front() {
                if message["channel"] == channel {
                    found.push(message["data"].clone());
                }
            }
            if tokio::time::Instant::now() >= deadline {
                return found;
            }
            self.pump().await;
        }
    }
}
