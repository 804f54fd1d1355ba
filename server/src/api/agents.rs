//! The agents' API: sign in, list the queue and one's own conversations, accept, talk, leave,
//! end. Every route but login takes `Authorization: Bearer <token>` or `Basic`.
//!
//! The login answer also carries a `ticket`: the same secret, for the SuperOffice face's
//! `Authorization: SOTicket <ticket>` scheme.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{json_body, ApiError};
use crate::app::AppState;
use crate::chat::service::AgentRef;
use crate::chat::store::ListFilter;
use crate::chat::Lifecycle;
use crate::openapi::{schema_ref, ApiTable, Operation, Security};

const TAG: &str = "Agents";

/// Adds the agents' routes to the route table.
pub fn register(table: &mut ApiTable<Arc<AppState>>) {
    table.tag(
        TAG,
        "The agents' API: sign in, the queue, one's conversations, talking to customers",
    );
    table.schema(
        "AgentsError",
        json!({"type": "object", "properties": {"error": {"type": "object", "properties": {
            "code": {"type": "string"}, "message": {"type": "string"}}}}}),
    );
    table.schema(
        "LoginRequest",
        json!({"type": "object", "properties": {
            "username": {"type": "string"}, "password": {"type": "string"}}}),
    );
    table.schema(
        "Login",
        json!({"type": "object", "properties": {
            "token": {"type": "string", "description": "For Authorization: Bearer"},
            "ticket": {"type": "string", "description": "For Authorization: SOTicket (the same secret)"},
            "agentId": {"type": "string"}, "name": {"type": "string"}}}),
    );
    table.schema(
        "Conversation",
        json!({"type": "object", "additionalProperties": true, "properties": {
            "chatId": {"type": "string"},
            "chatSessionId": {"type": "integer", "description": "The SuperOffice ChatSessionId"},
            "service": {"type": "string"},
            "status": {"type": "string", "enum": ["queued", "active", "waiting", "wrapup", "closed"]},
            "agentIds": {"type": "array", "items": {"type": "string"}},
            "transferTo": {"type": "string", "nullable": true},
            "lastIndex": {"type": "integer"},
            "links": {"type": "object", "description": "The linked records: one customer, one case",
                "properties": {
                    "customer": {"allOf": [schema_ref("RecordLink")], "nullable": true,
                        "description": "A contact or an account"},
                    "case": {"allOf": [schema_ref("RecordLink")], "nullable": true,
                        "description": "An incident"}}}}}),
    );
    table.schema(
        "RecordLink",
        json!({"type": "object", "required": ["entityName", "entityId"], "properties": {
            "entityName": {"type": "string", "enum": ["contact", "account", "incident"]},
            "entityId": {"type": "string", "description": "The record's id; a GUID is kept in lower case, without braces"},
            "displayName": {"type": "string", "nullable": true, "description": "The name to show for the record"}}}),
    );
    table.schema(
        "ConversationAnswer",
        json!({"type": "object", "properties": {"conversation": schema_ref("Conversation")}}),
    );
    let error = || Some(schema_ref("AgentsError"));
    let conversation = || Some(schema_ref("ConversationAnswer"));
    let secured = |operation: Operation| {
        operation
            .secured(Security::Agent)
            .response(401, "Missing or invalid credentials", error())
    };
    let in_chat = |operation: Operation| {
        secured(operation)
            .path_param("chat_id", json!({"type": "string"}), "The chatId")
            .response(404, "Unknown conversation", error())
    };
    table.add(
        Operation::post(
            "/api/v1/agents/login",
            "Agents_Login",
            TAG,
            "Signs in: a bearer token and an SOTicket",
        )
        .body(&["application/json"], schema_ref("LoginRequest"), false)
        .response(200, "Signed in", Some(schema_ref("Login")))
        .response(400, "Malformed body", error())
        .response(401, "Wrong credentials", error()),
        login,
    );
    table.add(
        secured(Operation::get(
            "/api/v1/agents/me",
            "Agents_Me",
            TAG,
            "Who the caller is",
        ))
        .response(
            200,
            "The agent",
            Some(json!({"type": "object", "properties": {
                "agentId": {"type": "string"}, "name": {"type": "string"}}})),
        ),
        me,
    );
    table.add(
        secured(Operation::get(
            "/api/v1/conversations",
            "Conversations_List",
            TAG,
            "Lists conversations",
        ))
        .query(
            "scope",
            json!({"type": "string", "enum": ["queue", "mine", "all"]}),
            "Which ones (default all)",
        )
        .query(
            "status",
            json!({"type": "string"}),
            "Comma-separated life-cycle statuses",
        )
        .response(
            200,
            "The conversations",
            Some(json!({"type": "object", "properties": {
                "conversations": {"type": "array", "items": schema_ref("Conversation")}}})),
        )
        .response(400, "Unknown scope or status", error()),
        list,
    );
    table.add(
        in_chat(Operation::get(
            "/api/v1/conversations/{chat_id}",
            "Conversations_Get",
            TAG,
            "One conversation",
        ))
        .response(200, "The conversation", conversation()),
        one,
    );
    table.add(
        in_chat(Operation::post(
            "/api/v1/conversations/{chat_id}/accept",
            "Conversations_Accept",
            TAG,
            "The caller joins the conversation",
        ))
        .response(200, "Joined", conversation())
        .response(409, "Another agent has it, or it has ended", error()),
        accept,
    );
    table.add(
        in_chat(Operation::post(
            "/api/v1/conversations/{chat_id}/messages",
            "Conversations_SendMessage",
            TAG,
            "Sends a message to the customer",
        ))
        .body(
            &["application/json"],
            json!({"type": "object", "required": ["text"], "properties": {
                "text": {"type": "string"}, "messageType": {"type": "string"}}}),
            true,
        )
        .response(
            200,
            "Sent",
            Some(json!({"type": "object", "properties": {
                "chatId": {"type": "string"}, "index": {"type": "integer"}}})),
        )
        .response(400, "Missing text", error())
        .response(403, "The caller is not in the conversation", error())
        .response(409, "The chat has ended", error())
        .response(415, "Not JSON", error()),
        send_message,
    );
    table.add(
        in_chat(Operation::post(
            "/api/v1/conversations/{chat_id}/typing",
            "Conversations_Typing",
            TAG,
            "Starts or stops typing",
        ))
        .body(
            &["application/json"],
            json!({"type": "object", "properties": {
                "isTyping": {"type": "boolean"}, "text": {"type": "string"}}}),
            false,
        )
        .response(
            200,
            "Done",
            Some(json!({"type": "object", "properties": {
                "chatId": {"type": "string"}, "isTyping": {"type": "boolean"}}})),
        )
        .response(403, "The caller is not in the conversation", error()),
        typing,
    );
    table.add(
        in_chat(Operation::post(
            "/api/v1/conversations/{chat_id}/leave",
            "Conversations_Leave",
            TAG,
            "The caller leaves (the chat goes back to the queue)",
        ))
        .response(200, "Left", conversation())
        .response(403, "The caller is not in the conversation", error()),
        leave,
    );
    table.add(
        in_chat(Operation::post(
            "/api/v1/conversations/{chat_id}/end",
            "Conversations_End",
            TAG,
            "Ends the chat; the customer is told chatEnded",
        ))
        .response(200, "Ended", conversation())
        .response(403, "The caller is not in the conversation", error()),
        end,
    );
    table.add(
        in_chat(Operation::post(
            "/api/v1/conversations/{chat_id}/links",
            "Conversations_Link",
            TAG,
            "Links a customer (contact, account) or a case (incident) to the conversation",
        ))
        .describe(
            "A conversation has at most one customer and one case: a new link replaces the \
             old one of its kind. Shown in the conversation and in its Dataverse record \
             (_msdyn_customer_value, _msdyn_issueid_value); announced on the agents' channels.",
        )
        .body(&["application/json"], schema_ref("RecordLink"), true)
        .response(200, "Linked", conversation())
        .response(
            400,
            "Missing or unknown entityName, missing entityId",
            error(),
        )
        .response(409, "The conversation has ended", error())
        .response(415, "Not JSON", error()),
        link,
    );
    table.add(
        secured(Operation::delete(
            "/api/v1/conversations/{chat_id}/links/{entity_name}",
            "Conversations_Unlink",
            TAG,
            "Removes the link to a contact, an account or an incident",
        ))
        .path_param("chat_id", json!({"type": "string"}), "The chatId")
        .path_param(
            "entity_name",
            json!({"type": "string", "enum": ["contact", "account", "incident"]}),
            "The linked record's entity",
        )
        .query(
            "entityId",
            json!({"type": "string"}),
            "Only when the linked record is this one",
        )
        .response(200, "Unlinked", conversation())
        .response(400, "Unknown entity", error())
        .response(
            404,
            "Unknown conversation, or no such record linked",
            error(),
        )
        .response(409, "The conversation has ended", error()),
        unlink,
    );
    table.add(
        in_chat(Operation::get(
            "/api/v1/conversations/{chat_id}/transcript",
            "Conversations_Transcript",
            TAG,
            "The transcript from an index on",
        ))
        .query(
            "from",
            json!({"type": "integer", "minimum": 0}),
            "First index (default 1)",
        )
        .response(
            200,
            "The events",
            Some(json!({"type": "object", "properties": {
                "chatId": {"type": "string"},
                "messages": {"type": "array", "items": schema_ref("TranscriptEvent")},
                "nextPosition": {"type": "integer"}}})),
        ),
        transcript,
    );
}

