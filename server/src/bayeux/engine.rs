//! The shared state of the engine: every client session, the subscription index and the
//! browsers, behind one lock that is never held across an `.await`.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use super::app::{BayeuxApp, ClientInfo, Identity, RemovalReason};
use super::channel::patterns_matching;
use super::message::Shared;
use super::session::{Session, SocketLink};
use super::token::{random_token, NoRandomness};
use super::BayeuxConfig;

/// How a request reached the engine.
#[derive(Debug, Clone)]
pub(crate) struct RequestContext {
    /// The `BAYEUX_BROWSER` id of the request, if one could be read or made.
    pub browser: Option<String>,
    /// The WebSocket the request came over; `None` for long-polling.
    pub socket: Option<SocketLink>,
}

impl RequestContext {
    pub(crate) fn socket_id(&self) -> Option<u64> {
        self.socket.as_ref().map(|socket| socket.id)
    }
}

/// The engine behind [`super::Bayeux`] handles and the routes.
pub(crate) struct Engine {
    pub(crate) config: BayeuxConfig,
    pub(crate) app: Arc<dyn BayeuxApp>,
    registry: Mutex<Registry>,
    next_socket_id: AtomicU64,
}

#[derive(Default)]
pub(crate) struct Registry {
    pub(crate) sessions: HashMap<String, Session>,
    /// Subscription pattern → clients subscribed to it.
    subscribers: HashMap<String, HashSet<String>>,
    /// `BAYEUX_BROWSER` id → its clients.
    browsers: HashMap<String, HashSet<String>>,
}

impl Registry {
    /// Records that `client_id`'s latest request came from `browser`.
    pub(crate) fn set_browser(&mut self, client_id: &str, browser: Option<&str>) {
        let Some(session) = self.sessions.get_mut(client_id) else {
            return;
        };
        if session.browser.as_deref() == browser {
            return;
        }
        let previous = std::mem::replace(&mut session.browser, browser.map(str::to_owned));
        if let Some(previous) = previous {
            remove_from_index(&mut self.browsers, &previous, client_id);
        }
        if let Some(browser) = browser {
            self.browsers
                .entry(browser.to_owned())
                .or_default()
                .insert(client_id.to_owned());
        }
    }

    /// Does a client of `browser`, other than `client_id`, hold a long-poll connect?
    pub(crate) fn other_long_poller(&self, browser: &str, client_id: &str) -> bool {
        self.browsers.get(browser).is_some_and(|clients| {
            clients.iter().any(|other| {
                other != client_id
                    && self
                        .sessions
                        .get(other)
                        .is_some_and(Session::holds_long_poll)
            })
        })
    }

    fn remove(&mut self, client_id: &str) -> Option<Session> {
        let session = self.sessions.remove(client_id)?;
        for pattern in &session.subscriptions {
            remove_from_index(&mut self.subscribers, pattern, client_id);
        }
        if let Some(browser) = &session.browser {
            remove_from_index(&mut self.browsers, browser, client_id);
        }
        // Waiters look again and find the session gone (its signal closes when it drops).
        session.wake();
        Some(session)
    }
}

/// `now + wait`, with absurdly long configured waits capped so that the sum cannot overflow.
pub(crate) fn later(now: Instant, wait: Duration) -> Instant {
    const LONGEST_WAIT: Duration = Duration::from_secs(365 * 24 * 3600);
    now + wait.min(LONGEST_WAIT)
}

fn remove_from_index(index: &mut HashMap<String, HashSet<String>>, key: &str, client_id: &str) {
    if let Some(clients) = index.get_mut(key) {
        clients.remove(client_id);
        if clients.is_empty() {
            index.remove(key);
        }
    }
}

