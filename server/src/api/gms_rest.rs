//! GMS chat v2 over plain HTTP: `POST /genesys/2/chat/{service}` and
//! `POST /genesys/2/chat/{service}/{chatId}/{operation}`, form-urlencoded or JSON.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::json;

use super::form_or_json_fields;
use crate::app::AppState;
use crate::chat::{ChatError, CustomerCredentials};
use crate::gms::{self, GmsRequest};

/// The REST operations and the GMS operation each one is.
const OPERATIONS: [(&str, &str); 8] = [
    ("send", "sendMessage"),
    ("refresh", "requestNotifications"),
    ("startTyping", "startTyping"),
    ("stopTyping", "stopTyping"),
    ("disconnect", "disconnect"),
    ("updateData", "updateData"),
    ("updateNickname", "updateNickname"),
    ("customNotice", "customNotice"),
];

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/genesys/2/chat/{service}", post(request_chat))
        .route(
            "/genesys/2/chat/{service}/{chat_id}/{operation}",
            post(chat_operation),
        )
}

fn error_response(state: &AppState, error: &ChatError) -> Response {
    let status =
        StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(gms::error_envelope(error, &state.alias))).into_response()
}

fn bad_body(state: &AppState, error: super::ApiError) -> Response {
    let status = error.status;
    let mut body = gms::error_envelope(
        &ChatError::InvalidParameter {
            name: "body",
            reason: error.message,
        },
        &state.alias,
    );
    body["errors"][0]["code"] = json!(3);
    (status, Json(body)).into_response()
}

async fn request_chat(
    State(state): State<Arc<AppState>>,
    Path(service): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fields = match form_or_json_fields(&headers, &body) {
        Ok(fields) => fields,
        Err(error) => return bad_body(&state, error),
    };
    let request = match gms::parse_request("requestChat", &fields) {
        Ok(GmsRequest::RequestChat(request)) => request,
        Ok(_) => return error_response(&state, &ChatError::UnknownOperation("requestChat".into())),
        Err(error) => return error_response(&state, &error),
    };
    match state.chat.request_chat(&service, request, &|_| {}).await {
        Ok(reply) => Json(gms::envelope(&reply, &state.alias)).into_response(),
        Err(error) => error_response(&state, &error),
    }
}

async fn chat_operation(
    State(state): State<Arc<AppState>>,
    Path((service, chat_id, operation)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((_, gms_operation)) = OPERATIONS.iter().find(|(path, _)| *path == operation) else {
        return error_response(&state, &ChatError::UnknownOperation(operation));
    };
    let fields = match form_or_json_fields(&headers, &body) {
        Ok(fields) => fields,
        Err(error) => return bad_body(&state, error),
    };
    let (secure_key, action, transcript_position) = match gms::parse_request(gms_operation, &fields)
    {
        Ok(GmsRequest::Customer {
            secure_key,
            action,
            transcript_position,
        }) => (secure_key, action, transcript_position),
        Ok(GmsRequest::RequestChat(_)) => {
            return error_response(&state, &ChatError::UnknownOperation(operation));
        }
        Err(error) => return error_response(&state, &error),
    };
    let credentials = CustomerCredentials {
        chat_id: Some(&chat_id),
        secure_key: &secure_key,
    };
    match state
        .chat
        .customer_action(&service, credentials, action, transcript_position, &|_| {})
        .await
    {
        Ok(reply) => Json(gms::envelope(&reply, &state.alias)).into_response(),
        Err(error) => error_response(&state, &error),
    }
}
