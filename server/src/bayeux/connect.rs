//! `/meta/connect`: answering at once, or holding the connect until there is something to
//! deliver, a newer connect supersedes it, the client goes away, or the timeout passes.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::watch;
use tokio::time::Instant;

use super::ack::batch_id;
use super::engine::{later, Engine, RequestContext};
use super::message::{Advice, Incoming, OutMessage, Shared, META_CONNECT};
use super::session::{HeldConnect, HeldVia, Session};

/// What to do with a `/meta/connect` that was just received.
pub(crate) enum ConnectStart {
    /// Answer now with these messages (deliveries, then the connect reply).
    Reply(Vec<Shared>),
    /// Hold it; the transport waits on the [`PendingConnect`].
    Hold(PendingConnect),
}

/// A held `/meta/connect`. Dropping it (the HTTP client went away, the socket closed) releases
/// the client, whose expiry clock then starts.
pub(crate) struct PendingConnect {
    engine: Arc<Engine>,
    client_id: String,
    seq: u64,
    id: Option<Value>,
    deadline: Instant,
}

/// Where a held connect stands.
pub(crate) enum ConnectPoll {
    /// Answer it with these messages.
    Done(Vec<Shared>),
    /// Keep holding; look again when this receiver changes (or at the deadline).
    Wait(watch::Receiver<()>),
}

impl Engine {
    /// Starts a `/meta/connect` from a known client (`client_id`), whose `connectionType` has
    /// been checked.
    pub(crate) fn begin_connect(
        self: &Arc<Self>,
        message: &Incoming,
        client_id: &str,
        context: &RequestContext,
    ) -> ConnectStart {
        let now = Instant::now();
        let mut registry = self.lock();
        registry.set_browser(client_id, context.browser.as_deref());
        // Several tabs of one browser must not each hold a long-poll: that would use up the
        // browser's connections to this host. Only the first holds; the others poll.
        let multiple_clients = context.socket.is_none()
            && context
                .browser
                .as_deref()
                .is_some_and(|browser| registry.other_long_poller(browser, client_id));
        let Some(session) = registry.sessions.get_mut(client_id) else {
            return ConnectStart::Reply(vec![Arc::new(unknown_client(message))]);
        };

        if let Some(ack) = session.ack.as_mut() {
            if let Some(acknowledged) = message.ext_field("ack").and_then(batch_id) {
                let lost = ack.acknowledge(acknowledged);
                if !lost.is_empty() {
                    tracing::debug!(
                        client_id,
                        count = lost.len(),
                        "bayeux re-sending unacknowledged messages"
                    );
                    session.requeue_front(lost);
                }
            }
        }

        // One outstanding connect per client: this one supersedes any held one, whose holder
        // is woken (before the transport binding changes, so that its socket hears of it).
        session.connect_seq += 1;
        let seq = session.connect_seq;
        if session.held.is_some() {
            session.wake();
            session.held = None;
        }
        session.socket = context.socket.clone();
        let is_first = !std::mem::replace(&mut session.has_connected, true);
        let timeout = self.hold_timeout(message);

        if multiple_clients {
            let advice = Advice {
                multiple_clients: Some(true),
                ..Advice::retry(millis(self.config.multiple_clients_interval), None)
            };
            return ConnectStart::Reply(self.connect_reply(
                session,
                message.id.clone(),
                advice,
                now,
            ));
        }
        // The first connect is answered at once so that the client learns the advice, as
        // CometD does; a client may also ask for no hold with `advice.timeout: 0`.
        let has_messages = session.may_send_queue() && session.delivers_with_connect();
        if is_first || timeout.is_zero() || has_messages {
            let advice = self.retry_advice();
            return ConnectStart::Reply(self.connect_reply(
                session,
                message.id.clone(),
                advice,
                now,
            ));
        }

        session.held = Some(HeldConnect {
            seq,
            via: match &context.socket {
                Some(socket) => HeldVia::WebSocket(socket.clone()),
                None => HeldVia::LongPolling,
            },
        });
        session.expires_at = None;
        ConnectStart::Hold(PendingConnect {
            engine: Arc::clone(self),
            client_id: client_id.to_owned(),
            seq,
            id: message.id.clone(),
            deadline: later(now, timeout),
        })
    }