fn agent(state: &AppState, headers: &HeaderMap) -> Result<AgentRef, ApiError> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    Ok(state.agents.authenticate(authorization)?)
}

#[derive(Deserialize)]
struct LoginBody {
    username: Option<String>,
    password: Option<String>,
}

async fn login(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    // Basic credentials in the header sign in as well, for clients that only know those.
    let (username, password) = match json_body::<LoginBody>(&headers, &body)? {
        LoginBody {
            username: Some(username),
            password: Some(password),
        } => (username, password),
        _ => {
            let agent = agent(&state, &headers).map_err(|_| {
                ApiError::bad_request("send {\"username\", \"password\"} or Basic credentials")
            })?;
            let (token, agent) = state.agents.issue_token(&agent.agent_id)?;
            return Ok(Json(
                json!({"token": token, "ticket": token, "agentId": agent.agent_id, "name": agent.nickname}),
            ));
        }
    };
    let (token, agent) = state.agents.login(&username, &password)?;
    Ok(Json(
        json!({"token": token, "ticket": token, "agentId": agent.agent_id, "name": agent.nickname}),
    ))
}

async fn me(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let agent = agent(&state, &headers)?;
    Ok(Json(
        json!({"agentId": agent.agent_id, "name": agent.nickname}),
    ))
}

