//! GMS chat v2 over Bayeux: operations are publishes on `/service/chatV2/{service}`, and the
//! server's envelopes arrive on the same channel.
//!
//! The reply to a publish says whether the operation was accepted (a refused one carries
//! `"{status}:{gweCode}:{text}"` as its error); the news it causes arrives as envelopes.
//! After a re-handshake the server has forgotten this client, so the session asks again for
//! what it missed ([`TransportEvent::Reconnected`] → [`BayeuxChat::catch_up`]).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::{server_unavailable, Sink, TransportEvent};
use crate::browser::bayeux::{BayeuxConnection, BayeuxEvent};
use crate::browser::oneshot;
use crate::browser::timer::Timeout;
use crate::core::bayeux::{BayeuxConfig, PublishId, State};
use crate::core::gms::{Credentials, Envelope, Operation};
use crate::core::json::Json;
use crate::core::ChatError;

/// How long `startSession` waits for the server to create the chat.
const START_TIMEOUT_MS: f64 = 30_000.0;

type Outcome = Result<(), ChatError>;

pub struct BayeuxChat {
    connection: RefCell<Option<BayeuxConnection>>,
    channel: String,
    credentials: RefCell<Credentials>,
    sink: Sink,
    /// Commands waiting for their publish reply.
    waiting: RefCell<Vec<(PublishId, oneshot::Sender<Outcome>)>>,
    /// Replies that came before their command registered (a publish refused at once).
    early: RefCell<Vec<(PublishId, Outcome)>>,
    /// `startSession` waiting for the envelope that carries the secureKey.
    starting: RefCell<Option<oneshot::Sender<Result<Envelope, ChatError>>>>,
    start_publish: Cell<Option<PublishId>>,
    start_deadline: RefCell<Option<Timeout>>,
    closed: Cell<bool>,
}

impl BayeuxChat {
    /// `bayeux_url` is `{serverUrl}/cometd`; `channel` is `/service/chatV2/{service}`.
    pub fn new(bayeux_url: String, channel: String, websockets: bool, sink: Sink) -> Rc<Self> {
        Rc::new_cyclic(|weak: &std::rc::Weak<Self>| {
            let weak = weak.clone();
            let config = BayeuxConfig {
                websocket_enabled: websockets,
                ..BayeuxConfig::default()
            };
            let connection = BayeuxConnection::new(bayeux_url, config, move |event| {
                if let Some(chat) = weak.upgrade() {
                    chat.on_event(event);
                }
            });
            Self {
                connection: RefCell::new(Some(connection)),
                channel,
                credentials: RefCell::new(Credentials::default()),
                sink,
                waiting: RefCell::new(Vec::new()),
                early: RefCell::new(Vec::new()),
                starting: RefCell::new(None),
                start_publish: Cell::new(None),
                start_deadline: RefCell::new(None),
                closed: Cell::new(false),
            }
        })
    }

    fn connection(&self) -> Option<BayeuxConnection> {
        self.connection.borrow().clone()
    }

    pub async fn start(
        self: &Rc<Self>,
        request: Operation,
    ) -> Result<(Credentials, Option<Envelope>), ChatError> {
        let connection = self.connection().ok_or_else(server_unavailable)?;
        let (sender, receiver) = oneshot::channel();
        *self.starting.borrow_mut() = Some(sender);
        let weak = Rc::downgrade(self);
        let deadline = Timeout::new(START_TIMEOUT_MS, move || {
            if let Some(chat) = weak.upgrade() {
                if let Some(starting) = chat.starting.borrow_mut().take() {
                    starting.send(Err(server_unavailable()));
                }
            }
        })
        .map_err(|_| server_unavailable())?;
        *self.start_deadline.borrow_mut() = Some(deadline);
        connection.start();
        connection.subscribe(&self.channel);
        let id = connection.publish(&self.channel, request.bayeux_data(""));
        self.start_publish.set(Some(id));
        if let Some(Err(error)) = take(&self.early, id) {
            if let Some(starting) = self.starting.borrow_mut().take() {
                starting.send(Err(error));
            }
        }
        let result = receiver
            .recv()
            .await
            .unwrap_or_else(|| Err(server_unavailable()));
        self.start_deadline.borrow_mut().take();
        let envelope = result?;
        Ok((self.credentials.borrow().clone(), Some(envelope)))
    }

    pub async fn resume(
        self: &Rc<Self>,
        credentials: Credentials,
        position: u64,
    ) -> Result<Option<Envelope>, ChatError> {
        *self.credentials.borrow_mut() = credentials;
        let connection = self.connection().ok_or_else(server_unavailable)?;
        connection.start();
        connection.subscribe(&self.channel);
        self.catch_up(position).await?;
        Ok(None)
    }

    /// `requestNotifications` from `position`: the server sends the transcript from there.
    pub async fn catch_up(&self, position: u64) -> Result<(), ChatError> {
        self.command(Operation::RequestNotifications {
            transcript_position: Some(position.max(1)),
        })
        .await
    }

