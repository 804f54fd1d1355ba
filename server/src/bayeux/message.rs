//! The wire format: batches of JSON messages in, replies and deliveries out.
//!
//! Incoming messages are read field by field from a [`serde_json::Value`] rather than derived,
//! so that one bad field gives an error reply for that message instead of failing the batch.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

pub(crate) const META_HANDSHAKE: &str = "/meta/handshake";
pub(crate) const META_CONNECT: &str = "/meta/connect";
pub(crate) const META_DISCONNECT: &str = "/meta/disconnect";
pub(crate) const META_SUBSCRIBE: &str = "/meta/subscribe";
pub(crate) const META_UNSUBSCRIBE: &str = "/meta/unsubscribe";

/// Error string for input that is not a JSON message batch.
pub(crate) const MALFORMED: &str = "400::Malformed message";

/// The body (or WebSocket frame) was not a JSON object or array of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MalformedBatch;

/// Parses a batch: a JSON array of messages, or a single message object.
/// Elements are checked one by one later ([`Incoming::parse`]).
pub(crate) fn parse_batch(text: &str) -> Result<Vec<Value>, MalformedBatch> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(messages)) => Ok(messages),
        Ok(message @ Value::Object(_)) => Ok(vec![message]),
        _ => Err(MalformedBatch),
    }
}

/// A message whose envelope is unusable: what is known of it, and the error.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BadEnvelope {
    pub channel: Option<String>,
    pub id: Option<Value>,
    pub error: &'static str,
}

impl BadEnvelope {
    pub(crate) fn into_reply(self) -> OutMessage {
        OutMessage::failure(self.channel.as_deref(), self.id, self.error)
    }
}

/// A message from a client whose envelope (`channel`, `id`, `clientId`) has been checked.
#[derive(Debug, Clone)]
pub(crate) struct Incoming {
    pub channel: String,
    /// The message id, a string or a number, echoed as received.
    pub id: Option<Value>,
    /// `None` when absent or not a string.
    pub client_id: Option<String>,
    fields: Map<String, Value>,
}

impl Incoming {
    /// Checks the envelope of one element of a batch.
    pub(crate) fn parse(raw: Value) -> Result<Self, BadEnvelope> {
        let Value::Object(mut fields) = raw else {
            return Err(BadEnvelope {
                channel: None,
                id: None,
                error: MALFORMED,
            });
        };
        let id = match fields.remove("id") {
            None | Some(Value::Null) => None,
            Some(id @ (Value::String(_) | Value::Number(_))) => Some(id),
            Some(_) => {
                return Err(BadEnvelope {
                    channel: fields
                        .get("channel")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    id: None,
                    error: "400::Invalid message id",
                });
            }
        };
        let channel = match fields.remove("channel") {
            Some(Value::String(channel)) => channel,
            _ => {
                return Err(BadEnvelope {
                    channel: None,
                    id,
                    error: "400::Missing channel",
                })
            }
        };
        let client_id = match fields.remove("clientId") {
            Some(Value::String(client_id)) => Some(client_id),
            _ => None,
        };
        Ok(Self {
            channel,
            id,
            client_id,
            fields,
        })
    }

    pub(crate) fn field(&self, name: &str) -> Option<&Value> {
        self.fields.get(name).filter(|value| !value.is_null())
    }

    /// Takes `data` out of the message (publishes move it into deliveries).
    pub(crate) fn take_data(&mut self) -> Option<Value> {
        self.fields.remove("data").filter(|value| !value.is_null())
    }

    pub(crate) fn ext(&self) -> Option<&Value> {
        self.field("ext")
    }

    /// A field of `ext`, when `ext` is an object.
    pub(crate) fn ext_field(&self, name: &str) -> Option<&Value> {
        self.ext()
            .and_then(Value::as_object)
            .and_then(|ext| ext.get(name))
    }

    /// `advice.timeout` of a connect: how long the client wants the server to hold it, in ms.
    pub(crate) fn advice_timeout_ms(&self) -> Option<u64> {
        self.field("advice")
            .and_then(|advice| advice.get("timeout"))
            .and_then(Value::as_u64)
    }

    /// A reply skeleton for this message: its channel, id and (if any) clientId.
    pub(crate) fn reply(&self) -> OutMessage {
        OutMessage {
            channel: Some(self.channel.clone()),
            id: self.id.clone(),
            client_id: self.client_id.clone(),
            ..OutMessage::default()
        }
    }

    /// An error reply for this message.
    pub(crate) fn failure(&self, error: impl Into<String>) -> OutMessage {
        OutMessage::failure(Some(&self.channel), self.id.clone(), error)
    }
}