#[derive(Deserialize)]
struct ListQuery {
    scope: Option<String>,
    status: Option<String>,
}

async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let agent = agent(&state, &headers)?;
    let mut filter = match query.scope.as_deref().unwrap_or("all") {
        "queue" => ListFilter {
            statuses: Some(vec![Lifecycle::Queued, Lifecycle::Waiting]),
            without_agent: true,
            ..ListFilter::default()
        },
        "mine" => ListFilter {
            with_agent: Some(agent.agent_id.clone()),
            ..ListFilter::default()
        },
        "all" => ListFilter::default(),
        other => {
            return Err(ApiError::bad_request(format!(
                "unknown scope '{other}': use queue, mine or all"
            )))
        }
    };
    if let Some(statuses) = query.status.as_deref().filter(|s| !s.is_empty()) {
        let parsed = statuses
            .split(',')
            .map(|s| {
                Lifecycle::parse(s.trim())
                    .ok_or_else(|| ApiError::bad_request(format!("unknown status '{s}'")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        filter.statuses = Some(match filter.statuses {
            Some(scope) => parsed.into_iter().filter(|s| scope.contains(s)).collect(),
            None => parsed,
        });
    }
    let conversations = state.chat.list(&filter).await?;
    Ok(Json(json!({"conversations": conversations})))
}

async fn one(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(chat_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    agent(&state, &headers)?;
    Ok(Json(
        json!({"conversation": state.chat.get(&chat_id).await?}),
    ))
}

async fn accept(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(chat_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let agent = agent(&state, &headers)?;
    Ok(Json(
        json!({"conversation": state.chat.accept(&agent, &chat_id).await?}),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageBody {
    text: Option<String>,
    message_type: Option<String>,
}

async fn send_message(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(chat_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let agent = agent(&state, &headers)?;
    let body: MessageBody = json_body(&headers, &body)?;
    let text = body
        .text
        .ok_or_else(|| ApiError::bad_request("'text' is required"))?;
    let index = state
        .chat
        .agent_message(&agent, &chat_id, text, body.message_type)
        .await?;
    Ok(Json(json!({"chatId": chat_id, "index": index})))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TypingBody {
    is_typing: Option<bool>,
    text: Option<String>,
}

async fn typing(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(chat_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let agent = agent(&state, &headers)?;
    let body: TypingBody = json_body(&headers, &body)?;
    let is_typing = body.is_typing.unwrap_or(true);
    state
        .chat
        .agent_typing(&agent, &chat_id, is_typing, body.text)
        .await?;
    Ok(Json(json!({"chatId": chat_id, "isTyping": is_typing})))
}

async fn leave(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(chat_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let agent = agent(&state, &headers)?;
    Ok(Json(
        json!({"conversation": state.chat.agent_leave(&agent, &chat_id).await?}),
    ))
}

async fn end(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(chat_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let agent = agent(&state, &headers)?;
    Ok(Json(
        json!({"conversation": state.chat.agent_end(&agent, &chat_id).await?}),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinkBody {
    entity_name: Option<String>,
    entity_id: Option<String>,
    display_name: Option<String>,
}

async fn link(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(chat_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    agent(&state, &headers)?;
    let body: LinkBody = json_body(&headers, &body)?;
    let conversation = state
        .chat
        .link_record(
            &chat_id,
            body.entity_name.as_deref().unwrap_or_default(),
            body.entity_id.as_deref().unwrap_or_default(),
            body.display_name,
        )
        .await?;
    Ok(Json(json!({"conversation": conversation})))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UnlinkQuery {
    entity_id: Option<String>,
}

async fn unlink(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path((chat_id, entity_name)): Path<(String, String)>,
    Query(query): Query<UnlinkQuery>,
) -> Result<Json<Value>, ApiError> {
    agent(&state, &headers)?;
    let conversation = state
        .chat
        .unlink_record(&chat_id, &entity_name, query.entity_id.as_deref())
        .await?;
    Ok(Json(json!({"conversation": conversation})))
}

#[derive(Deserialize)]
struct TranscriptQuery {
    from: Option<u64>,
}

async fn transcript(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(chat_id): Path<String>,
    Query(query): Query<TranscriptQuery>,
) -> Result<Json<Value>, ApiError> {
    agent(&state, &headers)?;
    let messages = state
        .chat
        .transcript(&chat_id, query.from.unwrap_or(1))
        .await?;
    let next_position = messages
        .last()
        .map_or(query.from.unwrap_or(1).max(1), |m| m.index + 1);
    Ok(Json(
        json!({"chatId": chat_id, "messages": messages, "nextPosition": next_position}),
    ))
}