    pub async fn command(&self, operation: Operation) -> Result<(), ChatError> {
        let connection = self.connection().ok_or_else(server_unavailable)?;
        let data = operation.bayeux_data(&self.credentials.borrow().secure_key);
        let id = connection.publish(&self.channel, data);
        if let Some(outcome) = take(&self.early, id) {
            return outcome;
        }
        let (sender, receiver) = oneshot::channel();
        self.waiting.borrow_mut().push((id, sender));
        receiver
            .recv()
            .await
            .unwrap_or_else(|| Err(server_unavailable()))
    }

    /// Stops. The chat `disconnect` operation was sent before (by `leave`); closing the
    /// Bayeux session right after it races with the server's clean-up (a known GMS problem),
    /// so the goodbye goes a moment later.
    pub fn close(&self) {
        if self.closed.replace(true) {
            return;
        }
        let Some(connection) = self.connection.borrow_mut().take() else {
            return;
        };
        crate::browser::spawn(async move {
            crate::browser::timer::sleep(1_000.0).await;
            connection.disconnect();
        });
        for (_, waiting) in std::mem::take(&mut *self.waiting.borrow_mut()) {
            waiting.send(Err(ChatError::SessionEnded));
        }
    }

    fn on_event(&self, event: BayeuxEvent) {
        if self.closed.get() {
            return;
        }
        match event {
            BayeuxEvent::Deliver { channel, data } if channel == self.channel => {
                self.on_envelope(&data)
            }
            BayeuxEvent::PublishAcked {
                id,
                successful,
                error,
            } => {
                let outcome = if successful {
                    Ok(())
                } else {
                    Err(error
                        .as_deref()
                        .map_or_else(server_unavailable, publish_error))
                };
                if self.start_publish.get() == Some(id) {
                    if let Err(error) = outcome {
                        if let Some(starting) = self.starting.borrow_mut().take() {
                            starting.send(Err(error));
                        }
                    }
                    return;
                }
                match take(&self.waiting, id) {
                    Some(waiting) => waiting.send(outcome),
                    None => self.early.borrow_mut().push((id, outcome)),
                }
            }
            BayeuxEvent::Handshaken { rehandshake, .. }
                if rehandshake && !self.credentials.borrow().secure_key.is_empty() =>
            {
                (self.sink)(TransportEvent::Reconnected);
            }
            BayeuxEvent::Interrupted => (self.sink)(TransportEvent::Interrupted),
            BayeuxEvent::Continued => (self.sink)(TransportEvent::Continued),
            BayeuxEvent::StateChanged(State::Terminated { error }) => {
                // Each waiting command gets its own copy of the error, made from the text.
                let error = || {
                    error
                        .as_deref()
                        .map_or_else(server_unavailable, publish_error)
                };
                if let Some(starting) = self.starting.borrow_mut().take() {
                    starting.send(Err(error()));
                    return;
                }
                for (_, waiting) in std::mem::take(&mut *self.waiting.borrow_mut()) {
                    waiting.send(Err(error()));
                }
                (self.sink)(TransportEvent::Failed(error()));
            }
            // Other deliveries and states, subscription outcomes (I/O actions never come here).
            _ => {}
        }
    }

    fn on_envelope(&self, data: &Json) {
        let envelope = match Envelope::from_json(data) {
            Ok(envelope) => envelope,
            Err(error) => {
                (self.sink)(TransportEvent::Error(error));
                return;
            }
        };
        if !envelope.is_ok() {
            // The refusal also fails the publish that caused it, which is where the command's
            // caller hears of it; a refused start is the exception.
            if let (Some(error), Some(starting)) =
                (envelope.error(), self.starting.borrow_mut().take())
            {
                starting.send(Err(error));
            }
            return;
        }
        self.credentials.borrow_mut().absorb(&envelope);
        let waiting_start = self.starting.borrow().is_some();
        if waiting_start && envelope.secure_key.is_some() {
            if let Some(starting) = self.starting.borrow_mut().take() {
                starting.send(Ok(envelope));
            }
            return;
        }
        (self.sink)(TransportEvent::Envelope(envelope));
    }
}

/// The error of a refused publish: hotline-server sends `"{status}:{gweCode}:{text}"`; other
/// Bayeux errors (`code:args:text`) keep their text with code 0.
fn publish_error(error: &str) -> ChatError {
    // `split_once` twice rather than `splitn(3, ..)`: smaller in the wasm.
    let Some((first, after)) = error.split_once(':') else {
        return ChatError::remote(0, error);
    };
    let Some((code, text)) = after.split_once(':') else {
        return ChatError::remote(0, first);
    };
    ChatError::remote(code.parse::<u16>().unwrap_or(0), text)
}

/// Removes the entry for `id` from a small list keyed by publish id.
fn take<T>(list: &RefCell<Vec<(PublishId, T)>>, id: PublishId) -> Option<T> {
    let mut list = list.borrow_mut();
    let position = list.iter().position(|(key, _)| *key == id)?;
    Some(list.swap_remove(position).1)
}
