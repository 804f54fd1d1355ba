//! The agents' API: sign in, list the queue and one's own conversations, accept, talk, leave,
//! end. Every route but login takes `Authorization: Bearer <token>` or `Basic`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{json_body, ApiError};
use crate::app::AppState;
use crate::chat::service::AgentRef;
use crate::chat::store::ListFilter;
use crate::chat::Lifecycle;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/agents/login", post(login))
        .route("/api/v1/agents/me", get(me))
        .route("/api/v1/conversations", get(list))
        .route("/api/v1/conversations/{chat_id}", get(one))
        .route("/api/v1/conversations/{chat_id}/accept", post(accept))
        .route(
            "/api/v1/conversations/{chat_id}/messages",
            post(send_message),
        )
        .route("/api/v1/conversations/{chat_id}/typing", post(typing))
        .route("/api/v1/conversations/{chat_id}/leave", post(leave))
        .route("/api/v1/conversations/{chat_id}/end", post(end))
        .route(
            "/api/v1/conversations/{chat_id}/transcript",
            get(transcript),
        )
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
                json!({"token": token, "agentId": agent.agent_id, "name": agent.nickname}),
            ));
        }
    };
    let (token, agent) = state.agents.login(&username, &password)?;
    Ok(Json(
        json!({"token": token, "agentId": agent.agent_id, "name": agent.nickname}),
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
