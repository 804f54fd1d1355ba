//! GMS chat v2 over plain HTTP: `POST /genesys/2/chat/{service}` and
//! `POST /genesys/2/chat/{service}/{chatId}/{operation}`, form-urlencoded or JSON.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::form_or_json_fields;
use crate::app::AppState;
use crate::chat::{ChatError, CustomerCredentials};
use crate::gms::{self, GmsRequest};
use crate::openapi::{schema_ref, ApiTable, Operation};

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

/// Adds the GMS REST routes to the route table.
pub fn register(table: &mut ApiTable<Arc<AppState>>) {
    table.tag(
        TAG,
        "GMS chat v2 over plain HTTP, for customers: form-urlencoded or JSON bodies",
    );
    table.schema(
        "GmsEnvelope",
        json!({"type": "object", "description": "The GMS chat v2 answer",
            "properties": {
                "statusCode": {"type": "integer", "enum": [0, 1, 2]},
                "alias": {"type": "string"},
                "chatEnded": {"type": "boolean"},
                "chatId": {"type": "string"},
                "userId": {"type": "string"},
                "secureKey": {"type": "string", "description": "Only when the chat is created"},
                "messages": {"type": "array", "items": {"$ref": "#/components/schemas/TranscriptEvent"}},
                "nextPosition": {"type": "integer"},
                "errors": {"type": "array", "items": {"type": "object", "properties": {
                    "code": {"type": "integer"}, "advice": {"type": "string"}}}}},
            "required": ["statusCode", "messages"]}),
    );
    table.schema(
        "TranscriptEvent",
        json!({"type": "object", "required": ["from", "index", "type", "utcTime"],
            "properties": {
                "from": {"type": "object", "properties": {
                    "nickname": {"type": "string"}, "participantId": {"type": "integer"},
                    "type": {"type": "string", "enum": ["Client", "Agent", "Supervisor", "External"]}}},
                "index": {"type": "integer", "minimum": 1},
                "type": {"type": "string", "enum": ["ParticipantJoined", "ParticipantLeft", "Message",
                    "TypingStarted", "TypingStopped", "CustomNotice", "NicknameUpdated"]},
                "text": {"type": "string"},
                "messageType": {"type": "string"},
                "userData": {"type": "object", "additionalProperties": true},
                "utcTime": {"type": "integer", "description": "Milliseconds since the Unix epoch"}}}),
    );
    table.schema(
        "GmsRequest",
        json!({"type": "object", "additionalProperties": true, "properties": {
            "nickname": {"type": "string"}, "firstName": {"type": "string"},
            "lastName": {"type": "string"}, "subject": {"type": "string"},
            "emailAddress": {"type": "string"}, "text": {"type": "string"},
            "secureKey": {"type": "string"}, "message": {"type": "string"},
            "messageType": {"type": "string"}, "transcriptPosition": {"type": "integer"},
            "userData": {"type": "object", "additionalProperties": {"type": "string"}}}}),
    );
    let body_types = ["application/x-www-form-urlencoded", "application/json"];
    let envelope = || Some(schema_ref("GmsEnvelope"));
    table.add(
        Operation::post(
            "/genesys/2/chat/{service}",
            "Gms_RequestChat",
            TAG,
            "requestChat: starts a chat on a service (a chat topic)",
        )
        .path_param(
            "service",
            json!({"type": "string"}),
            "The chat service (topic)",
        )
        .body(&body_types, schema_ref("GmsRequest"), false)
        .response(200, "The chat, with its secureKey", envelope())
        .response(400, "Missing or invalid parameter", envelope())
        .response(404, "Unknown service", envelope()),
        request_chat,
    );
    let operations: Vec<&str> = OPERATIONS.iter().map(|(path, _)| *path).collect();
    table.add(
        Operation::post(
            "/genesys/2/chat/{service}/{chat_id}/{operation}",
            "Gms_ChatOperation",
            TAG,
            "A customer operation on a chat: send, refresh, startTyping, stopTyping, \
             disconnect, updateData, updateNickname, customNotice",
        )
        .path_param(
            "service",
            json!({"type": "string"}),
            "The chat service (topic)",
        )
        .path_param("chat_id", json!({"type": "string"}), "The chatId")
        .path_param(
            "operation",
            json!({"type": "string", "enum": operations}),
            "The operation",
        )
        .body(&body_types, schema_ref("GmsRequest"), true)
        .response(
            200,
            "The envelope, with the transcript part asked for",
            envelope(),
        )
        .response(
            400,
            "Unknown operation, missing or invalid parameter",
            envelope(),
        )
        .response(404, "Unknown chat or wrong secureKey", envelope())
        .response(409, "The chat has ended", envelope()),
        chat_operation,
    );
}

const TAG: &str = "GMS chat";

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
        Ok(reply) => {
            state.rest_presence.seen(&reply.chat_id, reply.chat_ended);
            Json(gms::envelope(&reply, &state.alias)).into_response()
        }
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
        Ok(reply) => {
            state.rest_presence.seen(&reply.chat_id, reply.chat_ended);
            Json(gms::envelope(&reply, &state.alias)).into_response()
        }
        Err(error) => error_response(&state, &error),
    }
}
