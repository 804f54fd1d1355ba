//! The handlers of `/api/v1/ChatSession` and its sub-resources.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::auth::{last_modified, read_body, Body, SoContext};
use super::errors::SoError;
use super::fields::{get_path, Selection};
use super::odata::{self, parse_flags, Bind};
use super::session_entity::{
    default_entity, render, select_list, session_fields, Render, SessionColumns, SessionRow,
};
use super::writes::{changes, status_of, written_entity, Change, WriteMode};
use crate::app::AppState;
use crate::chat::record::{RecordUpdate, SessionCommand, SessionDraft};
use crate::chat::topics::Topic;
use crate::chat::{AgentRef, ChatError, ChatSessionStatus, EventType, PartyType, TranscriptEvent};

type Shared = State<Arc<AppState>>;

/// Query parameters, in order.
pub struct QueryParams(pub Vec<(String, String)>);

impl QueryParams {
    pub fn parse(raw: Option<String>) -> Result<Self, SoError> {
        let raw = raw.unwrap_or_default();
        serde_urlencoded::from_str(&raw)
            .map(QueryParams)
            .map_err(|error| SoError::bad_request(format!("malformed query string: {error}")))
    }

    /// A parameter, by name without regard to case.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn selection(
        &self,
        fields: &[super::fields::FieldSpec],
    ) -> Result<Option<Selection>, SoError> {
        match self.get("$select") {
            Some(text) => Selection::parse(text, fields),
            None => Ok(None),
        }
    }
}

fn renderer<'a>(state: &'a AppState, ctx: &'a SoContext) -> Render<'a> {
    Render {
        agents: &state.agents,
        dates: &ctx.dates,
        base_url: &ctx.base_url,
    }
}

pub use crate::sql::bind_all;

/// Sessions matching `where_sql`, rendered.
pub async fn query_sessions(
    state: &AppState,
    ctx: &SoContext,
    where_sql: &str,
    mut binds: Vec<Bind>,
    order: &[String],
    limit: Option<i64>,
    offset: i64,
) -> Result<Vec<SessionRow>, SoError> {
    let mut order_sql = order.join(", ");
    if !order_sql.is_empty() {
        order_sql.push_str(", ");
    }
    let sql = format!(
        "SELECT {} FROM conversations c WHERE {where_sql} ORDER BY {order_sql}c.number LIMIT ? OFFSET ?",
        select_list()
    );
    binds.push(Bind::Int(limit.unwrap_or(-1)));
    binds.push(Bind::Int(offset));
    let rows = bind_all(sqlx::query(&sql), binds)
        .fetch_all(state.chat.pool())
        .await
        .map_err(ChatError::from)?;
    let render_with = renderer(state, ctx);
    rows.iter()
        .map(|row| render(row, &render_with).map_err(|e| SoError::from(ChatError::from(e))))
        .collect()
}

/// The chatId of `{id}`: a conversation number or a GMS chatId.
pub async fn resolve(state: &AppState, id: &str) -> Result<String, SoError> {
    if let Ok(number) = id.trim().parse::<i64>() {
        if let Some(chat_id) = state.chat.chat_id_of_number(number).await? {
            return Ok(chat_id);
        }
    }
    match state.chat.get(id).await {
        Ok(summary) => Ok(summary.chat_id),
        Err(ChatError::UnknownChat) => {
            Err(SoError::not_found(format!("chat session {id} not found")))
        }
        Err(error) => Err(error.into()),
    }
}

async fn load(state: &AppState, ctx: &SoContext, chat_id: &str) -> Result<SessionRow, SoError> {
    query_sessions(
        state,
        ctx,
        "c.id = ?",
        vec![Bind::Text(chat_id.to_owned())],
        &[],
        Some(1),
        0,
    )
    .await?
    .pop()
    .ok_or_else(|| SoError::not_found(format!("chat session {chat_id} not found")))
}

