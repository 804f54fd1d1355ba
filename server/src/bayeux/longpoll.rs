//! The long-polling transport: a POST carries a batch of messages (a JSON body, or a form
//! field `message`); its response carries the replies and the client's deliveries.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{HeaderMap, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::browser::Browser;
use super::engine::{Engine, RequestContext};
use super::in_flight::InFlight;
use super::message::{encode_batch, parse_batch, OutMessage, Shared, MALFORMED};
use super::protocol::{handle_message, Handled};

/// `POST /cometd[/…]`.
pub(crate) async fn handle_post(
    State(engine): State<Arc<Engine>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let browser = Browser::from_headers(&headers);
    let set_cookie = browser.as_ref().and_then(Browser::set_cookie);
    let batch = match body_text(&headers, &body).and_then(|text| parse_batch(&text).ok()) {
        Some(batch) => batch,
        None => {
            tracing::debug!("bayeux long-poll: malformed body");
            let error = Arc::new(OutMessage::failure(None, None, MALFORMED));
            return json_response(StatusCode::BAD_REQUEST, &[error], set_cookie);
        }
    };
    let context = RequestContext {
        browser: browser.map(|browser| browser.id),
        socket: None,
    };
    let mut in_flight = InFlight::new(Arc::clone(&engine));
    let mut replies = Vec::new();
    for message in batch {
        match handle_message(&engine, message, &context, &mut in_flight).await {
            Handled::Reply(messages) => replies.extend(messages),
            Handled::Hold(pending) => replies.extend(pending.wait().await),
        }
    }
    replies.extend(in_flight.finish(&context));
    tracing::debug!(count = replies.len(), "bayeux long-poll response");
    json_response(StatusCode::OK, &replies, set_cookie)
}

/// The JSON text of the batch: the form field `message` of a form-encoded body, else the body.
fn body_text(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    let is_form = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| {
            mime.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if is_form {
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
        fields
            .into_iter()
            .find(|(name, _)| name == "message")
            .map(|(_, message)| message)
    } else {
        String::from_utf8(body.to_vec()).ok()
    }
}

fn json_response(
    status: StatusCode,
    messages: &[Shared],
    set_cookie: Option<HeaderValue>,
) -> Response {
    let mut response = (
        status,
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=UTF-8"),
        )],
        encode_batch(messages),
    )
        .into_response();
    if let Some(cookie) = set_cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

/// The response to a request this server cannot serve on a Bayeux route (e.g. a GET that is
/// not a WebSocket upgrade).
pub(crate) fn bad_request(error: &str) -> Response {
    let error = Arc::new(OutMessage::failure(None, None, error));
    json_response(StatusCode::BAD_REQUEST, &[error], None)
}
