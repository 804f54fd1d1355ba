//! The WebSocket transport: each text frame is a batch of messages; replies and deliveries go
//! back as JSON arrays. Deliveries are pushed as soon as they are queued (clients using the
//! acknowledge extension get them with their connect replies instead). A malformed frame gets
//! an error reply and the socket stays open.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::header::{HeaderMap, SET_COOKIE};
use axum::response::Response;
use tokio::time::Instant;

use super::browser::Browser;
use super::connect::{ConnectPoll, PendingConnect};
use super::engine::{Engine, RequestContext};
use super::in_flight::InFlight;
use super::longpoll::bad_request;
use super::message::{encode_batch, parse_batch, OutMessage, Shared, MALFORMED, META_HANDSHAKE};
use super::protocol::{handle_message, Handled};
use super::session::SocketLink;

/// `GET /cometd[/…]` with a WebSocket upgrade.
pub(crate) async fn handle_upgrade(
    State(engine): State<Arc<Engine>>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let Ok(upgrade) = upgrade else {
        return bad_request("400::WebSocket upgrade required");
    };
    let browser = Browser::from_headers(&headers);
    let set_cookie = browser.as_ref().and_then(Browser::set_cookie);
    let link = engine.new_socket();
    let context = RequestContext {
        browser: browser.map(|browser| browser.id),
        socket: Some(link.clone()),
    };
    let mut response = upgrade.on_upgrade(move |socket| async move {
        let mut connection = Connection {
            engine,
            link,
            context,
            clients: HashSet::new(),
            held: Vec::new(),
        };
        connection.run(socket).await;
        connection.close();
    });
    if let Some(cookie) = set_cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

/// One WebSocket connection and the clients it carries.
struct Connection {
    engine: Arc<Engine>,
    link: SocketLink,
    /// The context of every message of this socket (it names `link`).
    context: RequestContext,
    /// Clients that handshook or sent messages over this socket.
    clients: HashSet<String>,
    /// Connects held on this socket, answered by [`Connection::outgoing`].
    held: Vec<PendingConnect>,
}

impl Connection {
    async fn run(&mut self, mut socket: WebSocket) {
        let notify = Arc::clone(&self.link.notify);
        loop {
            let next_deadline = self.held.iter().map(PendingConnect::deadline).min();
            let mut batch = tokio::select! {
                frame = socket.recv() => match frame {
                    Some(Ok(Message::Text(text))) => self.handle_frame(text.as_str()).await,
                    Some(Ok(Message::Binary(bytes))) => match std::str::from_utf8(&bytes) {
                        Ok(text) => self.handle_frame(text).await,
                        Err(_) => vec![Arc::new(OutMessage::failure(None, None, MALFORMED))],
                    },
                    // Pings are answered by axum; pongs need nothing.
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => Vec::new(),
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                },
                () = notify.notified() => Vec::new(),
                () = sleep_until_some(next_deadline) => Vec::new(),
            };
            batch.extend(self.outgoing());
            if batch.is_empty() {
                continue;
            }
            tracing::debug!(count = batch.len(), "bayeux websocket send");
            if socket
                .send(Message::Text(encode_batch(&batch).into()))
                .await
                .is_err()
            {
                return;
            }
        }
    }

    /// Handles one frame; returns the replies and the deliveries that go with them.
    async fn handle_frame(&mut self, text: &str) -> Vec<Shared> {
        let Ok(batch) = parse_batch(text) else {
            tracing::debug!("bayeux websocket: malformed frame");
            return vec![Arc::new(OutMessage::failure(None, None, MALFORMED))];
        };
        let mut in_flight = InFlight::new(Arc::clone(&self.engine));
        let mut replies = Vec::new();
        for message in batch {
            if let Some(client_id) = message.get("clientId").and_then(|id| id.as_str()) {
                self.clients.insert(client_id.to_owned());
            }
            match handle_message(&self.engine, message, &self.context, &mut in_flight).await {
                Handled::Reply(messages) => {
                    for message in &messages {
                        if message.channel.as_deref() == Some(META_HANDSHAKE) {
                            if let Some(client_id) = &message.client_id {
                                self.clients.insert(client_id.clone());
                            }
                        }
                    }
                    replies.extend(messages);
                }
                Handled::Hold(pending) => self.held.push(pending),
            }
        }
        replies.extend(in_flight.finish(&self.context));
        replies
    }

    /// Deliveries to push now, and replies to held connects that are done.
    fn outgoing(&mut self) -> Vec<Shared> {
        let mut outgoing = self.engine.take_socket_pushes(self.link.id, &self.clients);
        let now = Instant::now();
        let mut still_held = Vec::with_capacity(self.held.len());
        for pending in self.held.drain(..) {
            match pending.poll(now) {
                ConnectPoll::Done(messages) => outgoing.extend(messages),
                ConnectPoll::Wait(_) => still_held.push(pending),
            }
        }
        self.held = still_held;
        outgoing
    }

    /// The socket is gone: release held connects (starting their clients' expiry clocks) and
    /// stop pushing to it. The clients stay; they may come back over another transport.
    fn close(&mut self) {
        self.held.clear();
        self.engine.socket_closed(self.link.id, &self.clients);
        tracing::debug!(clients = self.clients.len(), "bayeux websocket closed");
    }
}

/// Sleeps until `deadline`, or forever when there is none.
async fn sleep_until_some(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