/// An entity answer, with `Last-Modified`.
pub fn entity_response(mut entity: Value, updated_at: i64, select: Option<&Selection>) -> Response {
    if let Some(selection) = select {
        selection.apply(&mut entity);
    }
    let mut response = Json(entity).into_response();
    response
        .headers_mut()
        .insert(header::LAST_MODIFIED, last_modified(updated_at));
    response
}

async fn respond(
    state: &AppState,
    ctx: &SoContext,
    chat_id: &str,
    query: &QueryParams,
) -> Result<Response, SoError> {
    let selection = query.selection(session_fields())?;
    let row = load(state, ctx, chat_id).await?;
    Ok(entity_response(
        row.entity,
        row.updated_at,
        selection.as_ref(),
    ))
}

async fn default_topic(state: &AppState) -> Result<Topic, SoError> {
    if let Some(service) = state.chat.services().first() {
        if let Some(topic) = state.chat.topic_by_service(service).await? {
            return Ok(topic);
        }
    }
    state
        .chat
        .topics()
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| SoError::not_found("there is no chat topic"))
}

/// `GET /api/v1/ChatSession/default`.
pub async fn get_default(
    State(state): Shared,
    ctx: SoContext,
    RawQuery(raw): RawQuery,
) -> Result<Response, SoError> {
    let query = QueryParams::parse(raw)?;
    let selection = query.selection(session_fields())?;
    let topic = default_topic(&state).await?;
    let mut entity = default_entity(topic.id, &renderer(&state, &ctx));
    if let Some(selection) = selection {
        selection.apply(&mut entity);
    }
    Ok(Json(entity).into_response())
}

fn non_negative(query: &QueryParams, name: &str) -> Result<Option<i64>, SoError> {
    match query.get(name).map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(Some(n)),
            _ => Err(SoError::bad_request(format!(
                "{name} must be a whole number, 0 or more"
            ))),
        },
    }
}

/// `GET /api/v1/ChatSession`: the archive list.
pub async fn list(
    State(state): Shared,
    ctx: SoContext,
    RawQuery(raw): RawQuery,
) -> Result<Response, SoError> {
    let query = QueryParams::parse(raw)?;
    if let Some(format) = query.get("$format") {
        if !format.eq_ignore_ascii_case("json") && !format.is_empty() {
            return Err(SoError::not_acceptable(format));
        }
    }
    let columns_of = SessionColumns {
        agents: &state.agents,
    };
    let columns: Vec<String> = match query.selection(session_fields())? {
        Some(selection) => selection.columns(),
        None => session_fields().iter().map(|f| f.name.to_owned()).collect(),
    };
    // Validate nested columns like filters do, so unknown ones are 400.
    for column in &columns {
        if column.contains('/') {
            odata::Columns::column(&columns_of, column)
                .map_err(|e| SoError::bad_request(e.message.replace("$filter", "$select")))?;
        }
    }
    let mut binds = Vec::new();
    let where_sql = match query.get("$filter").filter(|f| !f.trim().is_empty()) {
        Some(filter) => {
            let expr = odata::parse_filter(filter)?;
            odata::compile(&expr, &columns_of, &ctx.dates, &mut binds)?
        }
        None => "1 = 1".to_owned(),
    };
    let order = match query.get("$orderBy") {
        Some(text) => odata::order_by(text, &columns_of, &mut binds)?,
        None => Vec::new(),
    };
    let top = non_negative(&query, "$top")?;
    let skip = non_negative(&query, "$skip")?.unwrap_or(0);
    let mut rows = query_sessions(
        &state,
        &ctx,
        &where_sql,
        binds,
        &order,
        top.map(|t| t + 1),
        skip,
    )
    .await?;
    let more = top.is_some_and(|t| t > 0 && rows.len() as i64 > t);
    if let Some(top) = top {
        rows.truncate(top as usize);
    }
    let value: Vec<Value> = rows
        .iter()
        .map(|row| {
            let mut item = Map::new();
            item.insert("PrimaryKey".into(), json!(row.number));
            item.insert("EntityName".into(), json!("chat"));
            for column in &columns {
                item.insert(
                    column.clone(),
                    get_path(&row.entity, column)
                        .cloned()
                        .unwrap_or(Value::Null),
                );
            }
            Value::Object(item)
        })
        .collect();
    let mut body = json!({
        "odata.metadata": format!("{}/api/v1/$metadata#ChatSession", ctx.base_url),
        "odata.nextLink": Value::Null,
        "value": value,
    });
    if more {
        let next_skip = skip + top.unwrap_or(0);
        let mut params: Vec<(String, String)> = query
            .0
            .iter()
            .filter(|(key, _)| !key.eq_ignore_ascii_case("$skip"))
            .cloned()
            .collect();
        params.push(("$skip".into(), next_skip.to_string()));
        let encoded = serde_urlencoded::to_string(&params).unwrap_or_default();
        body["odata.nextLink"] = json!(format!("{}/api/v1/ChatSession?{encoded}", ctx.base_url));
    }
    Ok(Json(body).into_response())
}

