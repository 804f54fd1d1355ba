//! The handlers of `/api/v1/ChatTopic`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{Map, Value};

use super::auth::{read_body, SoContext};
use super::errors::SoError;
use super::sessions::{self, entity_response, QueryParams};
use super::topic_entity::{default_entity, is_open, render, TopicStats, TOPIC_FIELDS};
use super::writes::{changes, written_entity, WriteMode};
use crate::app::AppState;
use crate::chat::service::now_ms;
use crate::chat::topics::Topic;
use crate::chat::ChatError;

type Shared = State<Arc<AppState>>;

fn topic_id(id: &str) -> Result<i64, SoError> {
    id.trim()
        .parse()
        .map_err(|_| SoError::not_found(format!("chat topic {id} not found")))
}

async fn topic(state: &AppState, id: &str) -> Result<Topic, SoError> {
    match state.chat.topic(topic_id(id)?).await {
        Ok(topic) => Ok(topic),
        Err(ChatError::UnknownTopic(_)) => {
            Err(SoError::not_found(format!("chat topic {id} not found")))
        }
        Err(error) => Err(error.into()),
    }
}

async fn stats(state: &AppState, topic: &Topic) -> Result<TopicStats, SoError> {
    let row: (Option<i64>, Option<f64>) = sqlx::query_as(
        "SELECT MAX(first_join), AVG(first_join - created_at) FROM (
            SELECT c.created_at AS created_at, MIN(p.joined_at) AS first_join
            FROM conversations c JOIN participants p ON p.conversation_id = c.id
            WHERE c.service = ? AND p.agent_id IS NOT NULL GROUP BY c.id)",
    )
    .bind(&topic.service)
    .fetch_one(state.chat.pool())
    .await
    .map_err(ChatError::from)?;
    let last: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(p.joined_at) FROM participants p JOIN conversations c
            ON c.id = p.conversation_id WHERE c.service = ? AND p.agent_id IS NOT NULL",
    )
    .bind(&topic.service)
    .fetch_one(state.chat.pool())
    .await
    .map_err(ChatError::from)?;
    Ok(TopicStats {
        last_accept: last.or(row.0),
        seconds_per_accept: row.1.map_or(0, |ms| (ms / 1000.0).round() as i64),
    })
}

async fn rendered(state: &AppState, ctx: &SoContext, topic: &Topic) -> Result<Value, SoError> {
    Ok(render(
        topic,
        stats(state, topic).await?,
        &ctx.dates,
        &ctx.base_url,
    ))
}

async fn respond(
    state: &AppState,
    ctx: &SoContext,
    topic: &Topic,
    query: &QueryParams,
) -> Result<Response, SoError> {
    let selection = query.selection(&TOPIC_FIELDS)?;
    let entity = rendered(state, ctx, topic).await?;
    Ok(entity_response(
        entity,
        topic.updated_at,
        selection.as_ref(),
    ))
}

/// `GET /api/v1/ChatTopic`: every topic.
pub async fn list(
    State(state): Shared,
    ctx: SoContext,
    RawQuery(raw): RawQuery,
) -> Result<Response, SoError> {
    let query = QueryParams::parse(raw)?;
    let selection = query.selection(&TOPIC_FIELDS)?;
    let mut items = Vec::new();
    for topic in state.chat.topics().await? {
        let mut entity = rendered(&state, &ctx, &topic).await?;
        if let Some(selection) = &selection {
            selection.apply(&mut entity);
        }
        items.push(entity);
    }
    Ok(Json(items).into_response())
}

/// `GET /api/v1/ChatTopic/default`.
pub async fn get_default(ctx: SoContext, RawQuery(raw): RawQuery) -> Result<Response, SoError> {
    let query = QueryParams::parse(raw)?;
    let selection = query.selection(&TOPIC_FIELDS)?;
    let mut entity = default_entity(&ctx.base_url);
    if let Some(selection) = selection {
        selection.apply(&mut entity);
    }
    Ok(Json(entity).into_response())
}

/// The settings of a topic entity: every writable property but `Name`, when set.
fn settings_of(entity: &Value, base: &Map<String, Value>) -> Map<String, Value> {
    let mut settings = base.clone();
    for field in TOPIC_FIELDS
        .iter()
        .filter(|f| f.writable && f.name != "Name")
    {
        match entity.get(field.name) {
            Some(Value::Null) | None => {
                settings.remove(field.name);
            }
            Some(value) => {
                settings.insert(field.name.to_owned(), value.clone());
            }
        }
    }
    settings
}

fn name_of(entity: &Value) -> Result<String, SoError> {
    entity["Name"]
        .as_str()
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| SoError::bad_request("Name is required"))
}

