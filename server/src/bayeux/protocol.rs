//! What each message means: handshake, connect, subscribe, unsubscribe, disconnect, publish.
//! Transport-independent: long-polling and WebSocket both feed messages through
//! [`handle_message`].

use std::sync::Arc;

use serde_json::{json, Value};

use super::app::{ClientInfo, RemovalReason, ServiceReply};
use super::channel::{kind_of, ChannelKind, ChannelName};
use super::connect::{unknown_client, ConnectStart, PendingConnect};
use super::engine::{Engine, RequestContext};
use super::in_flight::InFlight;
use super::message::{
    Advice, Incoming, OutMessage, Shared, META_CONNECT, META_DISCONNECT, META_HANDSHAKE,
    META_SUBSCRIBE, META_UNSUBSCRIBE,
};

/// Connection types this server offers, in order of preference.
const CONNECTION_TYPES: [&str; 2] = ["websocket", "long-polling"];

/// The outcome of one incoming message.
pub(crate) enum Handled {
    /// Messages to send back now.
    Reply(Vec<Shared>),
    /// A `/meta/connect` to hold; its reply comes later.
    Hold(PendingConnect),
}

fn reply(message: OutMessage) -> Handled {
    Handled::Reply(vec![Arc::new(message)])
}

/// Handles one element of a batch received over any transport.
pub(crate) async fn handle_message(
    engine: &Arc<Engine>,
    raw: Value,
    context: &RequestContext,
    in_flight: &mut InFlight,
) -> Handled {
    let mut message = match Incoming::parse(raw) {
        Ok(message) => message,
        Err(bad) => {
            tracing::debug!(error = bad.error, "bayeux message refused");
            return reply(bad.into_reply());
        }
    };
    tracing::debug!(
        channel = %message.channel,
        client_id = message.client_id.as_deref().unwrap_or(""),
        "bayeux message"
    );
    if message.channel == META_HANDSHAKE {
        return reply(handshake(engine, &message, context).await);
    }
    let Some(client_id) = message.client_id.as_deref() else {
        return reply(message.failure("401::No client ID"));
    };
    let Some(client) = engine.client_info(client_id) else {
        return reply(unknown_client(&message));
    };
    if message.channel == META_CONNECT {
        // Whatever this request queued so far goes out with the connect reply (at once or
        // when held), so the clients must not stay busy while the connect waits.
        in_flight.release();
        return connect(engine, &message, &client, context);
    }
    in_flight.enter(&client.client_id);
    let answer = match message.channel.as_str() {
        META_SUBSCRIBE => subscribe(engine, &message, &client).await,
        META_UNSUBSCRIBE => unsubscribe(engine, &message, &client),
        META_DISCONNECT => disconnect(engine, &message, &client),
        channel if kind_of(channel) == ChannelKind::Meta => {
            message.failure(format!("404:{channel}:Unknown channel"))
        }
        _ => publish(engine, &mut message, &client).await,
    };
    reply(answer)
}

async fn handshake(engine: &Engine, message: &Incoming, context: &RequestContext) -> OutMessage {
    let identity = match engine.app.handshake(message.ext()).await {
        Ok(identity) => identity,
        Err(error) => {
            tracing::info!(%error, "bayeux handshake refused");
            return message.failure(error).with_advice(Advice::none());
        }
    };
    let ack = message.ext_field("ack") == Some(&Value::Bool(true));
    let client_id = match engine.create_session(identity, context, ack) {
        Ok(client_id) => client_id,
        Err(error) => {
            tracing::error!(%error, "bayeux handshake failed");
            return message
                .failure("500::Cannot create a client id")
                .with_advice(Advice::handshake());
        }
    };
    tracing::info!(
        client_id,
        ack,
        websocket = context.socket.is_some(),
        "bayeux handshake"
    );
    OutMessage {
        channel: Some(META_HANDSHAKE.to_owned()),
        id: message.id.clone(),
        client_id: Some(client_id),
        version: Some("1.0"),
        supported_connection_types: Some(CONNECTION_TYPES),
        ext: ack.then(|| json!({ "ack": true })),
        ..OutMessage::default()
    }
    .successful()
    .with_advice(engine.retry_advice())
}

fn connect(
    engine: &Arc<Engine>,
    message: &Incoming,
    client: &ClientInfo,
    context: &RequestContext,
) -> Handled {
    if !message
        .field("connectionType")
        .is_some_and(Value::is_string)
    {
        return reply(message.failure("400::Missing connectionType"));
    }
    match engine.begin_connect(message, &client.client_id, context) {
        ConnectStart::Reply(messages) => Handled::Reply(messages),
        ConnectStart::Hold(pending) => Handled::Hold(pending),
    }
}