/// Finds the agent a written `User` or `TransferTo` names (an Associate, a user name or an
/// associate id), preferring what changed in an Associate object.
fn resolve_associate(
    state: &AppState,
    name: &str,
    old: &Value,
    new: &Value,
) -> Result<Option<AgentRef>, SoError> {
    let unknown = |what: &str| SoError::bad_request(format!("{name}: no user '{what}'"));
    let find = |value: &Value| -> Result<Option<AgentRef>, SoError> {
        let text = match value {
            Value::String(s) if !s.trim().is_empty() => s.clone(),
            Value::Number(n) if n.as_i64().is_some_and(|n| n > 0) => n.to_string(),
            _ => return Ok(None),
        };
        state
            .agents
            .find(&text)
            .map(Some)
            .ok_or_else(|| unknown(&text))
    };
    match new {
        Value::Null => Ok(None),
        Value::String(_) | Value::Number(_) => find(new)?
            .ok_or_else(|| unknown(&new.to_string()))
            .map(Some),
        Value::Object(_) => {
            let keys = ["AssociateId", "UserName", "Name"];
            for key in keys {
                let now = get_path(new, key).unwrap_or(&Value::Null);
                let before = get_path(old, key).unwrap_or(&Value::Null);
                if !now.is_null() && now != before {
                    if let Some(agent) = find(now)? {
                        return Ok(Some(agent));
                    }
                }
            }
            for key in keys {
                if let Some(agent) = find(get_path(new, key).unwrap_or(&Value::Null))? {
                    return Ok(Some(agent));
                }
            }
            Err(SoError::bad_request(format!(
                "{name}: give AssociateId, UserName or Name"
            )))
        }
        _ => Err(SoError::bad_request(format!("{name}: not an Associate"))),
    }
}

/// The life-cycle operations that take a session from `current` to `wanted`.
fn status_commands(
    current: ChatSessionStatus,
    wanted: ChatSessionStatus,
    caller: &AgentRef,
    assigning: bool,
) -> Result<Vec<SessionCommand>, SoError> {
    use ChatSessionStatus as S;
    let closed = matches!(current, S::Closed | S::ClosedFromQueue);
    let refuse = || {
        SoError::bad_request(format!(
            "Status cannot go from {} to {}",
            current.name(),
            wanted.name()
        ))
    };
    let take = |then: Vec<SessionCommand>| {
        let mut commands = if assigning {
            Vec::new()
        } else {
            vec![SessionCommand::Assign(caller.clone())]
        };
        commands.extend(then);
        commands
    };
    match wanted {
        S::InQueue | S::RequestPosted => match current {
            S::InQueue | S::RequestPosted => Ok(Vec::new()),
            S::CustomerLast | S::UserLast => Ok(vec![SessionCommand::Reset]),
            _ => Err(refuse()),
        },
        S::CustomerLast | S::UserLast => match current {
            S::CustomerLast | S::UserLast => Ok(Vec::new()),
            S::InQueue | S::RequestPosted => Ok(take(Vec::new())),
            _ => Err(refuse()),
        },
        S::Finished => match current {
            S::Finished => Ok(Vec::new()),
            S::CustomerLast | S::UserLast => Ok(vec![SessionCommand::FinishCustomer]),
            S::InQueue | S::RequestPosted => Ok(take(vec![SessionCommand::FinishCustomer])),
            _ => Err(refuse()),
        },
        S::Closed | S::ClosedFromQueue if closed => Ok(Vec::new()),
        S::Closed | S::ClosedFromQueue => Ok(vec![SessionCommand::Close]),
        S::Invalid | S::PreChatForm | S::Faq | S::OfflineForm | S::Deleted => Err(refuse()),
    }
}

