//! The state of one client between its handshake and its removal: identity, subscriptions,
//! queue of messages to deliver, the `/meta/connect` it holds, and how to reach it.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use tokio::sync::{watch, Notify};
use tokio::time::Instant;

use super::ack::AckState;
use super::app::ClientInfo;
use super::message::Shared;

/// A WebSocket connection, as seen by the sessions it carries.
#[derive(Debug, Clone)]
pub(crate) struct SocketLink {
    pub id: u64,
    /// Wakes the socket's task: something to push, or one of its held connects may be done.
    pub notify: Arc<Notify>,
}

/// Which transport holds a client's outstanding `/meta/connect`.
#[derive(Debug, Clone)]
pub(crate) enum HeldVia {
    LongPolling,
    WebSocket(SocketLink),
}

/// The `/meta/connect` a client currently has outstanding.
#[derive(Debug, Clone)]
pub(crate) struct HeldConnect {
    /// The connect's number ([`Session::connect_seq`] when it arrived).
    pub seq: u64,
    pub via: HeldVia,
}

/// One Bayeux client.
#[derive(Debug)]
pub(crate) struct Session {
    pub info: ClientInfo,
    /// The `BAYEUX_BROWSER` id of the client's latest request.
    pub browser: Option<String>,
    /// Subscription patterns (never `/meta/**` or `/service/**`).
    pub subscriptions: HashSet<String>,
    /// Messages waiting to be delivered, in order.
    pub queue: VecDeque<Shared>,
    /// Present when the client uses the acknowledge extension.
    pub ack: Option<AckState>,
    /// Number of the latest `/meta/connect`; an older held connect has been superseded.
    pub connect_seq: u64,
    pub held: Option<HeldConnect>,
    /// False until the first `/meta/connect`, which is answered at once.
    pub has_connected: bool,
    /// When the client is removed if no connect arrives; `None` while a connect is held.
    pub expires_at: Option<Instant>,
    /// The WebSocket the client last connected over; `None` when it long-polls.
    pub socket: Option<SocketLink>,
    /// Requests from this client being processed. While any is, held connects and socket
    /// pushes leave the queue alone, so that deliveries caused by a request (a service reply)
    /// go out with or after the request's replies.
    pub busy_requests: u32,
    /// Bumped on every change a held long-poll connect may be waiting for.
    signal: watch::Sender<()>,
}

impl Session {
    pub(crate) fn new(info: ClientInfo, ack: bool, expires_at: Instant) -> Self {
        Self {
            info,
            browser: None,
            subscriptions: HashSet::new(),
            queue: VecDeque::new(),
            ack: ack.then(AckState::new),
            connect_seq: 0,
            held: None,
            has_connected: false,
            expires_at: Some(expires_at),
            socket: None,
            busy_requests: 0,
            signal: watch::Sender::new(()),
        }
    }

    /// A receiver that sees every later [`Session::wake`], and an error once the session is
    /// dropped (removed).
    pub(crate) fn watch(&self) -> watch::Receiver<()> {
        self.signal.subscribe()
    }

    /// Tells whoever waits for this client (a held long-poll, its WebSocket, the WebSocket that
    /// holds its connect) to look at it again.
    pub(crate) fn wake(&self) {
        self.signal.send_replace(());
        if let Some(socket) = &self.socket {
            socket.notify.notify_one();
        }
        if let Some(HeldConnect {
            via: HeldVia::WebSocket(socket),
            ..
        }) = &self.held
        {
            socket.notify.notify_one();
        }
    }

    pub(crate) fn enqueue(&mut self, message: Shared) {
        self.queue.push_back(message);
        self.wake();
    }

    pub(crate) fn take_queue(&mut self) -> Vec<Shared> {
        self.queue.drain(..).collect()
    }

    /// Puts messages back at the head of the queue (acknowledge-extension re-sends).
    pub(crate) fn requeue_front(&mut self, messages: Vec<Shared>) {
        for message in messages.into_iter().rev() {
            self.queue.push_front(message);
        }
    }

    /// Do queued messages go out with `/meta/connect` replies? Acked clients get messages only
    /// that way (so that every message belongs to a batch); others too unless their WebSocket
    /// pushes them as they come.
    pub(crate) fn delivers_with_connect(&self) -> bool {
        self.ack.is_some() || self.socket.is_none()
    }

    /// Does the WebSocket `socket_id` push this client's messages as they are queued?
    pub(crate) fn pushes_to_socket(&self, socket_id: u64) -> bool {
        self.ack.is_none() && self.socket.as_ref().is_some_and(|s| s.id == socket_id)
    }

    /// May queued messages be sent now? Not while a request of the client is in progress.
    pub(crate) fn may_send_queue(&self) -> bool {
        self.busy_requests == 0 && !self.queue.is_empty()
    }

    pub(crate) fn holds_long_poll(&self) -> bool {
        matches!(
            self.held,
            Some(HeldConnect {
                via: HeldVia::LongPolling,
                ..
            })
        )
    }
}