impl Engine {
    pub(crate) fn new(config: BayeuxConfig, app: Arc<dyn BayeuxApp>) -> Self {
        Self {
            config,
            app,
            registry: Mutex::new(Registry::default()),
            next_socket_id: AtomicU64::new(1),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Registry> {
        // Nothing panics while holding the lock; if something ever did, the registry is still
        // structurally sound, so keep serving rather than poisoning every request.
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// When a client that just got a connect reply is removed if it does not connect again.
    pub(crate) fn expiry_from(&self, now: Instant) -> Instant {
        later(now, self.config.max_interval)
    }

    /// Creates the session of a client that completed its handshake; returns its id.
    pub(crate) fn create_session(
        &self,
        identity: Identity,
        context: &RequestContext,
        ack: bool,
    ) -> Result<String, NoRandomness> {
        let mut registry = self.lock();
        let client_id = loop {
            let candidate = random_token()?;
            if !registry.sessions.contains_key(&candidate) {
                break candidate;
            }
        };
        let info = ClientInfo {
            client_id: client_id.clone(),
            identity,
        };
        let mut session = Session::new(info, ack, self.expiry_from(Instant::now()));
        session.socket = context.socket.clone();
        registry.sessions.insert(client_id.clone(), session);
        registry.set_browser(&client_id, context.browser.as_deref());
        Ok(client_id)
    }

    pub(crate) fn client_info(&self, client_id: &str) -> Option<ClientInfo> {
        self.lock()
            .sessions
            .get(client_id)
            .map(|session| session.info.clone())
    }

    /// Queues `message` for one client. False when the client is unknown.
    pub(crate) fn deliver(&self, client_id: &str, message: Shared) -> bool {
        match self.lock().sessions.get_mut(client_id) {
            Some(session) => {
                session.enqueue(message);
                true
            }
            None => false,
        }
    }

    /// Queues `message` for every client with a subscription matching `channel` (once each).
    pub(crate) fn publish(&self, channel: &str, message: Shared) {
        let mut registry = self.lock();
        let Registry {
            sessions,
            subscribers,
            ..
        } = &mut *registry;
        let recipients: HashSet<&String> = patterns_matching(channel)
            .iter()
            .filter_map(|pattern| subscribers.get(pattern))
            .flatten()
            .collect();
        tracing::debug!(channel, recipients = recipients.len(), "bayeux publish");
        for client_id in recipients {
            if let Some(session) = sessions.get_mut(client_id) {
                session.enqueue(message.clone());
            }
        }
    }

    /// Records subscriptions. False when the client is unknown.
    pub(crate) fn subscribe(&self, client_id: &str, patterns: &[String]) -> bool {
        let mut registry = self.lock();
        let Some(session) = registry.sessions.get_mut(client_id) else {
            return false;
        };
        session.subscriptions.extend(patterns.iter().cloned());
        for pattern in patterns {
            registry
                .subscribers
                .entry(pattern.clone())
                .or_default()
                .insert(client_id.to_owned());
        }
        true
    }

    /// Forgets subscriptions. False when the client is unknown.
    pub(crate) fn unsubscribe(&self, client_id: &str, patterns: &[String]) -> bool {
        let mut registry = self.lock();
        let Some(session) = registry.sessions.get_mut(client_id) else {
            return false;
        };
        for pattern in patterns {
            session.subscriptions.remove(pattern);
        }
        for pattern in patterns {
            remove_from_index(&mut registry.subscribers, pattern, client_id);
        }
        true
    }

    /// Removes a client and tells the application. False when it was already gone.
    pub(crate) fn remove_client(&self, client_id: &str, reason: RemovalReason) -> bool {
        let removed = self.lock().remove(client_id);
        match removed {
            Some(session) => {
                tracing::info!(client_id, ?reason, "bayeux client removed");
                self.app.client_removed(&session.info, reason);
                true
            }
            None => false,
        }
    }

    /// Removes the clients whose time to reconnect has passed.
    pub(crate) fn expire_clients(&self, now: Instant) {
        let expired: Vec<Session> = {
            let mut registry = self.lock();
            let ids: Vec<String> = registry
                .sessions
                .iter()
                .filter(|(_, session)| {
                    session.held.is_none() && session.expires_at.is_some_and(|at| at <= now)
                })
                .map(|(id, _)| id.clone())
                .collect();
            ids.iter().filter_map(|id| registry.remove(id)).collect()
        };
        // Tell the application outside the lock: it may call back into the engine.
        for session in expired {
            tracing::info!(client_id = %session.info.client_id, "bayeux client expired");
            self.app
                .client_removed(&session.info, RemovalReason::Expired);
        }
    }

    /// A new WebSocket connection.
    pub(crate) fn new_socket(&self) -> SocketLink {
        SocketLink {
            id: self.next_socket_id.fetch_add(1, Ordering::Relaxed),
            notify: Arc::new(Notify::new()),
        }
    }

    /// Messages the WebSocket `socket_id` should push now to those of `clients` it carries.
    pub(crate) fn take_socket_pushes(
        &self,
        socket_id: u64,
        clients: &HashSet<String>,
    ) -> Vec<Shared> {
        let mut registry = self.lock();
        let mut pushes = Vec::new();
        for client_id in clients {
            if let Some(session) = registry.sessions.get_mut(client_id) {
                if session.pushes_to_socket(socket_id) && session.may_send_queue() {
                    pushes.extend(session.take_queue());
                }
            }
        }
        pushes
    }

    /// The WebSocket `socket_id` closed: its clients wait for their next connect, on any
    /// transport. They are not removed; expiry will do it if they do not come back.
    pub(crate) fn socket_closed(&self, socket_id: u64, clients: &HashSet<String>) {
        let mut registry = self.lock();
        for client_id in clients {
            if let Some(session) = registry.sessions.get_mut(client_id) {
                if session.socket.as_ref().is_some_and(|s| s.id == socket_id) {
                    session.socket = None;
                }
            }
        }
    }
}