/// `POST /api/v1/ChatTopic`: a new topic, which customers can request chats on at once.
pub async fn post(
    State(state): Shared,
    ctx: SoContext,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, SoError> {
    let query = QueryParams::parse(raw)?;
    query.selection(&TOPIC_FIELDS)?;
    let body = read_body(&headers, &body)?;
    let default = default_entity(&ctx.base_url);
    let written = written_entity(
        &default,
        body,
        &TOPIC_FIELDS,
        &ctx.dates,
        WriteMode::Replace,
    )?;
    // Checks every written value against its kind.
    changes(&default, &written, &TOPIC_FIELDS, &ctx.dates, false)?;
    let name = name_of(&written)?;
    let topic = state
        .chat
        .create_topic(&name, settings_of(&written, &Map::new()))
        .await?;
    respond(&state, &ctx, &topic, &query).await
}

/// `GET /api/v1/ChatTopic/{id}`.
pub async fn get_one(
    State(state): Shared,
    ctx: SoContext,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, SoError> {
    let query = QueryParams::parse(raw)?;
    let topic = topic(&state, &id).await?;
    if ctx.not_modified(topic.updated_at) {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    respond(&state, &ctx, &topic, &query).await
}

async fn write(
    state: &AppState,
    ctx: &SoContext,
    id: &str,
    raw: Option<String>,
    headers: &HeaderMap,
    body: &Bytes,
    mode: WriteMode,
) -> Result<Response, SoError> {
    let query = QueryParams::parse(raw)?;
    query.selection(&TOPIC_FIELDS)?;
    let body = read_body(headers, body)?;
    if body == super::auth::Body::Empty {
        return Err(SoError::bad_request("the body is empty"));
    }
    let current_topic = topic(state, id).await?;
    ctx.check_unmodified(current_topic.updated_at)?;
    let current = rendered(state, ctx, &current_topic).await?;
    let written = written_entity(&current, body, &TOPIC_FIELDS, &ctx.dates, mode)?;
    let changed = changes(
        &current,
        &written,
        &TOPIC_FIELDS,
        &ctx.dates,
        mode == WriteMode::Patch,
    )?;
    if changed.is_empty() {
        return respond(state, ctx, &current_topic, &query).await;
    }
    let mut entity = current.clone();
    for change in &changed {
        entity[change.field.name] = change.new.clone();
    }
    let name = name_of(&entity)?;
    let updated = state
        .chat
        .update_topic(
            current_topic.id,
            &name,
            settings_of(&entity, &current_topic.settings),
        )
        .await?;
    respond(state, ctx, &updated, &query).await
}

/// `PUT /api/v1/ChatTopic/{id}`.
pub async fn put(
    State(state): Shared,
    ctx: SoContext,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, SoError> {
    write(&state, &ctx, &id, raw, &headers, &body, WriteMode::Replace).await
}

/// `PATCH /api/v1/ChatTopic/{id}`.
pub async fn patch(
    State(state): Shared,
    ctx: SoContext,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, SoError> {
    write(&state, &ctx, &id, raw, &headers, &body, WriteMode::Patch).await
}

/// `DELETE /api/v1/ChatTopic/{id}`: refused (409) while a conversation on it has not ended.
pub async fn delete(
    State(state): Shared,
    ctx: SoContext,
    Path(id): Path<String>,
) -> Result<Response, SoError> {
    let topic = topic(&state, &id).await?;
    ctx.check_unmodified(topic.updated_at)?;
    state.chat.delete_topic(topic.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/ChatTopic/{id}/Sessions`.
pub async fn sessions(
    State(state): Shared,
    ctx: SoContext,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, SoError> {
    let query = QueryParams::parse(raw)?;
    let selection = query.selection(super::session_entity::session_fields())?;
    let topic = topic(&state, &id).await?;
    let items = sessions::sessions_of_topic(&state, &ctx, &topic, selection.as_ref()).await?;
    Ok(Json(items).into_response())
}

/// `POST /api/v1/ChatTopic/{id}/Sessions`: a new session on the topic (the body, a
/// ChatSessionEntity, is optional).
pub async fn create_session(
    State(state): Shared,
    ctx: SoContext,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, SoError> {
    let query = QueryParams::parse(raw)?;
    query.selection(super::session_entity::session_fields())?;
    let body = read_body(&headers, &body)?;
    let topic = topic(&state, &id).await?;
    let mut body = body;
    // The topic is the one in the path.
    if let super::auth::Body::Json(Value::Object(map)) = &mut body {
        map.retain(|key, _| !key.eq_ignore_ascii_case("TopicId"));
    }
    let chat_id = sessions::create(&state, &ctx, body, Some(topic)).await?;
    sessions::session_response(&state, &ctx, &chat_id, &query).await
}

/// `GET /api/v1/ChatTopic/{id}/IsOpen`.
pub async fn is_open_now(
    State(state): Shared,
    ctx: SoContext,
    Path(id): Path<String>,
) -> Result<Response, SoError> {
    let topic = topic(&state, &id).await?;
    Ok(Json(Value::Bool(is_open(&topic, now_ms(), &ctx.dates))).into_response())
}