/// What a set of property changes asks of the chat service.
struct Plan {
    update: RecordUpdate,
    commands: Vec<SessionCommand>,
}

async fn plan(
    state: &AppState,
    ctx: &SoContext,
    current: &Value,
    changed: &[Change],
    creating: bool,
) -> Result<Plan, SoError> {
    let mut update = RecordUpdate::default();
    let mut commands = Vec::new();
    let mut later = Vec::new();
    let mut assigning: Option<AgentRef> = None;
    let current_status = status_of(&current["Status"]).unwrap_or(ChatSessionStatus::InQueue);
    let current_user = match &current["User"] {
        Value::Null => None,
        user => resolve_associate(state, "User", &Value::Null, user)
            .ok()
            .flatten(),
    };
    for change in changed {
        let name = change.field.name;
        let new = &change.new;
        match name {
            "TopicId" => {
                let id = new.as_i64().unwrap_or(0);
                match state.chat.topic(id).await {
                    Ok(topic) => update.service = Some(topic.service),
                    // A POST keeps the default topic when the one named does not exist (the
                    // seed's sample names topic 699).
                    Err(ChatError::UnknownTopic(_)) if creating => {}
                    Err(ChatError::UnknownTopic(_)) => {
                        return Err(SoError::bad_request(format!(
                            "TopicId: chat topic {id} does not exist"
                        )))
                    }
                    Err(error) => return Err(error.into()),
                }
            }
            "User" => match resolve_associate(state, name, &change.old, new)? {
                Some(agent) => {
                    assigning = Some(agent.clone());
                    commands.push(SessionCommand::Assign(agent));
                }
                None if creating => {}
                None => commands.push(SessionCommand::Reset),
            },
            "TransferTo" => match resolve_associate(state, name, &change.old, new)? {
                Some(to) => {
                    let by = assigning
                        .clone()
                        .or_else(|| current_user.clone())
                        .unwrap_or_else(|| ctx.agent.clone());
                    later.push(SessionCommand::RequestTransfer { by, to });
                }
                None => later.push(SessionCommand::CancelTransfer),
            },
            "CustomerAlias" => match new.as_str().map(str::trim).filter(|s| !s.is_empty()) {
                Some(alias) => update.nickname = Some(alias.to_owned()),
                None if creating => {}
                None => return Err(SoError::bad_request("CustomerAlias cannot be empty")),
            },
            "CustomerName" => update.customer_name = Some(new.as_str().map(str::to_owned)),
            "CustomerEmail" => update.email = Some(new.as_str().map(str::to_owned)),
            "Status" => {
                let wanted = status_of(new)
                    .ok_or_else(|| SoError::bad_request(format!("Status: unknown value {new}")))?;
                if creating && matches!(wanted, ChatSessionStatus::Invalid) {
                    continue;
                }
                // `User` comes before `Status` in the table: an assignment is known here.
                let commands =
                    status_commands(current_status, wanted, &ctx.agent, assigning.is_some())?;
                later.extend(commands);
            }
            "Flags" => {
                let mask = |v: &Value| v.as_str().and_then(parse_flags);
                let (Some(old), Some(wanted)) = (mask(&change.old).or(Some(0)), mask(new)) else {
                    return Err(SoError::bad_request(format!("Flags: unknown value {new}")));
                };
                if creating {
                    continue;
                }
                if (old ^ wanted) & 1 != 0 {
                    return Err(SoError::bad_request(
                        "Flags: CustomerIsTyping is the customer's to set",
                    ));
                }
                if (old ^ wanted) & 2 != 0 {
                    later.push(SessionCommand::Typing(ctx.agent.clone(), wanted & 2 != 0));
                }
            }
            _ => {
                // CRM-only fields, checked against their kind already.
                update.crm.insert(name.to_owned(), new.clone());
            }
        }
    }
    // A status written with a user: the user is assigned first (see `status_commands`).
    commands.extend(later);
    Ok(Plan { update, commands })
}

