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
        let credentials = self.credentials.borrow().clone();
        let outcome = exchange(&self.base, &credentials, operation, position).await;
        self.took(outcome)
    }

    /// Takes in the outcome of an exchange. Out of line: [`post`](Self::post) is awaited in
    /// several places, and this part need not be in each of their futures.
    #[inline(never)]
    fn took(&self, outcome: Result<Envelope, RestFailure>) -> Result<Envelope, ChatError> {
        let envelope = match outcome {
            Ok(envelope) => envelope,
            Err(RestFailure::Unreachable) => {
                self.unreachable();
                return Err(server_unavailable());
            }
            Err(RestFailure::Refused(error)) => {
                self.reachable();
                return Err(error);
            }
        };
        self.reachable();
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

/// Why a GMS REST request gave no envelope.
pub enum RestFailure {
    /// No answer from the server (network, timeout).
    Unreachable,
    /// The server answered with a refusal, or with something that is not an envelope.
    Refused(ChatError),
}

impl From<RestFailure> for ChatError {
    fn from(failure: RestFailure) -> Self {
        match failure {
            RestFailure::Unreachable => server_unavailable(),
            RestFailure::Refused(error) => error,
        }
    }
}

/// One GMS REST operation: `POST` its form fields, read the envelope, turn an error envelope
/// (which comes with a 4xx status) into its error.
pub async fn exchange(
    base: &str,
    credentials: &Credentials,
    operation: &Operation,
    position: Option<u64>,
) -> Result<Envelope, RestFailure> {
    let url = operation.rest_url(base, &credentials.chat_id);
    let body = form_encode(&operation.rest_fields(credentials, position));
    let text = match http::request("POST", &url, Body::Form(&body), REQUEST_TIMEOUT_MS).await {
        Ok(text) => text,
        Err(HttpError::Status { body, .. }) => {
            let error = Envelope::parse(&body)
                .ok()
                .and_then(|envelope| envelope.error());
            return Err(RestFailure::Refused(
                error.unwrap_or_else(server_unavailable),
            ));
        }
        Err(_) => return Err(RestFailure::Unreachable),
    };
    let envelope = Envelope::parse(&text).map_err(RestFailure::Refused)?;
    match envelope.error() {
        Some(error) => Err(RestFailure::Refused(error)),
        None => Ok(envelope),
    }
}
