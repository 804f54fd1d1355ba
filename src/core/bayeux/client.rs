//! The Bayeux client state machine. See the [module documentation](super) for the contract
//! with the adapter that performs its I/O.

use std::{fmt, mem};

use crate::core::json::{push_u64, write_string, Json};

use super::backoff::Backoff;
use super::message::{
    batch_id, is_meta, is_service, is_valid_channel, is_valid_pattern, parse_items,
    pattern_matches, Advice, Incoming, Reconnect, MAX_DELAY_MS, META_CONNECT, META_DISCONNECT,
    META_HANDSHAKE, META_SUBSCRIBE, META_UNSUBSCRIBE,
};

/// `error` of a [`Action::PublishAcked`] for a publish dropped by [`BayeuxClient::disconnect`]
/// (it may or may not have reached the server if it was already sent).
pub const ERROR_DISCONNECTED: &str = "hotline:disconnected";
/// `error` of a [`Action::PublishAcked`] for a publish dropped because the server ended the
/// session for good (`advice.reconnect = "none"`).
pub const ERROR_TERMINATED: &str = "hotline:terminated";
/// `error` of a [`Action::PublishAcked`] for a publish made before [`BayeuxClient::start`] or
/// after the client stopped.
pub const ERROR_NOT_STARTED: &str = "hotline:not-started";
/// `error` of a [`Action::PublishAcked`] when [`BayeuxConfig::max_queued_messages`] publishes
/// already wait for a reply.
pub const ERROR_QUEUE_FULL: &str = "hotline:queue-full";
/// `error` of a [`Action::SubscribeAcked`] beyond [`BayeuxConfig::max_subscriptions`].
pub const ERROR_TOO_MANY_SUBSCRIPTIONS: &str = "hotline:too-many-subscriptions";
/// `error` of [`State::Terminated`] when client and server share no connection type.
pub const ERROR_NO_CONNECTION_TYPE: &str = "hotline:no-common-connection-type";

/// Most messages put in one request (the rest go in the next one).
const MAX_BATCH: usize = 64;

/// Settings of a [`BayeuxClient`]. The defaults are CometD's.
#[derive(Debug, Clone, PartialEq)]
pub struct BayeuxConfig {
    /// Try WebSocket first (falling back to long-polling if it cannot be used). Long-polling is
    /// always available. GWE's `disableWebSockets` maps to `false`.
    pub websocket_enabled: bool,
    /// Backoff ceiling after the first failure, doubled after each further one (1000 ms).
    pub backoff_increment_ms: u64,
    /// Largest backoff ceiling (60 000 ms).
    pub max_backoff_ms: u64,
    /// Time allowed for the network on top of the server's hold time (10 000 ms): a request
    /// times out after `max_network_delay` (connects: `advice.timeout + max_network_delay`).
    pub max_network_delay_ms: u64,
    /// Ask for the acknowledge extension at handshake (`ext.ack: true`).
    pub ack_enabled: bool,
    /// Extra `ext` members of `/meta/handshake` (agents send `{"agentToken": …}`). Must be an
    /// object; anything else is ignored.
    pub handshake_ext: Option<Json>,
    /// Most publishes waiting to be sent or for their reply (1000). Beyond it, `publish` fails
    /// at once with [`ERROR_QUEUE_FULL`].
    pub max_queued_messages: usize,
    /// Most recorded subscriptions (256).
    pub max_subscriptions: usize,
}

impl Default for BayeuxConfig {
    fn default() -> Self {
        Self {
            websocket_enabled: true,
            backoff_increment_ms: 1000,
            max_backoff_ms: 60_000,
            max_network_delay_ms: 10_000,
            ack_enabled: true,
            handshake_ext: None,
            max_queued_messages: 1000,
            max_subscriptions: 256,
        }
    }
}

/// A Bayeux transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionType {
    /// Every request is a text frame on one WebSocket; every frame received is a batch.
    WebSocket,
    /// Every request is an HTTP `POST` of `application/json`; its response body is a batch.
    LongPolling,
}

impl ConnectionType {
    /// The Bayeux name: `"websocket"` or `"long-polling"`.
    pub fn name(self) -> &'static str {
        match self {
            ConnectionType::WebSocket => "websocket",
            ConnectionType::LongPolling => "long-polling",
        }
    }
}

/// Names one request (one batch sent with one [`Action::Send`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// Names one publish, from [`BayeuxClient::publish`] to its [`Action::PublishAcked`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublishId(pub u64);

/// A timer the adapter runs for the machine. At most one timer per value is ever armed:
/// [`Action::SetTimer`] for a value that is already armed replaces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timer {
    /// Wait `advice.interval` before the next `/meta/connect`.
    Interval,
    /// Wait out a backoff before retrying a connect or a handshake.
    Backoff,
    /// The request's time is up (see [`Action::Send::timeout_ms`]).
    Request(RequestId),
}

/// Where the client stands, reported by [`Action::StateChanged`] whenever it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Not started, or stopped by [`BayeuxClient::disconnect`].
    Disconnected,
    /// The first handshake since `start` is under way.
    Handshaking,
    /// Handshaken; the first `/meta/connect` has not been answered yet.
    Connecting,
    /// The last `/meta/connect` succeeded.
    Connected,
    /// Recovering from `attempt` consecutive failures (transport failures, failed replies,
    /// or a re-handshake the server asked for): waiting out a backoff, or retrying.
    Reconnecting { attempt: u32 },
    /// The server said `advice.reconnect = "none"` (e.g. a refused handshake) or client and
    /// server share no transport: the machine stopped and will not retry. `error` is the
    /// server's error string, if it gave one.
    Terminated { error: Option<String> },
}