/// The channel names of a `subscription` field: a string or a non-empty array of strings.
fn subscription_names(subscription: Option<&Value>) -> Result<Vec<String>, SubscriptionError> {
    let invalid = || SubscriptionError::Refused("400::Invalid subscription".to_owned());
    match subscription {
        None => Err(SubscriptionError::Refused(
            "400::Missing subscription".to_owned(),
        )),
        Some(Value::String(name)) => Ok(vec![name.clone()]),
        Some(Value::Array(names)) if !names.is_empty() => names
            .iter()
            .map(|name| name.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(invalid),
        Some(_) => Err(invalid()),
    }
}

/// The subscriptions to record out of `names` (broadcast ones; `/service` ones are local to
/// the client), or the error reply for the first invalid or forbidden name.
fn recordable(names: &[String]) -> Result<Vec<String>, String> {
    let mut recorded = Vec::new();
    for name in names {
        let channel = ChannelName::pattern(name).map_err(|error| format!("400:{name}:{error}"))?;
        match channel.kind() {
            ChannelKind::Meta => return Err(format!("403:{name}:Forbidden channel")),
            ChannelKind::Service => {}
            ChannelKind::Broadcast => recorded.push(channel.as_str().to_owned()),
        }
    }
    Ok(recorded)
}

/// Why a subscribe or unsubscribe failed.
enum SubscriptionError {
    /// A Bayeux error string.
    Refused(String),
    UnknownClient,
}

impl From<String> for SubscriptionError {
    fn from(error: String) -> Self {
        Self::Refused(error)
    }
}

/// The reply to a subscribe or unsubscribe: it always echoes `subscription`.
fn subscription_reply(message: &Incoming, outcome: Result<(), SubscriptionError>) -> OutMessage {
    let mut answer = match outcome {
        Ok(()) => message.reply().successful(),
        Err(SubscriptionError::Refused(error)) => message.failure(error),
        Err(SubscriptionError::UnknownClient) => unknown_client(message),
    };
    answer.subscription = message.field("subscription").cloned();
    answer
}

async fn subscribe(engine: &Engine, message: &Incoming, client: &ClientInfo) -> OutMessage {
    let outcome = async {
        let names = subscription_names(message.field("subscription"))?;
        let patterns = recordable(&names)?;
        for pattern in &patterns {
            engine.app.can_subscribe(client, pattern).await?;
        }
        if engine.subscribe(&client.client_id, &patterns) {
            Ok(())
        } else {
            Err(SubscriptionError::UnknownClient)
        }
    };
    subscription_reply(message, outcome.await)
}

fn unsubscribe(engine: &Engine, message: &Incoming, client: &ClientInfo) -> OutMessage {
    let outcome = subscription_names(message.field("subscription"))
        .and_then(|names| Ok(recordable(&names)?))
        .and_then(|patterns| {
            if engine.unsubscribe(&client.client_id, &patterns) {
                Ok(())
            } else {
                Err(SubscriptionError::UnknownClient)
            }
        });
    subscription_reply(message, outcome)
}

fn disconnect(engine: &Engine, message: &Incoming, client: &ClientInfo) -> OutMessage {
    if engine.remove_client(&client.client_id, RemovalReason::Disconnected) {
        message.reply().successful()
    } else {
        unknown_client(message)
    }
}

async fn publish(engine: &Engine, message: &mut Incoming, client: &ClientInfo) -> OutMessage {
    let channel_name = message.channel.clone();
    let channel = match ChannelName::concrete(&channel_name) {
        Ok(channel) => channel,
        Err(error) => return message.failure(format!("400:{channel_name}:{error}")),
    };
    let Some(data) = message.take_data() else {
        return message.failure(format!("400:{channel_name}:Missing data"));
    };
    let success = OutMessage {
        channel: Some(channel_name.clone()),
        id: message.id.clone(),
        ..OutMessage::default()
    }
    .successful();
    match channel.kind() {
        ChannelKind::Service => match engine.app.service(client, &channel_name, &data).await {
            ServiceReply::Ok => success,
            ServiceReply::Error(error) => message.failure(error),
        },
        ChannelKind::Broadcast => match engine.app.can_publish(client, &channel_name) {
            Ok(()) => {
                let delivery = OutMessage::delivery(&channel_name, data, message.id.clone());
                engine.publish(&channel_name, Arc::new(delivery));
                success
            }
            Err(error) => message.failure(error),
        },
        // Meta channels never get here (handled or refused by the dispatcher).
        ChannelKind::Meta => message.failure(format!("404:{channel_name}:Unknown channel")),
    }
}
