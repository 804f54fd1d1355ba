//! Customers on GMS REST have no connection to lose: they poll. Chat Server treats such a
//! "flex" client that sends no request for `flex-disconnect-timeout` (45 s by default) as gone;
//! here the conversation then waits for the customer, exactly as when a Bayeux customer's last
//! client is dropped (`ChatService::customer_connection_lost`), and the customer's next request
//! shows it is back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use super::service::ChatService;

/// When each REST customer was last heard from, by chat id.
pub struct RestPresence {
    chat: Arc<ChatService>,
    timeout: Duration,
    last_seen: Mutex<HashMap<String, Instant>>,
}

impl RestPresence {
    pub fn new(chat: Arc<ChatService>, timeout: Duration) -> Arc<Self> {
        Arc::new(Self {
            chat,
            timeout,
            last_seen: Mutex::new(HashMap::new()),
        })
    }

    /// The customer of `chat_id` made a REST request; `over` when the chat is over for it
    /// (then there is nothing more to watch).
    pub fn seen(&self, chat_id: &str, over: bool) {
        let mut last_seen = self
            .last_seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if over {
            last_seen.remove(chat_id);
        } else {
            last_seen.insert(chat_id.to_owned(), Instant::now());
        }
    }

    /// Forgets the customers silent for longer than the timeout and marks each one's
    /// conversation as waiting; returns how many.
    pub async fn sweep(&self) -> usize {
        let now = Instant::now();
        let silent: Vec<String> = {
            let mut last_seen = self
                .last_seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let silent: Vec<String> = last_seen
                .iter()
                .filter(|(_, seen)| now.duration_since(**seen) >= self.timeout)
                .map(|(chat_id, _)| chat_id.clone())
                .collect();
            for chat_id in &silent {
                last_seen.remove(chat_id);
            }
            silent
        };
        for chat_id in &silent {
            tracing::debug!(chat_id, "the REST customer has been silent: waiting for it");
            if let Err(error) = self.chat.customer_connection_lost(chat_id).await {
                tracing::warn!(chat_id, %error, "could not mark the REST customer as gone");
            }
        }
        silent.len()
    }

    /// Sweeps for as long as the presence is in use (a quarter of the timeout apart, so a
    /// silent customer is noticed at most 25 % late).
    pub fn spawn_sweeper(self: &Arc<Self>) {
        let weak = Arc::downgrade(self);
        let period = (self.timeout / 4).max(Duration::from_millis(50));
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Some(presence) = weak.upgrade() else {
                    break;
                };
                presence.sweep().await;
            }
        });
    }
}
