//! GMS chat v2 over plain HTTP: form-encoded `POST`s to `{serverUrl}/genesys/2/chat/{service}`,
//! and a polling loop on `refresh` for what the agent sends.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use super::{server_unavailable, Sink, TransportEvent};
use crate::browser::http::{self, Body, HttpError};
use crate::browser::timer::sleep;
use crate::core::gms::{form_encode, Credentials, Envelope, Operation};
use crate::core::ChatError;

/// How often the transcript is polled. Chat servers drop REST clients that stay silent for
/// long (`flex-disconnect-timeout`, 45 s by default), so this stays well below that.
pub const POLL_INTERVAL_MS: f64 = 1_500.0;
/// How long one request may take.
const REQUEST_TIMEOUT_MS: u32 = 20_000;

pub struct RestChat {
    base: String,
    credentials: RefCell<Credentials>,
    /// The next transcript position to ask for (1-based).
    next_position: Cell<u64>,
    sink: Sink,
    closed: Cell<bool>,
    interrupted: Cell<bool>,
    polling: Cell<bool>,
}

impl RestChat {
    /// `base` is `{serverUrl}/genesys/2/chat/{service}`.
    pub fn new(base: String, sink: Sink) -> Rc<Self> {
        Rc::new(Self {
            base,
            credentials: RefCell::new(Credentials::default()),
            next_position: Cell::new(1),
            sink,
            closed: Cell::new(false),
            interrupted: Cell::new(false),
            polling: Cell::new(false),
        })
    }

    pub async fn start(
        self: &Rc<Self>,
        request: Operation,
    ) -> Result<(Credentials, Option<Envelope>), ChatError> {
        let envelope = self.post(&request, None).await?;
        self.start_polling();
        Ok((self.credentials.borrow().clone(), Some(envelope)))
    }

    pub async fn resume(
        self: &Rc<Self>,
        credentials: Credentials,
        position: u64,
    ) -> Result<Option<Envelope>, ChatError> {
        *self.credentials.borrow_mut() = credentials;
        self.next_position.set(position.max(1));
        let refresh = Operation::RequestNotifications {
            transcript_position: Some(position.max(1)),
        };
        let envelope = self.post(&refresh, Some(position.max(1))).await?;
        self.start_polling();
        Ok(Some(envelope))
    }

    /// Sends a command and returns the transcript from the last known position.
    pub async fn command(&self, operation: Operation) -> Result<Envelope, ChatError> {
        self.post(&operation, Some(self.next_position.get())).await
    }

    pub fn close(&self) {
        self.closed.set(true);
    }

    async fn post(
        &self,
        operation: &Operation,
        position: Option<u64>,
    ) -> Result<Envelope, ChatError> {
        let (url, body) = {
            let credentials = self.credentials.borrow();
            (
                operation.rest_url(&self.base, &credentials.chat_id),
                form_encode(&operation.rest_fields(&credentials, position)),
            )
        };
        let result = http::request("POST", &url, Body::Form(&body), REQUEST_TIMEOUT_MS).await;
        let text = match result {
            Ok(text) => text,
            // Refusals come as error envelopes with a 4xx status.
            Err(HttpError::Status { body, .. }) => {
                self.reachable();
                let error = Envelope::parse(&body)
                    .ok()
                    .and_then(|envelope| envelope.error());
                return Err(error.unwrap_or_else(server_unavailable));
            }
            Err(_) => {
                self.unreachable();
                return Err(server_unavailable());
            }
        };
        self.reachable();
        let envelope = Envelope::parse(&text)?;
        if let Some(error) = envelope.error() {
            return Err(error);
        }
        self.credentials.borrow_mut().absorb(&envelope);
        if let Some(next) = envelope.next_position {
            self.next_position.set(self.next_position.get().max(next));
        }
        Ok(envelope)
    }

    fn unreachable(&self) {
        if !self.closed.get() && !self.interrupted.replace(true) {
            (self.sink)(TransportEvent::Interrupted);
        }
    }

    fn reachable(&self) {
        if !self.closed.get() && self.interrupted.replace(false) {
            (self.sink)(TransportEvent::Continued);
        }
    }

    fn start_polling(self: &Rc<Self>) {
        if self.polling.replace(true) {
            return;
        }
        let weak: Weak<Self> = Rc::downgrade(self);
        crate::browser::spawn(async move {
            loop {
                sleep(POLL_INTERVAL_MS).await;
                // The loop holds no strong reference between polls, so a dropped session
                // stops it.
                let Some(chat) = weak.upgrade() else { break };
                if chat.closed.get() {
                    break;
                }
                let position = chat.next_position.get();
                let refresh = Operation::RequestNotifications {
                    transcript_position: Some(position),
                };
                match chat.post(&refresh, Some(position)).await {
                    Ok(envelope) => {
                        if chat.closed.get() {
                            break;
                        }
                        let ended = envelope.chat_ended;
                        (chat.sink)(TransportEvent::Envelope(envelope));
                        if ended {
                            break;
                        }
                    }
                    // Unreachable: reported once as Interrupted; keep polling.
                    Err(error) if error == server_unavailable() => {}
                    Err(error) => {
                        if !chat.closed.get() {
                            (chat.sink)(TransportEvent::Failed(error));
                        }
                        break;
                    }
                }
            }
            if let Some(chat) = weak.upgrade() {
                chat.polling.set(false);
            }
        });
    }
}
