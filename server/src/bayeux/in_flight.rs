//! Keeping deliveries behind the replies of the request that caused them.
//!
//! While a request (an HTTP body or a WebSocket frame) is processed, the clients it acts for
//! are marked busy: their queued messages stay queued. When the request is done, the queue goes
//! out in the same response, after the replies, so that e.g. the data a `/service` call
//! delivers never overtakes the publish reply and is not left to a different HTTP exchange.

use std::sync::Arc;

use super::engine::{Engine, RequestContext};
use super::message::Shared;

/// The clients a request is acting for; releases them when done or dropped.
pub(crate) struct InFlight {
    engine: Arc<Engine>,
    clients: Vec<String>,
}

impl InFlight {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        Self {
            engine,
            clients: Vec::new(),
        }
    }

    /// Marks `client_id` busy for the rest of the request (once per client).
    pub(crate) fn enter(&mut self, client_id: &str) {
        if self.clients.iter().any(|client| client == client_id) {
            return;
        }
        if let Some(session) = self.engine.lock().sessions.get_mut(client_id) {
            session.busy_requests += 1;
            self.clients.push(client_id.to_owned());
        }
    }

    /// Ends the request: returns the messages to send with its replies (for clients that get
    /// their messages on this transport outside connect replies) and releases the clients.
    pub(crate) fn finish(mut self, context: &RequestContext) -> Vec<Shared> {
        let mut deliveries = Vec::new();
        {
            let mut registry = self.engine.lock();
            for client_id in &self.clients {
                if let Some(session) = registry.sessions.get_mut(client_id) {
                    let same_transport =
                        session.socket.as_ref().map(|s| s.id) == context.socket_id();
                    if session.ack.is_none() && same_transport {
                        deliveries.extend(session.take_queue());
                    }
                }
            }
        }
        self.release();
        deliveries
    }

    /// Releases the clients without taking their messages, e.g. before holding a connect, which
    /// will carry them itself.
    pub(crate) fn release(&mut self) {
        if self.clients.is_empty() {
            return;
        }
        let mut registry = self.engine.lock();
        for client_id in self.clients.drain(..) {
            if let Some(session) = registry.sessions.get_mut(&client_id) {
                session.busy_requests = session.busy_requests.saturating_sub(1);
                if session.may_send_queue() {
                    session.wake();
                }
            }
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        // A request abandoned half-way (client went away) must not leave its clients busy.
        self.release();
    }
}