/// What the adapter must do, or what happened. Returned, in order, by every input method.
/// All I/O actions of one call come before all its notifications, so that whatever the
/// application does in reaction to a notification is sent after them.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    // ---- I/O ----
    /// Send a batch. WebSocket: write `messages` as one text frame (opening the socket first
    /// if none is open). Long-polling: `POST` it, then report the response with
    /// [`BayeuxClient::receive_http`] or [`BayeuxClient::request_failed`].
    Send {
        request_id: RequestId,
        /// A JSON array of messages, ready to send.
        messages: String,
        connection_type: ConnectionType,
        /// The batch is a `/meta/connect` alone (long-polling: the request the server holds).
        is_connect: bool,
        /// The machine arms [`Timer::Request`] with this delay (except for `/meta/disconnect`,
        /// which it does not track); the adapter may also use it as its own request timeout.
        timeout_ms: u64,
    },
    /// Cancel this long-polling request and report nothing more about it (the machine has
    /// already forgotten it).
    Abort { request_id: RequestId },
    /// Close the WebSocket, if one is open, and report nothing more about it; the next
    /// WebSocket [`Action::Send`] opens a new one.
    CloseWebSocket,
    /// Arm `timer` to fire once after `delay_ms` (≤ 2^31 − 1), replacing any timer armed with
    /// the same value; call [`BayeuxClient::timer_fired`] when it fires.
    SetTimer { timer: Timer, delay_ms: u64 },
    /// Disarm `timer` (no-op if not armed).
    CancelTimer(Timer),
    /// From now on, requests use this connection type (WebSocket could not be used).
    UseTransport(ConnectionType),
    // ---- notifications ----
    /// The client's state changed.
    StateChanged(State),
    /// A handshake succeeded. `rehandshake` is true for every handshake after the first since
    /// `start`: the server forgot the previous session, so server-side state tied to it (e.g.
    /// GMS `requestNotifications`) must be set up again. Subscriptions are renewed by the
    /// machine itself.
    Handshaken {
        client_id: String,
        rehandshake: bool,
    },
    /// The connection was lost while connected (a failure, or the server forgot the session).
    /// Followed by [`Action::Continued`] once a `/meta/connect` succeeds again.
    Interrupted,
    /// The connection works again after [`Action::Interrupted`].
    Continued,
    /// A message on a channel matching a subscription (including `/service/**` replies).
    Deliver { channel: String, data: Json },
    /// The outcome of a publish. `successful: false` with the server's error string, or one
    /// of the `ERROR_*` constants of this module.
    PublishAcked {
        id: PublishId,
        successful: bool,
        error: Option<String>,
    },
    /// The outcome of a subscription (for `/service/**`: at once, always successful). A
    /// subscription the server refused is forgotten.
    SubscribeAcked {
        subscription: String,
        successful: bool,
        error: Option<String>,
    },
}

/// A message waiting in the outbox (sent only while handshaken).
#[derive(Debug, Clone, PartialEq)]
enum Outgoing {
    Subscribe(String),
    Unsubscribe(String),
    Publish {
        id: PublishId,
        channel: String,
        data: Json,
    },
}

impl Outgoing {
    /// The channel of a subscribe or unsubscribe.
    fn subscription(&self) -> Option<&str> {
        match self {
            Outgoing::Subscribe(channel) | Outgoing::Unsubscribe(channel) => Some(channel),
            Outgoing::Publish { .. } => None,
        }
    }
}

/// What a sent message was.
#[derive(Debug, Clone, PartialEq)]
enum Sent {
    Handshake,
    Connect,
    Message(Outgoing),
}

/// A sent message awaiting its reply.
#[derive(Debug, Clone, PartialEq)]
struct Awaiting {
    message_id: u64,
    /// The session it was sent in (see [`BayeuxClient::epoch`]).
    epoch: u64,
    sent: Sent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RequestKind {
    Handshake,
    Connect,
    Messages,
}

/// A request sent and not finished.
#[derive(Debug, Clone, PartialEq)]
struct InFlight {
    id: RequestId,
    kind: RequestKind,
    connection_type: ConnectionType,
    awaiting: Vec<Awaiting>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    Connect,
    Handshake,
}

/// The one armed [`Timer::Interval`] or [`Timer::Backoff`], and what to do when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Scheduled {
    timer: Timer,
    next: Next,
}

/// Actions of one call: I/O first, then notifications. One vector (no second one to append
/// and drop): I/O goes in before the first notification.
#[derive(Default)]
struct Out {
    actions: Vec<Action>,
    /// How many of `actions` are I/O.
    io_len: usize,
}

impl Out {
    fn io(&mut self, action: Action) {
        self.actions.insert(self.io_len, action);
        self.io_len += 1;
    }

    fn event(&mut self, action: Action) {
        self.actions.push(action);
    }
}

/// A sans-IO Bayeux 1.0 client. See the [module documentation](super).
pub struct BayeuxClient {
    config: BayeuxConfig,
    backoff: Backoff,
    random: Box<dyn FnMut() -> f64>,
    running: bool,
    /// `Some(error)` once terminated (until the next `start`).
    terminated: Option<Option<String>>,
    transport: ConnectionType,
    /// A handshake succeeded over WebSocket: later WebSocket failures no longer fall back.
    websocket_proven: bool,
    client_id: Option<String>,
    /// Bumped at every successful handshake; replies from older sessions are not acted on.
    epoch: u64,
    /// Successful handshakes since `start`.
    handshakes: u64,
    advice: Advice,
    /// The server echoed `ext.ack: true` at handshake.
    ack_active: bool,
    /// The batch id of the last successful connect reply (sent back on the next connect).
    ack_batch: u64,
    /// The next connect is the first of its session: it asks the server not to hold it.
    first_connect: bool,
    /// The last connect of this session succeeded.
    connected: bool,
    /// [`Action::Interrupted`] was reported and [`Action::Continued`] not yet.
    interrupted: bool,
    /// No transport failure since the last reply: the outbox may be sent.
    transport_ok: bool,
    /// Consecutive failures (reset by a successful connect).
    attempt: u32,
    scheduled: Option<Scheduled>,
    next_message_id: u64,
    next_request_id: u64,
    next_publish_id: u64,
    in_flight: Vec<InFlight>,
    // A `Vec`, not a `VecDeque`: the outbox is short, and the deque's drain and wrap-around
    // code costs more wasm than moving a few elements on `insert(0, …)`.
    outbox: Vec<Outgoing>,
    subscriptions: Vec<String>,
    /// The last reported state, as [`state_key`] (no copy of a terminated client's error).
    reported: (mem::Discriminant<State>, u32),
    last_received_ms: Option<f64>,
}

impl fmt::Debug for BayeuxClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BayeuxClient")
            .field("state", &self.public_state())
            .field("transport", &self.transport)
            .field("client_id", &self.client_id)
            .field("advice", &self.advice)
            .field("in_flight", &self.in_flight.len())
            .field("outbox", &self.outbox.len())
            .field("subscriptions", &self.subscriptions)
            .finish_non_exhaustive()
    }
}