/// Creates a session from an entity body, on `topic` or the one the body names.
pub async fn create(
    state: &AppState,
    ctx: &SoContext,
    body: Body,
    topic: Option<Topic>,
) -> Result<String, SoError> {
    let default_topic = match topic {
        Some(topic) => topic,
        None => default_topic(state).await?,
    };
    let default = default_entity(default_topic.id, &renderer(state, ctx));
    let written = written_entity(
        &default,
        body,
        session_fields(),
        &ctx.dates,
        WriteMode::Replace,
    )?;
    let changed = changes(&default, &written, session_fields(), &ctx.dates, false)?;
    let mut plan = plan(state, ctx, &default, &changed, true).await?;
    let text = |name: &str| {
        written[name]
            .as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let nickname = text("CustomerAlias")
        .or_else(|| text("CustomerName"))
        .or_else(|| text("CustomerEmail"))
        .unwrap_or_else(|| "Customer".to_owned());
    if nickname.chars().count() > 64 {
        return Err(SoError::bad_request(
            "CustomerAlias: longer than 64 characters",
        ));
    }
    let first_message = text("FirstMessage");
    let draft = SessionDraft {
        service: plan.update.service.take().unwrap_or(default_topic.service),
        nickname,
        customer_name: plan.update.customer_name.take().flatten(),
        email: plan.update.email.take().flatten(),
        first_message,
    };
    plan.update.nickname = None;
    let summary = state
        .chat
        .create_session(draft, plan.update, plan.commands)
        .await?;
    Ok(summary.chat_id)
}

/// `POST /api/v1/ChatSession`.
pub async fn post(
    State(state): Shared,
    ctx: SoContext,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, SoError> {
    let query = QueryParams::parse(raw)?;
    query.selection(session_fields())?;
    let body = read_body(&headers, &body)?;
    let chat_id = create(&state, &ctx, body, None).await?;
    respond(&state, &ctx, &chat_id, &query).await
}

/// `GET /api/v1/ChatSession/{id}`.
pub async fn get_one(
    State(state): Shared,
    ctx: SoContext,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, SoError> {
    let query = QueryParams::parse(raw)?;
    let selection = query.selection(session_fields())?;
    let chat_id = resolve(&state, &id).await?;
    let row = load(&state, &ctx, &chat_id).await?;
    if ctx.not_modified(row.updated_at) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        response
            .headers_mut()
            .insert(header::LAST_MODIFIED, last_modified(row.updated_at));
        return Ok(response);
    }
    Ok(entity_response(
        row.entity,
        row.updated_at,
        selection.as_ref(),
    ))
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
    query.selection(session_fields())?;
    let body = read_body(headers, body)?;
    if body == Body::Empty {
        return Err(SoError::bad_request("the body is empty"));
    }
    let chat_id = resolve(state, id).await?;
    let row = load(state, ctx, &chat_id).await?;
    ctx.check_unmodified(row.updated_at)?;
    let written = written_entity(&row.entity, body, session_fields(), &ctx.dates, mode)?;
    let changed = changes(
        &row.entity,
        &written,
        session_fields(),
        &ctx.dates,
        mode == WriteMode::Patch,
    )?;
    if !changed.is_empty() {
        let plan = plan(state, ctx, &row.entity, &changed, false).await?;
        state
            .chat
            .update_session(&chat_id, plan.update, plan.commands)
            .await?;
    }
    respond(state, ctx, &chat_id, &query).await
}

/// `PUT /api/v1/ChatSession/{id}`.
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

/// `PATCH /api/v1/ChatSession/{id}`.
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

/// `DELETE /api/v1/ChatSession/{id}`.
pub async fn delete(
    State(state): Shared,
    ctx: SoContext,
    Path(id): Path<String>,
) -> Result<Response, SoError> {
    let chat_id = resolve(&state, &id).await?;
    let row = load(&state, &ctx, &chat_id).await?;
    ctx.check_unmodified(row.updated_at)?;
    state.chat.delete_session(&chat_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/ChatSession/ForCurrentUser`: the sessions the caller is in, those waiting in
/// the queue, and those being transferred to the caller; not the ended ones.
pub async fn for_current_user(
    State(state): Shared,
    ctx: SoContext,
    RawQuery(raw): RawQuery,
) -> Result<Response, SoError> {
    let query = QueryParams::parse(raw)?;
    let selection = query.selection(session_fields())?;
    let me = ctx.agent.agent_id.clone();
    let rows = query_sessions(
        &state,
        &ctx,
        "c.ended_at IS NULL AND (c.transfer_to = ?
            OR EXISTS (SELECT 1 FROM participants p WHERE p.conversation_id = c.id
                AND p.agent_id = ? AND p.left_at IS NULL)
            OR (c.status IN ('queued', 'waiting') AND NOT EXISTS (SELECT 1 FROM participants p
                WHERE p.conversation_id = c.id AND p.agent_id IS NOT NULL AND p.left_at IS NULL)))",
        vec![Bind::Text(me.clone()), Bind::Text(me)],
        &[],
        None,
        0,
    )
    .await?;
    let items: Vec<Value> = rows
        .into_iter()
        .map(|row| {
            let mut entity = row.entity;
            if let Some(selection) = &selection {
                selection.apply(&mut entity);
            }
            entity
        })
        .collect();
    Ok(Json(items).into_response())
}

async fn command(
    state: &AppState,
    ctx: &SoContext,
    id: &str,
    raw: Option<String>,
    commands: Vec<SessionCommand>,
) -> Result<Response, SoError> {
    let query = QueryParams::parse(raw)?;
    query.selection(session_fields())?;
    let chat_id = resolve(state, id).await?;
    state
        .chat
        .update_session(&chat_id, RecordUpdate::default(), commands)
        .await?;
    respond(state, ctx, &chat_id, &query).await
}

/// `POST /api/v1/ChatSession/{id}/TransferTo/{associate}`.
pub async fn transfer_to(
    State(state): Shared,
    ctx: SoContext,
    Path((id, associate)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, SoError> {
    let to = state
        .agents
        .find(&associate)
        .ok_or_else(|| SoError::not_found(format!("no user '{associate}'")))?;
    let by = ctx.agent.clone();
    command(
        &state,
        &ctx,
        &id,
        raw,
        vec![SessionCommand::RequestTransfer { by, to }],
    )
    .await
}

/// `POST /api/v1/ChatSession/{id}/AcceptTransfer`.
pub async fn accept_transfer(
    State(state): Shared,
    ctx: SoContext,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, SoError> {
    let me = ctx.agent.clone();
    command(
        &state,
        &ctx,
        &id,
        raw,
        vec![SessionCommand::AcceptTransfer(me)],
    )
    .await
}

/// `POST /api/v1/ChatSession/{id}/RejectTransfer`.
pub async fn reject_transfer(
    State(state): Shared,
    ctx: SoContext,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, SoError> {
    let me = ctx.agent.clone();
    command(
        &state,
        &ctx,
        &id,
        raw,
        vec![SessionCommand::RejectTransfer(me)],
    )
    .await
}

/// `POST /api/v1/ChatSession/{id}/Reset`.
pub async fn reset(
    State(state): Shared,
    ctx: SoContext,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, SoError> {
    command(&state, &ctx, &id, raw, vec![SessionCommand::Reset]).await
}

/// `POST /api/v1/ChatSession/{id}/Pickup`.
pub async fn pickup(
    State(state): Shared,
    ctx: SoContext,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, SoError> {
    let query = QueryParams::parse(raw)?;
    query.selection(session_fields())?;
    let chat_id = resolve(&state, &id).await?;
    state.chat.accept(&ctx.agent, &chat_id).await?;
    respond(&state, &ctx, &chat_id, &query).await
}

/// `POST /api/v1/ChatSession/Pickup`: the session that waited longest.
pub async fn pickup_first(
    State(state): Shared,
    ctx: SoContext,
    RawQuery(raw): RawQuery,
) -> Result<Response, SoError> {
    let query = QueryParams::parse(raw)?;
    query.selection(session_fields())?;
    let summary = match state.chat.pickup_first(&ctx.agent).await {
        Ok(summary) => summary,
        Err(ChatError::Conflict(message)) => return Err(SoError::not_found(message)),
        Err(error) => return Err(error.into()),
    };
    respond(&state, &ctx, &summary.chat_id, &query).await
}

/// Events shown as messages: everything but typing notices.
fn is_message(event: &TranscriptEvent) -> bool {
    !matches!(
        event.event_type,
        EventType::TypingStarted | EventType::TypingStopped
    )
}

/// A transcript event as a `ChatMessage`; `ChatMessageId` is the transcript index.
fn chat_message(number: i64, event: &TranscriptEvent, read_up_to: u64, ctx: &SoContext) -> Value {
    let read = event.from.party_type == PartyType::Client || event.index <= read_up_to;
    json!({
        "ChatMessageId": event.index,
        "ChatSessionId": number,
        "Type": event.event_type.as_str(),
        "Message": event.text.clone().unwrap_or_default(),
        "Author": event.from.nickname,
        "ReadByCustomer": i32::from(read),
        "SpecialType": "None",
        "SpecialParam": event.message_type.clone().unwrap_or_default(),
        "WhenPosted": ctx.dates.format(event.utc_time),
    })
}

/// The last index the customer has seen: its own last event.
fn read_up_to(events: &[TranscriptEvent]) -> u64 {
    events
        .iter()
        .filter(|e| e.from.party_type == PartyType::Client)
        .map(|e| e.index)
        .max()
        .unwrap_or(0)
}

/// `GET /api/v1/ChatSession/{id}/Messages?after=<messageId>`.
pub async fn get_messages(
    State(state): Shared,
    ctx: SoContext,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, SoError> {
    let query = QueryParams::parse(raw)?;
    let after = non_negative(&query, "after")?.unwrap_or(0) as u64;
    let chat_id = resolve(&state, &id).await?;
    let summary = state.chat.get(&chat_id).await?;
    let events = state.chat.transcript(&chat_id, 1).await?;
    let read = read_up_to(&events);
    let messages: Vec<Value> = events
        .iter()
        .filter(|e| e.index > after && is_message(e))
        .map(|e| chat_message(summary.chat_session_id, e, read, &ctx))
        .collect();
    Ok(Json(messages).into_response())
}

/// `POST /api/v1/ChatSession/{id}/Messages`: the caller (an agent in the session) says
/// `Message`; it reaches the customer like any agent message.
pub async fn post_message(
    State(state): Shared,
    ctx: SoContext,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, SoError> {
    let fields = match read_body(&headers, &body)? {
        Body::Json(Value::Object(fields)) => fields,
        _ => {
            return Err(SoError::bad_request(
                "the body must be a ChatMessage object",
            ))
        }
    };
    let get = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    };
    let text = match get("Message") {
        Some(Value::String(text)) if !text.is_empty() => text.clone(),
        _ => return Err(SoError::bad_request("Message is required")),
    };
    let message_type = match get("SpecialParam") {
        Some(Value::String(param)) if !param.is_empty() => Some(param.clone()),
        _ => None,
    };
    let chat_id = resolve(&state, &id).await?;
    let index = state
        .chat
        .agent_message(&ctx.agent, &chat_id, text, message_type)
        .await?;
    let summary = state.chat.get(&chat_id).await?;
    let events = state.chat.transcript(&chat_id, 1).await?;
    let read = read_up_to(&events);
    let event = events
        .iter()
        .find(|e| e.index == index)
        .ok_or_else(|| SoError::not_found("the message is gone"))?;
    Ok(Json(chat_message(summary.chat_session_id, event, read, &ctx)).into_response())
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `POST /api/v1/ChatSession/{id}/Transcript?html=true`: the transcript as text or HTML, in
/// a JSON string.
pub async fn transcript(
    State(state): Shared,
    ctx: SoContext,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, SoError> {
    let query = QueryParams::parse(raw)?;
    let html = match query.get("html").map(str::trim) {
        None | Some("") => false,
        Some(flag) if flag.eq_ignore_ascii_case("true") || flag == "1" => true,
        Some(flag) if flag.eq_ignore_ascii_case("false") || flag == "0" => false,
        Some(other) => {
            return Err(SoError::bad_request(format!(
                "html must be true or false, not '{other}'"
            )))
        }
    };
    let chat_id = resolve(&state, &id).await?;
    let events = state.chat.transcript(&chat_id, 1).await?;
    let mut lines = Vec::new();
    for event in events.iter().filter(|e| is_message(e)) {
        let when = ctx.dates.format(event.utc_time);
        let who = &event.from.nickname;
        let what = match event.event_type {
            EventType::ParticipantJoined => "joined the chat".to_owned(),
            EventType::ParticipantLeft => "left the chat".to_owned(),
            EventType::NicknameUpdated => {
                format!("is now known as {}", event.text.clone().unwrap_or_default())
            }
            _ => event.text.clone().unwrap_or_default(),
        };
        let separator = if event.event_type == EventType::Message {
            ":"
        } else {
            ""
        };
        lines.push(if html {
            format!(
                "<p><span class=\"when\">{}</span> <b>{}</b>{separator} {}</p>",
                escape_html(&when),
                escape_html(who),
                escape_html(&what)
            )
        } else {
            format!("[{when}] {who}{separator} {what}")
        });
    }
    let text = if html {
        format!("<div class=\"chat-transcript\">{}</div>", lines.join(""))
    } else {
        lines.join("\n")
    };
    Ok(Json(Value::String(text)).into_response())
}

/// A topic's sessions, for `GET /api/v1/ChatTopic/{id}/Sessions`.
pub async fn sessions_of_topic(
    state: &AppState,
    ctx: &SoContext,
    topic: &Topic,
    selection: Option<&Selection>,
) -> Result<Vec<Value>, SoError> {
    let rows = query_sessions(
        state,
        ctx,
        "c.service = ?",
        vec![Bind::Text(topic.service.clone())],
        &[],
        None,
        0,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut entity = row.entity;
            if let Some(selection) = selection {
                selection.apply(&mut entity);
            }
            entity
        })
        .collect())
}

/// A session's entity answer, for the topic routes.
pub async fn session_response(
    state: &AppState,
    ctx: &SoContext,
    chat_id: &str,
    query: &QueryParams,
) -> Result<Response, SoError> {
    respond(state, ctx, chat_id, query).await
}