/// `advice` sent to clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Advice {
    pub reconnect: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    #[serde(rename = "multiple-clients", skip_serializing_if = "Option::is_none")]
    pub multiple_clients: Option<bool>,
}

impl Advice {
    /// `reconnect: "retry"` with the given interval and (when the connect is held) timeout.
    pub(crate) fn retry(interval_ms: u64, timeout_ms: Option<u64>) -> Self {
        Self {
            reconnect: "retry",
            interval: Some(interval_ms),
            timeout: timeout_ms,
            multiple_clients: None,
        }
    }

    /// The client must handshake again (its session is gone).
    pub(crate) fn handshake() -> Self {
        Self {
            reconnect: "handshake",
            interval: Some(0),
            timeout: None,
            multiple_clients: None,
        }
    }

    /// The client must not retry.
    pub(crate) fn none() -> Self {
        Self {
            reconnect: "none",
            interval: None,
            timeout: None,
            multiple_clients: None,
        }
    }
}

/// A message to a client: a reply to one of its messages, or a delivery.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OutMessage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supported_connection_types: Option<[&'static str; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successful: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advice: Option<Advice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ext: Option<Value>,
}

impl OutMessage {
    /// `{successful:false, error}` with whatever is known of the offending message.
    pub(crate) fn failure(
        channel: Option<&str>,
        id: Option<Value>,
        error: impl Into<String>,
    ) -> Self {
        Self {
            channel: channel.map(str::to_owned),
            id,
            successful: Some(false),
            error: Some(error.into()),
            ..Self::default()
        }
    }

    /// A delivery of `data` on `channel`.
    pub(crate) fn delivery(channel: &str, data: Value, id: Option<Value>) -> Self {
        Self {
            channel: Some(channel.to_owned()),
            id,
            data: Some(data),
            ..Self::default()
        }
    }

    pub(crate) fn successful(mut self) -> Self {
        self.successful = Some(true);
        self
    }

    pub(crate) fn with_advice(mut self, advice: Advice) -> Self {
        self.advice = Some(advice);
        self
    }
}

/// Messages are shared between the queues of every client they are delivered to.
pub(crate) type Shared = Arc<OutMessage>;

/// Encodes a batch of outgoing messages as a JSON array.
pub(crate) fn encode_batch(messages: &[Shared]) -> String {
    let plain: Vec<&OutMessage> = messages.iter().map(Arc::as_ref).collect();
    serde_json::to_string(&plain).unwrap_or_else(|error| {
        // Unreachable in practice: every field serializes to JSON (no non-string map keys).
        tracing::error!(%error, "cannot encode Bayeux batch");
        "[]".to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn batch_is_an_array_or_a_single_object() {
        assert_eq!(parse_batch("[{\"a\":1}]").map(|b| b.len()), Ok(1));
        assert_eq!(parse_batch("{\"a\":1}").map(|b| b.len()), Ok(1));
        assert_eq!(parse_batch("[]").map(|b| b.len()), Ok(0));
        assert_eq!(parse_batch("5"), Err(MalformedBatch));
        assert_eq!(parse_batch("[{"), Err(MalformedBatch));
    }

    #[test]
    fn envelope_errors_become_replies() {
        let error = |raw: Value| Incoming::parse(raw).err().map(|bad| bad.error);
        assert_eq!(error(json!(3)), Some(MALFORMED));
        assert_eq!(error(json!({"id": "1"})), Some("400::Missing channel"));
        assert_eq!(error(json!({"channel": 5})), Some("400::Missing channel"));
        assert_eq!(
            error(json!({"channel": "/a", "id": {}})),
            Some("400::Invalid message id")
        );
        let reply = Incoming::parse(json!({"id": 4}))
            .err()
            .map(BadEnvelope::into_reply);
        assert_eq!(reply.and_then(|reply| reply.id), Some(json!(4)));
    }

    #[test]
    fn ids_are_echoed_as_received() {
        for id in [json!("7"), json!(7)] {
            let message = Incoming::parse(json!({"channel": "/a", "id": id.clone()}));
            assert_eq!(message.map(|m| m.reply().id), Ok(Some(id)));
        }
    }

    #[test]
    fn advice_serializes_with_the_spec_names() {
        let mut advice = Advice::retry(2000, None);
        advice.multiple_clients = Some(true);
        assert_eq!(
            serde_json::to_value(advice).ok(),
            Some(json!({"reconnect": "retry", "interval": 2000, "multiple-clients": true}))
        );
    }
}