impl BayeuxClient {
    /// A stopped client. `random` returns numbers in [0, 1) for backoff jitter (the browser
    /// adapter passes `Math.random`); it is called once per backoff.
    pub fn new(config: BayeuxConfig, random: impl FnMut() -> f64 + 'static) -> Self {
        let backoff = Backoff {
            increment_ms: config.backoff_increment_ms,
            max_ms: config.max_backoff_ms,
        };
        let transport = if config.websocket_enabled {
            ConnectionType::WebSocket
        } else {
            ConnectionType::LongPolling
        };
        Self {
            config,
            backoff,
            random: Box::new(random),
            running: false,
            terminated: None,
            transport,
            websocket_proven: false,
            client_id: None,
            epoch: 0,
            handshakes: 0,
            advice: Advice::default(),
            ack_active: false,
            ack_batch: 0,
            first_connect: false,
            connected: false,
            interrupted: false,
            transport_ok: true,
            attempt: 0,
            scheduled: None,
            next_message_id: 1,
            next_request_id: 1,
            next_publish_id: 1,
            in_flight: Vec::new(),
            outbox: Vec::new(),
            subscriptions: Vec::new(),
            reported: state_key(&State::Disconnected),
            last_received_ms: None,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Queries

    /// The current state (as last reported, or about to be).
    pub fn state(&self) -> State {
        self.public_state()
    }

    /// The session's client id, while handshaken.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// The server's latest advice.
    pub fn advice(&self) -> Advice {
        self.advice
    }

    /// The transport requests currently use.
    pub fn connection_type(&self) -> ConnectionType {
        self.transport
    }

    /// Recorded subscriptions, in the order they were made.
    pub fn subscriptions(&self) -> &[String] {
        &self.subscriptions
    }

    /// The acknowledge extension is in use in this session.
    pub fn ack_active(&self) -> bool {
        self.ack_active
    }

    /// `now_ms` of the last batch received (for diagnostics, e.g. "last heard from server").
    pub fn last_received_ms(&self) -> Option<f64> {
        self.last_received_ms
    }

    /// Sizes of the internal queues: (requests in flight, queued messages, armed
    /// interval/backoff timer). For tests that check memory stays bounded.
    #[cfg(test)]
    pub(crate) fn queue_sizes(&self) -> (usize, usize, bool) {
        (
            self.in_flight.len(),
            self.outbox.len(),
            self.scheduled.is_some(),
        )
    }

    /// Replaces the handshake `ext` (e.g. a renewed agent token) for the next handshake.
    pub fn set_handshake_ext(&mut self, ext: Option<Json>) {
        self.config.handshake_ext = ext;
    }

    // -----------------------------------------------------------------------------------------
    // Inputs

    /// Starts the client: sends the handshake. No-op while already running. May be called
    /// again after `disconnect` or termination; recorded subscriptions are kept.
    pub fn start(&mut self, _now_ms: f64) -> Vec<Action> {
        let mut out = Out::default();
        if !self.running {
            self.running = true;
            self.terminated = None;
            self.client_id = None;
            self.handshakes = 0;
            self.attempt = 0;
            self.connected = false;
            self.interrupted = false;
            self.transport_ok = true;
            self.advice = Advice::default();
            self.send_handshake(&mut out);
        }
        self.finish(out)
    }

    /// Subscribes to a channel or pattern (`/a/*`, `/a/**`). `/service/**` subscriptions stay
    /// local (acknowledged at once); others are sent to the server when handshaken, and again
    /// after every later handshake. Subscribing twice to the same name does nothing.
    pub fn subscribe(&mut self, channel: &str) -> Vec<Action> {
        let mut out = Out::default();
        if !is_valid_pattern(channel) || is_meta(channel) {
            out.event(Action::SubscribeAcked {
                subscription: channel.to_owned(),
                successful: false,
                error: Some(invalid_channel(channel)),
            });
        } else if self.subscription_index(channel).is_some() {
            // Already recorded.
        } else if self.subscriptions.len() >= self.config.max_subscriptions {
            out.event(Action::SubscribeAcked {
                subscription: channel.to_owned(),
                successful: false,
                error: Some(ERROR_TOO_MANY_SUBSCRIPTIONS.to_owned()),
            });
        } else {
            self.subscriptions.push(channel.to_owned());
            if is_service(channel) {
                out.event(Action::SubscribeAcked {
                    subscription: channel.to_owned(),
                    successful: true,
                    error: None,
                });
            } else if self.running && self.client_id.is_some() {
                self.queue_subscription(Outgoing::Subscribe(channel.to_owned()));
                self.flush(&mut out);
            }
        }
        self.finish(out)
    }

    /// Forgets a subscription (and tells the server, for non-`/service` channels, when
    /// handshaken). Deliveries on it stop at once.
    pub fn unsubscribe(&mut self, channel: &str) -> Vec<Action> {
        let mut out = Out::default();
        if let Some(position) = self.subscription_index(channel) {
            self.subscriptions.remove(position);
            if !is_service(channel) && self.running && self.client_id.is_some() {
                self.queue_subscription(Outgoing::Unsubscribe(channel.to_owned()));
                self.flush(&mut out);
            }
        }
        self.finish(out)
    }

    /// Publishes `data` on `channel`. While not handshaken (or after a transport failure, until
    /// a reply shows the transport works) the publish waits in a queue, and goes out once, in
    /// order. It is sent again only if the request carrying it failed before a reply came (or
    /// the reply was `402`, which means the server did not process it). Its outcome comes as
    /// [`Action::PublishAcked`] with the returned id.
    pub fn publish(&mut self, channel: &str, data: Json) -> (PublishId, Vec<Action>) {
        let mut out = Out::default();
        let id = PublishId(self.next_publish_id);
        self.next_publish_id += 1;
        let refusal = if !is_valid_channel(channel) || is_meta(channel) {
            Some(invalid_channel(channel))
        } else if !self.running {
            Some(ERROR_NOT_STARTED.to_owned())
        } else if self.pending_publishes() >= self.config.max_queued_messages {
            Some(ERROR_QUEUE_FULL.to_owned())
        } else {
            None
        };
        match refusal {
            Some(error) => out.event(Action::PublishAcked {
                id,
                successful: false,
                error: Some(error),
            }),
            None => {
                self.outbox.push(Outgoing::Publish {
                    id,
                    channel: channel.to_owned(),
                    data,
                });
                self.flush(&mut out);
            }
        }
        (id, self.finish(out))
    }

    /// The response body of the long-polling request `request_id` (HTTP 2xx). Its messages are
    /// handled in order; messages of the request left without a reply count as failed. A body
    /// that is not a batch counts as a failure of the request.
    pub fn receive_http(&mut self, now_ms: f64, request_id: RequestId, body: &str) -> Vec<Action> {
        let mut out = Out::default();
        if self.running {
            self.last_received_ms = Some(now_ms);
            match parse_items(body) {
                Some(messages) => {
                    self.process(&mut out, messages, ConnectionType::LongPolling);
                    if let Some(unanswered) = self.take_request(request_id) {
                        self.fail_requests(&mut out, vec![unanswered], None);
                    }
                    self.flush(&mut out);
                }
                None => {
                    if let Some(request) = self.take_request(request_id) {
                        self.fail_requests(&mut out, vec![request], None);
                    }
                }
            }
        }
        self.finish(out)
    }

    /// A text frame received on the WebSocket. A frame that is not a batch counts as a failure
    /// of the socket (the machine closes it, and every request in flight on it fails).
    pub fn receive_websocket(&mut self, now_ms: f64, text: &str) -> Vec<Action> {
        let mut out = Out::default();
        if self.running {
            self.last_received_ms = Some(now_ms);
            match parse_items(text) {
                Some(messages) => {
                    self.process(&mut out, messages, ConnectionType::WebSocket);
                    self.flush(&mut out);
                }
                None => {
                    close_websocket(&mut out);
                    let failed = self.take_requests_on(ConnectionType::WebSocket, Vec::new());
                    self.fail_requests(&mut out, failed, None);
                }
            }
        }
        self.finish(out)
    }

    /// The long-polling request `request_id` failed: network error, non-2xx status, or the
    /// adapter's own timeout. Unknown or finished requests are ignored.
    pub fn request_failed(&mut self, _now_ms: f64, request_id: RequestId) -> Vec<Action> {
        let mut out = Out::default();
        if self.running {
            if let Some(request) = self.take_request(request_id) {
                self.fail_requests(&mut out, vec![request], None);
            }
        }
        self.finish(out)
    }

    /// The WebSocket closed or could not be opened (`error` / `close` events). Every request in
    /// flight on it fails. Before any handshake succeeded over WebSocket, this switches to
    /// long-polling ([`Action::UseTransport`]).
    pub fn websocket_closed(&mut self, _now_ms: f64) -> Vec<Action> {
        let mut out = Out::default();
        if self.running {
            let failed = self.take_requests_on(ConnectionType::WebSocket, Vec::new());
            self.fail_requests(&mut out, failed, None);
        }
        self.finish(out)
    }

    /// A timer armed with [`Action::SetTimer`] fired. Timers the machine no longer expects are
    /// ignored.
    pub fn timer_fired(&mut self, _now_ms: f64, timer: Timer) -> Vec<Action> {
        let mut out = Out::default();
        if self.running {
            match timer {
                Timer::Interval | Timer::Backoff => {
                    if let Some(scheduled) = self.scheduled.filter(|s| s.timer == timer) {
                        self.scheduled = None;
                        self.run(&mut out, scheduled.next);
                    }
                }
                Timer::Request(request_id) => {
                    if let Some(request) = self.take_request(request_id) {
                        let mut failed = vec![request];
                        if request_is_on(&failed, ConnectionType::WebSocket) {
                            // A silent socket is a dead socket.
                            close_websocket(&mut out);
                            failed = self.take_requests_on(ConnectionType::WebSocket, failed);
                        } else {
                            out.io(Action::Abort { request_id });
                        }
                        self.fail_requests(&mut out, failed, Some(request_id));
                    }
                }
            }
        }
        self.finish(out)
    }

    /// Sends `/meta/disconnect` (when handshaken) and stops: timers cancelled, long-polling
    /// requests aborted, the WebSocket closed after the disconnect frame. Publishes without an
    /// outcome yet get `PublishAcked { successful: false, error: ERROR_DISCONNECTED }`.
    pub fn disconnect(&mut self, _now_ms: f64) -> Vec<Action> {
        let mut out = Out::default();
        if self.running {
            let client_id = self.client_id.clone();
            self.stop(&mut out, None, ERROR_DISCONNECTED);
            if let Some(client_id) = client_id {
                let message_id = self.next_message_id();
                let mut text = String::from("[");
                open_message(&mut text, META_DISCONNECT, message_id, &client_id);
                text.push_str("}]");
                let request_id = self.next_request_id();
                out.io(Action::Send {
                    request_id,
                    messages: text,
                    connection_type: self.transport,
                    is_connect: false,
                    timeout_ms: self.config.max_network_delay_ms.min(MAX_DELAY_MS),
                });
            }
            if self.transport == ConnectionType::WebSocket {
                close_websocket(&mut out);
            }
        }
        self.finish(out)
    }

    // -----------------------------------------------------------------------------------------
    // Sending

    fn next_message_id(&mut self) -> u64 {
        let id = self.next_message_id;
        self.next_message_id += 1;
        id
    }

    fn next_request_id(&mut self) -> RequestId {
        let id = RequestId(self.next_request_id);
        self.next_request_id += 1;
        id
    }

    /// Sends one request and tracks it. `text` is the batch so far (`[` and its messages,
    /// written straight as text: no `Json` tree to build, clone and drop); this closes it.
    fn dispatch(
        &mut self,
        out: &mut Out,
        kind: RequestKind,
        mut text: String,
        awaiting: Vec<Awaiting>,
        timeout_ms: u64,
    ) {
        let request_id = self.next_request_id();
        let timeout_ms = timeout_ms.min(MAX_DELAY_MS);
        text.push(']');
        out.io(Action::Send {
            request_id,
            messages: text,
            connection_type: self.transport,
            is_connect: kind == RequestKind::Connect,
            timeout_ms,
        });
        out.io(Action::SetTimer {
            timer: Timer::Request(request_id),
            delay_ms: timeout_ms,
        });
        self.in_flight.push(InFlight {
            id: request_id,
            kind,
            connection_type: self.transport,
            awaiting,
        });
    }

    fn send_handshake(&mut self, out: &mut Out) {
        let message_id = self.next_message_id();
        let mut text = String::from(
            "[{\"channel\":\"/meta/handshake\",\"version\":\"1.0\",\"minimumVersion\":\"1.0\",\
             \"supportedConnectionTypes\":[",
        );
        if self.transport == ConnectionType::WebSocket {
            text.push_str("\"websocket\",");
        }
        text.push_str("\"long-polling\"],\"id\":\"");
        push_u64(&mut text, message_id);
        text.push('"');
        let mut ext = match &self.config.handshake_ext {
            Some(ext @ Json::Object(_)) => ext.clone(),
            _ => Json::Object(Vec::new()),
        };
        if self.config.ack_enabled {
            ext.set("ack", Json::Bool(true));
        }
        if ext.as_object().is_some_and(|members| !members.is_empty()) {
            text.push_str(",\"ext\":");
            ext.write_to(&mut text);
        }
        text.push('}');
        let awaiting = Awaiting {
            message_id,
            epoch: self.epoch,
            sent: Sent::Handshake,
        };
        let timeout = self.config.max_network_delay_ms;
        self.dispatch(out, RequestKind::Handshake, text, vec![awaiting], timeout);
    }

    fn send_connect(&mut self, out: &mut Out) {
        let Some(client_id) = self.client_id.clone() else {
            return;
        };
        if self
            .in_flight
            .iter()
            .any(|r| r.kind == RequestKind::Connect)
        {
            return; // exactly one outstanding connect
        }
        let message_id = self.next_message_id();
        let mut text = String::from("[");
        open_message(&mut text, META_CONNECT, message_id, &client_id);
        text.push_str(",\"connectionType\":\"");
        text.push_str(self.transport.name());
        text.push('"');
        let hold_ms = if self.first_connect {
            // Learn the advice at once, as CometD does.
            text.push_str(",\"advice\":{\"timeout\":0}");
            0
        } else {
            self.advice.timeout_ms
        };
        if self.ack_active {
            text.push_str(",\"ext\":{\"ack\":");
            // As a JSON number (the same text as before for every id up to 2^53).
            Json::Number(self.ack_batch as f64).write_to(&mut text);
            text.push('}');
        }
        text.push('}');
        let awaiting = Awaiting {
            message_id,
            epoch: self.epoch,
            sent: Sent::Connect,
        };
        let timeout = hold_ms.saturating_add(self.config.max_network_delay_ms);
        self.dispatch(out, RequestKind::Connect, text, vec![awaiting], timeout);
    }

    /// Sends queued messages if the session and transport allow it. Long-polling keeps at most
    /// one such request in flight (besides the connect), which also keeps publishes in order.
    fn flush(&mut self, out: &mut Out) {
        let Some(client_id) = self.client_id.clone() else {
            return;
        };
        if !self.running || !self.transport_ok {
            return;
        }
        while !self.outbox.is_empty() {
            if self.transport == ConnectionType::LongPolling
                && self.in_flight.iter().any(|r| {
                    r.kind == RequestKind::Messages
                        && r.connection_type == ConnectionType::LongPolling
                })
            {
                return;
            }
            let count = self.outbox.len().min(MAX_BATCH);
            let rest = self.outbox.split_off(count);
            let items = std::mem::replace(&mut self.outbox, rest);
            let mut text = String::from("[");
            let mut awaiting = Vec::with_capacity(items.len());
            for item in items {
                let message_id = self.next_message_id();
                if !awaiting.is_empty() {
                    text.push(',');
                }
                // One shape for every kind: only the channel and the last member differ.
                let (channel, subscription) = match &item {
                    Outgoing::Subscribe(channel) => (META_SUBSCRIBE, Some(channel)),
                    Outgoing::Unsubscribe(channel) => (META_UNSUBSCRIBE, Some(channel)),
                    Outgoing::Publish { channel, .. } => (channel.as_str(), None),
                };
                open_message(&mut text, channel, message_id, &client_id);
                match (subscription, &item) {
                    (Some(channel), _) => {
                        text.push_str(",\"subscription\":");
                        write_string(&mut text, channel);
                    }
                    (None, Outgoing::Publish { data, .. }) => {
                        text.push_str(",\"data\":");
                        data.write_to(&mut text);
                    }
                    (None, _) => {}
                }
                text.push('}');
                awaiting.push(Awaiting {
                    message_id,
                    epoch: self.epoch,
                    sent: Sent::Message(item),
                });
            }
            let timeout = self.config.max_network_delay_ms;
            self.dispatch(out, RequestKind::Messages, text, awaiting, timeout);
        }
    }

    /// Queues a subscribe or unsubscribe, replacing a queued one for the same channel.
    /// Unsubscribes beyond [`BayeuxConfig::max_subscriptions`] queued entries are dropped: they
    /// only spare the server work (deliveries are filtered locally anyway), and the next
    /// handshake starts from a clean slate.
    fn queue_subscription(&mut self, item: Outgoing) {
        if let Some(channel) = item.subscription() {
            self.unqueue_subscriptions(Some(channel));
        }
        if matches!(item, Outgoing::Unsubscribe(_)) {
            // A plain loop: smaller in the wasm than `filter(..).count()`.
            let mut queued = 0;
            for queued_item in &self.outbox {
                queued += usize::from(queued_item.subscription().is_some());
            }
            if queued >= self.config.max_subscriptions {
                return;
            }
        }
        self.outbox.push(item);
    }

    /// Where `channel` is among the recorded subscriptions (a plain loop: smaller in the wasm
    /// than `iter().position(..)` at each call site).
    fn subscription_index(&self, channel: &str) -> Option<usize> {
        let mut index = 0;
        while let Some(recorded) = self.subscriptions.get(index) {
            if recorded == channel {
                return Some(index);
            }
            index += 1;
        }
        None
    }

    /// Drops the queued subscribes and unsubscribes for `channel`, or all of them for `None`.
    /// A plain loop: smaller in the wasm than `retain` with a closure.
    fn unqueue_subscriptions(&mut self, channel: Option<&str>) {
        let mut index = 0;
        while let Some(queued) = self.outbox.get(index) {
            match queued.subscription() {
                Some(queued) if channel.is_none_or(|channel| channel == queued) => {
                    self.outbox.remove(index);
                }
                _ => index += 1,
            }
        }
    }

    /// Publishes queued or awaiting a reply.
    fn pending_publishes(&self) -> usize {
        // Plain loops: smaller in the wasm than `flat_map(..).filter(..).count()`.
        let mut count = 0;
        for item in &self.outbox {
            count += usize::from(matches!(item, Outgoing::Publish { .. }));
        }
        for request in &self.in_flight {
            for awaiting in &request.awaiting {
                count += usize::from(matches!(
                    awaiting.sent,
                    Sent::Message(Outgoing::Publish { .. })
                ));
            }
        }
        count
    }

    // -----------------------------------------------------------------------------------------
    // Scheduling

    /// Runs `next` now (delay 0, only for `Interval`) or arms `timer` for it.
    fn schedule(&mut self, out: &mut Out, next: Next, timer: Timer, delay_ms: u64) {
        self.cancel_scheduled(out);
        if delay_ms == 0 && timer == Timer::Interval {
            self.run(out, next);
            return;
        }
        self.scheduled = Some(Scheduled { timer, next });
        out.io(Action::SetTimer {
            timer,
            delay_ms: delay_ms.min(MAX_DELAY_MS),
        });
    }

    fn cancel_scheduled(&mut self, out: &mut Out) {
        if let Some(scheduled) = self.scheduled.take() {
            out.io(Action::CancelTimer(scheduled.timer));
        }
    }

    fn run(&mut self, out: &mut Out, next: Next) {
        match next {
            Next::Connect => {
                if self.client_id.is_some() {
                    self.send_connect(out);
                } else {
                    self.send_handshake(out);
                }
            }
            Next::Handshake => {
                if !self
                    .in_flight
                    .iter()
                    .any(|r| r.kind == RequestKind::Handshake)
                {
                    self.send_handshake(out);
                }
            }
        }
    }

    /// The delay before a retry after `self.attempt` failures: `advice.interval` plus a
    /// full-jitter backoff.
    fn retry_delay(&mut self) -> u64 {
        let random = (self.random)();
        self.advice
            .interval_ms
            .saturating_add(self.backoff.delay_ms(self.attempt, random))
            .min(MAX_DELAY_MS)
    }

    // -----------------------------------------------------------------------------------------
    // Receiving

    /// Handles the elements of a batch in order; elements that are not messages (no string
    /// `channel`) are skipped.
    fn process(&mut self, out: &mut Out, items: Vec<Json>, via: ConnectionType) {
        for item in items {
            if !self.running {
                return;
            }
            let Some(message) = Incoming::from_json(item) else {
                continue;
            };
            if message.is_reply() {
                // By reference: the message is dropped once, here, instead of field by
                // field on every path of the reply handlers (much smaller in the wasm).
                self.on_reply(out, &message, via);
            } else {
                self.on_delivery(out, message);
            }
        }
    }

    fn on_delivery(&mut self, out: &mut Out, message: Incoming) {
        let Some(data) = message.data else {
            return;
        };
        if self
            .subscriptions
            .iter()
            .any(|pattern| pattern_matches(pattern, &message.channel))
        {
            out.event(Action::Deliver {
                channel: message.channel,
                data,
            });
        }
    }

    /// Finds and removes the awaited message that `message` answers; finishes its request when
    /// nothing else of it is awaited.
    fn take_awaiting(&mut self, out: &mut Out, message: &Incoming) -> Option<Awaiting> {
        let id = message.id?;
        for request_index in 0..self.in_flight.len() {
            let request = self.in_flight.get_mut(request_index)?;
            let Some(message_index) = request.awaiting.iter().position(|a| a.message_id == id)
            else {
                continue;
            };
            // Message ids are never reused: no other awaited message has this one.
            let sent = &request.awaiting.get(message_index)?.sent;
            if !sent_channel_matches(sent, &message.channel) {
                return None;
            }
            let awaiting = request.awaiting.remove(message_index);
            if request.awaiting.is_empty() {
                let finished = self.in_flight.remove(request_index);
                out.io(Action::CancelTimer(Timer::Request(finished.id)));
            }
            return Some(awaiting);
        }
        None
    }

    fn on_reply(&mut self, out: &mut Out, message: &Incoming, via: ConnectionType) {
        // Replies to messages no longer awaited (aborted, timed out, superseded) are ignored.
        let Some(awaiting) = self.take_awaiting(out, message) else {
            return;
        };
        let current = awaiting.epoch == self.epoch && self.client_id.is_some();
        match awaiting.sent {
            Sent::Handshake => self.on_handshake_reply(out, message, via),
            Sent::Connect => {
                if current {
                    self.on_connect_reply(out, message);
                }
            }
            Sent::Message(Outgoing::Publish { id, channel, data }) => {
                if message.successful == Some(true) {
                    out.event(Action::PublishAcked {
                        id,
                        successful: true,
                        error: None,
                    });
                } else if message.error_code() == Some(402) {
                    // The server did not know the client, so did not process the publish.
                    self.requeue(Outgoing::Publish { id, channel, data }, awaiting.epoch);
                    if current {
                        self.rehandshake(out, message.advice());
                    }
                } else {
                    out.event(Action::PublishAcked {
                        id,
                        successful: false,
                        error: Some(error_or(message, "publish failed")),
                    });
                }
            }
            Sent::Message(Outgoing::Subscribe(subscription)) => {
                if message.successful == Some(true) {
                    if current && self.subscription_index(&subscription).is_some() {
                        out.event(Action::SubscribeAcked {
                            subscription,
                            successful: true,
                            error: None,
                        });
                    }
                } else if message.error_code() == Some(402) {
                    if current {
                        self.rehandshake(out, message.advice()); // re-subscribes
                    }
                } else if current {
                    // Recorded at most once (`subscribe` ignores a second time).
                    if let Some(position) = self.subscription_index(&subscription) {
                        self.subscriptions.remove(position);
                    }
                    out.event(Action::SubscribeAcked {
                        subscription,
                        successful: false,
                        error: Some(error_or(message, "subscribe failed")),
                    });
                }
            }
            Sent::Message(Outgoing::Unsubscribe(_)) => {
                if message.error_code() == Some(402) && current {
                    self.rehandshake(out, message.advice());
                }
            }
        }
    }

    fn on_handshake_reply(&mut self, out: &mut Out, message: &Incoming, via: ConnectionType) {
        if self.client_id.is_some() {
            return; // a duplicate reply; the session is already set up
        }
        if let Some(advice) = message.advice() {
            self.advice = advice;
        }
        self.transport_ok = true;
        let client_id = match (&message.successful, &message.client_id) {
            (Some(true), Some(client_id)) if !client_id.is_empty() => client_id.clone(),
            _ => {
                if self.advice.reconnect == Reconnect::None {
                    self.terminate(out, message.error.clone());
                } else {
                    self.attempt = self.attempt.saturating_add(1);
                    let delay = self.retry_delay();
                    self.schedule(out, Next::Handshake, Timer::Backoff, delay);
                }
                return;
            }
        };
        if via == ConnectionType::WebSocket {
            self.websocket_proven = true;
        }
        // Transport negotiation: keep ours if the server offers it, else fall back.
        if let Some(types) = &message.supported_connection_types {
            let offers = |name: &str| types.iter().any(|t| t.as_str() == Some(name));
            if !offers(self.transport.name()) {
                if self.transport == ConnectionType::WebSocket
                    && offers(ConnectionType::LongPolling.name())
                {
                    self.switch_to_long_polling(out);
                } else {
                    self.terminate(out, Some(ERROR_NO_CONNECTION_TYPE.to_owned()));
                    return;
                }
            }
        }
        if self.advice.reconnect == Reconnect::None {
            self.terminate(out, message.error.clone());
            return;
        }
        self.client_id = Some(client_id.clone());
        self.epoch += 1;
        let rehandshake = self.handshakes > 0;
        self.handshakes += 1;
        self.connected = false;
        self.first_connect = true;
        self.ack_batch = 0;
        self.ack_active = false;
        if self.config.ack_enabled {
            match message.ext_field("ack") {
                Some(Json::Bool(true)) => self.ack_active = true,
                Some(ack @ Json::Object(_)) => {
                    self.ack_active = ack.get("enabled").and_then(Json::as_bool) == Some(true);
                    if let Some(batch) = ack.get("batch").and_then(batch_id) {
                        self.ack_batch = batch;
                    }
                }
                _ => {}
            }
        }
        // The new session has no subscriptions: renew every recorded one, ahead of publishes.
        self.unqueue_subscriptions(None);
        for channel in self.subscriptions.iter().rev() {
            if !is_service(channel) {
                self.outbox.insert(0, Outgoing::Subscribe(channel.clone()));
            }
        }
        self.flush(out);
        let interval = self.advice.interval_ms;
        self.schedule(out, Next::Connect, Timer::Interval, interval);
        out.event(Action::Handshaken {
            client_id,
            rehandshake,
        });
    }

    fn on_connect_reply(&mut self, out: &mut Out, message: &Incoming) {
        if let Some(advice) = message.advice() {
            self.advice = advice;
        }
        self.first_connect = false;
        self.transport_ok = true;
        let reconnect = self.advice.reconnect;
        if message.successful == Some(true) {
            if self.ack_active {
                if let Some(batch) = message.ext_field("ack").and_then(batch_id) {
                    self.ack_batch = batch;
                }
            }
            match reconnect {
                Reconnect::None => self.terminate(out, message.error.clone()),
                Reconnect::Handshake => self.rehandshake(out, None),
                Reconnect::Retry => {
                    self.attempt = 0;
                    self.connected = true;
                    if self.interrupted {
                        self.interrupted = false;
                        out.event(Action::Continued);
                    }
                    self.flush(out);
                    let interval = self.advice.interval_ms;
                    self.schedule(out, Next::Connect, Timer::Interval, interval);
                }
            }
        } else if reconnect == Reconnect::None {
            self.terminate(out, message.error.clone());
        } else if message.error_code() == Some(402) || reconnect == Reconnect::Handshake {
            self.rehandshake(out, None);
        } else {
            self.connection_failure(out);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Failures and recovery

    /// The server forgot the session (402, or `reconnect: handshake`): handshake again after a
    /// backoff, then renew subscriptions and send what waits.
    fn rehandshake(&mut self, out: &mut Out, advice: Option<Advice>) {
        if self.client_id.is_none() {
            return;
        }
        if let Some(advice) = advice {
            self.advice = advice;
        }
        self.interrupt(out);
        self.client_id = None;
        self.connected = false;
        self.abort_connect(out);
        self.unqueue_subscriptions(None);
        self.attempt = self.attempt.saturating_add(1);
        let delay = self.retry_delay();
        self.schedule(out, Next::Handshake, Timer::Backoff, delay);
    }

    /// The connect loop failed: retry the connect after a backoff.
    fn connection_failure(&mut self, out: &mut Out) {
        self.interrupt(out);
        self.connected = false;
        self.abort_connect(out);
        self.attempt = self.attempt.saturating_add(1);
        let delay = self.retry_delay();
        self.schedule(out, Next::Connect, Timer::Backoff, delay);
    }

    fn interrupt(&mut self, out: &mut Out) {
        if self.connected && !self.interrupted {
            self.interrupted = true;
            out.event(Action::Interrupted);
        }
    }

    /// Forgets the outstanding connect (aborting it on long-polling).
    fn abort_connect(&mut self, out: &mut Out) {
        if let Some(index) = self
            .in_flight
            .iter()
            .position(|r| r.kind == RequestKind::Connect)
        {
            let request = self.in_flight.remove(index);
            out.io(Action::CancelTimer(Timer::Request(request.id)));
            if request.connection_type == ConnectionType::LongPolling {
                out.io(Action::Abort {
                    request_id: request.id,
                });
            }
        }
    }

    fn take_request(&mut self, request_id: RequestId) -> Option<InFlight> {
        let index = self.in_flight.iter().position(|r| r.id == request_id)?;
        Some(self.in_flight.remove(index))
    }

    /// Moves the requests on `connection_type` to the end of `taken`.
    fn take_requests_on(
        &mut self,
        connection_type: ConnectionType,
        mut taken: Vec<InFlight>,
    ) -> Vec<InFlight> {
        // A plain loop over a handful of requests: much smaller in the wasm than `partition`.
        let mut index = 0;
        while let Some(request) = self.in_flight.get(index) {
            if request.connection_type == connection_type {
                taken.push(self.in_flight.remove(index));
            } else {
                index += 1;
            }
        }
        taken
    }

    /// Puts an unanswered message back in the outbox. Publishes go back in their original
    /// order (by id); subscribes and unsubscribes only if still meaningful in this session.
    fn requeue(&mut self, item: Outgoing, epoch: u64) {
        match &item {
            Outgoing::Publish { id, .. } => {
                let id = *id;
                let position = self
                    .outbox
                    .iter()
                    .position(|queued| matches!(queued, Outgoing::Publish { id: later, .. } if *later > id))
                    .unwrap_or(self.outbox.len());
                self.outbox.insert(position, item);
            }
            Outgoing::Subscribe(channel) | Outgoing::Unsubscribe(channel) => {
                let wanted = self.subscription_index(channel).is_some();
                let still_meaningful = match item {
                    Outgoing::Subscribe(_) => wanted,
                    _ => !wanted,
                };
                let superseded = self
                    .outbox
                    .iter()
                    .any(|queued| queued.subscription() == Some(channel.as_str()));
                if epoch == self.epoch
                    && self.client_id.is_some()
                    && still_meaningful
                    && !superseded
                {
                    self.outbox.insert(0, item);
                }
            }
        }
    }

    /// Requests that failed (error, timeout, closed socket, unreadable or incomplete reply).
    /// Their unanswered messages are requeued; then the machine recovers: back to
    /// long-polling, retry the handshake, or retry the connect, each after a backoff.
    fn fail_requests(&mut self, out: &mut Out, failed: Vec<InFlight>, fired: Option<RequestId>) {
        if failed.is_empty() {
            return;
        }
        let mut handshake_failed = false;
        let mut connect_failed = false;
        let mut other_failed = false;
        let on_websocket = request_is_on(&failed, ConnectionType::WebSocket);
        for request in failed {
            if Some(request.id) != fired {
                out.io(Action::CancelTimer(Timer::Request(request.id)));
            }
            for awaiting in request.awaiting {
                let current = awaiting.epoch == self.epoch;
                match awaiting.sent {
                    Sent::Handshake => handshake_failed = true,
                    Sent::Connect => connect_failed |= current,
                    Sent::Message(item) => {
                        other_failed |= current;
                        self.requeue(item, awaiting.epoch);
                    }
                }
            }
        }
        self.transport_ok = false;

        if on_websocket && self.transport == ConnectionType::WebSocket && !self.websocket_proven {
            // WebSocket cannot be used here: handshake over long-polling at once.
            self.switch_to_long_polling(out);
            self.transport_ok = true;
            if self.client_id.is_none() {
                self.cancel_scheduled(out);
                self.send_handshake(out);
                return;
            }
        }

        if self.client_id.is_none() {
            if handshake_failed {
                self.attempt = self.attempt.saturating_add(1);
                let delay = self.retry_delay();
                self.schedule(out, Next::Handshake, Timer::Backoff, delay);
            }
            // Otherwise a request of an older session failed while handshaking: requeued only.
            return;
        }
        // A failed publish or subscribe means the transport is suspect: unless a backoff is
        // already running, restart the connect loop after one.
        let backing_off = self.scheduled.is_some_and(|s| s.timer == Timer::Backoff);
        if connect_failed || (other_failed && !backing_off) {
            self.connection_failure(out);
        }
    }

    /// Forgets requests without treating them as failures (their messages are requeued).
    fn drop_requests(&mut self, out: &mut Out, requests: Vec<InFlight>) {
        for request in requests {
            out.io(Action::CancelTimer(Timer::Request(request.id)));
            for awaiting in request.awaiting {
                if let Sent::Message(item) = awaiting.sent {
                    self.requeue(item, awaiting.epoch);
                }
            }
        }
    }

    fn switch_to_long_polling(&mut self, out: &mut Out) {
        if self.transport == ConnectionType::LongPolling {
            return;
        }
        let stranded = self.take_requests_on(ConnectionType::WebSocket, Vec::new());
        self.drop_requests(out, stranded);
        self.transport = ConnectionType::LongPolling;
        close_websocket(out);
        out.io(Action::UseTransport(ConnectionType::LongPolling));
    }

    /// The server ended the session for good.
    fn terminate(&mut self, out: &mut Out, error: Option<String>) {
        self.stop(out, Some(error), ERROR_TERMINATED);
        if self.transport == ConnectionType::WebSocket {
            close_websocket(out);
        }
    }

    /// Stops everything: timers, requests (aborted on long-polling), queued publishes (failed
    /// with `error`).
    fn stop(&mut self, out: &mut Out, terminated: Option<Option<String>>, error: &str) {
        self.running = false;
        self.terminated = terminated;
        self.cancel_scheduled(out);
        let mut dropped = Vec::new();
        for request in std::mem::take(&mut self.in_flight) {
            out.io(Action::CancelTimer(Timer::Request(request.id)));
            if request.connection_type == ConnectionType::LongPolling {
                out.io(Action::Abort {
                    request_id: request.id,
                });
            }
            for awaiting in request.awaiting {
                if let Sent::Message(Outgoing::Publish { id, .. }) = awaiting.sent {
                    insert_sorted(&mut dropped, id);
                }
            }
        }
        for item in std::mem::take(&mut self.outbox) {
            if let Outgoing::Publish { id, .. } = item {
                insert_sorted(&mut dropped, id);
            }
        }
        for id in dropped {
            out.event(Action::PublishAcked {
                id,
                successful: false,
                error: Some(error.to_owned()),
            });
        }
        self.client_id = None;
        self.connected = false;
        self.interrupted = false;
        self.attempt = 0;
        self.transport_ok = true;
        self.first_connect = false;
        self.ack_active = false;
    }

    // -----------------------------------------------------------------------------------------
    // State reporting

    fn public_state(&self) -> State {
        if !self.running {
            return match &self.terminated {
                Some(error) => State::Terminated {
                    error: error.clone(),
                },
                None => State::Disconnected,
            };
        }
        if self.attempt > 0 {
            State::Reconnecting {
                attempt: self.attempt,
            }
        } else if self.client_id.is_none() {
            State::Handshaking
        } else if self.connected {
            State::Connected
        } else {
            State::Connecting
        }
    }

    /// Appends a state change (if any) and returns I/O, then notifications.
    fn finish(&mut self, mut out: Out) -> Vec<Action> {
        let state = self.public_state();
        let key = state_key(&state);
        if key != self.reported {
            self.reported = key;
            out.event(Action::StateChanged(state));
        }
        out.actions
    }
}

/// What `finish` compares to tell a state change: the kind of state, and the attempt of
/// `Reconnecting`. A terminated client's error is left out: only `start` leaves
/// `Terminated`, and it always reports `Handshaking`, so two `Terminated` in a row (whatever
/// their errors) never happen.
fn state_key(state: &State) -> (mem::Discriminant<State>, u32) {
    let attempt = match state {
        State::Reconnecting { attempt } => *attempt,
        _ => 0,
    };
    (mem::discriminant(state), attempt)
}

/// Appends the start of a message sent in a session:
/// `{"channel":…,"id":"…","clientId":…` (the caller adds the rest and the closing `}`).
fn open_message(text: &mut String, channel: &str, message_id: u64, client_id: &str) {
    text.push_str("{\"channel\":");
    write_string(text, channel);
    text.push_str(",\"id\":\"");
    push_u64(text, message_id);
    text.push_str("\",\"clientId\":");
    write_string(text, client_id);
}

/// Asks the adapter to close the WebSocket, unless this call already did and sent nothing on
/// a WebSocket since.
fn close_websocket(out: &mut Out) {
    let already_closed = out
        .actions
        .get(..out.io_len)
        .unwrap_or_default()
        .iter()
        .rev()
        .find(|action| {
            matches!(
                action,
                Action::CloseWebSocket
                    | Action::Send {
                        connection_type: ConnectionType::WebSocket,
                        ..
                    }
            )
        })
        .is_some_and(|action| matches!(action, Action::CloseWebSocket));
    if !already_closed {
        out.io(Action::CloseWebSocket);
    }
}

fn request_is_on(requests: &[InFlight], connection_type: ConnectionType) -> bool {
    requests
        .iter()
        .any(|r| r.connection_type == connection_type)
}

/// The server's error string of a reply, or `fallback`.
fn error_or(message: &Incoming, fallback: &str) -> String {
    message.error.as_deref().unwrap_or(fallback).to_owned()
}

/// Does a reply on `channel` belong to a message sent as `sent`?
fn sent_channel_matches(sent: &Sent, channel: &str) -> bool {
    match sent {
        Sent::Handshake => channel == META_HANDSHAKE,
        Sent::Connect => channel == META_CONNECT,
        Sent::Message(Outgoing::Subscribe(_)) => channel == META_SUBSCRIBE,
        Sent::Message(Outgoing::Unsubscribe(_)) => channel == META_UNSUBSCRIBE,
        Sent::Message(Outgoing::Publish { channel: sent, .. }) => channel == sent,
    }
}

/// The error of a subscribe or publish on a channel that cannot be used: `400:{channel}:Invalid
/// channel` (built without `format!`, which is large in the wasm).
fn invalid_channel(channel: &str) -> String {
    let mut text = String::from("400:");
    text.push_str(channel);
    text.push_str(":Invalid channel");
    text
}

/// Inserts `id` keeping `list` in order. The lists are a handful of publishes, so this is
/// cheaper in the wasm than linking the standard library's stable sort.
fn insert_sorted(list: &mut Vec<PublishId>, id: PublishId) {
    let at = list
        .iter()
        .rposition(|earlier| *earlier <= id)
        .map_or(0, |i| i + 1);
    list.insert(at, id);
}