    /// How long to hold a connect: the configured timeout, or less if the client asks.
    fn hold_timeout(&self, message: &Incoming) -> Duration {
        let asked = message.advice_timeout_ms().map(Duration::from_millis);
        asked.map_or(self.config.timeout, |asked| asked.min(self.config.timeout))
    }

    /// `reconnect: retry` with the configured interval and timeout.
    pub(crate) fn retry_advice(&self) -> Advice {
        Advice::retry(
            millis(self.config.interval),
            Some(millis(self.config.timeout)),
        )
    }

    /// The reply to the client's current connect, after the queued messages (unless a request
    /// of the client is in progress: it will send them). Closes an ack batch and starts the
    /// expiry clock.
    fn connect_reply(
        &self,
        session: &mut Session,
        id: Option<Value>,
        advice: Advice,
        now: Instant,
    ) -> Vec<Shared> {
        let mut messages = if session.busy_requests == 0 {
            session.take_queue()
        } else {
            Vec::new()
        };
        let mut reply = OutMessage {
            channel: Some(META_CONNECT.to_owned()),
            id,
            client_id: Some(session.info.client_id.clone()),
            ..OutMessage::default()
        }
        .successful()
        .with_advice(advice);
        if let Some(ack) = session.ack.as_mut() {
            reply.ext = Some(json!({ "ack": ack.close_batch(&messages) }));
        }
        session.expires_at = Some(self.expiry_from(now));
        messages.push(Arc::new(reply));
        messages
    }
}

impl PendingConnect {
    /// When the connect must be answered at the latest.
    pub(crate) fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Is the connect done (and with what), or should it wait?
    pub(crate) fn poll(&self, now: Instant) -> ConnectPoll {
        let engine = &self.engine;
        let mut registry = engine.lock();
        let Some(session) = registry.sessions.get_mut(&self.client_id) else {
            // Removed while connected: only `/meta/disconnect` does that.
            return ConnectPoll::Done(vec![Arc::new(self.bare_reply(Advice::none()))]);
        };
        if session.connect_seq != self.seq {
            let advice = engine.retry_advice();
            return ConnectPoll::Done(vec![Arc::new(self.bare_reply(advice))]);
        }
        let has_messages = session.may_send_queue() && session.delivers_with_connect();
        if now >= self.deadline || has_messages {
            session.held = None;
            let advice = engine.retry_advice();
            return ConnectPoll::Done(engine.connect_reply(session, self.id.clone(), advice, now));
        }
        ConnectPoll::Wait(session.watch())
    }

    /// Holds the connect of a long-poll request until it is done.
    pub(crate) async fn wait(self) -> Vec<Shared> {
        loop {
            let mut changes = match self.poll(Instant::now()) {
                ConnectPoll::Done(messages) => return messages,
                ConnectPoll::Wait(changes) => changes,
            };
            tokio::select! {
                // An error means the session is gone; the next poll says so.
                _ = changes.changed() => {}
                _ = tokio::time::sleep_until(self.deadline) => {}
            }
        }
    }

    /// A reply that carries no messages and no ack batch: for a superseded connect, or one
    /// whose client is gone.
    fn bare_reply(&self, advice: Advice) -> OutMessage {
        OutMessage {
            channel: Some(META_CONNECT.to_owned()),
            id: self.id.clone(),
            client_id: Some(self.client_id.clone()),
            ..OutMessage::default()
        }
        .successful()
        .with_advice(advice)
    }
}

impl Drop for PendingConnect {
    fn drop(&mut self) {
        let mut registry = self.engine.lock();
        if let Some(session) = registry.sessions.get_mut(&self.client_id) {
            if session
                .held
                .as_ref()
                .is_some_and(|held| held.seq == self.seq)
            {
                session.held = None;
                session.expires_at = Some(self.engine.expiry_from(Instant::now()));
            }
        }
    }
}

/// The error reply for a message from a client the engine does not know (any more).
pub(crate) fn unknown_client(message: &Incoming) -> OutMessage {
    message
        .failure("402::Unknown client")
        .with_advice(Advice::handshake())
}

/// A duration in whole milliseconds, as advice carries it.
pub(crate) fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
