//! The acknowledge extension (CometD `AcknowledgedMessagesExtension`): reliable, ordered
//! delivery from server to client.
//!
//! For a client that asked for it at handshake, messages go out only with `/meta/connect`
//! replies. Each connect reply closes a batch and carries its id in `ext.ack`; the client's next
//! connect carries the id of the last batch it received. Batches after that one were lost on
//! the way (dropped response, dropped socket) and are sent again, before newer messages.

use std::collections::VecDeque;

use serde_json::Value;

use super::message::Shared;

/// Messages sent to one client and not yet acknowledged, grouped by batch.
#[derive(Debug)]
pub(crate) struct AckState {
    /// Id of the next batch to close. The CometD client starts at 0, meaning "nothing received".
    next_batch: u64,
    unacknowledged: VecDeque<(u64, Shared)>,
}

impl AckState {
    pub(crate) fn new() -> Self {
        Self {
            next_batch: 1,
            unacknowledged: VecDeque::new(),
        }
    }

    /// The client received every batch up to `acknowledged`. Forgets those and returns the
    /// messages of later batches (in order): the client never got them.
    pub(crate) fn acknowledge(&mut self, acknowledged: u64) -> Vec<Shared> {
        self.unacknowledged
            .retain(|(batch, _)| *batch > acknowledged);
        self.unacknowledged
            .drain(..)
            .map(|(_, message)| message)
            .collect()
    }

    /// `messages` go out with a connect reply: remember them under a new batch id, returned for
    /// the reply's `ext.ack`.
    pub(crate) fn close_batch(&mut self, messages: &[Shared]) -> u64 {
        let batch = self.next_batch;
        self.next_batch += 1;
        self.unacknowledged
            .extend(messages.iter().map(|message| (batch, message.clone())));
        batch
    }
}

/// Reads the batch id of a connect's `ext.ack`: a non-negative integer, or one in a string.
pub(crate) fn batch_id(value: &Value) -> Option<u64> {
    match value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bayeux::message::OutMessage;
    use serde_json::json;
    use std::sync::Arc;

    fn message(n: u64) -> Shared {
        Arc::new(OutMessage::delivery("/a", json!(n), None))
    }

    fn numbers(messages: &[Shared]) -> Vec<u64> {
        messages
            .iter()
            .filter_map(|m| m.data.as_ref().and_then(Value::as_u64))
            .collect()
    }

    #[test]
    fn batches_increase_from_one() {
        let mut ack = AckState::new();
        assert_eq!(ack.close_batch(&[]), 1);
        assert_eq!(ack.close_batch(&[message(1)]), 2);
    }

    #[test]
    fn acknowledged_batches_are_forgotten() {
        let mut ack = AckState::new();
        let first = ack.close_batch(&[message(1), message(2)]);
        assert!(ack.acknowledge(first).is_empty());
        assert!(ack.acknowledge(0).is_empty());
    }

    #[test]
    fn unacknowledged_batches_come_back_in_order() {
        let mut ack = AckState::new();
        let first = ack.close_batch(&[message(1)]);
        ack.close_batch(&[message(2), message(3)]);
        ack.close_batch(&[message(4)]);
        assert_eq!(numbers(&ack.acknowledge(first)), vec![2, 3, 4]);
        // Returned messages are no longer pending: they will be re-batched when re-sent.
        assert!(ack.acknowledge(first).is_empty());
    }

    #[test]
    fn batch_ids_are_numbers_or_numeric_strings() {
        assert_eq!(batch_id(&json!(3)), Some(3));
        assert_eq!(batch_id(&json!("4")), Some(4));
        assert_eq!(batch_id(&json!(-1)), None);
        assert_eq!(batch_id(&json!(true)), None);
    }
}
